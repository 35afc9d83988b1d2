//! The router, shared state and the listening loop.

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use axum::routing::{get, post};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::state::config::CorsOrigins;

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
    let tiles = tile_routes();
    let others = Router::new()
        .route("/", get(crate::routes::web::index))
        .route("/embed", get(crate::routes::web::embed))
        .route("/print", get(crate::routes::web::print))
        .route("/targets", get(crate::routes::web::targets))
        .route("/assets/{*path}", get(crate::routes::web::asset))
        .route("/status", get(crate::routes::web::status))
        .route("/sprites/{file}", get(crate::routes::sprite::sprite))
        .route("/fonts/{file}", get(crate::routes::fonts::file))
        .route(
            "/fonts/{fontstack}/{range}",
            get(crate::routes::fonts::glyphs),
        )
        .route("/api/v1/classes", get(crate::routes::classes::classes))
        .route("/api/v1/map/change", get(crate::routes::change::map_change))
        .route("/api/v1/map/values", get(crate::routes::mapdata::values))
        .route(
            "/api/v1/map/indicators",
            get(crate::routes::mapdata::indicators),
        )
        .route("/healthz", get(crate::routes::admin::healthz))
        .route("/readyz", get(crate::routes::admin::readyz))
        .route("/metrics", get(crate::routes::admin::metrics))
        .route(
            "/api/v1/units/{code}/lineage",
            get(crate::routes::lineage::lineage),
        )
        .route("/api/v1/h3/{period}/{cell}", get(crate::routes::h3::cell))
        .route("/admin/reload", post(crate::routes::admin::admin_reload))
        .route(
            "/admin/cache/purge",
            post(crate::routes::admin::admin_purge),
        )
        .merge(crate::routes::api::routes())
        .merge(linked_routes(&state))
        .fallback(not_found);
    // Tiles are answered in the coding negotiated when they were cached (`TileBody`), so they
    // skip the compression layer: for them it changed nothing but cost every cached tile a
    // large body wrapper allocated and freed (~9,000 instructions of a ~140,000 answer).
    with_access(&state, tiles)
        .merge(with_access(&state, others).layer(CompressionLayer::new()))
        .layer(cors(&state.config.cors))
        .layer(TraceLayer::new_for_http().on_failure(crate::http::failure::on_failure))
        // A plain function, not axum's async `map_response`: no future boxed per request on
        // the cached-tile path.
        .layer(tower::util::MapResponseLayer::new(
            crate::http::error::json_errors,
        ))
        .with_state(state)
}

/// The routes whose answers carry absolute URLs (TileJSON, styles). Built from `--public-url`
/// when set; otherwise from the request's Host, and then the answers say `Vary: Host` so that no
/// shared cache gives one host's URLs to clients of another.
fn linked_routes(state: &AppState) -> Router<AppState> {
    let routes = Router::new()
        .route("/styles/{file}", get(crate::routes::styles::style))
        .route(
            "/tiles/boundaries/{file}",
            get(crate::routes::tilejson::boundaries),
        )
        .route("/tiles/admin/{file}", get(crate::routes::tilejson::admin))
        .route("/tiles/context.json", get(crate::routes::context::tilejson))
        .route("/tiles/h3/{file}", get(crate::routes::h3::tilejson));
    if state.config.public_url.is_some() {
        return routes;
    }
    routes.layer(tower::util::MapResponseLayer::new(
        |mut r: axum::response::Response| {
            r.headers_mut().append(
                axum::http::header::VARY,
                axum::http::HeaderValue::from_static("Host"),
            );
            r
        },
    ))
}

/// The tile routes (`z/x/y` of every family).
fn tile_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/tiles/boundaries/{version}/{z}/{x}/{y}",
            get(crate::routes::tiles::boundaries),
        )
        .route(
            "/tiles/admin/{period}/{z}/{x}/{y}",
            get(crate::routes::tiles::admin),
        )
        .route(
            "/tiles/context/{z}/{x}/{y}",
            get(crate::routes::context::tile),
        )
        .route(
            "/tiles/h3/{period}/{z}/{x}/{y}",
            get(crate::routes::h3::tile),
        )
}

/// `routes` behind the access guard (keys, limits, access log and the request metrics).
fn with_access(state: &AppState, routes: Router<AppState>) -> Router<AppState> {
    routes.layer(axum::middleware::from_fn_with_state(
        std::sync::Arc::new(state.clone()),
        crate::state::access::guard,
    ))
}

/// Binds `listen` and serves within `limits` until Ctrl-C or SIGTERM, polling for new
/// snapshots if configured; prints the address it listens on.
pub async fn serve(
    state: AppState,
    listen: SocketAddr,
    limits: crate::http::connections::ConnectionLimits,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    eprintln!("popmap: serving on http://{addr}/ (Ctrl-C to stop)");
    state
        .warmed
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let warm = crate::state::refresh::spawn_warm_up(state.clone());
    let poller = state
        .config
        .poll
        .map(|every| crate::state::refresh::spawn_poller(state.clone(), every));
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
    let result =
        crate::http::connections::serve(listener, router(state), limits, stop_signal()).await;
    warm.abort();
    if let Some(p) = poller {
        p.abort();
    }
    shrink.abort();
    result
}

/// Ctrl-C, or SIGTERM (how a service manager or container runtime stops a server): either
/// stops the server gracefully, so answers in flight finish and the access log's last batch
/// is written when the process ends.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
            Err(e) => tracing::warn!(
                "cannot listen for SIGTERM ({e}): only Ctrl-C stops the server gracefully"
            ),
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such resource".into())
}
