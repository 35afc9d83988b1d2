//! Spherical Web Mercator (EPSG:3857): longitude/latitude degrees ↔ metres.
//!
//! geo has no projection without PROJ; the spherical formulas are a few lines. Latitudes are
//! clamped at ±[`MAX_LATITUDE`] so that the world is a square of side `2 × HALF_WORLD` metres.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use std::f64::consts::PI;

/// Earth radius of the spherical Web Mercator model (WGS84 semi-major axis), metres.
pub const EARTH_RADIUS: f64 = 6_378_137.0;

/// Half the side of the Web Mercator world square, metres (π × R).
pub const HALF_WORLD: f64 = PI * EARTH_RADIUS;

/// Latitude (degrees) at which the Web Mercator world becomes square; larger |lat| is clamped.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// Projects longitude/latitude degrees to Web Mercator metres, clamping latitude at ±85.0511°.
pub fn to_metres(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE);
    let x = EARTH_RADIUS * lon.to_radians();
    let y = EARTH_RADIUS * lat.to_radians().tan().asinh();
    (normalise_zero(x), normalise_zero(y))
}

/// Inverse projection: Web Mercator metres to longitude/latitude degrees.
pub fn to_degrees(x: f64, y: f64) -> (f64, f64) {
    let lon = (x / EARTH_RADIUS).to_degrees();
    let lat = (y / EARTH_RADIUS).sinh().atan().to_degrees();
    (lon, lat)
}

/// Projects one coordinate (x = longitude, y = latitude, degrees) to metres.
pub fn project_coord(c: Coord<f64>) -> Coord<f64> {
    let (x, y) = to_metres(c.x, c.y);
    Coord { x, y }
}

/// Projects a WGS84 multipolygon (degrees) to Web Mercator metres, vertex by vertex.
pub fn project_multipolygon(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    MultiPolygon::new(mp.0.iter().map(project_polygon).collect())
}

/// Projects a WGS84 polygon (degrees) to Web Mercator metres, vertex by vertex.
pub fn project_polygon(p: &Polygon<f64>) -> Polygon<f64> {
    let ring =
        |ls: &LineString<f64>| LineString::new(ls.0.iter().copied().map(project_coord).collect());
    Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())
}

/// Replaces −0.0 by +0.0 so that equal coordinates have equal bit patterns.
pub fn normalise_zero(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v }
}

// Zoom scales of the Web Mercator tile pyramid: how many metres a tile, a tile unit or a
// screen pixel covers at each zoom (used by generalisation and by tile addressing).

/// Highest zoom level accepted.
pub const MAX_ZOOM: u8 = 24;

/// The MVT extent used for popmap tiles (tile units per tile side).
pub const EXTENT: u32 = 4096;

/// Side of a rendered tile in CSS pixels.
pub const TILE_PIXELS: u32 = 256;

/// Number of tiles along one side of the world at zoom `z` (2^z).
pub fn tiles_per_side(z: u8) -> u32 {
    1u32 << z
}

/// Side of one tile at zoom `z`, metres.
pub fn tile_size(z: u8) -> f64 {
    2.0 * HALF_WORLD / f64::from(tiles_per_side(z))
}

/// Size of one tile unit at zoom `z` for a tile of `extent` units, metres.
pub fn tile_unit_size(z: u8, extent: u32) -> f64 {
    tile_size(z) / f64::from(extent)
}

/// Size of one 4096-extent tile unit at zoom `z`, metres (the finest detail a tile can carry).
pub fn unit_metres(z: u8) -> f64 {
    tile_unit_size(z, EXTENT)
}

/// Size of one screen pixel of a 256 px tile at zoom `z`, metres (16 tile units).
pub fn pixel_metres(z: u8) -> f64 {
    tile_unit_size(z, TILE_PIXELS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_and_pixel_sizes() {
        assert!((unit_metres(0) - 40_075_016.685_578_49 / 4096.0).abs() < 1e-6);
        assert!((pixel_metres(0) - 156_543.033_928_041).abs() < 1e-6);
        assert!((unit_metres(10) * 1024.0 - unit_metres(0)).abs() < 1e-6);
    }

    #[test]
    fn known_values() {
        let (x, y) = to_metres(180.0, 0.0);
        assert_eq!(x, 20_037_508.342_789_244);
        assert_eq!(y, 0.0);
        let (_, y) = to_metres(0.0, 85.051_128_779_8);
        assert!((y - 20_037_508.34).abs() < 0.01, "y = {y}");
        // 45° N: R · ln(tan(67.5°)) = R · asinh(1).
        let (_, y) = to_metres(0.0, 45.0);
        assert!((y - 5_621_521.486_192).abs() < 1e-3, "y = {y}");
        let (x, _) = to_metres(-90.0, 0.0);
        assert_eq!(x, -HALF_WORLD / 2.0);
    }

    #[test]
    fn clamps_beyond_max_latitude() {
        assert_eq!(to_metres(0.0, 89.9), to_metres(0.0, MAX_LATITUDE));
        assert_eq!(to_metres(0.0, -90.0).1, -to_metres(0.0, 90.0).1);
    }

    #[test]
    fn inverse_round_trips() {
        for &(lon, lat) in &[(105.85, 21.03), (-73.98, 40.75), (0.0, 0.0), (179.9, -60.0)] {
            let (x, y) = to_metres(lon, lat);
            let (lon2, lat2) = to_degrees(x, y);
            assert!((lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9);
        }
    }

    #[test]
    fn negative_zero_is_normalised() {
        let (x, y) = to_metres(-0.0, -0.0);
        assert_eq!(x.to_bits(), 0.0f64.to_bits());
        assert_eq!(y.to_bits(), 0.0f64.to_bits());
    }
}
