//! The three views of a unit's series: the base counts each period contributes, before derived
//! indicators are recomputed from them. Pure functions over values already read from the store
//! (the server reads them through its caches; tests and exports can pass their own).
//!
//! - as reported: each period on its own boundary version (a code reused by the 2025
//!   reorganisation jumps at July 2025);
//! - harmonised: every period on one target version, older periods moved through the stored
//!   crosswalk ([`Harmoniser::unit_counts`], the same integers the harmonised tiles show),
//!   flagged `estimated` where a split old unit contributed;
//! - on a footprint: a fixed set of H3 cells filled in every period by that period's own
//!   operator ([`footprint_counts`], the same integers as the H3 tiles' cells summed):
//!   boundary-free, always an estimate.

use std::collections::{BTreeMap, HashMap};

use h3o::CellIndex;

use crate::h3::disclosure::DisclosureRules;
use crate::h3::footprint::footprint_counts;
use crate::model::operator::Operator;
use crate::model::snapshot::{Snapshot, ValueTable};
use crate::readmodel::harmonise::Harmoniser;

/// One period's counts in a view.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Boundary version the counts are expressed on.
    pub version: String,
    /// Base indicator → count.
    pub counts: BTreeMap<String, i64>,
    /// Area the counts cover (km²), for densities.
    pub area_km2: f64,
    /// Whether the counts rest on a split estimate or the H3 grid.
    pub estimated: bool,
    /// Whether only the disclosure total may be shown (an H3 footprint with few people).
    pub suppressed: bool,
}

/// Values of several units in several snapshots: snapshot id → unit → indicator → count.
pub type ValuesBySnapshot = HashMap<i64, ValueTable>;

/// As reported: each snapshot's own values of `code`, where its version has the unit
/// (`areas`: the unit's area in each version that has it).
pub fn as_reported_counts(
    code: &str,
    snaps: &[&Snapshot],
    areas: &HashMap<String, f64>,
    mut values: ValuesBySnapshot,
) -> HashMap<i64, Counts> {
    snaps
        .iter()
        .filter_map(|s| {
            let area = *areas.get(&s.version)?;
            let counts = values
                .get_mut(&s.id)
                .and_then(|t| t.remove(code))
                .unwrap_or_default();
            Some((
                s.id,
                Counts {
                    version: s.version.clone(),
                    counts,
                    area_km2: area,
                    ..Counts::default()
                },
            ))
        })
        .collect()
}

/// Harmonised onto `target` (where the unit covers `area_km2`): the unit's own values in
/// snapshots on `target`, its predecessors' values moved by `harmonisers` (one per other
/// version) in the others.
pub fn harmonised_counts(
    code: &str,
    target: &str,
    area_km2: f64,
    snaps: &[&Snapshot],
    harmonisers: &HashMap<String, impl AsRef<Harmoniser>>,
    values: &ValuesBySnapshot,
    inputs: &[&str],
) -> HashMap<i64, Counts> {
    let empty = ValueTable::new();
    snaps
        .iter()
        .map(|s| {
            let table = values.get(&s.id).unwrap_or(&empty);
            let (counts, estimated) = match harmonisers.get(&s.version) {
                Some(h) => {
                    let c = h.as_ref().unit_counts(code, table, inputs);
                    (c.counts, c.estimated)
                }
                None => (table.get(code).cloned().unwrap_or_default(), false),
            };
            let c = Counts {
                version: target.to_owned(),
                counts,
                area_km2,
                estimated,
                suppressed: false,
            };
            (s.id, c)
        })
        .collect()
}

/// On a footprint of `cells` (covering `area_km2`): each snapshot's `columns` summed over the
/// cells from its own version's operator; a footprint whose disclosure total is below the
/// rules' minimum shows the total only. `columns` must hold the rules' total.
pub fn footprint_series(
    snaps: &[&Snapshot],
    operators: &HashMap<String, &Operator>,
    cells: &[CellIndex],
    area_km2: f64,
    values: &ValuesBySnapshot,
    columns: &[String],
    rules: &DisclosureRules,
) -> HashMap<i64, Counts> {
    let empty = ValueTable::new();
    let mut out = HashMap::new();
    for s in snaps {
        let op = operators[&s.version];
        let table = values.get(&s.id).unwrap_or(&empty);
        let sums = footprint_counts(op, table, columns, cells);
        // Only counts some feeding unit reported: a missing indicator stays missing.
        let mut counts: BTreeMap<String, i64> = columns
            .iter()
            .zip(sums)
            .filter(|(c, _)| table.values().any(|row| row.contains_key(*c)))
            .map(|(c, v)| (c.clone(), v))
            .collect();
        let total = counts.get(&rules.total).copied();
        let suppressed = total.is_some_and(|t| t < rules.min_total);
        if suppressed {
            counts.retain(|c, _| *c == rules.total);
        }
        out.insert(
            s.id,
            Counts {
                version: s.version.clone(),
                counts,
                area_km2,
                estimated: true,
                suppressed,
            },
        );
    }
    out
}
