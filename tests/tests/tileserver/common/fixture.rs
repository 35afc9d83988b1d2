//! A small published store for the API tests: two boundary versions (vn-2019 with districts,
//! vn-2025 without), three monthly periods, a second revision of 2025-08, public and restricted
//! indicators, province values summed from their communes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use geodata::{BoundaryVersion, Level, Store, Unit};
use geodata::{NewSnapshot, ValueRow};

use super::{hanoi_two_communes, rect, unit};

/// vn-2025: provinces 01 and 79, two communes each.
pub fn units_2025() -> Vec<Unit> {
    let mut units = hanoi_two_communes();
    units.extend([
        unit(
            "79",
            "Hồ Chí Minh",
            Level::Province,
            None,
            rect(106.6, 10.7, 106.8, 10.9),
        ),
        unit(
            "26734",
            "Phường Sài Gòn",
            Level::Commune,
            Some("79"),
            rect(106.6, 10.7, 106.7, 10.9),
        ),
        unit(
            "26740",
            "Phường Bến Thành",
            Level::Commune,
            Some("79"),
            rect(106.7, 10.7, 106.8, 10.9),
        ),
    ]);
    units
}

/// vn-2019: province 01, district 001, commune 00004.
pub fn units_2019() -> Vec<Unit> {
    vec![
        unit(
            "01",
            "Thành phố Hà Nội",
            Level::Province,
            None,
            rect(105.8, 21.0, 105.9, 21.2),
        ),
        unit(
            "001",
            "Quận Ba Đình",
            Level::District,
            Some("01"),
            rect(105.8, 21.0, 105.9, 21.2),
        ),
        unit(
            "00004",
            "Phường Phúc Xá",
            Level::Commune,
            Some("001"),
            rect(105.8, 21.0, 105.9, 21.2),
        ),
    ]
}

/// Commune counts: population, males, births, births_male, divorces, women_15_49,
/// women_15_49_contraception; `k` scales them per period.
fn commune_counts(code: &str, k: i64) -> BTreeMap<&'static str, i64> {
    let base: i64 = code.parse::<i64>().unwrap() % 97 + 10;
    let pop = 1000 * base + 10 * k;
    let births = base + k;
    BTreeMap::from([
        ("population", pop),
        ("males", pop / 2 - base),
        ("females", pop - (pop / 2 - base)),
        ("births", births),
        ("births_male", births / 2 + 1),
        ("births_female", births - (births / 2 + 1)),
        ("divorces", 3 + k),
        ("women_15_49", pop / 4),
        ("women_15_49_contraception", pop / 7),
    ])
}

/// Value rows of `units` (communes from `commune_counts`, others summed from their
/// descendants).
pub fn rows(units: &[Unit], k: i64) -> Vec<ValueRow> {
    let parent: BTreeMap<&str, Option<&str>> = units
        .iter()
        .map(|u| (u.code.as_str(), u.parent_code.as_deref()))
        .collect();
    let mut table: BTreeMap<String, BTreeMap<&str, i64>> = BTreeMap::new();
    for u in units.iter().filter(|u| u.level == Level::Commune) {
        for (ind, v) in commune_counts(&u.code, k) {
            let mut cur = Some(u.code.as_str());
            while let Some(c) = cur {
                *table
                    .entry(c.to_string())
                    .or_default()
                    .entry(ind)
                    .or_default() += v;
                cur = parent[c];
            }
        }
    }
    table
        .into_iter()
        .flat_map(|(code, vals)| {
            let reported = units
                .iter()
                .any(|u| u.code == code && u.level == Level::Commune);
            vals.into_iter().map(move |(ind, v)| ValueRow {
                unit_code: code.clone(),
                indicator: ind.into(),
                value: v,
                reported,
            })
        })
        .collect()
}

/// Imports both versions and publishes 2025-06 (vn-2019), 2025-07, 2025-08 r1 and r2 (vn-2025).
pub async fn populate(store: &Store) {
    let v2019 = BoundaryVersion {
        id: "vn-2019".into(),
        valid_from: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::District, Level::Commune],
    };
    let v2025 = BoundaryVersion {
        id: "vn-2025".into(),
        valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::Commune],
    };
    store
        .import_version(&v2019, &units_2019(), false)
        .await
        .unwrap();
    store
        .import_version(&v2025, &units_2025(), false)
        .await
        .unwrap();
    for (period, version, units, k) in [
        ("2025-06", "vn-2019", units_2019(), 0),
        ("2025-07", "vn-2025", units_2025(), 1),
        ("2025-08", "vn-2025", units_2025(), 2),
        ("2025-08", "vn-2025", units_2025(), 3),
    ] {
        store
            .publish(&NewSnapshot {
                period: period.parse().unwrap(),
                version: version.into(),
                source: format!("{period}.csv"),
                checksum: "00".into(),
                report_json: "{}".into(),
                complete: true,
                values: rows(&units, k),
            })
            .await
            .unwrap();
    }
}

/// Serves `store` on a free port (with client addresses, so per-address limits apply).
pub async fn serve(store: Store, config: tileserver::ServerConfig) -> std::net::SocketAddr {
    super::spawn(super::state(store, config).await).await
}

/// No rate limits (the tests send many requests from one address).
pub fn unlimited() -> tileserver::ServerConfig {
    let off = tileserver::state::config::RateLimit {
        per_second: 0,
        burst: 0,
    };
    tileserver::ServerConfig {
        rate_per_ip: off,
        rate_per_key: off,
        ..Default::default()
    }
}
