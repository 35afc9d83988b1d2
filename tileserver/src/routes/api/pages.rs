//! The pages of the streamed downloads ([`super::download`]): a CSV file [`CSV_ROWS`] rows
//! a page, a GeoJSON FeatureCollection [`FEATURES`] features a page with their full stored
//! geometry read for the page; each page the same bytes every time (see
//! [`crate::http::stream`]), and together the bytes the files had when made whole.

use std::collections::HashMap;
use std::sync::Arc;

use geodata::Unit;
use geozero::ToJson;
use serde_json::{Map, Value};

use super::download::{Row, Sheet};
use crate::http::error::ApiError;
use crate::http::reply::{BOM, cell, csv_records};
use crate::http::stream::Pages;

/// The columns of a CSV row before the values.
const UNIT_COLUMNS: [&str; 6] = [
    "code",
    "name",
    "level",
    "parent_code",
    "parent_name",
    "area_km2",
];

/// `Content-Type` of a CSV download.
pub(super) const CSV_TYPE: &str = "text/csv; charset=utf-8";

/// `Content-Type` of a GeoJSON download.
pub(super) const GEOJSON_TYPE: &str = "application/geo+json";

/// Rows of a CSV download per page (~100 kB of a commune file).
const CSV_ROWS: usize = 512;

/// Features of a GeoJSON download per page: their geometry is read from the store for the
/// page (~45 kB of a commune file; a province's full geometry is larger).
const FEATURES: usize = 16;

/// A CSV download: the header row (after the BOM when asked for) and [`CSV_ROWS`] rows a page.
pub(super) struct CsvPages {
    pub(super) sheet: Arc<Sheet>,
    pub(super) bom: bool,
}

impl CsvPages {
    /// The header row's cells.
    fn header(&self) -> Vec<Option<String>> {
        UNIT_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(self.sheet.ids.iter().cloned())
            .chain(Sheet::meta_columns().map(String::from))
            .map(Some)
            .collect()
    }

    /// The cells of row `r`, `meta` the cells every row ends with.
    fn cells(&self, r: &Row, meta: &[Option<String>]) -> Vec<Option<String>> {
        let u = &r.unit;
        let mut c = vec![
            Some(u.code.clone()),
            Some(u.name.clone()),
            Some(u.level.to_string()),
            u.parent_code.clone(),
            r.parent_name.clone(),
            Some(u.area_km2.to_string()),
        ];
        c.extend(self.sheet.ids.iter().map(|id| cell(&r.values[id])));
        c.extend(meta.iter().cloned());
        c
    }
}

impl Pages for CsvPages {
    fn count(&self) -> usize {
        self.sheet.len().div_ceil(CSV_ROWS).max(1)
    }

    async fn page(&self, i: usize) -> Result<Vec<u8>, ApiError> {
        let meta: Vec<Option<String>> = self.sheet.meta_cells().iter().map(cell).collect();
        let end = ((i + 1) * CSV_ROWS).min(self.sheet.len());
        let rows = (i * CSV_ROWS..end).map(|k| self.cells(&self.sheet.row(k), &meta));
        if i > 0 {
            return csv_records(Vec::new(), rows);
        }
        let start = if self.bom { BOM.to_vec() } else { Vec::new() };
        csv_records(start, std::iter::once(self.header()).chain(rows))
    }
}

/// A GeoJSON FeatureCollection of the rows with their full stored geometry, [`FEATURES`]
/// features a page.
pub(super) struct GeoJsonPages {
    pub(super) sheet: Arc<Sheet>,
    pub(super) store: geodata::Store,
}

impl Pages for GeoJsonPages {
    fn count(&self) -> usize {
        self.sheet.len().div_ceil(FEATURES).max(1)
    }

    async fn page(&self, i: usize) -> Result<Vec<u8>, ApiError> {
        let range = i * FEATURES..((i + 1) * FEATURES).min(self.sheet.len());
        let codes: Vec<&str> = range.clone().map(|k| self.sheet.code(k)).collect();
        let version = &self.sheet.about.version;
        let geometry: HashMap<String, Unit> = self
            .store
            .units_with_geometry_of(version, &codes)
            .await?
            .into_iter()
            .map(|u| (u.code.clone(), u))
            .collect();
        let (sheet, last) = (self.sheet.clone(), i + 1 == self.count());
        tokio::task::spawn_blocking(move || geojson_page(&sheet, range, geometry, last))
            .await
            .map_err(|e| ApiError::Internal(format!("GeoJSON page failed: {e}")))?
    }
}

/// Rows `range` of `sheet` as GeoJSON features, after the collection's opening when the
/// range starts it and before its closing when `last`.
fn geojson_page(
    sheet: &Sheet,
    range: std::ops::Range<usize>,
    mut geometry: HashMap<String, Unit>,
    last: bool,
) -> Result<Vec<u8>, ApiError> {
    let mut out = String::new();
    if range.start == 0 {
        out.push_str("{\"type\":\"FeatureCollection\",\"features\":[");
    }
    for k in range {
        let r = sheet.row(k);
        let u = geometry.remove(&r.unit.code).ok_or_else(|| {
            ApiError::Internal(format!(
                "unit {} of {} without geometry",
                r.unit.code, sheet.about.version
            ))
        })?;
        let geom = geo_types::Geometry::MultiPolygon(u.geometry)
            .to_json()
            .map_err(|e| ApiError::Internal(format!("unit {}: GeoJSON: {e}", u.code)))?;
        if k > 0 {
            out.push(',');
        }
        out.push_str("{\"type\":\"Feature\",\"properties\":");
        out.push_str(&Value::Object(properties(sheet, &r)).to_string());
        out.push_str(",\"geometry\":");
        out.push_str(&geom);
        out.push('}');
    }
    if last {
        out.push_str("]}");
    }
    Ok(out.into_bytes())
}

/// The properties of one feature: the unit, its parent, the values, then what the file is.
fn properties(sheet: &Sheet, r: &Row) -> Map<String, Value> {
    let u = &r.unit;
    let mut p = Map::new();
    p.insert("code".into(), u.code.clone().into());
    p.insert("name".into(), u.name.clone().into());
    p.insert("level".into(), u.level.to_string().into());
    p.insert("parent_code".into(), u.parent_code.clone().into());
    p.insert("parent_name".into(), r.parent_name.clone().into());
    p.insert("area_km2".into(), u.area_km2.into());
    p.extend(r.values.clone());
    for (k, v) in Sheet::meta_columns().into_iter().zip(sheet.meta_cells()) {
        p.insert(k.into(), v);
    }
    p
}
