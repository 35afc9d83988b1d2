//! Publish, validate and aggregate against a real store: SQLite always, PostgreSQL when
//! `POPMAP_TEST_PG` is set (see `scripts/pg.sh`).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use etl::publish::{Options, PublishError, aggregate, publish, sha256_hex, validate};
use geo_types::{MultiPolygon, polygon};
use geodata::{BoundaryVersion, Catalog, Level, Period, Store, Unit};
use popmap_tests::{TestDb, assert_refused_unchanged};

use crate::publish::{CORPUS, corpus_options};

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/tables")
        .join(name)
}

fn square(x: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: 105.0 + x, y: 21.0), (x: 105.1 + x, y: 21.0), (x: 105.1 + x, y: 21.1),
        (x: 105.0 + x, y: 21.1), (x: 105.0 + x, y: 21.0)
    ]])
}

fn unit(code: &str, name: &str, level: Level, parent: Option<&str>, x: f64) -> Unit {
    Unit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        area_km2: 10.0,
        geometry: square(x),
    }
}

fn version(id: &str, from: (i32, u32), levels: Vec<Level>) -> BoundaryVersion {
    BoundaryVersion {
        id: id.into(),
        valid_from: NaiveDate::from_ymd_opt(from.0, from.1, 1).unwrap(),
        valid_to: None,
        levels,
    }
}

/// The same miniature Hà Nội as the pure tests, on vn-2025 (and a vn-2019 before it).
async fn seeded(db: &TestDb) -> Store {
    let store = db.store().await;
    let units = vec![
        unit("01", "Thành phố Hà Nội", Level::Province, None, 0.0),
        unit("00004", "Phường Ba Đình", Level::Commune, Some("01"), 0.0),
        unit("00008", "Phường Ngọc Hà", Level::Commune, Some("01"), 0.1),
        unit("00070", "Phường Hoàn Kiếm", Level::Commune, Some("01"), 0.2),
    ];
    let v19 = version("vn-2019", (2019, 1), vec![Level::Province, Level::Commune]);
    let v25 = version("vn-2025", (2025, 7), vec![Level::Province, Level::Commune]);
    store.import_version(&v19, &units, false).await.unwrap();
    store.import_version(&v25, &units, false).await.unwrap();
    store
}

async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite()];
    dbs.extend(TestDb::postgres().await);
    dbs
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn p(s: &str) -> Period {
    s.parse().unwrap()
}

/// A clean wide table: the three wards with population p, p+100, p+200 and births b, b+1, b+2.
fn good(pop: i64, births: i64) -> String {
    let mut s = String::from("code,population,males,females,births\n");
    for (i, code) in ["00004", "00008", "00070"].iter().enumerate() {
        let i = i as i64;
        let pop = pop + 100 * i;
        let males = pop / 2;
        s.push_str(&format!(
            "{code},{pop},{males},{},{}\n",
            pop - males,
            births + i
        ));
    }
    s
}

#[tokio::test]
async fn publish_twice_gives_revisions_1_and_2_with_sums_and_checksum() {
    let catalog = Catalog::builtin();
    let dir = tempfile::tempdir().unwrap();
    for db in backends().await {
        let store = seeded(&db).await;
        let file = write(dir.path(), "q3.csv", &good(1000, 10));
        let (report, s1) = publish(&store, &catalog, p("2025-Q3"), &file, &Options::default())
            .await
            .unwrap();
        assert_eq!(report.version, "vn-2025");
        assert_eq!((s1.revision, s1.version.as_str()), (1, "vn-2025"));
        assert_eq!(s1.source, "q3.csv");
        assert_eq!(s1.checksum, sha256_hex(&std::fs::read(&file).unwrap()));
        let v = store.values(s1.id).await.unwrap();
        assert_eq!(v["01"]["population"], 1000 + 1100 + 1200);
        assert_eq!(v["01"]["births"], 10 + 11 + 12);
        assert_eq!(v["00008"]["females"], 550);
        let stored: serde_json::Value =
            serde_json::from_str(&store.report(s1.id).await.unwrap().unwrap()).unwrap();
        assert_eq!(stored["totals"]["population"], 3300);
        let (_, s2) = publish(&store, &catalog, p("2025-Q3"), &file, &Options::default())
            .await
            .unwrap();
        assert_eq!(s2.revision, 2);
        assert_eq!(
            store
                .latest_snapshot(&p("2025-Q3"))
                .await
                .unwrap()
                .unwrap()
                .id,
            s2.id
        );
    }
}

