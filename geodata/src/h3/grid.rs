//! A snapshot's counts on the H3 grid: the operator applied to every base count, at the
//! operator's resolution and every coarser one down to r4, stored column-wise.
//!
//! Cells of one resolution are kept sorted by index, so the children of a parent are
//! contiguous and coarsening is one merge pass. Each cell carries one `i32` per base count
//! (in [`Grid::indicators`] order) and a `suppressed` flag set by [`crate::h3::disclosure`]. A cell
//! holds far fewer than 2³¹ people (all of Vietnam is ~10⁸), and at r9 the counts are most of
//! the server's memory (17 × 2.8 M cells): `i32` halves them. A count that does not fit is an
//! error ([`GridError`]), never a wrapped number; `popmap publish` already refuses a commune
//! count above 10 million, so only values written to the store by other means can meet it.

use std::collections::BTreeMap;

use h3o::{CellIndex, Resolution};

use crate::model::apportion::largest_remainder;
use crate::model::operator::{COARSEST_OUTPUT, Operator};
use crate::model::snapshot::ValueTable;

/// Errors applying an operator.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    /// A cell's count (a unit's share, or a sum of cells) is above `i32::MAX`.
    #[error(
        "count '{indicator}' of H3 cell {cell} is above {max} (from unit '{unit}'): the grid \
         stores 32-bit counts",
        max = i32::MAX
    )]
    TooLarge {
        /// The base count.
        indicator: String,
        /// The cell.
        cell: CellIndex,
        /// The unit whose share overflowed it, or `(sum of cells)` when coarsening.
        unit: String,
    },
}

/// Totals that are sums of parts (the validator's `males_females_sum` and `births_sex_sum`):
/// a cell's total is the sum of its apportioned parts, so `males + females = population` holds
/// in every cell, not only per commune (rounding each count on its own could break it by one).
pub const SUMS: &[(&str, &[&str])] = &[
    ("population", &["males", "females"]),
    ("births", &["births_male", "births_female"]),
];

/// Parts bounded by a total (the validator's `*_exceeds_*` rules): rounded on their own, a cell
/// could hold one more of a part than of its total (an urban share over 100 %); the excess is
/// moved to cells of the same unit with room, which keeps every count's unit sum.
pub const BOUNDS: &[(&str, &[&str])] = &[
    ("population", &["urban_population"]),
    (
        "population",
        &["permanent_residents", "temporary_residents"],
    ),
    ("women_15_49", &["women_15_49_contraception"]),
];

/// (total column, part columns) of the [`SUMS`] whose columns are all in `indicators`.
pub(crate) fn sum_columns(indicators: &[String]) -> Vec<(usize, Vec<usize>)> {
    let col = |id: &str| indicators.iter().position(|i| i == id);
    SUMS.iter()
        .filter_map(|(total, parts)| {
            let parts: Option<Vec<usize>> = parts.iter().map(|p| col(p)).collect();
            Some((col(total)?, parts?))
        })
        .collect()
}

/// One unit's counts split over its cells (`shares`, in cell order), one `Vec` per column of
/// `indicators` (`None` for a count the unit lacks or that is 0): largest remainder per count,
/// [`SUMS`] totals as the sums of their parts, [`BOUNDS`] parts fitted under their total.
pub(crate) fn unit_parts(
    row: &BTreeMap<String, i64>,
    shares: &[f64],
    indicators: &[String],
    sums: &[(usize, Vec<usize>)],
) -> Vec<Option<Vec<i64>>> {
    let n = shares.len();
    let col = |id: &str| indicators.iter().position(|i| i == id);
    let mut parts: Vec<Option<Vec<i64>>> = indicators
        .iter()
        .map(|id| match row.get(id) {
            Some(&total) if total != 0 => Some(largest_remainder(total, shares)),
            _ => None,
        })
        .collect();
    for (total, components) in sums {
        let get = |k: usize| row.get(&indicators[k]).copied();
        let sum: Option<i64> = components.iter().map(|&k| get(k)).sum();
        if sum.is_none() || sum != get(*total) || parts[*total].is_none() {
            continue;
        }
        let mut per_cell = vec![0i64; n];
        for &k in components {
            if let Some(p) = &parts[k] {
                per_cell.iter_mut().zip(p).for_each(|(a, b)| *a += b);
            }
        }
        parts[*total] = Some(per_cell);
    }
    // The age groups (when the grid has them) fitted under the sexes, women 15–49 their sum.
    crate::model::ageparts::fit_ages(indicators, &mut parts, n);
    for (total, components) in BOUNDS {
        let (Some(t), Some(ks)) = (
            col(total),
            components
                .iter()
                .map(|c| col(c))
                .collect::<Option<Vec<usize>>>(),
        ) else {
            continue;
        };
        let get = |id: &str| row.get(id).copied().unwrap_or(0);
        let sum: i64 = components.iter().map(|c| get(c)).sum();
        if sum > get(total) || ks.iter().all(|&k| parts[k].is_none()) {
            continue;
        }
        let tot = parts[t].clone().unwrap_or_else(|| vec![0; n]);
        let mut split: Vec<Vec<i64>> = ks
            .iter()
            .map(|&k| parts[k].take().unwrap_or_else(|| vec![0; n]))
            .collect();
        fit_under(&tot, &mut split);
        for (&k, p) in ks.iter().zip(split) {
            parts[k] = Some(p);
        }
    }
    parts
}

