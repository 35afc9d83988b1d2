//! Label points and province outlines in the tiles the server would send, on the demo's real
//! boundaries (issue 14): tiles encoded by `geodata::TileSource`, decoded by geozero, and the
//! decoded points tested against the decoded polygons with geo.

use std::collections::{BTreeMap, BTreeSet};

use geo::{Area, BooleanOps, Contains, Coord, MultiPolygon, Point, Polygon, Rect};
use geodata::{TileId, TileSource, UnitInfo};
use geozero::ToGeo;
use geozero::mvt::tile::{Layer, Value};
use geozero::mvt::{Message, Tile};
use popmap_tests::tile_of;

/// A decoded feature: id, string/uint properties, geometry in tile units.
struct Feature {
    id: u64,
    props: BTreeMap<String, Value>,
    geometry: geo::Geometry<f64>,
}

impl Feature {
    fn str(&self, key: &str) -> Option<&str> {
        self.props.get(key).and_then(|v| v.string_value.as_deref())
    }
}

fn features(layer: &Layer) -> Vec<Feature> {
    layer
        .features
        .iter()
        .map(|f| Feature {
            id: f.id.expect("feature id"),
            props: f
                .tags
                .chunks(2)
                .map(|p| {
                    (
                        layer.keys[p[0] as usize].clone(),
                        layer.values[p[1] as usize].clone(),
                    )
                })
                .collect(),
            geometry: f.to_geo().unwrap(),
        })
        .collect()
}

/// Layer name → decoded features of the tile `id`.
fn decode(source: &TileSource, id: TileId) -> BTreeMap<String, Vec<Feature>> {
    let bytes = source.tile_default(id, |_: &UnitInfo| Vec::new());
    let tile = Tile::decode(&bytes[..]).unwrap();
    tile.layers
        .iter()
        .map(|l| (l.name.clone(), features(l)))
        .collect()
}

fn polygons(g: &geo::Geometry<f64>) -> MultiPolygon<f64> {
    match g {
        geo::Geometry::Polygon(p) => MultiPolygon::new(vec![p.clone()]),
        geo::Geometry::MultiPolygon(mp) => mp.clone(),
        other => panic!("not a polygon: {other:?}"),
    }
}

fn point(g: &geo::Geometry<f64>) -> Point<f64> {
    match g {
        geo::Geometry::Point(p) => *p,
        other => panic!("not a point: {other:?}"),
    }
}

