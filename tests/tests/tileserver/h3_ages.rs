//! Age groups on the H3 grid over real TCP, on SQLite and PostgreSQL (issue 19: "on H3 cells",
//! item 3's cell pyramid): `/api/v1/h3/{period}/{cell}/pyramid` gives the age grid's counts
//! (checked against `Grid::apply` + `protect` run here), its groups sum to the cell's sexes in
//! the cell API, a cell finer than r7 gets its r7 parent's pyramid, a suppressed cell shows its
//! population only, a period without ages is a 404 naming the one with them; `ages=1` tiles
//! carry the age indicators (never the groups) and the cell API gives them; CSV, ETag and the
//! age grid's own cache in `/metrics`.

use std::collections::BTreeMap;

use geodata::{Catalog, Grid, NewSnapshot, Store, ValueRow, protect};
use geozero::mvt::{Message, Tile};
use h3o::{CellIndex, Resolution};
use popmap_tests::TestDb;
use serde_json::Value;
use tileserver::state::tilecache::age_grid_ids;

use crate::common;
use crate::common::get;
use crate::common::two_versions::tile_of;

const GROUPS: [&str; 17] = [
    "0_4", "5_9", "10_14", "15_19", "20_24", "25_29", "30_34", "35_39", "40_44", "45_49", "50_54",
    "55_59", "60_64", "65_69", "70_74", "75_79", "80p",
];

/// `total` split over the 17 groups with a pyramid's shape (weights 40, 38, …), exactly.
fn shape(total: i64) -> Vec<i64> {
    let w: Vec<i64> = (0..17).map(|i| 40 - 2 * i).collect();
    let sum: i64 = w.iter().sum();
    let mut out: Vec<i64> = w.iter().map(|x| total * x / sum).collect();
    out[0] += total - out.iter().sum::<i64>();
    out
}

/// A unit's rows: totals, sexes and (with `ages`) the 34 groups and women 15–49 as their sum.
fn unit_rows(code: &str, pop: i64, males: i64, ages: bool, reported: bool) -> Vec<ValueRow> {
    let row = |ind: String, value: i64| ValueRow {
        unit_code: code.into(),
        indicator: ind,
        value,
        reported,
    };
    let mut out = vec![
        row("population".into(), pop),
        row("males".into(), males),
        row("females".into(), pop - males),
        row("births".into(), pop / 100),
    ];
    if ages {
        let (m, f) = (shape(males), shape(pop - males));
        for (i, g) in GROUPS.iter().enumerate() {
            out.push(row(format!("males_{g}"), m[i]));
            out.push(row(format!("females_{g}"), f[i]));
        }
        out.push(row("women_15_49".into(), f[3..10].iter().sum()));
    }
    out
}

async fn publish(store: &Store, period: &str, ages: bool) {
    let mut values = Vec::new();
    // 00004 is sparse (a few people per r7 cell: suppressed), 00008 dense.
    for (code, pop, males, reported) in
        [("00004", 300, 149, true), ("00008", 200_000, 99_000, true)]
    {
        values.extend(unit_rows(code, pop, males, ages, reported));
    }
    // The province: the communes' sums, group by group.
    let mut province: BTreeMap<String, i64> = BTreeMap::new();
    for v in &values {
        *province.entry(v.indicator.clone()).or_default() += v.value;
    }
    values.extend(province.into_iter().map(|(indicator, value)| ValueRow {
        unit_code: "01".into(),
        indicator,
        value,
        reported: false,
    }));
    store
        .publish(&NewSnapshot {
            period: period.parse().unwrap(),
            version: "vn-2025".into(),
            source: format!("{period}.csv"),
            checksum: "00".into(),
            report_json: "{}".into(),
            complete: true,
            values,
        })
        .await
        .unwrap();
}

async fn json(addr: std::net::SocketAddr, path: &str) -> (u16, Value) {
    let r = get(addr, path, "").await;
    let v = serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&r.body)));
    (r.status, v)
}

