//! Simplification of one topology arc with its end points kept fixed (Douglas–Peucker, geo's
//! [`SimplifyIdx`]).
//!
//! An open arc keeps its two end nodes, so the neighbours on both sides receive the same line.
//! A closed arc (a ring without nodes, or an arc that starts and ends at the same node) is split
//! at its vertex farthest from the start and both halves are simplified; if fewer than three
//! distinct vertices survive, the vertex farthest from the chord is put back, so a closed arc
//! always stays a valid ring of at least four coordinates (a triangle).

use geo::{Distance, Euclidean, SimplifyIdx};
use geo_types::{Coord, Line, LineString, Point};

/// Simplifies `coords` with tolerance `epsilon` (same units as the coordinates), keeping the
/// first and last vertex; `epsilon <= 0` returns the arc unchanged.
pub fn simplify_arc(coords: &[Coord<f64>], epsilon: f64) -> Vec<Coord<f64>> {
    if epsilon <= 0.0 || coords.len() <= 2 {
        return coords.to_vec();
    }
    let n = coords.len();
    if coords[0] != coords[n - 1] {
        return pick(coords, &dp_indices(coords, 0, epsilon));
    }
    // Closed: split at the vertex farthest from the start.
    let start = Point(coords[0]);
    let far = (1..n - 1)
        .max_by(|&a, &b| {
            let (da, db) = (
                Euclidean.distance(start, Point(coords[a])),
                Euclidean.distance(start, Point(coords[b])),
            );
            da.total_cmp(&db)
        })
        .unwrap_or(0);
    if far == 0 {
        return coords.to_vec();
    }
    let mut idx = dp_indices(&coords[..=far], 0, epsilon);
    idx.pop();
    idx.extend(dp_indices(&coords[far..], far, epsilon));
    if idx.len() < 4 {
        // Only start, far and start again: put back the vertex farthest from the chord.
        let chord = Line::new(coords[0], coords[far]);
        let third = (1..n - 1).filter(|&i| i != far).max_by(|&a, &b| {
            let da = Euclidean.distance(coords[a], &chord);
            let db = Euclidean.distance(coords[b], &chord);
            da.total_cmp(&db)
        });
        if let Some(t) = third {
            idx.push(t);
            idx.sort_unstable();
            // The closing index n - 1 sorts last, the start 0 first.
        }
    }
    pick(coords, &idx)
}

/// Douglas–Peucker indices of `part`, shifted by `offset`.
fn dp_indices(part: &[Coord<f64>], offset: usize, epsilon: f64) -> Vec<usize> {
    LineString::new(part.to_vec())
        .simplify_idx(epsilon)
        .into_iter()
        .map(|i| i + offset)
        .collect()
}

fn pick(coords: &[Coord<f64>], idx: &[usize]) -> Vec<Coord<f64>> {
    idx.iter().map(|&i| coords[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::coord;

    #[test]
    fn open_arc_keeps_end_points() {
        let cs: Vec<_> = (0..=10)
            .map(|i| coord! { x: f64::from(i), y: if i % 2 == 0 { 0.0 } else { 0.1 } })
            .collect();
        let s = simplify_arc(&cs, 0.5);
        assert_eq!(s, vec![cs[0], cs[10]]);
        assert_eq!(simplify_arc(&cs, 0.05), cs);
        assert_eq!(simplify_arc(&cs, 0.0), cs);
    }

    #[test]
    fn closed_arc_stays_a_triangle_at_least() {
        // A near-circle of 32 vertices, tolerance larger than the circle.
        let mut cs: Vec<_> = (0..32)
            .map(|i| {
                let a = f64::from(i) * std::f64::consts::TAU / 32.0;
                coord! { x: a.cos(), y: a.sin() }
            })
            .collect();
        cs.push(cs[0]);
        let s = simplify_arc(&cs, 10.0);
        assert_eq!(s.len(), 4);
        assert_eq!(s[0], s[3]);
        assert_eq!(s[0], cs[0]);
        assert!(s[1] != s[2]);
        // Skipping one vertex moves the line by 1 − cos(2π/32) ≈ 0.019, four by ≈ 0.076.
        let s = simplify_arc(&cs, 0.05);
        assert!(s.len() > 8 && s.len() <= 17, "{}", s.len());
        assert_eq!(s.first(), s.last());
    }
}
