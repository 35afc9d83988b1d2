//! The country context tileset: the land around Vietnam, Vietnam's own land, the islands of the
//! Hoàng Sa and Trường Sa archipelagos and their labels, drawn under and over the data layers.
//!
//! The source is `data/vn/context.geojson` (written by `data/vn/extract.py`, see
//! `data/vn/PROVENANCE.md`), compiled into the binary and parsed once, on first use. It is static
//! and the same for every period and boundary version, so its tiles are immutable.
//!
//! | layer               | geometry           | properties                          | zooms |
//! |---------------------|--------------------|-------------------------------------|-------|
//! | `land`              | polygons           | `iso3`, `name`, `name_en`           | all   |
//! | `country_label`     | points             | `iso3`, `name`, `name_en`           | all   |
//! | `island`            | polygons, points   | `group`, `name`, `name_en` (points) | all   |
//! | `archipelago_label` | points             | `group`, `name`, `name_en`          | all   |
//!
//! Polygons (land and island outlines) are generalised per zoom band with shared borders
//! simplified once ([`Generalised`]), so neighbours meet without gaps at every zoom; each island
//! is a unit of its own and so is never dropped, however small. Island points are the documented
//! principal islands of each archipelago, drawn as symbols where the polygons are too small to
//! see. `group` is `hoang_sa` or `truong_sa`. A tile with no feature is an empty `Vec` (204).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use geo::BoundingRect;
use geo_types::{Coord, LineString, MultiPolygon, Polygon, Rect};
use serde::Deserialize;
use serde_json::{Value, json};
use thiserror::Error;

use crate::geometry::generalise::{DEFAULT_BANDS, Generalised};
use crate::geometry::mercator::{EXTENT, tile_size, to_metres};
use crate::tiling::mvt::{LayerBuilder, PropValue, encode_tile};
use crate::tiling::tile::TileId;
use crate::tiling::tileset::{TILE_BUFFER, TileFrame};

/// The context layers, bottom to top.
pub const CONTEXT_LAYERS: [&str; 4] = ["land", "country_label", "island", "archipelago_label"];

/// The context's extent `[west, south, east, north]` in degrees (the box the land is cut to).
pub const CONTEXT_BOUNDS: [f64; 4] = [92.0, 0.0, 125.0, 30.0];

const SOURCE: &str = include_str!("../../../data/vn/context.geojson");

