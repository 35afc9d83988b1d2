//! Weight files for the H3 operator: points (`lon,lat[,weight]`) or cells (`cell,weight`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use geo::Intersects;
use geo_types::Point;
use geodata::Unit;
use h3o::{CellIndex, LatLng, Resolution};
use indicatif::ProgressBar;
use rstar::AABB;

use super::{H3Error, area_weights_all};
use crate::unitindex::unit_index;

/// A bad weight file: the file, the line (1-based, header = 1) and the rule broken.
#[derive(Debug, thiserror::Error)]
pub enum WeightFileError {
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// The header names neither `lon,lat[,weight]` nor `cell,weight`.
    #[error(
        "{file}: line 1: the header must name lon,lat (and optionally weight) for points, or cell,weight for cells; found '{found}'"
    )]
    Header {
        /// The file.
        file: PathBuf,
        /// The header found.
        found: String,
    },
    /// A row breaks a rule.
    #[error("{file}: line {line}: {rule}")]
    Row {
        /// The file.
        file: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        rule: String,
    },
}

/// A parsed weight file.
#[derive(Debug, Clone, PartialEq)]
pub enum WeightFile {
    /// Weighted points: longitude, latitude (degrees), weight.
    Points(Vec<(f64, f64, f64)>),
    /// Weighted cells at the build resolution (finer cells summed into their parent).
    Cells(HashMap<CellIndex, f64>),
}

fn number(field: Option<&str>, name: &str, file: &Path, line: u64) -> Result<f64, WeightFileError> {
    let row = |rule: String| WeightFileError::Row {
        file: file.to_owned(),
        line,
        rule,
    };
    let text = field.map(str::trim).unwrap_or("");
    if text.is_empty() {
        return Err(row(format!("column {name} is empty")));
    }
    let v: f64 = text
        .parse()
        .map_err(|_| row(format!("{name} '{text}' is not a number")))?;
    if !v.is_finite() {
        return Err(row(format!("{name} '{text}' is not a finite number")));
    }
    Ok(v)
}

impl WeightFile {
    /// Reads `path`, recognising the kind from its header; every row is checked (coordinates
    /// in range, weights finite and ≥ 0, cells valid and at `resolution` or finer).
    pub fn read(path: &Path, resolution: Resolution) -> Result<WeightFile, WeightFileError> {
        let io = |source| WeightFileError::Io {
            file: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| io(std::io::Error::other(e)))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let col = |n: &str| header.iter().position(|h| h == n);
        let bad_header = || WeightFileError::Header {
            file: path.to_owned(),
            found: header.join(","),
        };
        let weight = col("weight");
        #[derive(Clone, Copy)]
        enum Kind {
            Points(usize, usize),
            Cells(usize),
        }
        let kind = match (col("lon"), col("lat"), col("cell"), weight) {
            (Some(x), Some(y), None, _) => Kind::Points(x, y),
            (None, None, Some(c), Some(_)) => Kind::Cells(c),
            _ => return Err(bad_header()),
        };
        let mut points = Vec::new();
        let mut cells: HashMap<CellIndex, f64> = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| WeightFileError::Row {
                file: path.to_owned(),
                line: e.position().map_or(0, |p| p.line()),
                rule: e.to_string(),
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let row = |rule: String| WeightFileError::Row {
                file: path.to_owned(),
                line,
                rule,
            };
            if record.len() != header.len() {
                return Err(row(format!(
                    "{} fields, the header has {}",
                    record.len(),
                    header.len()
                )));
            }
            let w = match weight {
                Some(k) => number(record.get(k), "weight", path, line)?,
                None => 1.0,
            };
            if w < 0.0 {
                return Err(row(format!("weight {w} is negative")));
            }
            match kind {
                Kind::Points(x, y) => {
                    let lon = number(record.get(x), "lon", path, line)?;
                    let lat = number(record.get(y), "lat", path, line)?;
                    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                        return Err(row(format!("lon {lon}, lat {lat} is not a coordinate")));
                    }
                    points.push((lon, lat, w));
                }
                Kind::Cells(c) => {
                    let text = record.get(c).unwrap_or("").trim();
                    let cell: CellIndex = text
                        .parse()
                        .map_err(|_| row(format!("cell '{text}' is not an H3 cell index")))?;
                    let cell = cell.parent(resolution).ok_or_else(|| {
                        row(format!(
                            "cell {cell} is at r{}, coarser than the operator's r{}",
                            u8::from(cell.resolution()),
                            u8::from(resolution)
                        ))
                    })?;
                    *cells.entry(cell).or_default() += w;
                }
            }
        }
        Ok(match kind {
            Kind::Points(..) => WeightFile::Points(points),
            Kind::Cells(..) => WeightFile::Cells(cells),
        })
    }

    /// `points` or `cells`.
    pub fn kind(&self) -> &'static str {
        match self {
            WeightFile::Points(_) => "points",
            WeightFile::Cells(_) => "cells",
        }
    }

    /// Raw weights per unit, the number of points outside every unit, and the units that fell
    /// back to area weights because their file weights sum to zero.
    #[allow(clippy::type_complexity)]
    pub fn unit_weights(
        &self,
        units: &[&Unit],
        resolution: Resolution,
        progress: &ProgressBar,
    ) -> Result<(BTreeMap<String, Vec<(CellIndex, f64)>>, usize, Vec<String>), H3Error> {
        let mut raw: BTreeMap<String, Vec<(CellIndex, f64)>> = BTreeMap::new();
        let mut outside = 0;
        match self {
            WeightFile::Points(points) => {
                let tree = unit_index(units);
                for &(lon, lat, w) in points {
                    let p = Point::new(lon, lat);
                    let env = AABB::from_point([lon, lat]);
                    let hit = tree
                        .locate_in_envelope_intersecting(&env)
                        .map(|e| e.data)
                        .filter(|&u| units[u].geometry.intersects(&p))
                        .min();
                    let Some(u) = hit else {
                        outside += 1;
                        continue;
                    };
                    // Checked in range when read: a valid coordinate.
                    let Ok(ll) = LatLng::new(lat, lon) else {
                        continue;
                    };
                    raw.entry(units[u].code.clone())
                        .or_default()
                        .push((ll.to_cell(resolution), w));
                }
            }
            WeightFile::Cells(cells) => {
                let area = area_weights_all(units, resolution, progress)?;
                for (code, entries) in area {
                    let weighted = entries
                        .into_iter()
                        .map(|(cell, inside_m2)| {
                            let fraction = inside_m2 / (cell.area_km2() * 1e6);
                            (cell, cells.get(&cell).copied().unwrap_or(0.0) * fraction)
                        })
                        .collect();
                    raw.insert(code, weighted);
                }
            }
        }
        let mut fallback = Vec::new();
        let empty: Vec<&Unit> = units
            .iter()
            .copied()
            .filter(|u| {
                raw.get(&u.code)
                    .is_none_or(|e| e.iter().map(|(_, w)| w).sum::<f64>() <= 0.0)
            })
            .collect();
        if !empty.is_empty() {
            let area = area_weights_all(&empty, resolution, &ProgressBar::hidden())?;
            for (code, entries) in area {
                fallback.push(code.clone());
                raw.insert(code, entries);
            }
        }
        if let WeightFile::Points(_) = self {
            progress.inc(units.len() as u64);
        }
        Ok((raw, outside, fallback))
    }
}
