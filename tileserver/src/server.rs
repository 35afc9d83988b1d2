//! The router, shared state and the listening loop.

use std::net::SocketAddr;
use std::sync::Arc;

use arc_swap::ArcSwap;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use geodata::StoreError;
use geodata::{Catalog, Store};
use serde::Serialize;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::config::{CorsOrigins, ServerConfig};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::published::Published;
use crate::tilecache::TileCache;

/// State shared by every request.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The store the server reads.
    pub store: Store,
    /// The indicator catalog.
    pub catalog: Arc<Catalog>,
    /// Settings of this process.
    pub config: Arc<ServerConfig>,
    /// Versions and snapshots being served, swapped whole on reload.
    pub published: Arc<ArcSwap<Published>>,
    /// Tile sources, snapshot values and built tiles.
    pub tiles: Arc<TileCache>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Serialises reloads.
    pub reload_lock: Arc<tokio::sync::Mutex<()>>,
    /// Caches of the data API.
    pub api: Arc<crate::api::ApiState>,
    /// Per-key and per-address rate limiters.
    pub limiters: Arc<crate::api::access::Limiters>,
    /// False while [`serve`]'s start-up warm-up is building tile sources (`/readyz` says 503).
    pub warmed: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    /// State over `store`: reads the published versions and snapshots once.
    pub async fn new(
        store: Store,
        catalog: Arc<Catalog>,
        config: ServerConfig,
    ) -> Result<AppState, StoreError> {
        let published = Published::load(&store, 1).await?;
        let metrics = Metrics::default();
        metrics.generation.set(1);
        let limiters = crate::api::access::Limiters::new(config.rate_per_key, config.rate_per_ip);
        Ok(AppState {
            api: Arc::default(),
            limiters: Arc::new(limiters),
            store,
            catalog,
            tiles: Arc::new(TileCache::new(config.cache_bytes)),
            config: Arc::new(config),
            published: Arc::new(ArcSwap::from_pointee(published)),
            metrics: Arc::new(metrics),
            reload_lock: Arc::default(),
            warmed: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        })
    }
}

fn cors(origins: &CorsOrigins) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([header::IF_NONE_MATCH, header::AUTHORIZATION])
        .expose_headers([header::ETAG, header::CONTENT_LOCATION]);
    match origins {
        CorsOrigins::Any => layer.allow_origin(AllowOrigin::any()),
        CorsOrigins::List(list) => layer
            .allow_origin(AllowOrigin::list(
                list.iter().filter_map(|o| HeaderValue::from_str(o).ok()),
            ))
            .vary([header::ORIGIN]),
    }
}

/// The full router of the server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(crate::web::index))
        .route("/embed", get(crate::web::embed))
        .route("/assets/{*path}", get(crate::web::asset))
        .route("/status", get(crate::web::status))
        .route("/styles/{file}", get(crate::styles::style))
        .route("/api/v1/classes", get(crate::mapdata::classes))
        .route("/api/v1/map/values", get(crate::mapdata::values))
        .route("/api/v1/map/indicators", get(crate::mapdata::indicators))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::metrics))
        .route("/api/v1/units/{code}/lineage", get(crate::lineage::lineage))
        .route("/tiles/boundaries/{file}", get(crate::tilejson::boundaries))
        .route(
            "/tiles/boundaries/{version}/{z}/{x}/{y}",
            get(crate::tiles::boundaries),
        )
        .route("/tiles/admin/{file}", get(crate::tilejson::admin))
        .route(
            "/tiles/admin/{period}/{z}/{x}/{y}",
            get(crate::tiles::admin),
        )
        .route("/tiles/h3/{file}", get(crate::h3::tilejson))
        .route("/tiles/h3/{period}/{z}/{x}/{y}", get(crate::h3::tile))
        .route("/api/v1/h3/{period}/{cell}", get(crate::h3::cell))
        .route("/admin/reload", post(crate::refresh::admin_reload))
        .route("/admin/cache/purge", post(crate::refresh::admin_purge))
        .merge(crate::api::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::api::access::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(CompressionLayer::new())
        .layer(cors(&state.config.cors))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Binds `listen` and serves until Ctrl-C, polling for new snapshots if configured; prints the
/// address it listens on.
pub async fn serve(state: AppState, listen: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    eprintln!("popmap: serving on http://{addr}/ (Ctrl-C to stop)");
    state
        .warmed
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let warm = crate::refresh::spawn_warm_up(state.clone());
    let poller = state
        .config
        .poll
        .map(|every| crate::refresh::spawn_poller(state.clone(), every));
    let shrink = {
        let limiters = state.limiters.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiters.shrink();
            }
        })
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    warm.abort();
    if let Some(p) = poller {
        p.abort();
    }
    shrink.abort();
    result
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(st): State<AppState>) -> impl IntoResponse {
    if st.published.load().versions.is_empty() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "no boundary version loaded",
        )
            .into_response();
    }
    if !st.warmed.load(std::sync::atomic::Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "warming up: building tile sources",
        )
            .into_response();
    }
    match st.store.versions().await {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
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

/// Newest revision of every period being served, in period order.
pub fn latest_periods(published: &Published) -> Vec<PeriodEntry> {
    let mut out: Vec<PeriodEntry> = Vec::new();
    for s in published.snapshots.iter().cloned() {
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
    out
}
