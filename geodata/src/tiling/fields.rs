//! The fields an admin tile carries and each unit's values of a published snapshot, shared by
//! the tile server and `popmap export`.
//!
//! Without `fields=` a tile is compact ([`FieldSet::compact`]): each unit's `code` and `name` and
//! its feature id, which is all the web map needs (it joins the values through feature-state
//! from `/api/v1/map/values`). `fields=a,b` adds those indicators, `fields=all`
//! ([`ALL_FIELDS`]) every one the caller may read.

use std::collections::BTreeSet;

use crate::model::catalog::Access;
use crate::model::snapshot::ValueTable;
use crate::model::{Catalog, UnitInfo};
use crate::tiling::mvt::PropValue;
use crate::tiling::tile::TileId;
use crate::tiling::tileset::TileSource;

/// Why a `fields=` list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldsError {
    /// A restricted indicator, asked for without an API key.
    #[error("field '{0}' is a restricted indicator: send Authorization: Bearer <API key>")]
    Restricted(String),
    /// `all` given beside other ids.
    #[error("'all' stands alone: fields=all, or a list of indicator ids")]
    AllNotAlone,
    /// An id the catalog does not know.
    #[error("unknown field '{0}' (see /api/v1/indicators for the ids, or fields=all)")]
    Unknown(String),
}

/// The `fields=` value naming every indicator the caller may read.
pub const ALL_FIELDS: &str = "all";

/// The indicators an admin tile carries: public base counts and public derived values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSet {
    /// Base indicator ids, in catalog order.
    pub base: Vec<String>,
    /// Derived indicator ids, in catalog order.
    pub derived: Vec<String>,
}

impl FieldSet {
    /// No indicator: codes and names only (what an admin tile or export carries by default).
    pub fn compact() -> FieldSet {
        FieldSet {
            base: Vec::new(),
            derived: Vec::new(),
        }
    }

    /// Whether the set names no indicator.
    pub fn is_compact(&self) -> bool {
        self.base.is_empty() && self.derived.is_empty()
    }

    /// Every public indicator of `catalog` (what `fields=all` gives without an API key).
    pub fn all_public(catalog: &Catalog) -> FieldSet {
        FieldSet {
            base: catalog
                .base
                .iter()
                .filter(|b| b.access == Access::Public)
                .map(|b| b.id.clone())
                .collect(),
            derived: catalog
                .derived
                .iter()
                .filter(|d| d.access == Access::Public)
                .map(|d| d.id.clone())
                .collect(),
        }
    }

    /// Every indicator of `catalog`, restricted ones included when `restricted` (what
    /// `fields=all` gives a caller with an API key).
    pub fn all(catalog: &Catalog, restricted: bool) -> FieldSet {
        if !restricted {
            return FieldSet::all_public(catalog);
        }
        FieldSet {
            base: catalog.base.iter().map(|b| b.id.clone()).collect(),
            derived: catalog.derived.iter().map(|d| d.id.clone()).collect(),
        }
    }

    /// The fields named in `list` (comma-separated indicator ids, or [`ALL_FIELDS`] for every
    /// public one); an unknown or restricted id is an error naming it. An empty list means no
    /// indicator (codes and names only).
    pub fn parse(catalog: &Catalog, list: &str) -> Result<FieldSet, FieldsError> {
        FieldSet::parse_with(catalog, list, false)
    }

    /// Like [`FieldSet::parse`], accepting restricted ids when `restricted` (an API key).
    pub fn parse_with(
        catalog: &Catalog,
        list: &str,
        restricted: bool,
    ) -> Result<FieldSet, FieldsError> {
        let all = FieldSet::all(catalog, restricted);
        if list.trim() == ALL_FIELDS {
            return Ok(all);
        }
        let mut asked: Vec<&str> = Vec::new();
        for f in list.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let known = all.base.iter().chain(&all.derived).any(|id| id == f);
            if !known {
                let restricted = catalog.base.iter().any(|b| b.id == f)
                    || catalog.derived.iter().any(|d| d.id == f);
                return Err(if restricted {
                    FieldsError::Restricted(f.to_string())
                } else if f == ALL_FIELDS {
                    FieldsError::AllNotAlone
                } else {
                    FieldsError::Unknown(f.to_string())
                });
            }
            asked.push(f);
        }
        Ok(FieldSet {
            base: all
                .base
                .into_iter()
                .filter(|id| asked.contains(&id.as_str()))
                .collect(),
            derived: all
                .derived
                .into_iter()
                .filter(|id| asked.contains(&id.as_str()))
                .collect(),
        })
    }

    /// A short stable key of the set, for cache keys (`*` for every public field).
    pub fn key(&self, catalog: &Catalog) -> String {
        // Compared in place: every cached tile's request makes its key, and building the public
        // set to compare with cost ~40 string copies a request.
        let public_base = catalog.base.iter().filter(|b| b.access == Access::Public);
        let public_derived = catalog
            .derived
            .iter()
            .filter(|d| d.access == Access::Public);
        if self.base.iter().eq(public_base.map(|b| &b.id))
            && self.derived.iter().eq(public_derived.map(|d| &d.id))
        {
            "*".to_string()
        } else {
            let mut v: Vec<&str> = self
                .base
                .iter()
                .chain(&self.derived)
                .map(String::as_str)
                .collect();
            v.sort_unstable();
            v.join(",")
        }
    }
}

