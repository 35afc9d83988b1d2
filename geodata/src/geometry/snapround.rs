//! Snap rounding of a tile's rings to the integer grid of the tile extent.
//!
//! Plain rounding moves each vertex on its own: a vertex of one commune lying within half a unit
//! of a neighbour's border can land on the other side of it, and the two decoded polygons then
//! overlap (or a ring crosses itself). Snap rounding (Hobby, 1999) avoids that: every rounded
//! vertex makes its unit square a *hot pixel*, and every segment passing through a hot pixel is
//! routed through the pixel's centre. Segments that did not cross before rounding do not cross
//! after it — at worst they touch or run together (zero-width, zero area) — so a coverage stays a
//! coverage. The same segment always gets the same route, whichever ring it belongs to and in
//! whichever direction that ring runs, so neighbours keep identical borders.
//!
//! Written here because no maintained Rust crate offers snap rounding; it is part of the tile
//! generalisation that is popmap's product. Hot pixels must be collected from every ring that can
//! share a border (all units of the tile), then each ring is snapped with [`HotPixels::snap_ring`].

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use geo_types::Coord;

/// Largest bounding box (in pixels) kept as a bitmap: 2²⁶ bits, 8 MiB. A tile's clipped rings
/// span at most (extent + 2 × buffer)² ≈ 2²⁴·³ pixels, so tiles always get the bitmap; points
/// spread wider fall back to a hash set.
const MAX_BITMAP_PIXELS: u64 = 1 << 26;

/// The hot pixels of one tile: the rounded positions of all its vertices.
#[derive(Debug)]
pub struct HotPixels {
    pixels: Pixels,
    len: usize,
    /// The routes found so far: a border shared by two units (and a province's again in the
    /// outline layer) is routed once. One table per worker (slot 0 outside rayon's pool, slot
    /// i + 1 for its thread i) so units can be snapped in parallel: each lock is uncontended,
    /// and a route is a function of its segment alone, so which table holds it changes nothing.
    routes: Box<[Mutex<Routes>]>,
}

/// One route table per worker: slot 0, then one per thread of rayon's pool.
fn route_slots(first: Routes) -> Box<[Mutex<Routes>]> {
    std::iter::once(first)
        .chain((0..rayon::current_num_threads()).map(|_| Routes::default()))
        .map(Mutex::new)
        .collect()
}

/// Routes of segments by their canonical ends: the range of their pixels in `pixels`. Hashed by
/// foldhash over one word folded from the ends ([`Ends`]): hashing the four words as a slice,
/// or with SipHash, cost as much as the walks the cache saves.
#[derive(Debug, Default)]
struct Routes {
    by_ends: HashMap<Ends, (u32, u32), foldhash::fast::FixedState>,
    pixels: Vec<(i32, i32)>,
}

/// The bits of a segment's canonical ends p.x, p.y, q.x, q.y.
#[derive(Debug, PartialEq, Eq)]
struct Ends([u64; 4]);

impl std::hash::Hash for Ends {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let [a, b, c, d] = self.0;
        h.write_u64(a ^ b.rotate_left(16) ^ c.rotate_left(32) ^ d.rotate_left(48));
    }
}

/// Side of a block of the two-level bitmap, in pixels (one `u64` per line of a block).
const BLOCK: i64 = 64;

/// The set of hot pixels. Finding the hot pixels a segment passes is the inner loop of snap
/// rounding, so they are kept as bitmaps (a SipHash set spent half of a dense z8 tile's time
/// hashing), in two levels: the pixels' bounding box cut into 64 × 64 blocks, only the blocks
/// holding a hot pixel stored (zeroing a flat bitmap of a whole buffered tile, 2.2 MB, cost a z12
/// tile a seventh of its time). The bitmap is kept twice, by rows and by columns, so that a
/// segment is always walked along the axis it runs most along, 64 pixels per word read (see
/// [`HotPixels::pixels_on`]).
#[derive(Debug)]
enum Pixels {
    /// The same pixels by rows (bits over x) and by columns (bits over y).
    Bitmap {
        /// Major axis x, minor axis y.
        rows: Plane,
        /// Major axis y, minor axis x.
        cols: Plane,
    },
    /// Points too far apart for a bitmap.
    Set(HashSet<(i32, i32)>),
}

