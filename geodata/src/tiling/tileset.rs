//! Building MVT tiles of administrative units for one boundary version.
//!
//! [`TileSource`] is built once per version: units are generalised per zoom band with shared
//! borders simplified once ([`Generalised`]), and each band's geometries are indexed by bounding
//! box in an R-tree. A tile then takes, for each level shown at its zoom, the units whose box
//! meets the buffered tile, clips them to it, quantises to the 4096 extent and encodes one layer
//! per level ([`crate::tiling::mvt`]).
//!
//! Levels shown per zoom ([`levels_for_zoom`]):
//!
//! | level    | zooms |
//! |----------|-------|
//! | province | 0–5   |
//! | district | 6–7   |
//! | commune  | 8+    |
//!
//! A level the version lacks hands its zooms to the next shallower level it has, so a deep level
//! never shows early with its many small units: vn-2025 has no districts, so provinces show at
//! z0–7 and communes from z8 (vn-2019: provinces z0–5, districts z6–7, communes z8+). Only when no
//! shallower level is present are the zooms handed to the next deeper one.
//!
//! Feature ids are `level depth × 1 000 000 000 + the code's numeric value` (codes are digit
//! strings, e.g. commune "00004" → 4 000 000 004, province "01" → 2 000 000 001); a code that is
//! not a digit string below 10⁹ gets no id. Properties: `code`, `name`, then the caller's.
//!
//! After the level layers come each level's label points, `{level}_label` (one per unit at the
//! pole of inaccessibility of its largest polygon, see [`crate::tiling::labels`]; each in the
//! one tile that holds it, and below provinces only the best-ranked of each cell of a
//! [`LABEL_GRID`]² grid), and, where communes or districts are drawn, the provinces again as
//! `province_outline` ([`OUTLINE_LAYER`], `code` only) for their borders over the deeper fills.
//!
//! A tile with no feature is an empty `Vec` (the server answers 204 No Content).

use geo::BoundingRect;
use geo_types::{Coord, LineString, MultiPolygon, Polygon, Rect};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::geometry::generalise::{DEFAULT_BANDS, Generalised, ZoomBand, band_for_zoom};
use crate::geometry::mercator::{EXTENT, HALF_WORLD, tile_size};
use crate::geometry::snapround::HotPixels;
use crate::model::level::Level;
use crate::model::unit::UnitInfo;
use crate::tiling::clip::clip_ring;
use crate::tiling::labels::{LABEL_ZOOM, Label, label_points, labels};
use crate::tiling::layers::layer_zooms;
use crate::tiling::mvt::{LayerBuilder, PropValue, encode_tile};
use crate::tiling::tile::TileId;

/// Below provinces, a tile keeps one label per cell of a `LABEL_GRID × LABEL_GRID` grid over it
/// (the best-ranked): cells of 64–128 screen pixels on 512-pixel tiles, about the room one
/// label needs, so the labels MapLibre's collision would drop anyway are not sent.
pub const LABEL_GRID: u32 = 8;

/// Buffer around each tile, in tile units (of [`EXTENT`]).
pub const TILE_BUFFER: u32 = 64;

/// The first zoom at which each level is shown (until the next row's zoom).
pub const LEVEL_ZOOMS: [(Level, u8); 3] = [
    (Level::Province, 0),
    (Level::District, 6),
    (Level::Commune, 8),
];

/// The levels to draw at zoom `z` for a version having `version_levels` (see the module table).
pub fn levels_for_zoom(z: u8, version_levels: &[Level]) -> Vec<Level> {
    let Some(row) = LEVEL_ZOOMS.iter().rposition(|&(_, min)| min <= z) else {
        return Vec::new();
    };
    let present = |l: &Level| version_levels.contains(l);
    LEVEL_ZOOMS[..=row]
        .iter()
        .rev()
        .map(|(l, _)| *l)
        .find(present)
        .or_else(|| LEVEL_ZOOMS[row + 1..].iter().map(|(l, _)| *l).find(present))
        .into_iter()
        .collect()
}

/// The MVT feature id of a unit: `depth × 10⁹ + code` for a digit-string code below 10⁹.
pub fn feature_id(level: Level, code: &str) -> Option<u64> {
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = code.parse().ok()?;
    (n < 1_000_000_000).then(|| u64::from(level.depth()) * 1_000_000_000 + n)
}

