//! The format-independent side of reading: [`RawFeature`], property rules, and [`read_file`],
//! which picks the GeoJSON or FlatGeobuf reader by extension.

use std::path::Path;

use crate::geometry::RawMultiPolygon;
use geodata::Level;

use super::error::{BoundaryError, FeatureRef, FeatureRule};

/// One feature as read from a file, before repair and hierarchy checks.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFeature {
    /// File, index and code of the feature, for error messages and reports.
    pub at: FeatureRef,
    /// Official code, a string (leading zeros kept).
    pub code: String,
    /// Name as written in the file (not yet NFC-normalised).
    pub name: String,
    /// Administrative level.
    pub level: Level,
    /// Parent code, `None` for the top level.
    pub parent_code: Option<String>,
    /// Rings as read, before repair.
    pub geometry: RawMultiPolygon,
}

/// A property value as the readers see it, whatever the format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Prop {
    /// Absent or null.
    Missing,
    /// A string.
    Text(String),
    /// A number (integer or float).
    Number,
    /// Anything else (bool, array, object...).
    Other,
}

/// The four properties of a feature, in any format.
#[derive(Debug, Default)]
pub(crate) struct Props {
    /// `code`.
    pub code: Option<Prop>,
    /// `name`.
    pub name: Option<Prop>,
    /// `level`.
    pub level: Option<Prop>,
    /// `parent_code`.
    pub parent_code: Option<Prop>,
}

/// A code-like property: must be a string.
fn code_prop(
    at: &FeatureRef,
    key: &'static str,
    v: Option<Prop>,
) -> Result<Option<String>, BoundaryError> {
    match v.unwrap_or(Prop::Missing) {
        Prop::Missing => Ok(None),
        Prop::Text(s) => Ok(Some(s.trim().to_string())),
        Prop::Number => Err(BoundaryError::feature(at, FeatureRule::NumericCode(key))),
        Prop::Other => Err(BoundaryError::feature(at, FeatureRule::NotAString(key))),
    }
}

/// A required string property.
fn text_prop(at: &FeatureRef, key: &'static str, v: Option<Prop>) -> Result<String, BoundaryError> {
    match v.unwrap_or(Prop::Missing) {
        Prop::Missing => Err(BoundaryError::feature(
            at,
            FeatureRule::MissingProperty(key),
        )),
        Prop::Text(s) => Ok(s),
        Prop::Number | Prop::Other => Err(BoundaryError::feature(at, FeatureRule::NotAString(key))),
    }
}

impl Props {
    /// Applies the property rules and builds the feature; `at.code` is filled in on the way so
    /// later errors name the code.
    pub(crate) fn into_feature(
        self,
        mut at: FeatureRef,
        geometry: RawMultiPolygon,
    ) -> Result<RawFeature, BoundaryError> {
        let code = code_prop(&at, "code", self.code)?
            .ok_or_else(|| BoundaryError::feature(&at, FeatureRule::MissingProperty("code")))?;
        if code.is_empty() {
            return Err(BoundaryError::feature(&at, FeatureRule::EmptyCode));
        }
        at.code = Some(code.clone());
        let name = text_prop(&at, "name", self.name)?;
        let level: Level = text_prop(&at, "level", self.level)?
            .parse()
            .map_err(|e| BoundaryError::feature(&at, FeatureRule::UnknownLevel(e)))?;
        let parent_code =
            code_prop(&at, "parent_code", self.parent_code)?.filter(|p| !p.is_empty());
        Ok(RawFeature {
            at,
            code,
            name,
            level,
            parent_code,
            geometry,
        })
    }
}

/// The name used for `path` in messages: its last component.
pub(crate) fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Reads every feature of a GeoJSON (`.geojson`, `.json`) or FlatGeobuf (`.fgb`) file.
///
/// Properties: `code` (string), `name` (string), `level` (country | region | province |
/// district | commune), `parent_code` (string, or null/absent for the top level). Geometry:
/// Polygon or MultiPolygon in WGS84 lon/lat. Geometry repair and hierarchy checks happen later,
/// in [`super::build_units`].
pub fn read_file(path: &Path) -> Result<Vec<RawFeature>, BoundaryError> {
    read_file_with(path, &mut |_| {})
}

/// [`read_file`], calling `tick(n)` as features are read (for a progress bar).
pub(crate) fn read_file_with(
    path: &Path,
    tick: &mut dyn FnMut(u64),
) -> Result<Vec<RawFeature>, BoundaryError> {
    let file = display_name(path);
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let features = match ext.as_str() {
        "geojson" | "json" => {
            let text = std::fs::read_to_string(path).map_err(|source| BoundaryError::Io {
                file: file.clone(),
                source,
            })?;
            super::geojson::parse(&file, &text, tick)?
        }
        "fgb" => super::fgb::read(&file, path, tick)?,
        _ => return Err(BoundaryError::UnsupportedFormat { file }),
    };
    // An empty file (a failed export, the wrong layer) is named, also among several files.
    if features.is_empty() {
        return Err(BoundaryError::Format {
            file,
            message: "the file holds no feature (an empty FeatureCollection)".to_string(),
        });
    }
    Ok(features)
}
