//! Crosswalks between boundary versions: building one (from an official mapping table and/or
//! the geometry), storing it, and storing it. Harmonising a snapshot onto the target version is a read model of
//! geodata ([`geodata::Harmoniser`]).

mod build;
mod mapping;
mod weights;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use geodata::CrosswalkError;
use geodata::Store;
use geodata::{CrosswalkMeta, StoreError};

pub use build::{Built, Disagreement, MIN_CONTAINED, build};
pub use mapping::{Mapping, Target};
pub use weights::{AdaptiveAreaWeights, AreaWeights, OperatorWeights, PeopleWeights};

/// Old units smaller than this (km²) are split on r10 cells instead of r9.
pub const FINE_BELOW_KM2: f64 = 20.0;

/// Why a crosswalk could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CrosswalkBuildError {
    /// The mapping file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A mapping row breaks a rule.
    #[error("{file} line {line}: {message}")]
    Mapping {
        /// The file.
        file: String,
        /// 1-based line (1 = header).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A version is missing or has no commune.
    #[error("boundary version '{0}' is not imported or has no commune")]
    Version(String),
    /// The H3 tiler refused an old unit's polygon.
    #[error(transparent)]
    Coverage(#[from] geodata::CoverageError),
    /// No cell of an old unit could be assigned to a new unit.
    #[error("old unit {0}: none of its H3 cells could be assigned to a new unit")]
    Unassigned(String),
    /// The result breaks a crosswalk invariant.
    #[error(transparent)]
    Crosswalk(#[from] CrosswalkError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `popmap crosswalk build` did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The stored meta (method, disagreement count).
    pub meta: CrosswalkMeta,
    /// Old units, rows, and old units split.
    pub old_units: usize,
    /// Crosswalk rows written.
    pub rows: usize,
    /// Old units with more than one part.
    pub splits: usize,
    /// Every disagreement found.
    pub disagreements: Vec<Disagreement>,
    /// Wall time of the build (load, geometry, store), seconds.
    pub seconds: f64,
}

/// Builds the crosswalk `from → to` from the stored units (and the mapping file, if given)
/// and stores it, replacing an older one.
pub async fn build_and_store(
    store: &Store,
    from: &str,
    to: &str,
    mapping: Option<&Path>,
) -> Result<BuildReport, CrosswalkBuildError> {
    let started = Instant::now();
    let old = store.units_with_geometry(from).await?;
    let new = store.units_with_geometry(to).await?;
    let communes = |units: &[geodata::Unit]| -> BTreeSet<String> {
        units
            .iter()
            .filter(|u| u.level == geodata::Level::Commune)
            .map(|u| u.code.clone())
            .collect()
    };
    let (old_codes, new_codes) = (communes(&old), communes(&new));
    for (id, codes) in [(from, &old_codes), (to, &new_codes)] {
        if codes.is_empty() {
            return Err(CrosswalkBuildError::Version(id.to_owned()));
        }
    }
    let mapping = match mapping {
        Some(p) => Some(Mapping::read(p, &old_codes, &new_codes)?),
        None => None,
    };
    let (from_id, to_id) = (from.to_owned(), to.to_owned());
    let fine = AdaptiveAreaWeights {
        fine_below_km2: FINE_BELOW_KM2,
    };
    // Splits follow the old version's stored H3 operator (people) when there is one.
    let operator = store.operator(from).await?;
    let built = tokio::task::spawn_blocking(move || match operator {
        Some((info, operator)) => {
            let weights = OperatorWeights {
                operator,
                source: info.weights,
                fine,
            };
            build(&from_id, &to_id, &old, &new, mapping.as_ref(), &weights)
        }
        None => build(&from_id, &to_id, &old, &new, mapping.as_ref(), &fine),
    })
    .await
    .map_err(|e| CrosswalkBuildError::Unassigned(format!("worker failed: {e}")))??;
    let meta = store
        .save_crosswalk(
            &built.crosswalk,
            &built.method,
            built.disagreements.len() as i64,
            &built.sources,
        )
        .await?;
    let rows = built.crosswalk.rows.values().map(Vec::len).sum();
    let splits = built
        .crosswalk
        .rows
        .values()
        .filter(|p| p.len() > 1)
        .count();
    Ok(BuildReport {
        meta,
        old_units: built.crosswalk.len(),
        rows,
        splits,
        disagreements: built.disagreements,
        seconds: started.elapsed().as_secs_f64(),
    })
}
