//! `GET /api/v1/units?q=` finds what people type, over real TCP on SQLite and PostgreSQL: a
//! store of real unit names and codes in both boundary versions (Bình Dương, Bà Rịa - Vũng
//! Tàu merged into Thành phố Hồ Chí Minh in 2025) with a stored crosswalk between them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use geodata::{BoundaryVersion, Crosswalk, Level, Part, Store, Unit};
use popmap_tests::TestDb;
use serde_json::Value;

use crate::common::fixture::{serve, unlimited};
use crate::common::{get_json, rect, unit, vn_2025};

/// One unit of the fixture, its box placed by its index (geometry is not under test).
fn u(i: usize, code: &str, name: &str, level: Level, parent: Option<&str>) -> Unit {
    let x = 104.0 + i as f64 * 0.1;
    unit(code, name, level, parent, rect(x, 10.0, x + 0.1, 10.1))
}

fn units_2019() -> Vec<Unit> {
    use Level::*;
    [
        ("01", "Thành phố Hà Nội", Province, None),
        ("001", "Quận Ba Đình", District, Some("01")),
        ("00004", "Phường Phúc Xá", Commune, Some("001")),
        ("74", "Tỉnh Bình Dương", Province, None),
        ("718", "Thành phố Thủ Dầu Một", District, Some("74")),
        ("25747", "Phường Phú Cường", Commune, Some("718")),
        ("25750", "Phường Hiệp Thành", Commune, Some("718")),
        ("75", "Tỉnh Đồng Nai", Province, None),
        ("731", "Thành phố Biên Hòa", District, Some("75")),
        ("26068", "Phường Quyết Thắng", Commune, Some("731")),
        ("77", "Tỉnh Bà Rịa - Vũng Tàu", Province, None),
        ("747", "Thành phố Vũng Tàu", District, Some("77")),
        ("26506", "Phường 1", Commune, Some("747")),
        ("79", "Thành phố Hồ Chí Minh", Province, None),
        ("760", "Quận 1", District, Some("79")),
        ("26734", "Phường Tân Định", Commune, Some("760")),
    ]
    .iter()
    .enumerate()
    .map(|(i, (c, n, l, p))| u(i, c, n, *l, *p))
    .collect()
}

fn units_2025() -> Vec<Unit> {
    use Level::*;
    [
        ("01", "Thành phố Hà Nội", Province, None),
        ("00004", "Phường Ba Đình", Commune, Some("01")),
        ("75", "Tỉnh Đồng Nai", Province, None),
        ("26068", "Phường Biên Hòa", Commune, Some("75")),
        ("79", "Thành phố Hồ Chí Minh", Province, None),
        ("25747", "Phường Thủ Dầu Một", Commune, Some("79")),
        ("25760", "Phường Bình Dương", Commune, Some("79")),
        ("26506", "Phường Vũng Tàu", Commune, Some("79")),
        ("26734", "Phường Sài Gòn", Commune, Some("79")),
    ]
    .iter()
    .enumerate()
    .map(|(i, (c, n, l, p))| u(i, c, n, *l, *p))
    .collect()
}

/// Both versions and the crosswalk: every commune whole into its namesake code, except
/// Phường Hiệp Thành, split a quarter into Thủ Dầu Một and the rest into Bình Dương.
async fn populate(store: &Store) {
    let v2019 = BoundaryVersion {
        id: "vn-2019".into(),
        valid_from: NaiveDate::from_ymd_opt(2019, 1, 1).unwrap(),
        valid_to: None,
        levels: vec![Level::Province, Level::District, Level::Commune],
    };
    store
        .import_version(&v2019, &units_2019(), false)
        .await
        .unwrap();
    store
        .import_version(&vn_2025(), &units_2025(), false)
        .await
        .unwrap();
    let part = |code: &str, share: f64| Part {
        new_code: code.into(),
        share,
        exact: share == 1.0,
    };
    let mut rows = BTreeMap::new();
    for code in ["00004", "25747", "26068", "26506", "26734"] {
        rows.insert(code.to_string(), vec![part(code, 1.0)]);
    }
    rows.insert(
        "25750".to_string(),
        vec![part("25747", 0.25), part("25760", 0.75)],
    );
    let new: BTreeSet<String> = units_2025()
        .into_iter()
        .filter(|u| u.level == Level::Commune)
        .map(|u| u.code)
        .collect();
    let cw = Crosswalk::new("vn-2019", "vn-2025", rows, &new).unwrap();
    store
        .save_crosswalk(&cw, "test", 0, &BTreeMap::new())
        .await
        .unwrap();
}

