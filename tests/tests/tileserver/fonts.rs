//! Map fonts over real TCP: the glyph ranges the Vietnamese labels need, decoded with prost
//! from messages declared here (not the server's), ETag and 304, immutable caching, gzip, the
//! JSON errors, and the font files with their names checked so no path leaves the folder.
//!
//! The fonts are those the web map's build copies into `web-map/dist/fonts` (`make web`;
//! `scripts/test.sh` builds the web map before the cargo suites).

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use popmap_tests::TestDb;
use prost::Message;
use serde_json::Value;

use crate::common::{self, get, header};

/// The glyph protobuf as MapLibre GL reads it (`glyphs.proto`, proto2).
#[derive(Clone, PartialEq, prost::Message)]
struct Glyph {
    #[prost(uint32, required, tag = "1")]
    id: u32,
    #[prost(bytes = "vec", optional, tag = "2")]
    bitmap: Option<Vec<u8>>,
    #[prost(uint32, required, tag = "3")]
    width: u32,
    #[prost(uint32, required, tag = "4")]
    height: u32,
    #[prost(sint32, required, tag = "5")]
    left: i32,
    #[prost(sint32, required, tag = "6")]
    top: i32,
    #[prost(uint32, required, tag = "7")]
    advance: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Fontstack {
    #[prost(string, required, tag = "1")]
    name: String,
    #[prost(string, required, tag = "2")]
    range: String,
    #[prost(message, repeated, tag = "3")]
    glyphs: Vec<Glyph>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Glyphs {
    #[prost(message, repeated, tag = "1")]
    stacks: Vec<Fontstack>,
}

/// Labels the map draws, with the letters Vietnamese needs beyond Latin-1.
const LABELS: &str = "Hà Nội Đà Nẵng Hoàng Sa Trường Sa ẫ ệ ỗ ữ Đ đ Ơ ơ Ư ư Ă ă";
/// The four ranges those labels and combining marks fall in.
const RANGES: [&str; 4] = ["0-255", "256-511", "768-1023", "7680-7935"];
const FONTS: [&str; 3] = [
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSans-Italic.ttf",
];

fn built_fonts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web-map/dist/fonts")
}

/// A server whose web folder holds the built fonts under `fonts/`, and a `secret.ttf` beside
/// that folder that no URL may reach.
async fn server() -> (SocketAddr, tempfile::TempDir, TestDb) {
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(web.path().join("fonts")).unwrap();
    for f in FONTS {
        let from = built_fonts().join(f);
        std::fs::copy(&from, web.path().join("fonts").join(f))
            .unwrap_or_else(|e| panic!("{}: {e} (build the web map: make web)", from.display()));
    }
    std::fs::write(web.path().join("fonts/OFL.txt"), "license").unwrap();
    std::fs::write(web.path().join("secret.ttf"), "outside the fonts folder").unwrap();
    let db = TestDb::sqlite();
    let config = tileserver::ServerConfig {
        poll: None,
        web_dir: Some(web.path().to_path_buf()),
        ..Default::default()
    };
    let addr = common::spawn(common::state(db.store().await, config).await).await;
    (addr, web, db)
}

async fn decode(addr: SocketAddr, path: &str) -> Fontstack {
    let r = get(addr, path, "").await;
    assert_eq!(
        r.status,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        header(&r, "content-type"),
        "application/x-protobuf",
        "{path}"
    );
    let mut msg = Glyphs::decode(&r.body[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(msg.stacks.len(), 1, "{path}");
    msg.stacks.remove(0)
}

#[tokio::test]
async fn glyph_ranges_cover_the_vietnamese_labels_in_every_style() {
    let (addr, _web, _db) = server().await;
    for style in ["Regular", "Bold", "Italic"] {
        let name = format!("Noto Sans {style}");
        let mut glyphs = Vec::new();
        for range in RANGES {
            // MapLibre names the whole `text-font` list; the first font served answers.
            let path =
                format!("/fonts/Noto%20Sans%20{style},Arial%20Unicode%20MS%20Regular/{range}.pbf");
            let stack = decode(addr, &path).await;
            assert_eq!(
                (stack.name.as_str(), stack.range.as_str()),
                (name.as_str(), range)
            );
            glyphs.extend(stack.glyphs);
        }
        let wanted = LABELS
            .chars()
            .chain(['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}']);
        for c in wanted.chain('\u{1EA0}'..='\u{1EF9}') {
            let g = glyphs
                .iter()
                .find(|g| g.id == u32::from(c))
                .unwrap_or_else(|| panic!("{name}: no glyph for {c:?} (U+{:04X})", u32::from(c)));
            let bitmap = g.bitmap.as_deref().unwrap_or_default();
            assert_eq!(
                bitmap.len(),
                ((g.width + 6) * (g.height + 6)) as usize,
                "{name} {c:?}"
            );
            if c != ' ' {
                assert!(g.width > 0 && g.height > 0, "{name} {c:?}: {g:?}");
                // Some pixel lies inside the outline (the SDF edge is at 192).
                assert!(bitmap.iter().any(|&v| v > 192), "{name} {c:?}");
                assert!(bitmap.iter().any(|&v| v < 192), "{name} {c:?}");
            }
        }
        // Spacing letters advance the pen; the precomposed ones as far as their base letter.
        let adv = |c: char| {
            glyphs
                .iter()
                .find(|g| g.id == u32::from(c))
                .unwrap()
                .advance
        };
        assert!(adv('a') > 0 && adv('ẫ') == adv('a'), "{name}");
        assert_eq!(adv('\u{0301}'), 0, "{name}: combining marks take no room");
    }
}

#[tokio::test]
async fn glyphs_are_immutable_conditional_and_gzip_coded() {
    let (addr, _web, _db) = server().await;
    let path = "/fonts/Noto%20Sans%20Regular/7680-7935.pbf";
    let r = get(addr, path, "").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        header(&r, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&r, "vary"), "accept-encoding");
    let etag = header(&r, "etag").to_string();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let again = get(addr, path, &format!("If-None-Match: {etag}\r\n")).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(header(&again, "etag"), etag);
    assert!(header(&again, "cache-control").contains("immutable"));

    let gz = get(addr, path, "Accept-Encoding: gzip\r\n").await;
    assert_eq!(gz.status, 200);
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    assert!(gz.body.len() < r.body.len());
    assert_ne!(
        header(&gz, "etag"),
        etag,
        "each coding has its own strong ETag"
    );
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!(raw, r.body);
    let gz_tag = header(&gz, "etag").to_string();
    let again = get(
        addr,
        path,
        &format!("Accept-Encoding: gzip\r\nIf-None-Match: {gz_tag}\r\n"),
    )
    .await;
    assert_eq!(again.status, 304);

    // A range with no glyph in the font is still a valid, empty answer.
    let stack = decode(addr, "/fonts/Noto%20Sans%20Bold/57344-57599.pbf").await;
    assert_eq!(
        (stack.name.as_str(), stack.range.as_str()),
        ("Noto Sans Bold", "57344-57599")
    );
    assert!(stack.glyphs.is_empty());
}

#[tokio::test]
async fn unknown_fonts_bad_ranges_and_stray_paths_are_json_errors() {
    let (addr, _web, _db) = server().await;
    for (path, status, error) in [
        ("/fonts/Open%20Sans%20Regular/0-255.pbf", 404, "not_found"),
        (
            "/fonts/Open%20Sans%20Regular,Arial/0-255.pbf",
            404,
            "not_found",
        ),
        ("/fonts/noto%20sans%20regular/0-255.pbf", 404, "not_found"),
        ("/fonts/Noto%20Sans%20Regular/0-256.pbf", 400, "bad_request"),
        ("/fonts/Noto%20Sans%20Regular/1-256.pbf", 400, "bad_request"),
        ("/fonts/Noto%20Sans%20Regular/abc.pbf", 400, "bad_request"),
        (
            "/fonts/Noto%20Sans%20Regular/1114112-1114367.pbf",
            400,
            "bad_request",
        ),
        ("/fonts/Noto%20Sans%20Regular/0-255.png", 404, "not_found"),
        ("/fonts/Noto%20Sans%20Regular/0-255", 404, "not_found"),
    ] {
        let (got, body) = common::get_json(addr, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"], error, "{path}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{path}"
        );
    }
    let (_, body) = common::get_json(addr, "/fonts/Noto%20Sans%20Regular/0-256.pbf").await;
    assert_eq!(body["details"]["parameter"], "range");
}

#[tokio::test]
async fn font_files_are_served_and_no_path_leaves_the_folder() {
    let (addr, web, _db) = server().await;
    for f in FONTS {
        let r = get(addr, &format!("/fonts/{f}"), "").await;
        assert_eq!(r.status, 200, "{f}");
        assert_eq!(header(&r, "content-type"), "font/ttf");
        assert!(header(&r, "cache-control").contains("immutable"));
        assert_eq!(
            r.body,
            std::fs::read(web.path().join("fonts").join(f)).unwrap()
        );
        let etag = header(&r, "etag").to_string();
        let again = get(
            addr,
            &format!("/fonts/{f}"),
            &format!("If-None-Match: {etag}\r\n"),
        )
        .await;
        assert_eq!(again.status, 304, "{f}");
        let gz = get(addr, &format!("/fonts/{f}"), "Accept-Encoding: gzip\r\n").await;
        assert_eq!(header(&gz, "content-encoding"), "gzip");
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&gz.body[..])
            .read_to_end(&mut raw)
            .unwrap();
        assert_eq!(raw, r.body);
    }
    for path in [
        "/fonts/..%2Fsecret.ttf",
        "/fonts/%2E%2E%2Fsecret.ttf",
        "/fonts/..%5Csecret.ttf",
        "/fonts/secret.ttf",
        "/fonts/.hidden.ttf",
        "/fonts/OFL.txt",
        "/fonts/NotoSans-Regular.TTF",
        "/fonts/NotoSans-Regular.ttf%00.txt",
        "/fonts/..",
    ] {
        let r = get(addr, path, "").await;
        assert_eq!(r.status, 404, "{path}");
        let body: Value =
            serde_json::from_slice(&r.body).unwrap_or_else(|_| panic!("{path}: not JSON"));
        assert_eq!(body["error"], "not_found", "{path}");
        assert!(!String::from_utf8_lossy(&r.body).contains("outside the fonts folder"));
    }
}

/// The sprite the styles' province plates and the web map's hatch use: both pixel ratios, the
/// index names `plate` with its stretch areas inside the image and `hatch`, both inside the
/// decoded PNG, and answers are immutable with an ETag; other names are JSON 404s.
#[tokio::test]
async fn the_label_plate_sprite_is_served_at_both_pixel_ratios() {
    let (addr, _web, _db) = server().await;
    for (suffix, ratio) in [("", 1u64), ("@2x", 2)] {
        let (status, index) =
            common::get_json(addr, &format!("/sprites/popmap{suffix}.json")).await;
        assert_eq!(status, 200);
        let plate = &index["plate"];
        assert_eq!(plate["pixelRatio"].as_u64(), Some(ratio));
        let (w, h) = (
            plate["width"].as_u64().unwrap(),
            plate["height"].as_u64().unwrap(),
        );
        for area in [&plate["stretchX"][0], &plate["stretchY"][0]] {
            let (a, b) = (area[0].as_u64().unwrap(), area[1].as_u64().unwrap());
            assert!(a < b && b <= w.min(h), "{area}");
        }
        let png = get(addr, &format!("/sprites/popmap{suffix}.png"), "").await;
        assert_eq!(png.status, 200);
        assert_eq!(header(&png, "content-type"), "image/png");
        assert!(header(&png, "cache-control").contains("immutable"));
        let dec = png::Decoder::new(std::io::Cursor::new(png.body.clone()));
        let info = dec.read_info().expect("the sprite PNG decodes");
        let sheet = (u64::from(info.info().width), u64::from(info.info().height));
        // Every image (the plate and the unstable values' hatch) lies inside the sheet.
        for name in ["plate", "hatch"] {
            let img = &index[name];
            assert_eq!(img["pixelRatio"].as_u64(), Some(ratio), "{name}");
            let x = img["x"].as_u64().unwrap() + img["width"].as_u64().unwrap();
            let y = img["y"].as_u64().unwrap() + img["height"].as_u64().unwrap();
            assert!(
                x <= sheet.0 && y <= sheet.1,
                "{name} inside the {sheet:?} sheet"
            );
        }
        assert_eq!(sheet.1, h);
        let etag = header(&png, "etag").to_string();
        let again = get(
            addr,
            &format!("/sprites/popmap{suffix}.png"),
            &format!("If-None-Match: {etag}\r\n"),
        )
        .await;
        assert_eq!(again.status, 304);
    }
    let (status, err) = common::get_json(addr, "/sprites/other.png").await;
    assert_eq!(status, 404);
    assert_eq!(err["error"], "not_found");
}
