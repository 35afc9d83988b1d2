//! Boundary import: the bad-input corpus (exact messages), GeoJSON ↔ FlatGeobuf round trip,
//! hierarchy rules and a 10,000-commune read.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use etl::boundaries::{BoundaryError, ImportReport, RawFeature, build_units, read_file};
use etl::geometry::Repair;
use flatgeobuf::{ColumnType, FgbWriter, GeometryType};
use geo::{Validation, Winding};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use geodata::Level;
use geodata::Unit;
use geozero::{ColumnValue, PropertyProcessor};
use popmap_tests::assert_refused_unchanged;
use serde_json::{Value, json};

const VERSION: &str = "vn-2025";

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/boundaries")
        .join(name)
}

/// Reads and builds one file, as the import does before touching the store.
fn load(path: &Path) -> Result<(Vec<Unit>, Vec<Level>, ImportReport), BoundaryError> {
    build_units(read_file(path)?, VERSION)
}

/// The corpus files an import refuses (every case of `corpus_errors_have_exact_messages`).
const REFUSED: [&str; 17] = [
    "malformed.geojson",
    "empty_collection.geojson",
    "not_collection.geojson",
    "numeric_code.geojson",
    "missing_name.geojson",
    "unknown_level.geojson",
    "empty_geometry.geojson",
    "missing_parent.geojson",
    "wrong_level.geojson",
    "cycle.geojson",
    "duplicate_code.geojson",
    "projected.geojson",
    "point_geometry.geojson",
    "collinear.geojson",
    "antimeridian.geojson",
    "identical_geometry.geojson",
    "README.md",
];

#[test]
fn corpus_errors_have_exact_messages() {
    let cases: &[(&str, &str)] = &[
        (
            "malformed.geojson",
            "malformed.geojson: malformed JSON: expected `,` or `}` at line 5 column 32",
        ),
        (
            "empty_collection.geojson",
            "empty_collection.geojson: the file holds no feature (an empty FeatureCollection)",
        ),
        (
            "not_collection.geojson",
            "not_collection.geojson: expected a GeoJSON FeatureCollection, found type \"Feature\"",
        ),
        (
            "numeric_code.geojson",
            "numeric_code.geojson: feature 2: property \"code\" is a number; codes must be strings so leading zeros are kept (write \"code\": \"00004\")",
        ),
        (
            "missing_name.geojson",
            "missing_name.geojson: feature 2 (code \"00002\"): missing property \"name\"",
        ),
        (
            "unknown_level.geojson",
            "unknown_level.geojson: feature 1 (code \"00001\"): unknown level 'ward' (expected country, region, province, district or commune)",
        ),
        (
            "empty_geometry.geojson",
            "empty_geometry.geojson: feature 2 (code \"00002\"): geometry is empty (no polygon with at least 4 points and non-zero area)",
        ),
        (
            "missing_parent.geojson",
            "missing_parent.geojson: feature 2 (code \"00002\"): parent_code \"999\" does not exist in version vn-2025",
        ),
        (
            "wrong_level.geojson",
            "wrong_level.geojson: feature 2 (code \"00002\"): parent_code \"00001\" is a commune, but the parent of a commune must be a province (the level directly above it in version vn-2025)",
        ),
        (
            "cycle.geojson",
            "cycle.geojson: feature 1 (code \"00001\"): parent codes form a cycle: \"00001\" → \"00002\" → \"00001\"",
        ),
        (
            "duplicate_code.geojson",
            "duplicate_code.geojson: feature 2 (code \"00001\"): duplicate code \"00001\" (first used by duplicate_code.geojson: feature 1 (code \"00001\"))",
        ),
        (
            "projected.geojson",
            "projected.geojson: feature 1 (code \"00001\"): coordinates look projected, expected WGS84 lon/lat (found x=500000, y=2322000; lon must be within -180..180 and lat within -90..90)",
        ),
        (
            "point_geometry.geojson",
            "point_geometry.geojson: feature 0 (code \"01\"): unsupported geometry: geometry type \"Point\" (expected Polygon or MultiPolygon)",
        ),
        (
            "collinear.geojson",
            "collinear.geojson: feature 1 (code \"00001\"): geometry encloses no area (every polygon's points lie on one line)",
        ),
        (
            "antimeridian.geojson",
            "antimeridian.geojson: feature 2 (code \"00002\"): exterior ring of polygon 0 crosses the antimeridian between points 0 and 1 (longitude 179.5 to -179.5); split it at ±180° into one polygon on each side",
        ),
        (
            "identical_geometry.geojson",
            "identical_geometry.geojson: feature 3 (code \"00003\"): geometry identical to that of identical_geometry.geojson: feature 1 (code \"00001\"): the same outline under two codes is a duplicated feature",
        ),
        (
            "README.md",
            "README.md: unsupported file type (expected .geojson, .json or .fgb)",
        ),
    ];
    let files: Vec<&str> = cases.iter().map(|c| c.0).collect();
    assert_eq!(files, REFUSED);
    for (file, expected) in cases {
        let err = load(&corpus(file)).expect_err(file);
        assert_eq!(err.to_string(), *expected, "{file}");
    }
}

