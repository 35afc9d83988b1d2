//! Exact dissolve of units into groups (communes into districts or provinces) through the arc
//! topology: borders between two units of the same group cancel, the remaining arcs are chained
//! into rings. The result reuses the very same vertices as the units, so a parent level can be
//! generalised together with its units ([`crate::geometry::generalise`]) and gets their simplified borders.

use crate::geometry::topology::{ArcRef, Topology, VertexKey, vertex_key};
use geo::{Area, Contains};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use std::collections::HashMap;

/// Dissolves the units of `topo` into `group_count` groups; `group_of[u]` is unit u's group
/// (`None` leaves the unit out). Returns one multipolygon per group (empty if it has no unit).
///
/// Ring orientation of the input does not matter (exteriors are taken counter-clockwise, holes
/// clockwise). Where a group touches itself at a single point the chaining may produce one ring
/// that touches itself there.
pub fn dissolve(
    topo: &Topology,
    group_of: &[Option<usize>],
    group_count: usize,
) -> Vec<MultiPolygon<f64>> {
    // Per group: net use of each arc (+1 forward, -1 backward).
    let mut net: Vec<HashMap<u32, i32>> = vec![HashMap::new(); group_count];
    for (u, polys) in topo.units.iter().enumerate() {
        let Some(g) = group_of.get(u).copied().flatten() else {
            continue;
        };
        for p in polys {
            let ext = oriented(topo, &p.exterior, true);
            let holes = p.interiors.iter().map(|h| oriented(topo, h, false));
            for r in std::iter::once(ext).chain(holes).flatten() {
                *net[g].entry(r.arc).or_default() += if r.reversed { -1 } else { 1 };
            }
        }
    }
    net.into_iter()
        .map(|arcs| group_polygons(topo, arcs))
        .collect()
}

/// The ring's references turned so that the ring runs counter-clockwise (`ccw`) or clockwise.
fn oriented(topo: &Topology, refs: &[ArcRef], ccw: bool) -> Vec<ArcRef> {
    let area = Polygon::new(topo.ring(refs), vec![]).signed_area();
    if (area > 0.0) == ccw {
        refs.to_vec()
    } else {
        refs.iter()
            .rev()
            .map(|r| ArcRef {
                arc: r.arc,
                reversed: !r.reversed,
            })
            .collect()
    }
}

/// Chains a group's boundary arcs into rings and nests holes into exteriors.
fn group_polygons(topo: &Topology, net: HashMap<u32, i32>) -> MultiPolygon<f64> {
    let mut boundary: Vec<ArcRef> = net
        .into_iter()
        .filter(|&(_, n)| n != 0)
        .map(|(arc, n)| ArcRef {
            arc,
            reversed: n < 0,
        })
        .collect();
    boundary.sort_unstable_by_key(|r| r.arc);
    let ends = |r: &ArcRef| -> (Coord<f64>, Coord<f64>) {
        let cs = &topo.arcs[r.arc as usize].coords;
        let (a, b) = (cs[0], cs[cs.len() - 1]);
        if r.reversed { (b, a) } else { (a, b) }
    };
    let mut starting: HashMap<VertexKey, Vec<usize>> = HashMap::new();
    for (i, r) in boundary.iter().enumerate() {
        starting.entry(vertex_key(ends(r).0)).or_default().push(i);
    }
    let mut used = vec![false; boundary.len()];
    let mut rings: Vec<LineString<f64>> = Vec::new();
    for first in 0..boundary.len() {
        if used[first] {
            continue;
        }
        let start = vertex_key(ends(&boundary[first]).0);
        let mut refs = Vec::new();
        let mut at = first;
        loop {
            used[at] = true;
            refs.push(boundary[at]);
            let end = vertex_key(ends(&boundary[at]).1);
            if end == start {
                break;
            }
            let next = starting
                .get(&end)
                .and_then(|c| c.iter().copied().find(|&i| !used[i]));
            match next {
                Some(n) => at = n,
                None => break, // broken input: leave the chain open and drop it below
            }
        }
        let ring = topo.ring(&refs);
        if ring.is_closed() && ring.0.len() >= 4 {
            rings.push(ring);
        }
    }
    let (mut exteriors, holes): (Vec<_>, Vec<_>) = rings
        .into_iter()
        .map(|r| {
            let a = Polygon::new(r.clone(), vec![]).signed_area();
            (r, a)
        })
        .partition(|(_, a)| *a > 0.0);
    exteriors.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut polys: Vec<(Polygon<f64>, Vec<LineString<f64>>)> = exteriors
        .into_iter()
        .map(|(r, _)| (Polygon::new(r, vec![]), Vec::new()))
        .collect();
    for (hole, _) in holes {
        // The smallest exterior that contains a vertex of the hole strictly inside (or on it).
        let probe = Point(hole.0[0]);
        let inside = polys
            .iter()
            .position(|(p, _)| p.contains(&probe) || p.exterior().contains(&probe));
        if let Some(i) = inside {
            polys[i].1.push(hole);
        }
    }
    MultiPolygon::new(
        polys
            .into_iter()
            .map(|(p, hs)| Polygon::new(p.into_inner().0, hs))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn square(x: f64, y: f64, s: f64) -> Polygon<f64> {
        polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)]
    }

    #[test]
    fn two_by_two_into_one_and_two() {
        // Unit 3 is given clockwise: orientation must not matter.
        let mut cw = square(1., 1., 1.);
        cw.exterior_mut(|r| r.0.reverse());
        let units: Vec<_> = [
            square(0., 0., 1.),
            square(1., 0., 1.),
            square(0., 1., 1.),
            cw,
        ]
        .into_iter()
        .map(|p| MultiPolygon::new(vec![p]))
        .collect();
        let topo = Topology::build(&units);
        let all = dissolve(&topo, &[Some(0); 4], 1);
        assert_eq!(all[0].0.len(), 1);
        assert_eq!(all[0].0[0].exterior().0.len(), 9); // 8 boundary vertices + closing
        assert_eq!(all[0].unsigned_area(), 4.0);
        let halves = dissolve(&topo, &[Some(0), Some(0), Some(1), None], 3);
        assert_eq!(halves[0].unsigned_area(), 2.0);
        assert_eq!(halves[1].unsigned_area(), 1.0);
        assert!(halves[2].0.is_empty());
    }

    #[test]
    fn enclave_fills_the_hole_or_stays_one() {
        let outer = Polygon::new(
            square(0., 0., 4.).exterior().clone(),
            vec![square(1., 1., 1.).exterior().clone()],
        );
        let units = vec![
            MultiPolygon::new(vec![outer]),
            MultiPolygon::new(vec![square(1., 1., 1.)]),
        ];
        let topo = Topology::build(&units);
        let both = dissolve(&topo, &[Some(0), Some(0)], 1);
        assert_eq!(both[0].0.len(), 1);
        assert!(both[0].0[0].interiors().is_empty());
        assert_eq!(both[0].unsigned_area(), 16.0);
        let apart = dissolve(&topo, &[Some(0), Some(1)], 2);
        assert_eq!(apart[0].0[0].interiors().len(), 1);
        assert_eq!(apart[0].unsigned_area(), 15.0);
    }
}
