//! `/api/v1/indicators` (the catalog) and the indicator selection every value endpoint shares:
//! which ids a caller may see, and one unit's values of them (base counts as integers, derived
//! ratios recomputed from the counts; `null` where not computable).

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::Catalog;
use geodata::{AREA, Access, Kind};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::http::error::ApiError;
use crate::http::query::{FormatQuery, Params};
use crate::http::reply::{Table, reply};
use crate::state::AppState;
use crate::state::access::Caller;

/// One catalog entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndicatorEntry {
    /// Indicator id, as in `?indicator=`.
    pub id: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Unit of the values (Vietnamese).
    pub unit: String,
    /// Unit of the values (English).
    pub unit_en: String,
    /// `stock`, `flow` or `derived`.
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// The formula of a derived indicator, `null` for base counts.
    pub formula: Option<String>,
    /// `public` or `restricted` (restricted values need an API key).
    #[schema(value_type = String)]
    pub access: &'static str,
    /// What the indicator means, from the catalog: definition, formula in words, source, caveats.
    pub about: AboutEntry,
    /// `"age"` for the 34 age × sex groups (drawn as pyramids, not listed by the map's picker);
    /// absent for every other indicator.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub group: Option<&'static str>,
    /// An age group's sex: `male` or `female`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub sex: Option<geodata::Sex>,
    /// An age group's ages `[from, to]` in completed years, `to` null for the open group (80+).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Option<u32>>>)]
    pub age: Option<[Option<u32>; 2]>,
}

/// One text in Vietnamese and English.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bilingual {
    /// Vietnamese (NFC).
    pub vi: String,
    /// English.
    pub en: String,
}

/// An indicator explained (the catalog's `definition_*`, `formula_*`, `source_*`, `caveats_*`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AboutEntry {
    /// What the indicator is.
    pub definition: Bilingual,
    /// The formula in words, naming the indicators it divides; `null` for base counts.
    pub formula: Option<Bilingual>,
    /// Where the numbers come from.
    pub source: Bilingual,
    /// What to keep in mind when reading the values (small numbers, annualisation, stocks and
    /// flows, area); `null` when nothing.
    pub caveats: Option<Bilingual>,
}

impl From<geodata::Texts> for Bilingual {
    fn from(t: geodata::Texts) -> Bilingual {
        Bilingual { vi: t.vi, en: t.en }
    }
}

impl From<geodata::About> for AboutEntry {
    fn from(a: geodata::About) -> AboutEntry {
        AboutEntry {
            definition: a.definition.into(),
            formula: a.formula.map(Into::into),
            source: a.source.into(),
            caveats: a.caveats.map(Into::into),
        }
    }
}

fn access_str(a: Access) -> &'static str {
    match a {
        Access::Public => "public",
        Access::Restricted => "restricted",
    }
}

/// Every indicator of the catalog, base counts first, in catalog order.
pub fn entries(catalog: &Catalog) -> Vec<IndicatorEntry> {
    let base = catalog.base.iter().map(|b| IndicatorEntry {
        id: b.id.clone(),
        name_vi: b.name_vi.clone(),
        name_en: b.name_en.clone(),
        unit: b.unit.clone(),
        unit_en: b.unit_en.clone(),
        kind: match b.kind {
            Kind::Stock => "stock",
            Kind::Flow => "flow",
        },
        formula: None,
        access: access_str(b.access),
        about: b.about().into(),
        group: b.is_age_group().then_some("age"),
        sex: b.sex,
        age: b.age_from.map(|from| [Some(from), b.age_to]),
    });
    let derived = catalog.derived.iter().map(|d| IndicatorEntry {
        id: d.id.clone(),
        name_vi: d.name_vi.clone(),
        name_en: d.name_en.clone(),
        unit: d.unit.clone(),
        unit_en: d.unit_en.clone(),
        kind: "derived",
        formula: Some(d.formula()),
        access: access_str(d.access),
        about: d.about().into(),
        group: None,
        sex: None,
        age: None,
    });
    base.chain(derived).collect()
}

