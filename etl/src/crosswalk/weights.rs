//! Where a split old unit's people are, for a crosswalk: H3 cells with weights. Area weights
//! by default; with a stored H3 operator of the old version, its people per cell spread over
//! finer cells by area (dasymetric refinement), so a split follows people, not land.

use std::collections::{HashMap, HashSet};

use geodata::Unit;
use geodata::{CoverageError, Operator, area_weights};
use h3o::{CellIndex, Resolution};

/// Where a split unit's people are: its H3 cells with non-negative weights.
pub trait PeopleWeights: Sync {
    /// The cells and weights of one old unit.
    fn weights(&self, unit: &Unit) -> Result<Vec<(CellIndex, f64)>, CoverageError>;
    /// A short description for the crosswalk's method text.
    fn describe(&self) -> String;
}

/// Area weights at one H3 resolution (people proportional to area inside the unit).
#[derive(Debug, Clone, Copy)]
pub struct AreaWeights(pub Resolution);

impl PeopleWeights for AreaWeights {
    fn weights(&self, unit: &Unit) -> Result<Vec<(CellIndex, f64)>, CoverageError> {
        area_weights(&unit.code, &unit.geometry, self.0)
    }

    fn describe(&self) -> String {
        format!("area weights at H3 r{}", u8::from(self.0))
    }
}

/// Area weights at r9, or r10 for units under `fine_below_km2` (an urban ward of 1 km² has only
/// ~10 r9 cells, too coarse to split it between three new wards).
#[derive(Debug, Clone, Copy)]
pub struct AdaptiveAreaWeights {
    /// Below this area (km²) a unit is measured at r10.
    pub fine_below_km2: f64,
}

impl PeopleWeights for AdaptiveAreaWeights {
    fn weights(&self, unit: &Unit) -> Result<Vec<(CellIndex, f64)>, CoverageError> {
        let res = if unit.area_km2 < self.fine_below_km2 {
            Resolution::Ten
        } else {
            Resolution::Nine
        };
        area_weights(&unit.code, &unit.geometry, res)
    }

    fn describe(&self) -> String {
        format!(
            "area weights at H3 r9 (r10 below {} km²)",
            self.fine_below_km2
        )
    }
}

/// The people of a stored H3 operator of the old version, refined by area: each fine cell of
/// `fine` gets its operator cell's share of the unit times its part of that cell's area inside
/// the unit (the unit's mean density where the operator lacks the parent cell). With an area
/// operator this is area weighting again, to within H3's imperfect nesting; with one built from points
/// or a weight table, a split follows where people live. A unit the operator lacks (or gives
/// no people) falls back to `fine`'s area weights.
#[derive(Debug)]
pub struct OperatorWeights<W> {
    /// The old version's operator.
    pub operator: Operator,
    /// Its description (`area`, `points:FILE ...`).
    pub source: String,
    /// The fine area weights refined.
    pub fine: W,
}

impl<W: PeopleWeights> PeopleWeights for OperatorWeights<W> {
    fn weights(&self, unit: &Unit) -> Result<Vec<(CellIndex, f64)>, CoverageError> {
        let fine = self.fine.weights(unit)?;
        let Some(people) = self.operator.unit(&unit.code) else {
            return Ok(fine);
        };
        let res = self.operator.resolution();
        if fine.first().is_none_or(|(c, _)| c.resolution() <= res) {
            // The operator is as fine as the area weights: its cells are the answer.
            return Ok(people.to_vec());
        }
        let share: HashMap<CellIndex, f64> = people.iter().copied().collect();
        let up = |c: &CellIndex| c.parent(res).unwrap_or(*c);
        let mut area_in: HashMap<CellIndex, f64> = HashMap::new();
        for (c, a) in &fine {
            *area_in.entry(up(c)).or_default() += a;
        }
        // H3 children overhang their parent, so a fine cell at the unit's edge can have a
        // parent that does not meet the unit at all: it gets the unit's mean density. A
        // parent that meets the unit but is absent from the operator has no people.
        let all: f64 = fine.iter().map(|(_, a)| a).sum();
        let meets = cover(unit, res);
        let refined: Vec<(CellIndex, f64)> = fine
            .iter()
            .map(|(c, a)| {
                let p = up(c);
                let total = area_in[&p];
                let w = match share.get(&p) {
                    Some(s) if total > 0.0 => s * a / total,
                    Some(_) => 0.0,
                    None if !meets.contains(&p) && all > 0.0 => a / all,
                    None => 0.0,
                };
                (*c, w)
            })
            .collect();
        if refined.iter().all(|(_, w)| *w <= 0.0) {
            return Ok(fine);
        }
        Ok(refined)
    }

