//! `/api/v1/units/{code}/series?indicator=&from=&to=&view=&version=&granularity=&period=`: one
//! indicator of one unit across periods of one length (each period's newest revision) in one of
//! three views ([`super::view`]), derived ratios recomputed per period from the view's counts.
//!
//! `granularity=` picks the length (`month`, `quarter`, `year`; `all` interleaves them); by
//! default the length of `period=` (the period the caller shows), else month. Each point says
//! whether its boundary version differs from the previous point's (`boundary_change`: as
//! reported, the unit behind a code may differ across a reorganisation), and the answer lists
//! those periods (`boundary_changes`). Code `VN` is the national row, summed from the provinces.

use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::{Granularity, Snapshot};
use serde::Serialize;
use serde_json::Value;

use super::indicators::{select, value_of};
use super::units::version_param;
use super::view::{self, Footprint, View};
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::{Table, cell, reply};
use crate::state::AppState;
use crate::state::access::Caller;
use crate::state::published::{PeriodRef, granularity_name, parse_granularity};

/// One period's value.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Point {
    /// The period.
    pub period: String,
    /// The period's first day (YYYY-MM-DD): a chart puts points on a time axis and sees a gap
    /// where a point's start is after the day following the previous point's end.
    pub start: String,
    /// The period's last day (YYYY-MM-DD): where a stock is measured and a chart places the
    /// point (a month's, a quarter's, a year's or a projected year's end).
    pub end: String,
    /// Its newest revision.
    pub revision: i64,
    /// Boundary version the value is expressed on (the period's own one when as reported).
    pub version: String,
    /// The value (`null` when not computable, missing or suppressed).
    #[schema(value_type = Option<f64>)]
    pub value: Value,
    /// Whether the value rests on an estimate: a split commune (harmonised) or the H3 grid.
    pub estimated: bool,
    /// Whether the H3 footprint had too few people to show more than its total.
    pub suppressed: bool,
    /// Whether this point's boundary version differs from the previous point's: as reported,
    /// the unit behind the code may have changed (false for the first point).
    pub boundary_change: bool,
}

/// A unit's series.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Series {
    /// Unit code.
    pub code: String,
    /// Indicator id.
    pub indicator: String,
    /// `as-reported`, `harmonised` or `h3`.
    pub view: String,
    /// The version every point is expressed on (`harmonised`, `h3`); absent as reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The cells of the `h3` view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footprint: Option<Footprint>,
    /// `month`, `quarter`, `year` or `all` (the lengths of the points).
    pub granularity: String,
    /// Points in period order.
    pub points: Vec<Point>,
    /// The periods of the points with `boundary_change`, in order.
    pub boundary_changes: Vec<String>,
}

/// The query of `GET /api/v1/units/{code}/series`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct SeriesQuery {
    /// Indicator id (see /api/v1/indicators)
    #[param(example = "population")]
    pub indicator: String,
    /// First period (inclusive)
    pub from: Option<String>,
    /// Last period (inclusive)
    pub to: Option<String>,
    /// `as-reported` (default: each period on its own boundary version), `harmonised` (every period on one version through the crosswalk; split communes flagged `estimated`) or `h3` (the H3 cells whose centre lies in the unit, filled each period by its own operator)
    pub view: Option<String>,
    /// Target boundary version of the `harmonised` and `h3` views (default: the newest period's)
    pub version: Option<String>,
    /// `month`, `quarter`, `year` (points of that length only) or `all` (interleaved); default: the length of the period `period=` names, else `month`
    pub granularity: Option<String>,
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// `GET /api/v1/units/{code}/series`.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}/series",
    tag = "units",
    params(
        ("code" = String, Path, description = "Unit code", example = "00004"),
        SeriesQuery
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
    let code = crate::http::query::path(code)?;
    params.allow_for::<SeriesQuery>()?;
    let format = params.format(&headers)?;
    let indicator = params.required("indicator")?.to_string();
    let ids = select(&st.catalog, &caller, Some(std::slice::from_ref(&indicator)))?;
    let (from, to) = (params.period("from")?, params.period("to")?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::bad_request(
            "from",
            "a period not after to",
            format!("from={f} is after to={t}"),
        ));
    }
    let only = granularity(&params)?;
    let view: View = params.str("view").unwrap_or("as-reported").parse()?;
    let published = st.published.load_full();
    let target = match view {
        View::AsReported if params.str("version").is_some() => {
            return Err(ApiError::bad_request(
                "version",
                "only with view=harmonised or view=h3",
                "version= chooses the target of view=harmonised or view=h3; as reported, each period keeps its own version",
            ));
        }
        View::AsReported => None,
        View::Harmonised | View::H3 => Some(version_param(&published, &params)?),
    };
    let inputs: Vec<&str> = match st.catalog.derived(&indicator) {
        Some(d) => d.inputs().filter(|i| *i != geodata::AREA).collect(),
        None => vec![indicator.as_str()],
    };
    let snaps = newest_revisions(&published.snapshots, from, to, only);
    let national = code == geodata::NATIONAL_CODE;
    let (counts, footprint) = match (view, target.as_deref()) {
        (View::H3, _) if national => {
            return Err(ApiError::bad_request(
                "view",
                ["as-reported", "harmonised"],
                "view=h3: the national row has no H3 footprint; use as-reported or harmonised",
            ));
        }
        _ if national => (
            view::national(&st, target.as_deref(), &snaps, &inputs).await?,
            None,
        ),
        (View::Harmonised, Some(t)) => (
            view::harmonised(&st, &code, t, &snaps, &inputs).await?,
            None,
        ),
        (View::H3, Some(t)) => {
            let (c, f) = view::h3(&st, &code, t, &snaps, &inputs).await?;
            (c, Some(f))
        }
        _ => (view::as_reported(&st, &code, &snaps, &inputs).await?, None),
    };
    let points = points(&st.catalog, &ids[0], &snaps, &counts);
    let out = Series {
        code,
        indicator,
        view: view.name().to_owned(),
        target,
        footprint,
        granularity: only.map_or("all", granularity_name).to_owned(),
        boundary_changes: points
            .iter()
            .filter(|p| p.boundary_change)
            .map(|p| p.period.clone())
            .collect(),
        points,
    };
    reply(&headers, &caller, format, &out, || Some(table(&out)))
}

