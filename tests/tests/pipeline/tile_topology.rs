//! No gaps and no overlaps in the tiles the server would send, checked on the demo's real
//! boundaries: tiles are encoded by `geodata::TileSource`, decoded by geozero's MVT
//! reader (an independent decoder), clipped to the tile square and compared with geo's boolean
//! operations — per layer, features never overlap, every lower level covers exactly what the
//! province layer covers, and rings are wound as the MVT spec says.

use geo::{Area, BooleanOps, Coord, InteriorPoint, LineString, MultiPolygon, Polygon, Rect};
use geodata::TileId;
use geodata::TileSource;
use geodata::{Level, UnitInfo};
use geozero::ToGeo;
use geozero::mvt::{Message, Tile};
use popmap_tests::tile_of;

/// Shoelace area of a ring in tile coordinates; positive is clockwise on screen (y down).
fn shoelace(r: &LineString<f64>) -> f64 {
    r.lines()
        .map(|l| l.start.x * l.end.y - l.end.x * l.start.y)
        .sum::<f64>()
        / 2.0
}

/// Decoded layer name → polygons of each feature, clipped to the tile square; checks winding
/// and the coordinate range on the raw decoded rings.
fn decode(bytes: &[u8], what: &str) -> Vec<(String, Vec<MultiPolygon<f64>>)> {
    let tile = Tile::decode(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    let square = Rect::new(
        Coord { x: 0.0, y: 0.0 },
        Coord {
            x: 4096.0,
            y: 4096.0,
        },
    )
    .to_polygon();
    tile.layers
        .iter()
        .filter(|layer| !layer.name.ends_with("_label")) // points, checked in labels.rs
        .map(|layer| {
            let feats = layer
                .features
                .iter()
                .map(|f| {
                    let g = f.to_geo().unwrap_or_else(|e| panic!("{what}: {e}"));
                    let mp: MultiPolygon<f64> = match g {
                        geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p]),
                        geo::Geometry::MultiPolygon(mp) => mp,
                        other => panic!("{what}: {} not a polygon: {other:?}", layer.name),
                    };
                    for p in &mp {
                        assert!(
                            shoelace(p.exterior()) > 0.0,
                            "{what}: {} exterior ring not clockwise",
                            layer.name
                        );
                        for h in p.interiors() {
                            assert!(shoelace(h) < 0.0, "{what}: {} hole clockwise", layer.name);
                        }
                        for c in p
                            .exterior()
                            .coords()
                            .chain(p.interiors().iter().flat_map(|h| h.coords()))
                        {
                            assert!(
                                (-64.0..=4160.0).contains(&c.x) && (-64.0..=4160.0).contains(&c.y),
                                "{what}: {} coordinate {c:?} outside the buffer",
                                layer.name
                            );
                        }
                    }
                    mp.intersection(&square)
                })
                .collect();
            (layer.name.clone(), feats)
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()) + 1.0
}

/// Asserts the tile's layers tile the same area without overlap; returns the covered area.
fn check_tile(source: &TileSource, levels: &[Level], id: TileId, what: &str) -> f64 {
    let bytes = source.tile(id, levels, |_: &UnitInfo| Vec::new());
    let what = format!("{what} {}/{}/{}", id.z, id.x, id.y);
    let layers = decode(&bytes, &what);
    let mut province: Option<MultiPolygon<f64>> = None;
    let mut covered = 0.0;
    for (name, feats) in &layers {
        let sum: f64 = feats.iter().map(|m| m.unsigned_area()).sum();
        let polys: Vec<Polygon<f64>> = feats.iter().flat_map(|m| m.0.iter().cloned()).collect();
        let union = geo::unary_union(&polys);
        let ua = union.unsigned_area();
        assert!(
            close(sum, ua),
            "{what}: layer {name} overlaps: sum {sum} vs union {ua}"
        );
        match &province {
            None => {
                assert_eq!(name, "province", "{what}: first layer");
                covered = ua;
                province = Some(union);
            }
            Some(p) => {
                let gap = p.difference(&union).unsigned_area();
                let extra = union.difference(p).unsigned_area();
                assert!(
                    close(gap, 0.0) && close(extra, 0.0),
                    "{what}: layer {name} vs province: {gap} uncovered, {extra} outside"
                );
            }
        }
    }
    covered
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_tiles_have_no_gap_and_no_overlap() {
    let demo = popmap_tests::DemoStore::boundaries().await;
    let store = demo.store.clone();
    for vf in &demo.manifest.versions {
        let units: Vec<(UnitInfo, MultiPolygon<f64>)> = store
            .units_with_geometry(&vf.version.id)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.info(), u.geometry))
            .collect();
        // A few land tiles: interior points of communes spread through the list.
        let communes: Vec<_> = units
            .iter()
            .filter(|(u, _)| u.level == Level::Commune)
            .collect();
        let mut places = vec![
            ("Ha Noi", 105.85, 21.03),
            ("TP.HCM", 106.70, 10.78),
            ("Da Nang coast", 108.25, 16.05),
            ("Lang Son border", 106.76, 21.85),
            ("Lao Cai border", 103.97, 22.50),
        ];
        for k in 0..4 {
            let (_, g) = communes[(k * 7919 + 13) % communes.len()];
            let p = g.interior_point().unwrap();
            places.push(("random land", p.x(), p.y()));
        }
        let source = TileSource::new(units);
        let levels = source.levels().to_vec();
        for z in [4, 6, 8, 10, 12] {
            for (name, lon, lat) in &places {
                let what = format!("{} {name}", vf.version.id);
                let covered = check_tile(&source, &levels, tile_of(*lon, *lat, z), &what);
                assert!(covered > 0.0, "{what} z{z}: no land");
            }
        }
    }
}