/// Whether a tile of levels `drawn` (of a version having `version_levels`) carries
/// [`OUTLINE_LAYER`]: communes or districts are drawn and provinces are not, but exist.
pub fn draws_outline(drawn: &[Level], version_levels: &[Level]) -> bool {
    version_levels.contains(&Level::Province)
        && !drawn.contains(&Level::Province)
        && drawn
            .iter()
            .any(|l| matches!(l, Level::District | Level::Commune))
}

/// The province outlines drawn over commune (or district) fills.
pub const OUTLINE_LAYER: &str = "province_outline";

/// The name of `level`'s label layer: `province_label`, `district_label`, `commune_label`.
pub fn label_layer_name(level: Level) -> String {
    format!("{}_label", level.as_str())
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;
/// What a caller adds to each polygon feature (see [`TileSource::tile`]).
type UnitProps<'a> = &'a dyn Fn(&UnitInfo) -> Vec<(String, PropValue)>;
type PointEntry = GeomWithData<[f64; 2], usize>;

/// Every unit of one boundary version, generalised and indexed, ready to cut tiles.
pub struct TileSource {
    units: Vec<UnitInfo>,
    ids: Vec<Option<u64>>,
    levels: Vec<Level>,
    generalised: Generalised,
    /// `trees[band]`: each unit's bounding box in that band, in Web Mercator metres.
    trees: Vec<RTree<Entry>>,
    /// Each unit's label (point in Web Mercator metres, short names, rank).
    labels: Vec<Option<Label>>,
    /// The label points, indexed.
    label_tree: RTree<PointEntry>,
}

impl TileSource {
    /// Generalises and indexes `units` (geometry in WGS84 degrees, neighbours sharing vertices),
    /// and places each unit's label (see [`crate::tiling::labels`]).
    pub fn new(units: Vec<(UnitInfo, MultiPolygon<f64>)>) -> TileSource {
        let (infos, geoms): (Vec<UnitInfo>, Vec<MultiPolygon<f64>>) = units.into_iter().unzip();
        let generalised = Generalised::build(&geoms, &DEFAULT_BANDS);
        drop(geoms);
        let bands = label_bands(&infos, &DEFAULT_BANDS);
        let points = label_points(infos.len(), |u| generalised.geometry(bands[u], u));
        TileSource::assemble(infos, generalised, &points)
    }

    /// A source of `infos` from their generalised geometry and label points (computed by
    /// [`TileSource::new`], or stored and read back): indexes each band's boxes and the labels.
    pub(crate) fn assemble(
        infos: Vec<UnitInfo>,
        generalised: Generalised,
        points: &[Option<Coord<f64>>],
    ) -> TileSource {
        let trees = (0..generalised.bands().len())
            .map(|b| {
                let entries = (0..infos.len())
                    .filter_map(|u| {
                        let r = generalised.geometry(b, u).bounding_rect()?;
                        let rect =
                            Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                        Some(GeomWithData::new(rect, u))
                    })
                    .collect();
                RTree::bulk_load(entries)
            })
            .collect();
        let levels = levels_of(&infos);
        let ids = infos.iter().map(|u| feature_id(u.level, &u.code)).collect();
        let labels = labels(&infos, points);
        let label_tree = RTree::bulk_load(
            labels
                .iter()
                .enumerate()
                .filter_map(|(u, l)| {
                    Some(GeomWithData::new(
                        [l.as_ref()?.point.x, l.as_ref()?.point.y],
                        u,
                    ))
                })
                .collect(),
        );
        TileSource {
            units: infos,
            ids,
            levels,
            generalised,
            trees,
            labels,
            label_tree,
        }
    }

    /// The generalised geometry of every unit.
    pub(crate) fn generalised(&self) -> &Generalised {
        &self.generalised
    }

    /// The index of the zoom band whose geometry cuts zoom `z`'s tiles.
    pub fn band_for_zoom(&self, z: u8) -> usize {
        self.generalised.band_for_zoom(z)
    }

    /// Estimated heap bytes held (for the server's cache weigher): the generalised geometry,
    /// the units' and labels' text, and the R-trees (each entry plus a third for the nodes).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        let units: usize = self
            .units
            .iter()
            .map(|u| size_of::<UnitInfo>() + u.code.len() + u.name.len() + opt(&u.parent_code))
            .sum();
        let labels: usize = self
            .labels
            .iter()
            .map(|l| {
                size_of::<Option<Label>>()
                    + l.as_ref().map_or(0, |l| l.label.len() + opt(&l.label_en))
            })
            .sum();
        let trees: usize = self
            .trees
            .iter()
            .map(|t| t.size() * size_of::<Entry>())
            .sum::<usize>()
            + self.label_tree.size() * size_of::<PointEntry>();
        self.generalised.heap_bytes()
            + units
            + labels
            + trees * 4 / 3
            + self.ids.len() * size_of::<Option<u64>>()
    }

    /// The levels present in this version, shallowest first.
    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    /// The units, in input order.
    pub fn units(&self) -> &[UnitInfo] {
        &self.units
    }

    /// The label of unit `i` (index into [`TileSource::units`]); `None` for an empty geometry.
    pub fn label(&self, i: usize) -> Option<&Label> {
        self.labels[i].as_ref()
    }

    /// The WGS84 bounding box `[west, south, east, north]` of unit `i` (index into
    /// [`TileSource::units`]), for a map to zoom to it; `None` for an empty geometry.
    pub fn bbox_degrees(&self, i: usize) -> Option<[f64; 4]> {
        let r = self.generalised.geometry(0, i).bounding_rect()?;
        let (w, s) = crate::geometry::mercator::to_degrees(r.min().x, r.min().y);
        let (e, n) = crate::geometry::mercator::to_degrees(r.max().x, r.max().y);
        Some([w, s, e, n])
    }

    /// The tile `id` with one layer per level of [`levels_for_zoom`] for this version.
    pub fn tile_default(
        &self,
        id: TileId,
        props: impl Fn(&UnitInfo) -> Vec<(String, PropValue)>,
    ) -> Vec<u8> {
        self.tile(id, &levels_for_zoom(id.z, &self.levels), props)
    }

    /// The tile `id`: one polygon layer per entry of `levels` (named by the level), each feature
    /// carrying `code`, `name` and what `props` returns; then one point layer per level,
    /// `{level}_label`, with the labels inside the tile proper (not its buffer, so each label
    /// is in exactly one tile); then, when [`draws_outline`], the province polygons as
    /// [`OUTLINE_LAYER`] (`code` only). An empty `Vec` when no feature is left.
    pub fn tile(
        &self,
        id: TileId,
        levels: &[Level],
        props: impl Fn(&UnitInfo) -> Vec<(String, PropValue)>,
    ) -> Vec<u8> {
        let band = self.generalised.band_for_zoom(id.z);
        let bounds = id.buffered_bounds(TILE_BUFFER, EXTENT);
        let env = AABB::from_corners(
            [bounds.min().x, bounds.min().y],
            [bounds.max().x, bounds.max().y],
        );
        let mut hits: Vec<usize> = self.trees[band]
            .locate_in_envelope_intersecting(&env)
            .map(|e| e.data)
            .collect();
        hits.sort_unstable();
        let outline = draws_outline(levels, &self.levels);
        hits.retain(|&u| {
            let level = self.units[u].level;
            levels.contains(&level) || (outline && level == Level::Province)
        });
        let frame = TileFrame::new(id);
        // Clip every unit first, then collect the hot pixels of all of them so shared borders
        // are snapped the same way in every layer (see [`crate::geometry::snapround`]). The
        // province outlines share the arcs of the commune borders they follow, so they add no
        // hot pixel of their own: the commune layer is unchanged, and the outlines repeat its
        // vertices exactly (which gzip then finds again).
        let clipped: Vec<ClippedUnit> = hits
            .iter()
            .map(|&u| frame.clip(self.generalised.geometry(band, u)))
            .collect();
        let hot = HotPixels::of_rings(
            clipped
                .iter()
                .flatten()
                .flat_map(|p| &p.rings)
                .map(Vec::as_slice),
        );
        let cut = Cut {
            hits: &hits,
            clipped: &clipped,
            hot: &hot,
            vertices: clipped
                .iter()
                .flatten()
                .flat_map(|p| &p.rings)
                .map(Vec::len)
                .sum(),
        };
        let mut layers: Vec<LayerBuilder> = levels
            .iter()
            .map(|&l| self.polygon_layer(&cut, l.as_str(), l, Some(&props)))
            .collect();
        layers.extend(levels.iter().map(|&l| self.label_layer(id, &frame, l)));
        if outline {
            layers.push(self.polygon_layer(&cut, OUTLINE_LAYER, Level::Province, None));
        }
        encode_tile(layers)
    }

    /// The layer `name` of the units of `level` in `cut`; each feature carries `code`, then
    /// (with `props`) `name` and what `props` returns.
    fn polygon_layer(
        &self,
        cut: &Cut<'_>,
        name: &str,
        level: Level,
        props: Option<UnitProps<'_>>,
    ) -> LayerBuilder {
        let mut layer = LayerBuilder::new(name);
        let mine: Vec<usize> = (0..cut.hits.len())
            .filter(|&k| self.units[cut.hits[k]].level == level)
            .collect();
        // Each unit snaps on its own once the hot pixels hold every ring; on a big tile the
        // units are shared among rayon's threads (collected in order: the same bytes).
        let snapped: Vec<MultiPolygon<i32>> = if cut.vertices >= PARALLEL_SNAP_VERTICES {
            mine.par_iter()
                .map(|&k| snap(&cut.clipped[k], cut.hot))
                .collect()
        } else {
            mine.iter()
                .map(|&k| snap(&cut.clipped[k], cut.hot))
                .collect()
        };
        for (&k, geometry) in mine.iter().zip(snapped) {
            let u = cut.hits[k];
            if geometry.0.is_empty() {
                continue;
            }
            let info = &self.units[u];
            let mut p = vec![("code".to_string(), PropValue::String(info.code.clone()))];
            if let Some(props) = props {
                p.push(("name".to_string(), PropValue::String(info.name.clone())));
                p.extend(props(info));
            }
            layer.add_polygon(self.ids[u], &p, &geometry);
        }
        layer
    }

    /// The `{level}_label` layer of tile `id`: the labels of `level` inside the tile proper,
    /// best rank first; below provinces, only the best-ranked label of each cell of a
    /// [`LABEL_GRID`]² grid over the tile (see the module doc).
    fn label_layer(&self, id: TileId, frame: &TileFrame, level: Level) -> LayerBuilder {
        let b = id.bounds();
        let env = AABB::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]);
        let mut inside: Vec<(u32, usize, Coord<f64>)> = self
            .label_tree
            .locate_in_envelope(&env)
            .map(|e| e.data)
            .filter(|&u| self.units[u].level == level)
            .filter_map(|u| {
                let l = self.labels[u].as_ref()?;
                holds(id, l.point).then(|| (l.rank, u, frame.to_tile(l.point)))
            })
            .collect();
        inside.sort_unstable_by_key(|&(rank, u, _)| (rank, u));
        let cell_size = f64::from(EXTENT / LABEL_GRID);
        let mut taken = [false; (LABEL_GRID * LABEL_GRID) as usize];
        let mut layer = LayerBuilder::new(label_layer_name(level));
        for (_, u, c) in inside {
            if level != Level::Province {
                let cell = |v: f64| ((v / cell_size).floor() as usize).min(LABEL_GRID as usize - 1);
                let k = cell(c.y) * LABEL_GRID as usize + cell(c.x);
                if std::mem::replace(&mut taken[k], true) {
                    continue;
                }
            }
            let (info, label) = (&self.units[u], self.labels[u].as_ref().expect("indexed"));
            let mut p = vec![
                ("code".to_string(), PropValue::String(info.code.clone())),
                ("name".to_string(), PropValue::String(info.name.clone())),
                ("label".to_string(), PropValue::String(label.label.clone())),
            ];
            if let Some(en) = &label.label_en {
                p.push(("label_en".to_string(), PropValue::String(en.clone())));
            }
            p.push(("rank".to_string(), PropValue::UInt(u64::from(label.rank))));
            layer.add_point(self.ids[u], &p, (c.x.round() as i32, c.y.round() as i32));
        }
        layer
    }
}