#[tokio::test]
async fn refused_publish_writes_nothing() {
    let catalog = Catalog::builtin();
    for db in backends().await {
        let store = seeded(&db).await;
        // Every corpus table with an error, published: refused, every table of the store as it was.
        let refused = CORPUS
            .iter()
            .filter(|(_, findings)| findings.iter().any(|f| f.starts_with("E ")));
        let mut checked = 0;
        for (name, findings) in refused {
            let errors = findings.iter().filter(|f| f.starts_with("E ")).count();
            let opts = corpus_options(name);
            let file = corpus(name);
            let op = publish(&store, &catalog, p("2025-Q3"), &file, &opts);
            let err = assert_refused_unchanged(&store, name, op).await;
            let PublishError::Refused { report, strict } = &err else {
                panic!("{name}: {err}");
            };
            assert!(!strict);
            assert_eq!(report.errors.len(), errors, "{name}: {report}");
            let warnings = report.warnings.len();
            assert!(
                err.to_string().ends_with(&format!(
                    ": {errors} error(s), {warnings} warning(s); nothing was written"
                )),
                "{err}"
            );
            checked += 1;
        }
        assert!(checked >= 20, "{checked}");
        // a warning refuses only under --strict
        let strict = Options {
            strict: true,
            partial: true,
            ..Options::default()
        };
        for (name, warnings) in [("sex_ratio_warning.csv", 1), ("names_shifted.csv", 3)] {
            let file = corpus(name);
            let op = publish(&store, &catalog, p("2025-Q3"), &file, &strict);
            let err = assert_refused_unchanged(&store, name, op).await;
            assert!(
                err.to_string().contains(&format!(
                    "0 error(s), {warnings} warning(s) (--strict: warnings count as errors)"
                )),
                "{err}"
            );
        }
        // no version covers 2018: refused before reading units
        let err = validate(
            &store,
            &catalog,
            p("2018-12"),
            &corpus("bom.csv"),
            &Options::default(),
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no boundary version covers 2018-12-31 (the end of 2018-12); import one first"
        );
        // a file above --max-table-mb: refused by its size, before it is read
        let small = Options {
            max_table_mb: 0,
            ..Options::default()
        };
        let file = corpus("bom.csv");
        let op = publish(&store, &catalog, p("2025-Q3"), &file, &small);
        let err = assert_refused_unchanged(&store, "bom.csv above 0 MiB", op).await;
        assert_eq!(
            err.to_string(),
            format!(
                "{}: the file is 0.0 MiB, above the 0 MiB limit for a table; nothing was read (raise it with --max-table-mb if the file is right)",
                file.display()
            )
        );
    }
}