/// A two-level bitmap in (major, minor) coordinates: along each minor line, one `u64` per block
/// of 64 major positions. `index[minor block * size.0 + major block]` is 0 for an empty block,
/// else 1 + its position in `blocks` (one word per minor line of the block, bit = major offset).
#[derive(Debug)]
struct Plane {
    /// The (major, minor) corner of the box.
    origin: (i64, i64),
    /// Blocks along the major and the minor axis.
    size: (i64, i64),
    index: Vec<u32>,
    blocks: Vec<[u64; BLOCK as usize]>,
}

impl Plane {
    /// The plane of the box at `origin` (major, minor) of `size` blocks holding `points`, each
    /// put in (major, minor) order by `key` and inside the box; and how many are distinct.
    /// The blocks are counted first and allocated zeroed at once (pushed one by one, the
    /// reallocations copied a dense z8 tile's 2 MB of blocks again).
    fn of_points(
        origin: (i64, i64),
        size: (i64, i64),
        points: &[(i32, i32)],
        key: impl Fn((i32, i32)) -> (i64, i64),
    ) -> (Plane, usize) {
        let at = |p: (i32, i32)| {
            let (m, n) = key(p);
            let (dm, dn) = (m - origin.0, n - origin.1);
            (
                ((dn / BLOCK) * size.0 + dm / BLOCK) as usize,
                dm % BLOCK,
                dn % BLOCK,
            )
        };
        let mut index = vec![0u32; (size.0 * size.1) as usize];
        let mut count = 0u32;
        for &p in points {
            let cell = &mut index[at(p).0];
            if *cell == 0 {
                count += 1;
                *cell = count;
            }
        }
        let mut blocks = vec![[0u64; BLOCK as usize]; count as usize];
        let mut len = 0;
        for &p in points {
            let (cell, dm, dn) = at(p);
            let word = &mut blocks[index[cell] as usize - 1][dn as usize];
            len += usize::from(*word >> dm & 1 == 0);
            *word |= 1 << dm;
        }
        let plane = Plane {
            origin,
            size,
            index,
            blocks,
        };
        (plane, len)
    }

    /// The word of major block `block` (counted from the origin) on minor line `minor`; 0
    /// outside the box.
    fn word(&self, block: i64, minor: i64) -> u64 {
        let dn = minor - self.origin.1;
        if !(0..self.size.1 * BLOCK).contains(&dn) || !(0..self.size.0).contains(&block) {
            return 0;
        }
        match self.index[((dn / BLOCK) * self.size.0 + block) as usize] {
            0 => 0,
            k => self.blocks[k as usize - 1][(dn % BLOCK) as usize],
        }
    }

    fn contains(&self, major: i64, minor: i64) -> bool {
        let dm = major - self.origin.0;
        dm >= 0 && self.word(dm / BLOCK, minor) >> (dm % BLOCK) & 1 != 0
    }
}

impl Default for HotPixels {
    fn default() -> HotPixels {
        HotPixels::new(std::iter::empty())
    }
}

/// `v.round() as i32` (half away from zero, saturating, NaN → 0) without a call into libm
/// (x86-64's baseline has no rounding instruction; every vertex is rounded at least twice).
fn round_i32(v: f64) -> i32 {
    let v = v.clamp(f64::from(i32::MIN), f64::from(i32::MAX));
    let t = v as i64;
    // Exact: the fraction of a double below 2^31 is representable.
    let f = v - t as f64;
    (t + i64::from(f >= 0.5) - i64::from(f <= -0.5)) as i32
}

fn round(c: Coord<f64>) -> (i32, i32) {
    (round_i32(c.x), round_i32(c.y))
}

/// Whether both ends of segment a→b lie strictly inside pixel `p`, a's pixel (at less than half
/// a unit from its centre on both axes): the segment then meets no other pixel's closed square.
fn inside_one_pixel(a: Coord<f64>, b: Coord<f64>, p: (i32, i32)) -> bool {
    let (cx, cy) = (f64::from(p.0), f64::from(p.1));
    let near = |c: Coord<f64>| (c.x - cx).abs() < 0.5 && (c.y - cy).abs() < 0.5;
    near(a) && near(b)
}

/// `v.floor() as i64` without a call into libm (x86-64's baseline has no rounding
/// instruction, and snap rounding floors twice per pixel column). Exact for |v| < 2⁶².
fn floor_i64(v: f64) -> i64 {
    let t = v as i64;
    t - i64::from((t as f64) > v)
}

