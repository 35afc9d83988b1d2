//! Generalisation keeps the coverage intact at every zoom band: no gaps, no overlaps, valid
//! rings, every unit visible, fewer vertices at coarser bands.

use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, BoundingRect, Intersects, Validation, unary_union};
use geo_types::{Coord, LineString, MultiPolygon, Polygon, coord};
use geodata::Topology;
use geodata::dissolve;
use geodata::project_multipolygon;
use geodata::{DEFAULT_BANDS, Generalised};
use std::f64::consts::PI;
use std::time::Instant;

/// Deterministic xorshift generator for the synthetic data, values in [0, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [-1, 1).
    fn signed(&mut self) -> f64 {
        2.0 * self.next() - 1.0
    }
}

/// A synthetic coverage in degrees and what each extra unit is.
struct Coverage {
    units: Vec<MultiPolygon<f64>>,
    /// Index of the unit with the enclave hole, the enclave, the big island, the tiny lone island.
    container: usize,
    enclave: usize,
    island: usize,
    tiny: usize,
    /// The dissolve of the 2×2 cells in the south-west corner (not part of `units`).
    province: MultiPolygon<f64>,
}

/// A wiggly line from `a` to `b` with `k` interior points; lateral offsets span many scales
/// (up to 8 % of `cell`, most much smaller) and taper to zero at both ends.
fn wiggly(a: Coord<f64>, b: Coord<f64>, k: usize, cell: f64, rng: &mut Rng) -> Vec<Coord<f64>> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt();
    let (nx, ny) = (-dy / len, dx / len);
    let mut out = vec![a];
    for i in 1..=k {
        let t = i as f64 / (k + 1) as f64;
        let off = 0.08 * cell * rng.signed() * rng.next().powi(4) * (PI * t).sin();
        out.push(coord! { x: a.x + t * dx + off * nx, y: a.y + t * dy + off * ny });
    }
    out.push(b);
    out
}

/// A wiggly closed ring around `c` with mean radius `r`.
fn blob(c: Coord<f64>, r: f64, n: usize, rng: &mut Rng) -> LineString<f64> {
    let mut cs: Vec<_> = (0..n)
        .map(|i| {
            let a = i as f64 * 2.0 * PI / n as f64;
            let rr = r * (1.0 + 0.15 * rng.signed() * rng.next().powi(3));
            coord! { x: c.x + rr * a.cos(), y: c.y + rr * a.sin() }
        })
        .collect();
    cs.push(cs[0]);
    LineString::new(cs)
}