/// The chosen base counts (integers) and derived values (floats, plus `<id>_unstable = true`
/// where the value rests on small numbers) of one unit; `months` is the period's length.
pub fn unit_props(
    catalog: &Catalog,
    fields: &FieldSet,
    values: &ValueTable,
    unit: &UnitInfo,
    months: u32,
) -> Vec<(String, PropValue)> {
    let Some(vals) = values.get(&unit.code) else {
        return Vec::new();
    };
    let mut props = Vec::new();
    for id in &fields.base {
        if let Some(v) = vals.get(id) {
            props.push((id.clone(), PropValue::Int(*v)));
        }
    }
    let get = |k: &str| {
        if k == crate::model::catalog::AREA {
            Some(unit.area_km2)
        } else {
            vals.get(k).map(|v| *v as f64)
        }
    };
    for d in catalog
        .derived
        .iter()
        .filter(|d| fields.derived.contains(&d.id))
    {
        if let Some(v) = d.evaluate(get, months) {
            props.push((d.id.clone(), PropValue::Double(v.value)));
            if v.unstable {
                props.push((format!("{}_unstable", d.id), PropValue::Bool(true)));
            }
        }
    }
    props
}

/// The admin tile `id` of a snapshot: geometry from `src`, values from `values`.
pub fn admin_tile(
    src: &TileSource,
    id: TileId,
    catalog: &Catalog,
    fields: &FieldSet,
    values: &ValueTable,
    months: u32,
) -> Vec<u8> {
    src.tile_default(id, |u| unit_props(catalog, fields, values, u, months))
}

/// The admin tile `id` of a snapshot harmonised onto `src`'s version: values moved through a
/// crosswalk (see [`crate::Harmonised`]); a unit in `estimated` (fed by a split old unit)
/// carries `estimated = true`.
pub fn harmonised_tile(
    src: &TileSource,
    id: TileId,
    catalog: &Catalog,
    fields: &FieldSet,
    values: &ValueTable,
    estimated: &BTreeSet<String>,
    months: u32,
) -> Vec<u8> {
    src.tile_default(id, |u| {
        let mut props = unit_props(catalog, fields, values, u, months);
        if estimated.contains(&u.code) {
            props.push(("estimated".into(), PropValue::Bool(true)));
        }
        props
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_catalog_order_and_refuses_unknown_and_restricted() {
        let c = Catalog::builtin();
        let f = FieldSet::parse(&c, "sex_ratio, population,density").unwrap();
        assert_eq!(f.base, ["population"]);
        assert_eq!(f.derived, ["density", "sex_ratio"]);
        assert_eq!(f.key(&c), "density,population,sex_ratio");
        assert_eq!(FieldSet::all_public(&c).key(&c), "*");
        let e = FieldSet::parse(&c, "population,nope").unwrap_err();
        assert_eq!(e, FieldsError::Unknown("nope".into()));
        assert!(e.to_string().contains("unknown field 'nope'"), "{e}");
        let e = FieldSet::parse(&c, "cpr").unwrap_err();
        assert_eq!(e, FieldsError::Restricted("cpr".into()));
        assert!(FieldSet::parse(&c, "").unwrap().is_compact());
        assert_eq!(FieldSet::parse(&c, "").unwrap(), FieldSet::compact());
    }

    #[test]
    fn all_names_every_field_the_caller_may_read() {
        let c = Catalog::builtin();
        assert_eq!(
            FieldSet::parse(&c, "all").unwrap(),
            FieldSet::all_public(&c)
        );
        assert_eq!(FieldSet::parse(&c, " all ").unwrap().key(&c), "*");
        let keyed = FieldSet::parse_with(&c, "all", true).unwrap();
        assert_eq!(keyed, FieldSet::all(&c, true));
        assert!(keyed.base.iter().any(|b| b == "divorces"), "{keyed:?}");
        assert!(
            !FieldSet::all_public(&c)
                .base
                .iter()
                .any(|b| b == "divorces")
        );
        let e = FieldSet::parse(&c, "all,population").unwrap_err();
        assert_eq!(e, FieldsError::AllNotAlone);
        assert!(!FieldSet::all_public(&c).is_compact());
    }

    #[test]
    fn props_are_typed_and_only_the_chosen_fields() {
        let c = Catalog::builtin();
        let unit = UnitInfo {
            code: "00004".into(),
            name: "Phúc Xá".into(),
            level: crate::Level::Commune,
            parent_code: None,
            area_km2: 2.0,
        };
        let mut values = ValueTable::new();
        let row = values.entry("00004".into()).or_default();
        for (k, v) in [
            ("population", 1000),
            ("males", 490),
            ("females", 510),
            ("women_15_49_contraception", 5),
        ] {
            row.insert(k.to_string(), v);
        }
        let f = FieldSet::parse(&c, "population,density,sex_ratio").unwrap();
        let p = unit_props(&c, &f, &values, &unit, 1);
        let names: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["population", "density", "sex_ratio"]);
        assert_eq!(p[0].1, PropValue::Int(1000));
        assert_eq!(p[1].1, PropValue::Double(500.0));
        let all = unit_props(&c, &FieldSet::all_public(&c), &values, &unit, 1);
        assert!(
            all.iter()
                .all(|(k, _)| !k.starts_with("women_15_49_contraception"))
        );
    }
}
