//! The country context of a style, from the `context` source (`/tiles/context.json`): the sea
//! (the background), neighbouring countries in a quiet grey with their names, Vietnam's land
//! under the data and its outline over it, and the Hoàng Sa and Trường Sa archipelagos, their
//! islands and names on top at every zoom.

use serde_json::{Value, json};

use crate::routes::palette::{Basemap, StyleConfig};

/// The source id of the context tiles.
pub const SOURCE: &str = "context";

/// The `context` source: the context TileJSON on this server.
pub fn source(base: &str) -> Value {
    json!({"type": "vector", "url": format!("{base}/tiles/context.json")})
}

/// A filter on the geometry type: points (`true`) or polygons.
fn geometry_is(points: bool) -> Value {
    let kinds = if points {
        json!(["Point", "MultiPoint"])
    } else {
        json!(["Polygon", "MultiPolygon"])
    };
    json!(["match", ["geometry-type"], kinds, true, false])
}

/// Under the data: the sea (background), the neighbours' land, Vietnam's land.
pub fn below(cfg: &StyleConfig, b: &Basemap) -> Vec<Value> {
    vec![
        json!({
            "id": "background", "type": "background",
            "paint": {"background-color": cfg.background}
        }),
        json!({
            "id": "context-land", "type": "fill", "source": SOURCE, "source-layer": "land",
            "filter": ["!=", ["get", "iso3"], "VNM"],
            "paint": {"fill-color": b.land, "fill-outline-color": b.land}
        }),
        json!({
            "id": "context-land-vn", "type": "fill", "source": SOURCE, "source-layer": "land",
            "filter": ["==", ["get", "iso3"], "VNM"],
            "paint": {"fill-color": b.land_vn}
        }),
    ]
}

/// Over the data fills: Vietnam's national outline (coast and land borders).
pub fn border(b: &Basemap) -> Value {
    json!({
        "id": "context-border", "type": "line", "source": SOURCE, "source-layer": "land",
        "filter": ["==", ["get", "iso3"], "VNM"],
        "layout": {"line-join": "round"},
        "paint": {
            "line-color": b.border,
            "line-width": ["interpolate", ["linear"], ["zoom"], 3, 0.7, 8, 1.2, 12, 1.6],
        }
    })
}

/// Over the data and its lines: the archipelagos' islands, as shapes and as symbols where the
/// shapes are too small to see.
pub fn islands(b: &Basemap) -> Vec<Value> {
    vec![
        json!({
            "id": "context-island-shape", "type": "fill", "source": SOURCE,
            "source-layer": "island", "filter": geometry_is(false),
            "paint": {"fill-color": b.island, "fill-outline-color": b.island}
        }),
        json!({
            "id": "context-island", "type": "circle", "source": SOURCE,
            "source-layer": "island", "filter": geometry_is(true),
            "paint": {
                "circle-color": b.island,
                "circle-radius": ["interpolate", ["linear"], ["zoom"], 3, 1.5, 6, 2.0, 10, 3.0],
                "circle-stroke-color": b.halo,
                "circle-stroke-width": 0.6,
            }
        }),
    ]
}

/// On top of everything: the neighbours' names (italic, grey), then the archipelagos' names,
/// drawn at every zoom whatever they overlap, and placed before any other label.
pub fn labels(b: &Basemap) -> Vec<Value> {
    let halo = json!({"text-halo-color": b.halo, "text-halo-width": 2, "text-halo-blur": 0.25});
    let paint = |color: &str| {
        let mut p = halo.clone();
        p["text-color"] = json!(color);
        p
    };
    vec![
        json!({
            "id": "context-country-label", "type": "symbol", "source": SOURCE,
            "source-layer": "country_label",
            "layout": {
                "text-field": ["get", "name"],
                "text-font": ["Noto Sans Italic"],
                "text-size": ["interpolate", ["linear"], ["zoom"], 3, 12, 7, 15],
                "text-max-width": 7,
                "text-letter-spacing": 0.05,
            },
            "paint": paint(&b.country_text),
        }),
        json!({
            "id": "context-archipelago-label", "type": "symbol", "source": SOURCE,
            "source-layer": "archipelago_label",
            "layout": {
                "text-field": ["get", "name"],
                "text-font": ["Noto Sans Bold"],
                "text-size": ["interpolate", ["linear"], ["zoom"], 3, 12, 6, 13, 10, 15],
                // One line: a wrapped name ("Quần đảo Hoàng / Sa (Đà Nẵng)") splits the name.
                "text-max-width": 20,
                "text-allow-overlap": true,
                "text-ignore-placement": false,
                // On the light plate of the province names: the island dots round the name
                // would otherwise sit on its letters (OCR read "Hoàng" as "Höàng").
                "icon-image": crate::routes::sprite::PLATE,
                "icon-text-fit": "both",
                "icon-text-fit-padding": [0, 2, 0, 2],
                "icon-allow-overlap": true,
            },
            "paint": paint(&b.archipelago_text),
        }),
    ]
}