/// A vn-2025 table published as 2025-06 (a vn-2019 month, whose communes have other codes) is
/// refused with one error naming both versions, not one `unknown_code` per row.
#[tokio::test]
async fn a_table_of_another_version_is_refused_once() {
    let catalog = Catalog::builtin();
    for db in backends().await {
        let store = db.store().await;
        let old = vec![
            unit("01", "Thành phố Hà Nội", Level::Province, None, 0.0),
            unit("00001", "Phường Phúc Xá", Level::Commune, Some("01"), 0.0),
            unit("00002", "Phường Trúc Bạch", Level::Commune, Some("01"), 0.1),
        ];
        let new = vec![
            unit("01", "Thành phố Hà Nội", Level::Province, None, 0.0),
            unit("00004", "Phường Ba Đình", Level::Commune, Some("01"), 0.0),
            unit("00008", "Phường Ngọc Hà", Level::Commune, Some("01"), 0.1),
            unit("00070", "Phường Hoàn Kiếm", Level::Commune, Some("01"), 0.2),
        ];
        let v19 = version("vn-2019", (2019, 4), vec![Level::Province, Level::Commune]);
        let v25 = version("vn-2025", (2025, 7), vec![Level::Province, Level::Commune]);
        store.import_version(&v19, &old, false).await.unwrap();
        store.import_version(&v25, &new, false).await.unwrap();
        let file = corpus("vn2025_table_in_2019_period.csv");
        let opts = Options::default();
        let op = publish(&store, &catalog, p("2025-06"), &file, &opts);
        let err = assert_refused_unchanged(&store, "vn2025_table_in_2019_period.csv", op).await;
        let PublishError::Refused { report, .. } = &err else {
            panic!("{err}");
        };
        assert!(report.warnings.is_empty(), "{report}");
        assert_eq!(report.errors.len(), 1, "{report}");
        assert_eq!(report.errors[0].rule, "period_outside_version");
        assert_eq!(
            report.errors[0].message,
            "the table's codes are units of vn-2025 (from 2025-07-01), not of vn-2019 \
             (2019-04-01 to 2025-06-30), the version in force in 2025-06: 3 of its 3 rows name \
             codes vn-2019 does not have. Publish it under a period of vn-2025, or import the \
             boundaries it was made for"
        );
        // The same file in a vn-2025 month is published.
        let (_, snap) = publish(&store, &catalog, p("2025-07"), &file, &Options::default())
            .await
            .unwrap();
        assert_eq!(snap.version, "vn-2025");
    }
}

#[tokio::test]
async fn validate_flags_abnormal_change_against_previous_period() {
    let catalog = Catalog::builtin();
    let dir = tempfile::tempdir().unwrap();
    for db in backends().await {
        let store = seeded(&db).await;
        let q3 = write(dir.path(), "q3.csv", &good(1000, 10));
        publish(&store, &catalog, p("2025-Q3"), &q3, &Options::default())
            .await
            .unwrap();
        // Q4: 00004 +1 %, 00008 +2 %, 00070 jumps +60 %
        let q4 = write(
            dir.path(),
            "q4.csv",
            "code,population\n00004,1010\n00008,1122\n00070,1920\n",
        );
        let report = validate(&store, &catalog, p("2025-Q4"), &q4, &Options::default())
            .await
            .unwrap();
        assert!(report.errors.is_empty(), "{report}");
        let w: Vec<String> = report
            .warnings
            .iter()
            .map(|i| format!("{} {:?} {}", i.rule, i.line, i.message))
            .collect();
        assert_eq!(
            w,
            [
                "abnormal_change Some(4) population changed by +60.0% since 2025-Q3 (1200 → 1920); the median change of commune units is +2.0%"
            ]
        );
        assert!(
            report
                .notes
                .iter()
                .all(|n| n.rule != "change_check_skipped")
        );
    }
}

#[tokio::test]
async fn aggregate_quarter_sums_flows_and_takes_stocks_at_end() {
    let catalog = Catalog::builtin();
    let dir = tempfile::tempdir().unwrap();
    for db in backends().await {
        let store = seeded(&db).await;
        for (m, pop, births) in [
            ("2025-07", 1000, 10),
            ("2025-08", 1010, 20),
            ("2025-09", 1020, 30),
        ] {
            let f = write(dir.path(), &format!("{m}.csv"), &good(pop, births));
            publish(&store, &catalog, p(m), &f, &Options::default())
                .await
                .unwrap();
        }
        let snap = aggregate(&store, &catalog, p("2025-Q3")).await.unwrap();
        assert_eq!(snap.source, "aggregate:2025-07,2025-08,2025-09");
        assert_eq!((snap.revision, snap.version.as_str()), (1, "vn-2025"));
        let v = store.values(snap.id).await.unwrap();
        assert_eq!(v["00004"]["population"], 1020);
        assert_eq!(v["00004"]["births"], 10 + 20 + 30);
        assert_eq!(v["01"]["population"], 1020 + 1120 + 1220);
        assert_eq!(
            v["01"]["births"],
            (10 + 11 + 12) + (20 + 21 + 22) + (30 + 31 + 32)
        );
        // derived ratios come from the sums: sex ratio of the province at quarter end
        let sr = catalog.derived("sex_ratio").unwrap();
        let males = v["01"]["males"] as f64;
        let females = v["01"]["females"] as f64;
        let got = sr
            .evaluate(|k| v["01"].get(k).map(|x| *x as f64), 3)
            .unwrap();
        assert_eq!(got.value, (males / females * 1000.0).round() / 10.0);
        // a missing month refuses
        let err = aggregate(&store, &catalog, p("2025-Q4")).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot aggregate 2025-Q4: month(s) 2025-10, 2025-11, 2025-12 not published"
        );
    }
}

