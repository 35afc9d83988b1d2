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

use std::collections::HashSet;

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
}

/// The set of hot pixels. A segment is tested against every pixel it passes, so the lookup is
/// the inner loop of snap rounding: a bitmap over the pixels' bounding box answers it with one
/// shift (a SipHash set spent half of a dense z8 tile's time hashing).
#[derive(Debug)]
enum Pixels {
    /// One bit per pixel of the box with corner `(x0, y0)` and `width` columns, row-major.
    Bitmap {
        x0: i32,
        y0: i32,
        width: u64,
        height: u64,
        bits: Vec<u64>,
    },
    /// Points too far apart for a bitmap.
    Set(HashSet<(i32, i32)>),
}

impl Default for HotPixels {
    fn default() -> HotPixels {
        HotPixels::new(std::iter::empty())
    }
}

fn round(c: Coord<f64>) -> (i32, i32) {
    (c.x.round() as i32, c.y.round() as i32)
}

impl HotPixels {
    /// Hot pixels of every vertex in `points` (tile units).
    pub fn new(points: impl IntoIterator<Item = Coord<f64>>) -> HotPixels {
        let rounded: Vec<(i32, i32)> = points.into_iter().map(round).collect();
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
            };
        }
        let mut bits = vec![0u64; (width * height).div_ceil(64) as usize];
        let mut len = 0;
        for (x, y) in rounded {
            let i = (y - y0) as u64 * width + (x - x0) as u64;
            let (word, bit) = ((i / 64) as usize, 1u64 << (i % 64));
            if bits[word] & bit == 0 {
                bits[word] |= bit;
                len += 1;
            }
        }
        HotPixels {
            pixels: Pixels::Bitmap {
                x0,
                y0,
                width,
                height,
                bits,
            },
            len,
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
            Pixels::Bitmap {
                x0,
                y0,
                width,
                height,
                bits,
            } => {
                let (dx, dy) = (i64::from(x) - i64::from(*x0), i64::from(y) - i64::from(*y0));
                if dx < 0 || dy < 0 || dx as u64 >= *width || dy as u64 >= *height {
                    return false;
                }
                let i = dy as u64 * width + dx as u64;
                bits[(i / 64) as usize] & (1u64 << (i % 64)) != 0
            }
            Pixels::Set(set) => set.contains(&(x, y)),
        }
    }

    /// The ring (closed or not, tile units) routed through the hot pixels its segments cross,
    /// with consecutive repeats removed; closed when the input was.
    pub fn snap_ring(&self, ring: &[Coord<f64>]) -> Vec<Coord<i32>> {
        let mut out: Vec<(i32, i32)> = Vec::with_capacity(ring.len());
        let (mut route, mut mid) = (Vec::new(), Vec::new());
        for w in ring.windows(2) {
            route.clear();
            self.segment_route(w[0], w[1], &mut mid, &mut route);
            for &p in &route {
                if out.last() != Some(&p) {
                    out.push(p);
                }
            }
        }
        if ring.len() == 1 {
            out.push(round(ring[0]));
        }
        out.into_iter().map(|(x, y)| Coord { x, y }).collect()
    }

    /// The hot pixels segment a→b passes through, from a's pixel to b's pixel (`mid` is
    /// scratch space).
    fn segment_route(
        &self,
        a: Coord<f64>,
        b: Coord<f64>,
        mid: &mut Vec<(f64, (i32, i32))>,
        out: &mut Vec<(i32, i32)>,
    ) {
        let (ra, rb) = (round(a), round(b));
        // Work in one canonical direction so both traversals of a shared segment agree.
        let flip = (b.x, b.y) < (a.x, a.y);
        let (p, q) = if flip { (b, a) } else { (a, b) };
        let (rp, rq) = if flip { (rb, ra) } else { (ra, rb) };
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
        let start = out.len();
        out.push(rp);
        out.extend(mid.iter().map(|&(_, px)| px));
        out.push(rq);
        if flip {
            out[start..].reverse();
        }
    }

    /// Calls `f` with every hot pixel whose closed unit square the segment p→q meets.
    fn pixels_on(&self, p: Coord<f64>, q: Coord<f64>, mut f: impl FnMut((i32, i32))) {
        // Walk the major axis column by column; in each column the segment spans a small range
        // of the minor axis.
        let steep = (q.y - p.y).abs() > (q.x - p.x).abs();
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
        let at = |m: f64| p0.1 + (m - p0.0) * slope;
        let first = (p0.0 - 0.5).ceil() as i64;
        let last = (p1.0 + 0.5).floor() as i64;
        for i in first..=last {
            let lo = (i as f64 - 0.5).max(p0.0);
            let hi = (i as f64 + 0.5).min(p1.0);
            if lo > hi {
                continue;
            }
            let (m0, m1) = (at(lo), at(hi));
            let (mlo, mhi) = (m0.min(m1), m0.max(m1));
            for j in (mlo - 0.5).ceil() as i64..=(mhi + 0.5).floor() as i64 {
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
    fn steep_and_degenerate_segments() {
        let hot = HotPixels::new([c(0.0, 0.0), c(0.4, 5.0), c(0.0, 9.0)]);
        let r = ints(&hot.snap_ring(&[c(0.0, 0.0), c(0.1, 9.0)]));
        assert_eq!(r, [(0, 0), (0, 5), (0, 9)]);
        assert_eq!(ints(&hot.snap_ring(&[c(0.2, 0.2), c(0.2, 0.2)])), [(0, 0)]);
        assert_eq!(hot.len(), 3);
    }
}
