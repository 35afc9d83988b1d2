//! The units of one boundary version as a tree, and summing base counts up it.
//!
//! Only base counts are summed; derived indicators are never stored and are recomputed from the
//! sums by whoever reads them.

use std::collections::{BTreeMap, BTreeSet};

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
        let mut done: BTreeMap<&str, BTreeMap<&str, (i64, bool)>> = BTreeMap::new();
        for code in &self.bottom_up {
            let mut mine = BTreeMap::new();
            for &ind in indicators {
                let kids: Vec<i64> = self
                    .children(code)
                    .iter()
                    .filter_map(|c| done.get(c.as_str()).and_then(|m| m.get(ind)))
                    .map(|(v, _)| *v)
                    .collect();
                if !kids.is_empty() {
                    mine.insert(ind, (kids.iter().sum(), false));
                } else if let Some(v) = reported.get(code).and_then(|m| m.get(ind)) {
                    mine.insert(ind, (*v, true));
                }
            }
            done.insert(code, mine);
        }
        done.into_iter()
            .flat_map(|(code, m)| {
                m.into_iter().map(move |(ind, (value, reported))| ValueRow {
                    unit_code: code.to_string(),
                    indicator: ind.to_string(),
                    value,
                    reported,
                })
            })
            .collect()
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
    for r in rows {
        t.entry(r.unit_code.clone())
            .or_default()
            .insert(r.indicator.clone(), r.value);
    }
    t
}
