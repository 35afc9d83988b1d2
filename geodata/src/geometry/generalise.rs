//! Per-zoom-band generalisation of a coverage with shared borders simplified once.
//!
//! Units are projected to Web Mercator, their arcs extracted ([`crate::geometry::topology`]), and for each
//! zoom band every arc is simplified ONCE ([`crate::geometry::simplify`]) with its end nodes fixed; the
//! units' rings are then rebuilt from the simplified arcs, so two neighbours always receive the
//! same border: no gaps, no overlaps.
//!
//! | band | zooms | tolerance (one 4096-extent tile unit at the lowest zoom) |
//! |------|-------|-----------------------------------------------------------|
//! | 0    | 0–4   | 9 784 m                                                   |
//! | 1    | 5–6   | 306 m                                                     |
//! | 2    | 7–8   | 76 m                                                      |
//! | 3    | 9–10  | 19 m                                                      |
//! | 4    | 11–12 | 4.8 m                                                     |
//! | 5    | 13+   | 1.2 m                                                     |
//!
//! Output rings follow geo's default orientation (exteriors counter-clockwise, holes clockwise
//! in metres, y up), which is clockwise exteriors once y is flipped into MVT tile coordinates.
//!
//! Rules applied per band:
//! - A ring whose arcs all belong to it alone (an island, a lake) and whose area is below one
//!   square tolerance (≈ one square tile unit) is dropped, with its holes; a ring that shares any
//!   arc is never dropped (that would open a gap), and a unit's largest exterior is never dropped,
//!   so every unit stays visible.
//! - Every kept polygon is checked with [`crate::geometry::crossing::polygon_is_valid`] (rings of at least
//!   four coordinates, non-zero area, no two segments crossing or touching except consecutive
//!   ones). If a polygon is invalid, the arcs at fault fall back to a smaller tolerance (÷4 per
//!   step, unsimplified after [`MAX_REFINEMENTS`] steps) and every unit using those arcs is
//!   rebuilt; this repeats until all are valid. The arcs at fault are those carrying a crossing
//!   segment, or every arc of a ring that collapsed (under four coordinates or zero area).
//! - Then all arcs of the band are checked against each other ([`crate::geometry::crossing::ArcIndex`]):
//!   two borders of units that never share a polygon may cross once simplified (a thin unit
//!   between them), which would make those units overlap. Such arcs are refined the same way and
//!   their units rebuilt, until no two arcs cross. The segment index is built once per band;
//!   each later round re-indexes and re-checks only the arcs simplified again since the last
//!   check (the result is the same as checking every pair again, see `ArcIndex`).

use crate::geometry::crossing::{ArcIndex, crossings, ring_shape_ok};
use crate::geometry::mercator::project_multipolygon;
use crate::geometry::mercator::{MAX_ZOOM, unit_metres};
use crate::geometry::simplify::simplify_arc;
use crate::geometry::topology::{ArcRef, PolygonArcs, Topology, assemble_ring};
use geo::Area;
use geo::orient::{Direction, Orient};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;

/// The finest bands generalised alone, not side by side: they keep the most vertices, and two
/// of them at once (bands 4 + 5, then 2 + 3: ~20 MB of working geometry each on the national
/// file) set the import's peak memory; alone they cost no CPU and little wall time (the label
/// placement after each is parallel). Figures in BENCHMARKS.md, issue 17, session 15.
pub(crate) const SOLO_FINEST: usize = 4;

/// How many times an arc's tolerance is divided by four before it is left unsimplified.
pub const MAX_REFINEMENTS: u8 = 5;

/// A range of zoom levels that share one generalised geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoomBand {
    /// Lowest zoom of the band (its tolerance is taken here).
    pub min_zoom: u8,
    /// Highest zoom of the band, inclusive.
    pub max_zoom: u8,
}

/// popmap's zoom bands: 0–4, 5–6, 7–8, 9–10, 11–12, 13+.
pub const DEFAULT_BANDS: [ZoomBand; 6] = [
    ZoomBand {
        min_zoom: 0,
        max_zoom: 4,
    },
    ZoomBand {
        min_zoom: 5,
        max_zoom: 6,
    },
    ZoomBand {
        min_zoom: 7,
        max_zoom: 8,
    },
    ZoomBand {
        min_zoom: 9,
        max_zoom: 10,
    },
    ZoomBand {
        min_zoom: 11,
        max_zoom: 12,
    },
    ZoomBand {
        min_zoom: 13,
        max_zoom: MAX_ZOOM,
    },
];