/// `v.ceil() as i64`, as [`floor_i64`].
fn ceil_i64(v: f64) -> i64 {
    let t = v as i64;
    t + i64::from((t as f64) < v)
}

/// A segment in (major, minor) coordinates, its major axis the one it runs most along, and
/// whether a pixel's closed square meets it. The one test both walks apply to a candidate pixel,
/// so they report the same pixels.
struct Span {
    p0: (f64, f64),
    p1: (f64, f64),
    slope: f64,
}

impl Span {
    /// `p`→`q` with major axis y when `steep`, else x; the ends ordered along it.
    fn new(p: Coord<f64>, q: Coord<f64>, steep: bool) -> Span {
        let key = |c: Coord<f64>| if steep { (c.y, c.x) } else { (c.x, c.y) };
        let (mut p0, mut p1) = (key(p), key(q));
        if p0.0 > p1.0 {
            std::mem::swap(&mut p0, &mut p1);
        }
        let slope = if p1.0 > p0.0 {
            (p1.1 - p0.1) / (p1.0 - p0.0)
        } else {
            0.0
        };
        Span { p0, p1, slope }
    }

    /// The minor coordinate at major coordinate `m`.
    fn at(&self, m: f64) -> f64 {
        self.p0.1 + (m - self.p0.0) * self.slope
    }

    /// The major columns whose closed pixel squares the segment can meet.
    fn columns(&self) -> (i64, i64) {
        (ceil_i64(self.p0.0 - 0.5), floor_i64(self.p1.0 + 0.5))
    }

    /// The minor range the segment spans over major columns `a..=b` (`None` when it misses them).
    fn minor_range(&self, a: i64, b: i64) -> Option<(f64, f64)> {
        let lo = (a as f64 - 0.5).max(self.p0.0);
        let hi = (b as f64 + 0.5).min(self.p1.0);
        if lo > hi {
            return None;
        }
        let (m0, m1) = (self.at(lo), self.at(hi));
        Some((m0.min(m1), m0.max(m1)))
    }

    /// The minor pixels whose closed squares the segment meets in major column `i`, if any.
    fn pixels_in_column(&self, i: i64) -> Option<std::ops::RangeInclusive<i64>> {
        let (lo, hi) = self.minor_range(i, i)?;
        Some(ceil_i64(lo - 0.5)..=floor_i64(hi + 0.5))
    }
}

impl HotPixels {
    /// Hot pixels of every vertex in `points` (tile units).
    pub fn new(points: impl IntoIterator<Item = Coord<f64>>) -> HotPixels {
        let points: Vec<Coord<f64>> = points.into_iter().collect();
        HotPixels::of_rings([&points[..]])
    }