/// `GET /api/v1/indicators`: the catalog (metadata is public; values of restricted ones are not).
#[utoipa::path(
    get,
    path = "/api/v1/indicators",
    tag = "catalog",
    params(FormatQuery),
    responses(
        (status = 200, description = "OK", content((Vec<IndicatorEntry> = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn list(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<FormatQuery>()?;
    let format = params.format(&headers)?;
    let items = entries(&st.catalog);
    reply(&headers, &caller, format, &items, || {
        Some(Table {
            columns: [
                "id",
                "name_vi",
                "name_en",
                "unit",
                "unit_en",
                "kind",
                "formula",
                "access",
                "definition_vi",
                "definition_en",
                "formula_vi",
                "formula_en",
                "source_vi",
                "source_en",
                "caveats_vi",
                "caveats_en",
            ]
            .map(String::from)
            .to_vec(),
            rows: items
                .iter()
                .map(|i| {
                    vec![
                        Some(i.id.clone()),
                        Some(i.name_vi.clone()),
                        Some(i.name_en.clone()),
                        Some(i.unit.clone()),
                        Some(i.unit_en.clone()),
                        Some(i.kind.to_string()),
                        i.formula.clone(),
                        Some(i.access.to_string()),
                        Some(i.about.definition.vi.clone()),
                        Some(i.about.definition.en.clone()),
                        i.about.formula.as_ref().map(|f| f.vi.clone()),
                        i.about.formula.as_ref().map(|f| f.en.clone()),
                        Some(i.about.source.vi.clone()),
                        Some(i.about.source.en.clone()),
                        i.about.caveats.as_ref().map(|c| c.vi.clone()),
                        i.about.caveats.as_ref().map(|c| c.en.clone()),
                    ]
                })
                .collect(),
        })
    })
}

/// Whether indicator `id` is an age group or a derived indicator computed from them (absent
/// from a period without the age report).
pub fn reads_ages(catalog: &Catalog, id: &str) -> bool {
    catalog.base(id).is_some_and(|b| b.is_age_group())
        || catalog.derived(id).is_some_and(|d| catalog.reads_ages(d))
}

/// Whether indicator `id` (known to the catalog) is restricted.
fn restricted(catalog: &Catalog, id: &str) -> bool {
    catalog
        .base(id)
        .map(|b| b.access)
        .or_else(|| catalog.derived(id).map(|d| d.access))
        == Some(Access::Restricted)
}

/// The indicator ids a request asks for (`list`, or every indicator the caller may see),
/// in catalog order. An unknown id is 400; a restricted one without credentials is 401.
pub fn select(
    catalog: &Catalog,
    caller: &Caller,
    list: Option<&[String]>,
) -> Result<Vec<String>, ApiError> {
    let all: Vec<&str> = catalog
        .base
        .iter()
        .map(|b| b.id.as_str())
        .chain(catalog.derived.iter().map(|d| d.id.as_str()))
        .collect();
    let Some(list) = list else {
        return Ok(all
            .into_iter()
            .filter(|id| caller.unlocks_restricted() || !restricted(catalog, id))
            .map(String::from)
            .collect());
    };
    for id in list {
        if !catalog.contains(id) {
            return Err(ApiError::Invalid {
                message: format!("unknown indicator '{id}' (see /api/v1/indicators)"),
                details: serde_json::json!({
                    "parameter": "indicator",
                    "allowed": "indicator ids of /api/v1/indicators",
                    "indicator": id,
                }),
            });
        }
        if restricted(catalog, id) && !caller.unlocks_restricted() {
            return Err(ApiError::restricted(id));
        }
    }
    Ok(all
        .into_iter()
        .filter(|id| list.iter().any(|l| l == id))
        .map(String::from)
        .collect())
}

/// One indicator's value for a unit: base count or derived ratio, `None` when missing.
pub fn value_of(
    catalog: &Catalog,
    id: &str,
    vals: Option<&BTreeMap<String, i64>>,
    area_km2: f64,
    months: u32,
) -> Option<Value> {
    if catalog.base(id).is_some() {
        return vals.and_then(|v| v.get(id)).map(|n| Value::from(*n));
    }
    let d = catalog.derived(id)?;
    let vals = vals?;
    let get = |k: &str| {
        if k == AREA {
            Some(area_km2)
        } else {
            vals.get(k).map(|v| *v as f64)
        }
    };
    d.evaluate(get, months)
        .and_then(|v| serde_json::Number::from_f64(v.value))
        .map(Value::Number)
}

/// A unit's values of `ids` as a JSON object (every id present, `null` where missing).
pub fn values_map(
    catalog: &Catalog,
    ids: &[String],
    vals: Option<&BTreeMap<String, i64>>,
    area_km2: f64,
    months: u32,
) -> Map<String, Value> {
    ids.iter()
        .map(|id| {
            (
                id.clone(),
                value_of(catalog, id, vals, area_km2, months).unwrap_or(Value::Null),
            )
        })
        .collect()
}
