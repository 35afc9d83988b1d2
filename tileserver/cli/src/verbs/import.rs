//! `popmap import boundaries`: a boundary version from GeoJSON / FlatGeobuf files.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use geodata::Store;

/// Imports `files` as `version_id`, printing repairs, warnings and a summary.
pub async fn run(
    store: &Store,
    version_id: &str,
    valid_from: NaiveDate,
    replace: bool,
    report: Option<PathBuf>,
    files: &[PathBuf],
) -> anyhow::Result<ExitCode> {
    let t = std::time::Instant::now();
    let rep = etl::boundaries::import(store, version_id, valid_from, files, replace, true).await?;
    // A national file can carry hundreds of sliver removals: the first few, then a count by
    // kind; the report file lists them all.
    const SHOWN: usize = 20;
    for r in rep.repairs.iter().take(SHOWN) {
        eprintln!("popmap: repaired {r}");
    }
    if rep.repairs.len() > SHOWN {
        eprintln!(
            "popmap: … and {} more repair(s); in all {} ({})",
            rep.repairs.len() - SHOWN,
            rep.repair_summary().join(", "),
            match &report {
                Some(path) => format!("every one in {}", path.display()),
                None => "--report FILE lists every one".to_string(),
            }
        );
    }
    for w in &rep.warnings {
        eprintln!("popmap: warning: {w}");
    }
    if let Some(path) = report {
        std::fs::write(&path, serde_json::to_string_pretty(&rep)?)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    let levels: Vec<String> = rep
        .levels
        .iter()
        .map(|l| format!("{} {}", l.units, l.level))
        .collect();
    eprintln!(
        "popmap: imported {version_id} from {valid_from}: {} ({:.0} km², {} repairs, {} names normalised to NFC) in {:.1} s",
        levels.join(", "),
        rep.total_area_km2,
        rep.repairs.len(),
        rep.names_normalised,
        t.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
