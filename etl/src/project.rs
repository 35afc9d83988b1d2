//! `popmap project`: cohort-component projections of every province from the newest (or a
//! given) published year with age × sex, published as projection periods (`2030-medium`, …)
//! in one transaction — a new revision of each on a rerun.
//!
//! Inputs, by province of the base year's boundary version: the 34 age × sex stocks at the
//! base year's end; births (and births by sex), deaths of the base year; in − out migrants of
//! the base year and up to two years before it that are published on the same version. The
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
    /// `--from` is not a year.
    #[error(
        "--from {0}: a projection starts from a published year (e.g. 2025), not a month or quarter"
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
    let mut net_by_year: Vec<(Period, ValueTable)> = Vec::new();
    for year in (base_year - MIGRATION_YEARS + 1)..=base_year {
        let newest = snapshots
            .iter()
            .filter(|s| s.period == Period::Year { year } && s.version == base.version)
            .max_by_key(|s| s.revision);
        if let Some(s) = newest {
            net_by_year.push((s.period, store.values(s.id).await?));
        }
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
        let published = flows(v, &u.code, &net_by_year);
        hasher.update(format!("{}:{structure:?}:{published:?}", u.code));
        let rates =
            geodata::fit(&structure, &published, &a).map_err(|source| ProjectError::Province {
                code: u.code.clone(),
                period: base.period,
                source,
            })?;
        for (vi, variant) in opts.variants.iter().enumerate() {
            let offset = a.offset(variant.as_str()).unwrap_or(0.0);
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
                "migration_years": net_by_year.iter().map(|(p, _)| p.to_string()).collect::<Vec<_>>(),
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

/// The base snapshot: the newest revision of `from`, or of the newest complete year whose
/// values carry age × sex.
async fn base_snapshot(
    store: &Store,
    snapshots: &[Snapshot],
    from: Option<Period>,
) -> Result<Snapshot, ProjectError> {
    if let Some(p) = from {
        if !matches!(p, Period::Year { .. }) {
            return Err(ProjectError::NotAYear(p));
        }
        return snapshots
            .iter()
            .filter(|s| s.period == p)
            .max_by_key(|s| s.revision)
            .cloned()
            .ok_or_else(|| ProjectError::NoBase(format!("--from {p}: the year is not published")));
    }
    let mut years: Vec<&Snapshot> = snapshots
        .iter()
        .filter(|s| matches!(s.period, Period::Year { .. }) && s.complete)
        .collect();
    years.sort_by_key(|s| std::cmp::Reverse((s.period, s.revision)));
    let first_code = &group_codes("males")[0];
    for s in years {
        let values = store.values(s.id).await?;
        if values.values().any(|v| v.contains_key(first_code)) {
            return Ok(s.clone());
        }
    }
    Err(ProjectError::NoBase(
        "no published year carries age × sex (males_0_4 …): publish one, then project".into(),
    ))
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

/// A province's published flows: the base year's births and deaths, net migration of each year.
fn flows(v: &BTreeMap<String, i64>, code: &str, net_by_year: &[(Period, ValueTable)]) -> Published {
    let get = |k: &str| v.get(k).copied();
    Published {
        births: get("births").unwrap_or(0) as f64,
        births_by_sex: get("births_male")
            .zip(get("births_female"))
            .map(|(m, f)| (m as f64, f as f64)),
        deaths: get("deaths").unwrap_or(0) as f64,
        net_migration: net_by_year
            .iter()
            .filter_map(|(_, t)| {
                let u = t.get(code)?;
                Some((u.get("in_migrants")? - u.get("out_migrants")?) as f64)
            })
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
