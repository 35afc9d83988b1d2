//! Disclosure control of H3 cell values: what of a cell may be published.
//!
//! Defaults ([`DisclosureRules::default`]), configurable per server and per export:
//! - **small cells**: a cell whose total (`population`) is below 10 shows the total only; its
//!   sex split and every other count are suppressed, and so is every derived value that reads
//!   anything but the total and the cell's area. The cell carries `suppressed = true`.
//! - **differencing**: a hidden split must not be recoverable by subtracting published cells from
//!   a published parent. Inside each group {parent, its children one resolution finer} (and
//!   {the national total, the r4 cells}) the number of suppressed members must be 0 or at
//!   least 2: when a parent is published with exactly one suppressed child, the next smallest
//!   child is suppressed too (complementary suppression), and a suppressed parent gets at least
//!   one suppressed child. Resolutions are processed coarse to fine so every group sees its
//!   parent's final state.
//! - **unstable rates**: a derived value whose numerator is below 20 (rates over an area, such
//!   as density, excepted) is flagged `<id>_unstable = true`, as are the catalog's own
//!   small-number rules; flagged values are shown, not hidden.
//!
//! Not covered: differencing a commune's published total against the cells of that commune
//! (cells on a border mix several communes, so a commune is not an exact sum of cells).

use h3o::CellIndex;
use serde::{Deserialize, Serialize};

use crate::h3::grid::{Grid, GridLevel};
use crate::model::catalog::Catalog;
use crate::model::catalog::{AREA, Access};

/// The thresholds of disclosure control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisclosureRules {
    /// The base count that is always shown and decides small cells.
    pub total: String,
    /// A cell whose total is below this shows the total only.
    pub min_total: i64,
    /// A derived value whose numerator is below this is flagged unstable.
    pub min_numerator: f64,
}

impl Default for DisclosureRules {
    fn default() -> DisclosureRules {
        DisclosureRules {
            total: "population".to_owned(),
            min_total: 10,
            min_numerator: 20.0,
        }
    }
}

/// Sets the `suppressed` flags of every level of `grid` (see the module rules).
pub fn protect(grid: &mut Grid, rules: &DisclosureRules) {
    let col = grid.column(&rules.total);
    let levels = grid.levels_mut();
    // Finest first in the grid: walk from the coarsest.
    for idx in (0..levels.len()).rev() {
        let (finer, coarser) = levels.split_at_mut(idx + 1);
        let level = &mut finer[idx];
        let total = |l: &GridLevel, i: usize| col.map_or(0, |k| i64::from(l.row(i)[k]));
        for i in 0..level.len() {
            let small = total(level, i) < rules.min_total;
            level.suppressed[i] = small;
        }
        let groups: Vec<(std::ops::Range<usize>, bool)> = match coarser.first() {
            None => vec![(0..level.len(), false)],
            Some(parent) => parent
                .cells
                .iter()
                .zip(&parent.suppressed)
                .map(|(p, s)| (level.children_of(*p), *s))
                .collect(),
        };
        for (range, parent_suppressed) in groups {
            let mut hidden = range.clone().filter(|&i| level.suppressed[i]).count()
                + usize::from(parent_suppressed);
            // A group with one hidden member lets it be differenced out: hide the smallest
            // published child until two are hidden (or nothing is left to hide).
            while hidden == 1 {
                let smallest = range
                    .clone()
                    .filter(|&i| !level.suppressed[i])
                    .min_by_key(|&i| (total(level, i), i));
                let Some(i) = smallest else { break };
                level.suppressed[i] = true;
                hidden += 1;
            }
        }
    }
}

/// What may be published of one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellValues {
    /// The cell.
    pub cell: CellIndex,
    /// Base counts shown, in catalog order (only the total when suppressed).
    pub counts: Vec<(String, i64)>,
    /// Derived values shown, in catalog order, with their unstable flag.
    pub derived: Vec<(String, f64, bool)>,
    /// True when the cell shows its total only.
    pub suppressed: bool,
}

