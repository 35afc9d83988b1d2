//! The H3 population operator W: per unit, the H3 cells holding its people with their shares.
//!
//! Applying it to a snapshot's commune counts ([`crate::h3::grid::Grid::apply`]) gives integer
//! cell counts by largest remainder inside each unit, so the cells of a unit sum exactly to its
//! count; coarser resolutions are sums of children. The cost is a sparse mat-vec, not a
//! geometry job: the operator is built once per boundary version ([`crate::area_weights`] and the
//! weight files of `etl::h3`) and stored.

use std::collections::BTreeMap;

use h3o::{CellIndex, Resolution};

/// Finest resolution the operator may be built at.
pub const FINEST: Resolution = Resolution::Ten;
/// Coarsest resolution the operator may be built at.
pub const COARSEST_BUILD: Resolution = Resolution::Seven;
/// Coarsest resolution cell counts are aggregated to.
pub const COARSEST_OUTPUT: Resolution = Resolution::Four;
/// Resolution used when none is asked for.
pub const DEFAULT_RESOLUTION: Resolution = Resolution::Nine;

/// Errors building the operator.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OperatorError {
    /// The resolution is outside r7–r10.
    #[error("H3 resolution {0} is outside the allowed range r7–r10")]
    Resolution(u8),
    /// A cell is at another resolution than the operator's.
    #[error("unit {unit}: cell {cell} is at resolution {found}, the operator is at r{expected}")]
    CellResolution {
        /// The unit code.
        unit: String,
        /// The offending cell.
        cell: CellIndex,
        /// The cell's resolution.
        found: u8,
        /// The operator's resolution.
        expected: u8,
    },
    /// A weight is negative, infinite or NaN.
    #[error("unit {unit}: cell {cell} has weight {weight}; weights must be finite and ≥ 0")]
    Weight {
        /// The unit code.
        unit: String,
        /// The offending cell.
        cell: CellIndex,
        /// The weight given.
        weight: f64,
    },
    /// A unit has no cell with a positive weight.
    #[error("unit {0} has no cell with a positive weight")]
    Empty(String),
    /// Stored shares of a unit are unsorted, repeated or do not sum to 1.
    #[error("unit {0}: stored shares are not sorted distinct cells summing to 1")]
    Shares(String),
}

/// Checks that `resolution` is one the operator may be built at (r7–r10).
pub fn check_resolution(resolution: Resolution) -> Result<(), OperatorError> {
    if resolution < COARSEST_BUILD || resolution > FINEST {
        return Err(OperatorError::Resolution(u8::from(resolution)));
    }
    Ok(())
}

/// One unit's entries: its cells (sorted, distinct) with shares, and each cell's slot in
/// [`Operator::cells`].
#[derive(Debug, Clone, PartialEq)]
struct UnitCells {
    cells: Vec<(CellIndex, f64)>,
    slots: Vec<u32>,
}

/// The sparse operator W: per unit code, its cells (sorted, distinct) and shares summing to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    resolution: Resolution,
    units: BTreeMap<String, UnitCells>,
    cells: Vec<CellIndex>,
}

impl Operator {
    /// Builds the operator from raw non-negative weights per unit (duplicate cells are summed),
    /// normalising them to shares that sum to 1 per unit.
    pub fn from_weights(
        resolution: Resolution,
        weights: BTreeMap<String, Vec<(CellIndex, f64)>>,
    ) -> Result<Self, OperatorError> {
        check_resolution(resolution)?;
        let mut units = BTreeMap::new();
        for (unit, cells) in weights {
            let mut merged: BTreeMap<CellIndex, f64> = BTreeMap::new();
            for (cell, weight) in cells {
                if cell.resolution() != resolution {
                    return Err(OperatorError::CellResolution {
                        unit,
                        cell,
                        found: u8::from(cell.resolution()),
                        expected: u8::from(resolution),
                    });
                }
                if !weight.is_finite() || weight < 0.0 {
                    return Err(OperatorError::Weight { unit, cell, weight });
                }
                *merged.entry(cell).or_default() += weight;
            }
            merged.retain(|_, w| *w > 0.0);
            let total: f64 = merged.values().sum();
            if merged.is_empty() || total <= 0.0 {
                return Err(OperatorError::Empty(unit));
            }
            let shares = merged.into_iter().map(|(c, w)| (c, w / total)).collect();
            units.insert(unit, shares);
        }
        Ok(Self::index(resolution, units))
    }

    /// The operator from stored shares, kept bit for bit: each unit's cells must be sorted,
    /// distinct, at `resolution`, with positive shares summing to 1 (within 1e-9).
    pub fn from_shares(
        resolution: Resolution,
        units: BTreeMap<String, Vec<(CellIndex, f64)>>,
    ) -> Result<Self, OperatorError> {
        check_resolution(resolution)?;
        for (unit, cells) in &units {
            let sorted = cells.windows(2).all(|w| w[0].0 < w[1].0);
            let positive = cells
                .iter()
                .all(|(c, s)| s.is_finite() && *s > 0.0 && c.resolution() == resolution);
            let sum: f64 = cells.iter().map(|(_, s)| s).sum();
            if cells.is_empty() || !sorted || !positive || (sum - 1.0).abs() > 1e-9 {
                return Err(OperatorError::Shares(unit.clone()));
            }
        }
        Ok(Self::index(resolution, units))
    }