#[test]
fn corpus_bow_tie_is_repaired_and_reported() {
    let (units, _, report) = load(&corpus("bowtie.geojson")).unwrap();
    let u = units.iter().find(|u| u.code == "00002").unwrap();
    assert_eq!(u.geometry.0.len(), 2);
    assert!(u.geometry.is_valid());
    assert_eq!(report.repairs.len(), 1);
    let note = &report.repairs[0];
    assert_eq!(
        (note.file.as_str(), note.feature, note.code.as_str()),
        ("bowtie.geojson", 2, "00002")
    );
    assert_eq!(
        note.to_string(),
        "bowtie.geojson: feature 2 (code \"00002\"): repaired invalid geometry (polygon at index 0 is invalid: exterior ring has a self-intersection) into 2 valid polygon(s)"
    );
    // The bow-tie keeps half of its square, so the children no longer add up: a warning.
    assert_eq!(report.warnings.len(), 1);
    assert!(
        report.warnings[0].starts_with("province \"01\" (Thành phố Hà Nội) has "),
        "{}",
        report.warnings[0]
    );
}

#[test]
fn corpus_unclosed_ring_is_closed_and_reported() {
    let (units, _, report) = load(&corpus("unclosed_ring.geojson")).unwrap();
    let ring = &units[1].geometry.0[0].exterior().0;
    assert_eq!(ring.len(), 5);
    assert_eq!(ring.first(), ring.last());
    assert_eq!(
        report.repairs[0].repair,
        Repair::ClosedRing {
            polygon: 0,
            ring: 0
        }
    );
    assert_eq!(
        report.repairs[0].to_string(),
        "unclosed_ring.geojson: feature 1 (code \"00001\"): closed unclosed exterior ring of polygon 0"
    );
    assert_eq!(report.repairs.len(), 1);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn corpus_nfd_names_are_normalised() {
    let raw = read_file(&corpus("nfd_names.geojson")).unwrap();
    assert_ne!(raw[0].name, "Thành phố Hà Nội");
    let (units, _, report) = build_units(raw, VERSION).unwrap();
    assert_eq!(units[0].name, "Thành phố Hà Nội");
    assert_eq!(units[1].name, "Phường Ba Đình");
    assert_eq!(report.names_normalised, 2);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["names_normalised"], 2);
}

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> LineString<f64> {
    LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
}

type Row = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    MultiPolygon<f64>,
);

/// Two provinces and three communes that tile them exactly: a hole, a two-part multipolygon.
fn dataset() -> Vec<Row> {
    let hole = square(105.1, 21.1, 105.3, 21.3);
    let island = Polygon::new(square(106.2, 21.2, 106.4, 21.4), vec![]);
    let one = |ls| MultiPolygon(vec![Polygon::new(ls, vec![])]);
    vec![
        (
            "01",
            "Thành phố Hà Nội",
            "province",
            None,
            MultiPolygon(vec![
                Polygon::new(square(105.0, 21.0, 106.0, 22.0), vec![hole.clone()]),
                island.clone(),
            ]),
        ),
        (
            "04",
            "Tỉnh Cao Bằng",
            "province",
            None,
            one(square(106.0, 22.0, 107.0, 23.0)),
        ),
        (
            "00004",
            "Phường Ba Đình",
            "commune",
            Some("01"),
            MultiPolygon(vec![Polygon::new(
                square(105.0, 21.0, 105.5, 22.0),
                vec![hole],
            )]),
        ),
        (
            "00005",
            "Xã Sóc Sơn",
            "commune",
            Some("01"),
            MultiPolygon(vec![
                Polygon::new(square(105.5, 21.0, 106.0, 22.0), vec![]),
                island,
            ]),
        ),
        (
            "01279",
            "Xã Hà Quảng",
            "commune",
            Some("04"),
            one(square(106.0, 22.0, 107.0, 23.0)),
        ),
    ]
}

