//! Tiles cut from a synthetic tessellation, decoded back with geozero's prost structs and an
//! independent command decoder.

use std::time::Instant;

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use geodata::Level;
use geodata::UnitInfo;
use geodata::{LayerBuilder, PropValue, encode_tile};
use geodata::{TileId, tiles_covering};
use geodata::{TileSource, levels_for_zoom};
use geodata::{to_degrees, to_metres};
use geozero::ToGeo;
use geozero::mvt::tile::{Layer, Value};
use geozero::mvt::{Message, Tile};

/// A `side × side` grid of square communes of `step` degrees from (`lon0`, `lat0`), grouped into
/// provinces of `group × group` communes; every ring carries every grid vertex on its border.
fn grid(
    lon0: f64,
    lat0: f64,
    step: f64,
    side: usize,
    group: usize,
) -> Vec<(UnitInfo, MultiPolygon<f64>)> {
    let at = |i: usize, j: usize| Coord {
        x: lon0 + i as f64 * step,
        y: lat0 + j as f64 * step,
    };
    // Counter-clockwise (x right, y up) block of cells [i0, i1) × [j0, j1).
    let block = |i0: usize, j0: usize, i1: usize, j1: usize| {
        let mut ring = Vec::new();
        ring.extend((i0..i1).map(|i| at(i, j0)));
        ring.extend((j0..j1).map(|j| at(i1, j)));
        ring.extend((i0 + 1..=i1).rev().map(|i| at(i, j1)));
        ring.extend((j0 + 1..=j1).rev().map(|j| at(i0, j)));
        ring.push(at(i0, j0));
        MultiPolygon::new(vec![Polygon::new(LineString::new(ring), vec![])])
    };
    let info = |code: String, level: Level, parent: Option<String>| UnitInfo {
        name: format!("{level} {code}"),
        code,
        level,
        parent_code: parent,
        area_km2: 1.0,
    };
    let per_row = side / group;
    let mut out = Vec::new();
    for gj in 0..per_row {
        for gi in 0..per_row {
            let code = format!("{:02}", gj * per_row + gi + 1);
            let geom = block(gi * group, gj * group, (gi + 1) * group, (gj + 1) * group);
            out.push((info(code, Level::Province, None), geom));
        }
    }
    for j in 0..side {
        for i in 0..side {
            let parent = format!("{:02}", (j / group) * per_row + i / group + 1);
            let code = format!("{:05}", j * side + i + 1);
            out.push((
                info(code, Level::Commune, Some(parent)),
                block(i, j, i + 1, j + 1),
            ));
        }
    }
    out
}

/// The z10 tile over Hà Nội and a 8×8 grid of 0.1° communes (2×2 provinces) covering it with a
/// margin of at least 0.1° on every side.
fn hanoi() -> (TileId, TileSource) {
    let (id, units) = hanoi_units();
    (id, TileSource::new(units))
}

/// The tile and the units of [`hanoi`].
fn hanoi_units() -> (TileId, Vec<(UnitInfo, MultiPolygon<f64>)>) {
    let (x, y) = to_metres(105.8, 21.0);
    let id = tiles_covering(geo_types::Rect::new(Coord { x, y }, Coord { x, y }), 10)
        .next()
        .unwrap();
    let b = id.bounds();
    let (west, south) = to_degrees(b.min().x, b.min().y);
    (id, grid(west - 0.15, south - 0.15, 0.1, 8, 4))
}

fn props(u: &UnitInfo) -> Vec<(String, PropValue)> {
    let n: u64 = u.code.parse().unwrap();
    vec![
        ("population".into(), PropValue::UInt(n * 100)),
        ("change".into(), PropValue::Int(-(n as i64))),
        ("ratio".into(), PropValue::Double(n as f64 / 8.0)),
        ("urban".into(), PropValue::Bool(n.is_multiple_of(2))),
    ]
}

