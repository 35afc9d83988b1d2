//! The H3 population operator: per unit, the H3 cells holding its people with their shares.
//!
//! Applying it to a snapshot's commune counts gives integer cell counts by largest remainder
//! inside each unit, so the cells of a unit sum exactly to its count; coarser resolutions are
//! sums of children. The cost is a sparse mat-vec, not a geometry job.

use std::collections::BTreeMap;

use h3o::{CellIndex, Resolution};

use crate::store::ValueTable;

/// Finest resolution the operator may be built at.
pub const FINEST: Resolution = Resolution::Ten;
/// Coarsest resolution the operator may be built at.
pub const COARSEST_BUILD: Resolution = Resolution::Seven;
/// Coarsest resolution cell counts are aggregated to.
pub const COARSEST_OUTPUT: Resolution = Resolution::Four;

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
}

/// The sparse operator W: per unit code, its cells (sorted, distinct) and shares summing to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    resolution: Resolution,
    units: BTreeMap<String, Vec<(CellIndex, f64)>>,
}

/// Cell counts at one resolution: cell → indicator id → count.
pub type CellCounts = BTreeMap<CellIndex, BTreeMap<String, i64>>;

impl Operator {
    /// Builds the operator from raw non-negative weights per unit (duplicate cells are summed),
    /// normalising them to shares that sum to 1 per unit.
    pub fn from_weights(
        resolution: Resolution,
        weights: BTreeMap<String, Vec<(CellIndex, f64)>>,
    ) -> Result<Self, OperatorError> {
        if resolution < COARSEST_BUILD || resolution > FINEST {
            return Err(OperatorError::Resolution(u8::from(resolution)));
        }
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
        Ok(Self { resolution, units })
    }

    /// The fine resolution the operator maps to.
    pub fn resolution(&self) -> Resolution {
        self.resolution
    }

    /// The cells and shares of one unit, if it is in the operator.
    pub fn unit(&self, code: &str) -> Option<&[(CellIndex, f64)]> {
        self.units.get(code).map(Vec::as_slice)
    }

    /// Number of units in the operator.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether the operator has no unit.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Cell counts at the fine resolution for the given indicators of the units in `values`
    /// (units missing from the operator, e.g. provinces, are skipped).
    pub fn apply(&self, values: &ValueTable, indicators: &[&str]) -> CellCounts {
        let mut out = CellCounts::new();
        for (code, cells) in &self.units {
            let Some(row) = values.get(code) else {
                continue;
            };
            let shares: Vec<f64> = cells.iter().map(|(_, s)| *s).collect();
            for indicator in indicators {
                let Some(&total) = row.get(*indicator) else {
                    continue;
                };
                for ((cell, _), count) in cells.iter().zip(largest_remainder(total, &shares)) {
                    if count != 0 {
                        *out.entry(*cell)
                            .or_default()
                            .entry((*indicator).to_owned())
                            .or_default() += count;
                    }
                }
            }
        }
        out
    }
}

/// Errors measuring a unit's cells.
#[derive(Debug, thiserror::Error)]
#[error("unit {unit}: polygon refused by the H3 tiler: {source}")]
pub struct CoverageError {
    /// The unit code.
    pub unit: String,
    /// The tiler's reason.
    pub source: h3o::error::InvalidGeometry,
}

/// Area weights of a unit's polygon (WGS84 degrees): every cell it touches with the area (m²)
/// of the cell inside it. Cells fully inside skip the geometry op; border cells are clipped, so
/// a border cell is shared between neighbours by area and never counted twice.
pub fn area_weights(
    unit: &str,
    polygon: &geo::MultiPolygon<f64>,
    resolution: Resolution,
) -> Result<Vec<(CellIndex, f64)>, CoverageError> {
    use geo::{BooleanOps, ChamberlainDuquetteArea};
    use h3o::geom::{ContainmentMode, TilerBuilder};
    let mut tiler = TilerBuilder::new(resolution)
        .containment_mode(ContainmentMode::Covers)
        .build();
    for part in polygon {
        tiler.add(part.clone()).map_err(|source| CoverageError {
            unit: unit.to_owned(),
            source,
        })?;
    }
    let mut out = Vec::new();
    for annotated in tiler.into_annotated_coverage() {
        let hexagon = geo::MultiPolygon::from(annotated.cell);
        let area = if annotated.is_fully_contained {
            hexagon.chamberlain_duquette_unsigned_area()
        } else {
            polygon
                .intersection(&hexagon)
                .chamberlain_duquette_unsigned_area()
        };
        if area > 0.0 {
            out.push((annotated.cell, area));
        }
    }
    Ok(out)
}

/// Sums cell counts into their parents at `resolution` (coarser than or equal to the cells').
pub fn coarsen(cells: &CellCounts, resolution: Resolution) -> CellCounts {
    let mut out = CellCounts::new();
    for (cell, counts) in cells {
        // A coarser-or-equal resolution always has a parent; an invalid request keeps the cell.
        let parent = cell.parent(resolution).unwrap_or(*cell);
        let entry = out.entry(parent).or_default();
        for (indicator, count) in counts {
            *entry.entry(indicator.clone()).or_default() += count;
        }
    }
    out
}

