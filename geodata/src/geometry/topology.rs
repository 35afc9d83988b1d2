//! Arc topology of a polygon coverage: the borders shared by neighbouring units, stored once.
//!
//! Neighbours must share IDENTICAL vertex coordinates along common borders. Vertices are
//! matched by the bit patterns of their coordinates (−0.0 normalised to +0.0). A vertex is a
//! *node* when it touches a number of distinct edges other than two: a point where three or more
//! units meet, where a shared border becomes coastline, or where rings touch. Every ring is cut at
//! its nodes into *arcs*; each arc is stored once (in a canonical direction) and each ring becomes
//! a list of [`ArcRef`]s. A ring without any node (an island, an enclave and the hole it fills)
//! becomes one closed arc, shared by every ring that runs along it.

use crate::geometry::mercator::normalise_zero;
use geo_types::{Coord, LineString, MultiPolygon};
use std::collections::HashMap;

/// One reference from a ring to an arc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArcRef {
    /// Index into [`Topology::arcs`].
    pub arc: u32,
    /// Whether the ring runs along the arc against its stored direction.
    pub reversed: bool,
}

/// A polygon as arc references: its exterior ring and its holes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolygonArcs {
    /// The exterior ring.
    pub exterior: Vec<ArcRef>,
    /// The holes.
    pub interiors: Vec<Vec<ArcRef>>,
}

/// One arc: a chain of vertices between two nodes, or a closed ring without nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct TopoArc {
    /// The vertices in the stored direction; a closed arc repeats its first vertex at the end.
    pub coords: Vec<Coord<f64>>,
    /// True when the arc is a whole ring without nodes.
    pub closed: bool,
    /// How many rings reference the arc: 1 for an outer border, 2 for a border between two
    /// units of a coverage (more when overlapping levels are given together).
    pub uses: u32,
}

/// The arcs of a coverage and, for every unit, its polygons as arc references.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    /// Every arc, stored once.
    pub arcs: Vec<TopoArc>,
    /// Per unit (same order as the input), its polygons as arc references.
    pub units: Vec<Vec<PolygonArcs>>,
}

/// Exact identity of a vertex: the bit patterns of x and y after normalising −0.0.
pub type VertexKey = (u64, u64);

/// The exact-match key of a coordinate.
pub fn vertex_key(c: Coord<f64>) -> VertexKey {
    (normalise_zero(c.x).to_bits(), normalise_zero(c.y).to_bits())
}

impl Topology {
    /// Extracts the arcs of `units` (one multipolygon per unit, any planar coordinates).
    ///
    /// Consecutive duplicate vertices are removed; rings with fewer than three distinct vertices
    /// are skipped (a polygon whose exterior is skipped is skipped whole).
    /// `units` are read once, in order (e.g. projected one at a time).
    pub fn build<M: std::borrow::Borrow<MultiPolygon<f64>>>(
        units: impl IntoIterator<Item = M>,
    ) -> Topology {
        let mut interner = Interner::default();
        // unit → polygon → ring (0 = exterior) → vertex ids, without the closing vertex
        let rings: Vec<Vec<Vec<Vec<u32>>>> = units
            .into_iter()
            .map(|mp| {
                mp.borrow()
                    .0
                    .iter()
                    .filter_map(|p| {
                        let ext = interner.ring(p.exterior())?;
                        let mut rs = vec![ext];
                        rs.extend(p.interiors().iter().filter_map(|r| interner.ring(r)));
                        Some(rs)
                    })
                    .collect()
            })
            .collect();

        let is_node = node_flags(&rings, interner.coords.len());
        let mut builder = ArcBuilder {
            coords: &interner.coords,
            ..ArcBuilder::default()
        };
        let units = rings
            .iter()
            .map(|polys| {
                polys
                    .iter()
                    .map(|rs| PolygonArcs {
                        exterior: builder.ring(&rs[0], &is_node),
                        interiors: rs[1..].iter().map(|r| builder.ring(r, &is_node)).collect(),
                    })
                    .collect()
            })
            .collect();
        Topology {
            arcs: builder.arcs,
            units,
        }
    }

    /// Rebuilds a closed ring from its references using the stored arc coordinates.
    pub fn ring(&self, refs: &[ArcRef]) -> LineString<f64> {
        assemble_ring(refs, |a| &self.arcs[a as usize].coords)
    }

