//! MVT tiles of H3 cells: layer `h3`, one hexagon feature per cell, resolution picked by zoom.
//!
//! The resolution shown at zoom z is the one whose hexagons are closest (in log scale) to
//! ~42 px across (the middle of 30–60 px) on a 256 px tile at latitude 16° N (mid-Vietnam),
//! measuring a hexagon as twice its average edge, clamped to r4 and the grid's finest
//! resolution ([`resolution_for_zoom`], table in the README):
//!
//! | zoom       | 0–7 | 8  | 9  | 10 | 11 | 12 | 13 | 14 |
//! |------------|-----|----|----|----|----|----|----|----|
//! | resolution | 4   | 5  | 5  | 6  | 7  | 8  | 8  | 9  |
//! | px across  | ≤44 | 34 | 67 | 51 | 38 | 29 | 58 | 44 |
//!
//! Features: id = the cell index as u64, properties `cell` (hex string), `resolution`, then the
//! publishable values of [`crate::h3::disclosure::cell_values`]: base counts (integers), derived
//! values (doubles), `<id>_unstable = true` and `suppressed = true` when they apply.

use geo_types::{Coord, Rect};
use h3o::{CellIndex, Resolution};

use crate::geometry::mercator::{EXTENT, pixel_metres};
use crate::geometry::mercator::{project_multipolygon, to_degrees};
use crate::h3::disclosure::CellValues;
use crate::h3::grid::GridLevel;
use crate::model::operator::COARSEST_OUTPUT;
use crate::tiling::mvt::{LayerBuilder, PropValue, encode_tile};
use crate::tiling::tile::TileId;
use crate::tiling::tileset::{TILE_BUFFER, TileFrame};

/// Name of the tile layer.
pub const LAYER: &str = "h3";
/// Hexagon size aimed at, in pixels across.
const TARGET_PX: f64 = 42.4;
/// Latitude the pixel size is measured at (mid-Vietnam).
const REFERENCE_LAT: f64 = 16.0;

/// A hexagon's size across at resolution `r`, in 256 px-tile pixels at zoom `z`.
pub fn hexagon_pixels(r: Resolution, z: u8) -> f64 {
    let ground_px = pixel_metres(z) * REFERENCE_LAT.to_radians().cos();
    2.0 * r.edge_length_m() / ground_px
}

/// The resolution shown at zoom `z` for a grid whose finest resolution is `finest`.
pub fn resolution_for_zoom(z: u8, finest: Resolution) -> Resolution {
    let mut best = COARSEST_OUTPUT;
    let mut best_err = f64::INFINITY;
    for r in Resolution::range(COARSEST_OUTPUT, finest) {
        let err = (hexagon_pixels(r, z) / TARGET_PX).ln().abs();
        if err < best_err {
            best = r;
            best_err = err;
        }
    }
    best
}

/// The cells of `level` whose hexagon may meet the tile `id` (with its buffer), sorted.
pub fn cells_in_tile(level: &GridLevel, id: TileId) -> Vec<usize> {
    let b = id.buffered_bounds(TILE_BUFFER, EXTENT);
    let (west, south) = to_degrees(b.min().x, b.min().y);
    let (east, north) = to_degrees(b.max().x, b.max().y);
    // Grow by one hexagon so cells whose centre is just outside still count.
    let pad = level.resolution.edge_length_m() * 2.0 / 111_000.0;
    let bbox = Rect::new(
        Coord {
            x: west - pad,
            y: south - pad,
        },
        Coord {
            x: east + pad,
            y: north + pad,
        },
    );
    // Scanning the level costs one lookup per stored cell; listing the tile's cells costs one
    // per cell of the (padded) tile. Take the cheaper.
    let km_wide = bbox.width() * 111.3 * REFERENCE_LAT.to_radians().cos();
    let estimate = (km_wide * bbox.height() * 110.6 / level.resolution.area_km2()) as usize;
    let mut hits: Vec<usize> = if estimate > level.len() {
        (0..level.len())
            .filter(|&i| {
                let ll = h3o::LatLng::from(level.cells[i]);
                let (x, y) = (ll.lng(), ll.lat());
                x >= bbox.min().x && x <= bbox.max().x && y >= bbox.min().y && y <= bbox.max().y
            })
            .collect()
    } else {
        covering(bbox, level.resolution)
            .into_iter()
            .filter_map(|c| level.find(c))
            .collect()
    };
    hits.sort_unstable();
    hits.dedup();
    hits
}

/// Cells whose centre lies in `bbox` (degrees) at `resolution`.
fn covering(bbox: Rect<f64>, resolution: Resolution) -> Vec<CellIndex> {
    use h3o::geom::{ContainmentMode, TilerBuilder};
    let mut tiler = TilerBuilder::new(resolution)
        .containment_mode(ContainmentMode::ContainsCentroid)
        .build();
    // A rectangle of finite degrees is always a valid polygon for the tiler.
    if tiler.add(bbox.to_polygon()).is_err() {
        return Vec::new();
    }
    tiler.into_coverage().collect()
}

/// The tile `id` of one grid level: every cell meeting the tile as a hexagon with what `props`
/// returns for it (its position in `level`); an empty `Vec` when no cell is in the tile.
pub fn h3_tile(
    level: &GridLevel,
    id: TileId,
    props: impl Fn(usize) -> Vec<(String, PropValue)>,
) -> Vec<u8> {
    let frame = TileFrame::new(id);
    let mut layer = LayerBuilder::new(LAYER);
    for i in cells_in_tile(level, id) {
        let cell = level.cells[i];
        let hexagon = geo::MultiPolygon::from(cell);
        let geometry = frame.quantise(&project_multipolygon(&hexagon));
        if geometry.0.is_empty() {
            continue;
        }
        let mut p = vec![
            ("cell".to_owned(), PropValue::String(cell.to_string())),
            (
                "resolution".to_owned(),
                PropValue::UInt(u64::from(u8::from(cell.resolution()))),
            ),
        ];
        p.extend(props(i));
        layer.add_polygon(Some(u64::from(cell)), &p, &geometry);
    }
    if layer.is_empty() {
        return Vec::new();
    }
    encode_tile(vec![layer])
}

/// The tile properties of a cell's publishable values: counts as integers, derived values as
/// doubles, `<id>_unstable = true` and `suppressed = true` where they apply.
pub fn cell_props(v: &CellValues) -> Vec<(String, PropValue)> {
    let mut p = Vec::with_capacity(v.counts.len() + 2 * v.derived.len() + 1);
    for (id, n) in &v.counts {
        p.push((id.clone(), PropValue::Int(*n)));
    }
    for (id, x, unstable) in &v.derived {
        p.push((id.clone(), PropValue::Double(*x)));
        if *unstable {
            p.push((format!("{id}_unstable"), PropValue::Bool(true)));
        }
    }
    if v.suppressed {
        p.push(("suppressed".to_owned(), PropValue::Bool(true)));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_table_matches_the_docs_and_stays_near_30_to_60_px() {
        let table: Vec<u8> = (0..=16)
            .map(|z| u8::from(resolution_for_zoom(z, Resolution::Nine)))
            .collect();
        assert_eq!(table, [4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 8, 9, 9, 9]);
        for z in 7..=14 {
            let px = hexagon_pixels(resolution_for_zoom(z, Resolution::Nine), z);
            assert!((22.0..=80.0).contains(&px), "z{z}: {px:.0} px");
        }
        assert_eq!(
            resolution_for_zoom(14, Resolution::Seven),
            Resolution::Seven
        );
    }
}
