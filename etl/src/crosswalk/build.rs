//! Building a crosswalk from the units of two versions, with or without an official mapping.
//!
//! Whole merges of the mapping get share 1 (exact). A split old unit's people are spread over
//! H3 cells by [`PeopleWeights`]; each cell goes to the candidate new unit containing its
//! centre (the nearest candidate when none does) and the shares are the candidates' weight
//! sums, renormalised. Without a mapping, every old unit is split that way over all new units
//! (an old unit whose cells all land in one new unit is then an exact whole merge).

use std::collections::{BTreeMap, BTreeSet};

use geo::{Area, BooleanOps, Centroid, Contains, Distance, Euclidean, Point};
use geodata::Unit;
use geodata::{Crosswalk, Part};
use h3o::{CellIndex, LatLng};
use rstar::{AABB, RTree};

use super::CrosswalkBuildError;
use super::mapping::Mapping;
use super::weights::PeopleWeights;
use crate::unitindex::{UnitBox, unit_index};

/// A whole merge whose old polygon lies less than this fraction inside its new unit is reported.
pub const MIN_CONTAINED: f64 = 0.9;

/// An old unit the mapping and the geometry disagree on.
#[derive(Debug, Clone, PartialEq)]
pub enum Disagreement {
    /// A whole merge whose old polygon lies mostly outside its mapped new unit.
    NotContained {
        /// Old unit.
        old: String,
        /// Mapped new unit.
        new: String,
        /// Fraction of the old polygon's area inside the new one.
        fraction: f64,
    },
    /// A split candidate whose polygon holds none of the old unit's cell centres.
    NoCell {
        /// Old unit.
        old: String,
        /// The candidate new unit.
        new: String,
    },
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Disagreement::NotContained { old, new, fraction } => write!(
                f,
                "{old} → {new}: whole merge, but only {:.1}% of {old} lies in {new}",
                fraction * 100.0
            ),
            Disagreement::NoCell { old, new } => {
                write!(
                    f,
                    "{old} → {new}: split candidate receives no H3 cell of {old}"
                )
            }
        }
    }
}

/// A built crosswalk with where each old unit's rows came from and what disagreed.
#[derive(Debug, Clone)]
pub struct Built {
    /// The checked crosswalk.
    pub crosswalk: Crosswalk,
    /// Old unit → `mapping` (whole merge from the table) or `geometry` (cell weights).
    pub sources: BTreeMap<String, String>,
    /// Mapping/geometry disagreements, by old unit.
    pub disagreements: Vec<Disagreement>,
    /// How it was built.
    pub method: String,
}

/// The new units with a spatial index of their bounding boxes.
struct NewIndex<'a> {
    units: Vec<&'a Unit>,
    by_code: BTreeMap<&'a str, usize>,
    tree: RTree<UnitBox>,
}

impl<'a> NewIndex<'a> {
    fn new(units: Vec<&'a Unit>) -> Self {
        let by_code = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.code.as_str(), i))
            .collect();
        NewIndex {
            tree: unit_index(&units),
            units,
            by_code,
        }
    }

    /// The unit among `candidates` (indices; `None` = all) whose polygon contains `p`, else the
    /// nearest one.
    fn assign(&self, p: Point<f64>, candidates: Option<&[usize]>) -> Option<usize> {
        match candidates {
            Some(list) => list
                .iter()
                .copied()
                .find(|&i| self.units[i].geometry.contains(&p))
                .or_else(|| {
                    list.iter().copied().min_by(|&a, &b| {
                        let da = Euclidean.distance(&p, &self.units[a].geometry);
                        let db = Euclidean.distance(&p, &self.units[b].geometry);
                        da.total_cmp(&db)
                    })
                }),
            None => {
                let at = AABB::from_point([p.x(), p.y()]);
                if let Some(hit) = self
                    .tree
                    .locate_in_envelope_intersecting(&at)
                    .map(|g| g.data)
                    .find(|&i| self.units[i].geometry.contains(&p))
                {
                    return Some(hit);
                }
                // Outside every polygon (a coastal cell): the nearest of the few nearest boxes.
                let near: Vec<usize> = self
                    .tree
                    .nearest_neighbor_iter(&[p.x(), p.y()])
                    .take(8)
                    .map(|g| g.data)
                    .collect();
                self.assign(p, Some(&near))
            }
        }
    }
}

