//! `popmap aggregate --to P`: a quarter or year from its published months.

use std::process::ExitCode;

use geodata::{Catalog, Period, Store};

/// Publishes `to` from its months.
pub async fn run(store: &Store, catalog: &Catalog, to: Period) -> anyhow::Result<ExitCode> {
    let snap = etl::publish::aggregate(store, catalog, to).await?;
    eprintln!(
        "popmap: published {} revision {} on {} from {}",
        snap.period, snap.revision, snap.version, snap.source
    );
    Ok(ExitCode::SUCCESS)
}
