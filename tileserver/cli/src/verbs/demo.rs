//! `popmap demo`: prepare the demo database from the real inputs, then serve it.
//!
//! Resumable and idempotent: a boundary version already imported or a period already published
//! is left as it is, so a second `make demo` goes straight to serving and an interrupted one
//! picks up where it stopped.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use geodata::{Catalog, Period, Store};

use crate::args::DemoArgs;

/// Months of the demo dataset.
const FIRST: Period = Period::Month {
    year: 2024,
    month: 1,
};
const LAST: Period = Period::Month {
    year: 2026,
    month: 9,
};

/// Prepares the demo database at `db` (creating its folder), then serves it unless
/// `--no-serve`.
pub async fn run(db: &str, catalog: Arc<Catalog>, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = db.strip_prefix("sqlite://")
        && let Some(dir) = std::path::Path::new(path).parent()
    {
        std::fs::create_dir_all(dir)?;
    }
    let config = super::serve::server_config(&args.options, true)?;
    let store = super::open(db).await?;
    prepare(&store, &catalog, args).await?;
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    let limits = super::serve::connection_limits(&args.options)?;
    super::serve::serve(store, catalog, config, args.listen, limits).await
}

/// Whether the store already holds every demo version and month.
async fn complete(store: &Store) -> anyhow::Result<bool> {
    let versions: BTreeSet<String> = store.versions().await?.into_iter().map(|v| v.id).collect();
    if !versions.contains("vn-2019") || !versions.contains("vn-2025") {
        return Ok(false);
    }
    let published = published(store).await?;
    let mut p = FIRST;
    while p <= LAST {
        if !published.contains(&p) {
            return Ok(false);
        }
        p = next_month(p);
    }
    Ok(true)
}

fn next_month(p: Period) -> Period {
    Period::month_of(p.end().succ_opt().expect("date after a period end"))
}

async fn published(store: &Store) -> anyhow::Result<BTreeSet<Period>> {
    Ok(store
        .snapshots()
        .await?
        .into_iter()
        .map(|s| s.period)
        .collect())
}

/// Prepares the demo database (generation, import, publish, aggregation) unless it is
/// complete, the projections unless published, then the vn-2019 → vn-2025 crosswalk from the official mapping unless it is stored.
pub async fn prepare(store: &Store, catalog: &Catalog, args: &DemoArgs) -> anyhow::Result<()> {
    prepare_data(store, catalog, args).await?;
    projections(store).await?;
    let built = store
        .crosswalk_metas()
        .await?
        .iter()
        .any(|m| m.from == "vn-2019" && m.to == "vn-2025");
    if !built {
        let mapping = args.inputs.join("mapping-2025.csv");
        let report =
            etl::crosswalk::build_and_store(store, "vn-2019", "vn-2025", Some(&mapping)).await?;
        super::crosswalk::print_report(&report);
    }
    Ok(())
}

