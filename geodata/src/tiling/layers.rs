//! The vector layers an admin or boundary tile carries, described as TileJSON 3.0
//! `vector_layers`: one layer per administrative level with the zooms it is shown at and its
//! fields. Shared by the server's TileJSON and the metadata of exported archives, so both say
//! the same thing.

use serde_json::{Map, Value, json};

use crate::model::{Catalog, Level};
use crate::tiling::fields::FieldSet;
use crate::tiling::tileset::levels_for_zoom;

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
    let layers: Vec<Value> = layer_zooms(levels, max_zoom)
        .into_iter()
        .map(|(level, min, max)| {
            json!({
                "id": level.as_str(),
                "description": format!("{} units of boundary version {version_id}", level.as_str()),
                "minzoom": min,
                "maxzoom": max,
                "fields": fields,
            })
        })
        .collect();
    Value::Array(layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vn_2025_shows_provinces_then_communes() {
        let z = layer_zooms(&[Level::Province, Level::Commune], MAX_TILE_ZOOM);
        assert_eq!(z, vec![(Level::Province, 0, 7), (Level::Commune, 8, 14)]);
    }

    #[test]
    fn layers_list_fields_of_the_set() {
        let c = Catalog::builtin();
        let f = FieldSet::parse(&c, "population,sex_ratio").unwrap();
        let v = vector_layers("vn-2025", &[Level::Province, Level::Commune], &c, &f, 10);
        let layers = v.as_array().unwrap();
        assert_eq!(layers.len(), 2);
        assert_eq!(layers[1]["id"], "commune");
        assert_eq!(layers[1]["maxzoom"], 10);
        let fields = layers[0]["fields"].as_object().unwrap();
        assert!(fields.contains_key("population") && fields.contains_key("sex_ratio_unstable"));
        assert!(!fields.contains_key("births"));
    }
}
