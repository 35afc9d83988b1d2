//! Integer polygons on a fixed 1e-7° grid, so that neighbours share bit-identical vertices.

use geo::{Coord, LineString, MultiPolygon, Polygon};

/// Grid step in degrees: every output coordinate is a multiple of it.
pub const GRID: f64 = 1e-7;

/// A point in grid units (lon, lat) × 1e7.
pub type Pt = (i64, i64);

/// A closed ring without the repeated first point.
pub type Ring = Vec<Pt>;

/// A multipolygon on the grid: polygons of rings, exterior first (counter-clockwise), holes clockwise.
pub type GridPoly = Vec<Vec<Ring>>;

/// Snaps a coordinate to the grid.
pub fn snap(x: f64, y: f64) -> Pt {
    ((x / GRID).round() as i64, (y / GRID).round() as i64)
}

/// Twice the signed area of a ring in grid units² (positive = counter-clockwise).
pub fn area2(r: &[Pt]) -> i128 {
    let n = r.len();
    (0..n)
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % n]);
            a.0 as i128 * b.1 as i128 - b.0 as i128 * a.1 as i128
        })
        .sum()
}

/// Removes repeated points and back-and-forth spikes; returns None when nothing with area is left.
pub fn clean(mut r: Ring) -> Option<Ring> {
    loop {
        let before = r.len();
        r.dedup();
        while r.len() > 1 && r.first() == r.last() {
            r.pop();
        }
        let n = r.len();
        if n < 3 {
            return None;
        }
        if let Some(i) = (0..n).find(|&i| r[(i + n - 1) % n] == r[(i + 1) % n]) {
            // a -> b -> a spike at i: drop b and the second a.
            let j = (i + 1) % n;
            let (hi, lo) = if i > j { (i, j) } else { (j, i) };
            r.remove(hi);
            r.remove(lo);
        }
        if r.len() == before {
            break;
        }
    }
    (area2(&r) != 0).then_some(r)
}

/// Orients a ring: counter-clockwise when `ccw`, else clockwise.
pub fn orient(mut r: Ring, ccw: bool) -> Ring {
    if (area2(&r) > 0) != ccw {
        r.reverse();
    }
    r
}

/// Converts a geo multipolygon to the grid (snapping, cleaning, orienting).
pub fn from_geo(mp: &MultiPolygon<f64>) -> GridPoly {
    let conv = |ls: &LineString<f64>| -> Ring { ls.0.iter().map(|c| snap(c.x, c.y)).collect() };
    let mut out = Vec::new();
    for p in &mp.0 {
        let Some(ext) = clean(conv(p.exterior())) else {
            continue;
        };
        let mut rings = vec![orient(ext, true)];
        rings.extend(
            p.interiors()
                .iter()
                .filter_map(|h| clean(conv(h)))
                .map(|h| orient(h, false)),
        );
        out.push(rings);
    }
    out
}

/// Converts a grid ring to a closed geo line string in degrees.
pub fn ring_to_geo(r: &[Pt]) -> LineString<f64> {
    let mut cs: Vec<Coord<f64>> = r
        .iter()
        .map(|p| Coord {
            x: p.0 as f64 * GRID,
            y: p.1 as f64 * GRID,
        })
        .collect();
    if let Some(first) = cs.first().copied() {
        cs.push(first);
    }
    LineString::new(cs)
}

/// Converts a grid multipolygon to geo, in degrees.
pub fn to_geo(gp: &GridPoly) -> MultiPolygon<f64> {
    MultiPolygon(
        gp.iter()
            .map(|rings| {
                Polygon::new(
                    ring_to_geo(&rings[0]),
                    rings[1..].iter().map(|h| ring_to_geo(h)).collect(),
                )
            })
            .collect(),
    )
}

/// Planar area in degrees² (exact sum of the integer shoelace terms).
pub fn planar_area(gp: &GridPoly) -> f64 {
    gp.iter().flatten().map(|r| area2(r)).sum::<i128>() as f64 * 0.5 * GRID * GRID
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_repeats_spikes_and_flat_rings() {
        let r = vec![
            (0, 0),
            (0, 0),
            (10, 0),
            (20, 0),
            (10, 0),
            (10, 10),
            (0, 10),
            (0, 0),
        ];
        assert_eq!(clean(r), Some(vec![(0, 0), (10, 0), (10, 10), (0, 10)]));
        assert_eq!(clean(vec![(0, 0), (5, 0), (10, 0)]), None);
        assert_eq!(
            area2(&orient(vec![(0, 0), (0, 10), (10, 10), (10, 0)], true)),
            200
        );
    }

    #[test]
    fn snapping_round_trips_through_degrees() {
        let p = snap(105.8481127, 21.0467981);
        assert_eq!(p, (1_058_481_127, 210_467_981));
        let ls = ring_to_geo(&[p, (p.0 + 1, p.1), (p.0, p.1 + 1)]);
        assert_eq!(ls.0.len(), 4);
        assert_eq!(snap(ls.0[1].x, ls.0[1].y), (p.0 + 1, p.1));
    }
}