/// An `nx × ny` jittered grid of quads near Hanoi whose borders are shared wiggly lines of `k`
/// interior points, plus an enclave, an island unit, a tiny lone island unit and a tiny island
/// that belongs to unit 0.
fn coverage(nx: usize, ny: usize, k: usize, seed: u64) -> Coverage {
    let mut rng = Rng(seed);
    let cell = 0.05;
    let (x0, y0) = (105.0, 20.5);
    let node: Vec<Vec<Coord<f64>>> = (0..=nx)
        .map(|i| {
            (0..=ny)
                .map(|j| {
                    let inner = i > 0 && i < nx && j > 0 && j < ny;
                    let jit = if inner { 0.1 * cell } else { 0.0 };
                    coord! {
                        x: x0 + i as f64 * cell + jit * rng.signed(),
                        y: y0 + j as f64 * cell + jit * rng.signed(),
                    }
                })
                .collect()
        })
        .collect();
    let h: Vec<Vec<_>> = (0..nx)
        .map(|i| {
            (0..=ny)
                .map(|j| wiggly(node[i][j], node[i + 1][j], k, cell, &mut rng))
                .collect()
        })
        .collect();
    let v: Vec<Vec<_>> = (0..=nx)
        .map(|i| {
            (0..ny)
                .map(|j| wiggly(node[i][j], node[i][j + 1], k, cell, &mut rng))
                .collect()
        })
        .collect();
    let mut units = Vec::new();
    for j in 0..ny {
        for i in 0..nx {
            let mut ring: Vec<Coord<f64>> = h[i][j].clone();
            ring.extend(&v[i + 1][j][1..]);
            ring.extend(h[i][j + 1].iter().rev().skip(1));
            ring.extend(v[i][j].iter().rev().skip(1));
            units.push(MultiPolygon::new(vec![Polygon::new(
                LineString::new(ring),
                vec![],
            )]));
        }
    }
    let mut ring: Vec<Coord<f64>> = h[0][0].clone();
    ring.extend(&h[1][0][1..]);
    ring.extend(&v[2][0][1..]);
    ring.extend(&v[2][1][1..]);
    ring.extend(h[1][2].iter().rev().skip(1));
    ring.extend(h[0][2].iter().rev().skip(1));
    ring.extend(v[0][1].iter().rev().skip(1));
    ring.extend(v[0][0].iter().rev().skip(1));
    let province = MultiPolygon::new(vec![Polygon::new(LineString::new(ring), vec![])]);
    // Enclave inside the middle cell: the same ring is the container's hole.
    let (ci, cj) = (nx / 2, ny / 2);
    let container = cj * nx + ci;
    let centre = coord! {
        x: (node[ci][cj].x + node[ci + 1][cj + 1].x) / 2.0,
        y: (node[ci][cj].y + node[ci + 1][cj + 1].y) / 2.0,
    };
    let hole = blob(centre, 0.15 * cell, 24, &mut rng);
    let outer = units[container].0[0].exterior().clone();
    units[container] = MultiPolygon::new(vec![Polygon::new(outer, vec![hole.clone()])]);
    // Start the enclave's ring elsewhere and run it the other way.
    let mut rev: Vec<_> = hole.0[..hole.0.len() - 1].iter().rev().copied().collect();
    rev.rotate_left(5);
    rev.push(rev[0]);
    units.push(MultiPolygon::new(vec![Polygon::new(
        LineString::new(rev),
        vec![],
    )]));
    let enclave = units.len() - 1;
    // An island unit off the south-west corner.
    let island_ring = blob(
        coord! { x: x0 - 2.0 * cell, y: y0 - 2.0 * cell },
        cell,
        40,
        &mut rng,
    );
    units.push(MultiPolygon::new(vec![Polygon::new(island_ring, vec![])]));
    let island = units.len() - 1;
    // A tiny lone island (about 10 m across) must stay visible at every band.
    let tiny_ring = blob(
        coord! { x: x0 - 0.5 * cell, y: y0 + 0.5 * cell },
        1e-4,
        6,
        &mut rng,
    );
    units.push(MultiPolygon::new(vec![Polygon::new(tiny_ring, vec![])]));
    let tiny = units.len() - 1;
    // Unit 0 also owns a tiny island: dropped at coarse bands, kept at fine ones.
    let speck = blob(
        coord! { x: x0 - 0.3 * cell, y: y0 - 0.3 * cell },
        1e-4,
        6,
        &mut rng,
    );
    units[0].0.push(Polygon::new(speck, vec![]));
    Coverage {
        units,
        container,
        enclave,
        island,
        tiny,
        province,
    }
}

fn area(mp: &MultiPolygon<f64>) -> f64 {
    mp.unsigned_area()
}

fn original_vertices(units: &[MultiPolygon<f64>]) -> usize {
    units
        .iter()
        .flat_map(|mp| &mp.0)
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum()
}

#[test]
fn original_coverage_is_valid_and_tight() {
    let c = coverage(6, 5, 12, 7);
    let projected: Vec<_> = c.units.iter().map(project_multipolygon).collect();
    check_coverage(&projected, "original");
}

/// Asserts (a) no overlaps and no gaps, (b) valid closed rings, (c) no empty unit.
fn check_coverage(units: &[MultiPolygon<f64>], label: &str) {
    let total: f64 = units.iter().map(area).sum();
    for (u, mp) in units.iter().enumerate() {
        assert!(!mp.0.is_empty(), "{label}: unit {u} is empty");
        for p in &mp.0 {
            assert!(p.exterior().is_closed() && p.interiors().iter().all(|r| r.is_closed()));
            assert!(
                p.is_valid(),
                "{label}: unit {u} invalid: {:?}",
                p.check_validation()
            );
        }
    }
    // Pairwise overlaps of units whose boxes touch.
    let boxes: Vec<_> = units.iter().map(|mp| mp.bounding_rect().unwrap()).collect();
    let mut pairs = 0;
    for a in 0..units.len() {
        for b in a + 1..units.len() {
            if boxes[a].intersects(&boxes[b]) {
                pairs += 1;
                let overlap = area(&units[a].intersection(&units[b]));
                assert!(
                    overlap <= 1e-9 * total,
                    "{label}: units {a} and {b} overlap by {overlap} m²"
                );
            }
        }
    }
    assert!(
        pairs > units.len(),
        "{label}: too few neighbour pairs ({pairs})"
    );
    // No directed segment twice: two rings running along the same edge the same way overlap.
    let mut segments = std::collections::HashSet::new();
    for p in units.iter().flat_map(|mp| &mp.0) {
        for r in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in r.0.windows(2) {
                let k = (
                    w[0].x.to_bits(),
                    w[0].y.to_bits(),
                    w[1].x.to_bits(),
                    w[1].y.to_bits(),
                );
                assert!(segments.insert(k), "{label}: segment {:?} used twice", w);
            }
        }
    }
    // unary_union needs one orientation for all rings; i_overlay snaps to an integer grid of about
    // extent / 2^30 (~4e-5 m here), which costs ~1e-9 of the area: compare within 1e-8.
    let oriented: Vec<_> = units
        .iter()
        .map(|mp| mp.orient(Direction::Default))
        .collect();
    let union = unary_union(oriented.iter());
    let union_area = area(&union);
    assert!(
        ((union_area - total) / total).abs() <= 1e-8,
        "{label}: union {union_area} m² vs sum {total} m²"
    );
    for p in &union.0 {
        assert!(
            p.interiors().is_empty(),
            "{label}: gap of {} m² inside the coverage",
            { Polygon::new(p.interiors()[0].clone(), vec![]).unsigned_area() }
        );
    }
}