fn coords(ls: &LineString<f64>) -> Value {
    Value::Array(
        ls.0.iter()
            .map(|c: &Coord<f64>| json!([c.x, c.y]))
            .collect(),
    )
}

fn write_geojson(path: &Path) {
    let features: Vec<Value> = dataset()
        .into_iter()
        .map(|(code, name, level, parent, mp)| {
            let polys: Vec<Value> =
                mp.0.iter()
                    .map(|p| {
                        Value::Array(
                            std::iter::once(p.exterior())
                                .chain(p.interiors())
                                .map(coords)
                                .collect(),
                        )
                    })
                    .collect();
            json!({"type": "Feature",
                   "properties": {"code": code, "name": name, "level": level, "parent_code": parent},
                   "geometry": {"type": "MultiPolygon", "coordinates": polys}})
        })
        .collect();
    let fc = json!({"type": "FeatureCollection", "features": features});
    std::fs::write(path, serde_json::to_string(&fc).unwrap()).unwrap();
}

fn write_fgb(path: &Path) {
    let mut fgb = FgbWriter::create("units", GeometryType::MultiPolygon).unwrap();
    for col in ["code", "name", "level", "parent_code"] {
        fgb.add_column(col, ColumnType::String, |_, c| {
            c.nullable = col == "parent_code"
        });
    }
    for (code, name, level, parent, mp) in dataset() {
        fgb.add_feature_geom(geo_types::Geometry::MultiPolygon(mp), |f| {
            f.property(0, "code", &ColumnValue::String(code)).unwrap();
            f.property(1, "name", &ColumnValue::String(name)).unwrap();
            f.property(2, "level", &ColumnValue::String(level)).unwrap();
            if let Some(p) = parent {
                f.property(3, "parent_code", &ColumnValue::String(p))
                    .unwrap();
            }
        })
        .unwrap();
    }
    fgb.write(BufWriter::new(File::create(path).unwrap()))
        .unwrap();
}

fn by_code(mut units: Vec<Unit>) -> Vec<Unit> {
    units.sort_by(|a, b| a.code.cmp(&b.code));
    units
}

#[test]
fn geojson_and_flatgeobuf_give_the_same_units() {
    let dir = tempfile::tempdir().unwrap();
    let (gj, fg) = (
        dir.path().join("units.geojson"),
        dir.path().join("units.fgb"),
    );
    write_geojson(&gj);
    write_fgb(&fg);
    let (a, levels_a, report_a) = load(&gj).unwrap();
    let (b, levels_b, report_b) = load(&fg).unwrap();
    assert_eq!(levels_a, vec![Level::Province, Level::Commune]);
    assert_eq!(levels_a, levels_b);
    assert!(report_a.repairs.is_empty() && report_b.repairs.is_empty());
    assert!(report_a.warnings.is_empty(), "{:?}", report_a.warnings);
    let (a, b) = (by_code(a), by_code(b));
    assert_eq!(a.len(), 5);
    assert_eq!(b.len(), 5);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (&x.code, &x.name, x.level, &x.parent_code),
            (&y.code, &y.name, y.level, &y.parent_code)
        );
        assert_eq!(x.geometry, y.geometry);
        assert!(((x.area_km2 - y.area_km2) / x.area_km2).abs() < 1e-6);
        for p in &x.geometry.0 {
            assert!(p.exterior().is_ccw());
            assert!(p.interiors().iter().all(|h| h.is_cw()));
        }
    }
    // Province 01 = its two communes exactly, hole and island included.
    let sum: f64 = a
        .iter()
        .filter(|u| u.parent_code.as_deref() == Some("01"))
        .map(|u| u.area_km2)
        .sum();
    let p01 = a.iter().find(|u| u.code == "01").unwrap();
    // Not exact: the province's 1° edges are geodesics that bulge off the parallel more than
    // the communes' 0.5° edges do (≈ 2e-5 relative at 21–22° N).
    assert!(((sum - p01.area_km2) / sum).abs() < 1e-4);
    assert_eq!(report_a.levels[0].units, 2);
    assert_eq!(report_a.levels[1].units, 3);
    let tops: f64 = a
        .iter()
        .filter(|u| u.level == Level::Province)
        .map(|u| u.area_km2)
        .sum();
    assert!((report_a.total_area_km2 - tops).abs() < 1e-6);
}

