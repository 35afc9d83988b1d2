//! Vector-tile endpoints: `/tiles/boundaries/{version}/{z}/{x}/{y}.mvt` (geometry, codes and
//! names) and `/tiles/admin/{period}/{z}/{x}/{y}.mvt` (plus the period's public indicator values;
//! `?fields=a,b` chooses them).
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

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use geodata::fields::{FieldSet, admin_tile};
use geodata::tile::TileId;

use crate::encoding::{Encoding, TileBody};
use crate::error::ApiError;
use crate::metrics::BytesLabels;
use crate::published::{PeriodRef, revision_name};
use crate::server::AppState;
use crate::tilecache::TileKey;

/// `Cache-Control` of URLs whose answer never changes.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of URLs that follow the newest revision.
pub const SHORT: &str = "public, max-age=60";

/// Parses `{z}/{x}/{y}.mvt` path parts; 400 with the reason when malformed or out of range.
pub fn parse_tile(z: &str, x: &str, y: &str) -> Result<TileId, ApiError> {
    let y = y
        .strip_suffix(".mvt")
        .ok_or_else(|| ApiError::BadRequest(format!("'{y}': tile names end in .mvt")))?;
    let num = |name: &str, s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| ApiError::BadRequest(format!("{name}='{s}' is not a tile coordinate")))
    };
    TileId::new(num("z", z)?, num("x", x)?, num("y", y)?)
        .map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// Refuses any query parameter not in `allowed`.
pub fn check_query(query: &HashMap<String, String>, allowed: &[&str]) -> Result<(), ApiError> {
    match query.keys().find(|k| !allowed.contains(&k.as_str())) {
        None => Ok(()),
        Some(k) if allowed.is_empty() => Err(ApiError::BadRequest(format!(
            "unknown query parameter '{k}': this URL takes none"
        ))),
        Some(k) => Err(ApiError::BadRequest(format!(
            "unknown query parameter '{k}': this URL takes {}",
            allowed.join(", ")
        ))),
    }
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
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| tile.matches(v));
    let mut resp = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else if tile.raw.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        let body = tile.body(enc).clone();
        st.metrics
            .tile_bytes
            .get_or_create(&BytesLabels {
                family: family.to_string(),
                encoding: enc.token().to_string(),
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
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&tile.etag(enc)).expect("hex etag"),
    );
    resp
}

/// `GET /tiles/boundaries/{version}/{z}/{x}/{y}.mvt`.
pub async fn boundaries(
    State(st): State<AppState>,
    Path((version, z, x, y)): Path<(String, String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_tile(&z, &x, &y)?;
    check_query(&query, &[])?;
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

/// `GET /tiles/admin/{period}/{z}/{x}/{y}.mvt[?fields=a,b]`.
pub async fn admin(
    State(st): State<AppState>,
    Path((period, z, x, y)): Path<(String, String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_tile(&z, &x, &y)?;
    check_query(&query, &["fields"])?;
    let pref: PeriodRef = period
        .parse()
        .map_err(|e: crate::published::InvalidPeriodRef| ApiError::BadRequest(e.to_string()))?;
    let fields = match query.get("fields") {
        Some(list) => FieldSet::parse(&st.catalog, list).map_err(ApiError::BadRequest)?,
        None => FieldSet::all_public(&st.catalog),
    };
    let published = st.published.load_full();
    let snap = published
        .resolve(&pref)
        .ok_or_else(|| ApiError::NotFound(format!("period '{pref}' is not published")))?
        .clone();
    let src = st.tiles.source(&st.store, &snap.version).await?;
    let values = st.tiles.values(&st.store, snap.id).await?;
    let key = TileKey::Admin {
        snapshot: snap.id,
        fields: fields.key(&st.catalog).into(),
        zxy: (id.z, id.x, id.y),
    };
    let key_fields = fields.clone();
    let catalog = st.catalog.clone();
    let months = snap.period.month_count();
    let tile = st
        .tiles
        .tile(key, &st.metrics, move || {
            admin_tile(&src, id, &catalog, &fields, &values, months)
        })
        .await?;
    if pref.is_immutable() {
        return Ok(tile_response(&st, &tile, "admin", &headers, IMMUTABLE));
    }
    let mut resp = tile_response(&st, &tile, "admin", &headers, SHORT);
    let mut location = format!(
        "/tiles/admin/{}/{}/{}/{}.mvt",
        revision_name(&snap),
        id.z,
        id.x,
        id.y
    );
    if query.contains_key("fields") {
        location.push_str(&format!("?fields={}", fields_list(&key_fields)));
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
