//! Vector-tile endpoints: `/tiles/boundaries/{version}/{z}/{x}/{y}.mvt` (geometry and codes) and
//! `/tiles/admin/{period}/{z}/{x}/{y}.mvt` (plus the period's public indicator values).
//!
//! HTTP semantics: a malformed or out-of-range z/x/y is 400; an unknown version or period is
//! 404; a tile with no feature is **204 No Content** (MapLibre treats it as empty); every tile
//! has a strong ETag (SHA-256 of its bytes) and answers 304 to a matching `If-None-Match`.
//! Boundary tiles are immutable for a version (`max-age` one year); admin tiles name a period
//! whose newest revision can change on re-publish, so they get a short `max-age`.
//!
//! Per-version tile sources (generalised geometry + R-tree) and per-snapshot values are built
//! on first use and kept; a build holds its map's lock, so concurrent misses build once.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use geodata::store::ValueTable;
use geodata::tile::TileId;
use geodata::tileset::TileSource;
use geodata::{Period, UnitInfo};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use crate::error::ApiError;
use crate::server::AppState;
use geodata::fields::{FieldSet, admin_tile};

/// Tile sources per boundary version and values per snapshot, built on first use.
#[derive(Default)]
pub struct TileCache {
    sources: Mutex<HashMap<String, Arc<TileSource>>>,
    values: Mutex<HashMap<i64, Arc<ValueTable>>>,
}

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache").finish_non_exhaustive()
    }
}

impl TileCache {
    /// The tile source of `version`, building it on first use; 404 for an unknown version.
    async fn source(&self, st: &AppState, version: &str) -> Result<Arc<TileSource>, ApiError> {
        let mut map = self.sources.lock().await;
        if let Some(s) = map.get(version) {
            return Ok(s.clone());
        }
        if st.store.version(version).await?.is_none() {
            return Err(ApiError::NotFound(format!(
                "unknown boundary version '{version}'"
            )));
        }
        let units = st.store.units_with_geometry(version).await?;
        let pairs: Vec<(UnitInfo, _)> = units.into_iter().map(|u| (u.info(), u.geometry)).collect();
        let src = tokio::task::spawn_blocking(move || TileSource::new(pairs))
            .await
            .map_err(|e| ApiError::BadRequest(format!("tile source build failed: {e}")))?;
        let src = Arc::new(src);
        map.insert(version.to_string(), src.clone());
        Ok(src)
    }

    /// The values of snapshot `id`, read once.
    async fn values(&self, st: &AppState, id: i64) -> Result<Arc<ValueTable>, ApiError> {
        let mut map = self.values.lock().await;
        if let Some(v) = map.get(&id) {
            return Ok(v.clone());
        }
        let v = Arc::new(st.store.values(id).await?);
        map.insert(id, v.clone());
        Ok(v)
    }
}

/// Parses `{z}/{x}/{y}.mvt` path parts; 400 with the reason when malformed or out of range.
fn parse_tile(z: &str, x: &str, y: &str) -> Result<TileId, ApiError> {
    let y = y
        .strip_suffix(".mvt")
        .ok_or_else(|| ApiError::BadRequest(format!("'{y}': tile names end in .mvt")))?;
    let num = |name: &str, s: &str| {
        s.parse::<u32>()
            .map_err(|_| ApiError::BadRequest(format!("{name}='{s}' is not a tile coordinate")))
    };
    TileId::new(num("z", z)?, num("x", x)?, num("y", y)?)
        .map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// A tile response with ETag, Cache-Control and 304/204 handling.
fn tile_response(bytes: Vec<u8>, headers: &HeaderMap, cache_control: &'static str) -> Response {
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let status = if matches {
        StatusCode::NOT_MODIFIED
    } else if bytes.is_empty() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::OK
    };
    let mut resp = if status == StatusCode::OK {
        bytes.into_response()
    } else {
        status.into_response()
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
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex etag"),
    );
    resp
}

/// `GET /tiles/boundaries/{version}/{z}/{x}/{y}.mvt`.
pub async fn boundaries(
    State(st): State<AppState>,
    Path((version, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_tile(&z, &x, &y)?;
    let src = st.tiles.source(&st, &version).await?;
    let bytes = tokio::task::spawn_blocking(move || src.tile_default(id, |_| Vec::new()))
        .await
        .map_err(|e| ApiError::BadRequest(format!("tile failed: {e}")))?;
    Ok(tile_response(
        bytes,
        &headers,
        "public, max-age=31536000, immutable",
    ))
}

/// `GET /tiles/admin/{period}/{z}/{x}/{y}.mvt`: `period` is a published period or `latest`.
pub async fn admin(
    State(st): State<AppState>,
    Path((period, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_tile(&z, &x, &y)?;
    let snap = if period == "latest" {
        st.store
            .snapshots()
            .await?
            .into_iter()
            .max_by_key(|s| (s.period, s.revision))
    } else {
        let p: Period = period
            .parse()
            .map_err(|e: geodata::period::InvalidPeriod| ApiError::BadRequest(e.to_string()))?;
        st.store.latest_snapshot(&p).await?
    }
    .ok_or_else(|| ApiError::NotFound(format!("period '{period}' is not published")))?;
    let src = st.tiles.source(&st, &snap.version).await?;
    let values = st.tiles.values(&st, snap.id).await?;
    let catalog = st.catalog.clone();
    let months = snap.period.month_count();
    let bytes = tokio::task::spawn_blocking(move || {
        let fields = FieldSet::all_public(&catalog);
        admin_tile(&src, id, &catalog, &fields, &values, months)
    })
    .await
    .map_err(|e| ApiError::BadRequest(format!("tile failed: {e}")))?;
    Ok(tile_response(bytes, &headers, "public, max-age=60"))
}
