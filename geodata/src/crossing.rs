//! Ring validity for rebuilt polygons: closed rings of at least four coordinates, non-zero area,
//! and no two segments of the polygon (exterior and holes together) touching or crossing except
//! consecutive segments at their shared vertex.
//!
//! Segments are swept in order of their west end so only segments whose x ranges overlap are
//! compared; each pair is tested with geo's robust [`line_intersection`].

use geo::LineIntersection;
use geo::line_intersection::line_intersection;
use geo_types::{Coord, Line, LineString};

/// Whether the rings (exterior first, then holes) form a valid polygon by the rules above.
pub fn polygon_is_valid(rings: &[&LineString<f64>]) -> bool {
    rings.iter().all(|r| ring_shape_ok(r)) && !has_crossing(rings)
}

fn ring_shape_ok(r: &LineString<f64>) -> bool {
    r.0.len() >= 4 && r.is_closed() && twice_area(&r.0) != 0.0
}

fn twice_area(cs: &[Coord<f64>]) -> f64 {
    cs.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

struct Seg {
    line: Line<f64>,
    min_x: f64,
    max_x: f64,
    ring: usize,
    index: usize,
}

/// True when two segments meet other than consecutive segments at their shared vertex.
pub fn has_crossing(rings: &[&LineString<f64>]) -> bool {
    let mut segs: Vec<Seg> = Vec::new();
    let mut ring_len = Vec::with_capacity(rings.len());
    for (ring, r) in rings.iter().enumerate() {
        ring_len.push(r.0.len().saturating_sub(1));
        for (index, w) in r.0.windows(2).enumerate() {
            let line = Line::new(w[0], w[1]);
            segs.push(Seg {
                line,
                min_x: w[0].x.min(w[1].x),
                max_x: w[0].x.max(w[1].x),
                ring,
                index,
            });
        }
    }
    segs.sort_unstable_by(|a, b| a.min_x.total_cmp(&b.min_x));
    for (i, s) in segs.iter().enumerate() {
        for t in &segs[i + 1..] {
            if t.min_x > s.max_x {
                break;
            }
            let adjacent = s.ring == t.ring && {
                let (n, d) = (ring_len[s.ring], s.index.abs_diff(t.index));
                d == 1 || d + 1 == n
            };
            match line_intersection(s.line, t.line) {
                None => {}
                Some(LineIntersection::SinglePoint { .. }) if adjacent => {}
                Some(_) => return true,
            }
        }
    }
    false
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
    }
}
