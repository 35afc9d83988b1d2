//! `/api/v1/units/{code}/series?indicator=&from=&to=`: one indicator of one unit across
//! periods (each period's newest revision), derived ratios recomputed per period.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use super::access::Caller;
use super::indicators::{select, value_of};
use super::params::Params;
use super::reply::{Table, cell, reply};
use crate::error::ApiError;
use crate::server::AppState;

/// One period's value.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Point {
    /// The period.
    pub period: String,
    /// Its newest revision.
    pub revision: i64,
    /// Boundary version of the values.
    pub version: String,
    /// The value (`null` when not computable or missing).
    #[schema(value_type = Option<f64>)]
    pub value: Value,
}

/// A unit's series.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Series {
    /// Unit code.
    pub code: String,
    /// Indicator id.
    pub indicator: String,
    /// Points in period order.
    pub points: Vec<Point>,
}

/// `GET /api/v1/units/{code}/series`.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}/series",
    tag = "units",
    params(
        ("code" = String, Path, description = "Unit code", example = "00004"),
        ("indicator" = String, Query, description = "Indicator id (see /api/v1/indicators)", example = "population"),
        ("from" = Option<String>, Query, description = "First period (inclusive)"),
        ("to" = Option<String>, Query, description = "Last period (inclusive)"),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`; `Accept: text/csv` also selects CSV")
    ),
    responses(
        (status = 200, description = "OK", content((Series = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn series(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    code: Result<Path<String>, PathRejection>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = super::params::path(code)?;
    params.allow(&["indicator", "from", "to", "format"])?;
    let format = params.format(&headers)?;
    let indicator = params.required("indicator")?.to_string();
    let ids = select(&st.catalog, &caller, Some(std::slice::from_ref(&indicator)))?;
    let (from, to) = (params.period("from")?, params.period("to")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::BadRequest(format!("from={f} is after to={t}")));
    }
    let published = st.published.load_full();
    // The unit as it is in each version that has it (areas differ between versions).
    let mut areas: HashMap<String, f64> = HashMap::new();
    for v in &published.versions {
        if let Some(u) = st.api.units.get(&st.store, &v.id).await?.get(&code) {
            areas.insert(v.id.clone(), u.area_km2);
        }
    }
    if areas.is_empty() {
        return Err(ApiError::NotFound(format!(
            "no unit '{code}' in any boundary version"
        )));
    }
    let inputs: Vec<&str> = match st.catalog.derived(&indicator) {
        Some(d) => d
            .inputs()
            .filter(|i| *i != geodata::catalog::AREA)
            .collect(),
        None => vec![indicator.as_str()],
    };
    let mut by_snapshot: HashMap<i64, std::collections::BTreeMap<String, i64>> = HashMap::new();
    for v in st.store.unit_values(&code, &inputs).await? {
        by_snapshot
            .entry(v.snapshot_id)
            .or_default()
            .insert(v.indicator, v.value);
    }
    let mut points: Vec<Point> = Vec::new();
    for s in &published.snapshots {
        if from.is_some_and(|f| s.period < f) || to.is_some_and(|t| s.period > t) {
            continue;
        }
        let Some(&area) = areas.get(&s.version) else {
            continue;
        };
        let point = Point {
            period: s.period.to_string(),
            revision: s.revision,
            version: s.version.clone(),
            value: value_of(
                &st.catalog,
                &ids[0],
                by_snapshot.get(&s.id),
                area,
                s.period.month_count(),
            )
            .unwrap_or(Value::Null),
        };
        // Snapshots come by period then revision: a later revision replaces the earlier one.
        match points.last_mut() {
            Some(last) if last.period == point.period => *last = point,
            _ => points.push(point),
        }
    }
    let out = Series {
        code,
        indicator,
        points,
    };
    reply(&headers, &caller, format, &out, || {
        Some(Table {
            columns: [
                "code",
                "indicator",
                "period",
                "revision",
                "version",
                "value",
            ]
            .map(String::from)
            .to_vec(),
            rows: out
                .points
                .iter()
                .map(|p| {
                    vec![
                        Some(out.code.clone()),
                        Some(out.indicator.clone()),
                        Some(p.period.clone()),
                        Some(p.revision.to_string()),
                        Some(p.version.clone()),
                        cell(&p.value),
                    ]
                })
                .collect(),
        })
    })
}