    /// Number of arcs referenced by exactly two rings (shared borders).
    pub fn shared_arc_count(&self) -> usize {
        self.arcs.iter().filter(|a| a.uses == 2).count()
    }

    /// Number of arcs referenced by exactly one ring (outer borders, coastlines).
    pub fn outer_arc_count(&self) -> usize {
        self.arcs.iter().filter(|a| a.uses == 1).count()
    }
}

/// Concatenates the arcs of one ring (reversing where needed) into a closed ring; `arc_coords`
/// gives the coordinates of an arc in its stored direction.
pub fn assemble_ring<'a>(
    refs: &[ArcRef],
    arc_coords: impl Fn(u32) -> &'a [Coord<f64>],
) -> LineString<f64> {
    let mut out: Vec<Coord<f64>> = Vec::new();
    for r in refs {
        let cs = arc_coords(r.arc);
        let skip = usize::from(!out.is_empty());
        if r.reversed {
            out.extend(cs.iter().rev().skip(skip).copied());
        } else {
            out.extend(cs.iter().skip(skip).copied());
        }
    }
    LineString::new(out)
}

/// Vertex interning: exact coordinates to dense ids.
#[derive(Default)]
struct Interner {
    ids: HashMap<VertexKey, u32>,
    coords: Vec<Coord<f64>>,
}

impl Interner {
    /// The ring's vertex ids without repeats or the closing vertex; None if degenerate.
    fn ring(&mut self, ls: &LineString<f64>) -> Option<Vec<u32>> {
        let mut ids: Vec<u32> = Vec::with_capacity(ls.0.len());
        for c in &ls.0 {
            let c = Coord {
                x: normalise_zero(c.x),
                y: normalise_zero(c.y),
            };
            let next = self.coords.len() as u32;
            let id = *self.ids.entry(vertex_key(c)).or_insert(next);
            if id == next {
                self.coords.push(c);
            }
            if ids.last() != Some(&id) {
                ids.push(id);
            }
        }
        while ids.len() > 1 && ids.first() == ids.last() {
            ids.pop();
        }
        (ids.len() >= 3).then_some(ids)
    }
}

/// Marks as nodes the vertices incident to a number of distinct edges other than two.
fn node_flags(rings: &[Vec<Vec<Vec<u32>>>], n_vertices: usize) -> Vec<bool> {
    let mut edges: Vec<(u32, u32)> = Vec::new();
    for ring in rings.iter().flatten().flatten() {
        for i in 0..ring.len() {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            edges.push((a.min(b), a.max(b)));
        }
    }
    edges.sort_unstable();
    edges.dedup();
    let mut degree = vec![0u32; n_vertices];
    for (a, b) in edges {
        degree[a as usize] += 1;
        degree[b as usize] += 1;
    }
    degree.into_iter().map(|d| d != 2).collect()
}

/// Cuts rings into arcs and deduplicates them.
#[derive(Default)]
struct ArcBuilder<'a> {
    coords: &'a [Coord<f64>],
    arcs: Vec<TopoArc>,
    /// Open arcs keyed by their first directed edge in the canonical direction.
    open: HashMap<(u32, u32), u32>,
    /// Closed arcs keyed by their smallest vertex and its smaller neighbour.
    closed: HashMap<(u32, u32), u32>,
}