/// The band (index into `bands`) whose geometry each unit's label is placed on: that of the
/// finest zoom its level is shown at.
pub(crate) fn label_bands(infos: &[UnitInfo], bands: &[ZoomBand]) -> Vec<usize> {
    let zooms = layer_zooms(&levels_of(infos), LABEL_ZOOM);
    infos
        .iter()
        .map(|u| {
            let z = zooms
                .iter()
                .find(|r| r.0 == u.level)
                .map_or(LABEL_ZOOM, |r| r.2);
            band_for_zoom(bands, z)
        })
        .collect()
}

/// The distinct levels of `infos`, shallowest first.
fn levels_of(infos: &[UnitInfo]) -> Vec<Level> {
    let mut levels: Vec<Level> = infos.iter().map(|u| u.level).collect();
    levels.sort();
    levels.dedup();
    levels
}

/// Whether point `p` (Web Mercator metres) lies in tile `id`, by the tile index computed from
/// the point itself, so that a point on a tile border belongs to exactly one tile.
fn holds(id: TileId, p: Coord<f64>) -> bool {
    let size = tile_size(id.z);
    let col = ((p.x + HALF_WORLD) / size).floor();
    let row = ((HALF_WORLD - p.y) / size).floor();
    col == f64::from(id.x) && row == f64::from(id.y)
}

