//! The web map's server side over real TCP: map values for feature-state joins, classes,
//! styles, the pages and assets with ETag and CSP, and the status page at /status.

use geodata::Level;
use geodata::{NewSnapshot, ValueRow};
use geozero::mvt::Message;
use popmap_tests::TestDb;
use serde_json::Value;

use crate::common;
use crate::common::{get, header};

async fn json(addr: std::net::SocketAddr, path: &str) -> Value {
    let r = get(addr, path, "").await;
    assert_eq!(
        r.status,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    serde_json::from_slice(&r.body).unwrap()
}

#[tokio::test]
async fn map_values_classes_styles_and_pages() {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let version = common::vn_2025();
    let unit = common::unit;
    // Four communes of one province; commune 00010 reports nothing.
    let mut units = vec![unit(
        "01",
        "Hà Nội",
        Level::Province,
        None,
        common::rect(105.0, 21.0, 105.4, 21.1),
    )];
    for (i, code) in ["00001", "00004", "00007", "00010"].iter().enumerate() {
        let x = 105.0 + 0.1 * i as f64;
        units.push(unit(
            code,
            &format!("Phường {i}"),
            Level::Commune,
            Some("01"),
            common::rect(x, 21.0, x + 0.1, 21.1),
        ));
    }
    store.import_version(&version, &units, false).await.unwrap();
    let mut values = Vec::new();
    let pops = [("00001", 1000), ("00004", 4000), ("00007", 9000)];
    for (code, pop) in pops {
        for (ind, v) in [
            ("population", pop),
            ("males", pop / 2),
            ("females", pop / 2),
        ] {
            values.push(ValueRow {
                unit_code: code.into(),
                indicator: ind.into(),
                value: v,
                reported: true,
            });
        }
    }
    values.push(ValueRow {
        unit_code: "01".into(),
        indicator: "population".into(),
        value: 14000,
        reported: false,
    });
    store
        .publish(&NewSnapshot {
            period: "2025-10".parse().unwrap(),
            version: "vn-2025".into(),
            source: "test.csv".into(),
            checksum: "00".into(),
            report_json: "{}".into(),
            complete: true,
            values,
        })
        .await
        .unwrap();

    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(web.path().join("assets")).unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><p>map").unwrap();
    std::fs::write(web.path().join("embed.html"), "<!doctype html><p>embed").unwrap();
    std::fs::write(web.path().join("print.html"), "<!doctype html><p>print").unwrap();
    std::fs::write(web.path().join("assets/main.js"), "export const x = 1;").unwrap();
    std::fs::write(
        web.path().join("assets/help.html"),
        "<!doctype html><p>help",
    )
    .unwrap();
    let config = tileserver::ServerConfig {
        synthetic: true,
        poll: None,
        frame_ancestors: tileserver::CorsOrigins::parse("https://portal.example.gov.vn").unwrap(),
        web_dir: Some(web.path().to_path_buf()),
        ..Default::default()
    };
    let addr = common::spawn(common::state(store.clone(), config).await).await;

    // Map values: codes in order, feature ids as in the tiles, derived values recomputed.
    let v = json(
        addr,
        "/api/v1/map/values?period=2025-10&level=commune&indicators=population,density&bbox=1",
    )
    .await;
    assert_eq!(v["revision"], 1);
    assert_eq!(v["version"], "vn-2025");
    assert_eq!(v["synthetic"], true);
    assert_eq!(
        v["codes"],
        serde_json::json!(["00001", "00004", "00007", "00010"])
    );
    let fid = geodata::feature_id(Level::Commune, "00004").unwrap();
    assert_eq!(v["ids"][1], fid);
    assert_eq!(v["parents"][0], "01");
    assert_eq!(
        v["values"]["population"],
        serde_json::json!([1000.0, 4000.0, 9000.0, null])
    );
    let area = units[2].area_km2;
    let density = v["values"]["density"][1].as_f64().unwrap();
    // Rounded to the catalog's decimals for density.
    assert!((density - 4000.0 / area).abs() < 0.06, "{density}");
    let bbox: Vec<f64> = serde_json::from_value(v["bbox"][0].clone()).unwrap();
    assert!(
        (bbox[0] - 105.0).abs() < 1e-3 && (bbox[3] - 21.1).abs() < 1e-3,
        "{bbox:?}"
    );

    // Errors: client input never yields 500.
    for (path, status) in [
        ("/api/v1/map/values?level=commune&indicators=cpr", 401),
        ("/api/v1/map/values?level=commune&indicators=nope", 400),
        ("/api/v1/map/values?level=district", 400),
        ("/api/v1/map/values?level=hamlet", 400),
        ("/api/v1/map/values?period=2024-01", 404),
        ("/api/v1/map/values?period=20x", 400),
        ("/api/v1/map/values?bogus=1", 400),
        ("/api/v1/classes?level=commune", 400),
        // Restricted indicators are never classified or styled for the map (no value leaks
        // through class breaks).
        ("/api/v1/classes?indicator=cpr&level=commune", 401),
        ("/styles/cpr.json", 401),
        ("/api/v1/classes?indicator=density&k=1", 400),
        ("/api/v1/classes?indicator=population&method=fixed", 400),
        ("/styles/nope.json", 404),
        ("/styles/population-density.json?join=x", 400),
        ("/assets/../index.html", 404),
        ("/assets/.hidden", 404),
        ("/assets/none.js", 404),
    ] {
        assert_eq!(get(addr, path, "").await.status, status, "{path}");
    }

    // Classes: counts add up, no-data counted, ETag revalidates, revision URLs are immutable.
    let c = json(
        addr,
        "/api/v1/classes?indicator=population&level=commune&method=quantile&k=3",
    )
    .await;
    // Three communes in three classes would make a top class of one value (9 000 – 9 000):
    // it is merged, and the note says so (issue 15).
    assert_eq!(c["thresholds"], serde_json::json!([4000.0]));
    assert_eq!(c["notes"][0]["code"], "merged");
    let counts: Vec<u64> = c["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [1, 2]);
    assert_eq!(c["no_data"]["count"], 1);
    assert_eq!(c["classes"][0]["color"], "#deebf7");
    // SRB's fixed breaks stay offered; its default is readable quantiles (issue 15).
    let srb = json(addr, "/api/v1/classes?indicator=srb&level=province").await;
    assert_eq!(srb["method"], "quantile");
    let srb = json(
        addr,
        "/api/v1/classes?indicator=srb&level=province&method=fixed",
    )
    .await;
    assert_eq!(srb["method"], "fixed");
    assert_eq!(srb["normal"], serde_json::json!([103.0, 107.0]));
    assert_eq!(srb["no_data"]["count"], 1);
    let path = "/api/v1/classes?indicator=population&level=commune&period=2025-10@r1";
    let r = get(addr, path, "").await;
    assert!(header(&r, "cache-control").contains("immutable"));
    let etag = header(&r, "etag").to_string();
    let again = get(addr, path, &format!("If-None-Match: {etag}\r\n")).await;
    assert_eq!(again.status, 304);

    // Styles: sources on this server, one fill layer per level with the server's classes.
    let s = json(addr, "/styles/population-density.json").await;
    assert_eq!(s["version"], 8);
    assert_eq!(
        s["sources"]["popmap"]["url"],
        "http://t/tiles/admin/2025-10@r1.json?fields=density"
    );
    // Admin tiles are compact by default: the style's TileJSON asks for the property the fills
    // colour by, in its tile URL, so any MapLibre page given the style gets the values.
    let tj = json(addr, "/tiles/admin/2025-10@r1.json?fields=density").await;
    let tiles = tj["tiles"][0].as_str().unwrap();
    assert_eq!(
        tiles,
        "http://t/tiles/admin/2025-10@r1/{z}/{x}/{y}.mvt?fields=density"
    );
    assert!(tj["vector_layers"][1]["fields"]["density_unstable"].is_string());
    let t = popmap_tests::tile_of(105.15, 21.05, 9);
    let path = tiles
        .trim_start_matches("http://t")
        .replace("{z}", "9")
        .replace("{x}", &t.x.to_string())
        .replace("{y}", &t.y.to_string());
    let r = get(addr, &path, "").await;
    assert_eq!(r.status, 200, "{path}");
    let mvt = geozero::mvt::Tile::decode(&r.body[..]).unwrap();
    let communes = mvt.layers.iter().find(|l| l.name == "commune").unwrap();
    let keys: std::collections::BTreeSet<&str> = communes
        .features
        .iter()
        .flat_map(|f| {
            f.tags
                .chunks(2)
                .map(|kv| communes.keys[kv[0] as usize].as_str())
        })
        .collect();
    assert!(
        keys.contains("density") && !keys.contains("population"),
        "{keys:?}"
    );
    let fills: Vec<&str> = s["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["type"] == "fill" && l["source"] == "popmap")
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(fills, ["province-fill", "commune-fill"]);
    // Context under and over the data, province borders over the communes, names on top.
    let ids: Vec<&str> = s["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "background",
            "context-land",
            "context-land-vn",
            "province-fill",
            "commune-fill",
            "province-line",
            "commune-line",
            "context-border",
            "province-outline",
            "context-island-shape",
            "context-island",
            "province-label",
            "commune-label",
            "context-country-label",
            "context-archipelago-label",
        ]
    );
    assert_eq!(s["glyphs"], "http://t/fonts/{fontstack}/{range}.pbf");
    assert_eq!(
        s["sources"]["context"]["url"],
        "http://t/tiles/context.json"
    );
    assert_eq!(
        s["metadata"]["popmap:classes"]["commune"]["method"],
        "quantile"
    );
    let st = json(addr, "/styles/sex-ratio.json?join=state").await;
    assert_eq!(
        st["sources"]["popmap"]["url"],
        "http://t/tiles/boundaries/vn-2025.json"
    );
    let layer = |doc: &serde_json::Value, id: &str| {
        doc["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no layer {id}"))
    };
    let fill = &layer(&st, "province-fill")["paint"]["fill-color"];
    assert_eq!(layer(&st, "commune-hover")["source-layer"], "commune");
    // ["case", ["==", ["typeof", <input>], "number"], <step or one colour>, <no data>]: one
    // province's quantile classes are a single colour, so read the input from the typeof test.
    assert_eq!(fill[1][1][1], serde_json::json!(["feature-state", "v"]));
    assert_eq!(
        json(addr, "/styles/cbr.json").await["metadata"]["popmap:indicator"],
        "cbr"
    );
    let index = json(addr, "/styles/index.json").await;
    assert!(index.as_array().unwrap().len() >= 6);

    // Pages: CSP frame-ancestors per page, ETag and 304; the status page moved to /status.
    let page = get(addr, "/", "").await;
    assert_eq!(page.status, 200);
    // `/` may be framed where `/embed` may (it then shows a link to the embed, frame.js).
    assert!(
        header(&page, "content-security-policy")
            .ends_with("frame-ancestors 'self' https://portal.example.gov.vn")
    );
    let embed = get(addr, "/embed", "").await;
    assert!(
        header(&embed, "content-security-policy")
            .ends_with("frame-ancestors 'self' https://portal.example.gov.vn")
    );
    // The print page a portal links to: same-origin CSP, framed by the map's own pages only.
    let print = get(addr, "/print?ind=density&paper=a4&format=pdf", "").await;
    assert_eq!(print.status, 200);
    assert!(header(&print, "content-security-policy").ends_with("frame-ancestors 'self'"));
    assert!(String::from_utf8_lossy(&print.body).contains("print"));
    let js = get(addr, "/assets/main.js", "").await;
    assert_eq!(js.status, 200);
    assert!(header(&js, "content-type").starts_with("text/javascript"));
    let tag = header(&js, "etag").to_string();
    let js2 = get(
        addr,
        "/assets/main.js",
        &format!("If-None-Match: {tag}\r\n"),
    )
    .await;
    assert_eq!(js2.status, 304);
    // Scripts carry no page policy; an HTML file among the assets is a page and does.
    assert!(!js.headers.contains("content-security-policy"));
    let help = get(addr, "/assets/help.html", "").await;
    assert_eq!(help.status, 200);
    assert!(header(&help, "content-security-policy").ends_with("frame-ancestors 'self'"));
    // One unit's full geometry (embeds frame a unit with it), on the period's version.
    let g = json(addr, "/api/v1/units/01/geometry?period=latest").await;
    assert_eq!(g["type"], "Feature");
    assert_eq!(g["properties"]["name"], "Hà Nội");
    assert_eq!(g["properties"]["version"], "vn-2025");
    assert_eq!(g["geometry"]["type"], "MultiPolygon");
    let b: Vec<f64> = serde_json::from_value(g["bbox"].clone()).unwrap();
    assert!(
        (b[0] - 105.0).abs() < 1e-9 && (b[3] - 21.1).abs() < 1e-9,
        "{b:?}"
    );
    let v = json(addr, "/api/v1/units/00004/geometry?version=vn-2025").await;
    assert_eq!(v["properties"]["parent_code"], "01");
    for (path, status) in [
        ("/api/v1/units/99/geometry", 404),
        ("/api/v1/units/01/geometry?version=vn-1990", 400),
        ("/api/v1/units/01/geometry?period=bad", 400),
        ("/api/v1/units/01/geometry?zoom=3", 400),
    ] {
        let r = get(addr, path, "").await;
        assert_eq!(r.status, status, "{path}");
        let e: Value = serde_json::from_slice(&r.body).unwrap();
        assert!(
            e["error"].is_string() && e["message"].is_string(),
            "{path}: {e}"
        );
    }
    let status = get(addr, "/status", "").await;
    assert!(String::from_utf8_lossy(&status.body).contains("vn-2025"));
    assert!(
        status
            .headers
            .contains("content-security-policy: default-src 'self'; script-src 'self';"),
        "{}",
        status.headers
    );
    let ind = json(addr, "/api/v1/map/indicators").await;
    let ids: Vec<&str> = ind["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"density") && !ids.contains(&"cpr"), "{ids:?}");
}