impl ArcBuilder<'_> {
    fn ring(&mut self, ring: &[u32], is_node: &[bool]) -> Vec<ArcRef> {
        let n = ring.len();
        let Some(start) = ring.iter().position(|&v| is_node[v as usize]) else {
            return vec![self.closed_arc(ring)];
        };
        let mut refs = Vec::new();
        let mut current = vec![ring[start]];
        for i in 1..=n {
            let v = ring[(start + i) % n];
            current.push(v);
            if is_node[v as usize] {
                refs.push(self.open_arc(&current));
                current = vec![v];
            }
        }
        refs
    }

    fn open_arc(&mut self, ids: &[u32]) -> ArcRef {
        let k = ids.len();
        let forward = (ids[0], ids[1]);
        let backward = (ids[k - 1], ids[k - 2]);
        let reversed = backward < forward;
        let key = forward.min(backward);
        let coords = self.coords;
        let arcs = &mut self.arcs;
        let arc = *self.open.entry(key).or_insert_with(|| {
            let mut cs: Vec<Coord<f64>> = ids.iter().map(|&v| coords[v as usize]).collect();
            if reversed {
                cs.reverse();
            }
            arcs.push(TopoArc {
                coords: cs,
                closed: false,
                uses: 0,
            });
            arcs.len() as u32 - 1
        });
        self.arcs[arc as usize].uses += 1;
        ArcRef { arc, reversed }
    }

    fn closed_arc(&mut self, ring: &[u32]) -> ArcRef {
        let n = ring.len();
        let m = (0..n).min_by_key(|&i| ring[i]).expect("ring has vertices");
        let (next, prev) = (ring[(m + 1) % n], ring[(m + n - 1) % n]);
        let reversed = prev < next;
        let key = (ring[m], next.min(prev));
        let coords = self.coords;
        let arcs = &mut self.arcs;
        let arc = *self.closed.entry(key).or_insert_with(|| {
            let step = |i: usize| {
                if reversed {
                    (m + n - i) % n
                } else {
                    (m + i) % n
                }
            };
            let cs: Vec<Coord<f64>> = (0..=n).map(|i| coords[ring[step(i)] as usize]).collect();
            arcs.push(TopoArc {
                coords: cs,
                closed: true,
                uses: 0,
            });
            arcs.len() as u32 - 1
        });
        self.arcs[arc as usize].uses += 1;
        ArcRef { arc, reversed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, polygon};

    fn square(x: f64, y: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![
            (x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0)
        ]])
    }

    #[test]
    fn two_by_two_grid() {
        let units: Vec<_> = [(0., 0.), (1., 0.), (0., 1.), (1., 1.)]
            .iter()
            .map(|&(x, y)| square(x, y))
            .collect();
        let t = Topology::build(&units);
        // 4 shared arcs from the centre to each side's midpoint, 4 outer arcs around the corners.
        assert_eq!(t.shared_arc_count(), 4);
        assert_eq!(t.outer_arc_count(), 4);
        assert_eq!(t.arcs.len(), 8);
        for (u, mp) in units.iter().enumerate() {
            let ring = t.ring(&t.units[u][0].exterior);
            assert!(ring.is_closed());
            assert_eq!(ring.0.len(), 5);
            let rebuilt = geo::Polygon::new(ring, vec![]);
            assert_eq!(rebuilt.signed_area(), mp.0[0].signed_area());
        }
    }

    #[test]
    fn enclave_and_island_are_closed_arcs() {
        let outer = polygon![
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 1., y: 1.), (x: 1., y: 2.), (x: 2., y: 2.), (x: 2., y: 1.)]],
        ];
        // The enclave starts at another vertex and runs the other way.
        let enclave = polygon![(x: 2., y: 2.), (x: 1., y: 2.), (x: 1., y: 1.), (x: 2., y: 1.)];
        let island = polygon![(x: 10., y: 0.), (x: 11., y: 0.), (x: 11., y: 1.)];
        let units = vec![
            MultiPolygon::new(vec![outer, island]),
            MultiPolygon::new(vec![enclave.clone()]),
        ];
        let t = Topology::build(&units);
        assert_eq!(t.arcs.len(), 3);
        assert!(t.arcs.iter().all(|a| a.closed));
        let hole = t.units[0][0].interiors[0][0];
        let encl = t.units[1][0].exterior[0];
        assert_eq!(hole.arc, encl.arc);
        assert_eq!(t.arcs[hole.arc as usize].uses, 2);
        assert_eq!(t.arcs[t.units[0][1].exterior[0].arc as usize].uses, 1);
        let ring = t.ring(&t.units[1][0].exterior);
        assert_eq!(
            geo::Polygon::new(ring, vec![]).signed_area(),
            enclave.signed_area()
        );
    }

    #[test]
    fn negative_zero_matches_positive_zero() {
        let a = polygon![(x: -1., y: 0.), (x: 0., y: 0.), (x: 0., y: 1.), (x: -1., y: 1.)];
        let b = polygon![(x: -0.0, y: -0.0), (x: 1., y: 0.), (x: 1., y: 1.), (x: -0.0, y: 1.)];
        let t = Topology::build(&[MultiPolygon::new(vec![a]), MultiPolygon::new(vec![b])]);
        assert_eq!(t.shared_arc_count(), 1);
        assert_eq!(t.outer_arc_count(), 2);
    }
}
