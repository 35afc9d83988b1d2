//! The classification of a map (`/api/v1/classes`): class thresholds of one indicator at one
//! level (quantile, equal interval, exact Jenks or fixed breaks from `styles/indicators.json`),
//! with each class's range, this period's count and colour, and the no-data count. The same
//! classification colours the served styles.
//!
//! By default (`breaks=timeline`) the thresholds are the TIMELINE breaks of the indicator ×
//! level × granularity: computed over the values of every published period of the period's
//! granularity, across boundary versions (each version weighing the same), once per published
//! generation ([`crate::state::breaks`]), so every period of a timeline shares one legend.
//! A period shown on another boundary version (`version=`) uses the same breaks: they are
//! pooled from each period on its own version, which is what the harmonised values estimate.
//! `breaks=period` classifies this period's values only. Either way thresholds are rounded to
//! human numbers, empty and single-value classes are merged, and the default number of classes
//! is raised (up to 9) until no class holds more than 40 % of the units; `notes` says so.

use std::future::Future;
use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::{
    BreakNote, Granularity, Level, Method, PeriodValues, Snapshot, class_of, readable_breaks,
};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::json_response;
use crate::routes::mapdata::{
    PUBLIC_INDICATOR, columns_of, level_for, level_values, public_indicator, snapshot_for,
    target_for,
};
use crate::routes::palette::StyleConfig;
use crate::state::AppState;
use crate::state::breaks::{BreaksKey, Maker, Timeline};
use crate::state::budget::MAX_BUILDS;
use crate::state::columns::Column;
use crate::state::published::Published;

/// One class of a classification.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Class {
    /// Lower bound (the pooled minimum for the first class; none for the first fixed class).
    pub min: Option<f64>,
    /// Upper bound, exclusive (the pooled maximum, inclusive, for the last class; none for the
    /// last fixed class).
    pub max: Option<f64>,
    /// Units in the class in this period.
    pub count: usize,
    /// Fill colour.
    pub color: String,
}

/// A remark on how the classes were made, in both UI languages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Note {
    /// `merged` (empty or single-value classes merged), `more_classes` (k raised so no class
    /// holds more than 40 %), `crowded` (no readable choice exists) or `h3_resolution`.
    pub code: String,
    /// Vietnamese.
    pub vi: String,
    /// English.
    pub en: String,
}

impl From<BreakNote> for Note {
    fn from(n: BreakNote) -> Note {
        Note {
            code: n.code,
            vi: n.vi,
            en: n.en,
        }
    }
}

/// A classification of one indicator × period × level.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Classification {
    /// The indicator.
    pub indicator: String,
    /// The period.
    pub period: String,
    /// Its revision.
    pub revision: i64,
    /// The boundary version.
    pub version: String,
    /// The level (`h3` for H3 cells).
    pub level: String,
    /// The method used: `quantile`, `equal_interval`, `jenks` or `fixed`.
    #[schema(value_type = String)]
    pub method: Method,
    /// Classes used (the default may be raised for readability; merged classes make fewer).
    pub k: usize,
    /// `timeline` (one set of breaks for every period of the granularity) or `period`.
    pub breaks: String,
    /// The periods whose values the breaks were computed from, oldest first.
    pub periods: Vec<String>,
    /// The `step` thresholds: class i holds values in `[thresholds[i-1], thresholds[i])`.
    pub thresholds: Vec<f64>,
    /// The classes, lowest first.
    pub classes: Vec<Class>,
    /// Units without a value, and their fill.
    pub no_data: Class,
    /// The normal band, when the indicator has one (e.g. SRB 103–107).
    pub normal: Option<[f64; 2]>,
    /// Remarks for the legend (classes merged, classes added), `{code, vi, en}`.
    pub notes: Vec<Note>,
    /// Whether the values are synthetic demo data.
    pub synthetic: bool,
}

/// Which values the breaks come from (`breaks=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreaksMode {
    /// Every published period of the granularity (the default).
    Timeline,
    /// This period only.
    Period,
}

impl BreaksMode {
    /// The query token.
    pub fn as_str(self) -> &'static str {
        match self {
            BreaksMode::Timeline => "timeline",
            BreaksMode::Period => "period",
        }
    }
}

/// How a classification was asked for: method, classes, breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The method.
    pub method: Method,
    /// Classes asked for.
    pub k: usize,
    /// Whether k may be raised for readability (`k=` was not given).
    pub raise: bool,
    /// Timeline or period breaks.
    pub breaks: BreaksMode,
}

