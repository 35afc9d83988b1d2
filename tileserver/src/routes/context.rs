//! The country context tiles: `GET /tiles/context/{z}/{x}/{y}.mvt` and their TileJSON
//! `GET /tiles/context.json` (neighbouring land, Vietnam's land, the Hoàng Sa and Trường Sa
//! islands and the archipelago labels; see `geodata::context_tile`).
//!
//! The context is compiled into the binary, the same for every period and version. Its TileJSON
//! names the tiles with `?v=` and a digest of the compiled-in data, so a tile URL names one
//! content: tiles are `immutable` (a new release changes the URL), while the TileJSON, whose
//! URL stays the same across releases, is `max-age=60`; both carry a strong ETag and answer 304.
//! Tiles without a feature (open sea far away) are 204; a bad z/x/y is 400.

use std::sync::LazyLock;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::http::conditional::{IMMUTABLE, SHORT, etag_of, respond};
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::routes::tilejson::{MAX_ZOOM, base_url};
use crate::routes::tiles::{parse_tile, tile_response};
use crate::state::AppState;
use crate::state::tilecache::TileKey;

/// Hex digest of the compiled-in context data (versions the tile URLs).
static DIGEST: LazyLock<String> =
    LazyLock::new(|| hex::encode(&Sha256::digest(geodata::context_source().as_bytes())[..8]));

/// `GET /tiles/context/{z}/{x}/{y}.mvt[?v=digest]`.
pub async fn tile(
    State(st): State<AppState>,
    Path((z, x, y)): Path<(String, String, String)>,
    query: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_tile(&z, &x, &y)?;
    query.allow(&["v"])?;
    let key = TileKey::Context {
        zxy: (id.z, id.x, id.y),
    };
    let tile = st
        .tiles
        .tile(key, &st.metrics, move || geodata::context_tile(id))
        .await?;
    Ok(tile_response(&st, &tile, "context", &headers, IMMUTABLE))
}

/// `GET /tiles/context.json`.
pub async fn tilejson(
    State(st): State<AppState>,
    query: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    query.allow(&[])?;
    let b = geodata::CONTEXT_BOUNDS;
    let doc = json!({
        "tilejson": "3.0.0",
        "name": "popmap context",
        "description": "Vietnam and its neighbours, with the Hoàng Sa and Trường Sa archipelagos",
        "version": "1.0.0",
        "attribution": "Natural Earth (public domain)",
        "scheme": "xyz",
        "tiles": [format!(
            "{}/tiles/context/{{z}}/{{x}}/{{y}}.mvt?v={}",
            base_url(&st, &headers),
            *DIGEST
        )],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": b,
        "center": [106.0, 16.0, 4.0],
        "vector_layers": geodata::context_vector_layers(MAX_ZOOM),
        "popmap": {"family": "context", "empty_tiles": "204 No Content"},
    });
    let body = serde_json::to_vec(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    let etag = etag_of(&body);
    Ok(respond(
        &headers,
        &etag,
        HeaderValue::from_static(SHORT),
        move || {
            (
                [(
                    axum::http::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response()
        },
    ))
}