#[tokio::test]
async fn aggregate_year_across_versions_needs_crosswalk() {
    let catalog = Catalog::builtin();
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::sqlite();
    let store = seeded(&db).await;
    for m in 1..=12 {
        let m = format!("2025-{m:02}");
        let f = write(dir.path(), &format!("{m}.csv"), &good(1000, 10));
        let (r, _) = publish(&store, &catalog, p(&m), &f, &Options::default())
            .await
            .unwrap();
        assert_eq!(
            r.version,
            if m.as_str() < "2025-07" {
                "vn-2019"
            } else {
                "vn-2025"
            }
        );
    }
    let op = aggregate(&store, &catalog, p("2025"));
    let err = assert_refused_unchanged(&store, "aggregate 2025", op).await;
    assert_eq!(
        err.to_string(),
        "cannot aggregate 2025: its months span vn-2019 and vn-2025; needs the crosswalk between vn-2019 and vn-2025 (not built yet)"
    );
}

/// Scale check (run with `--ignored --nocapture`): 34 provinces × 300 wards, all 17 base
/// indicators, validated and published on SQLite; prints the timings.
#[tokio::test]
#[ignore = "timing run; prints figures"]
async fn publish_10k_communes_timing() {
    let catalog = Catalog::builtin();
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::sqlite();
    let store = db.store().await;
    let mut units = Vec::new();
    let ids: Vec<&str> = catalog.base_ids_except_ages().collect();
    let mut csv = format!("code,{}\n", ids.join(","));
    let mut national = 0i64;
    for pr in 0..34 {
        let pc = format!("{:02}", pr + 1);
        units.push(unit(&pc, &pc, Level::Province, None, 0.0));
        for c in 0..300 {
            let cc = format!("{:05}", pr * 300 + c + 1);
            units.push(unit(&cc, &cc, Level::Commune, Some(&pc), 0.0));
            let pop = 5000 + (pr * 300 + c) as i64 % 7000;
            national += pop;
            let m = pop / 2;
            let cells: Vec<String> = ids
                .iter()
                .map(|id| match *id {
                    "population" => pop,
                    "males" => m,
                    "females" => pop - m,
                    "births" => 10,
                    "births_male" => 5,
                    "births_female" => 5,
                    _ => 1,
                })
                .map(|v| v.to_string())
                .collect();
            csv.push_str(&format!("{cc},{}\n", cells.join(",")));
        }
    }
    let v = version("vn-2025", (2025, 7), vec![Level::Province, Level::Commune]);
    store.import_version(&v, &units, false).await.unwrap();
    let f = write(dir.path(), "big.csv", &csv);
    let t = std::time::Instant::now();
    let report = validate(&store, &catalog, p("2025-Q3"), &f, &Options::default())
        .await
        .unwrap();
    let t_validate = t.elapsed();
    assert!(report.errors.is_empty(), "{report}");
    let t = std::time::Instant::now();
    let (report, snap) = publish(&store, &catalog, p("2025-Q3"), &f, &Options::default())
        .await
        .unwrap();
    let t_publish = t.elapsed();
    assert_eq!(report.totals["population"], national);
    assert_eq!(store.values(snap.id).await.unwrap().len(), units.len());
    eprintln!(
        "10,200 communes × 17 indicators ({} bytes): validate {t_validate:?}, publish {t_publish:?} (SQLite, debug build)",
        csv.len()
    );
}