    fn describe(&self) -> String {
        format!(
            "people of the stored H3 r{} operator ({}) refined by {}",
            u8::from(self.operator.resolution()),
            self.source,
            self.fine.describe()
        )
    }
}

/// The cells of resolution `res` that meet the unit's polygon (none if the tiler refuses it).
fn cover(unit: &Unit, res: Resolution) -> HashSet<CellIndex> {
    use h3o::geom::{ContainmentMode, TilerBuilder};
    let mut tiler = TilerBuilder::new(res)
        .containment_mode(ContainmentMode::Covers)
        .build();
    for polygon in &unit.geometry.0 {
        if tiler.add(polygon.clone()).is_err() {
            return HashSet::new();
        }
    }
    tiler.into_coverage().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, Rect};
    use geodata::Level;
    use std::collections::BTreeMap;

    fn square() -> Unit {
        let g = MultiPolygon::from(Rect::new((105.80, 21.00), (105.86, 21.05)).to_polygon());
        Unit {
            code: "00001".into(),
            name: "Xã Thử".into(),
            level: Level::Commune,
            parent_code: None,
            area_km2: crate::geometry::geodesic_area_km2(&g),
            geometry: g,
        }
    }

    #[test]
    fn operator_people_are_refined_by_area_and_area_operators_change_nothing() {
        let unit = square();
        let r7 = Resolution::Seven;
        let fine = AreaWeights(Resolution::Nine);
        let area7 = area_weights(&unit.code, &unit.geometry, r7).unwrap();
        assert!(area7.len() > 3);

        // An area operator: the refined weights are the fine area weights, up to a factor.
        let op = Operator::from_weights(r7, BTreeMap::from([(unit.code.clone(), area7.clone())]))
            .unwrap();
        let w = OperatorWeights {
            operator: op,
            source: "area".into(),
            fine,
        };
        let got = w.weights(&unit).unwrap();
        let plain = fine.weights(&unit).unwrap();
        let (sg, sp): (f64, f64) = (
            got.iter().map(|c| c.1).sum(),
            plain.iter().map(|c| c.1).sum(),
        );
        assert_eq!(got.len(), plain.len());
        // H3 children do not tile their parent exactly, so "up to a factor" holds per r7
        // cell and the whole distribution moves by a little: under 2% of the people.
        let mut moved = 0.0;
        for ((c1, a), (c2, b)) in got.iter().zip(&plain) {
            assert_eq!(c1, c2);
            moved += (a / sg - b / sp).abs() / 2.0;
        }
        assert!(moved < 0.02, "{:.2}% of the people moved", moved * 100.0);

        // Everybody in one r7 cell: only its r9 children carry weight, split by their area.
        let home = area7[0].0;
        let op = Operator::from_weights(
            r7,
            BTreeMap::from([(
                unit.code.clone(),
                area7
                    .iter()
                    .map(|(c, _)| (*c, if *c == home { 1.0 } else { 0.0 }))
                    .collect(),
            )]),
        )
        .unwrap();
        let w = OperatorWeights {
            operator: op,
            source: "points:x.csv".into(),
            fine,
        };
        let got = w.weights(&unit).unwrap();
        let total: f64 = got.iter().map(|c| c.1).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        for (c, weight) in &got {
            let inside = c.parent(r7) == Some(home);
            assert_eq!(*weight > 0.0, inside, "{c}");
        }
        assert!(
            w.describe()
                .starts_with("people of the stored H3 r7 operator (points:x.csv)")
        );

        // A unit the operator lacks keeps area weights.
        let mut other = square();
        other.code = "00002".into();
        assert_eq!(w.weights(&other).unwrap(), plain);
    }
}