/// Cell counts at every resolution from `fine` down to r4, finest first.
pub fn pyramid(fine: CellCounts, resolution: Resolution) -> Vec<(Resolution, CellCounts)> {
    let mut levels = vec![(resolution, fine)];
    let mut current = resolution;
    while current > COARSEST_OUTPUT {
        let Some(next) = current.pred() else { break };
        let coarse = coarsen(&levels[levels.len() - 1].1, next);
        levels.push((next, coarse));
        current = next;
    }
    levels
}

/// Splits `total` into integers proportional to `shares` (non-negative, summing to ~1) so they
/// sum exactly to `total`: floors first, then the leftover units go to the largest remainders
/// (ties to the earlier index). Hand-written: a dozen lines, no crate offers it on f64 shares.
pub fn largest_remainder(total: i64, shares: &[f64]) -> Vec<i64> {
    if shares.is_empty() {
        return Vec::new();
    }
    let magnitude = total.unsigned_abs() as f64;
    let sum: f64 = shares.iter().sum();
    let mut parts = Vec::with_capacity(shares.len());
    let mut remainders = Vec::with_capacity(shares.len());
    for (i, share) in shares.iter().enumerate() {
        let exact = if sum > 0.0 {
            magnitude * share / sum
        } else {
            0.0
        };
        let floor = exact.floor();
        parts.push(floor as i64);
        remainders.push((exact - floor, i));
    }
    let mut leftover = total.abs() - parts.iter().sum::<i64>();
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut k = 0;
    while leftover > 0 {
        parts[remainders[k % remainders.len()].1] += 1;
        leftover -= 1;
        k += 1;
    }
    // Float rounding can push the floors one past the total: take it back from the smallest
    // remainders that still have a unit.
    let mut k = remainders.len();
    while leftover < 0 && k > 0 {
        k -= 1;
        let i = remainders[k].1;
        if parts[i] > 0 {
            parts[i] -= 1;
            leftover += 1;
        }
    }
    if total < 0 {
        parts.iter_mut().for_each(|p| *p = -*p);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use h3o::LatLng;

    fn cell(lat: f64, lng: f64, res: Resolution) -> CellIndex {
        LatLng::new(lat, lng)
            .expect("valid coordinate")
            .to_cell(res)
    }

    #[test]
    fn largest_remainder_sums_exactly() {
        let shares = [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0];
        let parts = largest_remainder(100, &shares);
        assert_eq!(parts.iter().sum::<i64>(), 100);
        assert_eq!(parts, vec![34, 33, 33]);
        let parts = largest_remainder(7, &[0.5, 0.3, 0.2]);
        assert_eq!(parts, vec![4, 2, 1]);
        assert_eq!(largest_remainder(-5, &[0.5, 0.5]), vec![-3, -2]);
        let many = vec![1.0 / 997.0; 997];
        assert_eq!(
            largest_remainder(123_457, &many).iter().sum::<i64>(),
            123_457
        );
    }

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
            ("01".to_owned(), BTreeMap::from([("pop".to_owned(), 10)])),
            ("79".to_owned(), BTreeMap::from([("pop".to_owned(), 4)])),
            ("P1".to_owned(), BTreeMap::from([("pop".to_owned(), 14)])),
        ]);
        let fine = op.apply(&values, &["pop"]);
        assert_eq!(fine[&a]["pop"], 7);
        assert_eq!(fine[&b]["pop"], 3);
        assert_eq!(fine[&c]["pop"], 4);
        let levels = pyramid(fine, r9);
        assert_eq!(levels.len(), 6);
        for (res, counts) in &levels {
            assert!(counts.keys().all(|c| c.resolution() == *res));
            assert_eq!(counts.values().map(|m| m["pop"]).sum::<i64>(), 14);
        }
        let r4 = &levels[5].1;
        assert_eq!(r4[&c.parent(Resolution::Four).expect("parent")]["pop"], 4);
    }

    #[test]
    fn area_weights_cover_the_square_and_match_its_area() {
        use geo::{ChamberlainDuquetteArea, polygon};
        let square = geo::MultiPolygon::new(vec![polygon![
            (x: 105.80, y: 21.00), (x: 105.83, y: 21.00), (x: 105.83, y: 21.03),
            (x: 105.80, y: 21.03), (x: 105.80, y: 21.00)
        ]]);
        let weights = area_weights("01", &square, Resolution::Eight).expect("valid square");
        let total: f64 = weights.iter().map(|(_, w)| w).sum();
        let expected = square.chamberlain_duquette_unsigned_area();
        assert!(
            (total / expected - 1.0).abs() < 1e-6,
            "{total} vs {expected}"
        );
        let centre = cell(21.015, 105.815, Resolution::Eight);
        assert!(weights.iter().any(|(c, _)| *c == centre));
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