#[test]
fn every_band_keeps_the_coverage_intact() {
    let c = coverage(6, 5, 12, 7);
    let g = Generalised::build(&c.units, &DEFAULT_BANDS);
    assert_eq!(g.unit_count(), c.units.len());
    let mut counts = Vec::new();
    for (b, band) in DEFAULT_BANDS.iter().enumerate() {
        let geoms: Vec<_> = (0..c.units.len())
            .map(|u| g.geometry(b, u).clone())
            .collect();
        check_coverage(&geoms, &format!("band {b} (z{}+)", band.min_zoom));
        // The enclave and the container's hole are the same simplified ring.
        let hole = &g.geometry(b, c.container).0[0].interiors()[0];
        let enclave = g.geometry(b, c.enclave).0[0].exterior();
        assert_eq!(hole.0.len(), enclave.0.len());
        assert!(hole.0.len() >= 4);
        assert!(g.geometry(b, c.island).0[0].exterior().0.len() >= 4);
        assert_eq!(
            g.geometry(b, c.tiny).0.len(),
            1,
            "band {b}: the tiny island unit vanished"
        );
        counts.push(g.vertex_count(b));
    }
    // (d) strictly fewer vertices at each coarser band, and fewer than the input at z13+.
    let original = original_vertices(&c.units);
    assert!(counts[5] < original, "{counts:?} vs {original}");
    for w in counts.windows(2) {
        assert!(w[0] < w[1], "vertex counts by band: {counts:?}");
    }
    // At z0–4 (9.8 km tolerance) every 5 km border collapses to a straight segment: each quad is
    // its 4 nodes plus the closing vertex.
    let quad = g.geometry(0, 1);
    assert_eq!(quad.0.len(), 1);
    assert_eq!(quad.0[0].exterior().0.len(), 5);
    // Unit 0's 10 m island (~65 m²) is below one square tile unit up to z9–10 (19 m)², kept at
    // z11+ (4.8 m)².
    let parts: Vec<usize> = (0..DEFAULT_BANDS.len())
        .map(|b| g.geometry(b, 0).0.len())
        .collect();
    assert_eq!(parts, [1, 1, 1, 1, 2, 2]);
}

#[test]
fn shared_borders_are_identical_between_neighbours() {
    let c = coverage(4, 4, 12, 11);
    let g = Generalised::build(&c.units, &DEFAULT_BANDS);
    // Cells 0 and 1 share the border on x = node(1, ·): the vertices unit 0 has on it are exactly
    // the ones unit 1 has, at every band.
    for b in 0..DEFAULT_BANDS.len() {
        let key = |c: &Coord<f64>| (c.x.to_bits(), c.y.to_bits());
        let set = |u: usize| -> std::collections::BTreeSet<_> {
            g.geometry(b, u).0[0].exterior().0.iter().map(key).collect()
        };
        let (a, n) = (set(0), set(1));
        let common = a.intersection(&n).count();
        assert!(common >= 2, "band {b}: only {common} shared vertices");
        let a_area = area(g.geometry(b, 0));
        let n_area = area(g.geometry(b, 1));
        let both = area(&g.geometry(b, 0).union(g.geometry(b, 1)));
        assert!(((a_area + n_area - both) / both).abs() < 1e-9, "band {b}");
    }
}