/// Every label of `level`'s label layer lies inside the polygon of the same id in `level`'s
/// polygon layer, inside the tile proper; returns the labels.
fn labels_inside<'a>(
    layers: &'a BTreeMap<String, Vec<Feature>>,
    level: &str,
    what: &str,
) -> &'a [Feature] {
    let polys: BTreeMap<u64, MultiPolygon<f64>> = layers[level]
        .iter()
        .map(|f| (f.id, polygons(&f.geometry)))
        .collect();
    let labels = &layers[&format!("{level}_label")];
    for l in labels {
        let p = point(&l.geometry);
        assert!(
            (0.0..=4096.0).contains(&p.x()) && (0.0..=4096.0).contains(&p.y()),
            "{what}: label {:?} in the buffer",
            l.str("label")
        );
        let poly = polys
            .get(&l.id)
            .unwrap_or_else(|| panic!("{what}: label {} has no polygon", l.id));
        assert!(
            poly.contains(&p),
            "{what}: label {:?} at {p:?} outside its polygon",
            l.str("label")
        );
        let name = l.str("name").unwrap();
        let label = l.str("label").unwrap();
        assert!(
            name.ends_with(label) && !label.is_empty(),
            "{what}: {name} / {label}"
        );
        assert!(l.props["rank"].uint_value.is_some(), "{what}: rank");
    }
    labels
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_tiles_carry_labels_inside_their_units_and_province_outlines() {
    let demo = popmap_tests::DemoStore::boundaries().await;
    let load = |v: &str| {
        let store = demo.store.clone();
        let v = v.to_string();
        async move {
            store
                .units_with_geometry(&v)
                .await
                .unwrap()
                .into_iter()
                .map(|u| (u.info(), u.geometry))
                .collect::<Vec<(UnitInfo, MultiPolygon<f64>)>>()
        }
    };
    let units = load("vn-2025").await;
    let source = TileSource::new(units.clone());

    // Every unit's label point lies inside its own (ungeneralised) geometry.
    for (i, (u, g)) in units.iter().enumerate() {
        let l = source.label(i).expect("every unit has a label");
        let (lon, lat) = geodata::to_degrees(l.point.x, l.point.y);
        assert!(
            g.contains(&Point::new(lon, lat)),
            "{} {}: label at {lon},{lat} outside",
            u.code,
            u.name
        );
    }

    // National zoom: Hà Nội is labelled, inside Hà Nội; no outline where provinces are drawn.
    let (hn_lon, hn_lat) = (105.85, 21.03);
    let z5 = decode(&source, tile_of(hn_lon, hn_lat, 5));
    assert!(!z5.contains_key("province_outline"), "no outline at z5");
    let labels = labels_inside(&z5, "province", "z5");
    let hn = labels
        .iter()
        .find(|l| l.str("label") == Some("Hà Nội"))
        .expect("Hà Nội labelled at z5");
    assert_eq!(hn.str("name"), Some("Thành phố Hà Nội"));
    assert_eq!(hn.str("label_en"), Some("Ha Noi"));
    assert_eq!(hn.str("code"), Some("01"));
    assert!(
        hn.props["rank"].uint_value.unwrap() < 6,
        "a centrally-run city ranks first"
    );

    // Commune zoom over Hà Nội and Hồ Chí Minh City: commune labels inside their communes,
    // each label in one tile only, province outlines partition the same land as the communes.
    let mut seen = BTreeSet::new();
    let mut outlines = 0;
    for (lon, lat) in [(hn_lon, hn_lat), (106.70, 10.78)] {
        let c = tile_of(lon, lat, 10);
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let id = TileId::new(10, c.x + dx, c.y + dy).unwrap();
            let what = format!("10/{}/{}", id.x, id.y);
            let layers = decode(&source, id);
            assert!(!layers.contains_key("province_label"), "{what}");
            for l in labels_inside(&layers, "commune", &what) {
                assert!(seen.insert(l.id), "{what}: label {} in two tiles", l.id);
            }
            let outline = layers
                .get("province_outline")
                .unwrap_or_else(|| panic!("{what}: province_outline"));
            for f in outline {
                assert_eq!(f.props.keys().collect::<Vec<_>>(), ["code"], "{what}");
            }
            outlines += outline.len();
            assert_same_cover(&layers["commune"], outline, &what);
        }
    }
    assert!(seen.len() >= 40, "{} commune labels", seen.len());
    assert!(outlines >= 8);
    // Hồ Chí Minh City's English form.
    let hcm = decode(&source, tile_of(106.70, 10.78, 6));
    let en: Vec<_> = hcm["province_label"]
        .iter()
        .filter_map(|l| l.str("label_en"))
        .collect();
    assert!(en.contains(&"Ho Chi Minh City"), "{en:?}");

    // vn-2019 has districts at z6–7: labelled, with province outlines.
    let old = TileSource::new(load("vn-2019").await);
    let z6 = decode(&old, tile_of(hn_lon, hn_lat, 6));
    let districts = labels_inside(&z6, "district", "vn-2019 z6");
    assert!(districts.len() >= 10, "{} district labels", districts.len());
    assert!(
        districts.len() <= 64,
        "at most one per cell of the 8 × 8 label grid"
    );
    assert!(z6.contains_key("province_outline"));
}

/// The union of `a` and of `b`, clipped to the tile square, cover the same area.
fn assert_same_cover(a: &[Feature], b: &[Feature], what: &str) {
    let square = Rect::new(
        Coord { x: 0.0, y: 0.0 },
        Coord {
            x: 4096.0,
            y: 4096.0,
        },
    )
    .to_polygon();
    let union = |fs: &[Feature]| {
        let polys: Vec<Polygon<f64>> = fs.iter().flat_map(|f| polygons(&f.geometry).0).collect();
        geo::unary_union(&polys).intersection(&MultiPolygon::new(vec![square.clone()]))
    };
    let (ua, ub) = (union(a), union(b));
    let gap = ua.difference(&ub).unsigned_area();
    let extra = ub.difference(&ua).unsigned_area();
    assert!(
        gap <= 1.0 && extra <= 1.0,
        "{what}: outline vs communes: {gap} uncovered, {extra} outside"
    );
}