impl ZoomBand {
    /// Simplification tolerance in metres: one 4096-extent tile unit at the band's lowest zoom.
    pub fn tolerance(&self) -> f64 {
        unit_metres(self.min_zoom)
    }

    /// Area in square metres below which an unshared ring is dropped (one square tile unit).
    pub fn min_ring_area(&self) -> f64 {
        self.tolerance() * self.tolerance()
    }
}

/// Every unit's geometry, in Web Mercator metres, for every zoom band.
///
/// A unit whose geometry in a band is the same (bit for bit) as in the band below holds it
/// once: at the finest bands most units no longer change (on the national file 9,655 and
/// 10,067 of 10,660 units, 38 % of all coordinates), and a server keeps this in memory.
#[derive(Debug, Clone)]
pub struct Generalised {
    bands: Vec<ZoomBand>,
    /// The distinct geometries.
    pool: Vec<MultiPolygon<f64>>,
    /// `index[band][unit]`: the unit's geometry in `pool`.
    index: Vec<Vec<u32>>,
}

impl Generalised {
    /// Projects `units` (WGS84 degrees, neighbours sharing exact vertices) and generalises them
    /// for each of `bands` (sorted by zoom, e.g. [`DEFAULT_BANDS`]).
    pub fn build(units: &[MultiPolygon<f64>], bands: &[ZoomBand]) -> Generalised {
        Generalised::of_bands(units.iter().map(project_multipolygon), bands)
    }

    /// Like [`Generalised::build`] for units already in Web Mercator metres.
    pub fn build_projected(units: &[MultiPolygon<f64>], bands: &[ZoomBand]) -> Generalised {
        Generalised::of_bands(units.iter(), bands)
    }

    /// Every band of [`generalise_bands`] kept (units in Web Mercator metres).
    fn of_bands<M: std::borrow::Borrow<MultiPolygon<f64>>>(
        units: impl IntoIterator<Item = M>,
        bands: &[ZoomBand],
    ) -> Generalised {
        let mut g = Generalised::empty();
        generalise_bands(units, bands, |band, geometry| {
            g.push_band(band, geometry);
        });
        g
    }

    /// A generalisation of no band yet, to [`Generalised::push_band`] into (bands lowest zoom
    /// first).
    pub fn empty() -> Generalised {
        Generalised {
            bands: Vec::new(),
            pool: Vec::new(),
            index: Vec::new(),
        }
    }

    /// Every one of `bands` served by the same `geometries` (one per unit, input order): a
    /// generalisation for the zooms of one band only (see `TileSource::from_stored_band`).
    pub fn uniform(bands: &[ZoomBand], geometries: Vec<MultiPolygon<f64>>) -> Generalised {
        let index: Vec<u32> = (0..geometries.len() as u32).collect();
        Generalised {
            bands: bands.to_vec(),
            pool: geometries,
            index: vec![index; bands.len()],
        }
    }

    /// Adds the next band's geometry of every unit (input order), e.g. one stored band read
    /// back; `false` (and nothing added) when the unit count differs from the bands before.
    pub fn push_band(&mut self, band: ZoomBand, geometries: Vec<MultiPolygon<f64>>) -> bool {
        if !self.index.is_empty() && geometries.len() != self.unit_count() {
            return false;
        }
        let mut index = Vec::with_capacity(geometries.len());
        for (u, g) in geometries.into_iter().enumerate() {
            let below = self.index.last().map(|b| b[u]);
            match below {
                Some(i) if same_bits(&self.pool[i as usize], &g) => index.push(i),
                _ => {
                    index.push(self.pool.len() as u32);
                    self.pool.push(g);
                }
            }
        }
        self.bands.push(band);
        self.index.push(index);
        true
    }

    /// Every unit's geometry in band `band` (input order), in Web Mercator metres.
    pub fn band_geometries(
        &self,
        band: usize,
    ) -> impl ExactSizeIterator<Item = &MultiPolygon<f64>> {
        self.index[band].iter().map(|&i| &self.pool[i as usize])
    }

    /// The geometry of unit `unit` (input order) in band `band`, in Web Mercator metres.
    pub fn geometry(&self, band: usize, unit: usize) -> &MultiPolygon<f64> {
        &self.pool[self.index[band][unit] as usize]
    }

    /// The index of the band that serves zoom `z` (the last band serves every higher zoom).
    pub fn band_for_zoom(&self, z: u8) -> usize {
        band_for_zoom(&self.bands, z)
    }

    /// The bands, in the order given to `build`.
    pub fn bands(&self) -> &[ZoomBand] {
        &self.bands
    }

    /// Number of units.
    pub fn unit_count(&self) -> usize {
        self.index.first().map_or(0, Vec::len)
    }

