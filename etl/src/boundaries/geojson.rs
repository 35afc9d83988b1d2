//! GeoJSON reader: a FeatureCollection of Polygon / MultiPolygon features.

use crate::geometry::{RawMultiPolygon, RawPolygon, RawRing};
use geo_types::Coord;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

use super::error::{BoundaryError, FeatureRef, FeatureRule};
use super::reader::{Prop, Props, RawFeature};

/// A JSON property as a [`Prop`].
fn prop(v: Option<&Value>) -> Prop {
    match v {
        None | Some(Value::Null) => Prop::Missing,
        Some(Value::String(s)) => Prop::Text(s.clone()),
        Some(Value::Number(_)) => Prop::Number,
        Some(_) => Prop::Other,
    }
}

/// Parses the text of a GeoJSON file named `file`.
///
/// The document is streamed: only one feature is held as a `serde_json::Value` at a time and
/// turned into compact rings at once (the whole national file as one `Value` tree was ~200 MB,
/// five times the text). Precedence of errors is as if the whole tree were read first: a JSON
/// syntax error anywhere, then the collection's shape (`type`, `features`), then the first bad
/// feature.
pub(crate) fn parse(
    file: &str,
    text: &str,
    tick: &mut dyn FnMut(u64),
) -> Result<Vec<RawFeature>, BoundaryError> {
    let root = Root { file, tick };
    let mut de = serde_json::Deserializer::from_str(text);
    let json = |e: serde_json::Error| BoundaryError::Json {
        file: file.to_string(),
        message: e.to_string(),
    };
    let shape = root.deserialize(&mut de).map_err(json)?;
    de.end().map_err(json)?;
    let format = |message: String| BoundaryError::Format {
        file: file.to_string(),
        message,
    };
    let (ty, features) = match shape {
        Shape::NotObject(kind) => {
            return Err(format(format!(
                "expected a GeoJSON FeatureCollection, found {kind}"
            )));
        }
        Shape::Object { ty, features } => (ty, features),
    };
    match ty {
        Some(Value::String(t)) if t == "FeatureCollection" => {}
        Some(Value::String(t)) => {
            return Err(format(format!(
                "expected a GeoJSON FeatureCollection, found type \"{t}\""
            )));
        }
        _ => {
            return Err(format(
                "expected a GeoJSON FeatureCollection, found an object without a \"type\""
                    .to_string(),
            ));
        }
    }
    match features {
        Some(Features::Read(read)) => read,
        _ => Err(format(
            "a FeatureCollection needs a \"features\" array".to_string(),
        )),
    }
}