    /// Hot pixels of every vertex of `rings` (tile units): [`HotPixels::new`] for a tile's
    /// rings, read ring by ring (a flattened iterator of rings cost a dense tile ~8M
    /// instructions in its adapters and its guesses of the length).
    pub fn of_rings<'a>(rings: impl IntoIterator<Item = &'a [Coord<f64>]>) -> HotPixels {
        let mut rounded: Vec<(i32, i32)> = Vec::new();
        for ring in rings {
            rounded.extend(ring.iter().map(|&c| round(c)));
        }
        let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for &(x, y) in &rounded {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let span = |lo: i32, hi: i32| (i64::from(hi) - i64::from(lo) + 1).max(0) as u64;
        let (width, height) = (span(x0, x1), span(y0, y1));
        if width.saturating_mul(height) > MAX_BITMAP_PIXELS {
            let set: HashSet<(i32, i32)> = rounded.into_iter().collect();
            return HotPixels {
                len: set.len(),
                pixels: Pixels::Set(set),
                routes: route_slots(Routes::default()),
            };
        }
        let blocks = |n: u64| (n.div_ceil(BLOCK as u64) as i64).max(1);
        let (bx, by) = (blocks(width), blocks(height));
        let (x0, y0) = (i64::from(x0), i64::from(y0));
        let (rows, len) = Plane::of_points((x0, y0), (bx, by), &rounded, |(x, y)| {
            (i64::from(x), i64::from(y))
        });
        let (cols, _) = Plane::of_points((y0, x0), (by, bx), &rounded, |(x, y)| {
            (i64::from(y), i64::from(x))
        });
        // Most vertices start a segment that is walked, about half of them shared: sized for
        // that, the table is not grown (rehashed) while a tile is cut.
        let routes = Routes {
            by_ends: HashMap::with_capacity_and_hasher(rounded.len() / 2, Default::default()),
            pixels: Vec::with_capacity(rounded.len()),
        };
        HotPixels {
            pixels: Pixels::Bitmap { rows, cols },
            len,
            routes: route_slots(routes),
        }
    }

    /// Number of distinct hot pixels.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no hot pixel.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether pixel `(x, y)` is hot.
    fn contains(&self, (x, y): (i32, i32)) -> bool {
        match &self.pixels {
            Pixels::Bitmap { rows, .. } => rows.contains(i64::from(x), i64::from(y)),
            Pixels::Set(set) => set.contains(&(x, y)),
        }
    }

    /// The ring (closed or not, tile units) routed through the hot pixels its segments cross,
    /// with consecutive repeats removed; closed when the input was.
    pub fn snap_ring(&self, ring: &[Coord<f64>]) -> Vec<Coord<i32>> {
        let mut out: Vec<Coord<i32>> = Vec::with_capacity(ring.len());
        let mut push = |(x, y): (i32, i32)| {
            if out.last() != Some(&Coord { x, y }) {
                out.push(Coord { x, y });
            }
        };
        let (mut route, mut mid) = (Vec::new(), Vec::new());
        let Some(&first) = ring.first() else {
            return out;
        };
        // Each vertex is rounded once, as the end of one segment and the start of the next.
        let mut ra = round(first);
        for w in ring.windows(2) {
            let rb = round(w[1]);
            // Most segments of a detailed border at a low zoom lie inside one pixel: their
            // route is that pixel alone, and no other pixel's closed square can meet them.
            if ra == rb && inside_one_pixel(w[0], w[1], ra) {
                push(ra);
            } else {
                route.clear();
                self.segment_route((w[0], ra), (w[1], rb), &mut mid, &mut route);
                route.iter().copied().for_each(&mut push);
            }
            ra = rb;
        }
        if ring.len() == 1 {
            push(ra);
        }
        out
    }

    /// The hot pixels segment a→b passes through, from a's pixel to b's pixel (each end given
    /// with its rounded pixel; `mid` is scratch space).
    fn segment_route(
        &self,
        (a, ra): (Coord<f64>, (i32, i32)),
        (b, rb): (Coord<f64>, (i32, i32)),
        mid: &mut Vec<(f64, (i32, i32))>,
        out: &mut Vec<(i32, i32)>,
    ) {
        // Work in one canonical direction so both traversals of a shared segment agree.
        let flip = (b.x, b.y) < (a.x, a.y);
        let (p, q) = if flip { (b, a) } else { (a, b) };
        let (rp, rq) = if flip { (rb, ra) } else { (ra, rb) };
        let start = out.len();
        // A segment between neighbouring pixels (most segments of a dense tile) is walked again
        // each time: its walk reads a few words, less than hashing and storing its route costs.
        if (ra.0 - rb.0).abs() <= 1 && (ra.1 - rb.1).abs() <= 1 {
            self.walk_route((p, rp), (q, rq), mid, out);
        } else {
            let key = Ends([p.x, p.y, q.x, q.y].map(f64::to_bits));
            let slot = rayon::current_thread_index().map_or(0, |i| i + 1);
            let mut routes = self.routes[slot.min(self.routes.len() - 1)]
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(&(at, n)) = routes.by_ends.get(&key) {
                out.extend_from_slice(&routes.pixels[at as usize..(at + n) as usize]);
            } else {
                self.walk_route((p, rp), (q, rq), mid, out);
                let at = u32::try_from(routes.pixels.len()).expect("fewer than 2^32 routed pixels");
                routes.pixels.extend_from_slice(&out[start..]);
                let n = (out.len() - start) as u32;
                routes.by_ends.insert(key, (at, n));
            }
        }
        if flip {
            out[start..].reverse();
        }
    }

    /// Appends to `out` the route of segment p→q (in canonical order, each end with its
    /// pixel): p's pixel, the hot pixels the segment meets ordered along it, q's pixel.
    fn walk_route(
        &self,
        (p, rp): (Coord<f64>, (i32, i32)),
        (q, rq): (Coord<f64>, (i32, i32)),
        mid: &mut Vec<(f64, (i32, i32))>,
        out: &mut Vec<(i32, i32)>,
    ) {
        let d = Coord {
            x: q.x - p.x,
            y: q.y - p.y,
        };
        let len2 = d.x * d.x + d.y * d.y;
        mid.clear();
        if len2 > 0.0 {
            self.pixels_on(p, q, |px| {
                if px != rp && px != rq {
                    let t = ((f64::from(px.0) - p.x) * d.x + (f64::from(px.1) - p.y) * d.y) / len2;
                    mid.push((t, px));
                }
            });
        }
        mid.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        out.push(rp);
        out.extend(mid.iter().map(|&(_, px)| px));
        out.push(rq);
    }

    /// Calls `f` with every hot pixel whose closed unit square the segment p→q meets.
    ///
    /// The segment is walked along its major axis (the one it runs most along), in the plane
    /// whose words run along that axis, one block of 64 columns at a time: the minor lines the
    /// segment spans over the block (slope ≤ 1: at most 66) are read one word each, masked to the
    /// columns the segment covers, and only the set bits are tested exactly
    /// ([`Span::pixels_in_column`]). A border across a z12 tile costs a word per line instead of
    /// a test per pixel, and an empty block costs nothing.
    fn pixels_on(&self, p: Coord<f64>, q: Coord<f64>, mut f: impl FnMut((i32, i32))) {
        let steep = (q.y - p.y).abs() > (q.x - p.x).abs();
        let s = Span::new(p, q, steep);
        let (first, last) = s.columns();
        let plane = match &self.pixels {
            Pixels::Bitmap { rows, cols } => {
                if steep {
                    cols
                } else {
                    rows
                }
            }
            Pixels::Set(_) => return self.walk(steep, &s, first..=last, &mut f),
        };
        let pixel = |i: i64, j: i64| {
            let (i, j) = (i as i32, j as i32);
            if steep { (j, i) } else { (i, j) }
        };
        let mut start = first;
        while start <= last {
            let block = (start - plane.origin.0).div_euclid(BLOCK);
            if block >= plane.size.0 {
                break;
            }
            let base = plane.origin.0 + block * BLOCK;
            if block < 0 {
                start = plane.origin.0;
                continue;
            }
            let end = (base + BLOCK - 1).min(last);
            // Bits start - base ..= end - base.
            let width = end - start + 1;
            let mask = (u64::MAX >> (BLOCK - width)) << (start - base);
            if let Some((lo, hi)) = s.minor_range(start, end) {
                // The lines whose closed pixels reach [lo, hi]: every line a column of the block
                // can report (`Span::at` is monotonic, so no column's range leaves [lo, hi]).
                for j in ceil_i64(lo - 0.5)..=floor_i64(hi + 0.5) {
                    let mut bits = plane.word(block, j) & mask;
                    while bits != 0 {
                        let i = base + i64::from(bits.trailing_zeros());
                        bits &= bits - 1;
                        if s.pixels_in_column(i).is_some_and(|r| r.contains(&j)) {
                            f(pixel(i, j));
                        }
                    }
                }
            }
            start = end + 1;
        }
    }

    /// [`HotPixels::pixels_on`] for a set: every pixel the segment meets in columns `cols`,
    /// looked up one by one.
    fn walk(
        &self,
        steep: bool,
        s: &Span,
        cols: std::ops::RangeInclusive<i64>,
        f: &mut impl FnMut((i32, i32)),
    ) {
        for i in cols {
            for j in s.pixels_in_column(i).into_iter().flatten() {
                let px = if steep {
                    (j as i32, i as i32)
                } else {
                    (i as i32, j as i32)
                };
                if self.contains(px) {
                    f(px);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    fn ints(v: &[Coord<i32>]) -> Vec<(i32, i32)> {
        v.iter().map(|c| (c.x, c.y)).collect()
    }

    #[test]
    fn a_vertex_near_a_border_pulls_the_border_through_its_pixel() {
        // B's vertex (5, 0.8) lies just below A's border (y = 0.9 at x = 5). Plain rounding
        // gives (5, 1) above the rounded border (0,0)–(10,1), so B would poke into A; snapped,
        // A's border runs through (5, 1) too and the two only touch.
        let a = [
            c(0.0, 0.4),
            c(10.0, 1.4),
            c(10.0, 10.0),
            c(0.0, 10.0),
            c(0.0, 0.4),
        ];
        let b = [
            c(0.0, 0.4),
            c(0.0, -10.0),
            c(10.0, -10.0),
            c(10.0, 1.4),
            c(5.0, 0.8),
            c(0.0, 0.4),
        ];
        let hot = HotPixels::new(a.iter().chain(&b).copied());
        let sa = ints(&hot.snap_ring(&a));
        let sb = ints(&hot.snap_ring(&b));
        assert_eq!(sa[..3], [(0, 0), (5, 1), (10, 1)]);
        assert_eq!(sb[3..], [(10, 1), (5, 1), (0, 0)]);
    }

    #[test]
    fn a_shared_segment_gets_the_same_route_both_ways() {
        let pts = [
            c(0.2, 0.1),
            c(3.4, 1.2),
            c(1.6, 0.4),
            c(2.0, 0.9),
            c(7.7, 2.6),
        ];
        let hot = HotPixels::new(pts);
        let fwd = ints(&hot.snap_ring(&[pts[0], pts[4]]));
        let mut back = ints(&hot.snap_ring(&[pts[4], pts[0]]));
        back.reverse();
        assert_eq!(fwd, back);
        assert_eq!(fwd.first(), Some(&(0, 0)));
        assert_eq!(fwd.last(), Some(&(8, 3)));
        // (2, 1) lies on the way ((2, 0.67) is on the segment), (3, 1) too.
        assert!(fwd.contains(&(2, 1)) && fwd.contains(&(3, 1)), "{fwd:?}");
    }

    #[test]
    fn the_bitmap_and_the_set_route_alike() {
        // The same rings against the same hot pixels, once in a bitmap and once (with one far
        // point stretching the box past the bitmap limit) in a set: identical routes.
        let ring = [
            c(-3.2, 0.4),
            c(40.6, 17.3),
            c(12.1, 55.8),
            c(-9.7, 21.2),
            c(-3.2, 0.4),
        ];
        let extra: Vec<Coord<f64>> = (0..400)
            .map(|i| c(f64::from(i % 47) - 10.0, f64::from(i * 7 % 61)))
            .collect();
        let near = HotPixels::new(ring.iter().chain(&extra).copied());
        let far = HotPixels::new(ring.iter().chain(&extra).copied().chain([c(1.0e5, 1.0e5)]));
        assert!(matches!(near.pixels, Pixels::Bitmap { .. }));
        assert!(matches!(far.pixels, Pixels::Set(_)));
        assert_eq!(far.len(), near.len() + 1);
        let (a, b) = (near.snap_ring(&ring), far.snap_ring(&ring));
        assert_eq!(a, b);
        assert!(
            a.len() > ring.len(),
            "the ring passes extra hot pixels: {a:?}"
        );
        assert!(!near.contains((-11, 0)) && !near.contains((1000, 1000)));
        assert!(HotPixels::default().is_empty());
    }

    #[test]
    fn integer_floor_and_ceil_match_libm() {
        for v in [
            -3.5,
            -2.0,
            -1.2,
            -0.5,
            -0.0,
            0.0,
            0.3,
            0.5,
            1.0,
            4095.5,
            4160.49,
            1e9 + 0.5,
        ] {
            assert_eq!(floor_i64(v), v.floor() as i64, "{v}");
            assert_eq!(ceil_i64(v), v.ceil() as i64, "{v}");
        }
        let ties = [
            -2.5,
            -1.5,
            -0.5,
            -0.49999999999999994,
            0.49999999999999994,
            2.5,
            4159.5,
        ];
        let huge = [
            f64::NAN,
            f64::INFINITY,
            -1e300,
            3e9,
            -3e9,
            2147483647.6,
            -2147483648.6,
        ];
        for v in ties
            .into_iter()
            .chain(huge)
            .chain((-300..300).map(|i| f64::from(i) * 0.37))
        {
            assert_eq!(round_i32(v), v.round() as i32, "{v}");
        }
    }

    #[test]
    fn word_walks_find_what_pixel_walks_find() {
        // Dense hot pixels (several per block line) and segments of every length and slope,
        // some starting left of or above the pixels' box: the bitmap's word walk and the set's
        // pixel-by-pixel walk report the same pixels, so routes are identical.
        let mut seed = 99u64;
        let mut next = |range: f64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 11) as f64 / (1u64 << 53) as f64 * range
        };
        let pts: Vec<Coord<f64>> = (0..3000).map(|_| c(next(300.0), next(300.0))).collect();
        let words = HotPixels::new(pts.iter().copied());
        let set = HotPixels::new(pts.iter().copied().chain([c(1.0e5, 1.0e5)]));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for k in 0..4000 {
            let len = [0.7, 3.0, 40.0, 400.0][k % 4];
            let p = c(next(360.0) - 30.0, next(360.0) - 30.0);
            let q = c(p.x + next(2.0 * len) - len, p.y + next(2.0 * len) - len);
            a.clear();
            b.clear();
            words.pixels_on(p, q, |px| a.push(px));
            set.pixels_on(p, q, |px| b.push(px));
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{p:?} {q:?}");
        }
    }

    #[test]
    fn a_segment_inside_one_pixel_routes_like_the_general_walk() {
        // Dense vertices, several per pixel, around hot pixels: the shortcut and the walk agree
        // on every segment, the ones inside one pixel and the ones that cross into the next.
        let ring: Vec<Coord<f64>> = (0..400)
            .map(|i| {
                let t = f64::from(i) * 0.037;
                c(
                    10.0 + 6.0 * t.cos() + 0.3 * (7.0 * t).sin(),
                    10.0 + 6.0 * t.sin(),
                )
            })
            .collect();
        let hot = HotPixels::new(ring.iter().copied());
        let (mut mid, mut walked, mut back) = (Vec::new(), Vec::new(), Vec::new());
        let mut shortcuts = 0;
        for w in ring.windows(2) {
            let (a, b) = ((w[0], round(w[0])), (w[1], round(w[1])));
            walked.clear();
            hot.segment_route(a, b, &mut mid, &mut walked);
            // Walked again each time (neighbouring pixels, not kept): the same route backwards.
            back.clear();
            hot.segment_route(b, a, &mut mid, &mut back);
            back.reverse();
            assert_eq!(walked, back, "{w:?}");
            if a.1 == b.1 && inside_one_pixel(w[0], w[1], a.1) {
                shortcuts += 1;
                assert_eq!(walked, [a.1, a.1], "{w:?}");
            }
        }
        assert!(
            shortcuts > 100 && shortcuts < ring.len() - 20,
            "{shortcuts}"
        );
        assert!(!inside_one_pixel(c(0.2, 0.2), c(0.5, 0.2), (0, 0)));
        assert!(inside_one_pixel(c(-0.4, 0.2), c(0.4, -0.49), (0, 0)));
    }

    #[test]
    fn skipping_empty_blocks_routes_like_walking_every_column() {
        // Long segments (borders across a z12 tile, edges along its clip square) among sparse
        // hot pixels: the two-level bitmap skips empty blocks, the set walks every column; the
        // routes must be identical, in every direction and slope.
        let mut seed = 12_345u64;
        let mut next = |range: f64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 11) as f64 / (1u64 << 53) as f64 * range - 64.0
        };
        let rings: Vec<Vec<Coord<f64>>> = (0..40)
            .map(|_| (0..6).map(|_| c(next(4224.0), next(4224.0))).collect())
            .chain([vec![
                c(-64.0, -64.0),
                c(4160.0, -64.0),
                c(4160.0, 4160.0),
                c(-64.0, 4160.0),
            ]])
            .collect();
        let points = || rings.iter().flatten().copied();
        let blocks = HotPixels::new(points());
        let set = HotPixels::new(points().chain([c(1.0e5, 1.0e5)]));
        assert!(matches!(set.pixels, Pixels::Set(_)));
        let mut passed = 0;
        for ring in &rings {
            let (a, b) = (blocks.snap_ring(ring), set.snap_ring(ring));
            assert_eq!(a, b);
            passed += a.len().saturating_sub(ring.len());
        }
        assert!(passed > 0, "some segment passes another ring's hot pixel");
    }

    #[test]
    fn steep_and_degenerate_segments() {
        let hot = HotPixels::new([c(0.0, 0.0), c(0.4, 5.0), c(0.0, 9.0)]);
        let r = ints(&hot.snap_ring(&[c(0.0, 0.0), c(0.1, 9.0)]));
        assert_eq!(r, [(0, 0), (0, 5), (0, 9)]);
        assert_eq!(ints(&hot.snap_ring(&[c(0.2, 0.2), c(0.2, 0.2)])), [(0, 0)]);
        assert_eq!(hot.len(), 3);
    }
}