/// The age grid as the server should make it, made here from the stored values.
async fn expected_grid(store: &Store) -> Grid {
    let catalog = Catalog::builtin();
    let rules = geodata::DisclosureRules::default();
    let snap = store
        .latest_snapshot(&"2025-12".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let values = store.values(snap.id).await.unwrap();
    let (_, op) = store.operator("vn-2025").await.unwrap().unwrap();
    let mut grid = Grid::apply(&op, &values, &age_grid_ids(&catalog, &rules)).unwrap();
    protect(&mut grid, &rules);
    grid
}

async fn check(store: Store) {
    let version = common::vn_2025();
    store
        .import_version(&version, &common::hanoi_two_communes(), false)
        .await
        .unwrap();
    publish(&store, "2025-10", false).await;
    publish(&store, "2025-12", true).await;
    etl::h3::build_and_store(
        &store,
        "vn-2025",
        Resolution::Eight,
        &etl::h3::Weights::Area,
        indicatif::ProgressBar::hidden(),
    )
    .await
    .unwrap();
    let addr = common::fixture::serve(store.clone(), common::fixture::unlimited()).await;
    let grid = expected_grid(&store).await;
    let r7 = grid.level(Resolution::Seven).expect("r7");
    let col = |id: &str| grid.column(id).unwrap();
    let kept: Vec<usize> = (0..r7.len())
        .filter(|&i| !r7.suppressed[i] && r7.row(i)[col("population")] > 0)
        .collect();
    let hidden: Vec<usize> = (0..r7.len())
        .filter(|&i| r7.suppressed[i] && r7.row(i)[col("population")] > 0)
        .collect();
    assert!(kept.len() >= 3 && !hidden.is_empty(), "{kept:?} {hidden:?}");

    // Every kept r7 cell: the pyramid is the grid's counts, and its groups sum to the sexes
    // of the cell API (the default grid).
    let mut populous = 0;
    for &i in &kept {
        let cell = r7.cells[i];
        let (status, p) = json(addr, &format!("/api/v1/h3/2025-12/{cell}/pyramid")).await;
        assert_eq!(status, 200, "{p}");
        assert_eq!(p["cell"], cell.to_string());
        assert_eq!(p["resolution"], 7);
        assert_eq!(p["suppressed"], false);
        assert_eq!(p["period"]["words_vi"], "Tháng 12/2025");
        let groups = p["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 17);
        for (g, id) in groups.iter().zip(GROUPS) {
            let row = r7.row(i);
            assert_eq!(g["males"], i64::from(row[col(&format!("males_{id}"))]));
            assert_eq!(g["females"], i64::from(row[col(&format!("females_{id}"))]));
        }
        let sum = |sex: &str| groups.iter().map(|g| g[sex].as_i64().unwrap()).sum::<i64>();
        let (status, c) = json(addr, &format!("/api/v1/h3/2025-12/{cell}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            sum("males"),
            c["values"]["males"].as_i64().unwrap(),
            "{cell}"
        );
        assert_eq!(sum("females"), c["values"]["females"].as_i64().unwrap());
        assert_eq!(p["totals"]["population"], c["values"]["population"]);
        assert_eq!(p["population"], c["values"]["population"]);
        assert!(c["values"]["median_age"].as_f64().unwrap() > 0.0, "{c}");
        // Unstable flags read the groups summed (a named sum is not a grid column).
        if c["values"]["population"].as_i64().unwrap() > 1000 {
            populous += 1;
            let unstable = c["flags"]["unstable"].as_array().unwrap();
            assert!(!unstable.iter().any(|u| u == "dependency_old"), "{c}");
        }
        assert!(p["outline"]["national"]["groups"].as_array().unwrap().len() == 17);
    }

    assert!(populous > 0, "no cell above 1,000 people");

    // A finer cell: its r7 parent's pyramid.
    let parent = r7.cells[kept[0]];
    let child: CellIndex = parent.children(Resolution::Eight).next().unwrap();
    let (status, p) = json(addr, &format!("/api/v1/h3/2025-12/{child}/pyramid")).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (p["cell"].as_str(), p["asked"].as_str()),
        (
            Some(parent.to_string().as_str()),
            Some(child.to_string().as_str())
        )
    );

    // A suppressed cell: its population, no groups.
    let cell = r7.cells[hidden[0]];
    let (status, p) = json(addr, &format!("/api/v1/h3/2025-12/{cell}/pyramid")).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["suppressed"], true);
    assert_eq!(p["groups"], serde_json::json!([]));
    assert_eq!(p["totals"], Value::Null);
    assert_eq!(
        p["population"],
        i64::from(r7.row(hidden[0])[col("population")])
    );
    let (_, c) = json(addr, &format!("/api/v1/h3/2025-12/{cell}")).await;
    assert!(c["values"].get("median_age").is_none(), "{c}");

    // A period without ages: 404 naming the one with them; the bad requests are 400s.
    let cell = r7.cells[kept[0]];
    let (status, e) = json(addr, &format!("/api/v1/h3/2025-10/{cell}/pyramid")).await;
    assert_eq!(status, 404);
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("2025-12") && msg.contains("Tháng 12/2025"),
        "{msg}"
    );
    let (status, _) = json(addr, "/api/v1/h3/2025-12/nothex/pyramid").await;
    assert_eq!(status, 400);
    let (status, _) = json(addr, &format!("/api/v1/h3/2025-12/{cell}/pyramid?x=1")).await;
    assert_eq!(status, 400);
    let (_, c) = json(addr, &format!("/api/v1/h3/2025-10/{cell}")).await;
    assert!(c["values"].get("median_age").is_none(), "{c}");

    // CSV and ETag.
    let r = get(
        addr,
        &format!("/api/v1/h3/2025-12/{cell}/pyramid?format=csv"),
        "",
    )
    .await;
    assert_eq!(r.status, 200);
    let text = String::from_utf8_lossy(&r.body);
    assert_eq!(text.lines().count(), 18, "{text}");
    assert!(
        text.trim_start_matches('\u{feff}')
            .starts_with("cell,resolution,period")
    );
    let r = get(addr, &format!("/api/v1/h3/2025-12/{cell}/pyramid"), "").await;
    let etag = r
        .headers
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .expect("etag")
        .trim()
        .to_string();
    let r = get(
        addr,
        &format!("/api/v1/h3/2025-12/{cell}/pyramid"),
        &format!("If-None-Match: {etag}\r\n"),
    )
    .await;
    assert_eq!(r.status, 304);

    // `ages=1` tiles: the age indicators on r7 cells (z11), never the groups; 404 without ages.
    let (x, y) = tile_of(105.95, 21.1, 11);
    let r = get(
        addr,
        &format!("/tiles/h3/2025-12/11/{x}/{y}.mvt?ages=1"),
        "",
    )
    .await;
    assert_eq!(r.status, 200);
    let t = Tile::decode(&r.body[..]).unwrap();
    let layer = &t.layers[0];
    assert!(
        layer.keys.iter().any(|k| k == "median_age"),
        "{:?}",
        layer.keys
    );
    assert!(
        !layer.keys.iter().any(|k| k.starts_with("males_")),
        "{:?}",
        layer.keys
    );
    let r = get(addr, &format!("/tiles/h3/2025-12/11/{x}/{y}.mvt"), "").await;
    let t = Tile::decode(&r.body[..]).unwrap();
    assert!(!t.layers[0].keys.iter().any(|k| k == "median_age"));
    let r = get(
        addr,
        &format!("/tiles/h3/2025-10/11/{x}/{y}.mvt?ages=1"),
        "",
    )
    .await;
    assert_eq!(r.status, 404);
    let r = get(
        addr,
        &format!("/tiles/h3/2025-12/11/{x}/{y}.mvt?ages=2"),
        "",
    )
    .await;
    assert_eq!(r.status, 400);
    let (status, tj) = json(addr, "/tiles/h3/2025-12.json?ages=1").await;
    assert_eq!(status, 200);
    assert!(tj["tiles"][0].as_str().unwrap().ends_with(".mvt?ages=1"));
    let fields = tj["vector_layers"][0]["fields"].as_object().unwrap();
    assert!(fields.contains_key("median_age") && !fields.contains_key("males_0_4"));
    assert!(!fields.contains_key("births"), "the age grid has no births");

    // The map offers the age indicators on H3; the age grid has its own cache.
    let (_, inds) = json(addr, "/api/v1/map/indicators").await;
    let median = inds["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "median_age")
        .unwrap();
    assert_eq!(
        (median["h3"].as_bool(), median["ages"].as_bool()),
        (Some(true), Some(true))
    );
    let admin = common::admin_bearer(&store).await;
    let r = get(addr, "/metrics", &admin).await;
    let text = String::from_utf8_lossy(&r.body);
    let bytes: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("popmap_cache_bytes{cache=\"h3_age_grids\"} "))
        .expect("h3_age_grids in /metrics")
        .parse()
        .unwrap();
    assert!(bytes > 0, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cell_pyramids_and_age_tiles_on_both_backends() {
    check(TestDb::sqlite().store().await).await;
    if let Some(pg) = TestDb::postgres().await {
        check(pg.store().await).await;
    }
}