/// Rings of a polygon feature's command stream, decoded independently of geozero.
fn rings(geometry: &[u32]) -> Vec<Vec<(i64, i64)>> {
    let unzig = |v: u32| i64::from((v >> 1) as i32 ^ -((v & 1) as i32));
    let (mut x, mut y) = (0i64, 0i64);
    let mut out: Vec<Vec<(i64, i64)>> = Vec::new();
    let mut i = 0;
    while i < geometry.len() {
        let (cmd, count) = (geometry[i] & 7, geometry[i] >> 3);
        i += 1;
        match cmd {
            1 | 2 => {
                assert!(cmd == 2 || count == 1, "MoveTo with count {count}");
                if cmd == 1 {
                    out.push(Vec::new());
                }
                for _ in 0..count {
                    x += unzig(geometry[i]);
                    y += unzig(geometry[i + 1]);
                    i += 2;
                    out.last_mut().unwrap().push((x, y));
                }
            }
            7 => assert_eq!(count, 1),
            _ => panic!("unknown command {cmd}"),
        }
    }
    out
}

/// Twice the signed area by the MVT spec's formula (positive = clockwise, y down).
fn area2(ring: &[(i64, i64)]) -> i64 {
    (0..ring.len())
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

fn value(layer: &Layer, feature: usize, key: &str) -> Value {
    let tags = &layer.features[feature].tags;
    let k = layer.keys.iter().position(|k| k == key).unwrap() as u32;
    let pair = tags.chunks(2).find(|p| p[0] == k).unwrap();
    layer.values[pair[1] as usize].clone()
}

/// Checks the invariants of every layer and returns, per polygon layer, the sum of its areas
/// (×2); label layers hold one point per feature, inside the tile proper.
fn check(tile: &Tile) -> Vec<(String, i64)> {
    tile.layers
        .iter()
        .filter(|layer| {
            if !layer.name.ends_with("_label") {
                return true;
            }
            for f in &layer.features {
                assert_eq!(f.r#type, Some(geozero::mvt::tile::GeomType::Point as i32));
                let pts = rings(&f.geometry);
                assert_eq!((pts.len(), pts[0].len()), (1, 1), "one point");
                let (x, y) = pts[0][0];
                assert!((0..=4096).contains(&x) && (0..=4096).contains(&y));
            }
            false
        })
        .map(|layer| {
            assert_eq!(layer.version, 2);
            assert_eq!(layer.extent, Some(4096));
            let mut total = 0;
            for f in &layer.features {
                let rs = rings(&f.geometry);
                assert!(!rs.is_empty(), "empty feature {:?}", f.id);
                assert!(area2(&rs[0]) > 0, "first ring must be an exterior");
                for r in &rs {
                    assert!(r.len() >= 3);
                    assert!(area2(r) != 0);
                    for &(x, y) in r {
                        assert!((-64..=4160).contains(&x) && (-64..=4160).contains(&y));
                    }
                    total += area2(r);
                }
                assert!(!f.to_geo().unwrap().is_empty_geometry());
            }
            (layer.name.clone(), total)
        })
        .collect()
}

trait Empty {
    fn is_empty_geometry(&self) -> bool;
}

impl Empty for geo_types::Geometry<f64> {
    fn is_empty_geometry(&self) -> bool {
        match self {
            geo_types::Geometry::Polygon(p) => p.exterior().0.is_empty(),
            geo_types::Geometry::MultiPolygon(mp) => mp.0.is_empty(),
            _ => true,
        }
    }
}

#[test]
fn a_fully_covered_tile_decodes_with_ids_types_and_no_gap() {
    let (id, units) = hanoi_units();
    // Communes whose square overlaps the buffered tile with positive area, from the input.
    let bb = id.buffered_bounds(64, 4096);
    let mut expected: Vec<u64> = units
        .iter()
        .filter(|(u, _)| u.level == Level::Commune)
        .filter(|(_, g)| {
            let r = geo::BoundingRect::bounding_rect(g).unwrap();
            let (x0, y0) = to_metres(r.min().x, r.min().y);
            let (x1, y1) = to_metres(r.max().x, r.max().y);
            x0 < bb.max().x && x1 > bb.min().x && y0 < bb.max().y && y1 > bb.min().y
        })
        .map(|(u, _)| 4_000_000_000 + u.code.parse::<u64>().unwrap())
        .collect();
    expected.sort();
    let source = TileSource::new(units);
    assert_eq!(source.levels(), [Level::Province, Level::Commune]);
    let bytes = source.tile_default(id, props);
    let tile = Tile::decode(&bytes[..]).unwrap();
    // vn-2025-like version (no district): provinces keep z6–7, communes from z8.
    assert_eq!(levels_for_zoom(7, source.levels()), [Level::Province]);
    assert_eq!(levels_for_zoom(10, source.levels()), [Level::Commune]);
    let names: Vec<_> = tile.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["commune", "commune_label", "province_outline"]);
    let layer = &tile.layers[0];
    let mut ids: Vec<u64> = layer.features.iter().map(|f| f.id.unwrap()).collect();
    ids.sort();
    assert_eq!(ids, expected);
    for (i, f) in layer.features.iter().enumerate() {
        let code = value(layer, i, "code").string_value.unwrap();
        let num: u64 = code.parse().unwrap();
        assert_eq!(code.len(), 5);
        assert_eq!(f.id, Some(4_000_000_000 + num));
        assert_eq!(
            value(layer, i, "name").string_value.unwrap(),
            format!("commune {code}")
        );
        assert_eq!(value(layer, i, "population").uint_value, Some(num * 100));
        assert_eq!(value(layer, i, "change").int_value, Some(-(num as i64)));
        assert_eq!(
            value(layer, i, "ratio").double_value,
            Some(num as f64 / 8.0)
        );
        assert_eq!(
            value(layer, i, "urban").bool_value,
            Some(num.is_multiple_of(2))
        );
        assert_eq!(f.tags.len(), 12);
    }
    // Values are de-duplicated per layer: 8 distinct codes at least, but only two booleans.
    let bools = layer
        .values
        .iter()
        .filter(|v| v.bool_value.is_some())
        .count();
    assert_eq!(bools, 2);
    assert_eq!(layer.keys.len(), 6);
    let sums = check(&tile);
    // Neighbours' shared vertices quantise identically, so the partition of the buffered tile
    // is exact: twice the summed area equals twice (4096 + 2 × 64)².
    assert_eq!(sums[0].1, 2 * (4096i64 + 128).pow(2));
    // The province outlines, snapped with the communes, partition the same square.
    assert_eq!(sums[1], ("province_outline".into(), sums[0].1));
    let outline = &tile.layers[2];
    assert_eq!(outline.keys, ["code"]);
    // One label per commune whose label point is in the tile proper, at most one per cell of
    // the 8 × 8 label grid (0.1° communes are about 2 cells wide at z10).
    let labels = &tile.layers[1];
    assert!(
        (8..=64).contains(&labels.features.len()),
        "{}",
        labels.features.len()
    );
    for f in &labels.features {
        assert!(ids.contains(&f.id.unwrap()));
    }
}

#[test]
fn the_same_area_shows_provinces_at_low_zoom() {
    let (id, source) = hanoi();
    for z in [0u8, 3, 5] {
        let shift = 10 - z;
        let t = TileId::new(z.into(), id.x >> shift, id.y >> shift).unwrap();
        let tile = Tile::decode(&source.tile_default(t, |_| vec![])[..]).unwrap();
        let names: Vec<_> = tile.layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["province", "province_label"], "z{z}");
        let mut labelled: Vec<_> = tile.layers[1].features.iter().map(|f| f.id).collect();
        labelled.sort();
        assert_eq!(
            labelled,
            (1..=4).map(|n| Some(2_000_000_000 + n)).collect::<Vec<_>>(),
            "z{z}: every province labelled once"
        );
        let mut ids: Vec<_> = tile.layers[0].features.iter().map(|f| f.id).collect();
        ids.sort();
        assert_eq!(
            ids,
            (1..=4).map(|n| Some(2_000_000_000 + n)).collect::<Vec<_>>(),
            "z{z}"
        );
        check(&tile);
    }
}