/// The `granularity=` of a series (`None`: `all`); by default the length of `period=`, else
/// month. 400 for an unknown value or a malformed `period=`.
fn granularity(params: &Params) -> Result<Option<Granularity>, ApiError> {
    if let Some(g) = params.str("granularity") {
        return parse_granularity(g, "granularity", true);
    }
    let shown = match params.str("period") {
        None => None,
        Some(text) => match text.parse::<PeriodRef>() {
            Ok(PeriodRef::Latest) => None,
            Ok(PeriodRef::Newest(p) | PeriodRef::Revision(p, _)) => Some(p.granularity()),
            Err(e) => {
                return Err(ApiError::bad_request(
                    "period",
                    "a period: 2025-06, 2025-Q3, 2025, latest or a revision like 2025-06@r2",
                    format!("period: {e}"),
                ));
            }
        },
    };
    Ok(Some(shown.unwrap_or(Granularity::Month)))
}

/// Each period's newest revision within `from`..=`to` of length `only` (`None`: any reported
/// length; projections only when `only` names one), in period order (`snapshots` come by
/// period, then revision).
fn newest_revisions(
    snapshots: &[Snapshot],
    from: Option<geodata::Period>,
    to: Option<geodata::Period>,
    only: Option<Granularity>,
) -> Vec<&Snapshot> {
    let mut snaps: Vec<&Snapshot> = Vec::new();
    for s in snapshots {
        if from.is_some_and(|f| s.period < f)
            || to.is_some_and(|t| s.period > t)
            || only.is_some_and(|g| s.period.granularity() != g)
            || (only.is_none() && s.period.is_projection())
        {
            continue;
        }
        match snaps.last_mut() {
            Some(last) if last.period == s.period => *last = s,
            _ => snaps.push(s),
        }
    }
    snaps
}

/// The points of `indicator` from each snapshot's counts, in order; a point whose boundary
/// version differs from the previous point's says `boundary_change`.
fn points(
    catalog: &geodata::Catalog,
    indicator: &str,
    snaps: &[&Snapshot],
    counts: &std::collections::HashMap<i64, geodata::Counts>,
) -> Vec<Point> {
    let mut previous: Option<&str> = None;
    snaps
        .iter()
        .filter_map(|s| {
            let c = counts.get(&s.id)?;
            let boundary_change = previous.is_some_and(|v| v != c.version);
            previous = Some(&c.version);
            let months = s.period.month_count();
            Some(Point {
                boundary_change,
                period: s.period.to_string(),
                start: s.period.start().to_string(),
                end: s.period.end().to_string(),
                revision: s.revision,
                version: c.version.clone(),
                value: value_of(catalog, indicator, Some(&c.counts), c.area_km2, months)
                    .unwrap_or(Value::Null),
                estimated: c.estimated,
                suppressed: c.suppressed,
            })
        })
        .collect()
}

/// The CSV of a series: one row per point (the period's dates last, after the columns the CSV
/// had before them).
fn table(out: &Series) -> Table {
    Table {
        columns: [
            "code",
            "indicator",
            "period",
            "revision",
            "version",
            "value",
            "estimated",
            "suppressed",
            "boundary_change",
            "start",
            "end",
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
                    Some(p.estimated.to_string()),
                    Some(p.suppressed.to_string()),
                    Some(p.boundary_change.to_string()),
                    Some(p.start.clone()),
                    Some(p.end.clone()),
                ]
            })
            .collect(),
    }
}