#[test]
fn a_parent_level_built_with_its_communes_shares_their_borders() {
    let c = coverage(4, 4, 12, 13);
    let communes = Generalised::build(&c.units, &DEFAULT_BANDS);
    let mut mixed_units = c.units.clone();
    mixed_units.push(c.province.clone());
    let mixed = Generalised::build(&mixed_units, &DEFAULT_BANDS);
    let p = mixed_units.len() - 1;
    // Cells (0,0), (1,0), (0,1), (1,1) of the 4-wide grid; unit 0 also owns a speck island.
    let members = [0, 1, 4, 5];
    for b in 0..DEFAULT_BANDS.len() {
        for u in 0..c.units.len() {
            assert_eq!(
                communes.geometry(b, u),
                mixed.geometry(b, u),
                "band {b} unit {u}"
            );
        }
        let province = mixed.geometry(b, p);
        assert_eq!(province.0.len(), 1);
        let parts: f64 = members
            .iter()
            .map(|&u| area(&MultiPolygon::new(vec![mixed.geometry(b, u).0[0].clone()])))
            .sum();
        let whole = area(province);
        assert!(
            ((whole - parts) / whole).abs() < 1e-12,
            "band {b}: {whole} vs {parts}"
        );
        let member_vertices: std::collections::HashSet<_> = members
            .iter()
            .flat_map(|&u| mixed.geometry(b, u).0[0].exterior().0.iter())
            .map(|c| (c.x.to_bits(), c.y.to_bits()))
            .collect();
        for v in &province.0[0].exterior().0 {
            assert!(
                member_vertices.contains(&(v.x.to_bits(), v.y.to_bits())),
                "band {b}: {v:?}"
            );
        }
    }
}

#[test]
fn dissolve_rebuilds_parents_from_the_same_vertices() {
    let c = coverage(4, 4, 12, 13);
    let projected: Vec<_> = c.units.iter().map(project_multipolygon).collect();
    let topo = Topology::build(&projected);
    // Group 0: the south-west 2×2 cells; group 1: all the other grid cells and the enclave.
    let mut group_of: Vec<Option<usize>> = vec![Some(1); c.units.len()];
    for u in [0, 1, 4, 5] {
        group_of[u] = Some(0);
    }
    group_of[c.island] = None;
    group_of[c.tiny] = None;
    let parents = dissolve(&topo, &group_of, 2);
    let key = |c: &Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    let expected = project_multipolygon(&c.province);
    let set = |ls: &LineString<f64>| {
        ls.0.iter()
            .map(key)
            .collect::<std::collections::BTreeSet<_>>()
    };
    // Unit 0's speck island comes along as a second polygon.
    assert_eq!(parents[0].0.len(), 2);
    let main = parents[0]
        .0
        .iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
        .unwrap();
    assert_eq!(set(main.exterior()), set(expected.0[0].exterior()));
    assert!(
        (main.unsigned_area() - expected.unsigned_area()).abs() <= 1e-9 * expected.unsigned_area()
    );
    // The rest: one polygon with the SW notch, no hole (the enclave fills its container's hole).
    assert_eq!(parents[1].0.len(), 1);
    assert!(parents[1].0[0].interiors().is_empty());
    let rest: f64 = (0..c.units.len())
        .filter(|&u| group_of[u] == Some(1))
        .map(|u| area(&projected[u]))
        .sum();
    assert!((parents[1].unsigned_area() - rest).abs() <= 1e-9 * rest);
}

#[test]
#[ignore = "timing: cargo test -p popmap-tests --release --test geodata generalise:: -- --ignored --nocapture"]
fn build_time_for_10000_units() {
    let c = coverage(100, 100, 2, 3);
    let vertices = original_vertices(&c.units);
    let t = Instant::now();
    let g = Generalised::build(&c.units, &DEFAULT_BANDS);
    let elapsed = t.elapsed();
    let counts: Vec<usize> = (0..DEFAULT_BANDS.len())
        .map(|b| g.vertex_count(b))
        .collect();
    println!(
        "{} units, {vertices} input vertices: all {} bands built in {elapsed:?}; vertices per band {counts:?}",
        c.units.len(),
        DEFAULT_BANDS.len()
    );
    for b in 0..DEFAULT_BANDS.len() {
        assert!((0..g.unit_count()).all(|u| !g.geometry(b, u).0.is_empty()));
    }
}

#[test]
fn the_checks_catch_independently_simplified_neighbours() {
    use geo::Simplify;
    let c = coverage(4, 4, 12, 5);
    // What a naive generaliser does: simplify each polygon on its own (100 m in metres).
    let naive: Vec<_> = c
        .units
        .iter()
        .map(|mp| project_multipolygon(mp).simplify(100.0))
        .collect();
    let outcome = std::panic::catch_unwind(|| check_coverage(&naive, "naive"));
    let message = *outcome
        .expect_err("independent simplification left no gap or overlap")
        .downcast::<String>()
        .unwrap();
    assert!(
        message.contains("overlap by") || message.contains("gap of"),
        "{message}"
    );
}
