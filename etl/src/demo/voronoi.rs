//! Voronoi cells of commune points, clipped to the country outline, on the 1e-7° grid.
//!
//! Unclipped cell edges are shared exactly because spade gives one circumcenter per Delaunay face and
//! every circumcenter is snapped to the grid. Clipped cells come from geo's boolean intersection with the
//! outline; the coordinates it returns are snapped again, and every vertex that is neither a Voronoi vertex
//! nor an outline vertex (i.e. a coast × cell-edge crossing, computed once per cell) is merged with any other
//! such vertex within 4 grid steps, so the two cells on either side of a crossing use the same point.

use std::collections::{BTreeMap, HashMap, HashSet};

use geo::{BooleanOps, BoundingRect, Contains, Coord, MultiPolygon, Point, Polygon, Rect};
use spade::handles::VoronoiVertex;
use spade::{DelaunayTriangulation, Point2, Triangulation};

use super::DemoError;
use super::grid::{GridPoly, Pt, Ring, clean, from_geo, orient, ring_to_geo, snap};

/// Half the side of the square given to a commune whose clipped cell is empty, in degrees (≈ 550 m).
pub const ISLAND_HALF_SIDE: f64 = 0.005;
/// How far a duplicated point is moved east, in degrees (≈ 2 m), per earlier duplicate.
pub const NUDGE: f64 = 2e-5;
/// Vertices created by clipping that are this close (grid steps, Chebyshev) are merged.
const MERGE_RADIUS: i64 = 4;
/// Bucket side of the outline segment index, degrees.
const BUCKET: f64 = 0.1;

/// The cells of one point set.
#[derive(Debug, Clone)]
pub struct Cells {
    /// One multipolygon per input point, same order.
    pub polys: Vec<GridPoly>,
    /// Indexes of points whose clipped cell was empty and that got a small square instead, and of
    /// archipelago points, which got their islands.
    pub islands: Vec<usize>,
    /// Indexes of points moved because they duplicated an earlier point.
    pub nudged: Vec<usize>,
}

struct OutlineIndex {
    segs: Vec<(Coord<f64>, Coord<f64>)>,
    buckets: HashMap<(i32, i32), Vec<usize>>,
}

fn bucket(v: f64) -> i32 {
    (v / BUCKET).floor() as i32
}

