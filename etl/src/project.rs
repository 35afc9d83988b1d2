//! `popmap project`: cohort-component projections of every province from the newest (or a
//! given) published year with age × sex, published as projection periods (`2030-medium`, …)
//! in one transaction — a new revision of each on a rerun.
//!
//! The base is a year's end: a published year, its fourth quarter or its December (the demo's
//! years straddle the 2025 boundary reform, so its newest year-end is 2025-Q4). Inputs, by
//! province of the base's boundary version: the 34 age × sex stocks at the base; births (and
//! births by sex) and deaths of the year to the base; in − out migrants of that year and up to
//! two years before it. A year base takes its flows from the published years; a quarter or
//! month base sums the published months on the same version in each twelve months to its end,
//! annualised (× 12 / months found) when the version began within them. The
//! engine is [`geodata::project`]; the national row is the sum of the provinces, as for every
//! reported period. Each snapshot's report records the run (base, rates per province).

use std::collections::BTreeMap;

use geodata::{
    AgeSex, Assumptions, GROUPS, Level, NewSnapshot, Period, Published, Snapshot, Store,
    StoreError, ValueRow, ValueTable, Variant, group_codes,
};
use sha2::{Digest, Sha256};

/// Years of net migration averaged (the base year and the ones before it).
pub const MIGRATION_YEARS: i32 = 3;

/// What to project.
#[derive(Debug, Clone)]
pub struct ProjectOptions {
    /// The base year (a published year period with age × sex); `None`: the newest such year.
    pub from: Option<Period>,
    /// The last projected year.
    pub to: i32,
    /// The variants to publish.
    pub variants: Vec<Variant>,
}

