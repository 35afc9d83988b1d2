//! `/api/v1/projections/assumptions`: what every projection period (`2030-medium`, …) rests on —
//! the fertility, mortality and migration schedules and variants with their sources and how each
//! is derived from published data ([`geodata::Assumptions`]), and, for one projection period,
//! the run that produced it: its base period and each province's fitted rates.

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;

use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::reply;
use crate::state::AppState;
use crate::state::access::Caller;

/// Where the assumptions are served (linked from every projection in `/api/v1/periods`).
pub const ASSUMPTIONS_PATH: &str = "/api/v1/projections/assumptions";

/// The query of `GET /api/v1/projections/assumptions`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct AssumptionsQuery {
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
}

/// The assumptions, and a projection period's run.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssumptionsReply {
    /// The assumptions (data/projection/assumptions.toml as JSON): each with `source` and
    /// `derived`.
    #[schema(value_type = Object)]
    pub assumptions: geodata::Assumptions,
    /// The run of `period` as `popmap project` recorded it, each province's `life_expectancy`
    /// ({male, female, both}: what its fitted mortality level implies) beside its `rates`
    /// (absent without `period=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub run: Option<serde_json::Value>,
}

/// `GET /api/v1/projections/assumptions[?period=2030-medium]`: with a projection period, also
/// the run that produced it (base period, each province's fitted TFR, SRB, mortality level and
/// net migration, and the life expectancy at birth that level implies); a reported period is a
/// 400.
#[utoipa::path(
    get,
    path = "/api/v1/projections/assumptions",
    tag = "catalog",
    params(AssumptionsQuery),
    responses(
        (status = 200, description = "OK", content((AssumptionsReply = "application/json"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn assumptions(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<AssumptionsQuery>()?;
    let published = st.published.load_full();
    let run = match params.str("period") {
        None => None,
        Some(text) => {
            let (pref, snap) = published.snapshot(Some(text), Some("period"))?;
            if !snap.period.is_projection() {
                return Err(ApiError::bad_request(
                    "period",
                    "a projection period like 2030-medium",
                    format!("period={pref} is a reported period, not a projection"),
                ));
            }
            Some(super::targets::modelled::run_json(&st, snap.id).await?)
        }
    };
    let body = AssumptionsReply {
        assumptions: geodata::Assumptions::standard(),
        run,
    };
    reply(
        &headers,
        &caller,
        crate::http::query::Format::Json,
        &body,
        || None,
    )
}