#[test]
fn explicit_levels_give_one_layer_each() {
    let (id, source) = hanoi();
    let tile =
        Tile::decode(&source.tile(id, &[Level::Province, Level::Commune], props)[..]).unwrap();
    let names: Vec<_> = tile.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        ["province", "commune", "province_label", "commune_label"],
        "no outline where the provinces are drawn"
    );
    let sums = check(&tile);
    assert_eq!(
        sums[0].1, sums[1].1,
        "provinces and communes cover the same"
    );
}

#[test]
fn a_tile_outside_the_data_is_empty() {
    let (id, source) = hanoi();
    let far = TileId::new(10, id.x + 5, id.y).unwrap();
    assert!(source.tile_default(far, props).is_empty());
    let other_side = TileId::new(2, 0, 0).unwrap();
    assert!(source.tile_default(other_side, props).is_empty());
}

#[test]
fn holes_are_counter_clockwise_and_exteriors_clockwise() {
    // Exterior given counter-clockwise (y down) and the hole clockwise: both must be flipped.
    let ext = LineString::from(vec![(0, 0), (0, 100), (100, 100), (100, 0), (0, 0)]);
    let hole = LineString::from(vec![(10, 10), (20, 10), (20, 20), (10, 20), (10, 10)]);
    // A second polygon that collapses after quantisation is dropped; a degenerate hole too.
    let speck = Polygon::new(LineString::from(vec![(5, 5), (5, 5), (6, 6)]), vec![]);
    let flat = LineString::from(vec![(30, 30), (40, 40), (50, 50), (30, 30)]);
    let mp = MultiPolygon::new(vec![Polygon::new(ext, vec![hole, flat]), speck]);
    let mut layer = LayerBuilder::new("commune");
    let p = vec![("code".to_string(), PropValue::String("00001".into()))];
    assert!(layer.add_polygon(Some(7), &p, &mp));
    assert!(layer.add_polygon(Some(8), &p, &mp));
    let tile = Tile::decode(&encode_tile(vec![layer, LayerBuilder::new("none")])[..]).unwrap();
    assert_eq!(tile.layers.len(), 1, "empty layers are left out");
    let l = &tile.layers[0];
    assert_eq!((l.keys.len(), l.values.len()), (1, 1));
    assert_eq!(l.features[1].id, Some(8));
    let rs = rings(&l.features[0].geometry);
    assert_eq!(rs.len(), 2);
    assert_eq!(area2(&rs[0]), 2 * 100 * 100);
    assert_eq!(area2(&rs[1]), -2 * 10 * 10);
    let geo = l.features[0].to_geo().unwrap();
    let geo_types::Geometry::Polygon(p) = geo else {
        panic!("{geo:?}")
    };
    assert_eq!(p.interiors().len(), 1);
}

#[test]
#[ignore = "timing: cargo test -p popmap-tests --test geodata mvt:: -- --ignored --nocapture"]
fn tiles_z5_to_z12_for_10000_units() {
    let units = grid(105.0, 20.0, 0.01, 100, 10);
    let count = units.len();
    let t = Instant::now();
    let source = TileSource::new(units);
    let built = t.elapsed();
    let (x0, y0) = to_metres(105.0, 20.0);
    let (x1, y1) = to_metres(106.0, 21.0);
    let bbox = geo_types::Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 });
    for z in 5..=12u8 {
        let t = Instant::now();
        let (mut tiles, mut bytes, mut features) = (0, 0, 0);
        for id in tiles_covering(bbox, z) {
            let b = source.tile_default(id, props);
            tiles += 1;
            bytes += b.len();
            let tile = Tile::decode(&b[..]).unwrap();
            check(&tile);
            features += tile.layers.iter().map(|l| l.features.len()).sum::<usize>();
        }
        println!(
            "z{z}: {tiles} tiles, {features} features, {bytes} bytes in {:?}",
            t.elapsed()
        );
        assert!(features > 0);
    }
    println!("{count} units: TileSource built in {built:?}");
}