fn raw(code: &str, level: Level, parent: Option<&str>) -> RawFeature {
    RawFeature {
        at: etl::boundaries::FeatureRef {
            file: "t.fgb".into(),
            index: 0,
            code: Some(code.into()),
        },
        code: code.into(),
        name: format!("Xã {code}"),
        level,
        parent_code: parent.map(Into::into),
        geometry: etl::geometry::to_raw(&dataset()[1].4),
    }
}

#[test]
fn hierarchy_rules() {
    let msg = |features: Vec<RawFeature>, version: &str| {
        build_units(features, version).unwrap_err().to_string()
    };
    assert_eq!(
        msg(vec![raw("01", Level::Province, Some("99"))], VERSION),
        "t.fgb: feature 0 (code \"01\"): parent_code \"99\" does not exist in version vn-2025"
    );
    assert_eq!(
        msg(
            vec![
                raw("01", Level::Province, None),
                raw("00004", Level::Commune, None)
            ],
            VERSION
        ),
        "t.fgb: feature 0 (code \"00004\"): a commune must have a parent_code (only the top level of version vn-2025, province, has none)"
    );
    assert_eq!(
        msg(vec![raw("01", Level::Province, Some("01"))], VERSION),
        "t.fgb: feature 0 (code \"01\"): a province is the top level of version vn-2025 and must have no parent_code (found \"01\")"
    );
    let mut empty = raw("01", Level::Province, None);
    empty.name = "  ".into();
    assert_eq!(
        msg(vec![empty], VERSION),
        "t.fgb: feature 0 (code \"01\"): empty name"
    );
    // vn-2019 style: province → district → commune; a commune directly under a province fails.
    assert_eq!(
        msg(
            vec![
                raw("01", Level::Province, None),
                raw("001", Level::District, Some("01")),
                raw("00004", Level::Commune, Some("01")),
            ],
            "vn-2019"
        ),
        "t.fgb: feature 0 (code \"00004\"): parent_code \"01\" is a province, but the parent of a commune must be a district (the level directly above it in version vn-2019)"
    );
    let (units, levels, report) = build_units(
        vec![
            raw("01", Level::Province, None),
            raw("001", Level::District, Some("01")),
            raw("00004", Level::Commune, Some("001")),
        ],
        "vn-2019",
    )
    .unwrap();
    assert_eq!(
        levels,
        vec![Level::Province, Level::District, Level::Commune]
    );
    assert_eq!(units.len(), 3);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

fn commune_feature(i: usize, j: usize, n: usize) -> Value {
    let (x0, y0) = (105.0 + i as f64 * 0.01, 20.0 + j as f64 * 0.01);
    let mut ring = Vec::new();
    for k in 0..10 {
        let t = k as f64 * 0.001;
        ring.push(json!([x0 + t, y0]));
    }
    for k in 0..10 {
        let t = k as f64 * 0.001;
        ring.push(json!([x0 + 0.01, y0 + t]));
    }
    for k in 0..10 {
        let t = k as f64 * 0.001;
        ring.push(json!([x0 + 0.01 - t, y0 + 0.01]));
    }
    for k in 0..10 {
        let t = k as f64 * 0.001;
        ring.push(json!([x0, y0 + 0.01 - t]));
    }
    ring.push(json!([x0, y0]));
    json!({"type": "Feature",
        "properties": {"code": format!("{:05}", i * n + j), "name": format!("Xã {i}-{j}"),
                       "level": "commune", "parent_code": "01"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}})
}

#[test]
fn reads_ten_thousand_communes() {
    // 100 × 100 communes of 0.01° with 41-point rings, one province around them.
    let n = 100;
    let mut features = vec![json!({"type": "Feature",
        "properties": {"code": "01", "name": "Tỉnh Thử", "level": "province"},
        "geometry": {"type": "Polygon", "coordinates": [[[105.0, 20.0], [106.0, 20.0], [106.0, 21.0], [105.0, 21.0], [105.0, 20.0]]]}})];
    for i in 0..n {
        for j in 0..n {
            features.push(commune_feature(i, j, n));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("communes.geojson");
    let fc = json!({"type": "FeatureCollection", "features": features});
    std::fs::write(&path, serde_json::to_string(&fc).unwrap()).unwrap();
    let t = std::time::Instant::now();
    let (units, _, report) = load(&path).unwrap();
    eprintln!("read + built {} units in {:?}", units.len(), t.elapsed());
    assert_eq!(units.len(), n * n + 1);
    assert_eq!(report.levels[1].units, n * n);
    let rel = (report.levels[1].area_km2 - report.levels[0].area_km2) / report.levels[0].area_km2;
    // The province's 1° edges are geodesics, the communes' 0.001° edges hug the parallels.
    assert!(rel.abs() < 1e-4, "{rel}");
    assert!(report.warnings.is_empty());
    assert!(report.repairs.is_empty());
}

/// Writes the dataset split in two files, provinces and communes, as the CLI would get them.
fn write_split(dir: &Path) -> Vec<PathBuf> {
    let all = dir.join("all.geojson");
    write_geojson(&all);
    let fc: Value = serde_json::from_str(&std::fs::read_to_string(&all).unwrap()).unwrap();
    let feats = fc["features"].as_array().unwrap();
    ["province", "commune"]
        .iter()
        .map(|level| {
            let path = dir.join(format!("{level}s.geojson"));
            let part: Vec<&Value> = feats
                .iter()
                .filter(|f| f["properties"]["level"] == *level)
                .collect();
            let fc = json!({"type": "FeatureCollection", "features": part});
            std::fs::write(&path, fc.to_string()).unwrap();
            path
        })
        .collect()
}

#[tokio::test]
async fn import_writes_one_version_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_split(dir.path());
    let store = geodata::Store::open("sqlite::memory:").await.unwrap();
    let from = chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();

    // A bad file among good ones: nothing is written.
    let mut with_bad = files.clone();
    with_bad.push(corpus("missing_parent.geojson"));
    let err = etl::boundaries::import(&store, VERSION, from, &with_bad, false, false)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing_parent.geojson: feature 0 (code \"01\"): duplicate code \"01\" (first used by provinces.geojson: feature 0 (code \"01\"))"
    );
    assert!(store.version(VERSION).await.unwrap().is_none());

    let report = etl::boundaries::import(&store, VERSION, from, &files, false, false)
        .await
        .unwrap();
    assert_eq!(report.files, vec!["provinces.geojson", "communes.geojson"]);
    assert_eq!(report.units, 5);
    let v = store.version(VERSION).await.unwrap().unwrap();
    assert_eq!(v.levels, vec![Level::Province, Level::Commune]);
    assert_eq!(v.valid_from, from);
    let units = store.units(VERSION).await.unwrap();
    let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes.len(), 5);
    for code in ["01", "04", "00004", "00005", "01279"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let stored = store.units_with_geometry(VERSION).await.unwrap();
    let p01 = stored.iter().find(|u| u.code == "01").unwrap();
    assert_eq!(p01.geometry.0.len(), 2);
    assert_eq!(p01.geometry.0[0].interiors().len(), 1);

    // Every refused corpus file, imported as a second version, leaves the store as it was.
    let next = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for name in REFUSED {
        let files = [corpus(name)];
        let op = etl::boundaries::import(&store, "vn-2026", next, &files, false, false);
        let err = assert_refused_unchanged(&store, name, op).await;
        assert!(err.to_string().starts_with(name), "{name}: {err}");
    }

    // Importing again without replace is refused by the store, with its message.
    let err = etl::boundaries::import(&store, VERSION, from, &files, false, false)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "boundary version 'vn-2025' already exists (use --replace to replace it)"
    );
    etl::boundaries::import(&store, VERSION, from, &files, true, false)
        .await
        .unwrap();

    // Ids go into URLs and file names: a path or a 10,000-character id is refused before any
    // file is read, and nothing is stored.
    for bad in ["../../../etc/passwd".to_string(), "v".repeat(10_000)] {
        let err = etl::boundaries::import(&store, &bad, from, &files, false, false)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("version id '"), "{err}");
        assert!(err.contains("lowercase letters"), "{err}");
        assert!(err.len() < 300, "{err}");
    }
    // A second version starting the same day is named, not a database's UNIQUE message.
    let err = etl::boundaries::import(&store, "vn-2025b", from, &files, false, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("boundary version 'vn-2025b' cannot start on ")
            && err.contains("version 'vn-2025' already starts that day"),
        "{err}"
    );
    let ids: Vec<String> = store
        .versions()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(ids, [VERSION]);
}