/// Generation, import, publish and aggregation of the demo data, unless complete.
async fn prepare_data(store: &Store, catalog: &Catalog, args: &DemoArgs) -> anyhow::Result<()> {
    if complete(store).await? {
        eprintln!(
            "demo: the database already holds the demo (both boundary versions, 2024-01 … 2026-09)"
        );
        return operators(store, args).await;
    }
    let start = Instant::now();
    let (inputs, out) = (args.inputs.clone(), args.out.clone());
    let manifest = tokio::task::spawn_blocking(move || etl::demo::generate(&inputs, &out))
        .await?
        .with_context(|| format!("cannot generate the demo from {}", args.inputs.display()))?;
    std::fs::write(
        args.out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    eprintln!(
        "demo: generated {} boundary versions and {} monthly tables in {} in {:.1} s",
        manifest.versions.len(),
        manifest.tables.len(),
        args.out.display(),
        start.elapsed().as_secs_f64()
    );

    let existing: BTreeSet<String> = store.versions().await?.into_iter().map(|v| v.id).collect();
    for vf in &manifest.versions {
        if existing.contains(&vf.version.id) {
            continue;
        }
        let t = Instant::now();
        let files = vf.paths(&args.out);
        let report = etl::boundaries::import(
            store,
            &vf.version.id,
            vf.version.valid_from,
            &files,
            false,
            true,
        )
        .await?;
        let levels: Vec<String> = report
            .levels
            .iter()
            .map(|l| format!("{} {}", l.units, l.level))
            .collect();
        eprintln!(
            "demo: imported {} ({}; {:.0} km²) in {:.1} s",
            vf.version.id,
            levels.join(", "),
            report.total_area_km2,
            t.elapsed().as_secs_f64()
        );
    }

    let t = Instant::now();
    let done = published(store).await?;
    let mut count = 0;
    for table in &manifest.tables {
        let period: Period = table.period.parse()?;
        if done.contains(&period) {
            continue;
        }
        let path = args.out.join(&table.file);
        let opts = etl::publish::Options::default();
        match etl::publish::publish(store, catalog, period, &path, &opts).await {
            Ok(_) => count += 1,
            Err(etl::publish::PublishError::Refused { report, .. }) => {
                eprint!("{report}");
                anyhow::bail!("the demo table {} was refused", path.display());
            }
            Err(e) => return Err(e.into()),
        }
    }
    eprintln!(
        "demo: published {count} monthly periods in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // Quarters and years whose months are all on one boundary version.
    let t = Instant::now();
    let done = published(store).await?;
    let mut targets: Vec<Period> = Vec::new();
    for year in 2024..=2026 {
        targets.extend((1..=4).filter_map(|q| Period::quarter(year, q)));
        targets.extend(Period::year(year));
    }
    let mut aggregated = Vec::new();
    for target in targets {
        if done.contains(&target) || target.end() > LAST.end() {
            continue;
        }
        match etl::publish::aggregate(store, catalog, target).await {
            Ok(s) => aggregated.push(s.period.to_string()),
            Err(etl::publish::PublishError::Aggregate(e)) => {
                eprintln!("demo: {target} not aggregated: {e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    eprintln!(
        "demo: aggregated {} in {:.1} s",
        aggregated.join(", "),
        t.elapsed().as_secs_f64()
    );
    operators(store, args).await?;
    eprintln!(
        "demo: the indicator values are SYNTHETIC (generated); codes, names and locations are real"
    );
    Ok(())
}

/// Projects the newest year's end with age × sex to 2035 in every variant, unless projections
/// are already published.
async fn projections(store: &Store) -> anyhow::Result<()> {
    if published(store).await?.iter().any(|p| p.is_projection()) {
        return Ok(());
    }
    let t = Instant::now();
    let opts = etl::project::ProjectOptions {
        from: None,
        to: 2035,
        variants: geodata::Variant::ALL.to_vec(),
    };
    match etl::project::project(store, &opts).await {
        Ok(snaps) => eprintln!(
            "demo: projected {} periods (from {}) in {:.1} s",
            snaps.len(),
            snaps.first().map_or("-", |s| s.source.as_str()),
            t.elapsed().as_secs_f64()
        ),
        Err(e) => eprintln!("demo: no projections: {e}"),
    }
    Ok(())
}

/// Builds the H3 operator (area weights) of every demo version that has none.
async fn operators(store: &Store, args: &DemoArgs) -> anyhow::Result<()> {
    let res = super::h3::resolution_arg(args.h3_resolution)?;
    let built: BTreeSet<String> = store
        .operators()
        .await?
        .into_iter()
        .map(|o| o.version)
        .collect();
    for v in store.versions().await? {
        if built.contains(&v.id) {
            continue;
        }
        let (_, rep) = etl::h3::build_and_store(
            store,
            &v.id,
            res,
            &etl::h3::Weights::Area,
            super::h3::progress_bar(),
        )
        .await?;
        eprintln!(
            "demo: built the H3 operator of {} at r{}: {} cells, {} entries in {:.1} s",
            v.id, args.h3_resolution, rep.cells, rep.entries, rep.seconds
        );
    }
    Ok(())
}