    /// Total number of coordinates of all units in band `band` (closing vertices included).
    pub fn vertex_count(&self, band: usize) -> usize {
        self.band_geometries(band).map(coord_count).sum()
    }

    /// Number of coordinates held in memory, each shared geometry counted once.
    pub fn stored_vertex_count(&self) -> usize {
        self.pool.iter().map(coord_count).sum()
    }

    /// Estimated heap bytes held (for a server cache's weigher): every pooled coordinate,
    /// each polygon and ring's vector header, and the per-band index.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let rings: usize = self
            .pool
            .iter()
            .flat_map(|mp| &mp.0)
            .map(|p| size_of::<Polygon<f64>>() + std::mem::size_of_val(p.interiors()))
            .sum();
        let index: usize = self.index.iter().map(|b| 24 + b.len() * 4).sum();
        self.stored_vertex_count() * size_of::<Coord<f64>>()
            + rings
            + self.pool.len() * size_of::<MultiPolygon<f64>>()
            + index
    }
}

/// Generalises `units` (Web Mercator metres, neighbours sharing exact vertices; each read once,
/// so they may be projected on the fly) for each of `bands`, handing every band's geometry of
/// all units (input order) to `sink` in band order, so a caller can pack it and drop it before
/// the next: at most one batch of bands (as many as there are threads) is held at once, plus
/// the arcs. Bands are independent of each other and generalised on as many threads as there
/// are (the import's longest step), but the [`SOLO_FINEST`] finest one at a time; the result
/// does not depend on the batches.
pub fn generalise_bands<M: std::borrow::Borrow<MultiPolygon<f64>>>(
    units: impl IntoIterator<Item = M>,
    bands: &[ZoomBand],
    mut sink: impl FnMut(ZoomBand, Vec<MultiPolygon<f64>>),
) {
    let topo = Topology::build(units);
    let arc_units = arc_units(&topo);
    let paired = bands.len().saturating_sub(SOLO_FINEST);
    let threads = rayon::current_num_threads().max(1);
    let batches = bands[..paired]
        .chunks(threads)
        .chain(bands[paired..].chunks(1));
    for batch in batches {
        let geometries: Vec<_> = batch
            .par_iter()
            .map(|b| generalise_band(&topo, &arc_units, b))
            .collect();
        for (b, geometry) in batch.iter().zip(geometries) {
            sink(*b, geometry);
        }
    }
}

/// The index in `bands` of the band that serves zoom `z` (the last band serves every higher
/// zoom).
pub fn band_for_zoom(bands: &[ZoomBand], z: u8) -> usize {
    bands
        .iter()
        .position(|b| z <= b.max_zoom)
        .unwrap_or(bands.len().saturating_sub(1))
}

fn coord_count(mp: &MultiPolygon<f64>) -> usize {
    mp.0.iter()
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum()
}

/// Whether two geometries have the same rings with the same coordinate bits (`==` on f64 would
/// take −0.0 for 0.0).
fn same_bits(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    let rings = |mp: &MultiPolygon<f64>| -> Vec<usize> {
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| r.0.len())
            .collect()
    };
    let coords = |mp: &MultiPolygon<f64>| {
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.iter())
            .map(|c| (c.x.to_bits(), c.y.to_bits()))
            .collect::<Vec<_>>()
    };
    a.0.len() == b.0.len()
        && a.0
            .iter()
            .zip(&b.0)
            .all(|(p, q)| p.interiors().len() == q.interiors().len())
        && rings(a) == rings(b)
        && coords(a) == coords(b)
}

/// For every arc, the units whose rings reference it.
fn arc_units(topo: &Topology) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); topo.arcs.len()];
    for (u, polys) in topo.units.iter().enumerate() {
        for p in polys {
            for r in std::iter::once(&p.exterior).chain(&p.interiors) {
                for a in r {
                    let list: &mut Vec<u32> = &mut out[a.arc as usize];
                    if list.last() != Some(&(u as u32)) {
                        list.push(u as u32);
                    }
                }
            }
        }
    }
    out
}

/// Simplified arcs of one band, with each arc's refinement step.
struct BandArcs<'a> {
    topo: &'a Topology,
    tolerance: f64,
    level: Vec<u8>,
    coords: Vec<Vec<Coord<f64>>>,
    /// Arcs simplified again since the last crossing check.
    changed: Vec<u32>,
}

