//! Change maps (`GET /api/v1/map/change`): the change of one indicator between a base period
//! and a period of the same granularity, per unit of one level, as an absolute difference
//! (percentage points for indicators measured in %) or a relative change in %, with symmetric
//! classes around zero ([`geodata::diverging`]: a neutral band `[−n, n)` with a stated `n`)
//! coloured by a diverging palette that follows the sign (per indicator in
//! `styles/indicators.json`; by default rises red, falls blue).
//!
//! A base period on another boundary version is harmonised onto the period's version (or
//! `version=`) through the stored crosswalk, as the web map did client-side; units whose value
//! at either end rests on a split estimate are `estimated`, and units whose value at either end
//! is flagged by the catalog's small-number rule are `unstable`.

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::{Level, Snapshot, class_of, diverging, feature_id};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::json_response;
use crate::routes::classes::{Class, Note};
use crate::routes::mapdata::{
    PUBLIC_INDICATOR, level_for, level_values, public_indicator, snapshot_for, target_for,
};
use crate::routes::palette::StyleConfig;
use crate::state::AppState;

/// Classes on each side of the neutral one.
const SIDE: usize = 3;

/// The answer of `/api/v1/map/change`: parallel columns (index `i` is unit `codes[i]`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MapChange {
    /// The indicator.
    pub indicator: String,
    /// The period (the later end).
    pub period: String,
    /// The base period (the earlier end, or any other period of the same granularity).
    pub base: String,
    /// The boundary version the units belong to.
    pub version: String,
    /// The level.
    pub level: String,
    /// `abs` (difference; percentage points for % indicators) or `pct` (relative change, %).
    pub measure: String,
    /// Unit of the change, Vietnamese (`điểm %`, `%`, or the indicator's unit).
    pub unit: String,
    /// Unit of the change, English (`pp`, `%`, or the indicator's unit).
    pub unit_en: String,
    /// The base's boundary version when it was harmonised onto `version`, else null.
    pub harmonised_from: Option<String>,
    /// Unit codes, in code order.
    pub codes: Vec<String>,
    /// Feature ids in the boundary tiles.
    pub ids: Vec<Option<u64>>,
    /// The change (null where either end has no value, or `pct` of a base of 0).
    pub values: Vec<Option<f64>>,
    /// The base values.
    pub from: Vec<Option<f64>>,
    /// The period's values.
    pub to: Vec<Option<f64>>,
    /// Whether either end's value is flagged unstable (the catalog's min_* rule).
    pub unstable: Vec<bool>,
    /// Whether either end's value rests on a split estimate (harmonised).
    pub estimated: Vec<bool>,
    /// The `step` thresholds, symmetric around 0.
    pub thresholds: Vec<f64>,
    /// The classes, largest fall first; counts are units of this map.
    pub classes: Vec<Class>,
    /// The neutral band `[−n, n)`.
    pub neutral: [f64; 2],
    /// Units without a change value, and their fill.
    pub no_data: Class,
    /// Remarks for the legend, `{code, vi, en}`.
    pub notes: Vec<Note>,
    /// Whether the values are synthetic demo data.
    pub synthetic: bool,
}

/// The query of `GET /api/v1/map/change`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct ChangeQuery {
    /// A public indicator id (see /api/v1/map/indicators)
    #[param(example = "density")]
    pub indicator: String,
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// The period compared with, of the same granularity (required)
    #[param(example = "2024-06")]
    pub base: String,
    /// province, district or commune (default province)
    pub level: Option<String>,
    /// Show both ends on this boundary version (default: the period's own)
    pub version: Option<String>,
    /// `abs` (default; percentage points for % indicators) or `pct` (relative change in %)
    pub measure: Option<String>,
}

/// One end of a change: values, unstable and estimated flags of `level` on `shown`.
struct End {
    codes: Vec<String>,
    values: Vec<Option<f64>>,
    unstable: Vec<bool>,
    estimated: Vec<bool>,
}

