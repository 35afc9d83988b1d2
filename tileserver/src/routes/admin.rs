//! The operational endpoints: `POST /admin/reload`, `POST /admin/cache/purge` (admin key or
//! token), `GET /metrics` (Prometheus text; admin key or token), `GET /healthz` and `GET /readyz`.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::state::access::Caller;
use crate::state::refresh::{ReloadOutcome, reload};

/// Checks that the caller may use `/admin/*`: an admin API key or the admin token. Without
/// credentials it is 401 when some admin credential can exist (a token is configured), else 403
/// naming how to enable the endpoints; a non-admin key is 403.
pub fn require_admin(st: &AppState, caller: &Caller) -> Result<(), ApiError> {
    if caller.admin {
        return Ok(());
    }
    if caller.authenticated {
        return Err(ApiError::Forbidden(
            "this API key is not an admin key (popmap keys create --admin)".into(),
        ));
    }
    if st.config.admin_token_sha256.is_none() {
        return Err(ApiError::Forbidden(
            "admin endpoints need an admin key (popmap keys create --admin) or an admin token \
             (--admin-token-file or POPMAP_ADMIN_TOKEN)"
                .into(),
        ));
    }
    Err(ApiError::Unauthorized(
        "admin endpoints need Authorization: Bearer <admin key or token>".into(),
    ))
}

/// `POST /admin/reload`: re-reads the store now.
pub async fn admin_reload(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<ReloadOutcome>, ApiError> {
    require_admin(&st, &caller)?;
    Ok(Json(reload(&st).await?))
}

/// `POST /admin/cache/purge`: drops every cached tile (they are rebuilt on demand).
pub async fn admin_purge(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<serde_json::Value>, ApiError> {
    require_admin(&st, &caller)?;
    st.tiles.purge_tiles();
    Ok(Json(serde_json::json!({"purged": true})))
}

/// `GET /metrics`: for admins only (an admin key or the admin token, as `/admin/*`): it tells
/// the traffic, caches and memory of the server. Outside the per-client rate limit, so that a
/// scraper behind the users' proxy address keeps its answers.
pub async fn metrics(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    require_admin(&st, &caller)?;
    st.report_caches().await;
    let mut resp = st.metrics.render().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    Ok(resp)
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 503 until a boundary version is loaded and the warm-up is done, and while
/// the store cannot answer.
pub async fn readyz(State(st): State<AppState>) -> impl IntoResponse {
    if st.published.load().versions.is_empty() {
        return ApiError::NotReady("no boundary version loaded".into()).into_response();
    }
    if !st.warmed.load(std::sync::atomic::Ordering::SeqCst) {
        return ApiError::NotReady("warming up: building tile sources".into()).into_response();
    }
    match st.store.versions().await {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(e) => ApiError::Store(e).into_response(),
    }
}
