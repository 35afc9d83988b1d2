//! `popmap export`: a period's admin tiles to a PMTiles or MBTiles archive.

use std::path::Path;
use std::process::ExitCode;

use geodata::{Catalog, Store};

/// Exports with `opts` to `out`; a refused export exits 1.
pub async fn run(
    store: &Store,
    catalog: &Catalog,
    opts: &etl::export::ExportOptions,
    out: &Path,
) -> anyhow::Result<ExitCode> {
    let t = std::time::Instant::now();
    let sum = match etl::export::export(store, catalog, opts, out).await {
        Ok(sum) => sum,
        // A refused export (bad period, zooms or existing output) exits 1 like a
        // refused publish; 2 stays for usage and environment errors.
        Err(e) => {
            eprintln!("popmap: export refused: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    eprintln!(
        "popmap: exported {} revision {} on {}: {} tiles, {} bytes to {} in {:.1} s ({})",
        sum.snapshot.period,
        sum.snapshot.revision,
        sum.snapshot.version,
        sum.tiles,
        sum.bytes,
        out.display(),
        t.elapsed().as_secs_f64(),
        if sum.stored_generalisation {
            "geometry generalised at import"
        } else {
            "no stored generalisation: geometry generalised for this export"
        }
    );
    Ok(ExitCode::SUCCESS)
}
