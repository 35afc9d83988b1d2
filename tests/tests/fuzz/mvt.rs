//! The MVT encoder: what `encode_tile` writes, geozero's prost structs decode to the same
//! layers, features, ids, properties and geometry.

use std::collections::{BTreeMap, BTreeSet};

use geo_types::{LineString, MultiPolygon, Polygon};
use geodata::{LayerBuilder, PropValue, encode_tile};
use geozero::mvt::tile::{GeomType, Value};
use geozero::mvt::{Message, Tile};
use proptest::prelude::*;

/// One generated feature: an id, unique keys, and a point or an axis-aligned rectangle.
#[derive(Debug, Clone)]
struct Feature {
    id: Option<u64>,
    props: BTreeMap<String, PropValue>,
    shape: Shape,
}

#[derive(Debug, Clone)]
enum Shape {
    Point(i32, i32),
    /// Corner (x, y) and positive width and height.
    Rect(i32, i32, i32, i32),
}

fn prop_value() -> impl Strategy<Value = PropValue> {
    prop_oneof![
        any::<String>().prop_map(PropValue::String),
        any::<i64>().prop_map(PropValue::Int),
        any::<u64>().prop_map(PropValue::UInt),
        // NaN is never equal to itself; every other double must come back bit for bit.
        any::<f64>()
            .prop_filter("not NaN", |d| !d.is_nan())
            .prop_map(PropValue::Double),
        any::<bool>().prop_map(PropValue::Bool),
    ]
}

fn feature() -> impl Strategy<Value = Feature> {
    let coord = -(1 << 20)..(1 << 20);
    let shape = prop_oneof![
        (coord.clone(), coord.clone()).prop_map(|(x, y)| Shape::Point(x, y)),
        (coord.clone(), coord, 1..4096, 1..4096).prop_map(|(x, y, w, h)| Shape::Rect(x, y, w, h)),
    ];
    (
        proptest::option::of(any::<u64>()),
        proptest::collection::btree_map(any::<String>(), prop_value(), 0..6),
        shape,
    )
        .prop_map(|(id, props, shape)| Feature { id, props, shape })
}

/// Layers with distinct names, each with at least one feature (empty layers are not written).
fn layers() -> impl Strategy<Value = BTreeMap<String, Vec<Feature>>> {
    proptest::collection::btree_map(
        any::<String>(),
        proptest::collection::vec(feature(), 1..8),
        0..4,
    )
}

fn rect(x: i32, y: i32, w: i32, h: i32) -> MultiPolygon<i32> {
    let ring = vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)];
    MultiPolygon::new(vec![Polygon::new(LineString::from(ring), vec![])])
}

/// The (x, y) vertices of a decoded geometry (MoveTo/LineTo parameters, delta-decoded).
fn vertices(commands: &[u32]) -> Vec<(i32, i32)> {
    let unzig = |v: u32| ((v >> 1) as i32) ^ -((v & 1) as i32);
    let (mut at, mut out, mut i) = ((0i32, 0i32), Vec::new(), 0);
    while i < commands.len() {
        let (id, count) = (commands[i] & 7, commands[i] >> 3);
        i += 1;
        if id == 7 {
            continue;
        }
        for _ in 0..count {
            at = (at.0 + unzig(commands[i]), at.1 + unzig(commands[i + 1]));
            out.push(at);
            i += 2;
        }
    }
    out
}

fn decoded(v: &Value) -> PropValue {
    if let Some(s) = &v.string_value {
        PropValue::String(s.clone())
    } else if let Some(i) = v.int_value {
        PropValue::Int(i)
    } else if let Some(u) = v.uint_value {
        PropValue::UInt(u)
    } else if let Some(d) = v.double_value {
        PropValue::Double(d)
    } else if let Some(b) = v.bool_value {
        PropValue::Bool(b)
    } else {
        panic!("a value with no known field: {v:?}")
    }
}

proptest! {
    #![proptest_config(crate::config(300))]

    /// encode → decode gives back every layer, feature, id, property and vertex.
    #[test]
    fn decode_gives_back_what_was_encoded(input in layers()) {
        let mut builders = Vec::new();
        for (name, features) in &input {
            let mut layer = LayerBuilder::new(name.clone());
            for f in features {
                let props: Vec<(String, PropValue)> =
                    f.props.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                match f.shape {
                    Shape::Point(x, y) => layer.add_point(f.id, &props, (x, y)),
                    Shape::Rect(x, y, w, h) => {
                        prop_assert!(layer.add_polygon(f.id, &props, &rect(x, y, w, h)));
                    }
                }
            }
            builders.push(layer);
        }
        let tile = Tile::decode(encode_tile(builders).as_slice()).unwrap();
        prop_assert_eq!(tile.layers.len(), input.len());
        for (layer, (name, features)) in tile.layers.iter().zip(&input) {
            prop_assert_eq!(&layer.name, name);
            prop_assert_eq!(layer.version, 2);
            prop_assert_eq!(layer.features.len(), features.len());
            for (got, want) in layer.features.iter().zip(features) {
                prop_assert_eq!(got.id, want.id);
                let mut props = BTreeMap::new();
                for pair in got.tags.chunks(2) {
                    let key = layer.keys[pair[0] as usize].clone();
                    props.insert(key, decoded(&layer.values[pair[1] as usize]));
                }
                prop_assert_eq!(props.len() * 2, got.tags.len(), "a key written twice");
                prop_assert_eq!(&props, &want.props);
                let points = vertices(&got.geometry);
                match want.shape {
                    Shape::Point(x, y) => {
                        prop_assert_eq!(got.r#type, Some(GeomType::Point as i32));
                        prop_assert_eq!(points, vec![(x, y)]);
                    }
                    Shape::Rect(x, y, w, h) => {
                        prop_assert_eq!(got.r#type, Some(GeomType::Polygon as i32));
                        let corners: BTreeSet<_> =
                            [(x, y), (x + w, y), (x + w, y + h), (x, y + h)].into();
                        prop_assert_eq!(points.len(), 4, "a closed ring of 4 vertices");
                        prop_assert_eq!(points.into_iter().collect::<BTreeSet<_>>(), corners);
                    }
                }
            }
        }
    }
}
