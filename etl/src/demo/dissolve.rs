//! Exact dissolve by edge cancellation: parents reuse exactly the children's vertices.
//!
//! Every member ring contributes its directed edges (exteriors counter-clockwise, holes clockwise). An edge
//! present in both directions is interior and cancels; the rest are chained into rings (at a vertex with
//! several ways out, the tightest clockwise turn is taken so touching parts stay separate rings), and
//! rings are classified by the sign of their exact integer area. If that fails (a dead end while chaining,
//! a hole no exterior contains) the caller falls back to geo's polygon union.

use std::collections::{BTreeMap, HashMap};

use geo::{BooleanOps, Contains, Coord, Polygon, unary_union};

use super::grid::{GridPoly, Pt, Ring, area2, clean, from_geo, ring_to_geo, to_geo};

/// Dissolves `members` exactly, or returns None when the remaining edges do not form closed rings.
pub fn dissolve_exact(members: &[&GridPoly]) -> Option<GridPoly> {
    let mut count: HashMap<(Pt, Pt), i32> = HashMap::new();
    for gp in members {
        for ring in gp.iter().flatten() {
            let n = ring.len();
            for i in 0..n {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                if a == b {
                    continue;
                }
                match count.get_mut(&(b, a)) {
                    Some(c) if *c > 0 => *c -= 1,
                    _ => *count.entry((a, b)).or_default() += 1,
                }
            }
        }
    }
    let mut out: BTreeMap<Pt, Vec<Pt>> = BTreeMap::new();
    let mut balance: HashMap<Pt, i64> = HashMap::new();
    let mut edges: Vec<(Pt, Pt)> = Vec::new();
    for (&(a, b), &c) in &count {
        for _ in 0..c {
            edges.push((a, b));
        }
    }
    edges.sort_unstable();
    for (a, b) in edges {
        out.entry(a).or_default().push(b);
        *balance.entry(a).or_default() += 1;
        *balance.entry(b).or_default() -= 1;
    }
    if balance.values().any(|&v| v != 0) {
        return None;
    }
    let mut rings: Vec<Ring> = Vec::new();
    while let Some((&start, _)) = out.iter().find(|(_, v)| !v.is_empty()) {
        let mut ring = vec![start];
        let mut prev: Option<Pt> = None;
        let mut cur = start;
        loop {
            let outs = out.get_mut(&cur).filter(|o| !o.is_empty())?;
            let k = match prev {
                None => 0,
                Some(p) => pick(p, cur, outs),
            };
            let next = outs.swap_remove(k);
            if next == start {
                break;
            }
            ring.push(next);
            prev = Some(cur);
            cur = next;
        }
        out.retain(|_, v| !v.is_empty());
        if let Some(r) = clean(ring) {
            rings.push(r);
        }
    }
    classify(rings)
}

/// Index of the way out of `cur` with the smallest clockwise turn from the way back to `prev`.
fn pick(prev: Pt, cur: Pt, outs: &[Pt]) -> usize {
    let back = ((prev.0 - cur.0) as f64).atan2((prev.1 - cur.1) as f64);
    let mut best = (f64::MIN, 0);
    for (k, o) in outs.iter().enumerate() {
        // atan2(x, y) measures clockwise from north, so (o - back) mod 2π is the clockwise turn.
        let a = ((o.0 - cur.0) as f64).atan2((o.1 - cur.1) as f64);
        let mut cw = a - back;
        while cw <= 0.0 {
            cw += std::f64::consts::TAU;
        }
        let key = -cw;
        if key > best.0 || (key == best.0 && o < &outs[best.1]) {
            best = (key, k);
        }
    }
    best.1
}

