//! The classification of a map (`/api/v1/classes`): class thresholds of one indicator at one
//! level for a period (quantile, equal interval, exact Jenks or fixed breaks from
//! `styles/indicators.json`), with each class's range, count and colour, and the no-data count.
//! The same classification colours the served styles.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::{Level, Method, Snapshot, class_of, thresholds};
use serde::Serialize;

use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::json_response;
use crate::routes::mapdata::{
    PUBLIC_INDICATOR, level_for, level_values, public_indicator, snapshot_for, target_for,
};
use crate::routes::palette::StyleConfig;
use crate::state::AppState;

/// One class of a classification.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Class {
    /// Lower bound (the data minimum for the first class; none for the first fixed class).
    pub min: Option<f64>,
    /// Upper bound, exclusive (the data maximum, inclusive, for the last class; none for the
    /// last fixed class).
    pub max: Option<f64>,
    /// Units in the class.
    pub count: usize,
    /// Fill colour.
    pub color: String,
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
    /// The level.
    pub level: String,
    /// The method used: `quantile`, `equal_interval`, `jenks` or `fixed`.
    #[schema(value_type = String)]
    pub method: Method,
    /// Classes asked for (the answer may hold fewer when values tie).
    pub k: usize,
    /// The `step` thresholds: class i holds values in `[thresholds[i-1], thresholds[i])`.
    pub thresholds: Vec<f64>,
    /// The classes, lowest first.
    pub classes: Vec<Class>,
    /// Units without a value, and their fill.
    pub no_data: Class,
    /// The normal band, when the indicator has one (e.g. SRB 103–107).
    pub normal: Option<[f64; 2]>,
    /// Whether the values are synthetic demo data.
    pub synthetic: bool,
}

/// Classifies `values` (one per unit, `None` for no data) with the indicator's settings.
pub fn classify(
    cfg: &StyleConfig,
    indicator: &str,
    values: &[Option<f64>],
    method: Method,
    k: usize,
) -> (Vec<f64>, Vec<Class>, Class) {
    let style = cfg.indicator(indicator);
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let t = thresholds(method, &present, k, &style.fixed);
    let n = if present.is_empty() && method != Method::Fixed {
        0
    } else {
        t.len() + 1
    };
    let colours = cfg.colours(style, n, method == Method::Fixed);
    let mut counts = vec![0usize; n];
    for v in &present {
        counts[class_of(*v, &t)] += 1;
    }
    let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Fixed classes are open-ended at both ends ("< 94", "≥ 106"); the others run from the
    // data minimum to the data maximum.
    let open = method == Method::Fixed;
    let classes = (0..n)
        .map(|i| Class {
            min: if i > 0 {
                Some(t[i - 1])
            } else {
                (!open && lo.is_finite()).then_some(lo)
            },
            max: if i + 1 < n {
                Some(t[i])
            } else {
                (!open && hi.is_finite()).then_some(hi)
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
    (t, classes, no_data)
}

/// The classification methods `method` allows (`fixed` last: only where configured).
const METHODS: [&str; 4] = ["quantile", "equal_interval", "jenks", "fixed"];

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
            .filter(|k| (2..=9).contains(k))
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

/// The classification of `indicator` on `level` of `snap` (harmonised onto `target` if set).
pub async fn classification(
    st: &AppState,
    snap: &Snapshot,
    target: Option<&str>,
    level: Level,
    indicator: &str,
    method: Method,
    k: usize,
) -> Result<Classification, ApiError> {
    let lv = level_values(st, snap, target, level, &[indicator.to_string()]).await?;
    let cfg = StyleConfig::builtin();
    let (thresholds, classes, no_data) = classify(cfg, indicator, &lv.columns[0], method, k);
    Ok(Classification {
        indicator: indicator.to_string(),
        period: snap.period.to_string(),
        revision: snap.revision,
        version: target.unwrap_or(&snap.version).to_string(),
        level: level.as_str().to_string(),
        method,
        k,
        thresholds,
        classes,
        no_data,
        normal: cfg.indicator(indicator).normal,
        synthetic: st.config.synthetic,
    })
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
    /// `latest` (default), a period (`2025-06`, `2025-Q3`, `2025`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// country, region, province, district or commune (default province)
    pub level: Option<String>,
    /// quantile, equal_interval, jenks or fixed (default: the indicator's)
    pub method: Option<String>,
    /// Number of classes, 2 to 9 (default: the indicator's)
    pub k: Option<i64>,
    /// Classify the period on this boundary version, harmonised through the crosswalk (default: the period's own)
    pub version: Option<String>,
}

/// `GET /api/v1/classes?indicator=&period=&level=&method=&k=`.
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
    q: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    q.allow_for::<ClassesQuery>()?;
    let indicator = q.get("indicator").ok_or_else(|| {
        ApiError::bad_request("indicator", PUBLIC_INDICATOR, "indicator= is required")
    })?;
    public_indicator(&st.catalog, indicator, "indicator")?;
    let (method, k) = method_and_k(
        StyleConfig::builtin(),
        indicator,
        q.get("method"),
        q.get("k"),
    )?;
    let (pref, snap) = snapshot_for(&st, q.get("period"))?;
    let target = target_for(&st, &snap, q.get("version"))?;
    let level = level_for(&st, &snap, target.as_deref(), q.get("level"))?;
    let c = classification(&st, &snap, target.as_deref(), level, indicator, method, k).await?;
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
        let (t, classes, nd) = classify(cfg, "density", &v, Method::Quantile, 4);
        assert_eq!(t.len(), 3);
        assert_eq!(classes.len(), 4);
        assert_eq!(nd.count, 3);
        let total: usize = classes.iter().map(|c| c.count).sum();
        assert_eq!(total + nd.count, 20);
        assert_eq!(classes[0].min, Some(0.0));
        assert_eq!(classes[3].max, Some(361.0));
        assert_eq!(classes[0].color, cfg.palettes["YlOrRd"]["4"][0]);
        // Fixed SRB classes keep the configured thresholds and colours, even for empty classes.
        let (t, classes, _) = classify(cfg, "srb", &[Some(112.0)], Method::Fixed, 5);
        assert_eq!(t, vec![100.0, 103.0, 107.0, 110.0, 115.0]);
        assert_eq!(
            classes.iter().map(|c| c.count).collect::<Vec<_>>(),
            [0, 0, 0, 0, 1, 0]
        );
        assert_eq!(classes[2].color, "#f7f7f7");
        assert_eq!((classes[0].min, classes[0].max), (None, Some(100.0)));
        assert_eq!((classes[5].min, classes[5].max), (Some(115.0), None));
    }

    #[test]
    fn methods_and_k_are_checked() {
        let cfg = StyleConfig::builtin();
        assert_eq!(
            method_and_k(cfg, "density", None, None).unwrap(),
            (Method::Jenks, 6)
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
