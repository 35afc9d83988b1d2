//! A snapshot expressed on another boundary version through a stored crosswalk: base counts
//! moved by shares (exact integers), summed up the target hierarchy; derived indicators are
//! then recomputed from these counts by whoever reads them (`geodata::fields::unit_props`).

use std::collections::BTreeSet;

use geodata::crosswalk::Crosswalk;
use geodata::store::{Snapshot, StoreError, ValueTable};
use geodata::{Catalog, Store};

use crate::aggregate::{Hierarchy, to_table};

/// Why a snapshot cannot be harmonised.
#[derive(Debug, thiserror::Error)]
pub enum HarmoniseError {
    /// No crosswalk is stored between the snapshot's version and the target.
    #[error(
        "no crosswalk from {from} to {to} (run `popmap crosswalk build --from {from} --to {to}`)"
    )]
    NoCrosswalk {
        /// The snapshot's version.
        from: String,
        /// The target version.
        to: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One snapshot's values on a target version.
#[derive(Debug, Clone, PartialEq)]
pub struct Harmonised {
    /// The snapshot harmonised.
    pub snapshot: Snapshot,
    /// The version the values are on.
    pub version: String,
    /// Every unit of the target version that received a value: communes moved through the
    /// crosswalk, upper levels summed from them. Base counts only.
    pub values: ValueTable,
    /// Units (communes and their ancestors) whose values rest on a split estimate.
    pub estimated: BTreeSet<String>,
}

/// Moves `old` (a snapshot's values on `cw.from`) onto the units of `target` (the hierarchy of
/// `cw.to`): communes through the crosswalk, upper levels as sums of their communes. Returns
/// the values and the estimated units (a commune fed by a split, and every ancestor of one).
pub fn harmonise_values(
    cw: &Crosswalk,
    target: &Hierarchy,
    old: &ValueTable,
    indicators: &[&str],
) -> (ValueTable, BTreeSet<String>) {
    let moved = cw.apply(old, indicators);
    let values = to_table(&target.aggregate(&moved.values, indicators));
    let mut estimated = moved.estimated.clone();
    for code in &moved.estimated {
        let mut at = target.unit(code).and_then(|u| u.parent_code.clone());
        while let Some(parent) = at {
            at = target.unit(&parent).and_then(|u| u.parent_code.clone());
            if !estimated.insert(parent) {
                break;
            }
        }
    }
    (values, estimated)
}

/// The values of `snapshot` on version `target` (the snapshot's own values when it is already
/// on `target`). Cost: one read of the snapshot, the crosswalk and the target's unit list,
/// then a sparse mat-vec.
pub async fn harmonise(
    store: &Store,
    catalog: &Catalog,
    snapshot: &Snapshot,
    target: &str,
) -> Result<Harmonised, HarmoniseError> {
    let old = store.values(snapshot.id).await?;
    if snapshot.version == target {
        return Ok(Harmonised {
            snapshot: snapshot.clone(),
            version: target.to_owned(),
            values: old,
            estimated: BTreeSet::new(),
        });
    }
    let cw = store
        .crosswalk(&snapshot.version, target)
        .await?
        .ok_or_else(|| HarmoniseError::NoCrosswalk {
            from: snapshot.version.clone(),
            to: target.to_owned(),
        })?;
    let hierarchy = Hierarchy::new(&store.units(target).await?);
    let indicators: Vec<&str> = catalog.base_ids().collect();
    let (values, estimated) = harmonise_values(&cw, &hierarchy, &old, &indicators);
    Ok(Harmonised {
        snapshot: snapshot.clone(),
        version: target.to_owned(),
        values,
        estimated,
    })
}
