//! Reading the extracted inputs in `data/vn/` (see `data/vn/PROVENANCE.md`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::Deserialize;

use super::DemoError;
use super::archipelago::Island;

/// One 2019-era commune (`communes-2019.csv`).
#[derive(Debug, Clone, Deserialize)]
pub struct Commune2019 {
    /// GSO commune code.
    pub code: String,
    /// Full name, NFC.
    pub name: String,
    /// Phường, Thị trấn, Xã or Huyện đảo (island district without communes).
    #[serde(rename = "type")]
    pub kind: String,
    /// GSO district code.
    pub district_code: String,
    /// District name.
    pub district_name: String,
    /// GSO province code.
    pub province_code: String,
    /// Province name.
    pub province_name: String,
    /// Latitude of the commune point.
    pub lat: f64,
    /// Longitude of the commune point.
    pub lon: f64,
}

/// One 2025 commune (`communes-2025.csv`).
#[derive(Debug, Clone, Deserialize)]
pub struct Commune2025 {
    /// GSO commune code.
    pub code: String,
    /// Full name, NFC.
    pub name: String,
    /// Phường, Xã or Đặc khu.
    #[serde(rename = "type")]
    pub kind: String,
    /// GSO province code.
    pub province_code: String,
    /// Province name.
    pub province_name: String,
    /// Latitude of the commune point.
    pub lat: f64,
    /// Longitude of the commune point.
    pub lon: f64,
    /// Published area, when known.
    pub area_km2: Option<f64>,
}

/// One row of `mapping-2025.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct MappingRow {
    /// 2019 commune code.
    pub old_code: String,
    /// 2025 commune code.
    pub new_code: String,
    /// True when the old commune was divided among several new ones.
    pub split: bool,
}

/// All demo inputs, validated.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// 2019 communes sorted by code.
    pub communes_2019: Vec<Commune2019>,
    /// 2025 communes sorted by code.
    pub communes_2025: Vec<Commune2025>,
    /// Old code → new codes (sorted).
    pub mapping: BTreeMap<String, Vec<String>>,
    /// The country outline (Natural Earth), lon/lat degrees.
    pub outline: MultiPolygon<f64>,
    /// The islands of Hoàng Sa and Trường Sa (`context.geojson`), for the communes there.
    pub islands: Vec<Island>,
}

fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, DemoError> {
    let input = |message: String| DemoError::Input {
        path: path.to_path_buf(),
        message,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| input(e.to_string()))?;
    let mut out = Vec::new();
    for (i, rec) in rdr.deserialize().enumerate() {
        out.push(rec.map_err(|e| input(format!("line {}: {e}", i + 2)))?);
    }
    Ok(out)
}

fn check_unique<'a>(path: &Path, codes: impl Iterator<Item = &'a str>) -> Result<(), DemoError> {
    let mut seen = HashSet::new();
    for c in codes {
        if !seen.insert(c) {
            return Err(DemoError::Input {
                path: path.to_path_buf(),
                message: format!("commune code {c} appears twice; codes must be unique"),
            });
        }
    }
    Ok(())
}

impl Inputs {
    /// Loads and checks `communes-2019.csv`, `communes-2025.csv`, `mapping-2025.csv` and
    /// `vietnam-outline.geojson` and the islands of `context.geojson` from `dir`.
    pub fn load(dir: &Path) -> Result<Inputs, DemoError> {
        let p19 = dir.join("communes-2019.csv");
        let p25 = dir.join("communes-2025.csv");
        let pm = dir.join("mapping-2025.csv");
        let mut communes_2019: Vec<Commune2019> = read_csv(&p19)?;
        let mut communes_2025: Vec<Commune2025> = read_csv(&p25)?;
        communes_2019.sort_by(|a, b| a.code.cmp(&b.code));
        communes_2025.sort_by(|a, b| a.code.cmp(&b.code));
        check_unique(&p19, communes_2019.iter().map(|c| c.code.as_str()))?;
        check_unique(&p25, communes_2025.iter().map(|c| c.code.as_str()))?;
        let old: HashSet<&str> = communes_2019.iter().map(|c| c.code.as_str()).collect();
        let new: HashSet<&str> = communes_2025.iter().map(|c| c.code.as_str()).collect();
        let mut mapping: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (i, row) in read_csv::<MappingRow>(&pm)?.into_iter().enumerate() {
            let bad = |m: String| DemoError::Input {
                path: pm.clone(),
                message: format!("line {}: {m}", i + 2),
            };
            if !old.contains(row.old_code.as_str()) {
                return Err(bad(format!(
                    "old_code {} is not in communes-2019.csv",
                    row.old_code
                )));
            }
            if !new.contains(row.new_code.as_str()) {
                return Err(bad(format!(
                    "new_code {} is not in communes-2025.csv",
                    row.new_code
                )));
            }
            let targets = mapping.entry(row.old_code.clone()).or_default();
            targets.push(row.new_code);
            targets.sort();
        }
        for c in &communes_2019 {
            if !mapping.contains_key(&c.code) {
                return Err(DemoError::Input {
                    path: pm.clone(),
                    message: format!(
                        "2019 commune {} has no row; every old commune must be mapped",
                        c.code
                    ),
                });
            }
        }
        let covered: HashSet<&str> = mapping.values().flatten().map(String::as_str).collect();
        if let Some(c) = communes_2025
            .iter()
            .find(|c| !covered.contains(c.code.as_str()))
        {
            return Err(DemoError::Input {
                path: pm.clone(),
                message: format!("2025 commune {} has no predecessor", c.code),
            });
        }
        let outline = read_outline(&dir.join("vietnam-outline.geojson"))?;
        let islands = super::archipelago::read(&dir.join("context.geojson"))?;
        Ok(Inputs {
            communes_2019,
            communes_2025,
            mapping,
            outline,
            islands,
        })
    }
}

fn ring(path: &Path, v: &serde_json::Value) -> Result<LineString<f64>, DemoError> {
    let bad = || DemoError::Input {
        path: path.to_path_buf(),
        message: "a ring is not a list of [lon, lat] pairs".into(),
    };
    let pts = v.as_array().ok_or_else(bad)?;
    pts.iter()
        .map(|p| {
            match p.as_array().map(|a| {
                (
                    a.first().and_then(|x| x.as_f64()),
                    a.get(1).and_then(|x| x.as_f64()),
                )
            }) {
                Some((Some(x), Some(y))) => Ok(Coord { x, y }),
                _ => Err(bad()),
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

fn read_outline(path: &Path) -> Result<MultiPolygon<f64>, DemoError> {
    let text = std::fs::read_to_string(path).map_err(|source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |m: &str| DemoError::Input {
        path: PathBuf::from(path),
        message: m.to_string(),
    };
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))?;
    let geom = &json["features"][0]["geometry"];
    if geom["type"] != "MultiPolygon" {
        return Err(bad("feature 0: geometry must be a MultiPolygon"));
    }
    let polys = geom["coordinates"]
        .as_array()
        .ok_or_else(|| bad("feature 0: no coordinates"))?;
    let mut out = Vec::new();
    for p in polys {
        let rings = p
            .as_array()
            .ok_or_else(|| bad("feature 0: a polygon is not a list of rings"))?;
        let mut rs = rings
            .iter()
            .map(|r| ring(path, r))
            .collect::<Result<Vec<_>, _>>()?;
        if rs.is_empty() {
            return Err(bad("feature 0: a polygon has no rings"));
        }
        let ext = rs.remove(0);
        out.push(Polygon::new(ext, rs));
    }
    Ok(MultiPolygon(out))
}