/// Builds the crosswalk between the communes of `old` and `new` (units of other levels are
/// ignored). `mapping` is the checked official table, if any.
pub fn build(
    from: &str,
    to: &str,
    old: &[Unit],
    new: &[Unit],
    mapping: Option<&Mapping>,
    weights: &dyn PeopleWeights,
) -> Result<Built, CrosswalkBuildError> {
    let is_commune = |u: &&Unit| u.level == geodata::Level::Commune;
    let old: Vec<&Unit> = old.iter().filter(is_commune).collect();
    let index = NewIndex::new(new.iter().filter(is_commune).collect());
    let mut rows: BTreeMap<String, Vec<Part>> = BTreeMap::new();
    let mut sources = BTreeMap::new();
    let mut disagreements = Vec::new();
    for unit in &old {
        let target = mapping.and_then(|m| m.rows.get(&unit.code));
        match target {
            Some(t) if !t.split => {
                let new_code = &t.new_codes[0];
                let fraction =
                    contained_fraction(unit, index.units[index.by_code[new_code.as_str()]]);
                if fraction < MIN_CONTAINED {
                    disagreements.push(Disagreement::NotContained {
                        old: unit.code.clone(),
                        new: new_code.clone(),
                        fraction,
                    });
                }
                rows.insert(
                    unit.code.clone(),
                    vec![Part {
                        new_code: new_code.clone(),
                        share: 1.0,
                        exact: true,
                    }],
                );
                sources.insert(unit.code.clone(), "mapping".to_owned());
            }
            _ => {
                let candidates: Option<Vec<usize>> = target.map(|t| {
                    t.new_codes
                        .iter()
                        .map(|c| index.by_code[c.as_str()])
                        .collect()
                });
                let cells = weights.weights(unit)?;
                let parts = split(
                    &index,
                    unit,
                    &cells,
                    candidates.as_deref(),
                    &mut disagreements,
                )?;
                rows.insert(unit.code.clone(), parts);
                sources.insert(unit.code.clone(), "geometry".to_owned());
            }
        }
    }
    let new_codes: BTreeSet<String> = index.units.iter().map(|u| u.code.clone()).collect();
    let crosswalk = Crosswalk::new(from, to, rows, &new_codes)?;
    let method = match mapping {
        Some(m) => format!(
            "mapping {} (whole merges exact); splits by {} assigned by cell centre",
            m.file,
            weights.describe()
        ),
        None => format!("geometry: {} assigned by cell centre", weights.describe()),
    };
    Ok(Built {
        crosswalk,
        sources,
        disagreements,
        method,
    })
}

/// Fraction of `old`'s area inside `new` (planar degrees: only the ratio is used).
fn contained_fraction(old: &Unit, new: &Unit) -> f64 {
    let total = old.geometry.unsigned_area();
    if total <= 0.0 {
        return 1.0;
    }
    old.geometry.intersection(&new.geometry).unsigned_area() / total
}

