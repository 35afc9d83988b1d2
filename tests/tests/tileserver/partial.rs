//! Partial tables (issue 18): a table that misses communes is refused unless published with
//! `--partial`; then its snapshot is stored incomplete, `latest` stays on the last complete
//! period, and every answer of that period says `incomplete`.

use geodata::Catalog;
use popmap_tests::TestDb;
use serde_json::Value;

use crate::common;

/// Publishes `csv` (written to a temporary file) for `period` with `partial`.
async fn publish(
    store: &geodata::Store,
    period: &str,
    csv: &str,
    partial: bool,
) -> Result<(etl::report::Report, geodata::Snapshot), etl::publish::PublishError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{period}.csv"));
    std::fs::write(&path, csv).unwrap();
    let opts = etl::publish::Options {
        partial,
        ..Default::default()
    };
    etl::publish::publish(
        store,
        &Catalog::builtin(),
        period.parse().unwrap(),
        &path,
        &opts,
    )
    .await
}

async fn check(db: TestDb) {
    let store = db.store().await;
    store
        .import_version(&common::vn_2025(), &common::hanoi_two_communes(), false)
        .await
        .unwrap();
    let both = "code,name,population\n00004,Phường Ba Đình,1000\n00008,Phường Ngọc Hà,2000\n";
    let one = "code,name,population\n00004,Phường Ba Đình,1100\n";
    let (_, october) = publish(&store, "2025-10", both, false).await.unwrap();
    assert!(october.complete);

    // One ward of two: refused, nothing written.
    let op = publish(&store, "2025-11", one, false);
    let err = popmap_tests::assert_refused_unchanged(&store, "one ward of two", op).await;
    let etl::publish::PublishError::Refused { report, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(report.errors[0].rule, "incomplete_table", "{report}");
    assert!(
        report.errors[0]
            .message
            .contains("missing 00008 Phường Ngọc Hà"),
        "{report}"
    );

    // With --partial: stored incomplete.
    let (report, november) = publish(&store, "2025-11", one, true).await.unwrap();
    assert!(!report.complete && !november.complete);
    assert_eq!(
        report
            .notes
            .iter()
            .filter(|n| n.rule == "partial_table")
            .count(),
        1
    );

    let state = common::state(store.clone(), tileserver::ServerConfig::default()).await;
    let addr = common::spawn(state).await;
    let periods = common::ok_json(addr, "/api/v1/periods").await;
    let by = |p: &str| {
        periods
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["period"] == p)
            .unwrap()
            .clone()
    };
    assert_eq!(by("2025-11")["incomplete"], true);
    assert!(by("2025-10").get("incomplete").is_none());

    // `latest` stays on October; November is served by name, marked incomplete.
    let latest = common::ok_json(
        addr,
        "/api/v1/map/values?level=province&indicators=population",
    )
    .await;
    assert_eq!(latest["period"], "2025-10");
    assert!(latest.get("incomplete").is_none());
    assert_eq!(latest["values"]["population"][0], 3000.0);
    let nov: Value = common::ok_json(
        addr,
        "/api/v1/map/values?period=2025-11&level=province&indicators=population",
    )
    .await;
    assert_eq!(nov["incomplete"], true);
    assert_eq!(nov["values"]["population"][0], 1100.0);
    let table = common::ok_json(addr, "/api/v1/values?period=2025-11&level=province").await;
    assert_eq!(table["incomplete"], true);
    assert_eq!(table["items"][0]["values"]["population"], 1100);
}

#[tokio::test]
async fn partial_tables_are_refused_or_stored_incomplete_and_latest_stays_on_sqlite() {
    check(TestDb::sqlite()).await;
}

#[tokio::test]
async fn partial_tables_are_refused_or_stored_incomplete_and_latest_stays_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    check(db).await;
}
