//! A fast validity pre-check. geo's `Validation` tests ring self-intersection pair by pair
//! (O(n²): 2 s for one 5,000-point ring), so most geometries are cleared here with a sweep-line
//! (geo's `sweep::Intersections`) plus point-in-polygon tests; only geometries this check
//! cannot clear go to geo's exact validation.

use geo::algorithm::sweep::{Cross, Intersections};
use geo::{BoundingRect, Contains, LineIntersection};
use geo_types::{Line, MultiPolygon, Point, Polygon, Rect};

/// A ring segment with where it comes from.
#[derive(Debug, Clone, Copy)]
struct Seg {
    line: Line<f64>,
    polygon: usize,
    ring: usize,
    index: usize,
    ring_segments: usize,
}

impl Cross for Seg {
    type Scalar = f64;

    fn line(&self) -> Line<f64> {
        self.line
    }
}

/// Whether two segments are consecutive in the same ring (they share a vertex by design).
fn adjacent(a: &Seg, b: &Seg) -> bool {
    if a.polygon != b.polygon || a.ring != b.ring {
        return false;
    }
    let n = a.ring_segments;
    (a.index + 1) % n == b.index || (b.index + 1) % n == a.index
}

/// True when `mp` is certainly valid; false means "ask geo's exact validation".
pub(super) fn surely_valid(mp: &MultiPolygon<f64>) -> bool {
    let mut segs = Vec::new();
    for (p, poly) in mp.0.iter().enumerate() {
        for (r, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            let n = ring.0.len().saturating_sub(1);
            if n < 3 {
                return false;
            }
            segs.extend(ring.lines().enumerate().map(|(i, line)| Seg {
                line,
                polygon: p,
                ring: r,
                index: i,
                ring_segments: n,
            }));
        }
    }
    for (a, b, hit) in Intersections::from_iter(segs) {
        let shared_vertex = matches!(
            hit,
            LineIntersection::SinglePoint {
                is_proper: false,
                ..
            }
        );
        if !(shared_vertex && adjacent(&a, &b)) {
            return false;
        }
    }
    // No two rings touch: what is left is nesting. Holes inside their exterior, no hole inside
    // another hole, no part inside another part (outside its holes).
    let rects: Vec<Option<Rect<f64>>> = mp.0.iter().map(|p| p.bounding_rect()).collect();
    for (i, poly) in mp.0.iter().enumerate() {
        let outer = Polygon::new(poly.exterior().clone(), vec![]);
        let holes: Vec<Polygon<f64>> = poly
            .interiors()
            .iter()
            .map(|h| Polygon::new(h.clone(), vec![]))
            .collect();
        for (h, hole) in holes.iter().enumerate() {
            if !outer.contains(&Point(hole.exterior().0[0])) {
                return false;
            }
            if holes
                .iter()
                .enumerate()
                .any(|(k, other)| k != h && other.contains(&Point(hole.exterior().0[0])))
            {
                return false;
            }
        }
        for (j, other) in mp.0.iter().enumerate() {
            let overlap = match (rects[i], rects[j]) {
                (Some(a), Some(b)) => {
                    a.min().x <= b.max().x
                        && b.min().x <= a.max().x
                        && a.min().y <= b.max().y
                        && b.min().y <= a.max().y
                }
                _ => false,
            };
            if j != i && overlap && other.contains(&Point(poly.exterior().0[0])) {
                return false;
            }
        }
    }
    true
}
