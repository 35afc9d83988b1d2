//! `popmap crosswalk build|harmonise`: store a crosswalk between two boundary versions; move
//! a period onto another version (dry run: national totals).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use geodata::{Catalog, Period, Store};

use super::out;

/// Builds and stores the crosswalk `from` → `to`, printing the report.
pub async fn build(
    store: &Store,
    from: &str,
    to: &str,
    mapping: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let report = etl::crosswalk::build_and_store(store, from, to, mapping).await?;
    print_report(&report);
    Ok(ExitCode::SUCCESS)
}

/// Harmonises `period` onto `to` and prints the national totals and timing.
pub async fn harmonise(
    store: &Store,
    catalog: &Catalog,
    period: Period,
    to: &str,
) -> anyhow::Result<ExitCode> {
    let snap = store
        .latest_snapshot(&period)
        .await?
        .with_context(|| format!("period {period} is not published"))?;
    if snap.version == to {
        anyhow::bail!("period {period} is already on boundary version {to}");
    }
    // Timed in its three parts: a server pays the crosswalk load once per version
    // pair and the value read once per period (both cached), the move every time.
    let t = std::time::Instant::now();
    let old = store.values(snap.id).await?;
    let read = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let harmoniser = geodata::Harmoniser::load(store, &snap.version, to).await?;
    let load = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let h = harmoniser.harmonise(catalog, &snap, &old);
    let moved = t.elapsed().as_secs_f64();
    let seconds = read + load + moved;
    let units = store.units(to).await?;
    let roots = geodata::Hierarchy::new(&units).totals(&h.values);
    for (indicator, total) in &roots {
        out!("{indicator}\t{total}");
    }
    out!(
        "harmonised {period} (revision {}, {}) onto {to}: {} units with values, {} estimated, in {seconds:.3} s (read values {read:.3} s, load crosswalk and units {load:.3} s, move {moved:.3} s)",
        snap.revision,
        snap.version,
        h.values.len(),
        h.estimated.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints what a crosswalk build did: disagreements on stdout, one a line, then a summary.
pub fn print_report(report: &etl::crosswalk::BuildReport) {
    for d in &report.disagreements {
        out!("disagreement: {d}");
    }
    out!(
        "crosswalk {} → {}: {} old communes, {} rows, {} split, {} disagreements between mapping and geometry, built in {:.1} s ({})",
        report.meta.from,
        report.meta.to,
        report.old_units,
        report.rows,
        report.splits,
        report.meta.disagreements,
        report.seconds,
        report.meta.method
    );
}
