//! Clipping polygon rings to a tile's buffered square.

use geo_types::{Coord, Rect};

/// Sutherland–Hodgman clip of a ring against an axis-aligned rectangle.
///
/// Chosen over a general boolean intersection because the clip window is a convex rectangle:
/// each ring is clipped independently in four cheap passes and the enclosed area is exact. A
/// concave ring cut into several pieces comes back as one ring joined by zero-width edges along
/// the tile border, which fills and sums areas correctly and lies in the buffer, out of sight.
///
/// Takes the ring by value: a ring wholly inside (most rings of a tile) is given back as it is,
/// not copied.
pub(crate) fn clip_ring(pts: Vec<Coord<f64>>, r: Rect<f64>) -> Vec<Coord<f64>> {
    let (min, max) = (r.min(), r.max());
    if pts
        .iter()
        .all(|c| c.x >= min.x && c.x <= max.x && c.y >= min.y && c.y <= max.y)
    {
        return pts;
    }
    // (axis, bound, keep values >= bound?)
    let edges = [
        (0, min.x, true),
        (0, max.x, false),
        (1, min.y, true),
        (1, max.y, false),
    ];
    let mut cur = pts;
    if cur.len() > 1 && cur.first() == cur.last() {
        cur.pop();
    }
    for (axis, bound, keep_above) in edges {
        if cur.is_empty() {
            break;
        }
        let v = |c: &Coord<f64>| if axis == 0 { c.x } else { c.y };
        let inside = |c: &Coord<f64>| {
            if keep_above {
                v(c) >= bound
            } else {
                v(c) <= bound
            }
        };
        let cross = |a: &Coord<f64>, b: &Coord<f64>| {
            let t = (bound - v(a)) / (v(b) - v(a));
            let (x, y) = (a.x + t * (b.x - a.x), a.y + t * (b.y - a.y));
            if axis == 0 {
                Coord { x: bound, y }
            } else {
                Coord { x, y: bound }
            }
        };
        let mut next = Vec::with_capacity(cur.len() + 4);
        for i in 0..cur.len() {
            let (a, b) = (&cur[(i + cur.len() - 1) % cur.len()], &cur[i]);
            match (inside(a), inside(b)) {
                (true, true) => next.push(*b),
                (true, false) => next.push(cross(a, b)),
                (false, true) => {
                    next.push(cross(a, b));
                    next.push(*b);
                }
                (false, false) => {}
            }
        }
        cur = next;
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_square_corner() {
        let r = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 10.0, y: 10.0 });
        let sq = [
            (5.0, 5.0),
            (15.0, 5.0),
            (15.0, 15.0),
            (5.0, 15.0),
            (5.0, 5.0),
        ]
        .map(|(x, y)| Coord { x, y });
        let out = clip_ring(sq.to_vec(), r);
        let area: f64 = (0..out.len())
            .map(|i| {
                let (a, b) = (out[i], out[(i + 1) % out.len()]);
                a.x * b.y - b.x * a.y
            })
            .sum::<f64>()
            / 2.0;
        assert_eq!(area, 25.0);
        assert!(
            clip_ring(
                sq.map(|c| Coord {
                    x: c.x + 20.0,
                    y: c.y
                })
                .to_vec(),
                r
            )
            .is_empty()
        );
    }
}