/// The units of one tile clipped to it, and the hot pixels they are snapped to.
struct Cut<'a> {
    hits: &'a [usize],
    clipped: &'a [ClippedUnit],
    hot: &'a HotPixels,
    /// Vertices of all the clipped rings: what decides whether the units snap in parallel.
    vertices: usize,
}

/// A tile with at least this many clipped vertices snaps its units on rayon's threads; below
/// it, handing the work out costs more than the second core saves.
const PARALLEL_SNAP_VERTICES: usize = 20_000;

/// The metres → tile-unit transform of one tile and its buffered clip rectangle.
pub(crate) struct TileFrame {
    left: f64,
    top: f64,
    scale: f64,
    clip: Rect<f64>,
}

impl TileFrame {
    pub(crate) fn new(id: TileId) -> TileFrame {
        let b = id.bounds();
        let (lo, hi) = (-f64::from(TILE_BUFFER), f64::from(EXTENT + TILE_BUFFER));
        TileFrame {
            left: b.min().x,
            top: b.max().y,
            scale: f64::from(EXTENT) / tile_size(id.z),
            clip: Rect::new(Coord { x: lo, y: lo }, Coord { x: hi, y: hi }),
        }
    }

    fn to_tile(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (c.x - self.left) * self.scale,
            y: (self.top - c.y) * self.scale,
        }
    }

    /// `mp` transformed to tile units and clipped to the buffered tile; polygons whose exterior
    /// falls outside are left out.
    fn clip(&self, mp: &MultiPolygon<f64>) -> ClippedUnit {
        let ring = |ls: &LineString<f64>| -> Vec<Coord<f64>> {
            let pts: Vec<Coord<f64>> = ls.0.iter().map(|&c| self.to_tile(c)).collect();
            let mut r = clip_ring(pts, self.clip);
            if r.len() >= 3 && r.first() != r.last() {
                r.push(r[0]);
            }
            r
        };
        mp.0.iter()
            .filter_map(|p| {
                let ext = ring(p.exterior());
                if ext.len() < 4 {
                    return None;
                }
                let mut rings = vec![ext];
                rings.extend(p.interiors().iter().map(ring).filter(|h| h.len() >= 4));
                Some(ClippedPolygon { rings })
            })
            .collect()
    }

    /// `mp` clipped and rounded to integers by snap rounding against its own vertices only
    /// (for shapes that share exact vertices with their neighbours, such as H3 cells; a tile of
    /// units snaps all its units together).
    pub(crate) fn quantise(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<i32> {
        let clipped = self.clip(mp);
        let hot = HotPixels::new(clipped.iter().flat_map(|p| &p.rings).flatten().copied());
        snap(&clipped, &hot)
    }
}

