//! The vector layers an admin or boundary tile carries, described as TileJSON 3.0
//! `vector_layers`: one polygon layer per administrative level with the zooms it is shown at and
//! its fields, then each level's label points (`{level}_label`, same zooms) and the province
//! outlines drawn over deeper levels (`province_outline`). Shared by the server's TileJSON and
//! the metadata of exported archives, so both say the same thing.

use serde_json::{Map, Value, json};

use crate::model::{Catalog, Level};
use crate::tiling::fields::FieldSet;
use crate::tiling::tileset::{OUTLINE_LAYER, draws_outline, label_layer_name, levels_for_zoom};

/// The highest zoom tiles are cut at by the server; maps over-zoom beyond it.
pub const MAX_TILE_ZOOM: u8 = 14;

/// `(level, minzoom, maxzoom)` of each level a version shows, within `0..=max_zoom`.
pub fn layer_zooms(levels: &[Level], max_zoom: u8) -> Vec<(Level, u8, u8)> {
    let mut out: Vec<(Level, u8, u8)> = Vec::new();
    for z in 0..=max_zoom {
        for l in levels_for_zoom(z, levels) {
            match out.iter_mut().find(|(lv, _, _)| *lv == l) {
                Some(row) => row.2 = z,
                None => out.push((l, z, z)),
            }
        }
    }
    out
}

/// `(minzoom, maxzoom)` of the province outline layer within `0..=max_zoom`, if drawn at all
/// (see [`crate::tiling::tileset::draws_outline`]).
pub fn outline_zooms(levels: &[Level], max_zoom: u8) -> Option<(u8, u8)> {
    let zooms: Vec<u8> = (0..=max_zoom)
        .filter(|&z| draws_outline(&levels_for_zoom(z, levels), levels))
        .collect();
    Some((*zooms.first()?, *zooms.last()?))
}

/// The `fields` object of a `{level}_label` layer.
fn label_fields(level: Level) -> Value {
    let mut m = Map::new();
    m.insert(
        "code".into(),
        json!("String: official code (leading zeros kept)"),
    );
    m.insert("name".into(), json!("String: Vietnamese name"));
    m.insert(
        "label".into(),
        json!("String: short Vietnamese name, without the type word"),
    );
    if level == Level::Province {
        m.insert(
            "label_en".into(),
            json!("String: English name (ASCII, e.g. Ha Noi, Ho Chi Minh City)"),
        );
    }
    m.insert(
        "rank".into(),
        json!("Number (integer): label priority within the level, 0 first"),
    );
    Value::Object(m)
}

/// The `fields` object of a layer: each attribute with a description saying its type.
pub fn field_descriptions(catalog: &Catalog, fields: &FieldSet) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "code".into(),
        json!("String: official code (leading zeros kept)"),
    );
    m.insert("name".into(), json!("String: Vietnamese name"));
    for b in catalog.base.iter().filter(|b| fields.base.contains(&b.id)) {
        m.insert(
            b.id.clone(),
            json!(format!(
                "Number (integer): {} / {} ({})",
                b.name_vi, b.name_en, b.unit_en
            )),
        );
    }
    for d in catalog
        .derived
        .iter()
        .filter(|d| fields.derived.contains(&d.id))
    {
        m.insert(
            d.id.clone(),
            json!(format!(
                "Number: {} / {} ({})",
                d.name_vi, d.name_en, d.unit_en
            )),
        );
        m.insert(
            format!("{}_unstable", d.id),
            json!("Boolean: present and true when the value rests on small numbers"),
        );
    }
    m
}

/// TileJSON `vector_layers` of version `version_id` (with `levels`) carrying `fields`, for zooms
/// up to `max_zoom`.
pub fn vector_layers(
    version_id: &str,
    levels: &[Level],
    catalog: &Catalog,
    fields: &FieldSet,
    max_zoom: u8,
) -> Value {
    let fields = field_descriptions(catalog, fields);
    let zooms = layer_zooms(levels, max_zoom);
    let mut layers: Vec<Value> = zooms
        .iter()
        .map(|&(level, min, max)| {
            json!({
                "id": level.as_str(),
                "description": format!("{} units of boundary version {version_id}", level.as_str()),
                "minzoom": min,
                "maxzoom": max,
                "fields": fields,
            })
        })
        .collect();
    layers.extend(zooms.iter().map(|&(level, min, max)| {
        json!({
            "id": label_layer_name(level),
            "description": format!(
                "label points of the {} units (pole of inaccessibility), each in one tile only",
                level.as_str()
            ),
            "minzoom": min,
            "maxzoom": max,
            "fields": label_fields(level),
        })
    }));
    if let Some((min, max)) = outline_zooms(levels, max_zoom) {
        layers.push(json!({
            "id": OUTLINE_LAYER,
            "description": "province polygons, for their borders over the deeper levels' fills",
            "minzoom": min,
            "maxzoom": max,
            "fields": {"code": "String: official code (leading zeros kept)"},
        }));
    }
    Value::Array(layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vn_2025_shows_provinces_then_communes() {
        let z = layer_zooms(&[Level::Province, Level::Commune], MAX_TILE_ZOOM);
        assert_eq!(z, vec![(Level::Province, 0, 7), (Level::Commune, 8, 14)]);
        let old = [Level::Province, Level::District, Level::Commune];
        assert_eq!(outline_zooms(&old, MAX_TILE_ZOOM), Some((6, 14)));
        assert_eq!(outline_zooms(&[Level::Commune], MAX_TILE_ZOOM), None);
        assert_eq!(outline_zooms(&[Level::Province], MAX_TILE_ZOOM), None);
    }

    #[test]
    fn layers_list_fields_of_the_set() {
        let c = Catalog::builtin();
        let f = FieldSet::parse(&c, "population,sex_ratio").unwrap();
        let v = vector_layers("vn-2025", &[Level::Province, Level::Commune], &c, &f, 10);
        let layers = v.as_array().unwrap();
        let ids: Vec<&str> = layers.iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            [
                "province",
                "commune",
                "province_label",
                "commune_label",
                "province_outline"
            ]
        );
        assert_eq!(layers[1]["maxzoom"], 10);
        assert_eq!(
            (&layers[3]["minzoom"], &layers[3]["maxzoom"]),
            (&8.into(), &10.into())
        );
        assert_eq!(
            (&layers[4]["minzoom"], &layers[4]["maxzoom"]),
            (&8.into(), &10.into())
        );
        assert!(layers[2]["fields"]["label_en"].is_string());
        assert!(layers[3]["fields"]["label_en"].is_null());
        let fields = layers[0]["fields"].as_object().unwrap();
        assert!(fields.contains_key("population") && fields.contains_key("sex_ratio_unstable"));
        assert!(!fields.contains_key("births"));
    }
}
