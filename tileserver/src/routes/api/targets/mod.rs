//! `/api/v1/targets`: the population Strategy's targets (geodata `targets.toml`), and
//! `/api/v1/targets/{id}?level=province|country`: each unit of the newest boundary version
//! against one target — its value now, the value's 95 % interval where it comes from a chance
//! process (SRB), where it is heading by the target year (a published projection for that
//! year, else a clear trend through its quarters, else the value now) and its status.
//!
//! "Now" is the newest twelve months for an indicator that reads flows (the four newest
//! quarters of the version, combined as any period is: flows summed, stocks at the end), and the
//! newest quarter that has the counts for one that reads stocks only (age shares exist only
//! where age was reported). The trend runs through every quarter of the version.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::{Catalog, Period, Snapshot, Target, ValueTable};
use serde::Serialize;

use super::indicators::select;
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::{ResponseCache, Table, prepare};
use crate::state::AppState;
use crate::state::access::Caller;
use crate::state::published::{PeriodRef, Published};

mod judge;
pub mod modelled;

use judge::Judge;

/// A target as the API tells it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetInfo {
    /// Identifier.
    pub id: String,
    /// The catalog indicator measuring it; `null` when no published count measures it.
    pub indicator: Option<String>,
    /// `below`, `at_least` or `about`.
    pub comparison: String,
    /// The target value, in the indicator's unit.
    pub value: f64,
    /// For `about`: the distance that still meets it (popmap's reading of "khoảng").
    pub tolerance: Option<f64>,
    /// The year it is due.
    pub year: i32,
    /// `national` or `province`.
    pub scope: String,
    /// In words (Vietnamese).
    pub text_vi: String,
    /// In words (English).
    pub text_en: String,
    /// Whether a published count measures it.
    pub measured: bool,
    /// For a target no count measures: what the projection's fit estimates for it (`tfr`,
    /// `life_expectancy`); `/api/v1/targets/{id}` gives the estimates with method `modelled`,
    /// status `not_judged`.
    pub modelled: Option<String>,
    /// Why not, when not (Vietnamese).
    pub unmeasured_vi: Option<String>,
    /// Why not, when not (English).
    pub unmeasured_en: Option<String>,
    /// The levels `/api/v1/targets/{id}` answers for (a national total only for the country).
    pub levels: Vec<String>,
    /// Whether values carry a 95 % interval (ratios of births by sex).
    pub interval: bool,
}

/// `GET /api/v1/targets`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetList {
    /// The source of the national targets (Vietnamese).
    pub source_vi: String,
    /// The same in English.
    pub source_en: String,
    /// The targets, in the file's order.
    pub targets: Vec<TargetInfo>,
}

/// One unit against a target.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Standing {
    /// Unit code (`VN` for the country).
    pub code: String,
    /// Name.
    pub name: String,
    /// The value now (`null`: not computable).
    pub value: Option<f64>,
    /// Lower end of the value's 95 % interval.
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
    /// Whether the value now meets the target.
    pub meets_now: Option<bool>,
    /// The estimate for the target year.
    pub estimate: Option<f64>,
    /// `projection`, `trend`, `latest` (the value now, held) or `modelled` (a modelled target:
    /// `value` is the projection's fitted estimate for the base period).
    pub method: Option<String>,
    /// `on_track`, `off_track`, `uncertain` (the interval now straddles the target), `no_data`,
    /// or `not_judged` (a modelled value: the fit gives no interval to judge it by).
    pub status: String,
    /// The trend's change per year, if fitted.
    pub trend_per_year: Option<f64>,
    /// Its standard error (`null`: exact counts).
    pub trend_se: Option<f64>,
    /// Quarters the trend ran through.
    pub trend_points: usize,
}

/// `GET /api/v1/targets/{id}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetReport {
    /// The target.
    pub target: TargetInfo,
    /// Level of the units.
    pub level: String,
    /// The boundary version of the units (the newest published).
    pub version: String,
    /// First period of "now" (a quarter).
    pub now_from: Option<String>,
    /// Last period of "now".
    pub now_to: Option<String>,
    /// Quarters of the trend, oldest first.
    pub trend_periods: Vec<String>,
    /// The projection read for the target year (its period), if one is published.
    pub projection: Option<String>,
    /// How many units have each status.
    pub counts: BTreeMap<String, usize>,
    /// The units, by code.
    pub items: Vec<Standing>,
}

/// The query of `GET /api/v1/targets/{id}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct TargetQuery {
    /// `province` (default for ratios) or `country` (the only level of a national total)
    pub level: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// The query of `GET /api/v1/targets`: none.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "no parameters: declared so unknown ones are refused"
)]
pub struct NoQuery {}

