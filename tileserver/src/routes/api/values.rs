//! `/api/v1/values?period=&level=&indicator=a,b&parent=&code=&limit=&offset=`: the table of one
//! level's units for one period, by code (`level=country`: the national row `VN`, summed from
//! the provinces).

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value};

use super::indicators::{select, values_map};
use crate::http::error::ApiError;
use crate::http::query::{MAX_TABLE_PAGE, Params};
use crate::http::reply::{ResponseCache, Table, cell, prepare};
use crate::state::AppState;
use crate::state::access::Caller;

/// One unit's row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ValueItem {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Parent's code.
    pub parent_code: Option<String>,
    /// The chosen indicators (`null` where missing).
    #[schema(value_type = Object)]
    pub values: Map<String, Value>,
}

/// A page of the table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ValueTablePage {
    /// The period.
    pub period: String,
    /// Its revision.
    pub revision: i64,
    /// Boundary version.
    pub version: String,
    /// Level of the rows.
    pub level: String,
    /// Present and true when the period was published as partial (`popmap publish
    /// --partial`): totals above the communes miss the communes not reported.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    /// The indicator ids of `values`, in catalog order.
    pub indicators: Vec<String>,
    /// Rows by code.
    pub items: Vec<ValueItem>,
    /// Rows in all pages.
    pub total: usize,
    /// Page size.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// The query of `GET /api/v1/values`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct ValuesQuery {
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// `country` (one row, `VN`: the provinces summed), `province`, `district` or `commune` (default province); `region` is refused (no regions are defined in the catalog)
    pub level: Option<String>,
    /// Comma-separated indicator ids (default: every indicator the caller may see), at most 200
    pub indicator: Option<String>,
    /// Only the children of this unit code
    pub parent: Option<String>,
    /// Comma-separated unit codes, at most 200
    pub code: Option<String>,
    /// Page size, 1 to 20000 (default 1000)
    pub limit: Option<i64>,
    /// Rows skipped (default 0)
    pub offset: Option<i64>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// `GET /api/v1/values`.
#[utoipa::path(
    get,
    path = "/api/v1/values",
    tag = "tables",
    params(ValuesQuery),
    responses(
        (status = 200, description = "OK", content((ValueTablePage = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn values(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<ValuesQuery>()?;
    let format = params.format(&headers)?;
    let (limit, offset) = params.page(1000, MAX_TABLE_PAGE)?;
    let level = params.level("level")?.unwrap_or(geodata::Level::Province);
    let asked = params.list("indicator")?;
    let ids = select(&st.catalog, &caller, asked.as_deref())?;
    let codes = params.list("code")?;
    let parent = params.str("parent");
    let published = st.published.load_full();
    let (_, snap) = published.snapshot(params.str("period"), Some("period"))?;
    published.require_level(&snap, level)?;
    let key = ResponseCache::key("values", snap.id, &caller, &params, &format!("{format:?}"));
    if let Some(hit) = st.api.responses.get(&key).await {
        return Ok(hit.send(&headers, &caller));
    }
    let units = st.api.units.get(&st.store, &snap.version).await?;
    let mut values = st.tiles.values(&st.store, snap.id).await?;
    let months = snap.period.month_count();
    // level=country: the national row, summed from the provinces (geodata::national).
    let national = (level == geodata::Level::Country).then(|| {
        let n = geodata::national(&units.list, &values);
        values = std::sync::Arc::new(n.table());
        n.unit
    });
    let mut rows: Vec<&geodata::UnitInfo> = units
        .list
        .iter()
        .chain(&national)
        .filter(|u| u.level == level)
        .filter(|u| parent.is_none_or(|p| u.parent_code.as_deref() == Some(p)))
        .filter(|u| codes.as_ref().is_none_or(|c| c.contains(&u.code)))
        .collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    let total = rows.len();
    let items = rows
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|u| ValueItem {
            code: u.code.clone(),
            name: u.name.clone(),
            parent_code: u.parent_code.clone(),
            values: values_map(&st.catalog, &ids, values.get(&u.code), u.area_km2, months),
        })
        .collect();
    let out = ValueTablePage {
        period: snap.period.to_string(),
        revision: snap.revision,
        version: snap.version.clone(),
        level: level.to_string(),
        incomplete: !snap.complete,
        indicators: ids,
        items,
        total,
        limit,
        offset,
    };
    let answer = prepare(format, &out, || {
        let mut columns: Vec<String> = ["code", "name", "parent_code"].map(String::from).to_vec();
        columns.extend(out.indicators.iter().cloned());
        Some(Table {
            columns,
            rows: out
                .items
                .iter()
                .map(|i| {
                    let mut r = vec![
                        Some(i.code.clone()),
                        Some(i.name.clone()),
                        i.parent_code.clone(),
                    ];
                    r.extend(out.indicators.iter().map(|id| cell(&i.values[id])));
                    r
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