async fn end(
    st: &AppState,
    snap: &Snapshot,
    shown: &str,
    level: Level,
    indicator: &str,
) -> Result<End, ApiError> {
    let target = (snap.version != shown).then_some(shown);
    let lv = level_values(st, snap, target, level, &[indicator.to_string()]).await?;
    // The catalog's small-number rule, as on the map: mapdata::unstable_of per unit.
    let unstable = lv.unstable.into_iter().next().unwrap_or_default();
    Ok(End {
        codes: lv.units.iter().map(|u| u.code.clone()).collect(),
        values: lv.columns.into_iter().next().unwrap_or_default(),
        unstable,
        estimated: lv.estimated,
    })
}

/// The change from `from` to `to` by `measure`, rounded to `decimals`.
pub fn change(from: Option<f64>, to: Option<f64>, pct: bool, decimals: u32) -> Option<f64> {
    let (a, b) = (from?, to?);
    let v = if pct {
        if a == 0.0 {
            return None;
        }
        (b - a) / a.abs() * 100.0
    } else {
        b - a
    };
    let f = 10f64.powi(decimals as i32);
    Some((v * f).round() / f)
}

/// `GET /api/v1/map/change?indicator=&period=&base=&level=&version=&measure=abs|pct`.
#[utoipa::path(
    get,
    path = "/api/v1/map/change",
    tag = "map",
    params(ChangeQuery),
    responses(
        (status = 200, description = "OK", body = MapChange, content_type = "application/json"),
        crate::routes::api::openapi::ErrorResponses,
    )
)]
pub async fn map_change(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    q.allow_for::<ChangeQuery>()?;
    let indicator = q.get("indicator").ok_or_else(|| {
        ApiError::bad_request("indicator", PUBLIC_INDICATOR, "indicator= is required")
    })?;
    public_indicator(&st.catalog, indicator, "indicator", &caller)?;
    let pct = match q.get("measure").map(String::as_str) {
        None | Some("abs") => false,
        Some("pct") => true,
        Some(m) => {
            return Err(ApiError::bad_request(
                "measure",
                ["abs", "pct"],
                format!("measure='{m}': use abs or pct"),
            ));
        }
    };
    let base_text = q.get("base").ok_or_else(|| {
        ApiError::bad_request("base", "a period, e.g. 2024-06", "base= is required")
    })?;
    let (pref, snap) = snapshot_for(&st, q.get("period"))?;
    let (bref, base) = st
        .published
        .load()
        .snapshot(Some(base_text), Some("base"))?;
    crate::state::published::same_granularity(snap.period, base.period)?;
    let target = target_for(&st, &snap, q.get("version"))?;
    let level = level_for(&st, &snap, target.as_deref(), q.get("level"))?;
    let shown = target.clone().unwrap_or_else(|| snap.version.clone());
    let to = end(&st, &snap, &shown, level, indicator).await?;
    let from = end(&st, &base, &shown, level, indicator).await?;
    let body = assemble(&st, indicator, &snap, &base, &shown, level, pct, to, from);
    Ok(json_response(
        &headers,
        serde_json::to_vec(&body).expect("JSON of plain values"),
        pref.is_immutable() && bref.is_immutable(),
    ))
}