/// The parts of one old unit from its cells: each cell's weight goes to the new unit holding
/// its centre (for a border cell, the centroid of its part inside the old unit). With candidates, a candidate that gets no cell is reported and given the cell
/// nearest to it when that cell's unit keeps another, so it still has a predecessor.
fn split(
    index: &NewIndex,
    unit: &Unit,
    cells: &[(CellIndex, f64)],
    candidates: Option<&[usize]>,
    disagreements: &mut Vec<Disagreement>,
) -> Result<Vec<Part>, CrosswalkBuildError> {
    let centre = |c: CellIndex| {
        let ll = LatLng::from(c);
        Point::new(ll.lng(), ll.lat())
    };
    let mut owner: Vec<usize> = Vec::with_capacity(cells.len());
    for (cell, _) in cells {
        // A border cell whose centre lies outside the old unit stands for its part inside it:
        // place it at that part's centroid, or it would feed a neighbour of the old unit.
        let mut at = centre(*cell);
        if !unit.geometry.contains(&at) {
            let inside = unit.geometry.intersection(&geo::MultiPolygon::from(*cell));
            if let Some(c) = inside.centroid() {
                at = c;
            }
        }
        let i = index
            .assign(at, candidates)
            .ok_or_else(|| CrosswalkBuildError::Unassigned(unit.code.clone()))?;
        owner.push(i);
    }
    if let Some(list) = candidates {
        for &cand in list {
            if owner.contains(&cand) {
                continue;
            }
            disagreements.push(Disagreement::NoCell {
                old: unit.code.clone(),
                new: index.units[cand].code.clone(),
            });
            let nearest = (0..cells.len())
                .filter(|&k| owner.iter().filter(|&&o| o == owner[k]).count() > 1)
                .min_by(|&a, &b| {
                    let g = &index.units[cand].geometry;
                    Euclidean
                        .distance(&centre(cells[a].0), g)
                        .total_cmp(&Euclidean.distance(&centre(cells[b].0), g))
                });
            if let Some(k) = nearest {
                owner[k] = cand;
            }
        }
    }
    let mut sums: BTreeMap<usize, f64> = BTreeMap::new();
    for ((_, w), o) in cells.iter().zip(&owner) {
        *sums.entry(*o).or_default() += w;
    }
    sums.retain(|_, w| *w > 0.0);
    let total: f64 = sums.values().sum();
    if sums.is_empty() || total <= 0.0 {
        return Err(CrosswalkBuildError::Unassigned(unit.code.clone()));
    }
    let whole = sums.len() == 1;
    Ok(sums
        .into_iter()
        .map(|(i, w)| Part {
            new_code: index.units[i].code.clone(),
            share: if whole { 1.0 } else { w / total },
            exact: whole && candidates.is_none(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crosswalk::AreaWeights;
    use crate::crosswalk::mapping::Target;
    use geo::{MultiPolygon, Rect, coord};
    use geodata::Level;
    use h3o::Resolution;

    const S: f64 = 0.02;

    fn unit(code: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> Unit {
        let rect = Rect::new(
            coord! { x: 105.0 + x0 * S, y: 21.0 + y0 * S },
            coord! { x: 105.0 + x1 * S, y: 21.0 + y1 * S },
        );
        Unit {
            code: code.into(),
            name: code.into(),
            level: Level::Commune,
            parent_code: None,
            area_km2: 1.0,
            geometry: MultiPolygon(vec![rect.to_polygon()]),
        }
    }

    /// Old A (bottom row) is split between new X (left) and Y (right); old B (top row) is Z.
    fn versions() -> (Vec<Unit>, Vec<Unit>) {
        let old = vec![unit("A", 0.0, 0.0, 2.0, 1.0), unit("B", 0.0, 1.0, 2.0, 2.0)];
        let new = vec![
            unit("X", 0.0, 0.0, 1.0, 1.0),
            unit("Y", 1.0, 0.0, 2.0, 1.0),
            unit("Z", 0.0, 1.0, 2.0, 2.0),
        ];
        (old, new)
    }

    #[test]
    fn geometry_alone_splits_by_cells_and_keeps_whole_units_exact() {
        let (old, new) = versions();
        let built = build("o", "n", &old, &new, None, &AreaWeights(Resolution::Nine)).unwrap();
        let a = built.crosswalk.parts("A").unwrap();
        assert_eq!(a.len(), 2);
        assert!(a.iter().all(|p| !p.exact));
        assert!((a[0].share - 0.5).abs() < 0.1, "{a:?}");
        let b = built.crosswalk.parts("B").unwrap();
        assert_eq!(b.len(), 1);
        assert!(b[0].exact && b[0].share == 1.0 && b[0].new_code == "Z");
        assert!(built.disagreements.is_empty());
        assert!(built.method.contains("r9"), "{}", built.method);
    }

    #[test]
    fn mapping_whole_merges_are_exact_and_disagreements_are_reported() {
        let (old, new) = versions();
        let mut mapping = Mapping::default();
        mapping.rows.insert(
            "A".into(),
            Target {
                new_codes: vec!["X".into(), "Y".into(), "Z".into()],
                split: true,
            },
        );
        // Wrong on purpose: B lies in Z, not in Y.
        mapping.rows.insert(
            "B".into(),
            Target {
                new_codes: vec!["Y".into()],
                split: false,
            },
        );
        let built = build(
            "o",
            "n",
            &old,
            &new,
            Some(&mapping),
            &AreaWeights(Resolution::Nine),
        )
        .unwrap();
        let b = built.crosswalk.parts("B").unwrap();
        assert_eq!((b[0].new_code.as_str(), b[0].exact), ("Y", true));
        // Z received no cell centre of A but still gets one cell, so it has a predecessor.
        let a = built.crosswalk.parts("A").unwrap();
        let codes: Vec<&str> = a.iter().map(|p| p.new_code.as_str()).collect();
        assert_eq!(codes, ["X", "Y", "Z"]);
        let sum: f64 = a.iter().map(|p| p.share).sum();
        assert!((sum - 1.0).abs() < 1e-12);
        assert_eq!(built.disagreements.len(), 2, "{:?}", built.disagreements);
        assert!(matches!(
            &built.disagreements[0],
            Disagreement::NoCell { old, new } if old == "A" && new == "Z"
        ));
        assert!(matches!(
            &built.disagreements[1],
            Disagreement::NotContained { old, new, fraction } if old == "B" && new == "Y" && *fraction < 0.01
        ));
        assert_eq!(built.sources["B"], "mapping");
        assert_eq!(built.sources["A"], "geometry");
    }
}
