//! `popmap h3 build|apply`: store a version's H3 operator; apply it to a period (dry run).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use geodata::{Catalog, Period, Store};

use super::out;

/// Builds and stores the operator of `version_id`.
pub async fn build(
    store: &Store,
    version_id: &str,
    resolution: u8,
    weights: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let res = resolution_arg(resolution)?;
    let weights = match weights {
        Some(f) => etl::h3::Weights::File(f),
        None => etl::h3::Weights::Area,
    };
    let (info, rep) =
        etl::h3::build_and_store(store, version_id, res, &weights, progress_bar()).await?;
    eprintln!(
        "popmap: built the H3 operator of {version_id} at r{resolution} from {}: {} units, {} cells, {} entries in {:.1} s{}",
        info.weights,
        rep.units,
        rep.cells,
        rep.entries,
        rep.seconds,
        if rep.points_outside > 0 {
            format!(
                "; {} points outside every unit were ignored",
                rep.points_outside
            )
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// Applies the stored operator to `period` and prints the grid's size and timing.
pub async fn apply(store: &Store, catalog: &Catalog, period: Period) -> anyhow::Result<ExitCode> {
    let snap = store
        .latest_snapshot(&period)
        .await?
        .ok_or_else(|| anyhow::anyhow!("period {period} is not published"))?;
    let (info, op) = store.operator(&snap.version).await?.ok_or_else(|| {
        anyhow::anyhow!(
            "no H3 operator for {} (run popmap h3 build --version {})",
            snap.version,
            snap.version
        )
    })?;
    let values = store.values(snap.id).await?;
    let ids: Vec<String> = catalog.base_ids().map(str::to_owned).collect();
    let t = std::time::Instant::now();
    let mut grid = geodata::Grid::apply(&op, &values, &ids)
        .with_context(|| format!("applying the H3 operator to {}", snap.period))?;
    let applied = t.elapsed().as_secs_f64();
    geodata::protect(&mut grid, &geodata::DisclosureRules::default());
    let protected = t.elapsed().as_secs_f64() - applied;
    out!(
        "{} r{} on {} (operator r{}, weights {}): {} base counts, apply {:.3} s, disclosure {:.3} s",
        snap.period,
        snap.revision,
        snap.version,
        u8::from(info.resolution),
        info.weights,
        ids.len(),
        applied,
        protected
    );
    for level in grid.levels() {
        let hidden = level.suppressed.iter().filter(|s| **s).count();
        out!(
            "  r{:<2} {:>9} cells, {:>9} suppressed",
            u8::from(level.resolution),
            level.len(),
            hidden
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// An H3 resolution from the command line (7–10 for operators).
pub fn resolution_arg(r: u8) -> anyhow::Result<h3o::Resolution> {
    let res = h3o::Resolution::try_from(r)
        .map_err(|_| anyhow::anyhow!("--resolution {r}: not an H3 resolution"))?;
    geodata::check_resolution(res).map_err(|e| anyhow::anyhow!("--resolution: {e}"))?;
    Ok(res)
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} units, {elapsed} (eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("H3 operator");
    bar
}