/// The publishable values of the cell at position `i` of `level`: public indicators only,
/// suppressed cells reduced to their total (see the module rules); `months` is the period's
/// length (annualised rates).
pub fn cell_values(
    catalog: &Catalog,
    grid: &Grid,
    level: &GridLevel,
    i: usize,
    months: u32,
    rules: &DisclosureRules,
) -> CellValues {
    let cell = level.cells[i];
    let suppressed = level.suppressed[i];
    let row = level.row(i);
    let shown = |id: &str| !suppressed || id == rules.total;
    let counts: Vec<(String, i64)> = catalog
        .base
        .iter()
        .filter(|b| b.access == Access::Public && shown(&b.id))
        .filter_map(|b| {
            grid.column(&b.id)
                .map(|k| (b.id.clone(), i64::from(row[k])))
        })
        .collect();
    let area = cell.area_km2();
    let get = |k: &str| {
        if k == AREA {
            Some(area)
        } else {
            grid.column(k).map(|c| f64::from(row[c]))
        }
    };
    let mut derived = Vec::new();
    for d in catalog
        .derived
        .iter()
        .filter(|d| d.access == Access::Public)
    {
        let name = |t: &String| t.strip_prefix('-').unwrap_or(t).to_owned();
        if d.inputs().any(|t| t != AREA && !shown(t)) {
            continue;
        }
        let Some(v) = d.evaluate(get, months) else {
            continue;
        };
        // The expanded terms: an age indicator's numerator names sums of groups (`age_0_14`),
        // which are not grid columns.
        let numerator: f64 = d
            .terms()
            .0
            .iter()
            .map(|t| {
                let v = get(&name(t)).unwrap_or(0.0);
                if t.starts_with('-') { -v } else { v }
            })
            .sum();
        let per_area = d.denominator.iter().all(|t| t == AREA);
        let small = !per_area && numerator.abs() < rules.min_numerator;
        derived.push((d.id.clone(), v.value, v.unstable || small));
    }
    CellValues {
        cell,
        counts,
        derived,
        suppressed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::operator::Operator;
    use crate::model::snapshot::ValueTable;
    use h3o::{LatLng, Resolution};
    use std::collections::BTreeMap;

    /// Seven r9 children of one r8 cell, each its own unit with the given population.
    fn grid(pops: &[i64]) -> (Grid, Vec<CellIndex>) {
        let parent = LatLng::new(21.03, 105.85)
            .expect("coordinate")
            .to_cell(Resolution::Eight);
        let kids: Vec<CellIndex> = parent.children(Resolution::Nine).collect();
        let mut weights = BTreeMap::new();
        let mut values = ValueTable::new();
        for (k, (cell, pop)) in kids.iter().zip(pops).enumerate() {
            let code = format!("{k:05}");
            weights.insert(code.clone(), vec![(*cell, 1.0)]);
            let males = pop / 2;
            values.insert(
                code,
                BTreeMap::from([
                    ("population".to_owned(), *pop),
                    ("males".to_owned(), males),
                    ("females".to_owned(), pop - males),
                    ("births".to_owned(), pop / 50),
                ]),
            );
        }
        let op = Operator::from_weights(Resolution::Nine, weights).expect("operator");
        let ids: Vec<String> = ["population", "males", "females", "births"]
            .map(str::to_owned)
            .to_vec();
        (Grid::apply(&op, &values, &ids).expect("grid"), kids)
    }

    #[test]
    fn one_small_child_gets_a_complementary_partner() {
        let (mut g, kids) = grid(&[5, 100, 200, 300, 400, 500, 600]);
        protect(&mut g, &DisclosureRules::default());
        let fine = g.level(Resolution::Nine).expect("r9");
        let hidden: Vec<CellIndex> = (0..fine.len())
            .filter(|&i| fine.suppressed[i])
            .map(|i| fine.cells[i])
            .collect();
        assert_eq!(hidden, {
            let mut v = vec![kids[0], kids[1]];
            v.sort();
            v
        });
        for level in g.levels().iter().skip(1) {
            assert!(level.suppressed.iter().all(|s| !s));
        }
    }

    #[test]
    fn suppressed_cells_show_the_total_only() {
        let (mut g, kids) = grid(&[5, 7, 200, 300, 400, 500, 600]);
        protect(&mut g, &DisclosureRules::default());
        let c = Catalog::builtin();
        let fine = g.level(Resolution::Nine).expect("r9");
        let i = fine.find(kids[0]).expect("cell");
        let v = cell_values(&c, &g, fine, i, 1, &DisclosureRules::default());
        assert!(v.suppressed);
        assert_eq!(v.counts, vec![("population".to_owned(), 5)]);
        assert!(v.derived.iter().all(|(id, _, _)| id == "density"), "{v:?}");
        let j = fine.find(kids[2]).expect("cell");
        let v = cell_values(&c, &g, fine, j, 1, &DisclosureRules::default());
        assert!(!v.suppressed);
        assert!(v.counts.iter().any(|(id, n)| id == "males" && *n == 100));
        let sex_ratio = v.derived.iter().find(|d| d.0 == "sex_ratio").expect("sr");
        assert!(!sex_ratio.2);
        let cbr = v.derived.iter().find(|d| d.0 == "cbr").expect("cbr");
        assert!(cbr.2, "4 births: unstable");
    }

    #[test]
    fn small_children_of_a_published_parent_are_all_hidden() {
        let (mut g, _) = grid(&[3, 2, 1, 1, 1, 1, 1]);
        protect(&mut g, &DisclosureRules::default());
        let fine = g.level(Resolution::Nine).expect("r9");
        assert_eq!(fine.len(), 7);
        assert!(fine.suppressed.iter().all(|s| *s));
        for level in g.levels().iter().skip(1) {
            assert_eq!(level.suppressed, vec![false], "{:?}", level.resolution);
        }
    }
}