/// Moves units of `parts` from cells where they exceed `total` to cells with room, one at a
/// time, in cell order; needs Σ parts ≤ Σ total (the unit's row passed validation).
fn fit_under(total: &[i64], parts: &mut [Vec<i64>]) {
    let n = total.len();
    let used = |parts: &[Vec<i64>], i: usize| parts.iter().map(|p| p[i]).sum::<i64>();
    let mut room: Vec<(usize, i64)> = (0..n)
        .map(|i| (i, total[i] - used(parts, i)))
        .filter(|&(_, r)| r > 0)
        .collect();
    let mut next = 0;
    for i in 0..n {
        let mut excess = used(parts, i) - total[i];
        while excess > 0 && next < room.len() {
            let Some(j) = (0..parts.len()).max_by_key(|&j| (parts[j][i], std::cmp::Reverse(j)))
            else {
                return;
            };
            let (to, r) = &mut room[next];
            parts[j][i] -= 1;
            parts[j][*to] += 1;
            *r -= 1;
            excess -= 1;
            if *r == 0 {
                next += 1;
            }
        }
    }
}

/// The cells of one resolution with their counts.
#[derive(Debug, Clone, PartialEq)]
pub struct GridLevel {
    /// The resolution of every cell here.
    pub resolution: Resolution,
    /// Cells with at least one non-zero count, sorted.
    pub cells: Vec<CellIndex>,
    /// Row-major counts: `values[i * width + k]` is count `k` of cell `i`.
    values: Vec<i32>,
    /// Per cell: only the total may be shown (see [`crate::h3::disclosure`]).
    pub suppressed: Vec<bool>,
    width: usize,
}

impl GridLevel {
    /// The position of `cell` in [`GridLevel::cells`], if it has people or other counts.
    pub fn find(&self, cell: CellIndex) -> Option<usize> {
        self.cells.binary_search(&cell).ok()
    }

    /// The counts of the cell at position `i`, in [`Grid::indicators`] order.
    pub fn row(&self, i: usize) -> &[i32] {
        &self.values[i * self.width..(i + 1) * self.width]
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether no cell has a count.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Positions of the cells that are children of `parent` (a coarser cell): a contiguous
    /// range, because children of one parent sort together.
    pub fn children_of(&self, parent: CellIndex) -> std::ops::Range<usize> {
        let pr = parent.resolution();
        let up = |c: &CellIndex| c.parent(pr).unwrap_or(*c);
        let start = self.cells.partition_point(|c| up(c) < parent);
        let end = self.cells.partition_point(|c| up(c) <= parent);
        start..end
    }

    /// Sums cells into their parents at the next coarser resolution.
    fn coarsen(
        &self,
        resolution: Resolution,
        indicators: &[String],
    ) -> Result<GridLevel, GridError> {
        let w = self.width;
        let mut cells: Vec<CellIndex> = Vec::new();
        let mut values: Vec<i32> = Vec::new();
        for (i, cell) in self.cells.iter().enumerate() {
            // A coarser resolution always has a parent; keep the cell if asked for a finer one.
            let parent = cell.parent(resolution).unwrap_or(*cell);
            if cells.last() != Some(&parent) {
                cells.push(parent);
                values.extend(std::iter::repeat_n(0, w));
            }
            let base = values.len() - w;
            for (k, v) in self.row(i).iter().enumerate() {
                values[base + k] =
                    values[base + k]
                        .checked_add(*v)
                        .ok_or_else(|| GridError::TooLarge {
                            indicator: indicators[k].clone(),
                            cell: parent,
                            unit: "(sum of cells)".to_owned(),
                        })?;
            }
        }
        Ok(GridLevel {
            resolution,
            suppressed: vec![false; cells.len()],
            cells,
            values,
            width: w,
        })
    }
}

/// A snapshot's counts on the grid: every resolution from the operator's down to r4.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    indicators: Vec<String>,
    levels: Vec<GridLevel>,
}