    /// Numbers the distinct cells and records each unit entry's slot.
    fn index(resolution: Resolution, units: BTreeMap<String, Vec<(CellIndex, f64)>>) -> Self {
        let mut cells: Vec<CellIndex> = units.values().flatten().map(|(c, _)| *c).collect();
        cells.sort_unstable();
        cells.dedup();
        let units = units
            .into_iter()
            .map(|(code, entries)| {
                let slots = entries
                    .iter()
                    .map(|(c, _)| cells.binary_search(c).unwrap_or_default() as u32)
                    .collect();
                (
                    code,
                    UnitCells {
                        cells: entries,
                        slots,
                    },
                )
            })
            .collect();
        Self {
            resolution,
            units,
            cells,
        }
    }

    /// The fine resolution the operator maps to.
    pub fn resolution(&self) -> Resolution {
        self.resolution
    }

    /// The cells and shares of one unit, if it is in the operator.
    pub fn unit(&self, code: &str) -> Option<&[(CellIndex, f64)]> {
        self.units.get(code).map(|u| u.cells.as_slice())
    }

    /// Every unit with its cells and shares, by code.
    pub fn units(&self) -> impl Iterator<Item = (&str, &[(CellIndex, f64)])> {
        self.units
            .iter()
            .map(|(code, u)| (code.as_str(), u.cells.as_slice()))
    }

    /// Every unit with its cells' slots in [`Operator::cells`] and shares, by code.
    pub fn unit_slots(&self) -> impl Iterator<Item = (&str, &[u32], &[(CellIndex, f64)])> {
        self.units
            .iter()
            .map(|(code, u)| (code.as_str(), u.slots.as_slice(), u.cells.as_slice()))
    }

    /// The distinct cells of all units, sorted.
    pub fn cells(&self) -> &[CellIndex] {
        &self.cells
    }

    /// Number of units in the operator.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether the operator has no unit.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Number of (unit, cell) entries.
    pub fn entries(&self) -> usize {
        self.units.values().map(|u| u.cells.len()).sum()
    }
}

/// The cell of resolution `res` holding a point (tests).
#[cfg(test)]
pub(crate) fn cell_at(lat: f64, lng: f64, res: Resolution) -> CellIndex {
    h3o::LatLng::new(lat, lng)
        .expect("valid coordinate")
        .to_cell(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::operator::cell_at as cell;

    #[test]
    fn weights_become_shares_and_cells_are_indexed() {
        let r9 = Resolution::Nine;
        let a = cell(21.03, 105.85, r9);
        let b = cell(21.04, 105.86, r9);
        let c = cell(10.77, 106.70, r9);
        let weights = BTreeMap::from([
            ("01".to_owned(), vec![(a, 2.0), (b, 1.0), (a, 1.0)]),
            ("79".to_owned(), vec![(c, 5.0), (b, 0.0)]),
        ]);
        let op = Operator::from_weights(r9, weights).expect("valid weights");
        let one = op.unit("01").expect("unit 01");
        let mut want = vec![(a, 0.75), (b, 0.25)];
        want.sort_by_key(|(c, _)| *c);
        assert_eq!(one, want.as_slice());
        assert_eq!(op.unit("79"), Some([(c, 1.0)].as_slice()));
        assert_eq!(op.cells().len(), 3);
        assert_eq!(op.entries(), 3);
        for (_, slots, cells) in op.unit_slots() {
            for (s, (c, _)) in slots.iter().zip(cells) {
                assert_eq!(op.cells()[*s as usize], *c);
            }
        }
        let again = Operator::from_shares(
            r9,
            op.units()
                .map(|(u, c)| (u.to_owned(), c.to_vec()))
                .collect(),
        )
        .expect("stored shares");
        assert_eq!(again, op);
        let bad = BTreeMap::from([("01".to_owned(), vec![(a, 0.5)])]);
        assert_eq!(
            Operator::from_shares(r9, bad),
            Err(OperatorError::Shares("01".to_owned()))
        );
    }

    #[test]
    fn bad_weights_are_refused_with_the_unit_named() {
        let r9 = Resolution::Nine;
        let a = cell(21.03, 105.85, r9);
        let zero = BTreeMap::from([("01".to_owned(), vec![(a, 0.0)])]);
        assert_eq!(
            Operator::from_weights(r9, zero),
            Err(OperatorError::Empty("01".to_owned()))
        );
        let neg = BTreeMap::from([("01".to_owned(), vec![(a, -1.0)])]);
        assert!(matches!(
            Operator::from_weights(r9, neg),
            Err(OperatorError::Weight { .. })
        ));
        let coarse = BTreeMap::from([("01".to_owned(), vec![(a, 1.0)])]);
        assert_eq!(
            Operator::from_weights(Resolution::Five, coarse.clone()),
            Err(OperatorError::Resolution(5))
        );
        assert!(matches!(
            Operator::from_weights(Resolution::Eight, coarse),
            Err(OperatorError::CellResolution {
                found: 9,
                expected: 8,
                ..
            })
        ));
    }
}