/// `method=`, `k=` and `breaks=` of a query against the indicator's defaults (400 when bad).
pub fn choice(cfg: &StyleConfig, indicator: &str, q: &Params) -> Result<Choice, ApiError> {
    let (method, k) = method_and_k(cfg, indicator, q.get("method"), q.get("k"))?;
    let breaks = match q.get("breaks").map(String::as_str) {
        None | Some("timeline") => BreaksMode::Timeline,
        Some("period") => BreaksMode::Period,
        Some(b) => {
            return Err(ApiError::bad_request(
                "breaks",
                ["timeline", "period"],
                format!("breaks='{b}': use timeline or period"),
            ));
        }
    };
    Ok(Choice {
        method,
        k,
        raise: q.get("k").is_none(),
        breaks,
    })
}

/// The classes of `values` (one per unit, `None` for no data) under `thresholds`, with the
/// indicator's colours; `range` gives the open ends of non-fixed classes.
pub fn classes_of(
    cfg: &StyleConfig,
    indicator: &str,
    values: &[Option<f64>],
    thresholds: &[f64],
    range: Option<(f64, f64)>,
    method: Method,
) -> (Vec<Class>, Class) {
    let style = cfg.indicator(indicator);
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let fixed = method == Method::Fixed;
    let n = if range.is_none() && !fixed {
        0
    } else {
        thresholds.len() + 1
    };
    let colours = cfg.colours(style, n, fixed);
    let mut counts = vec![0usize; n];
    for v in &present {
        counts[class_of(*v, thresholds)] += 1;
    }
    // Fixed classes are open-ended at both ends ("< 94", "≥ 106"); the others run from the
    // pooled minimum to the pooled maximum.
    let ends = if fixed { None } else { range };
    let classes = (0..n)
        .map(|i| Class {
            min: if i > 0 {
                Some(thresholds[i - 1])
            } else {
                ends.map(|e| e.0)
            },
            max: if i + 1 < n {
                Some(thresholds[i])
            } else {
                ends.map(|e| e.1)
            },
            count: counts[i],
            color: colours[i].clone(),
        })
        .collect();
    let no_data = Class {
        min: None,
        max: None,
        count: values.len() - present.len(),
        color: cfg.no_data.clone(),
    };
    (classes, no_data)
}

/// Classifies `values` alone (one period's breaks) with the indicator's settings: thresholds,
/// classes, no-data class and notes.
pub fn classify(
    cfg: &StyleConfig,
    indicator: &str,
    values: &[Option<f64>],
    choice: Choice,
) -> (Vec<f64>, Vec<Class>, Class, Vec<Note>) {
    let one = [PeriodValues {
        period: String::new(),
        version: String::new(),
        values: values.iter().flatten().copied().collect(),
    }];
    let fixed = &cfg.indicator(indicator).fixed;
    let b = readable_breaks(choice.method, &one, choice.k, choice.raise, fixed);
    let (classes, no_data) = classes_of(
        cfg,
        indicator,
        values,
        &b.thresholds,
        b.range,
        choice.method,
    );
    let notes = b.notes.into_iter().map(Note::from).collect();
    (b.thresholds, classes, no_data, notes)
}

/// The classification methods `method` allows (`fixed` last: only where configured).
pub const METHODS: [&str; 4] = ["quantile", "equal_interval", "jenks", "fixed"];

/// The class counts `k` allows, lowest and highest (`/api/v1/map/indicators` `k_range`).
pub const K_RANGE: [usize; 2] = [2, 9];

/// Parses `method` and `k` queries against the indicator's defaults; 400 when out of range.
pub fn method_and_k(
    cfg: &StyleConfig,
    indicator: &str,
    method: Option<&String>,
    k: Option<&String>,
) -> Result<(Method, usize), ApiError> {
    let style = cfg.indicator(indicator);
    let method = match method {
        Some(m) => m
            .parse()
            .map_err(|e| ApiError::bad_request("method", METHODS, e))?,
        None => style.method,
    };
    if method == Method::Fixed && style.fixed.is_empty() {
        return Err(ApiError::bad_request(
            "method",
            &METHODS[..3],
            format!("indicator '{indicator}' has no fixed breaks configured"),
        ));
    }
    let k = match k {
        Some(k) => k
            .parse::<usize>()
            .ok()
            .filter(|k| (K_RANGE[0]..=K_RANGE[1]).contains(k))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "k",
                    "an integer from 2 to 9",
                    format!("k='{k}' must be 2..9"),
                )
            })?,
        None => style.k,
    };
    Ok((method, k))
}

