//! Downloads a planner can open (issue 16), on the real demo (34 provinces and 3,321 communes
//! of vn-2025, 10,040 communes of vn-2019): every CSV of the API starts with a UTF-8 BOM unless
//! `bom=0`; a level's download holds every unit with its parent, every public indicator (a
//! restricted one only with a key), and the period, revision, boundary version and
//! harmonisation; `parent=` keeps one unit's descendants; the .xlsx opens in openpyxl and the
//! CSV in Python's csv module (tests/python/xlsx_check.py, through `POPMAP_PYTHON`).

use std::process::Command;
use std::time::Instant;

use etl::publish::Options;
use geodata::{Catalog, Period};
use serde_json::Value;

use crate::common::{self, get, ok};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The demo with 2025-06 (vn-2019) and 2026-09 (vn-2025) published and the crosswalk built,
/// served (synthetic, no rate limits) with a user key.
async fn serve_demo() -> (std::net::SocketAddr, String, popmap_tests::DemoStore) {
    let demo = popmap_tests::DemoStore::boundaries().await;
    let catalog = Catalog::builtin();
    for m in ["2025-06", "2026-09"] {
        let period: Period = m.parse().unwrap();
        let path = demo.path(&format!("tables/{m}.csv"));
        etl::publish::publish(&demo.store, &catalog, period, &path, &Options::default())
            .await
            .unwrap();
    }
    etl::crosswalk::build_and_store(
        &demo.store,
        "vn-2019",
        "vn-2025",
        Some(&demo.inputs.join("mapping-2025.csv")),
    )
    .await
    .unwrap();
    let (secret, hash) = tileserver::state::access::new_key();
    demo.store.create_key("test", false, &hash).await.unwrap();
    let config = tileserver::ServerConfig {
        synthetic: true,
        ..common::fixture::unlimited()
    };
    let addr = common::fixture::serve(demo.store.clone(), config).await;
    (addr, secret, demo)
}