impl OutlineIndex {
    fn new(outline: &MultiPolygon<f64>) -> OutlineIndex {
        let mut segs = Vec::new();
        let mut buckets: HashMap<(i32, i32), Vec<usize>> = HashMap::new();
        for poly in &outline.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for l in ring.lines() {
                    let id = segs.len();
                    segs.push((l.start, l.end));
                    for bx in bucket(l.start.x.min(l.end.x))..=bucket(l.start.x.max(l.end.x)) {
                        for by in bucket(l.start.y.min(l.end.y))..=bucket(l.start.y.max(l.end.y)) {
                            buckets.entry((bx, by)).or_default().push(id);
                        }
                    }
                }
            }
        }
        OutlineIndex { segs, buckets }
    }

    /// True when some outline segment's box meets `r`.
    fn touches(&self, r: &Rect<f64>) -> bool {
        let (lo, hi) = (r.min(), r.max());
        for bx in bucket(lo.x)..=bucket(hi.x) {
            for by in bucket(lo.y)..=bucket(hi.y) {
                for &id in self
                    .buckets
                    .get(&(bx, by))
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    let (a, b) = self.segs[id];
                    if a.x.max(b.x) >= lo.x
                        && a.x.min(b.x) <= hi.x
                        && a.y.max(b.y) >= lo.y
                        && a.y.min(b.y) <= hi.y
                    {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// Voronoi cells of `points` (lon, lat), each clipped to `outline`; a point of `islands` (an
/// archipelago commune, see `archipelago`) gets its islands cut to its cell instead.
pub fn clipped_cells(
    points: &[(f64, f64)],
    outline: &MultiPolygon<f64>,
    islands: &BTreeMap<usize, MultiPolygon<f64>>,
) -> Result<Cells, DemoError> {
    let raw = raw_cells(points)?;
    let (nudged, sites) = nudge(points);
    let index = OutlineIndex::new(outline);
    let mut originals: HashSet<Pt> = raw.iter().flatten().copied().collect();
    for poly in &outline.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            originals.extend(ring.0.iter().map(|c| snap(c.x, c.y)));
        }
    }
    let mut merger = Merger {
        originals,
        seen: HashMap::new(),
    };
    let mut polys = Vec::with_capacity(raw.len());
    let mut islands_out = Vec::new();
    for (i, ring) in raw.iter().enumerate() {
        let cell = Polygon::new(ring_to_geo(ring), vec![]);
        let bbox = cell
            .bounding_rect()
            .ok_or_else(|| DemoError::Geometry(format!("point {i}: empty cell")))?;
        if let Some(own) = islands.get(&i) {
            let gp = from_geo(&cell.intersection(own));
            if gp.is_empty() {
                return Err(DemoError::Geometry(format!(
                    "point {i}: none of its islands lies in its Voronoi cell"
                )));
            }
            islands_out.push(i);
            polys.push(gp);
            continue;
        }
        let mut gp: GridPoly = if !index.touches(&bbox) {
            let (x, y) = sites[i];
            if outline.contains(&Point::new(x, y)) {
                vec![vec![ring.clone()]]
            } else {
                vec![]
            }
        } else {
            merger.apply(from_geo(&cell.intersection(outline)))
        };
        if gp.is_empty() {
            let (x, y) = sites[i];
            let h = ISLAND_HALF_SIDE;
            let square =
                Rect::new(Coord { x: x - h, y: y - h }, Coord { x: x + h, y: y + h }).to_polygon();
            gp = from_geo(&square.intersection(&cell));
            if gp.is_empty() {
                return Err(DemoError::Geometry(format!(
                    "point {i} ({x}, {y}): no polygon even for its island square"
                )));
            }
            islands_out.push(i);
        }
        polys.push(gp);
    }
    Ok(Cells {
        polys,
        islands: islands_out,
        nudged,
    })
}

/// Moves exact duplicates a little east so every point has its own cell.
fn nudge(points: &[(f64, f64)]) -> (Vec<usize>, Vec<(f64, f64)>) {
    let mut seen = HashSet::new();
    let mut moved = Vec::new();
    let mut out = Vec::with_capacity(points.len());
    for (i, &(x, y)) in points.iter().enumerate() {
        let mut k = 0;
        while !seen.insert(snap(x + k as f64 * NUDGE, y)) {
            k += 1;
        }
        if k > 0 {
            moved.push(i);
        }
        out.push((x + k as f64 * NUDGE, y));
    }
    (moved, out)
}

/// The unclipped Voronoi ring of every point (counter-clockwise, on the grid).
fn raw_cells(points: &[(f64, f64)]) -> Result<Vec<Ring>, DemoError> {
    let (_, sites) = nudge(points);
    let mut t: DelaunayTriangulation<Point2<f64>> = DelaunayTriangulation::new();
    let mut handles = Vec::with_capacity(sites.len());
    for &(x, y) in &sites {
        let h = t
            .insert(Point2::new(x, y))
            .map_err(|e| DemoError::Geometry(format!("point ({x}, {y}): {e}")))?;
        handles.push(h);
    }
    // Far bounding points so every real cell is bounded.
    for (x, y) in [(60.0, -40.0), (160.0, -40.0), (160.0, 70.0), (60.0, 70.0)] {
        t.insert(Point2::new(x, y))
            .map_err(|e| DemoError::Geometry(e.to_string()))?;
    }
    let mut rings = Vec::with_capacity(handles.len());
    for (i, h) in handles.iter().enumerate() {
        let mut ring = Vec::new();
        for e in t.vertex(*h).as_voronoi_face().adjacent_edges() {
            match e.from() {
                VoronoiVertex::Inner(f) => {
                    let c = f.circumcenter();
                    ring.push(snap(c.x, c.y));
                }
                VoronoiVertex::Outer(_) => {
                    return Err(DemoError::Geometry(format!(
                        "point {i}: unbounded Voronoi cell"
                    )));
                }
            }
        }
        let ring = clean(ring)
            .ok_or_else(|| DemoError::Geometry(format!("point {i}: degenerate Voronoi cell")))?;
        rings.push(orient(ring, true));
    }
    Ok(rings)
}

/// Merges clip-created vertices that two cells computed slightly differently.
pub struct Merger {
    originals: HashSet<Pt>,
    seen: HashMap<Pt, Vec<Pt>>,
}

impl Merger {
    /// A merger that keeps `originals` as they are.
    pub fn new(originals: HashSet<Pt>) -> Merger {
        Merger {
            originals,
            seen: HashMap::new(),
        }
    }

    /// The canonical position of `p`.
    pub fn canon(&mut self, p: Pt) -> Pt {
        if self.originals.contains(&p) {
            return p;
        }
        let key = |p: Pt| {
            (
                p.0.div_euclid(MERGE_RADIUS * 2),
                p.1.div_euclid(MERGE_RADIUS * 2),
            )
        };
        let (kx, ky) = key(p);
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(qs) = self.seen.get(&(kx + dx, ky + dy))
                    && let Some(q) = qs.iter().find(|q| {
                        (q.0 - p.0).abs() <= MERGE_RADIUS && (q.1 - p.1).abs() <= MERGE_RADIUS
                    })
                {
                    return *q;
                }
            }
        }
        self.seen.entry((kx, ky)).or_default().push(p);
        p
    }

    /// Canonicalises, cleans and orients every ring.
    pub fn apply(&mut self, gp: GridPoly) -> GridPoly {
        let mut out = Vec::new();
        for rings in gp {
            let mut rs: Vec<Ring> = Vec::new();
            for (k, r) in rings.into_iter().enumerate() {
                let r: Ring = r.into_iter().map(|p| self.canon(p)).collect();
                match clean(r) {
                    Some(r) => rs.push(orient(r, k == 0)),
                    None if k == 0 => break,
                    None => {}
                }
            }
            if !rs.is_empty() {
                out.push(rs);
            }
        }
        out
    }
}