/// The timeline breaks of `indicator` on `level` for the granularity of `snap`, from the cache
/// or computed now: `load` gives one published snapshot's column (`None` leaves it out of the
/// pool, e.g. a boundary version without the level). The cache remembers how to make them, so
/// a reload remakes them before its new state is served ([`crate::state::breaks`]).
pub async fn timeline<F, Fut>(
    st: &AppState,
    snap: &Snapshot,
    level: &str,
    indicator: &str,
    choice: Choice,
    load: F,
) -> Result<Arc<Timeline>, ApiError>
where
    F: Fn(AppState, Arc<Published>, Snapshot) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Column, ApiError>> + Send + 'static,
{
    let published = st.published.load_full();
    let granularity = snap.period.granularity();
    let key = BreaksKey {
        indicator: indicator.to_string(),
        level: level.to_string(),
        granularity,
        method: choice.method,
        k: choice.k,
        raise: choice.raise,
    };
    let fixed = Arc::new(StyleConfig::builtin().indicator(indicator).fixed.clone());
    let load = Arc::new(load);
    let maker: Maker<AppState> = Arc::new(move |st, published| {
        let (load, fixed) = (load.clone(), fixed.clone());
        Box::pin(async move { pool(st, published, granularity, choice, &fixed, load).await })
    });
    st.breaks.get(st, &published, key, maker).await
}

/// Pools the newest revision of every period of `granularity` in `published` (each loaded by
/// `load`) into timeline breaks.
async fn pool<F, Fut>(
    st: AppState,
    published: Arc<Published>,
    granularity: Granularity,
    choice: Choice,
    fixed: &[f64],
    load: Arc<F>,
) -> Result<Timeline, ApiError>
where
    F: Fn(AppState, Arc<Published>, Snapshot) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Column, ApiError>> + Send + 'static,
{
    let mut newest: Vec<&Snapshot> = Vec::new();
    for s in published
        .snapshots
        .iter()
        .filter(|s| s.period.granularity() == granularity)
    {
        match newest.last_mut() {
            Some(last) if last.period == s.period => {
                if s.revision > last.revision {
                    *last = s;
                }
            }
            _ => newest.push(s),
        }
    }
    // The periods load a few at a time (a cold demo month is ~0.25 s, mostly the store):
    // each holds its whole table (or H3 grid) until its column is taken, so all at once held
    // every period of the timeline (memory budget, issue 18).
    let mut jobs = tokio::task::JoinSet::new();
    let mut loaded: Vec<(usize, Arc<[f64]>)> = Vec::new();
    let mut pending = newest.iter().enumerate();
    loop {
        while jobs.len() < MAX_BUILDS {
            let Some((i, s)) = pending.next() else { break };
            let job = load(st.clone(), published.clone(), (*s).clone());
            jobs.spawn(async move { (i, job.await) });
        }
        let Some(done) = jobs.join_next().await else {
            break;
        };
        let (i, values) = done.map_err(|e| ApiError::Internal(format!("timeline values: {e}")))?;
        if let Some(v) = values? {
            loaded.push((i, v));
        }
    }
    loaded.sort_by_key(|(i, _)| *i);
    let periods: Vec<PeriodValues> = loaded
        .into_iter()
        .map(|(i, values)| PeriodValues {
            period: newest[i].period.to_string(),
            version: newest[i].version.clone(),
            values: values.to_vec(),
        })
        .collect();
    let names = periods.iter().map(|p| p.period.clone()).collect();
    let fixed = fixed.to_vec();
    let breaks = tokio::task::spawn_blocking(move || {
        readable_breaks(choice.method, &periods, choice.k, choice.raise, &fixed)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("timeline breaks: {e}")))?;
    Ok(Timeline {
        breaks,
        periods: names,
    })
}