/// The items of `GET /api/v1/units?{query}` (200 asserted).
async fn items(addr: std::net::SocketAddr, query: &str) -> Vec<Value> {
    let (status, body) = get_json(addr, &format!("/api/v1/units?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body["items"].as_array().unwrap().clone()
}

/// (code, version) of each item.
fn found(items: &[Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|i| (text(&i["code"]), text(&i["version"])))
        .collect()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

async fn check_search(store: Store) {
    populate(&store).await;
    let addr = serve(store, unlimited()).await;
    let q = |s: &str| s.replace(' ', "%20");

    // What people type for a province finds it first, on the newest version by default.
    for (typed, code) in [
        ("hanoi", "01"),
        ("ha noi", "01"),
        ("Hà Nội", "01"),
        ("tp hcm", "79"),
        ("TP.HCM", "79"),
        ("tphcm", "79"),
        ("hcm", "79"),
        ("sai gon", "79"),
        ("Sài Gòn", "79"),
        ("dong nai", "75"),
        ("tinh dong nai", "75"),
    ] {
        let got = items(addr, &format!("q={}", q(typed))).await;
        assert_eq!(
            found(&got).first(),
            Some(&(code.to_string(), "vn-2025".to_string())),
            "{typed}: {got:?}"
        );
        assert!(got[0].get("now_part_of").is_none(), "{typed}");
    }
    // The ward named Sài Gòn comes after the city (same exact match, lower level).
    let got = items(addr, "q=sai%20gon").await;
    assert_eq!(text(&got[1]["name"]), "Phường Sài Gòn");
    // A type word that does not fit excludes: no Tỉnh is named Hồ Chí Minh.
    assert!(items(addr, "q=tinh%20ho%20chi%20minh").await.is_empty());

    // The real type from the name, and the parent's name.
    let hn = items(addr, "q=thanh%20pho%20ha%20noi").await;
    assert_eq!(hn[0]["type"]["vi"], "Thành phố");
    assert_eq!(hn[0]["type"]["en"], "City");
    let bh = items(addr, "q=phuong%20bien%20hoa").await;
    assert_eq!(found(&bh), [("26068".into(), "vn-2025".into())]);
    assert_eq!(bh[0]["type"]["vi"], "Phường");
    assert_eq!(bh[0]["type"]["en"], "Ward");
    assert_eq!(bh[0]["parent_name"], "Tỉnh Đồng Nai");
    let dn = items(addr, "q=dong%20nai").await;
    assert_eq!(
        (dn[0]["type"]["vi"].clone(), dn[0]["type"]["en"].clone()),
        ("Tỉnh".into(), "Province".into())
    );

    // Bình Dương is a ward of the newest version only; with versions=all the 2019 province
    // comes first, now part of Thành phố Hồ Chí Minh.
    let now = items(addr, "q=B%C3%ACnh%20D%C6%B0%C6%A1ng").await;
    assert_eq!(found(&now), [("25760".into(), "vn-2025".into())]);
    let all = items(addr, "q=B%C3%ACnh%20D%C6%B0%C6%A1ng&versions=all").await;
    assert_eq!(
        found(&all),
        [
            ("74".into(), "vn-2019".into()),
            ("25760".into(), "vn-2025".into())
        ]
    );
    assert_eq!(all[0]["type"]["vi"], "Tỉnh");
    let part = &all[0]["now_part_of"];
    assert_eq!(part.as_array().unwrap().len(), 1, "{part}");
    assert_eq!(part[0]["code"], "79");
    assert_eq!(part[0]["name"], "Thành phố Hồ Chí Minh");
    assert_eq!(part[0]["version"], "vn-2025");
    assert_eq!(part[0]["share"], 1.0);
    assert!(all[1].get("now_part_of").is_none());
    let typed = items(addr, "q=tinh%20binh%20duong&versions=all").await;
    assert_eq!(found(&typed), [("74".into(), "vn-2019".into())]);
    let brvt = items(addr, "q=brvt&versions=all").await;
    assert_eq!(found(&brvt), [("77".into(), "vn-2019".into())]);
    assert_eq!(brvt[0]["now_part_of"][0]["code"], "79");

    // A 2019 district is now in a province (vn-2025 has no districts); a split commune in
    // two wards, the larger share first, as the crosswalk stores them.
    let tdm = items(addr, "q=thanh%20pho%20thu%20dau%20mot&versions=all").await;
    assert_eq!(found(&tdm), [("718".into(), "vn-2019".into())]);
    assert_eq!(tdm[0]["now_part_of"][0]["code"], "79");
    let ht = items(addr, "q=hiep%20thanh&versions=all").await;
    let parts: Vec<(String, f64)> = ht[0]["now_part_of"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (text(&p["code"]), p["share"].as_f64().unwrap()))
        .collect();
    assert_eq!(parts, [("25760".into(), 0.75), ("25747".into(), 0.25)]);

    // Ranking: exact, then prefix, then substring ("phuong 1" is exact for Phường 1 only).
    let p1 = items(addr, "q=phuong%201&versions=all").await;
    assert_eq!(text(&p1[0]["name"]), "Phường 1");
    for typed in ["q%201", "Q1", "q.1"] {
        let q1 = items(addr, &format!("q={typed}&versions=all")).await;
        assert_eq!(found(&q1)[0], ("760".into(), "vn-2019".into()), "{typed}");
    }

    // within = descendants (of every depth), parent = children only.
    let w = items(addr, "within=74&versions=all").await;
    assert_eq!(
        found(&w)
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>(),
        ["718", "25747", "25750"]
    );
    let p = items(addr, "parent=74&versions=all").await;
    assert_eq!(found(&p), [("718".into(), "vn-2019".into())]);
    let w = items(addr, "q=phuong&within=79").await;
    assert_eq!(w.len(), 4, "{w:?}");
    assert!(w.iter().all(|i| i["parent_code"] == "79"));

    // Nothing found is an empty list, not an error; bad parameters are 400 with JSON.
    let (status, body) = get_json(addr, "/api/v1/units?q=zzzz&versions=all").await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 0);
    assert_eq!(body["items"], Value::Array(vec![]));
    for bad in ["versions=some", "versions=all&version=vn-2025"] {
        let (status, body) = get_json(addr, &format!("/api/v1/units?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["details"]["parameter"], "versions", "{body}");
    }
}

#[tokio::test]
async fn search_on_sqlite() {
    let db = TestDb::sqlite();
    check_search(db.store().await).await;
}

#[tokio::test]
async fn search_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    check_search(db.store().await).await;
}