#[test]
fn flatgeobuf_numeric_code_and_point_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numeric.fgb");
    let mut fgb = FgbWriter::create("units", GeometryType::Unknown).unwrap();
    fgb.add_column("code", ColumnType::Int, |_, _| {});
    fgb.add_column("name", ColumnType::String, |_, _| {});
    fgb.add_column("level", ColumnType::String, |_, _| {});
    let sq = dataset()[1].4.clone();
    fgb.add_feature_geom(geo_types::Geometry::MultiPolygon(sq), |f| {
        f.property(0, "code", &ColumnValue::Int(1)).unwrap();
        f.property(1, "name", &ColumnValue::String("Tỉnh")).unwrap();
        f.property(2, "level", &ColumnValue::String("province"))
            .unwrap();
    })
    .unwrap();
    fgb.write(BufWriter::new(File::create(&path).unwrap()))
        .unwrap();
    assert_eq!(
        read_file(&path).unwrap_err().to_string(),
        "numeric.fgb: feature 0: property \"code\" is a number; codes must be strings so leading zeros are kept (write \"code\": \"00004\")"
    );

    let path = dir.path().join("point.fgb");
    let mut fgb = FgbWriter::create("units", GeometryType::Unknown).unwrap();
    for col in ["code", "name", "level"] {
        fgb.add_column(col, ColumnType::String, |_, _| {});
    }
    fgb.add_feature_geom(
        geo_types::Geometry::Point(geo_types::Point::new(105.8, 21.0)),
        |f| {
            f.property(0, "code", &ColumnValue::String("01")).unwrap();
            f.property(1, "name", &ColumnValue::String("Tỉnh")).unwrap();
            f.property(2, "level", &ColumnValue::String("province"))
                .unwrap();
        },
    )
    .unwrap();
    fgb.write(BufWriter::new(File::create(&path).unwrap()))
        .unwrap();
    assert_eq!(
        read_file(&path).unwrap_err().to_string(),
        "point.fgb: feature 0 (code \"01\"): unsupported geometry: geometry type \"Point\" (expected Polygon or MultiPolygon)"
    );
}