/// The values of `indicator` on `level` of `snap` on its own version (`None` when the version
/// has no such administrative level), for pooling: a timeline column, cached across
/// generations, read from the snapshot's table without keeping the table.
async fn own_values(
    st: AppState,
    published: Arc<Published>,
    snap: Snapshot,
    level: Level,
    indicator: String,
) -> Result<Column, ApiError> {
    let admin = matches!(level, Level::Province | Level::District | Level::Commune);
    let has = published
        .version(&snap.version)
        .is_some_and(|v| v.levels.contains(&level));
    if admin && !has {
        return Ok(None);
    }
    let key = (snap.id, level.as_str().to_string(), indicator.clone());
    let columns = st.columns.clone();
    columns
        .get(key, async move {
            let src = st.tiles.source(&st.store, &snap.version).await?;
            let table = st.tiles.values_once(&st.store, snap.id).await?;
            let lv = columns_of(&st, &src, &snap, level, &[indicator], &table, None);
            Ok(Some(lv.columns[0].iter().flatten().copied().collect()))
        })
        .await
}

/// The classification of `values` (this period's, one per unit) of `snap` under `choice`:
/// timeline breaks from `timeline` when given and not empty, else this period's own.
#[allow(clippy::too_many_arguments)]
pub fn assemble(
    st: &AppState,
    snap: &Snapshot,
    version: &str,
    level: &str,
    indicator: &str,
    choice: Choice,
    values: &[Option<f64>],
    timeline: Option<&Timeline>,
) -> Classification {
    let cfg = StyleConfig::builtin();
    let own;
    let (t, breaks) = match timeline.filter(|t| !t.periods.is_empty()) {
        Some(t) => (t, BreaksMode::Timeline),
        None => {
            let one = [PeriodValues {
                period: snap.period.to_string(),
                version: version.to_string(),
                values: values.iter().flatten().copied().collect(),
            }];
            let fixed = &cfg.indicator(indicator).fixed;
            own = Timeline {
                breaks: readable_breaks(choice.method, &one, choice.k, choice.raise, fixed),
                periods: vec![snap.period.to_string()],
            };
            (&own, BreaksMode::Period)
        }
    };
    let b = &t.breaks;
    let (classes, no_data) = classes_of(
        cfg,
        indicator,
        values,
        &b.thresholds,
        b.range,
        choice.method,
    );
    Classification {
        indicator: indicator.to_string(),
        period: snap.period.to_string(),
        revision: snap.revision,
        version: version.to_string(),
        level: level.to_string(),
        method: choice.method,
        k: if choice.method == Method::Fixed {
            classes.len()
        } else {
            b.k
        },
        breaks: breaks.as_str().to_string(),
        periods: t.periods.clone(),
        thresholds: b.thresholds.clone(),
        classes,
        no_data,
        normal: cfg.indicator(indicator).normal,
        notes: b.notes.iter().cloned().map(Note::from).collect(),
        synthetic: st.config.synthetic,
    }
}

/// The classification of `indicator` on `level` of `snap` (harmonised onto `target` if set).
pub async fn classification(
    st: &AppState,
    snap: &Snapshot,
    target: Option<&str>,
    level: Level,
    indicator: &str,
    choice: Choice,
) -> Result<Classification, ApiError> {
    let lv = level_values(st, snap, target, level, &[indicator.to_string()]).await?;
    let tl = match choice.breaks {
        BreaksMode::Period => None,
        BreaksMode::Timeline => Some({
            let id = indicator.to_string();
            timeline(
                st,
                snap,
                level.as_str(),
                indicator,
                choice,
                move |st, p, s| own_values(st, p, s, level, id.clone()),
            )
            .await?
        }),
    };
    let version = target.unwrap_or(&snap.version);
    Ok(assemble(
        st,
        snap,
        version,
        level.as_str(),
        indicator,
        choice,
        &lv.columns[0],
        tl.as_deref(),
    ))
}

/// The query of `GET /api/v1/classes`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct ClassesQuery {
    /// A public indicator id (see /api/v1/map/indicators)
    #[param(example = "density")]
    pub indicator: String,
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// country, region, province, district, commune or h3 (H3 cells; default province)
    pub level: Option<String>,
    /// quantile, equal_interval, jenks or fixed (default: the indicator's)
    pub method: Option<String>,
    /// Number of classes, 2 to 9 (default: the indicator's, raised up to 9 when a class would hold more than 40 % of the units)
    pub k: Option<i64>,
    /// `timeline` (default: one set of breaks over every published period of the period's granularity) or `period` (this period's values only)
    pub breaks: Option<String>,
    /// Classify the period on this boundary version, harmonised through the crosswalk (default: the period's own)
    pub version: Option<String>,
}

