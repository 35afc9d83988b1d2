//! Ring validity for rebuilt polygons: closed rings of at least four coordinates, non-zero area,
//! and no two segments of the polygon (exterior and holes together) touching or crossing except
//! consecutive segments at their shared vertex.
//!
//! Segments are swept along the longer side of the polygon's bounding box (x for a wide polygon,
//! y for a tall one such as a long coastal country) so only segments whose ranges on that axis
//! overlap are compared; each pair is tested with geo's robust [`line_intersection`].

use geo::LineIntersection;
use geo::line_intersection::line_intersection;
use geo_types::{Coord, Line, LineString};

/// Whether the rings (exterior first, then holes) form a valid polygon by the rules above.
pub fn polygon_is_valid(rings: &[&LineString<f64>]) -> bool {
    rings.iter().all(|r| ring_shape_ok(r)) && !has_crossing(rings)
}

/// Whether one ring is closed, has at least four coordinates and a non-zero area.
pub fn ring_shape_ok(r: &LineString<f64>) -> bool {
    r.0.len() >= 4 && r.is_closed() && twice_area(&r.0) != 0.0
}

fn twice_area(cs: &[Coord<f64>]) -> f64 {
    cs.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

struct Seg {
    line: Line<f64>,
    lo: f64,
    hi: f64,
    ring: usize,
    index: usize,
}

/// True when two segments meet other than consecutive segments at their shared vertex.
pub fn has_crossing(rings: &[&LineString<f64>]) -> bool {
    !crossings(rings, true).is_empty()
}

/// The segments, as (ring, segment index), that meet a segment other than a neighbour at their
/// shared vertex; with `first_only`, stops at the first such pair.
pub fn crossings(rings: &[&LineString<f64>], first_only: bool) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut segs: Vec<Seg> = Vec::new();
    let mut ring_len = Vec::with_capacity(rings.len());
    let (mut min, mut max) = (
        Coord {
            x: f64::MAX,
            y: f64::MAX,
        },
        Coord {
            x: f64::MIN,
            y: f64::MIN,
        },
    );
    for c in rings.iter().flat_map(|r| &r.0) {
        (min.x, min.y, max.x, max.y) = (
            min.x.min(c.x),
            min.y.min(c.y),
            max.x.max(c.x),
            max.y.max(c.y),
        );
    }
    let along = |c: Coord<f64>| {
        if max.y - min.y > max.x - min.x {
            c.y
        } else {
            c.x
        }
    };
    for (ring, r) in rings.iter().enumerate() {
        ring_len.push(r.0.len().saturating_sub(1));
        for (index, w) in r.0.windows(2).enumerate() {
            let line = Line::new(w[0], w[1]);
            let (a, b) = (along(w[0]), along(w[1]));
            segs.push(Seg {
                line,
                lo: a.min(b),
                hi: a.max(b),
                ring,
                index,
            });
        }
    }
    segs.sort_unstable_by(|a, b| a.lo.total_cmp(&b.lo));
    for (i, s) in segs.iter().enumerate() {
        for t in &segs[i + 1..] {
            if t.lo > s.hi {
                break;
            }
            let adjacent = s.ring == t.ring && {
                let (n, d) = (ring_len[s.ring], s.index.abs_diff(t.index));
                d == 1 || d + 1 == n
            };
            match line_intersection(s.line, t.line) {
                None => {}
                Some(LineIntersection::SinglePoint { .. }) if adjacent => {}
                Some(_) => {
                    found.extend([(s.ring, s.index), (t.ring, t.index)]);
                    if first_only {
                        return found;
                    }
                }
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Arcs of a coverage that cross or touch another arc (or themselves) anywhere but at a shared
/// end node: the check that catches two simplified borders of units that never share a polygon
/// (which [`crossings`] on one polygon's rings cannot see). Segments are indexed in an R-tree.
pub fn arc_crossings(arcs: &[Vec<Coord<f64>>]) -> Vec<u32> {
    use rstar::primitives::{GeomWithData, Rectangle};
    use rstar::{AABB, RTree};
    let mut segs: Vec<(u32, usize, Line<f64>)> = Vec::new();
    for (a, cs) in arcs.iter().enumerate() {
        for (i, w) in cs.windows(2).enumerate() {
            segs.push((a as u32, i, Line::new(w[0], w[1])));
        }
    }
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = segs
        .iter()
        .enumerate()
        .map(|(k, (_, _, l))| {
            GeomWithData::new(
                Rectangle::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y]),
                k,
            )
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let is_node = |a: u32, c: Coord<f64>| {
        let cs = &arcs[a as usize];
        cs.first() == Some(&c) || cs.last() == Some(&c)
    };
    let mut bad = Vec::new();
    for (k, (a, i, l)) in segs.iter().enumerate() {
        let env = AABB::from_corners(
            [l.start.x.min(l.end.x), l.start.y.min(l.end.y)],
            [l.start.x.max(l.end.x), l.start.y.max(l.end.y)],
        );
        for other in tree.locate_in_envelope_intersecting(&env) {
            let m = other.data;
            if m <= k {
                continue;
            }
            let (b, j, t) = &segs[m];
            let Some(hit) = line_intersection(*l, *t) else {
                continue;
            };
            let ok = match hit {
                LineIntersection::SinglePoint {
                    intersection: p, ..
                } => {
                    let ends_l = p == l.start || p == l.end;
                    let ends_t = p == t.start || p == t.end;
                    let consecutive = a == b
                        && (i.abs_diff(*j) == 1 || {
                            // A closed arc (an island ring) meets itself at its node.
                            let n = arcs[*a as usize].len() - 1;
                            i.abs_diff(*j) + 1 == n
                        });
                    ends_l && ends_t && (consecutive || (is_node(*a, p) && is_node(*b, p)))
                }
                LineIntersection::Collinear { .. } => false,
            };
            if !ok {
                bad.extend([*a, *b]);
            }
        }
    }
    bad.sort_unstable();
    bad.dedup();
    bad
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::line_string;

    #[test]
    fn square_is_valid_bow_tie_is_not() {
        let sq = line_string![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.), (x: 0., y: 0.)];
        assert!(polygon_is_valid(&[&sq]));
        let bow = line_string![(x: 0., y: 0.), (x: 1., y: 1.), (x: 1., y: 0.), (x: 0., y: 1.), (x: 0., y: 0.)];
        assert!(!polygon_is_valid(&[&bow]));
        // Segments 0 (0,0)-(1,1) and 2 (1,0)-(0,1) cross.
        assert_eq!(crossings(&[&bow], false), [(0, 0), (0, 2)]);
        assert!(crossings(&[&sq], false).is_empty());
    }

    #[test]
    fn collapsed_and_touching_rings_are_invalid() {
        let flat = line_string![(x: 0., y: 0.), (x: 1., y: 0.), (x: 2., y: 0.), (x: 0., y: 0.)];
        assert!(!polygon_is_valid(&[&flat]));
        let spike = line_string![(x: 0., y: 0.), (x: 2., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 0.)];
        assert!(!polygon_is_valid(&[&spike]));
        let sq = line_string![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.), (x: 0., y: 0.)];
        let inside = line_string![(x: 1., y: 1.), (x: 1., y: 2.), (x: 2., y: 2.), (x: 2., y: 1.), (x: 1., y: 1.)];
        assert!(polygon_is_valid(&[&sq, &inside]));
        let crossing = line_string![(x: 3., y: 3.), (x: 3., y: 5.), (x: 5., y: 5.), (x: 3., y: 3.)];
        assert!(!polygon_is_valid(&[&sq, &crossing]));
        // A hole touching the exterior at one point is refused too (strict rule).
        let touching = line_string![(x: 0., y: 2.), (x: 1., y: 3.), (x: 1., y: 1.), (x: 0., y: 2.)];
        assert!(!polygon_is_valid(&[&sq, &touching]));
    }

    #[test]
    fn arcs_meeting_at_nodes_pass_and_crossing_arcs_are_found() {
        let c = |x: f64, y: f64| Coord { x, y };
        // Three arcs meeting at node (0,0); arc 3 is unrelated and crosses arc 1.
        let arcs = vec![
            vec![c(0., 0.), c(5., 0.), c(10., 1.)],
            vec![c(0., 0.), c(0., 5.), c(1., 10.)],
            vec![c(0., 0.), c(-5., -5.)],
            vec![c(-2., 6.), c(3., 6.)],
        ];
        assert_eq!(arc_crossings(&arcs), [1, 3]);
        assert!(arc_crossings(&arcs[..3]).is_empty());
        // A closed island arc is fine; one touching another arc mid-segment is not.
        let island = vec![c(20., 0.), c(30., 0.), c(30., 10.), c(20., 0.)];
        assert!(arc_crossings(std::slice::from_ref(&island)).is_empty());
        let touch = vec![c(25., 0.), c(25., -5.)];
        assert_eq!(arc_crossings(&[island, touch]), [0, 1]);
    }

    #[test]
    fn tall_polygons_are_swept_along_y() {
        // A tall zig-zag strip, valid, and the same strip with one tooth pushed across.
        let mut left: Vec<Coord<f64>> = (0..50)
            .map(|i| Coord {
                x: f64::from(i % 2),
                y: f64::from(i),
            })
            .collect();
        let right: Vec<Coord<f64>> = (0..50)
            .rev()
            .map(|i| Coord {
                x: 5.0 + f64::from(i % 2),
                y: f64::from(i),
            })
            .collect();
        left.extend(&right);
        left.push(left[0]);
        let ring = LineString::new(left.clone());
        assert!(polygon_is_valid(&[&ring]));
        left[20].x = 7.0;
        assert!(!polygon_is_valid(&[&LineString::new(left)]));
    }
}
