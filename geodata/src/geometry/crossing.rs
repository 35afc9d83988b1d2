//! Ring validity for rebuilt polygons: closed rings of at least four coordinates, non-zero area,
//! and no two segments of the polygon (exterior and holes together) touching or crossing except
//! consecutive segments at their shared vertex.
//!
//! Segments are swept along the longer side of the polygon's bounding box (x for a wide polygon,
//! y for a tall one such as a long coastal country) so only segments whose ranges on that axis
//! overlap are compared; each pair is tested with geo's robust [`line_intersection`].

use geo::LineIntersection;
use geo::line_intersection::line_intersection;
use geo_types::{Coord, Line, LineString};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, Envelope, RTree, RTreeObject};

/// Whether the rings (exterior first, then holes) form a valid polygon by the rules above.
pub fn polygon_is_valid(rings: &[&LineString<f64>]) -> bool {
    rings.iter().all(|r| ring_shape_ok(r)) && !has_crossing(rings)
}

/// Whether one ring is closed, has at least four coordinates and a non-zero area.
pub fn ring_shape_ok(r: &LineString<f64>) -> bool {
    r.0.len() >= 4 && r.is_closed() && twice_area(&r.0) != 0.0
}

fn twice_area(cs: &[Coord<f64>]) -> f64 {
    cs.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

struct Seg {
    line: Line<f64>,
    lo: f64,
    hi: f64,
    ring: usize,
    index: usize,
}

/// True when two segments meet other than consecutive segments at their shared vertex.
pub fn has_crossing(rings: &[&LineString<f64>]) -> bool {
    !crossings(rings, true).is_empty()
}

/// The segments, as (ring, segment index), that meet a segment other than a neighbour at their
/// shared vertex; with `first_only`, stops at the first such pair.
pub fn crossings(rings: &[&LineString<f64>], first_only: bool) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut segs: Vec<Seg> = Vec::new();
    let mut ring_len = Vec::with_capacity(rings.len());
    let (mut min, mut max) = (
        Coord {
            x: f64::MAX,
            y: f64::MAX,
        },
        Coord {
            x: f64::MIN,
            y: f64::MIN,
        },
    );
    for c in rings.iter().flat_map(|r| &r.0) {
        (min.x, min.y, max.x, max.y) = (
            min.x.min(c.x),
            min.y.min(c.y),
            max.x.max(c.x),
            max.y.max(c.y),
        );
    }
    let along = |c: Coord<f64>| {
        if max.y - min.y > max.x - min.x {
            c.y
        } else {
            c.x
        }
    };
    for (ring, r) in rings.iter().enumerate() {
        ring_len.push(r.0.len().saturating_sub(1));
        for (index, w) in r.0.windows(2).enumerate() {
            let line = Line::new(w[0], w[1]);
            let (a, b) = (along(w[0]), along(w[1]));
            segs.push(Seg {
                line,
                lo: a.min(b),
                hi: a.max(b),
                ring,
                index,
            });
        }
    }
    segs.sort_unstable_by(|a, b| a.lo.total_cmp(&b.lo));
    for (i, s) in segs.iter().enumerate() {
        for t in &segs[i + 1..] {
            if t.lo > s.hi {
                break;
            }
            let adjacent = s.ring == t.ring && {
                let (n, d) = (ring_len[s.ring], s.index.abs_diff(t.index));
                d == 1 || d + 1 == n
            };
            match line_intersection(s.line, t.line) {
                None => {}
                Some(LineIntersection::SinglePoint { .. }) if adjacent => {}
                Some(_) => {
                    found.extend([(s.ring, s.index), (t.ring, t.index)]);
                    if first_only {
                        return found;
                    }
                }
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Consecutive segments of an arc indexed under one box: the national file's finest band has
/// about a million segments, and an R-tree entry per segment (64 bytes in rstar's nodes, two
/// bands generalised at once) was most of the import's peak memory; per chunk it is an eighth,
/// and the pairs inside two chunks whose boxes meet are tested one by one.
const CHUNK: u32 = 8;

/// One indexed chunk: the box of its segments, and (arc, index of its first segment).
type ChunkEntry = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;

/// Every segment of a band's arcs in an R-tree (by chunks of [`CHUNK`] consecutive segments),
/// to find the arcs that cross or touch another arc (or themselves) anywhere but at a shared
/// end node: the check that catches two simplified borders of units that never share a polygon
/// (which [`crossings`] on one polygon's rings cannot see). It is kept across refinement
/// rounds: after a round changes a few arcs, [`ArcIndex::update`] swaps their chunks and
/// re-checks only their segments against all others, instead of re-indexing and re-checking
/// every segment (which, on a national file, was most of the generalisation's time).
///
/// A pair of unchanged segments need not be checked again: it was fine at the last check, or it
/// crossed, and then each of its arcs was refined (so changed) unless already unsimplified, in
/// which case refining is no longer possible and the pair changes nothing. So the arcs found are
/// exactly those a full check would find that can still be refined. The index keeps no copy of
/// the arcs: between checks only the arcs listed as changed may differ from what was indexed.
pub struct ArcIndex {
    tree: RTree<ChunkEntry>,
    /// Each arc's chunks as indexed (to take them out when the arc changes).
    chunks: Vec<Vec<ChunkEntry>>,
}

impl ArcIndex {
    /// Indexes `arcs` and checks every pair of segments: the index and the arcs at fault.
    pub fn new(arcs: &[Vec<Coord<f64>>]) -> (ArcIndex, Vec<u32>) {
        let chunks: Vec<Vec<ChunkEntry>> = arcs
            .iter()
            .enumerate()
            .map(|(a, cs)| chunk_entries(a as u32, cs))
            .collect();
        let tree = RTree::bulk_load(chunks.iter().flatten().copied().collect());
        let index = ArcIndex { tree, chunks };
        let mut bad = Vec::new();
        for c in index.chunks.iter().flatten() {
            // Each pair once: partners in this chunk after the segment, or in later chunks.
            index.check(arcs, c, |seg, other| other > seg, &mut bad);
        }
        bad.sort_unstable();
        bad.dedup();
        (index, bad)
    }

    /// Re-indexes the `changed` arcs (now as in `arcs`; every other arc as last indexed) and
    /// checks their segments against every segment: the arcs at fault in pairs that involve a
    /// changed arc.
    pub fn update(&mut self, arcs: &[Vec<Coord<f64>>], changed: &[u32]) -> Vec<u32> {
        for &a in changed {
            for e in &self.chunks[a as usize] {
                self.tree.remove(e);
            }
            self.chunks[a as usize] = chunk_entries(a, &arcs[a as usize]);
            for e in &self.chunks[a as usize] {
                self.tree.insert(*e);
            }
        }
        let mut bad = Vec::new();
        for &a in changed {
            for c in &self.chunks[a as usize] {
                self.check(arcs, c, |seg, other| other != seg, &mut bad);
            }
        }
        bad.sort_unstable();
        bad.dedup();
        bad
    }

    /// Tests each segment of chunk `c` against the indexed segments whose box meets its box
    /// and that `partner(segment, other)` accepts; pushes both arcs of every bad pair to `bad`.
    fn check(
        &self,
        arcs: &[Vec<Coord<f64>>],
        c: &ChunkEntry,
        partner: impl Fn((u32, u32), (u32, u32)) -> bool,
        bad: &mut Vec<u32>,
    ) {
        let (a, first) = c.data;
        for other in self.tree.locate_in_envelope_intersecting(&c.envelope()) {
            let (b, other_first) = other.data;
            for i in chunk_range(arcs, a, first) {
                let l = line(arcs, (a, i));
                let env = line_box(l);
                for j in chunk_range(arcs, b, other_first) {
                    let t = line(arcs, (b, j));
                    if partner((a, i), (b, j))
                        && env.intersects(&line_box(t))
                        && bad_pair(arcs, (a, i), l, (b, j), t)
                    {
                        bad.extend([a, b]);
                    }
                }
            }
        }
    }
}

/// Segment `i` of arc `a`.
fn line(arcs: &[Vec<Coord<f64>>], (a, i): (u32, u32)) -> Line<f64> {
    let cs = &arcs[a as usize];
    Line::new(cs[i as usize], cs[i as usize + 1])
}

/// The box of a segment.
fn line_box(l: Line<f64>) -> AABB<[f64; 2]> {
    AABB::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y])
}

/// The segments of arc `a`'s chunk starting at segment `first`.
fn chunk_range(arcs: &[Vec<Coord<f64>>], a: u32, first: u32) -> std::ops::Range<u32> {
    let segments = arcs[a as usize].len().saturating_sub(1) as u32;
    first..(first + CHUNK).min(segments)
}

/// Whether segments `l` (segment `i` of arc `a`) and `t` (segment `j` of arc `b`) meet anywhere
/// but at a shared vertex of consecutive segments of one arc, or at an end node of both arcs.
fn bad_pair(
    arcs: &[Vec<Coord<f64>>],
    (a, i): (u32, u32),
    l: Line<f64>,
    (b, j): (u32, u32),
    t: Line<f64>,
) -> bool {
    let Some(hit) = line_intersection(l, t) else {
        return false;
    };
    let is_node = |a: u32, c: Coord<f64>| {
        let cs = &arcs[a as usize];
        cs.first() == Some(&c) || cs.last() == Some(&c)
    };
    match hit {
        LineIntersection::SinglePoint {
            intersection: p, ..
        } => {
            let ends_l = p == l.start || p == l.end;
            let ends_t = p == t.start || p == t.end;
            let consecutive = a == b
                && (i.abs_diff(j) == 1 || {
                    // A closed arc (an island ring) meets itself at its node.
                    let n = arcs[a as usize].len() - 1;
                    i.abs_diff(j) as usize + 1 == n
                });
            !(ends_l && ends_t && (consecutive || (is_node(a, p) && is_node(b, p))))
        }
        LineIntersection::Collinear { .. } => true,
    }
}

/// The index entries of arc `a`'s chunks of [`CHUNK`] segments.
fn chunk_entries(a: u32, cs: &[Coord<f64>]) -> Vec<ChunkEntry> {
    let segments = cs.len().saturating_sub(1);
    (0..segments)
        .step_by(CHUNK as usize)
        .map(|first| {
            let last = (first + CHUNK as usize).min(segments);
            let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
            for c in &cs[first..=last] {
                lo = [lo[0].min(c.x), lo[1].min(c.y)];
                hi = [hi[0].max(c.x), hi[1].max(c.y)];
            }
            GeomWithData::new(Rectangle::from_corners(lo, hi), (a, first as u32))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::line_string;

    #[test]
    fn square_is_valid_bow_tie_is_not() {
        let sq = line_string![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.), (x: 0., y: 0.)];
        assert!(polygon_is_valid(&[&sq]));
        let bow = line_string![(x: 0., y: 0.), (x: 1., y: 1.), (x: 1., y: 0.), (x: 0., y: 1.), (x: 0., y: 0.)];
        assert!(!polygon_is_valid(&[&bow]));
        // Segments 0 (0,0)-(1,1) and 2 (1,0)-(0,1) cross.
        assert_eq!(crossings(&[&bow], false), [(0, 0), (0, 2)]);
        assert!(crossings(&[&sq], false).is_empty());
    }

    #[test]
    fn collapsed_and_touching_rings_are_invalid() {
        let flat = line_string![(x: 0., y: 0.), (x: 1., y: 0.), (x: 2., y: 0.), (x: 0., y: 0.)];
        assert!(!polygon_is_valid(&[&flat]));
        let spike = line_string![(x: 0., y: 0.), (x: 2., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 0.)];
        assert!(!polygon_is_valid(&[&spike]));
        let sq = line_string![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.), (x: 0., y: 0.)];
        let inside = line_string![(x: 1., y: 1.), (x: 1., y: 2.), (x: 2., y: 2.), (x: 2., y: 1.), (x: 1., y: 1.)];
        assert!(polygon_is_valid(&[&sq, &inside]));
        let crossing = line_string![(x: 3., y: 3.), (x: 3., y: 5.), (x: 5., y: 5.), (x: 3., y: 3.)];
        assert!(!polygon_is_valid(&[&sq, &crossing]));
        // A hole touching the exterior at one point is refused too (strict rule).
        let touching = line_string![(x: 0., y: 2.), (x: 1., y: 3.), (x: 1., y: 1.), (x: 0., y: 2.)];
        assert!(!polygon_is_valid(&[&sq, &touching]));
    }

    fn arc_crossings(arcs: &[Vec<Coord<f64>>]) -> Vec<u32> {
        ArcIndex::new(arcs).1
    }

    #[test]
    fn arcs_meeting_at_nodes_pass_and_crossing_arcs_are_found() {
        let c = |x: f64, y: f64| Coord { x, y };
        // Three arcs meeting at node (0,0); arc 3 is unrelated and crosses arc 1.
        let arcs = vec![
            vec![c(0., 0.), c(5., 0.), c(10., 1.)],
            vec![c(0., 0.), c(0., 5.), c(1., 10.)],
            vec![c(0., 0.), c(-5., -5.)],
            vec![c(-2., 6.), c(3., 6.)],
        ];
        assert_eq!(arc_crossings(&arcs), [1, 3]);
        assert!(arc_crossings(&arcs[..3]).is_empty());
        // A closed island arc is fine; one touching another arc mid-segment is not.
        let island = vec![c(20., 0.), c(30., 0.), c(30., 10.), c(20., 0.)];
        assert!(arc_crossings(std::slice::from_ref(&island)).is_empty());
        let touch = vec![c(25., 0.), c(25., -5.)];
        assert_eq!(arc_crossings(&[island, touch]), [0, 1]);
    }

    #[test]
    fn an_update_rechecks_the_changed_arcs_against_all_others() {
        let c = |x: f64, y: f64| Coord { x, y };
        let mut arcs = vec![
            vec![c(0., 0.), c(5., 0.), c(10., 1.)],
            vec![c(0., 0.), c(0., 5.), c(1., 10.)],
            vec![c(-2., 20.), c(3., 20.)],
        ];
        let (mut index, bad) = ArcIndex::new(&arcs);
        assert!(bad.is_empty());
        // Arc 2 moves down across arc 1: found although arc 1 did not change.
        arcs[2] = vec![c(-2., 6.), c(3., 6.)];
        assert_eq!(index.update(&arcs, &[2]), [1, 2]);
        // Its old segment is gone from the index: moving it back clears it, and an update of
        // an unrelated arc finds nothing.
        arcs[2] = vec![c(-2., 20.), c(3., 20.)];
        assert!(index.update(&arcs, &[2]).is_empty());
        arcs[0] = vec![c(0., 0.), c(10., 1.)];
        assert!(index.update(&arcs, &[0]).is_empty());
        // Arc 0 made to touch arc 1 mid-segment, and a self-crossing arc 2.
        arcs[0] = vec![c(0., 0.), c(8., 0.), c(0., 3.)];
        arcs[2] = vec![c(20., 0.), c(30., 10.), c(30., 0.), c(20., 10.)];
        assert_eq!(index.update(&arcs, &[0, 2]), [0, 1, 2]);
        assert_eq!(ArcIndex::new(&arcs).1, [0, 1, 2]);
    }

    /// Every pair of segments tested, no index: what the chunked index must find.
    fn all_pairs(arcs: &[Vec<Coord<f64>>]) -> Vec<u32> {
        let seg = |a: usize| (0..arcs[a].len() - 1).map(move |i| (a as u32, i as u32));
        let mut bad = Vec::new();
        for a in 0..arcs.len() {
            for s in seg(a) {
                for b in a..arcs.len() {
                    for t in seg(b).filter(|&t| t > s) {
                        if bad_pair(arcs, s, line(arcs, s), t, line(arcs, t)) {
                            bad.extend([s.0, t.0]);
                        }
                    }
                }
            }
        }
        bad.sort_unstable();
        bad.dedup();
        bad
    }

    #[test]
    fn long_arcs_are_checked_across_chunks_as_every_pair_would_be() {
        // Zig-zag arcs of 40 segments (five chunks) in a 100 × 100 square, some crossing each
        // other or themselves far from their first chunk; a fixed pseudo-random walk.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 10_000) as f64 / 100.0
        };
        let mut arcs: Vec<Vec<Coord<f64>>> = (0..12)
            .map(|k| {
                let y0 = f64::from(k) * 9.0;
                (0..41)
                    .map(|i| Coord {
                        x: f64::from(i) * 2.5,
                        y: y0 + next() / 25.0,
                    })
                    .collect()
            })
            .collect();
        // Arc 3 dips across arcs 2 and 1 at its 30th vertex; arc 7 folds back over itself.
        arcs[3][30].y = 5.0;
        arcs[7][25] = Coord { x: 40.0, y: 64.0 };
        let expected = all_pairs(&arcs);
        assert!(expected.contains(&1) && expected.contains(&3) && expected.contains(&7));
        let (mut index, bad) = ArcIndex::new(&arcs);
        assert_eq!(bad, expected);
        // Arc 3 straightened: an update finds only what involves it, as a full check would.
        arcs[3] = arcs[3].iter().map(|c| Coord { x: c.x, y: 27.5 }).collect();
        assert_eq!(index.update(&arcs, &[3]), [] as [u32; 0]);
        assert_eq!(ArcIndex::new(&arcs).1, all_pairs(&arcs));
        assert_eq!(all_pairs(&arcs), [7]);
    }

    #[test]
    fn tall_polygons_are_swept_along_y() {
        // A tall zig-zag strip, valid, and the same strip with one tooth pushed across.
        let mut left: Vec<Coord<f64>> = (0..50)
            .map(|i| Coord {
                x: f64::from(i % 2),
                y: f64::from(i),
            })
            .collect();
        let right: Vec<Coord<f64>> = (0..50)
            .rev()
            .map(|i| Coord {
                x: 5.0 + f64::from(i % 2),
                y: f64::from(i),
            })
            .collect();
        left.extend(&right);
        left.push(left[0]);
        let ring = LineString::new(left.clone());
        assert!(polygon_is_valid(&[&ring]));
        left[20].x = 7.0;
        assert!(!polygon_is_valid(&[&LineString::new(left)]));
    }
}