/// The document's root as far as the reader cares.
enum Shape {
    /// Not an object: what it was, for the message.
    NotObject(&'static str),
    /// An object: its `type` member and what its `features` member gave.
    Object {
        /// The `type` member, if any.
        ty: Option<Value>,
        /// The `features` member, if any.
        features: Option<Features>,
    },
}

/// What the `features` member held.
enum Features {
    /// An array: its features, or the first feature's error.
    Read(Result<Vec<RawFeature>, BoundaryError>),
    /// Anything else.
    NotArray,
}

/// Seed for the root: the file name for errors and the progress callback.
struct Root<'a, 'b> {
    /// File name for messages.
    file: &'a str,
    /// Called once per feature read.
    tick: &'b mut dyn FnMut(u64),
}

/// Visits any JSON value without keeping it, answering only what kind it was.
macro_rules! kind_visits {
    ($out:ty, $wrap:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$out, E> {
            Ok($wrap("a boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$out, E> {
            Ok($wrap("a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$out, E> {
            Ok($wrap("a number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$out, E> {
            Ok($wrap("a number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<$out, E> {
            Ok($wrap("a string"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<$out, E> {
            Ok($wrap("null"))
        }
    };
}

impl<'de> DeserializeSeed<'de> for Root<'_, '_> {
    type Value = Shape;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root<'_, '_> {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }

    kind_visits!(Shape, Shape::NotObject);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shape::NotObject("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let (mut ty, mut features) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => ty = Some(map.next_value::<Value>()?),
                "features" => {
                    features = Some(map.next_value_seed(FeatureArray {
                        file: self.file,
                        tick: &mut *self.tick,
                    })?)
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Shape::Object { ty, features })
    }
}

/// Seed for the `features` member: reads features one at a time.
struct FeatureArray<'a, 'b> {
    /// File name for messages.
    file: &'a str,
    /// Called once per feature read.
    tick: &'b mut dyn FnMut(u64),
}

impl<'de> DeserializeSeed<'de> for FeatureArray<'_, '_> {
    type Value = Features;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Features, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FeatureArray<'_, '_> {
    type Value = Features;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }

    kind_visits!(Features, |_| Features::NotArray);

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Features, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Features::NotArray)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Features, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        let mut index = 0;
        // After the first bad feature the rest are only checked to be JSON.
        while let Some(f) = seq.next_element::<Value>()? {
            let at = FeatureRef {
                file: self.file.to_string(),
                index,
                code: None,
            };
            match feature(at, &f) {
                Ok(read) => out.push(read),
                Err(e) => {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                    return Ok(Features::Read(Err(e)));
                }
            }
            (self.tick)(1);
            index += 1;
        }
        Ok(Features::Read(Ok(out)))
    }
}

/// One GeoJSON Feature.
fn feature(at: FeatureRef, f: &Value) -> Result<RawFeature, BoundaryError> {
    let Some(obj) = f
        .as_object()
        .filter(|o| o.get("type") == Some(&Value::from("Feature")))
    else {
        return Err(BoundaryError::feature(&at, FeatureRule::NotAFeature));
    };
    let props = obj.get("properties").and_then(Value::as_object);
    let get = |k: &str| Some(prop(props.and_then(|p| p.get(k))));
    let props = Props {
        code: get("code"),
        name: get("name"),
        level: get("level"),
        parent_code: get("parent_code"),
    };
    // Property errors come first so the geometry error can name the code.
    let placeholder = props.into_feature(at, Vec::new())?;
    let geometry = match obj.get("geometry") {
        None | Some(Value::Null) => {
            return Err(BoundaryError::feature(
                &placeholder.at,
                FeatureRule::MissingGeometry,
            ));
        }
        Some(g) => geometry(g).map_err(|m| {
            BoundaryError::feature(&placeholder.at, FeatureRule::UnsupportedGeometry(m))
        })?,
    };
    Ok(RawFeature {
        geometry,
        ..placeholder
    })
}

/// A GeoJSON geometry object as raw rings.
fn geometry(g: &Value) -> Result<RawMultiPolygon, String> {
    let ty = g.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = g.get("coordinates");
    match ty {
        "Polygon" => Ok(vec![polygon(
            coords.ok_or("Polygon without \"coordinates\"")?,
        )?]),
        "MultiPolygon" => coords
            .and_then(Value::as_array)
            .ok_or("coordinates of a MultiPolygon must be an array of polygons")?
            .iter()
            .map(polygon)
            .collect(),
        "" => Err("geometry without a \"type\"".to_string()),
        other => Err(format!(
            "geometry type \"{other}\" (expected Polygon or MultiPolygon)"
        )),
    }
}

/// Rings of one polygon.
fn polygon(v: &Value) -> Result<RawPolygon, String> {
    v.as_array()
        .ok_or("a polygon must be an array of rings")?
        .iter()
        .map(ring)
        .collect()
}

/// Positions of one ring; extra dimensions (z) are ignored.
fn ring(v: &Value) -> Result<RawRing, String> {
    let bad = || "a ring must be an array of [lon, lat] positions".to_string();
    v.as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|p| match p.as_array().map(Vec::as_slice) {
            Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => Ok(Coord { x, y }),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        })
        .collect()
}
