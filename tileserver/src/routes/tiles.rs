//! Vector-tile endpoints: `/tiles/boundaries/{version}/{z}/{x}/{y}.mvt` (geometry, codes and
//! names) and `/tiles/admin/{period}/{z}/{x}/{y}.mvt` (compact by default: codes, names and
//! feature ids, all a map joining values by feature-state needs; `?fields=a,b` adds those
//! indicators, `?fields=all` every public one, and restricted ones too for a caller with an API
//! key; `?version=vn-2025` serves the period harmonised onto that version through the stored
//! crosswalk, `estimated = true` on units resting on a split; 400 when no crosswalk leads there).
//!
//! HTTP semantics:
//! - a malformed or out-of-range z/x/y, period or query is **400**; an unknown version or an
//!   unpublished period/revision is **404**;
//! - a tile with no feature is **204 No Content** everywhere (MapLibre treats it as empty);
//! - every tile has a strong ETag per content coding and answers **304** to a matching
//!   `If-None-Match`; gzip and brotli are negotiated, compressed once and cached compressed;
//! - URLs naming one revision (`2025-06@r2`) and boundary tiles are
//!   `public, max-age=31536000, immutable`; `latest` and a bare period (`2025-06`) resolve to the
//!   newest revision, are `public, max-age=60`, and name that revision in `Content-Location`.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use geodata::TileId;
use geodata::{FieldSet, FieldsError, admin_tile, harmonised_tile};

use crate::http::conditional::{IMMUTABLE, SHORT, if_none_match};
use crate::http::encoding::{Encoding, TileBody};
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::state::AppState;
use crate::state::access::Caller;
use crate::state::metrics::BytesLabels;
use crate::state::published::revision_name;
use crate::state::tilecache::TileKey;

/// Parses `{z}/{x}/{y}.mvt` path parts; 400 with the reason when malformed or out of range.
pub fn parse_tile(z: &str, x: &str, y: &str) -> Result<TileId, ApiError> {
    let y = y.strip_suffix(".mvt").ok_or_else(|| {
        ApiError::bad_request(
            "y",
            "a tile row followed by .mvt, e.g. 3.mvt",
            format!("'{y}': tile names end in .mvt"),
        )
    })?;
    let num = |name: &str, s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                ApiError::bad_request(
                    name,
                    "a tile coordinate: a non-negative integer",
                    format!("{name}='{s}' is not a tile coordinate"),
                )
            })
    };
    TileId::new(num("z", z)?, num("x", x)?, num("y", y)?).map_err(|e| {
        let (parameter, allowed) = match &e {
            geodata::TileError::Zoom { .. } => {
                ("z", format!("an integer from 0 to {}", geodata::MAX_ZOOM))
            }
            geodata::TileError::X { z, max, .. } => {
                ("x", format!("an integer from 0 to {max} at z={z}"))
            }
            geodata::TileError::Y { z, max, .. } => {
                ("y", format!("an integer from 0 to {max} at z={z}"))
            }
        };
        ApiError::bad_request(parameter, allowed, e.to_string())
    })
}

/// A tile response: the negotiated coding, ETag, Cache-Control, 304 and 204 handling.
pub(crate) fn tile_response(
    st: &AppState,
    tile: &TileBody,
    family: &'static str,
    headers: &HeaderMap,
    cache_control: &'static str,
) -> Response {
    let enc = Encoding::negotiate(headers);
    let not_modified = if_none_match(headers, |t| tile.same_tag(t));
    let mut resp = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else if tile.raw.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        let body = tile.body(enc).clone();
        st.metrics
            .tile_bytes
            .get_or_create(&BytesLabels {
                family,
                encoding: enc.token(),
            })
            .inc_by(body.len() as u64);
        let mut r = body.into_response();
        if enc != Encoding::Identity {
            r.headers_mut().insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(enc.token()),
            );
        }
        r
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.mapbox-vector-tile"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(header::ETAG, tile.etag_header(enc).clone());
    resp
}

/// `GET /tiles/boundaries/{version}/{z}/{x}/{y}.mvt`.
pub async fn boundaries(
    State(st): State<AppState>,
    Path((version, z, x, y)): Path<(String, String, String, String)>,
    query: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_tile(&z, &x, &y)?;
    query.allow(&[])?;
    let published = st.published.load_full();
    if published.version(&version).is_none() {
        return Err(ApiError::NotFound(format!(
            "unknown boundary version '{version}'"
        )));
    }
    let src = st.tiles.source(&st.store, &version).await?;
    let key = TileKey::Boundary {
        version: version.as_str().into(),
        zxy: (id.z, id.x, id.y),
    };
    let tile = st
        .tiles
        .tile(key, &st.metrics, move || {
            src.tile_default(id, |_| Vec::new())
        })
        .await?;
    Ok(tile_response(&st, &tile, "boundaries", &headers, IMMUTABLE))
}