fn classify(rings: Vec<Ring>) -> Option<GridPoly> {
    let (exts, holes): (Vec<Ring>, Vec<Ring>) = rings.into_iter().partition(|r| area2(r) > 0);
    let geo_exts: Vec<(Polygon<f64>, i128)> = exts
        .iter()
        .map(|r| (Polygon::new(ring_to_geo(r), vec![]), area2(r)))
        .collect();
    let mut polys: Vec<Vec<Ring>> = exts.into_iter().map(|r| vec![r]).collect();
    for h in holes {
        let mut owner: Option<(usize, i128)> = None;
        for p in &h {
            let c = Coord {
                x: p.0 as f64 * super::GRID,
                y: p.1 as f64 * super::GRID,
            };
            for (k, (g, a)) in geo_exts.iter().enumerate() {
                if g.contains(&c) && owner.is_none_or(|(_, b)| *a < b) {
                    owner = Some((k, *a));
                }
            }
            if owner.is_some() {
                break;
            }
        }
        polys[owner?.0].push(h);
    }
    Some(polys)
}

/// Dissolves `members`, exactly when possible, else with geo's union (counted in `fallbacks`).
pub fn dissolve(members: &[&GridPoly], fallbacks: &mut usize) -> GridPoly {
    if let Some(gp) = dissolve_exact(members) {
        return gp;
    }
    *fallbacks += 1;
    let geos: Vec<_> = members.iter().map(|m| to_geo(m)).collect();
    from_geo(&unary_union(geos.iter()))
}

/// The part of `a` inside `b`, on the grid (used by tests and the split shares).
pub fn intersection_area(a: &GridPoly, b: &GridPoly) -> f64 {
    use geo::Area;
    to_geo(a).intersection(&to_geo(b)).unsigned_area()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: i64, y: i64) -> GridPoly {
        vec![vec![vec![
            (x, y),
            (x + 10, y),
            (x + 10, y + 10),
            (x, y + 10),
        ]]]
    }

    #[test]
    fn two_squares_merge_into_one_rectangle_with_their_vertices() {
        let (a, b) = (square(0, 0), square(10, 0));
        let d = dissolve_exact(&[&a, &b]).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].len(), 1);
        let mut r = d[0][0].clone();
        r.sort();
        assert_eq!(
            r,
            vec![(0, 0), (0, 10), (10, 0), (10, 10), (20, 0), (20, 10)]
        );
        assert_eq!(area2(&d[0][0]), 2 * 200);
    }

    #[test]
    fn a_ring_of_eight_squares_has_a_hole_and_corner_touching_squares_stay_apart() {
        let ring: Vec<GridPoly> = [
            (0, 0),
            (10, 0),
            (20, 0),
            (0, 10),
            (20, 10),
            (0, 20),
            (10, 20),
            (20, 20),
        ]
        .iter()
        .map(|&(x, y)| square(x, y))
        .collect();
        let refs: Vec<&GridPoly> = ring.iter().collect();
        let d = dissolve_exact(&refs).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].len(), 2, "exterior + hole");
        assert_eq!(area2(&d[0][0]), 2 * 900);
        assert_eq!(area2(&d[0][1]), -2 * 100);
        let (a, b) = (square(0, 0), square(10, 10));
        let d = dissolve_exact(&[&a, &b]).unwrap();
        assert_eq!(
            d.len(),
            2,
            "two squares touching at a corner stay two polygons"
        );
        assert!(d.iter().all(|p| p[0].len() == 4));
    }

    #[test]
    fn mismatched_members_fall_back_to_union() {
        // A T-junction: b's left edge has a vertex a lacks; the leftover edges still close, area is exact.
        let a = square(0, 0);
        let b: GridPoly = vec![vec![vec![(10, 0), (20, 0), (20, 10), (10, 10), (10, 5)]]];
        let mut fallbacks = 0;
        let d = dissolve(&[&a, &b], &mut fallbacks);
        let total: i128 = d.iter().flatten().map(|r| area2(r)).sum();
        assert_eq!(total, 2 * 200);
        assert_eq!(fallbacks, 0);
        // A clockwise ring alone is a hole with no exterior to own it.
        let c: GridPoly = vec![vec![vec![(30, 0), (40, 0), (40, 10)]]];
        let orphan: GridPoly = vec![vec![vec![(0, 0), (0, 10), (10, 0)]]];
        assert!(
            dissolve_exact(&[&c, &orphan]).is_none(),
            "an orphan hole cannot be dissolved exactly"
        );
        let _ = dissolve(&[&c, &orphan], &mut fallbacks);
        assert_eq!(fallbacks, 1);
    }
}