/// What tests/python/xlsx_check.py reports of `bytes` read as `kind` (`xlsx` or `csv`), or
/// `None` when `POPMAP_PYTHON` is not set.
fn python_check(kind: &str, bytes: &[u8]) -> Option<Value> {
    let Ok(python) = std::env::var("POPMAP_PYTHON") else {
        eprintln!("skipped the Python reading: POPMAP_PYTHON is not set (scripts/test.sh sets it)");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("download.{kind}"));
    std::fs::write(&file, bytes).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/xlsx_check.py");
    let out = Command::new(python)
        .arg(script)
        .arg(kind)
        .arg(&file)
        .output()
        .expect("running POPMAP_PYTHON");
    assert!(
        out.status.success(),
        "xlsx_check.py {kind}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("xlsx_check.py prints JSON"))
}

/// The CSV body (after its BOM) as a header and rows of cells.
fn csv_rows(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = body
        .strip_prefix(BOM)
        .expect("the CSV starts with a UTF-8 BOM");
    let mut rd = csv::Reader::from_reader(body);
    let head = rd.headers().unwrap().iter().map(String::from).collect();
    let rows = rd
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (head, rows)
}

const UNIT_COLUMNS: [&str; 6] = [
    "code",
    "name",
    "level",
    "parent_code",
    "parent_name",
    "area_km2",
];
const META_COLUMNS: [&str; 5] = [
    "period",
    "revision",
    "boundary_version",
    "harmonised",
    "harmonised_from",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_open_in_excel_python_and_gis() {
    let (addr, key, _demo) = serve_demo().await;
    let catalog = Catalog::builtin();
    // 2026-09 has no age report: its file leaves out the age groups and the age indicators.
    let public: Vec<String> = catalog
        .base
        .iter()
        .filter(|b| b.access == geodata::Access::Public && !b.is_age_group())
        .map(|b| b.id.clone())
        .chain(
            catalog
                .derived
                .iter()
                .filter(|d| d.access == geodata::Access::Public && !catalog.reads_ages(d))
                .map(|d| d.id.clone()),
        )
        .collect();

    // Every commune of the newest month, with its province, every public indicator, what the
    // file is; a BOM first.
    let r = ok(addr, "/api/v1/download/latest/commune.csv", "").await;
    assert!(r.body.starts_with(BOM));
    assert!(r.headers.contains("content-type: text/csv; charset=utf-8"));
    assert!(
        common::header(&r, "content-disposition").contains("popmap-2026-09-r1-commune.csv"),
        "{}",
        r.headers
    );
    let (head, rows) = csv_rows(&r.body);
    let want: Vec<String> = UNIT_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .chain(public.iter().cloned())
        .chain(META_COLUMNS.iter().map(|s| s.to_string()))
        .collect();
    assert_eq!(head, want);
    assert_eq!(rows.len(), 3_321);
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let hanoi_commune = rows.iter().find(|r| r[0] == "00004").unwrap();
    assert_eq!(hanoi_commune[1], "Phường Ba Đình");
    assert_eq!(hanoi_commune[col("parent_code")], "01");
    assert_eq!(hanoi_commune[col("parent_name")], "Thành phố Hà Nội");
    assert_eq!(hanoi_commune[col("population")], "64603");
    for r in &rows {
        assert_eq!(r[col("period")], "2026-09");
        assert_eq!(r[col("revision")], "1");
        assert_eq!(r[col("boundary_version")], "vn-2025");
        assert_eq!(r[col("harmonised")], "false");
        assert_eq!(r[col("harmonised_from")], "");
        assert!(!r[col("parent_name")].is_empty(), "{r:?}");
    }
    // A restricted indicator only with a key.
    assert!(!head.contains(&"divorces".to_string()));
    let keyed = ok(
        addr,
        "/api/v1/download/latest/commune.csv",
        &format!("Authorization: Bearer {key}\r\n"),
    )
    .await;
    assert!(csv_rows(&keyed.body).0.contains(&"divorces".to_string()));

    // bom=0: the same bytes without the mark, their own ETag and length.
    let plain = ok(addr, "/api/v1/download/latest/commune.csv?bom=0", "").await;
    assert!(!plain.body.starts_with(BOM));
    assert_eq!(&r.body[3..], &plain.body[..]);
    assert_ne!(common::header(&r, "etag"), common::header(&plain, "etag"));
    let len = |x: &common::Resp| common::header(x, "content-length").parse::<usize>().ok();
    assert_eq!(len(&r), Some(r.body.len()));
    assert_eq!(len(&plain), Some(plain.body.len()));
    let etag = common::header(&r, "etag").to_string();
    let again = get(
        addr,
        "/api/v1/download/latest/commune.csv",
        &format!("If-None-Match: {etag}\r\n"),
    )
    .await;
    assert_eq!(again.status, 304);
    // Every CSV of the API has the mark; bom=0 everywhere takes it off; other values are 400.
    for path in [
        "/api/v1/periods?format=csv",
        "/api/v1/values?level=province&format=csv",
        "/api/v1/units/01/series?indicator=population&format=csv",
    ] {
        assert!(ok(addr, path, "").await.body.starts_with(BOM), "{path}");
        let off = ok(addr, &format!("{path}&bom=0"), "").await;
        assert!(!off.body.starts_with(BOM), "{path}");
    }
    let (st, v) = common::get_json(addr, "/api/v1/values?format=csv&bom=yes").await;
    assert_eq!((st, v["details"]["parameter"].as_str()), (400, Some("bom")));

    // Python's csv module with utf-8-sig (what Excel does) reads composed Vietnamese names.
    if let Some(py) = python_check("csv", &r.body) {
        assert_eq!(py["header"][0], "code", "{py}");
        assert_eq!(py["rows"], 3_321);
        assert_eq!(py["names_nfc"], true);
        assert!(
            py["names"]
                .as_array()
                .unwrap()
                .contains(&Value::from("Phường Ba Đình")),
            "{py}"
        );
    }

    parent_filters(addr).await;
    workbook_opens(addr, &public).await;
    // The workbook follows the same access rule: restricted columns only with a key.
    let keyed = ok(
        addr,
        "/api/v1/download/latest/province.xlsx",
        &format!("Authorization: Bearer {key}\r\n"),
    )
    .await;
    if let Some(py) = python_check("xlsx", &keyed.body) {
        let header = py["header"].as_array().unwrap();
        assert!(header.len() > 5 + public.len(), "{header:?}");
        let divorces = &catalog.base("divorces").unwrap().name_vi;
        assert!(
            header
                .iter()
                .any(|h| h.as_str().unwrap().starts_with(divorces.as_str())),
            "{header:?}"
        );
    }
    harmonised_says_so(addr).await;
    geojson_is_full_geometry(addr).await;
    streamed_as_whole(addr).await;
}

/// SHA-256 (hex) of each download below as the server made it whole before downloads were
/// streamed (issue 18): `popmap demo`'s database served by a release build with the
/// whole-body download code (e09356f's) gives these bytes for these periods. (Harmonised files are not pinned: this
/// test's crosswalk is built without the demo's H3 operator, so its values differ.)
const WHOLE: [(&str, &str); 4] = [
    (
        "/api/v1/download/2026-09/commune.csv",
        "2080efe795f7f7a03bf0f79ea1642edadc13320326fb6383e8b4c40750c5adfa",
    ),
    (
        "/api/v1/download/2026-09/commune.geojson",
        "6260de66eb03138f09cf2547169188a83058ecca1f72be0335d0fc2170acef70",
    ),
    (
        "/api/v1/download/2026-09/province.geojson",
        "dd8dbd8df3940af5603b13c45dca7786297a2cd3905594938202b26c513ae6dc",
    ),
    (
        "/api/v1/download/2025-06/district.geojson?parent=01",
        "e59858055a0383fa6fa01a26894e43625081ca3d0604ccb87114dcf2ae80e805",
    ),
];

/// Streamed CSV and GeoJSON downloads are the bytes they were when made whole, with their
/// length, the ETag of those bytes (a 304 for it), and the same bytes once gzip is undone.
async fn streamed_as_whole(addr: std::net::SocketAddr) {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    for (path, want) in WHOLE {
        let r = ok(addr, path, "").await;
        let digest = Sha256::digest(&r.body);
        assert_eq!(hex(&digest), want, "{path}");
        let len = common::header(&r, "content-length");
        assert_eq!(len, r.body.len().to_string(), "{path}");
        let etag = common::header(&r, "etag").to_string();
        assert_eq!(etag, format!("\"{}\"", &want[..32]), "{path}");
        let held = get(addr, path, &format!("If-None-Match: {etag}\r\n")).await;
        assert_eq!((held.status, held.body.len()), (304, 0), "{path}");
        let gz = get(addr, path, "Accept-Encoding: gzip\r\n").await;
        assert_eq!(common::header(&gz, "content-encoding"), "gzip", "{path}");
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz.body[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert!(plain == r.body, "{path}: gzip gives other bytes");
    }
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `parent=`: the descendants of one unit at the file's level; an unknown code or one not
/// above the level is a 400 naming `parent`.
async fn parent_filters(addr: std::net::SocketAddr) {
    let (head, rows) = csv_rows(
        &ok(addr, "/api/v1/download/latest/commune.csv?parent=01", "")
            .await
            .body,
    );
    let p = head.iter().position(|h| h == "parent_code").unwrap();
    assert!(rows.len() > 50 && rows.len() < 500, "{}", rows.len());
    assert!(rows.iter().all(|r| r[p] == "01"));
    for (path, why) in [
        ("/api/v1/download/latest/commune.csv?parent=99", "unknown"),
        (
            "/api/v1/download/latest/commune.csv?parent=00004",
            "same level",
        ),
        (
            "/api/v1/download/latest/province.csv?parent=01",
            "same level",
        ),
    ] {
        let (st, v) = common::get_json(addr, path).await;
        assert_eq!(st, 400, "{why}: {v}");
        assert_eq!(v["details"]["parameter"], "parent", "{v}");
    }
    // vn-2019 keeps its districts: a province's communes are its districts' communes.
    let (head, rows) = csv_rows(
        &ok(addr, "/api/v1/download/2025-06/commune.csv?parent=01", "")
            .await
            .body,
    );
    let p = head.iter().position(|h| h == "parent_code").unwrap();
    assert!(rows.len() > 300, "{}", rows.len());
    assert!(rows.iter().all(|r| r[p].len() == 3), "district parents");
}

/// The .xlsx: a Vietnamese header block, a frozen header row, codes as text, numbers as
/// numbers, every unit; openpyxl opens it.
async fn workbook_opens(addr: std::net::SocketAddr, public: &[String]) {
    let r = ok(addr, "/api/v1/download/latest/commune.xlsx", "").await;
    assert!(r.body.starts_with(b"PK"), "a zip container");
    assert!(r.headers.contains(
        "content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ));
    assert!(common::header(&r, "content-disposition").ends_with(".xlsx\""));
    // The 10,040 communes of vn-2019: the largest workbook the demo serves.
    let t = Instant::now();
    let big = ok(addr, "/api/v1/download/2025-06/commune.xlsx", "").await;
    println!(
        "2025-06 commune.xlsx: {} bytes in {:?} (first request)",
        big.body.len(),
        t.elapsed()
    );
    let Some(py) = python_check("xlsx", &r.body) else {
        return;
    };
    assert_eq!(py["title"], "Số liệu dân số cấp xã, Tháng 9/2026", "{py}");
    assert_eq!(py["title_bold"], true);
    let block = py["block"].to_string();
    for text in [
        "Nguồn: popmap",
        "Dữ liệu minh hoạ tổng hợp",
        "Kỳ số liệu",
        "Tháng 9/2026",
        "Ranh giới hành chính",
        "vn-2025 (áp dụng từ 01/07/2025)",
        "Quy đổi ranh giới",
        "Không",
    ] {
        assert!(block.contains(text), "{text} missing from {block}");
    }
    let header_row = py["header_row"].as_u64().unwrap();
    assert_eq!(py["frozen"], format!("C{}", header_row + 1));
    let header: Vec<&str> = py["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(
        header[..5],
        [
            "Mã",
            "Tên",
            "Mã đơn vị cấp trên",
            "Tên đơn vị cấp trên",
            "Diện tích (km²)"
        ]
    );
    assert_eq!(header.len(), 5 + public.len());
    assert!(header[5].starts_with("Dân số"), "{header:?}");
    assert_eq!(py["rows"], 3_321);
    assert_eq!(py["codes_are_text"], true);
    assert!(
        py["codes"]
            .as_array()
            .unwrap()
            .contains(&Value::from("00004")),
        "leading zeros kept"
    );
    assert_eq!(py["names_nfc"], true);
    let numeric = py["numeric_columns"].as_array().unwrap();
    assert!(numeric[4..].iter().all(|n| n == true), "{numeric:?}");
    assert_eq!(py["first"][0][0], "00004");
    assert_eq!(py["first"][0][1], "Phường Ba Đình");
    assert_eq!(py["first"][0][3], "Thành phố Hà Nội");
    assert_eq!(py["first"][0][5], 64603);
    assert!(py["widths"]["B"].as_f64().unwrap() >= 14.0, "{py}");
    let big = python_check("xlsx", &big.body).unwrap();
    assert_eq!(big["rows"], 10_040);
}

/// `version=`: a vn-2019 month on the vn-2025 communes says it was harmonised, and from what.
async fn harmonised_says_so(addr: std::net::SocketAddr) {
    let r = ok(
        addr,
        "/api/v1/download/2025-06/commune.csv?version=vn-2025",
        "",
    )
    .await;
    let (head, rows) = csv_rows(&r.body);
    assert_eq!(rows.len(), 3_321);
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    assert!(rows.iter().all(|r| r[col("boundary_version")] == "vn-2025"
        && r[col("harmonised")] == "true"
        && r[col("harmonised_from")] == "vn-2019"
        && r[col("period")] == "2025-06"));
    assert!(
        common::header(&r, "content-disposition").contains("-on-vn-2025"),
        "{}",
        r.headers
    );
    let x = ok(
        addr,
        "/api/v1/download/2025-06/province.xlsx?version=vn-2025",
        "",
    )
    .await;
    if let Some(py) = python_check("xlsx", &x.body) {
        assert!(
            py["block"]
                .to_string()
                .contains("Có: số liệu báo cáo theo ranh giới vn-2019")
        );
        assert_eq!(py["rows"], 34);
    }
    let (st, v) =
        common::get_json(addr, "/api/v1/download/2025-06/commune.csv?version=vn-1900").await;
    assert_eq!(
        (st, v["details"]["parameter"].as_str()),
        (400, Some("version"))
    );
}

/// GeoJSON: the stored geometry (not clipped tiles) with the same properties as the CSV.
async fn geojson_is_full_geometry(addr: std::net::SocketAddr) {
    let g: Value = serde_json::from_slice(
        &ok(addr, "/api/v1/download/latest/province.geojson?parent=", "")
            .await
            .body,
    )
    .unwrap();
    let feats = g["features"].as_array().unwrap();
    assert_eq!(feats.len(), 34);
    let p = &feats[0]["properties"];
    for k in UNIT_COLUMNS.iter().chain(&META_COLUMNS) {
        assert!(p.get(*k).is_some(), "{k} missing: {p}");
    }
    assert_eq!(p["harmonised"], false);
    let g: Value = serde_json::from_slice(
        &ok(
            addr,
            "/api/v1/download/latest/commune.geojson?parent=01",
            "",
        )
        .await
        .body,
    )
    .unwrap();
    let feats = g["features"].as_array().unwrap();
    assert!(
        feats
            .iter()
            .all(|f| f["properties"]["parent_code"] == "01"
                && f["geometry"]["type"] == "MultiPolygon")
    );
}