impl BandArcs<'_> {
    fn simplify(&mut self, arc: usize) {
        self.changed.push(arc as u32);
        let level = self.level[arc];
        let eps = if level >= MAX_REFINEMENTS {
            0.0
        } else {
            self.tolerance / 4f64.powi(i32::from(level))
        };
        self.coords[arc] = simplify_arc(&self.topo.arcs[arc].coords, eps);
    }

    fn ring(&self, refs: &[ArcRef]) -> LineString<f64> {
        assemble_ring(refs, |a| &self.coords[a as usize])
    }

    fn unshared(&self, refs: &[ArcRef]) -> bool {
        refs.iter()
            .all(|r| self.topo.arcs[r.arc as usize].uses == 1)
    }
}

fn generalise_band(
    topo: &Topology,
    arc_units: &[Vec<u32>],
    band: &ZoomBand,
) -> Vec<MultiPolygon<f64>> {
    let n_arcs = topo.arcs.len();
    let mut arcs = BandArcs {
        topo,
        tolerance: band.tolerance(),
        level: vec![0; n_arcs],
        coords: vec![Vec::new(); n_arcs],
        changed: Vec::new(),
    };
    for a in 0..n_arcs {
        arcs.simplify(a);
    }
    let mut index: Option<ArcIndex> = None;
    let min_area = band.min_ring_area();
    let mut out = vec![MultiPolygon::new(vec![]); topo.units.len()];
    let mut pending: Vec<u32> = (0..topo.units.len() as u32).collect();
    let mut bumped = vec![false; n_arcs];
    loop {
        rebuild_pending(
            &mut arcs,
            topo,
            arc_units,
            min_area,
            &mut out,
            pending,
            &mut bumped,
        );
        // Borders of units that never share a polygon can still cross once simplified; refine
        // every arc of such a crossing and rebuild the units using them, until none is left.
        // The first round checks every arc; later rounds only the arcs changed since.
        let mut changed = std::mem::take(&mut arcs.changed);
        let bad = match &mut index {
            None => {
                let (built, bad) = ArcIndex::new(&arcs.coords);
                index = Some(built);
                bad
            }
            Some(index) => {
                changed.sort_unstable();
                changed.dedup();
                index.update(&arcs.coords, &changed)
            }
        };
        pending = Vec::new();
        for a in bad {
            let a = a as usize;
            if arcs.level[a] < MAX_REFINEMENTS {
                arcs.level[a] += 1;
                arcs.simplify(a);
                pending.extend(&arc_units[a]);
            }
        }
        if pending.is_empty() {
            return out;
        }
        pending.sort_unstable();
        pending.dedup();
    }
}

/// Rebuilds the `pending` units, refining the arcs at fault in their polygons until every
/// rebuilt polygon is valid.
fn rebuild_pending(
    arcs: &mut BandArcs,
    topo: &Topology,
    arc_units: &[Vec<u32>],
    min_area: f64,
    out: &mut [MultiPolygon<f64>],
    mut pending: Vec<u32>,
    bumped: &mut [bool],
) {
    while !pending.is_empty() {
        let mut changed: Vec<usize> = Vec::new();
        for &u in &pending {
            let (mp, faulty) = rebuild_unit(arcs, &topo.units[u as usize], min_area);
            out[u as usize] = mp;
            for a in faulty {
                let a = a as usize;
                if !bumped[a] && arcs.level[a] < MAX_REFINEMENTS {
                    bumped[a] = true;
                    changed.push(a);
                }
            }
        }
        pending.clear();
        for &a in &changed {
            bumped[a] = false;
            arcs.level[a] += 1;
            arcs.simplify(a);
            pending.extend(&arc_units[a]);
        }
        pending.sort_unstable();
        pending.dedup();
    }
}

/// Rebuilds one unit from the band's arcs; returns it and the arcs at fault in its invalid
/// polygons.
fn rebuild_unit(
    arcs: &BandArcs,
    polys: &[PolygonArcs],
    min_area: f64,
) -> (MultiPolygon<f64>, Vec<u32>) {
    let exteriors: Vec<LineString<f64>> = polys.iter().map(|p| arcs.ring(&p.exterior)).collect();
    let areas: Vec<f64> = exteriors.iter().map(ring_area).collect();
    let largest = (0..areas.len()).max_by(|&a, &b| areas[a].total_cmp(&areas[b]));
    let mut kept = Vec::new();
    let mut faulty = Vec::new();
    for (i, (p, ext)) in polys.iter().zip(exteriors).enumerate() {
        if Some(i) != largest && areas[i] < min_area && arcs.unshared(&p.exterior) {
            continue;
        }
        let mut refs: Vec<&[ArcRef]> = vec![&p.exterior];
        let mut holes: Vec<LineString<f64>> = Vec::new();
        for h in &p.interiors {
            let ring = arcs.ring(h);
            if ring_area(&ring) >= min_area || !arcs.unshared(h) {
                refs.push(h);
                holes.push(ring);
            }
        }
        let mut rings: Vec<&LineString<f64>> = vec![&ext];
        rings.extend(&holes);
        faulty.extend(faulty_arcs(arcs, &rings, &refs));
        kept.push(Polygon::new(ext, holes).orient(Direction::Default));
    }
    (MultiPolygon::new(kept), faulty)
}

