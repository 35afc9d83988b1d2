//! TileJSON 3.0 documents next to each tile family: `/tiles/admin/{period}.json` and
//! `/tiles/boundaries/{version}.json`.
//!
//! The `tiles` URL of an admin TileJSON always names one revision (`2025-06@r2`), even when the
//! document was asked for `latest` or a bare period: a map that loads the TileJSON then fetches
//! immutable, cacheable tiles, and picks up a new revision when it reloads the TileJSON (which is
//! `max-age=60`). URLs start with the configured public URL, or `http://{Host}` without one.
//! Admin tiles are compact unless `fields=` asks for indicators (`fields=all`: every public one);
//! the TileJSON then names them in its `tiles` URL, so a map loading it gets what it describes.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use geodata::{BoundaryVersion, Catalog};
use geodata::{FieldSet, FieldsError};
use serde_json::{Value, json};

use crate::http::caller::Caller;
use crate::http::conditional::{IMMUTABLE, SHORT};
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::routes::tiles::{fields_list, fields_refused};
use crate::state::AppState;
use crate::state::published::revision_name;

/// The highest zoom tiles are cut at; maps over-zoom beyond it.
pub const MAX_ZOOM: u8 = geodata::MAX_TILE_ZOOM;

/// The base URL of the server as clients see it.
pub fn base_url(st: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &st.config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn vector_layers(version: &BoundaryVersion, catalog: &Catalog, fields: &FieldSet) -> Value {
    geodata::vector_layers(&version.id, &version.levels, catalog, fields, MAX_ZOOM)
}

async fn bounds(st: &AppState, version: &str) -> Result<[f64; 4], ApiError> {
    Ok(st
        .store
        .version_bounds(version)
        .await?
        .unwrap_or([-180.0, -85.051_128, 180.0, 85.051_128]))
}

fn center(b: [f64; 4]) -> [f64; 3] {
    [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0, 5.0]
}

/// A JSON document with its `Cache-Control`.
pub(crate) fn respond(doc: Value, cache_control: &'static str) -> Response {
    let mut r = Json(doc).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    r
}

/// `GET /tiles/admin/{period}.json[?fields=a,b|all]`: compact tiles (codes and names) without
/// `fields=`; with it, the `tiles` URL names the chosen ids and `vector_layers` describes them.
pub async fn admin(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(file): Path<String>,
    query: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let name = file
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::NotFound(format!("no such resource '/tiles/admin/{file}'")))?;
    query.allow(&["fields", "version"])?;
    let fields = match query.get("fields") {
        // Public fields only: the answer is cached publicly. A restricted one is 401 without a
        // key, as everywhere, and 403 with one (its tiles are served to the key directly).
        Some(list) => FieldSet::parse(&st.catalog, list).map_err(|e| match e {
            FieldsError::Restricted(id) if caller.unlocks_restricted() => {
                ApiError::Forbidden(format!(
                    "indicator '{id}' is restricted: TileJSON lists public fields only; \
                     ask /tiles/admin/{{period}}/{{z}}/{{x}}/{{y}}.mvt?fields={id} with your key"
                ))
            }
            e => fields_refused(
                e,
                "all, or comma-separated public indicator ids of /api/v1/indicators",
            ),
        })?,
        None => FieldSet::compact(),
    };
    let published = st.published.load_full();
    let (pref, snap) = published.snapshot(Some(name), None)?;
    let target = query.get("version").filter(|v| **v != snap.version);
    let version = match target {
        Some(v) => published.known_version(v)?,
        None => published.version(&snap.version).ok_or_else(|| {
            ApiError::Internal(format!("snapshot {} names unknown version", snap.id))
        })?,
    };
    // Harmonised onto another version: 400 without a crosswalk; estimated when any unit's
    // value rests on a split.
    let estimated = match target {
        Some(v) => !st
            .tiles
            .harmonised(&st.store, &st.catalog, &snap, v)
            .await?
            .estimated
            .is_empty(),
        None => false,
    };
    let b = bounds(&st, &version.id).await?;
    let mut url = format!(
        "{}/tiles/admin/{}/{{z}}/{{x}}/{{y}}.mvt",
        base_url(&st, &headers),
        revision_name(&snap)
    );
    let mut params = Vec::new();
    if !fields.is_compact() {
        params.push(format!("fields={}", fields_list(&fields)));
    }
    if target.is_some() {
        params.push(format!("version={}", version.id));
    }
    if !params.is_empty() {
        url.push('?');
        url.push_str(&params.join("&"));
    }
    let synthetic = if st.config.synthetic {
        " SYNTHETIC demo values, not real statistics."
    } else {
        ""
    };
    let doc = json!({
        "tilejson": "3.0.0",
        "name": format!("popmap {} r{}", snap.period, snap.revision),
        "description": format!(
            "Population indicators of period {} (revision {}, published {}) on boundary version {}{}.{synthetic}",
            snap.period, snap.revision, snap.published_at.to_rfc3339(), version.id,
            if target.is_some() { format!(", harmonised from {} through the crosswalk", snap.version) } else { String::new() }
        ),
        "version": "1.0.0",
        "attribution": if st.config.synthetic { "popmap demo: synthetic values" } else { "popmap" },
        "scheme": "xyz",
        "tiles": [url],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": b,
        "center": center(b),
        "vector_layers": vector_layers(version, &st.catalog, &fields),
        "popmap": {
            "family": "admin",
            "period": snap.period.to_string(),
            "revision": snap.revision,
            "version": version.id,
            "reported_on": snap.version,
            "harmonised": target.is_some(),
            "estimated": estimated,
            // The indicators the tiles carry beyond code and name (none by default; the
            // TileJSON of `?fields=all` lists every public one).
            "fields": fields.base.iter().chain(&fields.derived).collect::<Vec<_>>(),
            "published_at": snap.published_at.to_rfc3339(),
            "synthetic": st.config.synthetic,
            "empty_tiles": "204 No Content",
        },
    });
    Ok(respond(
        doc,
        if pref.is_immutable() {
            IMMUTABLE
        } else {
            SHORT
        },
    ))
}

/// `GET /tiles/boundaries/{version}.json`.
pub async fn boundaries(
    State(st): State<AppState>,
    Path(file): Path<String>,
    query: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = file.strip_suffix(".json").ok_or_else(|| {
        ApiError::NotFound(format!("no such resource '/tiles/boundaries/{file}'"))
    })?;
    query.allow(&[])?;
    let published = st.published.load_full();
    let version = published
        .version(id)
        .ok_or_else(|| ApiError::NotFound(format!("unknown boundary version '{id}'")))?;
    let b = bounds(&st, id).await?;
    let none = FieldSet::compact();
    let doc = json!({
        "tilejson": "3.0.0",
        "name": format!("popmap boundaries {id}"),
        "description": format!(
            "Administrative boundaries of version {id} (valid from {}), codes and names only.",
            version.valid_from
        ),
        "version": "1.0.0",
        "attribution": "popmap",
        "scheme": "xyz",
        "tiles": [format!("{}/tiles/boundaries/{id}/{{z}}/{{x}}/{{y}}.mvt", base_url(&st, &headers))],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": b,
        "center": center(b),
        "vector_layers": vector_layers(version, &st.catalog, &none),
        "popmap": {
            "family": "boundaries",
            "version": id,
            "valid_from": version.valid_from.to_string(),
            "empty_tiles": "204 No Content",
        },
    });
    Ok(respond(doc, SHORT))
}