impl Grid {
    /// Applies `op` to the units' counts in `values` for `indicators` (units missing from the
    /// operator, e.g. provinces, are skipped): inside each unit each count is split over its
    /// cells by largest remainder, so the cells of a unit sum exactly to the unit's count; the
    /// totals of [`SUMS`] are the sums of their split parts when the unit's row adds up, and the
    /// parts of [`BOUNDS`] never exceed their total in a cell when the row respects the bound.
    pub fn apply(
        op: &Operator,
        values: &ValueTable,
        indicators: &[String],
    ) -> Result<Grid, GridError> {
        let w = indicators.len();
        let all = op.cells();
        let mut dense = vec![0i32; all.len() * w];
        let sums = sum_columns(indicators);
        let mut shares: Vec<f64> = Vec::new();
        for (code, slots, cells) in op.unit_slots() {
            let Some(row) = values.get(code) else {
                continue;
            };
            shares.clear();
            shares.extend(cells.iter().map(|(_, s)| *s));
            let parts = unit_parts(row, &shares, indicators, &sums);
            for (k, p) in parts.iter().enumerate() {
                let Some(p) = p else { continue };
                for (slot, part) in slots.iter().zip(p) {
                    let at = &mut dense[*slot as usize * w + k];
                    *at = i32::try_from(*part)
                        .ok()
                        .and_then(|part| at.checked_add(part))
                        .ok_or_else(|| GridError::TooLarge {
                            indicator: indicators[k].clone(),
                            cell: all[*slot as usize],
                            unit: code.to_owned(),
                        })?;
                }
            }
        }
        // Drop the rows without a count in place: at r9 the counts take 17 × 2.8 M × 4 bytes,
        // and a second vector for the kept rows doubled the peak and its page faults.
        let mut cells = Vec::with_capacity(all.len());
        for (i, cell) in all.iter().enumerate() {
            let row = i * w..(i + 1) * w;
            if dense[row.clone()].iter().any(|v| *v != 0) {
                dense.copy_within(row, cells.len() * w);
                cells.push(*cell);
            }
        }
        dense.truncate(cells.len() * w);
        dense.shrink_to_fit();
        cells.shrink_to_fit();
        let fine = GridLevel {
            resolution: op.resolution(),
            suppressed: vec![false; cells.len()],
            cells,
            values: dense,
            width: w,
        };
        let mut levels = vec![fine];
        let mut current = op.resolution();
        while current > COARSEST_OUTPUT {
            let Some(next) = current.pred() else { break };
            let coarse = levels[levels.len() - 1].coarsen(next, indicators)?;
            levels.push(coarse);
            current = next;
        }
        Ok(Grid {
            indicators: indicators.to_vec(),
            levels,
        })
    }

    /// The base counts each cell carries, in row order.
    pub fn indicators(&self) -> &[String] {
        &self.indicators
    }