/// The arcs to refine in one rebuilt polygon: every arc of a collapsed ring, and the arcs that
/// carry a crossing segment.
fn faulty_arcs(arcs: &BandArcs, rings: &[&LineString<f64>], refs: &[&[ArcRef]]) -> Vec<u32> {
    let mut out = Vec::new();
    for (ring, r) in rings.iter().zip(refs) {
        if !ring_shape_ok(ring) {
            out.extend(r.iter().map(|a| a.arc));
        }
    }
    if !out.is_empty() {
        return out;
    }
    for (ring, segment) in crossings(rings, false) {
        // Each arc contributes (its vertex count − 1) segments, in order.
        let mut end = 0;
        for a in refs[ring] {
            end += arcs.coords[a.arc as usize].len() - 1;
            if segment < end {
                out.push(a.arc);
                break;
            }
        }
    }
    out
}

fn ring_area(r: &LineString<f64>) -> f64 {
    Polygon::new(r.clone(), vec![]).unsigned_area()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_lookup_and_tolerances() {
        let g = Generalised::build(&[], &DEFAULT_BANDS);
        let bands: Vec<usize> = (0..=24).map(|z| g.band_for_zoom(z)).collect();
        assert_eq!(&bands[..14], &[0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5]);
        assert!(bands[14..].iter().all(|&b| b == 5));
        assert!((DEFAULT_BANDS[0].tolerance() - 9_783.939_620_5).abs() < 1e-3);
        assert!((DEFAULT_BANDS[5].tolerance() - 1.194_328_566).abs() < 1e-6);
        assert_eq!(g.unit_count(), 0);
    }

    /// A (between a spiky bottom border and a gently curved top border), B above, C below.
    fn notch() -> Vec<MultiPolygon<f64>> {
        use geo_types::polygon;
        let a = polygon![
            (x: 0., y: 0.), (x: 695., y: 0.), (x: 700., y: 24.), (x: 705., y: 0.), (x: 1000., y: 0.),
            (x: 700., y: 28.), (x: 500., y: 30.), (x: 300., y: 26.),
        ];
        let b = polygon![
            (x: 0., y: 0.), (x: 300., y: 26.), (x: 500., y: 30.), (x: 700., y: 28.),
            (x: 1000., y: 0.), (x: 1000., y: 100.), (x: 0., y: 100.),
        ];
        let c = polygon![
            (x: 0., y: 0.), (x: 0., y: -100.), (x: 1000., y: -100.), (x: 1000., y: 0.),
            (x: 705., y: 0.), (x: 700., y: 24.), (x: 695., y: 0.),
        ];
        vec![a, b, c]
            .into_iter()
            .map(|p| MultiPolygon::new(vec![p]))
            .collect()
    }

    #[test]
    fn crossing_arc_falls_back_to_a_smaller_tolerance() {
        let band = ZoomBand {
            min_zoom: 9,
            max_zoom: 24,
        }; // tolerance 19.1 m
        let top = [
            Coord { x: 1000., y: 0. },
            Coord { x: 700., y: 28. },
            Coord { x: 500., y: 30. },
            Coord { x: 300., y: 26. },
            Coord { x: 0., y: 0. },
        ];
        // At full tolerance the top border loses (700, 28) and its chord (y = 18 at x = 700)
        // would cut through the spike of the bottom border (tip at y = 24).
        let plain = simplify_arc(&top, band.tolerance());
        assert!(!plain.contains(&top[1]));
        let g = Generalised::build_projected(&notch(), &[band]);
        for u in 0..3 {
            let p = &g.geometry(0, u).0[0];
            let rings = [p.exterior()];
            assert!(
                crate::geometry::crossing::polygon_is_valid(&rings),
                "unit {u}: {:?}",
                p.exterior()
            );
        }
        assert!(g.geometry(0, 0).0[0].exterior().0.contains(&top[1]));
        assert!(g.geometry(0, 1).0[0].exterior().0.contains(&top[1]));
        // The refined tolerance (19.1 / 4 = 4.8 m) also keeps (300, 26), 8.0 m off its chord,
        // and the neighbour above gets the very same refined border.
        assert!(g.geometry(0, 1).0[0].exterior().0.contains(&top[3]));
    }
}
