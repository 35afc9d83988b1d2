//! Writing the demo dataset: boundary GeoJSON, monthly wide CSV tables and `manifest.json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use geodata::BoundaryVersion;
use geodata::Catalog;
use geodata::Level;
use geodata::Sex;

use super::ages::{AgeRow, GROUPS};
use super::boundaries::{Geometry, Shape};
use super::carry::Carried;
use super::grid::Pt;
use super::inputs::Inputs;
use super::synth::{IDS, Row, Tables};
use super::{
    DemoError, DemoManifest, TableFile, VersionFiles, vn_2019_valid_from, vn_2025_valid_from,
};

/// A level, its file stem and its shapes.
type LevelFile<'a> = (Level, &'a str, &'a [Shape]);

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Formats a grid coordinate as an exact decimal with 7 places.
fn coord(v: i64, s: &mut String) {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let _ = write!(s, "{sign}{}.{:07}", a / 10_000_000, a % 10_000_000);
}

fn ring_json(r: &[Pt], s: &mut String) {
    s.push('[');
    for p in r.iter().chain(r.first()) {
        s.push('[');
        coord(p.0, s);
        s.push(',');
        coord(p.1, s);
        s.push_str("],");
    }
    s.pop();
    s.push(']');
}

/// Writes shapes as a FeatureCollection of MultiPolygons with code, name, level, parent_code.
fn write_geojson(path: &Path, shapes: &[Shape], level: Level) -> Result<(), DemoError> {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, sh) in shapes.iter().enumerate() {
        let props = serde_json::json!({
            "code": sh.code, "name": sh.name, "level": level.as_str(), "parent_code": sh.parent,
        });
        let _ = write!(
            s,
            "{{\"type\":\"Feature\",\"properties\":{props},\"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":["
        );
        for (k, poly) in sh.poly.iter().enumerate() {
            if k > 0 {
                s.push(',');
            }
            s.push('[');
            for (j, r) in poly.iter().enumerate() {
                if j > 0 {
                    s.push(',');
                }
                ring_json(r, &mut s);
            }
            s.push(']');
        }
        s.push_str("]}}");
        s.push_str(if i + 1 < shapes.len() { ",\n" } else { "\n" });
    }
    s.push_str("]}\n");
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io(dir))?;
    }
    fs::write(path, s).map_err(io(path))
}

/// Where a column's value is: a position in a `Row`, or in an `AgeRow`.
#[derive(Debug, Clone, Copy)]
enum Col {
    Row(usize),
    Age(usize),
}

/// Column order of the tables: the catalog's base ids mapped to positions in a `Row` or, for
/// the age × sex groups, in an `AgeRow` (males first, by age).
fn columns() -> Result<Vec<(String, Col)>, DemoError> {
    let catalog = Catalog::builtin();
    catalog
        .base
        .iter()
        .map(|b| {
            let at = match (b.sex, b.age_from) {
                (Some(sex), Some(from)) => {
                    let k = (from / 5) as usize;
                    Some(Col::Age(if sex == Sex::Male { k } else { GROUPS + k }))
                }
                _ => IDS.iter().position(|x| *x == b.id).map(Col::Row),
            };
            at.map(|c| (b.id.clone(), c))
                .ok_or_else(|| DemoError::Input {
                    path: "geodata/catalog.toml".into(),
                    message: format!("base indicator {} is unknown to the demo generator", b.id),
                })
        })
        .collect()
}

