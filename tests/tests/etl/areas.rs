//! Areas that cannot lie (issue 17's must-hold): a boundary file with real Hà Nội coordinates
//! holding GADM's two kinds of sliver — a 1e-17 deg² hole a dissolve leaves between two wards,
//! and 4-point islands of 1.8e-16 deg² wound either way — and a real lake hole, imported into
//! both stores. Every stored `area_km2` must match an independent geodesic area from
//! `pyproj.Geod` (tests/python/geod_area.py through `POPMAP_PYTHON`), the stored geometry must
//! have lost the slivers, and the report must name each removed ring.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use etl::geometry::{MIN_RING_M2, Repair};
use geodata::{Level, Unit};
use popmap_tests::TestDb;

const VERSION: &str = "vn-2019";

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/boundaries")
        .join(name)
}

/// The Python interpreter with `pyproj` (scripts/test.sh sets `POPMAP_PYTHON`): required under
/// CI, skipped with a printed reason otherwise.
fn python() -> Option<PathBuf> {
    match std::env::var_os("POPMAP_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None if std::env::var_os("CI").is_some() => {
            panic!("POPMAP_PYTHON is not set but CI is: run the suite with scripts/test.sh")
        }
        None => {
            eprintln!(
                "SKIPPED the pyproj area cross-check: POPMAP_PYTHON is not set (scripts/test.sh sets it)"
            );
            None
        }
    }
}

/// Each feature's geodesic area by pyproj.Geod, km², keyed by code.
fn pyproj_areas(python: &Path, file: &Path) -> HashMap<String, f64> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/geod_area.py");
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(file)
        .output()
        .expect("running POPMAP_PYTHON");
    assert!(
        out.status.success(),
        "geod_area.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["pyproj"].as_str().unwrap().starts_with("3."), "{v}");
    v["areas_km2"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(code, a)| (code.clone(), a.as_f64().unwrap()))
        .collect()
}

/// The rings the report must name as removed: (feature index, code, polygon, ring).
const REMOVED: &[(usize, &str, usize, usize)] = &[
    (0, "01", 0, 1),    // the sliver gap between 00001 and 00004, kept by the dissolve
    (0, "01", 1, 0),    // 00004's clockwise island
    (0, "01", 2, 0),    // 00040's counter-clockwise island
    (1, "001", 0, 1),   // the sliver gap again
    (1, "001", 1, 0),   // 00004's island
    (2, "002", 1, 0),   // 00040's island
    (4, "00004", 1, 0), // its own island, clockwise
    (6, "00040", 1, 0), // its own island, counter-clockwise
];

