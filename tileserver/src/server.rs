//! The router, shared state and the listening loop.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use geodata::{BoundaryVersion, Catalog, Store, store::Snapshot};
use serde::Serialize;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::status;
use crate::tiles::TileCache;

/// State shared by every request.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The store the server reads.
    pub store: Store,
    /// The indicator catalog.
    pub catalog: Arc<Catalog>,
    /// The values are synthetic (the demo): every page says so.
    pub synthetic: bool,
    /// Tile sources and snapshot values built on first use.
    pub tiles: Arc<TileCache>,
}

impl AppState {
    /// State over `store` with empty tile caches.
    pub fn new(store: Store, catalog: Arc<Catalog>, synthetic: bool) -> AppState {
        AppState {
            store,
            catalog,
            synthetic,
            tiles: Arc::default(),
        }
    }
}

/// The full router of the server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/v1/versions", get(versions))
        .route("/api/v1/periods", get(periods))
        .route(
            "/tiles/boundaries/{version}/{z}/{x}/{y}",
            get(crate::tiles::boundaries),
        )
        .route(
            "/tiles/admin/{period}/{z}/{x}/{y}",
            get(crate::tiles::admin),
        )
        .fallback(not_found)
        .layer(CompressionLayer::new())
        .layer(CorsLayer::permissive())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Binds `listen` and serves until Ctrl-C; prints the address it listens on.
pub async fn serve(state: AppState, listen: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    eprintln!("popmap: serving on http://{addr}/ (Ctrl-C to stop)");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(st): State<AppState>) -> impl IntoResponse {
    match st.store.versions().await {
        Ok(v) if !v.is_empty() => (StatusCode::OK, "ready").into_response(),
        Ok(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "no boundary version loaded",
        )
            .into_response(),
        Err(e) => ApiError::Store(e).into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such resource".into())
}

/// One published period as listed by the API: its newest revision.
#[derive(Debug, Serialize)]
pub struct PeriodEntry {
    /// The period, e.g. `2025-10`.
    pub period: String,
    /// Newest revision.
    pub revision: i64,
    /// Boundary version the values are on.
    pub version: String,
    /// When that revision was published (RFC 3339).
    pub published_at: String,
    /// Where the values came from.
    pub source: String,
}

/// Newest revision of every period, in period order.
pub async fn latest_periods(store: &Store) -> Result<Vec<PeriodEntry>, ApiError> {
    let mut out: Vec<PeriodEntry> = Vec::new();
    let snaps: Vec<Snapshot> = store.snapshots().await?;
    for s in snaps {
        let entry = PeriodEntry {
            period: s.period.to_string(),
            revision: s.revision,
            version: s.version,
            published_at: s.published_at.to_rfc3339(),
            source: s.source,
        };
        match out.last_mut() {
            Some(last) if last.period == entry.period => *last = entry,
            _ => out.push(entry),
        }
    }
    Ok(out)
}

async fn versions(State(st): State<AppState>) -> Result<Json<Vec<BoundaryVersion>>, ApiError> {
    Ok(Json(st.store.versions().await?))
}

async fn periods(State(st): State<AppState>) -> Result<Json<Vec<PeriodEntry>>, ApiError> {
    Ok(Json(latest_periods(&st.store).await?))
}

async fn index(State(st): State<AppState>) -> Result<Html<String>, ApiError> {
    let versions = st.store.versions().await?;
    let periods = latest_periods(&st.store).await?;
    Ok(Html(status::page(
        &versions,
        &periods,
        &st.catalog,
        st.synthetic,
    )))
}
