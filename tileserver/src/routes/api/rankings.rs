//! `/api/v1/rankings?indicator=&period=&level=province`: the units of a level ranked by one
//! indicator (highest first, ties share a rank), with the previous period's value and the
//! change. The previous period is the one just before, of the same length (2025-06 → 2025-05,
//! 2025-Q3 → 2025-Q2, 2025 → 2024), matched by code.

use std::cmp::Ordering;

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;

use super::indicators::{select, value_of};
use crate::http::error::ApiError;
use crate::http::query::{MAX_TABLE_PAGE, Params};
use crate::http::reply::{ResponseCache, Table, prepare};
use crate::state::AppState;
use crate::state::access::Caller;
use crate::state::published::PeriodRef;

/// One ranked unit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RankItem {
    /// 1 for the highest value; equal values share a rank (1, 2, 2, 4).
    pub rank: usize,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The value.
    pub value: f64,
    /// The value in the previous period (`null` if not published or not computable).
    pub previous: Option<f64>,
    /// `value − previous`.
    pub change: Option<f64>,
}

/// A ranking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    /// Indicator id.
    pub indicator: String,
    /// The period.
    pub period: String,
    /// Its revision.
    pub revision: i64,
    /// The previous period compared with, if published.
    pub previous_period: Option<String>,
    /// Level ranked.
    pub level: String,
    /// Units with a value, best first, ties by code.
    pub items: Vec<RankItem>,
    /// Ranked units in all pages.
    pub total: usize,
    /// Page size.
    pub limit: i64,
    /// Units skipped.
    pub offset: i64,
}

/// The query of `GET /api/v1/rankings`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct RankingsQuery {
    /// Indicator id
    #[param(example = "sex_ratio")]
    pub indicator: String,
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// province, district or commune (default province); `region` is refused (no regions are defined in the catalog)
    pub level: Option<String>,
    /// Page size, 1 to 20000 (default 20000)
    pub limit: Option<i64>,
    /// Rows skipped (default 0)
    pub offset: Option<i64>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// `GET /api/v1/rankings`.
#[utoipa::path(
    get,
    path = "/api/v1/rankings",
    tag = "tables",
    params(RankingsQuery),
    responses(
        (status = 200, description = "OK", content((Ranking = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn rankings(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<RankingsQuery>()?;
    let format = params.format(&headers)?;
    let (limit, offset) = params.page(MAX_TABLE_PAGE, MAX_TABLE_PAGE)?;
    let indicator = params.required("indicator")?.to_string();
    select(&st.catalog, &caller, Some(std::slice::from_ref(&indicator)))?;
    let level = params.level("level")?.unwrap_or(geodata::Level::Province);
    if level == geodata::Level::Country {
        return Err(ApiError::bad_request(
            "level",
            ["province", "district", "commune"],
            "level=country: the national row is one unit, there is nothing to rank (see /api/v1/values?level=country)",
        ));
    }
    let published = st.published.load_full();
    let (_, snap) = published.snapshot(params.str("period"), Some("period"))?;
    published.require_level(&snap, level)?;
    let key = ResponseCache::key(
        "rankings",
        snap.id,
        &caller,
        &params,
        &format!("{format:?}"),
    );
    if let Some(hit) = st.api.responses.get(&key).await {
        return Ok(hit.send(&headers, &caller));
    }
    let prev = snap
        .period
        .previous()
        .and_then(|p| published.resolve(&PeriodRef::Newest(p)).cloned());
    let units = st.api.units.get(&st.store, &snap.version).await?;
    let values = st.tiles.values(&st.store, snap.id).await?;
    let prev_data = match &prev {
        Some(p) => Some((
            st.api.units.get(&st.store, &p.version).await?,
            st.tiles.values(&st.store, p.id).await?,
            p.period.month_count(),
        )),
        None => None,
    };
    let number = |v: Option<serde_json::Value>| v.and_then(|v| v.as_f64());
    let mut scored: Vec<(f64, &geodata::UnitInfo)> = units
        .list
        .iter()
        .filter(|u| u.level == level)
        .filter_map(|u| {
            number(value_of(
                &st.catalog,
                &indicator,
                values.get(&u.code),
                u.area_km2,
                snap.period.month_count(),
            ))
            .map(|v| (v, u))
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.1.code.cmp(&b.1.code))
    });
    let total = scored.len();
    let mut items = Vec::with_capacity(total.min(limit as usize));
    let mut rank = 0;
    for (i, (value, u)) in scored.iter().enumerate() {
        if i == 0 || scored[i - 1].0 != *value {
            rank = i + 1;
        }
        if i < offset as usize || items.len() >= limit as usize {
            continue;
        }
        let previous = prev_data.as_ref().and_then(|(pu, pv, months)| {
            let pu = pu.get(&u.code).filter(|p| p.level == u.level)?;
            number(value_of(
                &st.catalog,
                &indicator,
                pv.get(&u.code),
                pu.area_km2,
                *months,
            ))
        });
        items.push(RankItem {
            rank,
            code: u.code.clone(),
            name: u.name.clone(),
            value: *value,
            previous,
            change: previous.map(|p| round6(value - p)),
        });
    }
    let out = Ranking {
        indicator,
        period: snap.period.to_string(),
        revision: snap.revision,
        previous_period: prev.map(|p| p.period.to_string()),
        level: level.to_string(),
        items,
        total,
        limit,
        offset,
    };
    let answer = prepare(format, &out, || {
        Some(Table {
            columns: ["rank", "code", "name", "value", "previous", "change"]
                .map(String::from)
                .to_vec(),
            rows: out
                .items
                .iter()
                .map(|i| {
                    vec![
                        Some(i.rank.to_string()),
                        Some(i.code.clone()),
                        Some(i.name.clone()),
                        Some(i.value.to_string()),
                        i.previous.map(|v| v.to_string()),
                        i.change.map(|v| v.to_string()),
                    ]
                })
                .collect(),
        })
    })?;
    Ok(st
        .api
        .responses
        .put(key, answer)
        .await
        .send(&headers, &caller))
}

/// `x` rounded to 6 decimals: differences of rounded ratios without float noise.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