fn check_report(report: &etl::boundaries::ImportReport) {
    let removed: Vec<(usize, &str, usize, usize)> = report
        .repairs
        .iter()
        .filter_map(|n| match n.repair {
            Repair::RemovedTinyRing { polygon, ring, .. } => {
                Some((n.feature, n.code.as_str(), polygon, ring))
            }
            _ => None,
        })
        .collect();
    assert_eq!(removed, REMOVED, "{report}");
    assert_eq!(report.repairs.len(), REMOVED.len(), "{report}");
    assert_eq!(report.slivers_removed, REMOVED.len());
    for n in &report.repairs {
        let Repair::RemovedTinyRing { area_m2, ring, .. } = n.repair else {
            unreachable!()
        };
        // The gap is 1.1e-17 deg² (1.16e-7 m²), each island 1.8e-16 deg² (2.08e-6 m²).
        let want = if ring == 0 { 2.08e-6 } else { 1.16e-7 };
        assert!((area_m2 / want - 1.0).abs() < 0.05, "{n}: {area_m2}");
        assert!(
            n.message.contains(&format!("{MIN_RING_M2} m² tolerance")),
            "{n}"
        );
    }
    assert_eq!(
        report.repairs[0].to_string(),
        "slivers.geojson: feature 0 (code \"01\"): removed hole 1 of polygon 0: it encloses 1.16e-7 m², below the 1 m² tolerance (a sliver, not a place)"
    );
    assert_eq!(
        report.repairs[6].to_string(),
        "slivers.geojson: feature 4 (code \"00004\"): removed polygon 1 (an island): it encloses 2.08e-6 m², below the 1 m² tolerance (a sliver, not a place)"
    );
    assert_eq!(
        report.repair_summary(),
        vec!["8 sliver ring(s) below the tolerance removed"]
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

/// The stored geometry carries no sliver (so tiles and H3 weights do not), keeps the lake.
fn check_geometry(units: &[Unit]) {
    let rings = |code: &str| -> Vec<usize> {
        let u = units.iter().find(|u| u.code == code).unwrap();
        u.geometry.0.iter().map(|p| p.interiors().len()).collect()
    };
    assert_eq!(rings("01"), vec![1], "the province keeps the lake only");
    assert_eq!(rings("001"), vec![0]);
    assert_eq!(rings("002"), vec![1], "the district keeps the lake");
    assert_eq!(rings("00004"), vec![0]);
    assert_eq!(rings("00037"), vec![1], "the lake is a real hole");
    assert_eq!(rings("00040"), vec![0]);
}

#[tokio::test]
async fn slivers_are_removed_and_areas_match_pyproj_on_both_stores() {
    let file = corpus("slivers.geojson");
    let expected = python().map(|p| pyproj_areas(&p, &file));
    let mut dbs = vec![TestDb::sqlite()];
    dbs.extend(TestDb::postgres().await);
    let from = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
    for db in &dbs {
        let store = db.store().await;
        let report = etl::boundaries::import(
            &store,
            VERSION,
            from,
            std::slice::from_ref(&file),
            false,
            false,
        )
        .await
        .unwrap();
        check_report(&report);
        let units = store.units_with_geometry(VERSION).await.unwrap();
        assert_eq!(units.len(), 7);
        check_geometry(&units);
        let by_code: HashMap<&str, &Unit> = units.iter().map(|u| (u.code.as_str(), u)).collect();
        // Without Python the areas are still bounded: each commune is a 0.02° × 0.03° box of
        // ≈ 6.9 km² (less the lake), nowhere near the Earth's 510 million.
        for u in &units {
            assert!(
                (5.0..30.0).contains(&u.area_km2),
                "{} {}",
                u.code,
                u.area_km2
            );
        }
        let communes: f64 = units
            .iter()
            .filter(|u| u.level == Level::Commune)
            .map(|u| u.area_km2)
            .sum();
        assert!((communes / by_code["01"].area_km2 - 1.0).abs() < 1e-9);
        let Some(expected) = &expected else { continue };
        assert_eq!(expected.len(), units.len());
        for (code, want) in expected {
            let got = by_code[code.as_str()].area_km2;
            assert!(
                ((got - want) / want).abs() < 1e-6,
                "{}: {code}: stored {got} km², pyproj {want} km²",
                db.url()
            );
        }
    }
}

/// The real national file (scripts/national/prepare.sh writes it; not in the repository): every
/// unit imports, and every area is within 1e-6 of pyproj's, except where the importer
/// unioned overlapping parts (pyproj's plain sum counts the overlap twice). Run with
/// `cargo test -p popmap-tests --test etl national -- --ignored`.
#[test]
#[ignore = "needs target/national/communes.geojson from scripts/national/prepare.sh"]
fn national_file_imports_with_true_areas() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/national/communes.geojson");
    assert!(file.exists(), "run scripts/national/prepare.sh first");
    let (units, _, report) =
        etl::boundaries::build_units(etl::boundaries::read_file(&file).unwrap(), VERSION).unwrap();
    eprintln!(
        "{} units, {} repairs: {}",
        units.len(),
        report.repairs.len(),
        report.repair_summary().join(", ")
    );
    let Some(python) = python() else { return };
    let expected = pyproj_areas(&python, &file);
    let unioned: Vec<&str> = report
        .repairs
        .iter()
        .filter(|n| matches!(n.repair, Repair::MadeValid { .. }))
        .map(|n| n.code.as_str())
        .collect();
    let mut worst = (0.0, String::new());
    for u in &units {
        let want = expected[&u.code];
        let rel = ((u.area_km2 - want) / want).abs();
        if unioned.contains(&u.code.as_str()) {
            assert!(u.area_km2 < want, "{}: a union is no larger", u.code);
            continue;
        }
        assert!(
            rel < 1e-6,
            "{}: {} km² vs pyproj {want} km²",
            u.code,
            u.area_km2
        );
        if rel > worst.0 {
            worst = (rel, u.code.clone());
        }
    }
    eprintln!(
        "worst relative difference from pyproj: {:.1e} ({})",
        worst.0, worst.1
    );
}
