//! The data layers of a style: per level its fill, outline, hover outline and name labels, and
//! the province outline drawn over commune (or district) fills.

use geodata::{Level, levels_for_zoom, outline_zooms};
use serde_json::{Value, json};

use crate::routes::classes::Classification;
use crate::routes::palette::{Basemap, StyleConfig};
use crate::routes::tilejson::MAX_ZOOM;

/// How a style joins values to features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// Values are properties of admin tiles.
    Props,
    /// Values are feature state set by the web map on boundary tiles.
    State,
}

/// `[minzoom, maxzoom)` of each level shown by a version (the last one open-ended).
pub fn level_zooms(levels: &[Level]) -> Vec<(Level, u8, Option<u8>)> {
    let mut out: Vec<(Level, u8, Option<u8>)> = Vec::new();
    for z in 0..=MAX_ZOOM {
        for l in levels_for_zoom(z, levels) {
            match out.iter_mut().find(|(lv, _, _)| *lv == l) {
                Some(row) => row.2 = Some(z + 1),
                None => out.push((l, z, Some(z + 1))),
            }
        }
    }
    if let Some(last) = out.last_mut() {
        last.2 = None;
    }
    out
}

/// The fill colour expression of one classification over `input`.
pub fn fill_expression(c: &Classification, input: Value, join: Join, no_data: &str) -> Value {
    let colours: Vec<&str> = c.classes.iter().map(|k| k.color.as_str()).collect();
    let step = if c.thresholds.is_empty() {
        json!(colours.first().copied().unwrap_or(no_data))
    } else {
        let mut e = vec![json!("step"), input.clone(), json!(colours[0])];
        for (t, col) in c.thresholds.iter().zip(&colours[1..]) {
            e.push(json!(t));
            e.push(json!(col));
        }
        Value::Array(e)
    };
    // The same test for both joins: a property or a state that is absent or null is no data.
    let _ = join;
    json!(["case", ["==", ["typeof", input], "number"], step, no_data])
}

/// `layer` shown from `min` until `max` (exclusive; open-ended when `None`).
fn zooms(mut layer: Value, min: u8, max: Option<u8>) -> Value {
    layer["minzoom"] = json!(min);
    if let Some(m) = max {
        layer["maxzoom"] = json!(m);
    }
    layer
}

/// One level's layers by kind: fill, outline, hover outline (the web map's, `join=state`).
pub struct LevelLayers {
    /// `{level}-fill`.
    pub fill: Value,
    /// `{level}-line`.
    pub line: Value,
    /// `{level}-hover`, with `join=state` only.
    pub hover: Option<Value>,
}

/// The layers of `level` shown over `[min, max)`, coloured by `fill`.
pub fn level_layers(
    cfg: &StyleConfig,
    (level, min, max): (Level, u8, Option<u8>),
    fill: Value,
    join: Join,
) -> LevelLayers {
    let name = level.as_str();
    LevelLayers {
        fill: zooms(
            json!({
                "id": format!("{name}-fill"), "type": "fill", "source": "popmap",
                "source-layer": name,
                "metadata": {"popmap:level": name},
                "paint": {"fill-color": fill, "fill-opacity": 0.9}
            }),
            min,
            max,
        ),
        line: zooms(
            json!({
                "id": format!("{name}-line"), "type": "line", "source": "popmap",
                "source-layer": name,
                "paint": {"line-color": cfg.outline, "line-width": 0.4, "line-opacity": 0.7}
            }),
            min,
            max,
        ),
        hover: (join == Join::State).then(|| {
            zooms(
                json!({
                    "id": format!("{name}-hover"), "type": "line", "source": "popmap",
                    "source-layer": name,
                    "paint": {
                        "line-color": "#111111",
                        "line-width": ["case", ["boolean", ["feature-state", "hover"], false], 2.5, 0],
                    }
                }),
                min,
                max,
            )
        }),
    }
}

/// `province-outline`: province borders over the deeper levels' fills, at the zooms the tiles
/// carry `province_outline`; `None` for a version without provinces or deeper levels.
pub fn province_outline(levels: &[Level], base: &Basemap) -> Option<Value> {
    let (min, _) = outline_zooms(levels, MAX_ZOOM)?;
    Some(json!({
        "id": "province-outline", "type": "line", "source": "popmap",
        "source-layer": geodata::OUTLINE_LAYER,
        "minzoom": min,
        "layout": {"line-join": "round"},
        "paint": {
            "line-color": base.province_outline,
            "line-width": ["interpolate", ["linear"], ["zoom"], min, 1.0, 12, 1.5],
        }
    }))
}

