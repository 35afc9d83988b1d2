//! The units of one boundary version as a tree, and summing base counts up it.
//!
//! Only base counts are summed; derived indicators are never stored and are recomputed from the
//! sums by whoever reads them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::snapshot::{ValueRow, ValueTable};
use super::unit::UnitInfo;

/// The units of one version as a tree: lookup by code, children, and a bottom-up order.
#[derive(Debug, Clone, Default)]
pub struct Hierarchy {
    units: BTreeMap<String, UnitInfo>,
    children: BTreeMap<String, Vec<String>>,
    bottom_up: Vec<String>,
    roots: Vec<String>,
}

impl Hierarchy {
    /// Builds the tree; units whose parent is absent from `units` are roots.
    pub fn new(units: &[UnitInfo]) -> Hierarchy {
        let map: BTreeMap<String, UnitInfo> =
            units.iter().map(|u| (u.code.clone(), u.clone())).collect();
        let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut roots = Vec::new();
        for u in map.values() {
            match &u.parent_code {
                Some(p) if map.contains_key(p) => {
                    children.entry(p.clone()).or_default().push(u.code.clone())
                }
                _ => roots.push(u.code.clone()),
            }
        }
        let mut bottom_up: Vec<&UnitInfo> = map.values().collect();
        bottom_up.sort_by(|a, b| b.level.cmp(&a.level).then(a.code.cmp(&b.code)));
        let bottom_up = bottom_up.into_iter().map(|u| u.code.clone()).collect();
        Hierarchy {
            units: map,
            children,
            bottom_up,
            roots,
        }
    }

    /// A unit by code.
    pub fn unit(&self, code: &str) -> Option<&UnitInfo> {
        self.units.get(code)
    }

    /// Codes of the unit's children (empty for the lowest level).
    pub fn children(&self, code: &str) -> &[String] {
        self.children.get(code).map_or(&[], Vec::as_slice)
    }

    /// Codes of the top-level units.
    pub fn roots(&self) -> &[String] {
        &self.roots
    }

    /// The distinct code lengths in use (5 for communes, 2 for provinces...).
    pub fn code_lengths(&self) -> BTreeSet<usize> {
        self.units.keys().map(String::len).collect()
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether the version has no units.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Sums every indicator in `indicators` up the tree: a unit's value is the sum of its
    /// children's values when any child has one (`reported = false`), else its own reported
    /// value (`reported = true`). Codes in `reported` that are not units are ignored.
    pub fn aggregate(&self, reported: &ValueTable, indicators: &[&str]) -> Vec<ValueRow> {
        // Units and indicators by position, one slot per (unit, indicator): a national table
        // with the age groups has ~540,000 of them, and string-keyed maps made summing most
        // of a publish's time (issue 19).
        let k = indicators.len();
        let pos: HashMap<&str, usize> = (self.bottom_up.iter().enumerate())
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let col: HashMap<&str, usize> = (indicators.iter().enumerate())
            .map(|(j, id)| (*id, j))
            .collect();
        let mut cells: Vec<Option<(i64, bool)>> = vec![None; self.bottom_up.len() * k];
        for (i, code) in self.bottom_up.iter().enumerate() {
            // Children come first bottom-up; one that does not (a malformed tree) is skipped.
            let kids: Vec<usize> = (self.children(code).iter())
                .filter_map(|c| pos.get(c.as_str()).copied())
                .filter(|&c| c < i)
                .collect();
            let (done, rest) = cells.split_at_mut(i * k);
            let mine = &mut rest[..k];
            for &c in &kids {
                for (slot, kid) in mine.iter_mut().zip(&done[c * k..(c + 1) * k]) {
                    if let Some((v, _)) = kid {
                        *slot = Some((slot.map_or(0, |s| s.0) + v, false));
                    }
                }
            }
            for (ind, v) in reported.get(code).into_iter().flatten() {
                if let Some(&j) = col.get(ind.as_str())
                    && mine[j].is_none()
                {
                    mine[j] = Some((*v, true));
                }
            }
        }
        // Rows ordered by code, then indicator id.
        let mut units: Vec<usize> = (0..self.bottom_up.len()).collect();
        units.sort_by(|&a, &b| self.bottom_up[a].cmp(&self.bottom_up[b]));
        let mut inds: Vec<usize> = (0..k).collect();
        inds.sort_by(|&a, &b| indicators[a].cmp(indicators[b]));
        let mut out = Vec::new();
        for i in units {
            for &j in &inds {
                if let Some((value, reported)) = cells[i * k + j] {
                    out.push(ValueRow {
                        unit_code: self.bottom_up[i].clone(),
                        indicator: indicators[j].to_string(),
                        value,
                        reported,
                    });
                }
            }
        }
        out
    }

    /// Sum over the top-level units of each indicator in `values`.
    pub fn totals(&self, values: &ValueTable) -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for r in &self.roots {
            for (ind, v) in values.get(r).into_iter().flatten() {
                *out.entry(ind.clone()).or_insert(0) += v;
            }
        }
        out
    }
}

/// Rows as a table: unit → indicator → value.
pub fn to_table(rows: &[ValueRow]) -> ValueTable {
    let mut t = ValueTable::new();
    // A run of one unit's rows is built in one go (rows come ordered by code, then indicator,
    // from [`Hierarchy::aggregate`]); a later row of a pair wins, as with inserting them.
    for run in rows.chunk_by(|a, b| a.unit_code == b.unit_code) {
        let vals = run.iter().map(|r| (r.indicator.clone(), r.value));
        match t.get_mut(&run[0].unit_code) {
            Some(m) => m.extend(vals),
            None => {
                t.insert(run[0].unit_code.clone(), vals.collect());
            }
        }
    }
    t
}