/// Why no projection was published.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// `--from` is not a year's end.
    #[error(
        "--from {0}: a projection starts from a year's end: a published year (2025), its fourth quarter (2025-Q4) or its December (2025-12)"
    )]
    NotAYear(Period),
    /// No year with age × sex is published (or not the one asked for).
    #[error("{0}")]
    NoBase(String),
    /// `--to` is not after the base year.
    #[error("--to {to}: the last projected year must be after the base year {base}")]
    BadHorizon {
        /// The base year.
        base: i32,
        /// The asked last year.
        to: i32,
    },
    /// A province's inputs cannot be projected (the province and the rule named).
    #[error("province {code} of {period}: {source}")]
    Province {
        /// Unit code.
        code: String,
        /// Base period.
        period: Period,
        /// The engine's refusal.
        source: geodata::ProjectionError,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A province's fitted rates as the run's report shows them.
#[derive(Debug, serde::Serialize)]
struct ProvinceRun {
    name: String,
    rates: geodata::Rates,
}

/// Projects every province and publishes the results; returns the new snapshots.
pub async fn project(store: &Store, opts: &ProjectOptions) -> Result<Vec<Snapshot>, ProjectError> {
    let snapshots = store.snapshots().await?;
    let base = base_snapshot(store, &snapshots, opts.from).await?;
    let base_year = base.period.year_of();
    if opts.to <= base_year {
        return Err(ProjectError::BadHorizon {
            base: base_year,
            to: opts.to,
        });
    }
    let values = store.values(base.id).await?;
    let windows = year_windows(store, &snapshots, &base).await?;
    if windows.is_empty() {
        return Err(ProjectError::NoBase(format!(
            "{}: no flows (births, deaths, migrants) are published on {} in the year to it",
            base.period, base.version
        )));
    }
    let provinces: Vec<_> = store
        .units(&base.version)
        .await?
        .into_iter()
        .filter(|u| u.level == Level::Province)
        .collect();
    let a = Assumptions::standard();
    let years = (opts.to - base_year) as usize;
    let mut rows: BTreeMap<(usize, usize), Vec<ValueRow>> = BTreeMap::new();
    let mut run: BTreeMap<String, ProvinceRun> = BTreeMap::new();
    let mut hasher = Sha256::new();
    hasher.update(format!("{}@r{}", base.period, base.revision));
    hasher.update(geodata::ASSUMPTIONS_TOML);
    for u in &provinces {
        let Some(v) = values.get(&u.code) else {
            continue;
        };
        let Some(structure) = age_sex(v) else {
            continue;
        };
        let published = flows(&u.code, &windows);
        hasher.update(format!("{}:{structure:?}:{published:?}", u.code));
        let rates =
            geodata::fit(&structure, &published, &a).map_err(|source| ProjectError::Province {
                code: u.code.clone(),
                period: base.period,
                source,
            })?;
        for (vi, variant) in opts.variants.iter().enumerate() {
            let offset = |y| a.offset_in(variant.as_str(), y).unwrap_or(0.0);
            for (y, s) in geodata::project(&structure, &rates, offset, years, &a)
                .iter()
                .enumerate()
            {
                rows.entry((vi, y))
                    .or_default()
                    .extend(value_rows(&u.code, s));
            }
        }
        run.insert(
            u.code.clone(),
            ProvinceRun {
                name: u.name.clone(),
                rates,
            },
        );
    }
    if run.is_empty() {
        return Err(ProjectError::NoBase(format!(
            "{}: no province has the 34 age × sex groups; publish a year with age first",
            base.period
        )));
    }
    let checksum = format!("{:x}", hasher.finalize());
    let mut news = Vec::new();
    for (vi, variant) in opts.variants.iter().enumerate() {
        for y in 0..years {
            let year = base_year + 1 + y as i32;
            let period = Period::Projection {
                year,
                variant: *variant,
            };
            let report = serde_json::json!({
                "kind": "projection",
                "variant": variant.as_str(),
                "year": year,
                "base": format!("{}@r{}", base.period, base.revision),
                "flows": windows.iter().map(|w| w.label.clone()).collect::<Vec<_>>(),
                "national": "sum of the provinces",
                "assumptions": "/api/v1/projections/assumptions",
                "provinces": &run,
            });
            news.push(NewSnapshot {
                period,
                version: base.version.clone(),
                source: format!("projection:{}@r{}", base.period, base.revision),
                checksum: checksum.clone(),
                report_json: report.to_string(),
                complete: true,
                values: rows.remove(&(vi, y)).unwrap_or_default(),
            });
        }
    }
    Ok(store.publish_all(&news).await?)
}

/// Whether a period ends a year: a year, a fourth quarter or a December.
fn ends_a_year(p: Period) -> bool {
    matches!(
        p,
        Period::Year { .. } | Period::Quarter { quarter: 4, .. } | Period::Month { month: 12, .. }
    )
}

/// The base snapshot: the newest revision of `from`, or of the newest complete year's end
/// (year, then Q4, then December of the same year) whose values carry age × sex.
async fn base_snapshot(
    store: &Store,
    snapshots: &[Snapshot],
    from: Option<Period>,
) -> Result<Snapshot, ProjectError> {
    if let Some(p) = from {
        if !ends_a_year(p) {
            return Err(ProjectError::NotAYear(p));
        }
        return snapshots
            .iter()
            .filter(|s| s.period == p)
            .max_by_key(|s| s.revision)
            .cloned()
            .ok_or_else(|| {
                ProjectError::NoBase(format!("--from {p}: the period is not published"))
            });
    }
    let mut ends: Vec<&Snapshot> = snapshots
        .iter()
        .filter(|s| ends_a_year(s.period) && s.complete)
        .collect();
    ends.sort_by_key(|s| std::cmp::Reverse((s.period, s.revision)));
    let first_code = &group_codes("males")[0];
    for s in ends {
        let values = store.values(s.id).await?;
        if values.values().any(|v| v.contains_key(first_code)) {
            return Ok(s.clone());
        }
    }
    Err(ProjectError::NoBase(
        "no published year's end carries age × sex (males_0_4 …): publish one, then project".into(),
    ))
}

/// One year of published flows: its tables summed, times `scale` (12 / months found).
struct YearFlows {
    /// What was summed, e.g. `2025` or `2025-07…2025-12 × 2`.
    label: String,
    tables: Vec<ValueTable>,
    scale: f64,
}

impl YearFlows {
    /// The year's count of `indicator` at `code`, if any table has it.
    fn get(&self, code: &str, indicator: &str) -> Option<f64> {
        let mut found = None;
        for t in &self.tables {
            if let Some(v) = t.get(code).and_then(|u| u.get(indicator)) {
                found = Some(found.unwrap_or(0) + v);
            }
        }
        found.map(|n| n as f64 * self.scale)
    }
}

/// The base's year and up to two before it, newest first, on the base's version.
async fn year_windows(
    store: &Store,
    snapshots: &[Snapshot],
    base: &Snapshot,
) -> Result<Vec<YearFlows>, ProjectError> {
    let newest = |p: Period| {
        snapshots
            .iter()
            .filter(|s| s.period == p && s.version == base.version)
            .max_by_key(|s| s.revision)
    };
    let mut out = Vec::new();
    let mut last_month = Period::month_of(base.period.end());
    for k in 0..MIGRATION_YEARS {
        let mut window = YearFlows {
            label: String::new(),
            tables: Vec::new(),
            scale: 1.0,
        };
        if let Period::Year { year } = base.period {
            let year = year - k;
            if let Some(s) = Period::year(year).and_then(newest) {
                window.tables.push(store.values(s.id).await?);
                window.label = year.to_string();
            }
        } else {
            let mut found = Vec::new();
            let mut m = Some(last_month);
            for _ in 0..12 {
                let Some(month) = m else { break };
                if let Some(s) = newest(month) {
                    window.tables.push(store.values(s.id).await?);
                    found.push(month);
                }
                m = month.previous();
            }
            if let (Some(first), Some(last)) = (found.last(), found.first()) {
                window.scale = 12.0 / found.len() as f64;
                window.label = format!("{first}…{last} × 12/{}", found.len());
            }
        }
        if !window.tables.is_empty() {
            out.push(window);
        }
        last_month = match Period::year(last_month.year_of() - 1) {
            Some(_) => Period::Month {
                year: last_month.year_of() - 1,
                month: 12,
            },
            None => break,
        };
    }
    Ok(out)
}

/// A province's 34 groups, when all are there.
fn age_sex(v: &BTreeMap<String, i64>) -> Option<AgeSex> {
    let mut s = AgeSex::default();
    for (codes, out) in [
        (group_codes("males"), &mut s.males),
        (group_codes("females"), &mut s.females),
    ] {
        for (g, code) in codes.iter().enumerate() {
            out[g] = *v.get(code)?;
        }
    }
    Some(s)
}

/// A province's published flows: births and deaths of the year to the base, net migration of
/// each year found.
fn flows(code: &str, windows: &[YearFlows]) -> Published {
    let year = &windows[0];
    Published {
        births: year.get(code, "births").unwrap_or(0.0),
        births_by_sex: year
            .get(code, "births_male")
            .zip(year.get(code, "births_female")),
        deaths: year.get(code, "deaths").unwrap_or(0.0),
        net_migration: windows
            .iter()
            .filter_map(|w| Some(w.get(code, "in_migrants")? - w.get(code, "out_migrants")?))
            .collect(),
    }
}

/// A projected structure's stored rows: the 34 groups, males, females, population, women 15–49.
fn value_rows(code: &str, s: &AgeSex) -> Vec<ValueRow> {
    let row = |indicator: &str, value: i64| ValueRow {
        unit_code: code.to_string(),
        indicator: indicator.to_string(),
        value,
        reported: true,
    };
    let mut out = Vec::with_capacity(2 * GROUPS + 4);
    for (codes, groups) in [
        (group_codes("males"), &s.males),
        (group_codes("females"), &s.females),
    ] {
        out.extend(codes.iter().zip(groups).map(|(c, v)| row(c, *v)));
    }
    let males: i64 = s.males.iter().sum();
    let females: i64 = s.females.iter().sum();
    out.push(row("males", males));
    out.push(row("females", females));
    out.push(row("population", males + females));
    out.push(row("women_15_49", s.females[3..10].iter().sum()));
    out
}