/// The answer from both ends (aligned by code: both are units of `shown`).
#[allow(clippy::too_many_arguments)]
fn assemble(
    st: &AppState,
    indicator: &str,
    snap: &Snapshot,
    base: &Snapshot,
    shown: &str,
    level: Level,
    pct: bool,
    to: End,
    from: End,
) -> MapChange {
    let index: std::collections::HashMap<&str, usize> = from
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let at = |c: &str| index.get(c).copied();
    let from_values: Vec<Option<f64>> = to
        .codes
        .iter()
        .map(|c| at(c).and_then(|i| from.values[i]))
        .collect();
    let d = st.catalog.derived(indicator);
    let (unit, unit_en) = d
        .map(|d| (d.unit.clone(), d.unit_en.clone()))
        .or_else(|| {
            st.catalog
                .base(indicator)
                .map(|b| (b.unit.clone(), b.unit_en.clone()))
        })
        .unwrap_or_default();
    let decimals = if pct { 2 } else { d.map_or(0, |d| d.decimals) };
    let values: Vec<Option<f64>> = from_values
        .iter()
        .zip(&to.values)
        .map(|(a, b)| change(*a, *b, pct, decimals))
        .collect();
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let div = diverging(&present, SIDE);
    let cfg = StyleConfig::builtin();
    let n = if present.is_empty() {
        0
    } else {
        div.thresholds.len() + 1
    };
    let colours = cfg.change_colours(cfg.indicator(indicator), n);
    let mut counts = vec![0usize; n];
    for v in &present {
        counts[class_of(*v, &div.thresholds)] += 1;
    }
    let classes: Vec<Class> = (0..n)
        .map(|i| Class {
            min: (i > 0).then(|| div.thresholds[i - 1]),
            max: (i + 1 < n).then(|| div.thresholds[i]),
            count: counts[i],
            color: colours[i].clone(),
        })
        .collect();
    let (unit, unit_en) = match (pct, unit.as_str()) {
        (true, _) => ("%".to_string(), "%".to_string()),
        (false, "%") => ("điểm %".to_string(), "pp".to_string()),
        (false, _) => (unit, unit_en),
    };
    let nn = div.neutral;
    let mut notes = vec![Note {
        code: "neutral".into(),
        vi: format!(
            "Thay đổi trong khoảng ±{} {unit} được coi là không đáng kể (lớp giữa).",
            vi_number(nn)
        ),
        en: format!("Changes within ±{nn} {unit_en} count as no change (the middle class)."),
    }];
    if counts
        .iter()
        .any(|c| *c as f64 > geodata::MAX_SHARE * present.len() as f64)
    {
        notes.push(Note {
            code: "crowded".into(),
            vi: "Một lớp chiếm hơn 40% số đơn vị: các thay đổi rất giống nhau.".into(),
            en: "One class holds more than 40% of the units: the changes are much alike.".into(),
        });
    }
    let moved = base.version != shown;
    MapChange {
        indicator: indicator.to_string(),
        period: snap.period.to_string(),
        base: base.period.to_string(),
        version: shown.to_string(),
        level: level.as_str().to_string(),
        measure: if pct { "pct" } else { "abs" }.to_string(),
        unit,
        unit_en,
        harmonised_from: moved.then(|| base.version.clone()),
        ids: to.codes.iter().map(|c| feature_id(level, c)).collect(),
        unstable: (0..to.codes.len())
            .map(|i| to.unstable[i] || at(&to.codes[i]).is_some_and(|j| from.unstable[j]))
            .collect(),
        estimated: (0..to.codes.len())
            .map(|i| to.estimated[i] || at(&to.codes[i]).is_some_and(|j| from.estimated[j]))
            .collect(),
        codes: to.codes,
        from: from_values,
        to: to.values,
        no_data: Class {
            min: None,
            max: None,
            count: values.len() - present.len(),
            color: cfg.no_data.clone(),
        },
        values,
        thresholds: div.thresholds,
        classes,
        neutral: [-nn, nn],
        notes,
        synthetic: st.config.synthetic,
    }
}

/// `x` written the Vietnamese way for the notes' text: decimal comma, dots between thousands
/// ("2,5", "1.400"), as the web map's i18n `num` writes the legend rows the note sits under.
fn vi_number(x: f64) -> String {
    let text = format!("{}", (x * 1e6).round() / 1e6);
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_by_measure() {
        assert_eq!(change(Some(100.0), Some(103.0), false, 0), Some(3.0));
        assert_eq!(change(Some(200.0), Some(190.0), true, 2), Some(-5.0));
        assert_eq!(change(Some(0.0), Some(5.0), true, 2), None);
        assert_eq!(change(None, Some(5.0), false, 0), None);
        assert_eq!(change(Some(-4.0), Some(-2.0), true, 2), Some(50.0));
    }

    #[test]
    fn change_palette_follows_the_sign() {
        let cfg = StyleConfig::builtin();
        let c = cfg.change_colours(cfg.indicator("density"), 7);
        // Rises red (RdBu's first colour), falls blue, no change in the neutral colour.
        assert_eq!(c[6], cfg.palettes["RdBu"]["7"][0]);
        assert_eq!(c[0], cfg.palettes["RdBu"]["7"][6]);
        assert_eq!(c[3], "#f7f7f7");
    }
    #[test]
    fn notes_write_numbers_the_vietnamese_way() {
        assert_eq!(super::vi_number(2.5), "2,5");
        assert_eq!(super::vi_number(0.1), "0,1");
        assert_eq!(super::vi_number(1400.0), "1.400");
        assert_eq!(super::vi_number(-12345.25), "-12.345,25");
    }
}
