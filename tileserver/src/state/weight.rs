//! What each cached thing weighs against its cache's share of the memory budget: estimated
//! heap bytes of what the entry holds, plus moka's own entry. Estimates, but honest ones:
//! nested maps count their nodes, strings their text, vectors their elements.
//!
//! Hand-written rather than a deep-size crate (`deepsize`, `get-size`): those need a derive on
//! every geodata type (geo-types' and h3o's among them, which we do not own) and walk every
//! node, while these sums read lengths only.

use geodata::{Harmonised, Harmoniser, Operator, TileSource, ValueTable};

use crate::http::encoding::TileBody;
use crate::state::tilecache::H3Snapshot;
use crate::state::units::VersionUnits;

/// Heap bytes of a moka entry besides its value: the key behind an `Arc`, the value entry with
/// its info, the access-order node and the hash-table slot.
pub const ENTRY_BYTES: usize = 384;

/// Heap bytes a cached tile holds beside its codings ([`TileBody::weight`] counts those), in
/// jemalloc's size classes: the body's struct behind its `Arc` (320), its digest (32) and three
/// ETag headers (3 × 48), and moka's entry.
const TILE_ENTRY_BYTES: usize = 512 + ENTRY_BYTES;

/// A weight as moka takes it (saturating at `u32::MAX`, which no share reaches).
pub fn clamp(bytes: usize) -> u32 {
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// A string's heap bytes: its text rounded up to the allocator's 16-byte class, and its
/// 24-byte header where it sits in a map node.
fn text(s: &str) -> usize {
    24 + heap_text(s)
}

/// A string's text rounded up to the allocator's 16-byte class (its header counted elsewhere,
/// in the struct that holds it).
fn heap_text(s: &str) -> usize {
    s.len().div_ceil(16) * 16
}

/// A version's unit list: each unit's struct and text, and its entry in the index by code
/// (hash-table slot, key text and position), and moka's entry.
pub fn unit_list(v: &VersionUnits) -> usize {
    let units: usize = v
        .list
        .iter()
        .map(|u| {
            std::mem::size_of::<geodata::UnitInfo>()
                + heap_text(&u.code) * 2
                + heap_text(&u.name)
                + u.parent_code.as_deref().map_or(0, heap_text)
                + 40
        })
        .sum();
    units + ENTRY_BYTES
}

/// A value table: per unit its code and an outer map entry (a B-tree node holds up to 11;
/// node headers add ~40 %), per value the indicator id and a 32-byte inner entry likewise.
pub fn table(t: &ValueTable) -> usize {
    t.iter()
        .map(|(code, row)| {
            (text(code) + 24) * 7 / 5 + row.keys().map(|k| (text(k) + 8) * 7 / 5).sum::<usize>()
        })
        .sum()
}

/// A timeline column: its values, its key's texts (level and indicator ids) and moka's entry.
pub fn column(c: &crate::state::columns::Column) -> usize {
    c.as_ref().map_or(0, |v| v.len() * 8 + 16) + 2 * 32 + ENTRY_BYTES
}

/// Harmonised values: their table and the set of estimated units.
pub fn harmonised(h: &Harmonised) -> usize {
    table(&h.values) + h.estimated.iter().map(|c| text(c) * 7 / 5).sum::<usize>() + ENTRY_BYTES
}

/// An indexed crosswalk: its rows (old code, parts with new code, share and flag), the index
/// of predecessors (as many entries again) and the target hierarchy (about the rows' size).
pub fn harmoniser(h: &Harmoniser) -> usize {
    let rows: usize = h
        .crosswalk()
        .rows
        .iter()
        .map(|(old, parts)| {
            (text(old) + 24) * 7 / 5 + parts.iter().map(|p| text(&p.new_code) + 16).sum::<usize>()
        })
        .sum();
    rows * 3 + ENTRY_BYTES
}

/// An H3 operator: per unit its code and two vectors (cell and share, slot), and the cells.
pub fn operator(op: &Operator) -> usize {
    let units: usize = op.units().map(|(code, _)| (text(code) + 48) * 7 / 5).sum();
    units + op.entries() * (16 + 4) + op.cells().len() * 8 + ENTRY_BYTES
}

/// An H3 grid (its operator is weighed in the operators' cache).
pub fn grid(g: &H3Snapshot) -> usize {
    g.grid.bytes() + ENTRY_BYTES
}

/// A tile source: its geometry, indexes, units and labels.
pub fn source(s: &TileSource) -> usize {
    s.heap_bytes() + ENTRY_BYTES
}

/// A cached tile: its codings and what holds them; an empty tile shares one body, so only
/// its entry counts.
pub fn tile(body: &TileBody) -> usize {
    if body.raw.is_empty() {
        ENTRY_BYTES
    } else {
        body.weight() as usize + TILE_ENTRY_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn national_like(units: usize, counts: usize) -> ValueTable {
        let mut t = ValueTable::new();
        for u in 0..units {
            let row: BTreeMap<String, i64> = (0..counts)
                .map(|k| (format!("indicator_{k:02}"), k as i64))
                .collect();
            t.insert(format!("{u:05}"), row);
        }
        t
    }

    #[test]
    fn a_national_period_weighs_what_its_maps_hold() {
        // 10,660 units × 17 counts: per value at least the 32-byte entry and the id's heap
        // text (16 bytes), ~1.4 × with nodes; the BENCHMARKS figure is ~14 MB.
        let w = table(&national_like(10_660, 17));
        let values = 10_660 * 17;
        assert!(w >= values * 48, "{w}");
        assert!(w <= values * 120, "{w}");
        // Twice the units, twice the weight.
        let w2 = table(&national_like(21_320, 17));
        assert_eq!(w2, 2 * w);
    }

    #[test]
    fn an_empty_tile_weighs_its_entry_and_a_body_its_codings() {
        let empty = TileBody::new(Vec::new());
        assert_eq!(tile(&empty), ENTRY_BYTES);
        let body = TileBody::new(vec![7u8; 10_000]);
        assert_eq!(tile(&body), body.weight() as usize + TILE_ENTRY_BYTES);
        assert!(tile(&body) > 10_000);
    }

    /// A 0.1° square commune at `x` whose south edge zigzags through `n` vertices 100 m
    /// apart in height, so that generalisation keeps them at the finest zooms.
    fn unit(code: &str, x: f64, n: usize) -> (geodata::UnitInfo, geo_types::MultiPolygon<f64>) {
        let step = 0.1 / n as f64;
        let mut ring: Vec<(f64, f64)> = (0..n)
            .map(|i| (x + step * i as f64, 10.0 - 0.001 * (i % 2) as f64))
            .collect();
        ring.extend([(x + 0.1, 10.0), (x + 0.1, 10.1), (x, 10.1), (x, 10.0)]);
        let poly = geo_types::Polygon::new(ring.into(), Vec::new());
        let info = geodata::UnitInfo {
            code: code.into(),
            name: format!("Xã {code}"),
            level: geodata::Level::Commune,
            parent_code: None,
            area_km2: 100.0,
        };
        (info, geo_types::MultiPolygon(vec![poly]))
    }

    #[test]
    fn a_tile_source_weighs_at_least_its_coordinates_and_grows_with_them() {
        let small = TileSource::new(vec![unit("00001", 0.0, 50), unit("00002", 1.0, 50)]);
        let large = TileSource::new(vec![unit("00001", 0.0, 2000), unit("00002", 1.0, 2000)]);
        // The finest band keeps every vertex of both rings (16 bytes each), at the least.
        assert!(source(&small) > 2 * 50 * 16, "{}", source(&small));
        // 40 times the vertices: the finest band keeps them, so the weight grows by at least
        // the added coordinates' 16 bytes each.
        let added = 2 * (2000 - 50) * 16;
        assert!(
            source(&large) > source(&small) + added,
            "{} {}",
            source(&large),
            source(&small)
        );
    }

    #[test]
    fn clamp_saturates() {
        assert_eq!(clamp(5), 5);
        assert_eq!(clamp(usize::MAX), u32::MAX);
    }
}