/// Writes one month's table; the age × sex columns only when `ages` is given.
fn write_table(
    path: &Path,
    cols: &[(String, Col)],
    units: &[(&str, &str)],
    rows: &[Row],
    ages: Option<&Vec<AgeRow>>,
) -> Result<u64, DemoError> {
    let cols: Vec<&(String, Col)> = cols
        .iter()
        .filter(|c| ages.is_some() || matches!(c.1, Col::Row(_)))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["code".to_string(), "name".to_string()];
    header.extend(cols.iter().map(|c| c.0.clone()));
    let csv_err = |e: csv::Error| DemoError::Input {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    w.write_record(&header).map_err(csv_err)?;
    for (i, ((code, name), r)) in units.iter().zip(rows).enumerate() {
        let mut rec = vec![code.to_string(), name.to_string()];
        rec.extend(cols.iter().map(|c| match (c.1, ages) {
            (Col::Row(k), _) => r[k].to_string(),
            (Col::Age(k), Some(a)) => a[i][k].to_string(),
            (Col::Age(_), None) => unreachable!("age columns are written with ages"),
        }));
        w.write_record(&rec).map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| DemoError::Input {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut f = fs::File::create(path).map_err(io(path))?;
    f.write_all(&bytes).map_err(io(path))?;
    Ok(rows.iter().map(|r| r[0]).sum())
}

/// Writes everything under `out` and returns the manifest (also written as `out/manifest.json`).
pub fn write_all(
    out: &Path,
    data: &Inputs,
    geom: &Geometry,
    tables: &Tables,
    (carried, carried_ages): (&Carried, &[Option<Vec<AgeRow>>]),
) -> Result<DemoManifest, DemoError> {
    let mut versions = Vec::new();
    let sets: [(&str, Vec<LevelFile>); 2] = [
        (
            "vn-2019",
            vec![
                (Level::Province, "provinces", &geom.provinces_2019),
                (Level::District, "districts", &geom.districts_2019),
                (Level::Commune, "communes", &geom.communes_2019),
            ],
        ),
        (
            "vn-2025",
            vec![
                (Level::Province, "provinces", &geom.provinces_2025),
                (Level::Commune, "communes", &geom.communes_2025),
            ],
        ),
    ];
    for (id, levels) in sets {
        let mut files = BTreeMap::new();
        let mut counts = BTreeMap::new();
        for (level, file, shapes) in &levels {
            let rel = format!("boundaries/{id}/{file}.geojson");
            write_geojson(&out.join(&rel), shapes, *level)?;
            files.insert(level.as_str().to_string(), rel);
            counts.insert(level.as_str().to_string(), shapes.len());
        }
        let (valid_from, valid_to) = if id == "vn-2019" {
            (vn_2019_valid_from(), vn_2025_valid_from().pred_opt())
        } else {
            (vn_2025_valid_from(), None)
        };
        let version = BoundaryVersion {
            id: id.to_string(),
            valid_from,
            valid_to,
            levels: levels.iter().map(|l| l.0).collect(),
        };
        versions.push(VersionFiles {
            version,
            files,
            counts,
        });
    }

    let cols = columns()?;
    let dir = out.join("tables");
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    let u19: Vec<(&str, &str)> = data
        .communes_2019
        .iter()
        .map(|c| (c.code.as_str(), c.name.as_str()))
        .collect();
    let u25: Vec<(&str, &str)> = data
        .communes_2025
        .iter()
        .map(|c| (c.code.as_str(), c.name.as_str()))
        .collect();
    let mut files = Vec::new();
    for (mi, &(y, m)) in tables.months.iter().enumerate() {
        let period = format!("{y:04}-{m:02}");
        let rel = format!("tables/{period}.csv");
        let (version, units, rows, ages) = if (y, m) < super::SWITCH_MONTH {
            ("vn-2019", &u19, &tables.rows[mi], tables.ages[mi].as_ref())
        } else {
            ("vn-2025", &u25, &carried[mi], carried_ages[mi].as_ref())
        };
        let population = write_table(&out.join(&rel), &cols, units, rows, ages)?;
        files.push(TableFile {
            period,
            version: version.to_string(),
            file: rel,
            rows: rows.len(),
            population,
            ages: ages.is_some(),
        });
    }
    let manifest = DemoManifest {
        versions,
        tables: files,
        dissolve_fallbacks: geom.fallbacks,
        island_cells: geom.islands.clone(),
        nudged_points: geom.nudged.clone(),
        vn_2025_geometry: geom.method_2025.clone(),
    };
    let path = out.join("manifest.json");
    let text =
        serde_json::to_string_pretty(&manifest).map_err(|e| DemoError::Geometry(e.to_string()))?;
    fs::write(&path, text + "\n").map_err(io(&path))?;
    Ok(manifest)
}