    /// The column of `indicator` in each row.
    pub fn column(&self, indicator: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i == indicator)
    }

    /// Every resolution, finest first.
    pub fn levels(&self) -> &[GridLevel] {
        &self.levels
    }

    /// Every resolution, finest first, for [`crate::h3::disclosure`] to set flags.
    pub fn levels_mut(&mut self) -> &mut [GridLevel] {
        &mut self.levels
    }

    /// The finest resolution (the operator's).
    pub fn finest(&self) -> Resolution {
        self.levels[0].resolution
    }

    /// Drops the resolutions finer than `finest`, keeping at least the coarsest: a grid served
    /// only down to coarser cells (the server's age grid, whose 34 groups per cell are kept
    /// off the finest cells for memory and disclosure). Coarser levels are sums of the finest
    /// one's cells, so they are unchanged.
    pub fn keep_down_to(&mut self, finest: Resolution) {
        let keep = self
            .levels
            .iter()
            .filter(|l| l.resolution <= finest)
            .count();
        if keep > 0 {
            self.levels.retain(|l| l.resolution <= finest);
        } else {
            self.levels.drain(..self.levels.len() - 1);
        }
    }

    /// Approximate heap bytes held (for cache weighing).
    pub fn bytes(&self) -> usize {
        self.levels
            .iter()
            .map(|l| l.cells.len() * 9 + l.values.len() * 4)
            .sum()
    }

    /// The cells of one resolution, if the grid has it.
    pub fn level(&self, resolution: Resolution) -> Option<&GridLevel> {
        self.levels.iter().find(|l| l.resolution == resolution)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::operator::cell_at as cell;
    use h3o::LatLng;
    use std::collections::BTreeMap;

    #[test]
    fn apply_sums_per_unit_and_coarsens() {
        let r9 = Resolution::Nine;
        let a = cell(21.03, 105.85, r9);
        let b = cell(21.04, 105.86, r9);
        let c = cell(10.77, 106.70, r9);
        let weights = BTreeMap::from([
            ("01".to_owned(), vec![(a, 2.0), (b, 1.0)]),
            ("79".to_owned(), vec![(c, 5.0), (b, 0.0)]),
        ]);
        let op = Operator::from_weights(r9, weights).expect("valid weights");
        let values: ValueTable = BTreeMap::from([
            (
                "01".to_owned(),
                BTreeMap::from([("pop".to_owned(), 10), ("men".to_owned(), 0)]),
            ),
            ("79".to_owned(), BTreeMap::from([("pop".to_owned(), 4)])),
            ("P1".to_owned(), BTreeMap::from([("pop".to_owned(), 14)])),
        ]);
        let grid = Grid::apply(&op, &values, &["pop".to_owned(), "men".to_owned()]).expect("grid");
        let fine = grid.level(r9).expect("r9");
        let pop = |l: &GridLevel, c: CellIndex| l.row(l.find(c).expect("cell"))[0];
        assert_eq!(pop(fine, a), 7);
        assert_eq!(pop(fine, b), 3);
        assert_eq!(pop(fine, c), 4);
        assert_eq!(grid.levels().len(), 6);
        for level in grid.levels() {
            assert!(
                level
                    .cells
                    .iter()
                    .all(|c| c.resolution() == level.resolution)
            );
            assert!(level.cells.windows(2).all(|w| w[0] < w[1]));
            let total: i32 = (0..level.len()).map(|i| level.row(i)[0]).sum();
            assert_eq!(total, 14);
        }
        let r4 = grid.level(Resolution::Four).expect("r4");
        let pc = c.parent(Resolution::Four).expect("parent");
        assert_eq!(pop(r4, pc), 4);
        let pa = a.parent(Resolution::Six).expect("parent");
        let r6 = grid.level(Resolution::Six).expect("r6");
        let kids = fine.children_of(pa);
        let sum: i32 = kids.clone().map(|i| fine.row(i)[0]).sum();
        assert_eq!(sum, pop(r6, pa));
        assert!(
            kids.clone()
                .all(|i| fine.cells[i].parent(Resolution::Six) == Some(pa))
        );
    }

    /// The first `n` r9 children of one r8 cell in Hà Nội, in index order.
    fn r9_siblings(n: usize) -> Vec<CellIndex> {
        cell(21.03, 105.85, Resolution::Eight)
            .children(Resolution::Nine)
            .take(n)
            .collect()
    }

    #[test]
    fn cells_without_counts_are_dropped_and_the_rest_keep_their_rows() {
        // Four sibling cells in index order; unit "A" (1st and 3rd) has no people, unit "B"
        // (2nd and 4th) has 5 and 3: the grid keeps the 2nd and 4th with their own counts.
        let r9 = Resolution::Nine;
        let kids = r9_siblings(4);
        let weights = BTreeMap::from([
            ("A".to_owned(), vec![(kids[0], 1.0), (kids[2], 1.0)]),
            ("B".to_owned(), vec![(kids[1], 5.0), (kids[3], 3.0)]),
        ]);
        let op = Operator::from_weights(r9, weights).expect("operator");
        let values: ValueTable = BTreeMap::from([
            ("A".to_owned(), BTreeMap::from([("pop".to_owned(), 0)])),
            (
                "B".to_owned(),
                BTreeMap::from([("pop".to_owned(), 8), ("men".to_owned(), 4)]),
            ),
        ]);
        let grid = Grid::apply(&op, &values, &["pop".to_owned(), "men".to_owned()]).expect("grid");
        let fine = grid.level(r9).expect("r9");
        assert_eq!(fine.cells, [kids[1], kids[3]]);
        assert_eq!(fine.row(0), [5, 3]);
        assert_eq!(fine.row(1), [3, 1]);
        assert_eq!(fine.values.len(), 4);
        assert_eq!(fine.suppressed.len(), 2);
    }

    #[test]
    fn counts_beyond_32_bits_are_an_error_not_a_wrapped_number() {
        let r9 = Resolution::Nine;
        let kids = r9_siblings(2);
        let one = |code: &str, c: CellIndex| (code.to_owned(), vec![(c, 1.0)]);
        let ids = ["pop".to_owned()];
        let table = |a: i64, b: i64| -> ValueTable {
            BTreeMap::from([
                ("A".to_owned(), BTreeMap::from([("pop".to_owned(), a)])),
                ("B".to_owned(), BTreeMap::from([("pop".to_owned(), b)])),
            ])
        };
        let op = Operator::from_weights(r9, BTreeMap::from([one("A", kids[0]), one("B", kids[1])]))
            .expect("operator");
        // One unit's count too large for a cell.
        let err = Grid::apply(&op, &table(3_000_000_000, 1), &ids).unwrap_err();
        assert_eq!(
            err,
            GridError::TooLarge {
                indicator: "pop".into(),
                cell: kids[0],
                unit: "A".into(),
            }
        );
        assert!(err.to_string().contains("above 2147483647"), "{err}");
        // Two cells that fit, whose parent does not.
        let err = Grid::apply(&op, &table(i64::from(i32::MAX), 1), &ids).unwrap_err();
        assert_eq!(
            err,
            GridError::TooLarge {
                indicator: "pop".into(),
                cell: kids[0].parent(Resolution::Eight).expect("parent"),
                unit: "(sum of cells)".into(),
            }
        );
        let grid = Grid::apply(&op, &table(i64::from(i32::MAX) - 1, 1), &ids).expect("fits");
        let r4 = grid.level(Resolution::Four).expect("r4");
        assert_eq!(r4.row(0), [i32::MAX]);
    }

    #[test]
    fn totals_are_the_sums_of_their_parts_in_every_cell() {
        let r9 = Resolution::Nine;
        let parent = LatLng::new(21.03, 105.85)
            .expect("coordinate")
            .to_cell(Resolution::Eight);
        let kids: Vec<(CellIndex, f64)> = parent.children(r9).map(|c| (c, 1.0)).collect();
        let op = Operator::from_weights(r9, BTreeMap::from([("01".to_owned(), kids)]))
            .expect("operator");
        // 7 cells: 10 people split 2,2,1,1,1,1,1; 5 males and 5 females rounded on their own
        // would give cells with males + females ≠ population.
        let row = BTreeMap::from([
            ("population".to_owned(), 10),
            ("males".to_owned(), 5),
            ("females".to_owned(), 5),
        ]);
        let values: ValueTable = BTreeMap::from([("01".to_owned(), row)]);
        let ids = ["population", "males", "females"]
            .map(str::to_owned)
            .to_vec();
        let grid = Grid::apply(&op, &values, &ids).expect("grid");
        let fine = grid.level(r9).expect("r9");
        let mut total = 0;
        for i in 0..fine.len() {
            let r = fine.row(i);
            assert_eq!(r[0], r[1] + r[2], "cell {}", fine.cells[i]);
            total += r[0];
        }
        assert_eq!(total, 10);
    }

    #[test]
    fn parts_never_exceed_their_total_in_a_cell() {
        let r9 = Resolution::Nine;
        let parent = LatLng::new(21.03, 105.85)
            .expect("coordinate")
            .to_cell(Resolution::Eight);
        // Unequal weights, so the remainders of two counts rank the cells differently.
        let kids: Vec<(CellIndex, f64)> = parent
            .children(r9)
            .zip([5.0, 3.0, 11.0, 2.0, 7.0, 13.0, 1.0])
            .collect();
        let op = Operator::from_weights(r9, BTreeMap::from([("01".to_owned(), kids)]))
            .expect("operator");
        let ids = ["population", "urban_population"]
            .map(str::to_owned)
            .to_vec();
        for pop in 1..40 {
            for urban in 0..=pop {
                let row = BTreeMap::from([
                    ("population".to_owned(), pop),
                    ("urban_population".to_owned(), urban),
                ]);
                let values: ValueTable = BTreeMap::from([("01".to_owned(), row)]);
                let grid = Grid::apply(&op, &values, &ids).expect("grid");
                let fine = grid.level(r9).expect("r9");
                let (mut p, mut u) = (0, 0);
                for i in 0..fine.len() {
                    let r = fine.row(i);
                    assert!(r[1] <= r[0], "pop {pop} urban {urban}: cell has {r:?}");
                    p += r[0];
                    u += r[1];
                }
                assert_eq!((i64::from(p), i64::from(u)), (pop, urban));
            }
        }
    }
}
