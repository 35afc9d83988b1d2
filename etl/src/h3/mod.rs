//! Building the H3 operator of a boundary version (`popmap h3 build`) and applying it.
//!
//! The operator maps each unit of the version's finest level (communes) to H3 cells at r7–r10
//! with the share of its people in each cell. Weights: by default the area of each cell inside
//! the unit ([`geodata::area_weights`]); optionally a points CSV (`lon,lat[,weight]`:
//! household or building locations; each point weighs its cell in the unit that contains it)
//! or a cells CSV (`cell,weight`: an H3 weight table at the build resolution or finer; a cell
//! shared by several units is split between them by area). A unit whose weights sum to zero
//! falls back to area. Units are measured on all cores with a progress bar.

mod weights;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use geodata::{Operator, OperatorError, area_weights, check_resolution};
use geodata::{OperatorInfo, StoreError};
use geodata::{Store, Unit};
use h3o::{CellIndex, Resolution};
use indicatif::ProgressBar;

pub use weights::{WeightFile, WeightFileError};

/// Errors building an operator.
#[derive(Debug, thiserror::Error)]
pub enum H3Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such boundary version.
    #[error("unknown boundary version '{0}'")]
    UnknownVersion(String),
    /// The weight file is unreadable or has a bad row.
    #[error(transparent)]
    Weights(#[from] WeightFileError),
    /// A unit's polygon is refused by the H3 tiler.
    #[error(transparent)]
    Coverage(#[from] geodata::CoverageError),
    /// The weights do not make an operator.
    #[error(transparent)]
    Operator(#[from] OperatorError),
}

/// Where the weights come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Weights {
    /// Intersection areas of cells and unit polygons.
    Area,
    /// A points or cells CSV.
    File(PathBuf),
}

/// What a build did.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildReport {
    /// Units mapped.
    pub units: usize,
    /// (unit, cell) entries.
    pub entries: usize,
    /// Distinct cells.
    pub cells: usize,
    /// Units whose file weights summed to zero and were given area weights.
    pub area_fallback: Vec<String>,
    /// Points of a points file that fell in no unit.
    pub points_outside: usize,
    /// Where the weights came from, as stored.
    pub weights: String,
    /// Wall time of the build, seconds (store write excluded).
    pub seconds: f64,
}

/// Area weights of every unit, measured on all cores; `progress` advances once per unit.
pub fn area_weights_all(
    units: &[&Unit],
    resolution: Resolution,
    progress: &ProgressBar,
) -> Result<BTreeMap<String, Vec<(CellIndex, f64)>>, H3Error> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = AtomicUsize::new(0);
    let out = Mutex::new(BTreeMap::new());
    let failure = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(u) = units.get(i) else { break };
                    match area_weights(&u.code, &u.geometry, resolution) {
                        Ok(w) => {
                            out.lock()
                                .expect("no panic holding the lock")
                                .insert(u.code.clone(), w);
                        }
                        Err(e) => {
                            *failure.lock().expect("no panic holding the lock") = Some(e);
                            next.store(units.len(), Ordering::Relaxed);
                        }
                    }
                    progress.inc(1);
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().expect("threads joined") {
        return Err(e.into());
    }
    Ok(out.into_inner().expect("threads joined"))
}

/// The units an operator maps: those of the version's finest level.
pub fn leaf_units(units: &[Unit]) -> Vec<&Unit> {
    let finest = units.iter().map(|u| u.level).max();
    units.iter().filter(|u| Some(u.level) == finest).collect()
}

/// Builds the operator of `units` (their finest level) at `resolution` from `weights`.
pub fn build(
    units: &[Unit],
    resolution: Resolution,
    weights: &Weights,
    progress: &ProgressBar,
) -> Result<(Operator, BuildReport), H3Error> {
    check_resolution(resolution)?;
    let start = Instant::now();
    let leaves = leaf_units(units);
    progress.set_length(leaves.len() as u64);
    let (raw, desc, outside, fallback) = match weights {
        Weights::Area => (
            area_weights_all(&leaves, resolution, progress)?,
            "area".to_owned(),
            0,
            Vec::new(),
        ),
        Weights::File(path) => {
            let file = WeightFile::read(path, resolution)?;
            let (raw, outside, fallback) = file.unit_weights(&leaves, resolution, progress)?;
            let desc = format!(
                "{}:{} ({} units fell back to area)",
                file.kind(),
                path.display(),
                fallback.len()
            );
            (raw, desc, outside, fallback)
        }
    };
    let op = Operator::from_weights(resolution, raw)?;
    let report = BuildReport {
        units: op.len(),
        entries: op.entries(),
        cells: op.cells().len(),
        area_fallback: fallback,
        points_outside: outside,
        weights: desc,
        seconds: start.elapsed().as_secs_f64(),
    };
    Ok((op, report))
}

/// Builds the operator of `version` and stores it (replacing any).
pub async fn build_and_store(
    store: &Store,
    version: &str,
    resolution: Resolution,
    weights: &Weights,
    progress: ProgressBar,
) -> Result<(OperatorInfo, BuildReport), H3Error> {
    if store.version(version).await?.is_none() {
        return Err(H3Error::UnknownVersion(version.to_owned()));
    }
    let units = store.units_with_geometry(version).await?;
    let w = weights.clone();
    let (op, report) = tokio::task::spawn_blocking(move || {
        let r = build(&units, resolution, &w, &progress);
        progress.finish_and_clear();
        r
    })
    .await
    .expect("operator build does not panic")?;
    let info = store.save_operator(version, &op, &report.weights).await?;
    Ok((info, report))
}
