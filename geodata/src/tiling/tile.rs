//! XYZ tile addressing on the Web Mercator grid: validation, bounds in metres, tile-unit sizes
//! and the tiles covering a bounding box.
//!
//! Tile rows count from the top (north) as in the XYZ / MVT convention; bounds are in
//! EPSG:3857 metres (see [`crate::geometry::mercator`]).

use crate::geometry::mercator::{EXTENT, HALF_WORLD, MAX_ZOOM, tile_size, tiles_per_side};
use geo_types::{Rect, coord};
use thiserror::Error;

/// A tile address `z/x/y` that is known to be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// Zoom level, 0..=24.
    pub z: u8,
    /// Column, 0..2^z, from the west.
    pub x: u32,
    /// Row, 0..2^z, from the north.
    pub y: u32,
}

/// Why a tile address was refused; the message is meant for a 400 response.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TileError {
    /// The zoom level is above [`MAX_ZOOM`].
    #[error("z={z} is out of range (0..{max})", max = MAX_ZOOM)]
    Zoom {
        /// The zoom level given.
        z: u32,
    },
    /// The column is not below 2^z.
    #[error("x={x} is out of range for z={z} (0..{max})")]
    X {
        /// The column given.
        x: u32,
        /// The zoom level.
        z: u8,
        /// The largest valid column, 2^z − 1.
        max: u32,
    },
    /// The row is not below 2^z.
    #[error("y={y} is out of range for z={z} (0..{max})")]
    Y {
        /// The row given.
        y: u32,
        /// The zoom level.
        z: u8,
        /// The largest valid row, 2^z − 1.
        max: u32,
    },
}

impl TileId {
    /// Validates `z/x/y`: z ≤ 24 and x, y < 2^z.
    pub fn new(z: u32, x: u32, y: u32) -> Result<TileId, TileError> {
        if z > u32::from(MAX_ZOOM) {
            return Err(TileError::Zoom { z });
        }
        let z = z as u8;
        let max = tiles_per_side(z) - 1;
        if x > max {
            return Err(TileError::X { x, z, max });
        }
        if y > max {
            return Err(TileError::Y { y, z, max });
        }
        Ok(TileId { z, x, y })
    }

    /// The tile's square in Web Mercator metres.
    pub fn bounds(&self) -> Rect<f64> {
        self.buffered_bounds(0, EXTENT)
    }

    /// The tile's square grown on every side by `buffer` tile units of an `extent`-unit tile
    /// (e.g. 64 of 4096), in metres.
    pub fn buffered_bounds(&self, buffer: u32, extent: u32) -> Rect<f64> {
        let size = tile_size(self.z);
        let pad = size * f64::from(buffer) / f64::from(extent);
        let min_x = -HALF_WORLD + f64::from(self.x) * size;
        let max_y = HALF_WORLD - f64::from(self.y) * size;
        Rect::new(
            coord! { x: min_x - pad, y: max_y - size - pad },
            coord! { x: min_x + size + pad, y: max_y + pad },
        )
    }
}

impl std::fmt::Display for TileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// All tiles at zoom `z` that intersect `bbox` (Web Mercator metres), row by row from the
/// north-west; the box is clamped to the world and `z` to [`MAX_ZOOM`].
pub fn tiles_covering(bbox: Rect<f64>, z: u8) -> impl Iterator<Item = TileId> {
    let z = z.min(MAX_ZOOM);
    let n = tiles_per_side(z);
    let size = tile_size(z);
    let col = |x: f64| (((x + HALF_WORLD) / size).floor().max(0.0) as u32).min(n - 1);
    let row = |y: f64| (((HALF_WORLD - y) / size).floor().max(0.0) as u32).min(n - 1);
    let (x0, x1) = (col(bbox.min().x), col(bbox.max().x));
    let (y0, y1) = (row(bbox.max().y), row(bbox.min().y));
    (y0..=y1).flat_map(move |y| (x0..=x1).map(move |x| TileId { z, x, y }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages() {
        assert_eq!(
            TileId::new(2, 5, 0).unwrap_err().to_string(),
            "x=5 is out of range for z=2 (0..3)"
        );
        assert_eq!(
            TileId::new(2, 0, 4).unwrap_err().to_string(),
            "y=4 is out of range for z=2 (0..3)"
        );
        assert_eq!(
            TileId::new(25, 0, 0).unwrap_err().to_string(),
            "z=25 is out of range (0..24)"
        );
        assert_eq!(TileId::new(24, (1 << 24) - 1, 0).unwrap().x, (1 << 24) - 1);
        assert!(TileId::new(0, 0, 0).is_ok());
        assert!(TileId::new(0, 1, 0).is_err());
    }

    #[test]
    fn bounds_of_world_and_quadrant() {
        let w = TileId::new(0, 0, 0).unwrap().bounds();
        assert_eq!(w.min(), coord! { x: -HALF_WORLD, y: -HALF_WORLD });
        assert_eq!(w.max(), coord! { x: HALF_WORLD, y: HALF_WORLD });
        // z1 x1 y0 is the north-east quadrant.
        let ne = TileId::new(1, 1, 0).unwrap().bounds();
        assert_eq!(ne.min(), coord! { x: 0.0, y: 0.0 });
        assert_eq!(ne.max(), coord! { x: HALF_WORLD, y: HALF_WORLD });
    }

    #[test]
    fn buffered_bounds_grow_by_tile_units() {
        let t = TileId::new(3, 2, 5).unwrap();
        let (b, bb) = (t.bounds(), t.buffered_bounds(64, 4096));
        let pad = tile_size(3) * 64.0 / 4096.0;
        assert!((b.min().x - bb.min().x - pad).abs() < 1e-6);
        assert!((bb.max().y - b.max().y - pad).abs() < 1e-6);
        assert!((bb.width() - b.width() - 2.0 * pad).abs() < 1e-6);
    }

    #[test]
    fn covering_tiles() {
        // 102.1..115 E, 8.4..23.4 N at z5: columns 25..26 (x = ⌊(lon+180)/360·32⌋), rows 13..15.
        let (x0, y0) = crate::geometry::mercator::to_metres(102.1, 8.4);
        let (x1, y1) = crate::geometry::mercator::to_metres(115.0, 23.4);
        let bbox = Rect::new(coord! { x: x0, y: y0 }, coord! { x: x1, y: y1 });
        let tiles: Vec<_> = tiles_covering(bbox, 5).map(|t| t.to_string()).collect();
        assert_eq!(
            tiles,
            [
                "5/25/13", "5/26/13", "5/25/14", "5/26/14", "5/25/15", "5/26/15"
            ]
        );
        // Every tile intersects the box.
        for t in tiles_covering(bbox, 8) {
            let b = t.bounds();
            assert!(b.min().x <= x1 && b.max().x >= x0 && b.min().y <= y1 && b.max().y >= y0);
        }
        assert_eq!(
            tiles_covering(TileId::new(0, 0, 0).unwrap().bounds(), 2).count(),
            16
        );
    }
}