/// `GET /api/v1/classes?indicator=&period=&level=&method=&k=&breaks=&version=`.
#[utoipa::path(
    get,
    path = "/api/v1/classes",
    tag = "map",
    params(ClassesQuery),
    responses(
        (status = 200, description = "OK", body = Classification, content_type = "application/json"),
        crate::routes::api::openapi::ErrorResponses,
    )
)]
pub async fn classes(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    q.allow_for::<ClassesQuery>()?;
    let indicator = q.get("indicator").ok_or_else(|| {
        ApiError::bad_request("indicator", PUBLIC_INDICATOR, "indicator= is required")
    })?;
    public_indicator(&st.catalog, indicator, "indicator", &caller)?;
    let choice = choice(StyleConfig::builtin(), indicator, &q)?;
    let (pref, snap) = snapshot_for(&st, q.get("period"))?;
    let target = target_for(&st, &snap, q.get("version"))?;
    let c = if q.get("level").is_some_and(|l| l == "h3") {
        if target.is_some() {
            return Err(ApiError::bad_request(
                "version",
                "nothing: H3 cells have no boundary version",
                "H3 cells have no boundary version: drop version=",
            ));
        }
        crate::routes::h3::classification(&st, &snap, indicator, choice).await?
    } else {
        let level = level_for(&st, &snap, target.as_deref(), q.get("level"))?;
        classification(&st, &snap, target.as_deref(), level, indicator, choice).await?
    };
    Ok(json_response(
        &headers,
        serde_json::to_vec(&c).expect("JSON of plain values"),
        pref.is_immutable(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_counts_every_unit_once_and_colours_by_palette() {
        let cfg = StyleConfig::builtin();
        let v: Vec<Option<f64>> = (0..20)
            .map(|i| (i % 7 != 3).then_some(f64::from(i * i)))
            .collect();
        let ask = |method, k| Choice {
            method,
            k,
            raise: false,
            breaks: BreaksMode::Period,
        };
        let (t, classes, nd, notes) = classify(cfg, "density", &v, ask(Method::Quantile, 4));
        assert_eq!(t.len(), 3);
        assert_eq!(classes.len(), 4);
        assert_eq!(nd.count, 3);
        assert!(notes.is_empty(), "{notes:?}");
        let total: usize = classes.iter().map(|c| c.count).sum();
        assert_eq!(total + nd.count, 20);
        assert_eq!(classes[0].min, Some(0.0));
        assert_eq!(classes[3].max, Some(361.0));
        assert_eq!(classes[0].color, cfg.palettes["YlOrRd"]["4"][0]);
        // Thresholds are round numbers.
        assert!(t.iter().all(|x| x % 5.0 == 0.0), "{t:?}");
        // Fixed SRB classes keep the configured thresholds and colours, even for empty classes.
        let (t, classes, _, _) = classify(cfg, "srb", &[Some(112.0)], ask(Method::Fixed, 5));
        assert_eq!(t, vec![100.0, 103.0, 107.0, 110.0, 115.0]);
        assert_eq!(
            classes.iter().map(|c| c.count).collect::<Vec<_>>(),
            [0, 0, 0, 0, 1, 0]
        );
        assert_eq!(classes[2].color, "#f7f7f7");
        assert_eq!((classes[0].min, classes[0].max), (None, Some(100.0)));
        assert_eq!((classes[5].min, classes[5].max), (Some(115.0), None));
        // A single-value top class is merged, and the note says so.
        let v = [Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(9.0)];
        let (t, _, _, notes) = classify(cfg, "population", &v, ask(Method::Quantile, 5));
        assert!(t.len() < 4, "{t:?}");
        assert_eq!(notes[0].code, "merged");
    }

    #[test]
    fn methods_and_k_are_checked() {
        let cfg = StyleConfig::builtin();
        assert_eq!(
            method_and_k(cfg, "density", None, None).unwrap(),
            (Method::Quantile, 5)
        );
        let bad = |m: Option<&str>, k: Option<&str>| {
            method_and_k(
                cfg,
                "population",
                m.map(String::from).as_ref(),
                k.map(String::from).as_ref(),
            )
            .unwrap_err()
            .to_string()
        };
        assert!(bad(Some("fixed"), None).contains("no fixed breaks"));
        assert!(bad(None, Some("12")).contains("k='12'"));
        assert!(bad(Some("x"), None).contains("unknown method 'x'"));
    }
}