/// The GeoJSON reader streams the document, yet reports as if it had read it whole: a JSON
/// syntax error first, then the collection's shape (whatever the member order), then the first
/// bad feature; and members it does not know (`bbox`, `name`, foreign members) are skipped.
#[test]
fn geojson_errors_keep_their_precedence_in_any_member_order() {
    let dir = tempfile::tempdir().unwrap();
    let bad_feature = r#"{"type": "Feature", "properties": {"code": 7}, "geometry": null}"#;
    let good = r#"{"type": "Feature", "properties": {"code": "01", "name": "A", "level": "province"},
        "geometry": {"type": "Polygon", "coordinates": [[[105, 20], [106, 20], [106, 21], [105, 20]]]}}"#;
    let cases = [
        (
            "[1, 2]",
            "expected a GeoJSON FeatureCollection, found an array",
        ),
        ("42", "expected a GeoJSON FeatureCollection, found a number"),
        ("null", "expected a GeoJSON FeatureCollection, found null"),
        (
            &format!(r#"{{"features": [{bad_feature}], "type": "Feature"}}"#),
            "expected a GeoJSON FeatureCollection, found type \"Feature\"",
        ),
        (
            &format!(r#"{{"features": [{bad_feature}], "type": 3}}"#),
            "expected a GeoJSON FeatureCollection, found an object without a \"type\"",
        ),
        (
            r#"{"type": "FeatureCollection", "features": {"a": [1]}}"#,
            "a FeatureCollection needs a \"features\" array",
        ),
        (
            r#"{"type": "FeatureCollection"}"#,
            "a FeatureCollection needs a \"features\" array",
        ),
        (
            &format!(
                r#"{{"features": [{good}, {bad_feature}, {{"x": [}}], "type": "FeatureCollection"}}"#
            ),
            "malformed JSON",
        ),
        (
            &format!(
                r#"{{"features": [{good}, {bad_feature}, {good}], "type": "FeatureCollection"}}"#
            ),
            "feature 1: property \"code\" is a number",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case{i}.geojson"));
        std::fs::write(&path, text).unwrap();
        let message = read_file(&path).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("case{i}.geojson: {expected}")),
            "case {i}: {message}"
        );
    }
    let path = dir.path().join("ok.geojson");
    let text = format!(
        r#"{{"name": "x", "bbox": [105, 20, 106, 21], "features": [{good}], "crs": {{"type": "name"}}, "type": "FeatureCollection"}}"#
    );
    std::fs::write(&path, text).unwrap();
    let read = read_file(&path).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].code, "01");
    assert_eq!(read[0].geometry[0][0].len(), 4);
}