/// `GET /api/v1/targets`.
#[utoipa::path(
    get,
    path = "/api/v1/targets",
    tag = "catalog",
    params(NoQuery),
    responses(
        (status = 200, description = "OK", body = TargetList),
        super::openapi::ErrorResponses,
    )
)]
pub async fn list(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<NoQuery>()?;
    let targets = st.targets()?;
    let out = TargetList {
        source_vi: targets.source_vi.clone(),
        source_en: targets.source_en.clone(),
        targets: targets
            .targets
            .iter()
            .map(|t| info(&st.catalog, t))
            .collect(),
    };
    let answer = prepare(crate::http::query::Format::Json, &out, || None)?;
    Ok(answer.send(&headers, &caller))
}

/// `GET /api/v1/targets/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/targets/{id}",
    tag = "tables",
    params(("id" = String, Path, description = "Target id, e.g. `srb_2030`"), TargetQuery),
    responses(
        (status = 200, description = "OK", content((TargetReport = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn detail(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<TargetQuery>()?;
    let format = params.format(&headers)?;
    let targets = st.targets()?;
    let target = targets
        .get(&id)
        .ok_or_else(|| ApiError::NotFound(format!("no target '{id}' (see /api/v1/targets)")))?;
    // A modelled target (no count measures it) reads the projection's fit; any other target
    // without an indicator is not judged at all.
    let modelled = target.modelled.filter(|_| target.indicator.is_none());
    match (&target.indicator, modelled) {
        (Some(indicator), _) => {
            select(&st.catalog, &caller, Some(std::slice::from_ref(indicator)))?;
        }
        (None, Some(_)) => {}
        (None, None) => {
            return Err(ApiError::NotFound(format!(
                "target '{id}' is not judged by popmap: {}",
                target.unmeasured_en.as_deref().unwrap_or_default()
            )));
        }
    }
    let info = info(&st.catalog, target);
    let level = choose_level(&params, &info)?;
    let published = st.published.load_full();
    let key = ResponseCache::key(
        "targets",
        published.generation as i64,
        &caller,
        &params,
        &format!("{id}|{format:?}"),
    );
    if let Some(hit) = st.api.responses.get(&key).await {
        return Ok(hit.send(&headers, &caller));
    }
    let report = match modelled {
        Some(kind) => modelled::report(&st, &published, target, kind, info, level).await?,
        None => build_report(&st, &published, target, info, level).await?,
    };
    let answer = prepare(format, &report, || Some(csv_table(&report)))?;
    Ok(st
        .api
        .responses
        .put(key, answer)
        .await
        .send(&headers, &caller))
}

fn choose_level(params: &Params, info: &TargetInfo) -> Result<geodata::Level, ApiError> {
    let default = if info.levels.iter().any(|l| l == "province") {
        geodata::Level::Province
    } else {
        geodata::Level::Country
    };
    let level = params.level("level")?.unwrap_or(default);
    if info.levels.iter().any(|l| *l == level.to_string()) {
        return Ok(level);
    }
    Err(ApiError::bad_request(
        "level",
        info.levels.clone(),
        format!(
            "target '{}' is judged at level {} only{}",
            info.id,
            info.levels.join(" or "),
            if info.levels.len() == 1 {
                ": it is a national total, not a ratio a province can be compared by"
            } else {
                ""
            }
        ),
    ))
}

fn info(catalog: &Catalog, t: &Target) -> TargetInfo {
    let count = t
        .indicator
        .as_deref()
        .is_some_and(|i| catalog.base(i).is_some());
    let levels = match (&t.indicator, count) {
        (None, _) if t.modelled.is_some() => vec!["country".to_string(), "province".to_string()],
        (None, _) => vec![],
        (Some(_), true) => vec!["country".to_string()],
        (Some(_), false) => vec!["country".to_string(), "province".to_string()],
    };
    TargetInfo {
        id: t.id.clone(),
        indicator: t.indicator.clone(),
        comparison: word(&t.comparison),
        value: t.value,
        tolerance: t.tolerance,
        year: t.year,
        scope: word(&t.scope),
        text_vi: t.text_vi.clone(),
        text_en: t.text_en.clone(),
        measured: t.indicator.is_some(),
        modelled: t.modelled.map(|m| word(&m)),
        unmeasured_vi: t.unmeasured_vi.clone(),
        unmeasured_en: t.unmeasured_en.clone(),
        levels,
        interval: t.interval.is_some(),
    }
}

/// The newest revision of every complete quarter on `version`, oldest first.
fn quarters_of<'a>(published: &'a Published, version: &str) -> Vec<&'a Snapshot> {
    let mut by_period: BTreeMap<Period, &Snapshot> = BTreeMap::new();
    for s in &published.snapshots {
        let quarter = matches!(s.period, Period::Quarter { .. });
        if quarter && s.complete && s.version == version {
            let keep = by_period
                .get(&s.period)
                .is_none_or(|o| o.revision < s.revision);
            if keep {
                by_period.insert(s.period, s);
            }
        }
    }
    by_period.into_values().collect()
}

async fn build_report(
    st: &AppState,
    published: &Published,
    target: &Target,
    info: TargetInfo,
    level: geodata::Level,
) -> Result<TargetReport, ApiError> {
    let latest = published
        .resolve(&PeriodRef::Latest)
        .ok_or_else(|| ApiError::NotFound("nothing is published yet".into()))?;
    let version = latest.version.clone();
    let units = st.api.units.get(&st.store, &version).await?;
    let quarters = quarters_of(published, &version);
    let mut rows: Vec<ValueTable> = Vec::with_capacity(quarters.len());
    for q in &quarters {
        let values = st.tiles.values(&st.store, q.id).await?;
        rows.push(level_rows(&units.list, &values, level));
    }
    let projection = projection_rows(st, published, target, &version, &units.list, level).await?;
    let names: Vec<(String, String)> = if level == geodata::Level::Country {
        vec![(geodata::NATIONAL_CODE.into(), geodata::NATIONAL_NAME.into())]
    } else {
        units
            .list
            .iter()
            .filter(|u| u.level == level)
            .map(|u| (u.code.clone(), u.name.clone()))
            .collect()
    };
    let areas: BTreeMap<&str, f64> = units
        .list
        .iter()
        .map(|u| (u.code.as_str(), u.area_km2))
        .collect();
    let judge = Judge {
        catalog: &st.catalog,
        target,
        quarters: &quarters,
        rows: &rows,
    };
    let mut counts = BTreeMap::new();
    let mut items = Vec::with_capacity(names.len());
    for (code, name) in names {
        let area = areas.get(code.as_str()).copied().unwrap_or(0.0);
        let proj = projection
            .as_ref()
            .and_then(|(_, p)| judge.value(p.get(&code), area, 12));
        let s = judge.standing(&code, name, area, proj);
        *counts.entry(s.status.clone()).or_insert(0) += 1;
        items.push(s);
    }
    let span = judge.now_span();
    Ok(TargetReport {
        target: info,
        level: level.to_string(),
        version,
        now_from: span.map(|(a, _)| a.to_string()),
        now_to: span.map(|(_, b)| b.to_string()),
        trend_periods: quarters.iter().map(|q| q.period.to_string()).collect(),
        projection: projection.map(|(p, _)| p),
        counts,
        items,
    })
}

/// The rows of `level` in one period's values: each province's, or the national sum.
fn level_rows(
    units: &[geodata::UnitInfo],
    values: &ValueTable,
    level: geodata::Level,
) -> ValueTable {
    if level == geodata::Level::Country {
        let n = geodata::national(units, values);
        return ValueTable::from([(geodata::NATIONAL_CODE.to_string(), n.counts)]);
    }
    units
        .iter()
        .filter(|u| u.level == level)
        .filter_map(|u| values.get(&u.code).map(|v| (u.code.clone(), v.clone())))
        .collect()
}

/// The medium projection for the target's year, when one is published on `version`.
async fn projection_rows(
    st: &AppState,
    published: &Published,
    target: &Target,
    version: &str,
    units: &[geodata::UnitInfo],
    level: geodata::Level,
) -> Result<Option<(String, ValueTable)>, ApiError> {
    let wanted = Period::Projection {
        year: target.year,
        variant: geodata::Variant::Medium,
    };
    let Some(snap) = published
        .resolve(&PeriodRef::Newest(wanted))
        .filter(|s| s.version == version)
    else {
        return Ok(None);
    };
    let values = st.tiles.values(&st.store, snap.id).await?;
    Ok(Some((
        wanted.to_string(),
        level_rows(units, &values, level),
    )))
}

/// The serde name of a unit enum (a status, a method, a comparison): its word in the API.
pub(crate) fn word(v: &impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// Two decimals: estimates and intervals, without float noise.
pub(super) fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn csv_table(r: &TargetReport) -> Table {
    let num = |v: Option<f64>| v.map(|v| v.to_string());
    Table {
        columns: [
            "code",
            "name",
            "value",
            "low",
            "high",
            "meets_now",
            "estimate",
            "method",
            "status",
            "trend_per_year",
            "trend_se",
            "trend_points",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .items
            .iter()
            .map(|s| {
                vec![
                    Some(s.code.clone()),
                    Some(s.name.clone()),
                    num(s.value),
                    num(s.low),
                    num(s.high),
                    s.meets_now.map(|b| b.to_string()),
                    num(s.estimate),
                    s.method.clone(),
                    Some(s.status.clone()),
                    num(s.trend_per_year),
                    num(s.trend_se),
                    Some(s.trend_points.to_string()),
                ]
            })
            .collect(),
    }
}
