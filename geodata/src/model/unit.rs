//! Administrative units: code, name, level, parent and geometry.

use geo_types::MultiPolygon;
use serde::{Deserialize, Serialize};

use crate::model::level::Level;

/// An administrative unit of one boundary version, with its geometry (WGS84 lon/lat).
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Official GSO code as a string, leading zeros kept ("01", "00004").
    pub code: String,
    /// Vietnamese name, NFC.
    pub name: String,
    /// Administrative level.
    pub level: Level,
    /// Code of the unit one level up, `None` for the top level of the version.
    pub parent_code: Option<String>,
    /// Geodesic area in km².
    pub area_km2: f64,
    /// Boundary as a WGS84 multipolygon (x = longitude, y = latitude).
    pub geometry: MultiPolygon<f64>,
}

/// A unit without its geometry: what lists, validation and the API need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitInfo {
    /// Official code as a string.
    pub code: String,
    /// Vietnamese name, NFC.
    pub name: String,
    /// Administrative level.
    pub level: Level,
    /// Parent unit's code.
    pub parent_code: Option<String>,
    /// Geodesic area in km².
    pub area_km2: f64,
}

impl Unit {
    /// The unit's attributes without the geometry.
    pub fn info(&self) -> UnitInfo {
        UnitInfo {
            code: self.code.clone(),
            name: self.name.clone(),
            level: self.level,
            parent_code: self.parent_code.clone(),
            area_km2: self.area_km2,
        }
    }
}
