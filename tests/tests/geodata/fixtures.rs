//! Hand-made units, versions and value rows shared by the store tests.

use chrono::NaiveDate;
use geo_types::{LineString, MultiPolygon, Polygon};
use geodata::{BoundaryVersion, Level, Unit};
use geodata::{NewSnapshot, ValueRow};

/// Runs each named `async fn(TestDb)` as two tests: on SQLite, and on PostgreSQL when
/// `POPMAP_TEST_PG` names a server (skipped with a printed reason otherwise).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(popmap_tests::TestDb::sqlite()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(db) = popmap_tests::TestDb::postgres().await {
                    super::$name(db).await;
                }
            }
        }
    )*};
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
    let ring = LineString::from(vec![
        (x, y),
        (x + size, y),
        (x + size, y + size),
        (x, y + size),
        (x, y),
    ]);
    MultiPolygon(vec![Polygon::new(ring, vec![])])
}

pub fn unit(
    code: &str,
    name: &str,
    level: Level,
    parent: Option<&str>,
    area: f64,
    geom: MultiPolygon<f64>,
) -> Unit {
    Unit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        area_km2: area,
        geometry: geom,
    }
}

pub fn version(id: &str, from: NaiveDate) -> BoundaryVersion {
    BoundaryVersion {
        id: id.into(),
        valid_from: from,
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    }
}

/// Two provinces of two communes each, given out of order on purpose.
pub fn small_units() -> Vec<Unit> {
    vec![
        unit(
            "00007",
            "Phường Ba Đình",
            Level::Commune,
            Some("01"),
            0.1 + 0.2,
            square(105.8, 21.0, 0.01),
        ),
        unit(
            "01",
            "Thành phố Hà Nội",
            Level::Province,
            None,
            3_359.823_456_789_012,
            {
                let mut mp = square(105.8, 21.0, 0.02);
                mp.0.push(square(106.5, 21.5, 0.001).0.remove(0));
                mp
            },
        ),
        unit(
            "00004",
            "Phường Hoàn Kiếm",
            Level::Commune,
            Some("01"),
            1.000_000_000_000_2,
            square(105.81, 21.0, 0.01),
        ),
        unit(
            "79",
            "Thành phố Hồ Chí Minh",
            Level::Province,
            None,
            6772.59,
            square(106.6, 10.7, 0.3),
        ),
        unit(
            "26734",
            "Phường Sài Gòn",
            Level::Commune,
            Some("79"),
            2.5e-3,
            square(106.7, 10.77, 0.01),
        ),
        unit(
            "26737",
            "Xã Cần Giờ",
            Level::Commune,
            Some("79"),
            704.22,
            square(106.8, 10.4, 0.2),
        ),
    ]
}

pub fn sorted(mut units: Vec<Unit>) -> Vec<Unit> {
    units.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    units
}

pub fn row(unit: &str, indicator: &str, value: i64, reported: bool) -> ValueRow {
    ValueRow {
        unit_code: unit.into(),
        indicator: indicator.into(),
        value,
        reported,
    }
}

pub fn new_snapshot(period: &str, version: &str, values: Vec<ValueRow>) -> NewSnapshot {
    NewSnapshot {
        period: period.parse().unwrap(),
        version: version.into(),
        source: format!("{period}.csv"),
        checksum: "ab".repeat(32),
        report_json: format!(r#"{{"period":"{period}","rows":{}}}"#, values.len()),
        complete: true,
        values,
    }
}

/// 1,100 units × 17 indicators = 18,700 rows: more than one INSERT batch on both backends.
pub fn many_values(seed: i64) -> Vec<ValueRow> {
    let mut values = Vec::new();
    for u in 0..1100 {
        for i in 0..17 {
            let value = seed * 1_000_000 + u * 17 + i;
            values.push(row(
                &format!("{u:05}"),
                &format!("ind_{i:02}"),
                value,
                (u + i) % 3 != 0,
            ));
        }
    }
    values
}

/// `dump` with every RFC 3339 timestamp (`"2026-11-23T11:38:30.174003Z"`) replaced by `"<time>"`.
pub fn mask_times(dump: &str) -> String {
    let mut out = String::new();
    let mut rest = dump;
    while let Some(i) = rest.find("Z\"") {
        // `"` + 26 characters (`2026-11-23T11:38:30.174003`) + `Z`.
        let start = i.saturating_sub(27);
        let candidate = &rest.as_bytes()[start..i];
        if i >= 27 && candidate[0] == b'"' && candidate[11] == b'T' && candidate[20] == b'.' {
            out.push_str(&rest[..start]);
            out.push_str("\"<time>");
        } else {
            out.push_str(&rest[..i + 1]);
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}
