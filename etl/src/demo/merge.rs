//! vn-2025 communes built from the vn-2019 cells so they agree with the official mapping.
//!
//! A new commune is the exact dissolve of the old cells merged into it plus its pieces of the old cells
//! that were split. A split cell is divided by the Voronoi diagram of just its new communes' points
//! (cell ∩ restricted Voronoi region, geo's boolean intersection snapped to the grid; crossing points the
//! pieces computed separately are merged). Every crossing point is then inserted into every ring edge it
//! lies on (noding), so neighbours share identical vertices across old and new borders.

use std::collections::{HashMap, HashSet};

use geo::{BooleanOps, BoundingRect, Coord, LineString, Polygon};

use super::carry::restricted_region;
use super::dissolve::dissolve;
use super::grid::{GridPoly, Pt, Ring, clean, from_geo, orient, to_geo};
use super::inputs::Inputs;
use super::voronoi::Merger;

/// Bucket side of the crossing-point index, grid units (0.01°).
const BUCKET: i64 = 100_000;

/// The vn-2025 commune polygons (in `Inputs::communes_2025` order), or the codes that got no piece.
pub fn communes_2025(
    data: &Inputs,
    cells: &[GridPoly],
    fallbacks: &mut usize,
) -> Result<Vec<GridPoly>, Vec<String>> {
    let new_index: HashMap<&str, usize> = data
        .communes_2025
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();
    let originals: HashSet<Pt> = cells
        .iter()
        .flatten()
        .flatten()
        .flatten()
        .copied()
        .collect();
    let mut merger = Merger::new(originals.clone());
    let mut pieces: Vec<(usize, GridPoly)> = Vec::new();
    for (i, c) in data.communes_2019.iter().enumerate() {
        let targets: Vec<usize> = data.mapping[&c.code]
            .iter()
            .map(|t| new_index[t.as_str()])
            .collect();
        if targets.len() == 1 {
            pieces.push((targets[0], cells[i].clone()));
            continue;
        }
        let cell = to_geo(&cells[i]);
        let Some(b) = cell.bounding_rect() else {
            continue;
        };
        let sites: Vec<(f64, f64)> = targets
            .iter()
            .map(|&t| (data.communes_2025[t].lon, data.communes_2025[t].lat))
            .collect();
        let xs = sites.iter().map(|s| s.0).chain([b.min().x, b.max().x]);
        let ys = sites.iter().map(|s| s.1).chain([b.min().y, b.max().y]);
        let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (y0, y1) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let bounds = [
            Coord {
                x: x0 - 1.0,
                y: y0 - 1.0,
            },
            Coord {
                x: x1 + 1.0,
                y: y0 - 1.0,
            },
            Coord {
                x: x1 + 1.0,
                y: y1 + 1.0,
            },
            Coord {
                x: x0 - 1.0,
                y: y1 + 1.0,
            },
        ];
        for (k, &t) in targets.iter().enumerate() {
            let region = restricted_region(&sites, k, &bounds);
            if region.is_empty() {
                continue;
            }
            let piece = merger.apply(from_geo(
                &Polygon::new(LineString::from(region), vec![]).intersection(&cell),
            ));
            if !piece.is_empty() {
                pieces.push((t, piece));
            }
        }
    }
    // Noding: insert every new vertex into the ring edges it lies on.
    let mut index: HashMap<(i64, i64), Vec<Pt>> = HashMap::new();
    let mut seen = HashSet::new();
    for (_, gp) in &pieces {
        for p in gp.iter().flatten().flatten() {
            if !originals.contains(p) && seen.insert(*p) {
                index
                    .entry((p.0.div_euclid(BUCKET), p.1.div_euclid(BUCKET)))
                    .or_default()
                    .push(*p);
            }
        }
    }
    for (_, gp) in pieces.iter_mut() {
        for poly in gp.iter_mut() {
            for (k, ring) in poly.iter_mut().enumerate() {
                let noded = node(ring, &index);
                if let Some(r) = clean(noded) {
                    *ring = orient(r, k == 0);
                }
            }
        }
    }
    let mut members: Vec<Vec<&GridPoly>> = vec![Vec::new(); data.communes_2025.len()];
    for (t, gp) in &pieces {
        members[*t].push(gp);
    }
    let empty: Vec<String> = members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_empty())
        .map(|(j, _)| data.communes_2025[j].code.clone())
        .collect();
    if !empty.is_empty() {
        return Err(empty);
    }
    Ok(members.iter().map(|m| dissolve(m, fallbacks)).collect())
}

/// The ring with every indexed point that lies inside one of its edges inserted in order.
fn node(ring: &Ring, index: &HashMap<(i64, i64), Vec<Pt>>) -> Ring {
    let n = ring.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        out.push(a);
        let (dx, dy) = ((b.0 - a.0) as i128, (b.1 - a.1) as i128);
        let len2 = dx * dx + dy * dy;
        if len2 == 0 {
            continue;
        }
        let mut on: Vec<(i128, Pt)> = Vec::new();
        for bx in a.0.min(b.0).div_euclid(BUCKET)..=a.0.max(b.0).div_euclid(BUCKET) {
            for by in a.1.min(b.1).div_euclid(BUCKET)..=a.1.max(b.1).div_euclid(BUCKET) {
                for &p in index.get(&(bx, by)).map(Vec::as_slice).unwrap_or(&[]) {
                    if p == a || p == b {
                        continue;
                    }
                    let (px, py) = ((p.0 - a.0) as i128, (p.1 - a.1) as i128);
                    let cross = dx * py - dy * px;
                    let dot = dx * px + dy * py;
                    // Within 2 grid units of the segment, strictly between its ends.
                    if dot > 0 && dot < len2 && cross * cross <= 4 * len2 {
                        on.push((dot, p));
                    }
                }
            }
        }
        on.sort_unstable();
        out.extend(on.into_iter().map(|(_, p)| p));
    }
    out
}
