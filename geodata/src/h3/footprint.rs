//! A fixed set of H3 cells and what the grid puts in it: the cells whose centre lies in a
//! unit (a footprint that does not move when boundaries do), the units feeding them and their
//! counts, computed per unit exactly as [`Grid::apply`] splits it, so a footprint's series
//! needs only the units that touch it, not the national grid of every period.

use geo::{InteriorPoint, MultiPolygon};
use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, LatLng, Resolution};

#[cfg(doc)]
use crate::h3::grid::Grid;
use crate::h3::grid::{sum_columns, unit_parts};
use crate::model::operator::Operator;
use crate::model::snapshot::ValueTable;

/// The cells of resolution `res` whose centre lies in `geometry`, sorted; a unit smaller than
/// one cell gets the cell holding a point inside it.
pub fn cover(geometry: &MultiPolygon<f64>, res: Resolution) -> Vec<CellIndex> {
    let mut tiler = TilerBuilder::new(res)
        .containment_mode(ContainmentMode::ContainsCentroid)
        .build();
    for polygon in &geometry.0 {
        // A polygon the tiler refuses (a degenerate ring) adds no cell; the fallback below
        // still gives the unit one.
        let _ = tiler.add(polygon.clone());
    }
    let mut cells: Vec<CellIndex> = tiler.into_coverage().collect();
    if cells.is_empty()
        && let Some(p) = geometry.interior_point()
        && let Ok(ll) = LatLng::new(p.y(), p.x())
    {
        cells.push(ll.to_cell(res));
    }
    cells.sort_unstable();
    cells.dedup();
    cells
}

/// The units of `op` with at least one cell in `footprint` (sorted cells of one resolution,
/// no finer than the operator's): whose counts [`footprint_counts`] needs.
pub fn footprint_units<'a>(op: &'a Operator, footprint: &[CellIndex]) -> Vec<&'a str> {
    let Some(res) = footprint.first().map(|c| c.resolution()) else {
        return Vec::new();
    };
    op.units()
        .filter(|(_, cells)| {
            cells.iter().any(|(c, _)| {
                footprint
                    .binary_search(&c.parent(res).unwrap_or(*c))
                    .is_ok()
            })
        })
        .map(|(code, _)| code)
        .collect()
}

/// The sum, over the cells of `footprint` (as for [`footprint_units`]), of what
/// [`Grid::apply`] puts in them from the units in `values`: one count per column of
/// `indicators`. Each unit is split over all its cells exactly as the grid splits it, so a
/// footprint's counts equal the grid's cells summed, without building the national grid.
pub fn footprint_counts(
    op: &Operator,
    values: &ValueTable,
    indicators: &[String],
    footprint: &[CellIndex],
) -> Vec<i64> {
    let mut out = vec![0i64; indicators.len()];
    let Some(res) = footprint.first().map(|c| c.resolution()) else {
        return out;
    };
    let sums = sum_columns(indicators);
    for (code, row) in values {
        let Some(cells) = op.unit(code) else { continue };
        let inside: Vec<bool> = cells
            .iter()
            .map(|(c, _)| {
                footprint
                    .binary_search(&c.parent(res).unwrap_or(*c))
                    .is_ok()
            })
            .collect();
        if !inside.contains(&true) {
            continue;
        }
        let shares: Vec<f64> = cells.iter().map(|(_, s)| *s).collect();
        for (k, p) in unit_parts(row, &shares, indicators, &sums)
            .iter()
            .enumerate()
        {
            let Some(p) = p else { continue };
            out[k] += p
                .iter()
                .zip(&inside)
                .filter(|(_, i)| **i)
                .map(|(v, _)| v)
                .sum::<i64>();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::h3::grid::Grid;
    use crate::model::operator::cell_at as cell;
    use std::collections::BTreeMap;

    #[test]
    fn cover_takes_cells_by_centre_and_never_leaves_a_unit_empty() {
        use geo::{Contains, Point, Rect};
        let r8 = Resolution::Eight;
        let square = MultiPolygon::from(Rect::new((105.80, 21.00), (105.90, 21.10)).to_polygon());
        let cells = cover(&square, r8);
        assert!(cells.windows(2).all(|w| w[0] < w[1]));
        // ~11 km × 10 km over 0.74 km² cells.
        assert!((120..190).contains(&cells.len()), "{} cells", cells.len());
        for c in &cells {
            let centre = LatLng::from(*c);
            assert!(
                square.contains(&Point::new(centre.lng(), centre.lat())),
                "{c}"
            );
        }
        let tiny = MultiPolygon::from(Rect::new((105.850, 21.030), (105.851, 21.031)).to_polygon());
        let one = cover(&tiny, r8);
        assert_eq!(one, [cell(21.0305, 105.8505, r8)]);
    }

    #[test]
    fn a_footprint_holds_what_the_grid_puts_in_its_cells() {
        let r9 = Resolution::Nine;
        let parent = cell(21.03, 105.85, Resolution::Seven);
        let kids: Vec<CellIndex> = parent.children(r9).collect();
        // Three units over overlapping runs of the 49 r9 cells, with uneven weights.
        let weights = BTreeMap::from([
            (
                "a".to_owned(),
                kids[..30].iter().map(|c| (*c, 3.0)).collect::<Vec<_>>(),
            ),
            (
                "b".to_owned(),
                kids[20..]
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (*c, 1.0 + i as f64))
                    .collect(),
            ),
            ("c".to_owned(), vec![(kids[5], 1.0), (kids[40], 2.0)]),
        ]);
        let op = Operator::from_weights(r9, weights).expect("operator");
        let ids = ["population", "males", "females", "urban_population"]
            .map(str::to_owned)
            .to_vec();
        let row = |p: i64, m: i64, u: i64| {
            BTreeMap::from([
                ("population".to_owned(), p),
                ("males".to_owned(), m),
                ("females".to_owned(), p - m),
                ("urban_population".to_owned(), u),
            ])
        };
        let values: ValueTable = BTreeMap::from([
            ("a".to_owned(), row(1_001, 490, 333)),
            ("b".to_owned(), row(777, 380, 700)),
            ("c".to_owned(), row(13, 6, 1)),
        ]);
        let grid = Grid::apply(&op, &values, &ids).expect("grid");
        // Footprints at r9 (a ragged set) and r8 (whole parents).
        let ragged: Vec<CellIndex> = kids.iter().step_by(3).copied().collect();
        let mut coarse: Vec<CellIndex> = kids[..2]
            .iter()
            .map(|c| c.parent(Resolution::Eight).unwrap())
            .collect();
        coarse.dedup();
        for footprint in [ragged, coarse] {
            let res = footprint[0].resolution();
            let level = grid.level(res).expect("level");
            let mut want = vec![0i64; ids.len()];
            for c in &footprint {
                if let Some(i) = level.find(*c) {
                    want.iter_mut()
                        .zip(level.row(i))
                        .for_each(|(w, v)| *w += i64::from(*v));
                }
            }
            assert!(want[0] > 0);
            assert_eq!(
                footprint_counts(&op, &values, &ids, &footprint),
                want,
                "r{res}"
            );
            let feeding = footprint_units(&op, &footprint);
            let only: ValueTable = feeding
                .iter()
                .map(|c| (c.to_string(), values[*c].clone()))
                .collect();
            assert_eq!(footprint_counts(&op, &only, &ids, &footprint), want);
        }
        assert!(footprint_units(&op, &[]).is_empty());
    }
}