/// `GET /tiles/admin/{period}/{z}/{x}/{y}.mvt[?fields=a,b|all]`.
pub async fn admin(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((period, z, x, y)): Path<(String, String, String, String)>,
    query: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_tile(&z, &x, &y)?;
    query.allow(&["fields", "version"])?;
    let restricted = caller.unlocks_restricted();
    let fields = match query.get("fields") {
        Some(list) => FieldSet::parse_with(&st.catalog, list, restricted).map_err(|e| {
            fields_refused(
                e,
                "all, or comma-separated indicator ids of /api/v1/indicators",
            )
        })?,
        None => FieldSet::compact(),
    };
    let published = st.published.load_full();
    let (pref, snap) = published.snapshot(Some(&period), None)?;
    let target = query.get("version").filter(|v| **v != snap.version);
    if let Some(v) = target {
        published.known_version(v)?;
    }
    let months = snap.period.month_count();
    let catalog = st.catalog.clone();
    let key_fields = fields.clone();
    let tile = match target {
        None => {
            let src = st.tiles.source(&st.store, &snap.version).await?;
            let values = st.tiles.values(&st.store, snap.id).await?;
            let key = TileKey::Admin {
                snapshot: snap.id,
                fields: fields.key(&st.catalog).into(),
                zxy: (id.z, id.x, id.y),
            };
            st.tiles
                .tile(key, &st.metrics, move || {
                    admin_tile(&src, id, &catalog, &fields, &values, months)
                })
                .await?
        }
        Some(version) => {
            // Harmonised: the period's values moved onto `version`'s units; a unit whose value
            // rests on a split estimate carries `estimated = true`.
            let h = st
                .tiles
                .harmonised(&st.store, &st.catalog, &snap, version)
                .await?;
            let src = st.tiles.source(&st.store, version).await?;
            let key = TileKey::Harmonised {
                snapshot: snap.id,
                version: version.as_str().into(),
                fields: fields.key(&st.catalog).into(),
                zxy: (id.z, id.x, id.y),
            };
            st.tiles
                .tile(key, &st.metrics, move || {
                    harmonised_tile(&src, id, &catalog, &fields, &h.values, &h.estimated, months)
                })
                .await?
        }
    };
    // `fields=all` depends on the caller: caches must key on Authorization, and an answer made
    // for a key holder must never be kept by a shared cache.
    let private = |mut r: Response| {
        let h = r.headers_mut();
        h.insert(
            header::VARY,
            HeaderValue::from_static("Accept-Encoding, Authorization"),
        );
        if restricted {
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=60"),
            );
        }
        r
    };
    if pref.is_immutable() {
        return Ok(private(tile_response(
            &st, &tile, "admin", &headers, IMMUTABLE,
        )));
    }
    let mut resp = private(tile_response(&st, &tile, "admin", &headers, SHORT));
    let mut location = format!(
        "/tiles/admin/{}/{}/{}/{}.mvt",
        revision_name(&snap),
        id.z,
        id.x,
        id.y
    );
    let mut params = Vec::new();
    if !key_fields.is_compact() {
        params.push(format!("fields={}", fields_list(&key_fields)));
    }
    if let Some(v) = query.get("version") {
        params.push(format!("version={v}"));
    }
    if !params.is_empty() {
        location.push('?');
        location.push_str(&params.join("&"));
    }
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::CONTENT_LOCATION, v);
    }
    Ok(resp)
}

/// The ids of a field set as a `fields=` value (validated ids: no escaping needed).
pub fn fields_list(fields: &FieldSet) -> String {
    let ids: Vec<&str> = fields
        .base
        .iter()
        .chain(&fields.derived)
        .map(String::as_str)
        .collect();
    ids.join(",")
}

/// A refused `fields=` list: a restricted indicator without a key is the 401 every route gives
/// it; an unknown id or a misplaced `all` is 400 naming `allowed`.
pub fn fields_refused(e: FieldsError, allowed: &'static str) -> ApiError {
    match e {
        FieldsError::Restricted(id) => ApiError::restricted(&id),
        e => ApiError::bad_request("fields", allowed, e.to_string()),
    }
}