/// One polygon of a unit clipped to a tile: exterior first, then holes (closed, tile units).
struct ClippedPolygon {
    rings: Vec<Vec<Coord<f64>>>,
}

/// A unit clipped to a tile.
type ClippedUnit = Vec<ClippedPolygon>;

/// The clipped unit snap-rounded to the tile grid. Rings that collapse are left to
/// [`crate::tiling::mvt`], which drops them; a polygon whose hole snaps to its exterior (the tile lies in
/// a lake) is left out.
fn snap(unit: &ClippedUnit, hot: &HotPixels) -> MultiPolygon<i32> {
    // Sorted distinct vertices: a hole covering the whole buffered tile clips to the same
    // rectangle as its exterior, leaving nothing of the polygon.
    let key = |ls: &LineString<i32>| {
        let mut v: Vec<(i32, i32)> = ls.0.iter().map(|c| (c.x, c.y)).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut polys = Vec::with_capacity(unit.len());
    for p in unit {
        let mut rings = p.rings.iter().map(|r| LineString::new(hot.snap_ring(r)));
        let Some(ext) = rings.next() else { continue };
        if ext.0.len() < 4 {
            continue;
        }
        let holes: Vec<LineString<i32>> = rings.filter(|h| h.0.len() >= 4).collect();
        // Sorted only when there is a hole to compare (most polygons have none).
        if !holes.is_empty() {
            let ext_key = key(&ext);
            if holes.iter().any(|h| key(h) == ext_key) {
                continue;
            }
        }
        polys.push(Polygon::new(ext, holes));
    }
    MultiPolygon::new(polys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_table() {
        use Level::*;
        let old = [Province, District, Commune];
        let new = [Province, Commune];
        let at = |z, v: &[Level]| levels_for_zoom(z, v);
        assert_eq!(at(0, &old), [Province]);
        assert_eq!(at(5, &old), [Province]);
        assert_eq!(at(6, &old), [District]);
        assert_eq!(at(7, &old), [District]);
        assert_eq!(at(8, &old), [Commune]);
        assert_eq!(at(14, &old), [Commune]);
        assert_eq!(at(5, &new), [Province]);
        assert_eq!(at(6, &new), [Province]);
        assert_eq!(at(7, &new), [Province]);
        assert_eq!(at(8, &new), [Commune]);
        assert_eq!(at(14, &new), [Commune]);
        assert_eq!(at(9, &[Province]), [Province]);
        assert_eq!(at(0, &[Commune]), [Commune]);
        assert_eq!(at(7, &[District, Commune]), [District]);
        assert_eq!(at(3, &[District, Commune]), [District]);
        assert!(at(9, &[]).is_empty());
    }

    #[test]
    fn ids() {
        assert_eq!(feature_id(Level::Commune, "00004"), Some(4_000_000_004));
        assert_eq!(feature_id(Level::Province, "01"), Some(2_000_000_001));
        assert_eq!(feature_id(Level::Province, "A1"), None);
        assert_eq!(feature_id(Level::Province, ""), None);
    }

    #[test]
    fn a_tile_inside_a_hole_gets_nothing() {
        let id = TileId::new(10, 812, 450).unwrap();
        let b = id.bounds();
        let (w, h) = (b.width(), b.height());
        let rect = |k: f64| {
            LineString::from(vec![
                (b.min().x - k * w, b.min().y - k * h),
                (b.max().x + k * w, b.min().y - k * h),
                (b.max().x + k * w, b.max().y + k * h),
                (b.min().x - k * w, b.max().y + k * h),
                (b.min().x - k * w, b.min().y - k * h),
            ])
        };
        let frame = TileFrame::new(id);
        let lake = MultiPolygon::new(vec![Polygon::new(rect(2.0), vec![rect(1.0)])]);
        assert!(frame.quantise(&lake).0.is_empty());
        let land = MultiPolygon::new(vec![Polygon::new(rect(2.0), vec![])]);
        let q = frame.quantise(&land);
        let mut xs: Vec<i32> = q.0[0].exterior().0.iter().map(|c| c.x).collect();
        xs.sort_unstable();
        xs.dedup();
        assert_eq!(xs, [-64, 4160]);
    }
}
