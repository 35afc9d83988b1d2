//! `popmap project [--from 2025] [--to 2035] [--variants low,medium,high]`.

use std::process::ExitCode;
use std::time::Instant;

use geodata::Store;

/// Projects and publishes; one line per variant on stderr.
pub async fn run(store: &Store, opts: &etl::project::ProjectOptions) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let snaps = etl::project::project(store, opts).await?;
    for s in &snaps {
        if s.period.year_of() == opts.to {
            eprintln!(
                "popmap: published projections to {} revision {} on {} from {}",
                s.period, s.revision, s.version, s.source
            );
        }
    }
    eprintln!(
        "popmap: {} projection periods in {:.2} s",
        snaps.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
