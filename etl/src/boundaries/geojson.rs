//! GeoJSON reader: a FeatureCollection of Polygon / MultiPolygon features.

use crate::geometry::{RawMultiPolygon, RawPolygon, RawRing};
use geo_types::Coord;
use serde_json::Value;

use super::error::{BoundaryError, FeatureRef, FeatureRule};
use super::reader::{Prop, Props, RawFeature};

/// What a JSON value is, for messages.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

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
pub(crate) fn parse(
    file: &str,
    text: &str,
    tick: &mut dyn FnMut(u64),
) -> Result<Vec<RawFeature>, BoundaryError> {
    let root: Value = serde_json::from_str(text).map_err(|e| BoundaryError::Json {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    let format = |message: String| BoundaryError::Format {
        file: file.to_string(),
        message,
    };
    let ty = match &root {
        Value::Object(o) => o.get("type"),
        other => {
            return Err(format(format!(
                "expected a GeoJSON FeatureCollection, found {}",
                json_kind(other)
            )));
        }
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
    let Some(Value::Array(features)) = root.get("features") else {
        return Err(format(
            "a FeatureCollection needs a \"features\" array".to_string(),
        ));
    };
    let mut out = Vec::with_capacity(features.len());
    for (index, f) in features.iter().enumerate() {
        let at = FeatureRef {
            file: file.to_string(),
            index,
            code: None,
        };
        out.push(feature(at, f)?);
        tick(1);
    }
    Ok(out)
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