/// Why the context GeoJSON could not be read.
#[derive(Debug, Error)]
pub enum ContextError {
    /// Not the expected GeoJSON.
    #[error("context GeoJSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A feature names an unknown layer or has a geometry its layer does not take.
    #[error("context GeoJSON feature {index}: {message}")]
    Feature {
        /// Position of the feature in the collection.
        index: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: BTreeMap<String, String>,
    geometry: Geometry,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Point([f64; 2]),
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

type Props = Vec<(String, PropValue)>;

/// The parsed, generalised context, ready to cut tiles.
pub struct ContextTiles {
    /// Polygon features: (layer index, properties), in input order; unit `k` of `generalised`.
    shapes: Vec<(usize, Props)>,
    generalised: Generalised,
    /// `boxes[band][k]`: bounding box of shape `k` in that band, metres.
    boxes: Vec<Vec<Option<Rect<f64>>>>,
    /// Point features: (layer index, properties, position in metres).
    points: Vec<(usize, Props, Coord<f64>)>,
}

fn polygon(rings: &[Vec<[f64; 2]>]) -> Option<Polygon<f64>> {
    let ring =
        |r: &Vec<[f64; 2]>| LineString::from(r.iter().map(|&[x, y]| (x, y)).collect::<Vec<_>>());
    let (ext, holes) = rings.split_first()?;
    Some(Polygon::new(ring(ext), holes.iter().map(ring).collect()))
}

impl ContextTiles {
    /// Parses a context GeoJSON (see the module doc) and generalises its polygons.
    pub fn parse(text: &str) -> Result<ContextTiles, ContextError> {
        let fc: Collection = serde_json::from_str(text)?;
        let mut shapes = Vec::new();
        let mut geoms = Vec::new();
        let mut points = Vec::new();
        for (index, f) in fc.features.into_iter().enumerate() {
            let bad = |message: String| ContextError::Feature { index, message };
            let mut props = f.properties;
            let name = props.remove("layer").unwrap_or_default();
            let layer = CONTEXT_LAYERS
                .iter()
                .position(|l| *l == name)
                .ok_or_else(|| bad(format!("unknown layer '{name}'")))?;
            let props: Props = props
                .into_iter()
                .map(|(k, v)| (k, PropValue::String(v)))
                .collect();
            let polygons = match f.geometry {
                Geometry::Point([x, y]) => {
                    let (x, y) = to_metres(x, y);
                    points.push((layer, props, Coord { x, y }));
                    continue;
                }
                Geometry::Polygon(rings) => vec![rings],
                Geometry::MultiPolygon(polys) => polys,
            };
            if !matches!(CONTEXT_LAYERS[layer], "land" | "island") {
                return Err(bad(format!("layer '{name}' takes points only")));
            }
            let mp: Vec<Polygon<f64>> = polygons.iter().filter_map(|p| polygon(p)).collect();
            shapes.push((layer, props));
            geoms.push(MultiPolygon::new(mp));
        }
        let generalised = Generalised::build(&geoms, &DEFAULT_BANDS);
        let boxes = (0..generalised.bands().len())
            .map(|b| {
                (0..shapes.len())
                    .map(|k| generalised.geometry(b, k).bounding_rect())
                    .collect()
            })
            .collect();
        Ok(ContextTiles {
            shapes,
            generalised,
            boxes,
            points,
        })
    }

    /// The context tile `id`: every layer of [`CONTEXT_LAYERS`] that has a feature in the
    /// tile or its buffer; an empty `Vec` when none has.
    pub fn tile(&self, id: TileId) -> Vec<u8> {
        let band = self.generalised.band_for_zoom(id.z);
        let area = id.buffered_bounds(TILE_BUFFER, EXTENT);
        let meets = |r: &Rect<f64>| {
            r.min().x <= area.max().x
                && r.max().x >= area.min().x
                && r.min().y <= area.max().y
                && r.max().y >= area.min().y
        };
        let frame = TileFrame::new(id);
        let mut layers: Vec<LayerBuilder> = CONTEXT_LAYERS
            .iter()
            .map(|l| LayerBuilder::new(*l))
            .collect();
        for (k, (layer, props)) in self.shapes.iter().enumerate() {
            if !self.boxes[band][k].as_ref().is_some_and(meets) {
                continue;
            }
            let geometry = frame.quantise(self.generalised.geometry(band, k));
            if !geometry.0.is_empty() {
                layers[*layer].add_polygon(None, props, &geometry);
            }
        }
        let b = id.bounds();
        let scale = f64::from(EXTENT) / tile_size(id.z);
        for (layer, props, c) in &self.points {
            if !meets(&Rect::new(*c, *c)) {
                continue;
            }
            let x = ((c.x - b.min().x) * scale).round() as i32;
            let y = ((b.max().y - c.y) * scale).round() as i32;
            layers[*layer].add_point(None, props, (x, y));
        }
        encode_tile(layers)
    }
}

static CONTEXT: LazyLock<ContextTiles> = LazyLock::new(|| {
    ContextTiles::parse(SOURCE).expect("data/vn/context.geojson is checked by the unit tests")
});

/// The context tile `id` from the compiled-in `data/vn/context.geojson` (parsed on first use).
pub fn context_tile(id: TileId) -> Vec<u8> {
    CONTEXT.tile(id)
}

/// The compiled-in context GeoJSON (`data/vn/context.geojson`), e.g. to version tile URLs by
/// its digest.
pub fn context_source() -> &'static str {
    SOURCE
}

/// The TileJSON 3.0 `vector_layers` of the context tiles, each at zooms `0..=max_zoom`.
pub fn context_vector_layers(max_zoom: u8) -> Value {
    let country = json!({
        "iso3": "String: ISO 3166-1 alpha-3 code (Natural Earth ADM0_A3)",
        "name": "String: Vietnamese name",
        "name_en": "String: English name",
    });
    let group = "String: hoang_sa or truong_sa";
    let layer = |id: &str, description: &str, fields: Value| {
        json!({
            "id": id,
            "description": description,
            "minzoom": 0,
            "maxzoom": max_zoom,
            "fields": fields,
        })
    };
    json!([
        layer(
            "land",
            "Land of Vietnam and its neighbours (polygons)",
            country.clone()
        ),
        layer(
            "country_label",
            "Label point of each neighbouring country",
            country
        ),
        layer(
            "island",
            "Islands of the Hoàng Sa and Trường Sa archipelagos: outlines (polygons) and the principal islands (points)",
            json!({
                "group": group,
                "name": "String: Vietnamese name of the island (points; polygons when known)",
                "name_en": "String: English chart name (points)",
            }),
        ),
        layer(
            "archipelago_label",
            "Label point of each archipelago",
            json!({
                "group": group,
                "name": "String: Vietnamese label, e.g. Quần đảo Hoàng Sa (Đà Nẵng)",
                "name_en": "String: English label",
            }),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use geozero::mvt::{Message, Tile};

    fn decode(bytes: &[u8]) -> Tile {
        Tile::decode(bytes).expect("a context tile decodes")
    }

    #[test]
    fn the_source_parses() {
        let c = &*CONTEXT;
        assert!(c.shapes.iter().any(|(l, _)| CONTEXT_LAYERS[*l] == "land"));
        assert!(c.points.iter().filter(|(l, ..)| *l == 3).count() == 2);
    }

    #[test]
    fn bad_layers_are_refused() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"layer":"sea"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#;
        let e = ContextTiles::parse(text).err().unwrap().to_string();
        assert_eq!(e, "context GeoJSON feature 0: unknown layer 'sea'");
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"layer":"archipelago_label"},"geometry":{"type":"Polygon","coordinates":[[[1,2],[2,2],[2,3],[1,2]]]}}]}"#;
        assert!(ContextTiles::parse(text).is_err());
    }

    /// Every feature of a tile: (layer, geometry type, properties as text).
    fn features(bytes: &[u8]) -> Vec<(String, i32, BTreeMap<String, String>)> {
        let tile = decode(bytes);
        let mut out = Vec::new();
        for l in &tile.layers {
            for f in &l.features {
                let props = f
                    .tags
                    .chunks(2)
                    .map(|kv| {
                        let v = &l.values[kv[1] as usize];
                        (
                            l.keys[kv[0] as usize].clone(),
                            v.string_value.clone().unwrap_or_default(),
                        )
                    })
                    .collect();
                out.push((l.name.clone(), f.r#type.unwrap_or_default(), props));
            }
        }
        out
    }

    /// The features of every tile at zoom `z` over Vietnam and both archipelagos.
    fn national_view(z: u8) -> Vec<(String, i32, BTreeMap<String, String>)> {
        let (x0, y0) = to_metres(102.0, 7.5);
        let (x1, y1) = to_metres(117.0, 23.5);
        let bbox = Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 });
        let tiles: Vec<TileId> = crate::tiling::tile::tiles_covering(bbox, z).collect();
        assert!(tiles.len() >= 4, "{tiles:?}");
        tiles
            .iter()
            .flat_map(|&t| features(&context_tile(t)))
            .collect()
    }

    #[test]
    fn the_national_view_has_land_islands_and_both_archipelago_labels() {
        for z in [4, 5] {
            let all = national_view(z);
            let with = |layer: &str, key: &str, value: &str| {
                all.iter()
                    .any(|(l, _, p)| l == layer && p.get(key).map(String::as_str) == Some(value))
            };
            for iso3 in ["VNM", "CHN", "LAO", "KHM", "THA"] {
                assert!(with("land", "iso3", iso3), "z{z}: no land of {iso3}");
            }
            for (iso3, name) in [("CHN", "Trung Quốc"), ("LAO", "Lào"), ("KHM", "Campuchia")] {
                assert!(with("country_label", "name", name), "z{z}: no label {name}");
                assert!(
                    with("country_label", "iso3", iso3),
                    "z{z}: no label of {iso3}"
                );
            }
            assert!(
                !with("country_label", "iso3", "VNM"),
                "z{z}: Vietnam is not labelled"
            );
            for group in ["hoang_sa", "truong_sa"] {
                // Points for every group at every zoom; polygons too (they may snap away at z4).
                let points = all
                    .iter()
                    .filter(|(l, t, p)| {
                        l == "island"
                            && *t == 1
                            && p.get("group").map(String::as_str) == Some(group)
                    })
                    .count();
                assert!(points >= 10, "z{z}: {points} island points of {group}");
            }
            for name in [
                "Đảo Hoàng Sa",
                "Đảo Phú Lâm",
                "Đảo Trường Sa",
                "Đảo Song Tử Tây",
            ] {
                assert!(with("island", "name", name), "z{z}: no island {name}");
            }
            for (group, name) in [
                ("hoang_sa", "Quần đảo Hoàng Sa (Đà Nẵng)"),
                ("truong_sa", "Quần đảo Trường Sa (Khánh Hòa)"),
            ] {
                let labels: Vec<_> = all
                    .iter()
                    .filter(|(l, t, p)| l == "archipelago_label" && *t == 1 && p["name"] == name)
                    .collect();
                assert_eq!(labels.len(), 1, "z{z}: {name}");
                assert_eq!(labels[0].2["group"], group);
            }
        }
        // At z5 the island outlines of both groups survive quantisation.
        let z5 = national_view(5);
        for group in ["hoang_sa", "truong_sa"] {
            assert!(
                z5.iter()
                    .any(|(l, t, p)| l == "island" && *t == 3 && p["group"] == group),
                "z5: no island polygon of {group}"
            );
        }
    }

    #[test]
    fn labels_are_present_at_every_zoom_and_open_sea_is_empty() {
        for z in 0..=14u8 {
            for (lon, lat) in [(111.97, 16.38), (113.88, 9.66)] {
                let (x, y) = to_metres(lon, lat);
                let t = crate::tiling::tile::tiles_covering(
                    Rect::new(Coord { x, y }, Coord { x, y }),
                    z,
                )
                .next()
                .unwrap();
                assert!(
                    features(&context_tile(t))
                        .iter()
                        .any(|(l, ..)| l == "archipelago_label"),
                    "z{z} {t}: no archipelago label"
                );
            }
        }
        // The Arctic and the middle of the Pacific: nothing at all.
        assert!(context_tile(TileId::new(4, 0, 0).unwrap()).is_empty());
        assert!(context_tile(TileId::new(6, 2, 30).unwrap()).is_empty());
        // A z12 tile inland in Laos is one land polygon covering the tile.
        let (x, y) = to_metres(102.6, 19.6);
        let t = crate::tiling::tile::tiles_covering(Rect::new(Coord { x, y }, Coord { x, y }), 12)
            .next()
            .unwrap();
        let f = features(&context_tile(t));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].0.as_str(), f[0].2["iso3"].as_str()), ("land", "LAO"));
    }

    #[test]
    fn points_land_at_their_pixel() {
        // The archipelago label of Trường Sa (113.88 E, 9.66 N) in z5 tile 26/15.
        let id = TileId::new(5, 26, 15).unwrap();
        let tile = decode(&context_tile(id));
        let layer = tile
            .layers
            .iter()
            .find(|l| l.name == "archipelago_label")
            .unwrap();
        let (x, y) = to_metres(113.88, 9.66);
        let b = id.bounds();
        let s = f64::from(EXTENT) / tile_size(5);
        let want = (
            ((x - b.min().x) * s).round() as i32,
            ((b.max().y - y) * s).round() as i32,
        );
        let zig = |n: i32| ((n << 1) ^ (n >> 31)) as u32;
        assert!(
            layer
                .features
                .iter()
                .any(|f| f.geometry == vec![9, zig(want.0), zig(want.1)])
        );
    }
}