/// `{level}-label`: the units' short names from `{level}_label` of `source`, over `[min, max)`;
/// the best rank is placed first. Sizes are screen pixels, chosen to be read (by people and by
/// OCR) from a 1366×768 screenshot: provinces 13–16 px and communes 12–15 px, each on a light
/// plate (the sprite's `plate`, because a halo alone leaves the darkest classes showing through
/// the word space). Regular weight: it keeps more names placed at national zooms.
pub fn label_layer(
    (level, min, max): (Level, u8, Option<u8>),
    source: &str,
    base: &Basemap,
) -> Value {
    let (font, size) = match level {
        Level::Province => (
            "Noto Sans Regular",
            json!(["interpolate", ["linear"], ["zoom"], 4, 13, 6, 15, 8, 16]),
        ),
        Level::District => (
            "Noto Sans Regular",
            json!(["interpolate", ["linear"], ["zoom"], 6, 12, 8, 13]),
        ),
        _ => (
            "Noto Sans Regular",
            json!(["interpolate", ["linear"], ["zoom"], 8, 12, 12, 13, 14, 15]),
        ),
    };
    let name = level.as_str();
    let mut layer = zooms(
        json!({
            "id": format!("{name}-label"), "type": "symbol", "source": source,
            "source-layer": geodata::label_layer_name(level),
            "layout": {
                "text-field": ["get", "label"],
                "text-font": [font],
                "text-size": size,
                "text-max-width": 8,
                "text-padding": 2,
                "symbol-sort-key": ["get", "rank"],
            },
            "paint": {
                "text-color": base.text,
                "text-halo-color": base.halo,
                "text-halo-width": 2,
                "text-halo-blur": 0.25,
            }
        }),
        min,
        max,
    );
    // Names sit on a light plate (the sprite's `plate`): over the darkest classes a halo alone
    // leaves the fill showing in the word space (see routes/sprite.rs). Provinces always had
    // one; commune names got it when readable classes (issue 15) made dense city communes the
    // darkest class.
    {
        let l = &mut layer["layout"];
        l["icon-image"] = json!(crate::routes::sprite::PLATE);
        l["icon-text-fit"] = json!("both");
        l["icon-text-fit-padding"] = json!([0, 2, 0, 2]);
        l["text-padding"] = json!(0);
    }
    layer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::classes::Class;
    use geodata::Method;

    #[test]
    fn level_zooms_are_contiguous_and_open_ended() {
        let z = level_zooms(&[Level::Province, Level::District, Level::Commune]);
        assert_eq!(
            z,
            vec![
                (Level::Province, 0, Some(6)),
                (Level::District, 6, Some(8)),
                (Level::Commune, 8, None)
            ]
        );
        let z = level_zooms(&[Level::Province, Level::Commune]);
        assert_eq!(z[0], (Level::Province, 0, Some(8)));
        assert_eq!(z[1], (Level::Commune, 8, None));
    }

    #[test]
    fn fill_is_a_step_over_the_thresholds_with_a_no_data_case() {
        let class = |c: &str| Class {
            min: None,
            max: None,
            count: 1,
            color: c.into(),
        };
        let c = Classification {
            indicator: "density".into(),
            period: "2025-06".into(),
            revision: 1,
            version: "vn-2019".into(),
            level: "province".into(),
            method: Method::Quantile,
            k: 3,
            breaks: "timeline".into(),
            periods: vec!["2025-06".into()],
            notes: Vec::new(),
            thresholds: vec![10.0, 20.0],
            classes: vec![class("#a"), class("#b"), class("#c")],
            no_data: class("#n"),
            normal: None,
            synthetic: true,
        };
        let e = fill_expression(&c, json!(["feature-state", "v"]), Join::State, "#n");
        assert_eq!(
            e,
            json!([
                "case",
                ["==", ["typeof", ["feature-state", "v"]], "number"],
                ["step", ["feature-state", "v"], "#a", 10.0, "#b", 20.0, "#c"],
                "#n"
            ])
        );
    }

    #[test]
    fn outline_and_labels_follow_the_tiles() {
        let b = Basemap::builtin();
        let o = province_outline(&[Level::Province, Level::Commune], b).unwrap();
        assert_eq!(
            (o["minzoom"].as_u64(), &o["source-layer"]),
            (Some(8), &json!("province_outline"))
        );
        assert!(province_outline(&[Level::Commune], b).is_none());
        let p = label_layer((Level::Province, 0, Some(8)), "popmap", b);
        assert_eq!(p["source-layer"], "province_label");
        assert_eq!(p["layout"]["text-font"], json!(["Noto Sans Regular"]));
        assert_eq!(p["layout"]["text-field"], json!(["get", "label"]));
        assert_eq!(p["maxzoom"], 8);
        let c = label_layer((Level::Commune, 8, None), "popmap", b);
        assert_eq!(c["layout"]["text-font"], json!(["Noto Sans Regular"]));
        assert!(c.get("maxzoom").is_none());
    }
}
