//! A snapshot expressed on another boundary version through a stored crosswalk: base counts
//! moved by shares (exact integers), summed up the target hierarchy; derived indicators are
//! then recomputed from these counts by whoever reads them ([`crate::unit_props`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::catalog::Catalog;
use crate::model::crosswalk::Crosswalk;
use crate::model::hierarchy::{Hierarchy, to_table};
use crate::model::snapshot::{Snapshot, ValueTable};
use crate::model::unit::UnitInfo;
use crate::store::{Store, StoreError};

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

/// One target unit's counts read from the old units that feed it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitCounts {
    /// Indicator id → harmonised count (only indicators some source reported).
    pub counts: BTreeMap<String, i64>,
    /// Whether a split old unit contributed.
    pub estimated: bool,
}

/// A stored crosswalk made ready to move values: the crosswalk, the target version's hierarchy
/// and each target commune's predecessors. Loading it reads ~10k crosswalk rows and the target's
/// unit list, so a server keeps one per version pair instead of reloading it per period.
#[derive(Debug)]
pub struct Harmoniser {
    crosswalk: Crosswalk,
    target: Hierarchy,
    predecessors: HashMap<String, Vec<String>>,
}

impl Harmoniser {
    /// Indexes `crosswalk` over the units of its target version.
    pub fn new(crosswalk: Crosswalk, target_units: &[UnitInfo]) -> Harmoniser {
        let mut predecessors: HashMap<String, Vec<String>> = HashMap::new();
        for (old, parts) in &crosswalk.rows {
            for p in parts {
                predecessors
                    .entry(p.new_code.clone())
                    .or_default()
                    .push(old.clone());
            }
        }
        Harmoniser {
            crosswalk,
            target: Hierarchy::new(target_units),
            predecessors,
        }
    }

    /// Reads the crosswalk `from` → `to` and the units of `to`.
    pub async fn load(store: &Store, from: &str, to: &str) -> Result<Harmoniser, HarmoniseError> {
        let cw = store
            .crosswalk(from, to)
            .await?
            .ok_or_else(|| HarmoniseError::NoCrosswalk {
                from: from.to_owned(),
                to: to.to_owned(),
            })?;
        Ok(Harmoniser::new(cw, &store.units(to).await?))
    }

    /// The source version.
    pub fn from(&self) -> &str {
        &self.crosswalk.from
    }

    /// The target version.
    pub fn to(&self) -> &str {
        &self.crosswalk.to
    }

    /// The stored crosswalk itself (where each old unit went, with shares).
    pub fn crosswalk(&self) -> &Crosswalk {
        &self.crosswalk
    }

    /// Moves `old` (values on the source version) onto the target's units: communes through
    /// the crosswalk, upper levels as sums of their communes. Returns the values and the
    /// estimated units (a commune fed by a split, and every ancestor of one).
    pub fn values(&self, old: &ValueTable, indicators: &[&str]) -> (ValueTable, BTreeSet<String>) {
        let moved = self.crosswalk.apply(old, indicators);
        let values = to_table(&self.target.aggregate(&moved.values, indicators));
        let mut estimated = moved.estimated.clone();
        for code in &moved.estimated {
            let mut at = self.target.unit(code).and_then(|u| u.parent_code.clone());
            while let Some(parent) = at {
                at = self
                    .target
                    .unit(&parent)
                    .and_then(|u| u.parent_code.clone());
                if !estimated.insert(parent) {
                    break;
                }
            }
        }
        (values, estimated)
    }

    /// The target communes at or under `code` (empty when `code` is not a target unit).
    fn communes_under<'a>(&'a self, code: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut stack = vec![code];
        while let Some(c) = stack.pop() {
            if self.predecessors.contains_key(c) {
                out.push(c);
            }
            stack.extend(self.target.children(c).iter().map(String::as_str));
        }
        out
    }

    /// The old units whose counts feed target unit `code` (sorted, each once): what a series
    /// of `code` must read from the source version's snapshots.
    pub fn sources(&self, code: &str) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .communes_under(code)
            .into_iter()
            .flat_map(|c| self.predecessors[c].iter().map(String::as_str))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Target unit `code`'s counts of `indicators` from `old` (values of the old units of
    /// [`Harmoniser::sources`]): the same integers [`Harmoniser::values`] gives the unit, read
    /// from its predecessors only.
    pub fn unit_counts(&self, code: &str, old: &ValueTable, indicators: &[&str]) -> UnitCounts {
        let mut out = UnitCounts::default();
        for commune in self.communes_under(code) {
            for o in &self.predecessors[commune] {
                let Some(row) = old.get(o) else { continue };
                let mut contributed = false;
                for ind in indicators {
                    let Some(&total) = row.get(*ind) else {
                        continue;
                    };
                    let Some(n) = self.crosswalk.contribution(o, commune, total) else {
                        continue;
                    };
                    contributed = true;
                    *out.counts.entry((*ind).to_owned()).or_default() += n;
                }
                let exact = self
                    .crosswalk
                    .parts(o)
                    .is_some_and(|ps| ps.iter().all(|p| p.new_code != commune || p.exact));
                out.estimated |= contributed && !exact;
            }
        }
        out
    }

    /// `snapshot` (whose values on the source version are `old`) on the target version.
    pub fn harmonise(
        &self,
        catalog: &Catalog,
        snapshot: &Snapshot,
        old: &ValueTable,
    ) -> Harmonised {
        let indicators: Vec<&str> = catalog.base_ids().collect();
        let (values, estimated) = self.values(old, &indicators);
        Harmonised {
            snapshot: snapshot.clone(),
            version: self.to().to_owned(),
            values,
            estimated,
        }
    }
}

/// The values of `snapshot` on version `target` (the snapshot's own values when it is already
/// on `target`). Cost: one read of the snapshot, the crosswalk and the target's unit list,
/// then a sparse mat-vec; a caller harmonising many periods keeps a [`Harmoniser`] instead.
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
    let h = Harmoniser::load(store, &snapshot.version, target).await?;
    Ok(h.harmonise(catalog, snapshot, &old))
}
