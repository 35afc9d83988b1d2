//! The Strategy's targets no published count measures but the projection's fit estimates
//! (geodata [`geodata::Modelled`]: the total fertility rate, life expectancy at birth), for
//! `/api/v1/targets/{id}`, and the run of a projection period as
//! `/api/v1/projections/assumptions?period=` serves it (each province's fitted rates and the
//! life expectancy they imply).
//!
//! A province's value is its fitted rate in the run of the target year's medium projection: the
//! TFR from the base year's births on the fertility schedule, the life expectancy of the Brass
//! level fitted to the base year's deaths. The country's is the provinces' weighted by their
//! women 15–49 (TFR) or births (life expectancy) of the run's base period: the national run is
//! the sum of the provinces, so there is no national fit to read.
//!
//! These are model estimates, never judged on or off track (status `not_judged`): the fit is
//! exact to the published counts and gives no interval, so an honest 95 % interval for a
//! fitted TFR or life expectancy cannot be stated — the error of the assumed schedules
//! (fertility by age, the standard life tables) is unknown, not a sampling error.

use std::collections::BTreeMap;

use geodata::{Modelled, Period, Snapshot, Status, Target, TargetMethod, Variant};
use serde::Deserialize;
use serde_json::Value;

use super::{Standing, TargetInfo, TargetReport, round, word};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::state::published::{PeriodRef, Published};

/// A run as `popmap project` stores it in its snapshots' report (the parts read here).
#[derive(Debug, Deserialize)]
struct StoredRun {
    /// The base period's revision, e.g. `2025-Q4@r1`.
    base: String,
    /// Each province's name and fitted rates.
    provinces: BTreeMap<String, StoredProvince>,
}

#[derive(Debug, Deserialize)]
struct StoredProvince {
    rates: geodata::Rates,
}

/// The run of projection snapshot `id` as stored, with `life_expectancy` ({male, female, both},
/// geodata [`geodata::life_expectancy`]) added beside each province's `rates`; `Null` when the
/// stored report is not JSON.
pub async fn run_json(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let report = st.store.report(id).await?.unwrap_or_default();
    let mut run: Value = serde_json::from_str(&report).unwrap_or(Value::Null);
    let a = geodata::Assumptions::standard();
    if let Some(provinces) = run.get_mut("provinces").and_then(Value::as_object_mut) {
        for p in provinces.values_mut() {
            let rates = p
                .get("rates")
                .and_then(|r| geodata::Rates::deserialize(r).ok());
            if let (Some(rates), Some(obj)) = (rates, p.as_object_mut()) {
                let e = geodata::life_expectancy(&rates, &a);
                obj.insert("life_expectancy".into(), serde_json::json!(e));
            }
        }
    }
    Ok(run)
}

/// The report of a modelled target at `level` (`province` or `country`) on the newest boundary
/// version: every unit `not_judged`, method `modelled`, its value the run's estimate (`no_data`
/// without a medium projection of the target's year on that version).
pub async fn report(
    st: &AppState,
    published: &Published,
    target: &Target,
    kind: Modelled,
    info: TargetInfo,
    level: geodata::Level,
) -> Result<TargetReport, ApiError> {
    let latest = published
        .resolve(&PeriodRef::Latest)
        .ok_or_else(|| ApiError::NotFound("nothing is published yet".into()))?;
    let version = latest.version.clone();
    let wanted = Period::Projection {
        year: target.year,
        variant: Variant::Medium,
    };
    let snap = published
        .resolve(&PeriodRef::Newest(wanted))
        .filter(|s| s.version == version);
    let run = match snap {
        Some(s) => Some(stored_run(st, s).await?),
        None => None,
    };
    let base = run
        .as_ref()
        .and_then(|r| r.base.parse::<PeriodRef>().ok())
        .and_then(|r| published.resolve(&r));
    let a = geodata::Assumptions::standard();
    let value_of = |r: &geodata::Rates| round(modelled_value(kind, r, &a));
    let units = st.api.units.get(&st.store, &version).await?;
    let values: Vec<(String, String, Option<f64>)> = if level == geodata::Level::Country {
        let national = match (&run, base) {
            (Some(run), Some(base)) => national(st, run, base, kind, &a).await?,
            _ => None,
        };
        vec![(
            geodata::NATIONAL_CODE.into(),
            geodata::NATIONAL_NAME.into(),
            national.map(round),
        )]
    } else {
        units
            .list
            .iter()
            .filter(|u| u.level == level)
            .map(|u| {
                let v = run
                    .as_ref()
                    .and_then(|r| r.provinces.get(&u.code))
                    .map(|p| value_of(&p.rates));
                (u.code.clone(), u.name.clone(), v)
            })
            .collect()
    };
    let mut counts = BTreeMap::new();
    let items: Vec<Standing> = values
        .into_iter()
        .map(|(code, name, value)| {
            let status = word(&if value.is_some() {
                Status::NotJudged
            } else {
                Status::NoData
            });
            *counts.entry(status.clone()).or_insert(0) += 1;
            Standing {
                code,
                name,
                value,
                low: None,
                high: None,
                meets_now: None,
                estimate: None,
                method: value.map(|_| word(&TargetMethod::Modelled)),
                status,
                trend_per_year: None,
                trend_se: None,
                trend_points: 0,
            }
        })
        .collect();
    let base_period = base.map(|b| b.period.to_string());
    Ok(TargetReport {
        target: info,
        level: level.to_string(),
        version,
        now_from: base_period.clone(),
        now_to: base_period,
        trend_periods: vec![],
        projection: snap.map(|s| s.period.to_string()),
        counts,
        items,
    })
}

/// A run's stored report, parsed (500 only if `popmap project` wrote something else).
async fn stored_run(st: &AppState, s: &Snapshot) -> Result<StoredRun, ApiError> {
    let report = st.store.report(s.id).await?.unwrap_or_default();
    serde_json::from_str(&report).map_err(|e| {
        ApiError::Internal(format!(
            "the run of projection {} is not readable: {e}",
            s.period
        ))
    })
}

/// What a modelled target reads from a province's fitted rates.
fn modelled_value(kind: Modelled, r: &geodata::Rates, a: &geodata::Assumptions) -> f64 {
    match kind {
        Modelled::Tfr => r.tfr,
        Modelled::LifeExpectancy => geodata::life_expectancy(r, a).both,
    }
}

/// The country's value: the provinces' weighted by their women 15–49 (TFR) or births (life
/// expectancy) in the run's base period; `None` without weights.
async fn national(
    st: &AppState,
    run: &StoredRun,
    base: &Snapshot,
    kind: Modelled,
    a: &geodata::Assumptions,
) -> Result<Option<f64>, ApiError> {
    let weight = match kind {
        Modelled::Tfr => "women_15_49",
        Modelled::LifeExpectancy => "births",
    };
    let values = st.tiles.values(&st.store, base.id).await?;
    let (mut sum, mut total) = (0.0, 0.0);
    for (code, p) in &run.provinces {
        let Some(w) = values.get(code).and_then(|row| row.get(weight)) else {
            continue;
        };
        sum += *w as f64 * modelled_value(kind, &p.rates, a);
        total += *w as f64;
    }
    Ok((total > 0.0).then(|| sum / total))
}
