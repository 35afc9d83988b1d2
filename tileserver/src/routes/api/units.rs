//! `/api/v1/units` (search a version's units, or every version's: [`super::unitsearch`]) and `/api/v1/units/{code}` (one unit, its parent
//! chain, children count and its values in a period). The national row (`level=country`, code
//! `VN`) is summed from the provinces ([`geodata::national`]); `level=region` is refused.

use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::UnitQuery;
use serde::Serialize;
use serde_json::{Map, Value};

use super::indicators::{select, values_map};
use super::unitsearch::{self, Found, PartOf, TypeLabel};
use crate::http::error::ApiError;
use crate::http::query::{MAX_UNITS_PAGE, Params};
use crate::http::reply::{Table, reply};
use crate::state::AppState;
use crate::state::access::Caller;
use crate::state::published::Published;

/// A unit in a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitItem {
    /// Official code.
    pub code: String,
    /// Vietnamese name.
    pub name: String,
    /// Level.
    pub level: String,
    /// Parent's code (`null` at the top).
    pub parent_code: Option<String>,
    /// Parent's name (`null` at the top).
    pub parent_name: Option<String>,
    /// The unit's type as its name states it (`null` when the name starts with no type word).
    #[serde(rename = "type")]
    pub kind: Option<TypeLabel>,
    /// Boundary version.
    pub version: String,
    /// Geodesic area in km².
    pub area_km2: f64,
    /// Only for a unit of an older boundary version (`versions=all`): the units of the newest
    /// version it is now part of, largest share first (empty when no stored crosswalk leads
    /// there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now_part_of: Option<Vec<PartOf>>,
}

impl UnitItem {
    /// The item of a unit found by the search.
    fn of(f: Found) -> UnitItem {
        UnitItem {
            kind: TypeLabel::of_name(&f.unit.name),
            code: f.unit.code,
            name: f.unit.name,
            level: f.unit.level.to_string(),
            parent_code: f.unit.parent_code,
            parent_name: f.parent_name,
            version: f.version,
            area_km2: f.unit.area_km2,
            now_part_of: f.now_part_of,
        }
    }
}

/// A page of units.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitList {
    /// The units: with `q`, best match first (exact name > prefix > substring, where the name
    /// is read without its type word, spaces and punctuation); then by level (top first), the
    /// newer version first, then code.
    pub items: Vec<UnitItem>,
    /// Units matching, all pages.
    pub total: i64,
    /// Page size.
    pub limit: i64,
    /// Units skipped.
    pub offset: i64,
}

/// The version `?version=` names (404 if unknown), else the newest period's, else the newest.
pub fn version_param(published: &Published, params: &Params) -> Result<String, ApiError> {
    match params.str("version") {
        Some(v) => published
            .version(v)
            .map(|v| v.id.clone())
            .ok_or_else(|| ApiError::NotFound(format!("unknown boundary version '{v}'"))),
        None => published
            .resolve(&crate::state::published::PeriodRef::Latest)
            .map(|s| s.version.clone())
            .or_else(|| published.versions.last().map(|v| v.id.clone()))
            .ok_or_else(|| ApiError::NotFound("no boundary version is loaded".into())),
    }
}

/// The query of `GET /api/v1/units`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct UnitListQuery {
    /// Boundary version (default: the newest period's); not with `versions`
    pub version: Option<String>,
    /// `all`: search every boundary version; a unit of an older version carries `now_part_of`, the units of the newest version it went into (through the stored crosswalk)
    pub versions: Option<String>,
    /// Only this level: `country` (the national row `VN`), `province`, `district` or `commune`; `region` is refused (no regions are defined in the catalog)
    pub level: Option<String>,
    /// Only the children of this unit code
    pub parent: Option<String>,
    /// Only the descendants of this unit code (children, their children, ...), in each version searched
    pub within: Option<String>,
    /// Name as people type it or code prefix: accents, case, spaces and punctuation ignored (`hanoi`, `ha noi` find Thành phố Hà Nội), the type word optional (`binh duong` and `tinh binh duong` find Tỉnh Bình Dương) or short (`tp hcm`, `q 1`), and a few common abbreviations (`tphcm`, `hcm`, `sai gon`, `brvt`)
    pub q: Option<String>,
    /// Page size, 1 to 1000 (default 100)
    pub limit: Option<i64>,
    /// Rows skipped (default 0)
    pub offset: Option<i64>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// `GET /api/v1/units?version=&versions=&level=&parent=&within=&q=&limit=&offset=`.
#[utoipa::path(
    get,
    path = "/api/v1/units",
    tag = "units",
    params(UnitListQuery),
    responses(
        (status = 200, description = "OK", content((UnitList = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn list(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow_for::<UnitListQuery>()?;
    let format = params.format(&headers)?;
    let published = st.published.load_full();
    let all = match params.str("versions") {
        None => false,
        Some("all") if params.str("version").is_none() => true,
        Some("all") => {
            return Err(ApiError::bad_request(
                "versions",
                serde_json::json!(["all"]),
                "versions=all searches every boundary version: leave out version",
            ));
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "versions",
                serde_json::json!(["all"]),
                "versions takes only `all`",
            ));
        }
    };
    let version = version_param(&published, &params)?;
    let (limit, offset) = params.page(100, MAX_UNITS_PAGE)?;
    let q = params.str("q").map(str::to_string);
    if q.as_ref().is_some_and(|q| q.chars().count() > 100) {
        return Err(ApiError::bad_request(
            "q",
            "at most 100 characters",
            "q is longer than 100 characters",
        ));
    }
    let level = params.level("level")?;
    let (items, total) = match level {
        Some(geodata::Level::Region) => {
            return Err(crate::state::published::no_regions(
                published.version(&version),
            ));
        }
        Some(geodata::Level::Country) => {
            let page = national_page(&st, &version, &params, q, limit, offset).await?;
            let items = page
                .items
                .into_iter()
                .map(|unit| {
                    UnitItem::of(Found {
                        unit,
                        version: version.clone(),
                        parent_name: None,
                        now_part_of: None,
                    })
                })
                .collect();
            (items, page.total)
        }
        _ => {
            let versions = match all {
                true => published.versions.iter().map(|v| v.id.clone()).collect(),
                false => vec![version.clone()],
            };
            let query = UnitQuery {
                version: version.clone(),
                level,
                parent: params.str("parent").map(str::to_string),
                within: params.str("within").map(str::to_string),
                q,
                limit,
                offset,
            };
            let (found, total) = unitsearch::search(&st, &published, &versions, &query).await?;
            (found.into_iter().map(UnitItem::of).collect(), total)
        }
    };
    let out = UnitList {
        items,
        total,
        limit,
        offset,
    };
    reply(&headers, &caller, format, &out, || Some(list_table(&out)))
}

/// The CSV of a page of units.
fn list_table(out: &UnitList) -> Table {
    Table {
        columns: [
            "code",
            "name",
            "level",
            "parent_code",
            "parent_name",
            "type_vi",
            "type_en",
            "version",
            "area_km2",
        ]
        .map(String::from)
        .to_vec(),
        rows: out
            .items
            .iter()
            .map(|u| {
                vec![
                    Some(u.code.clone()),
                    Some(u.name.clone()),
                    Some(u.level.clone()),
                    u.parent_code.clone(),
                    u.parent_name.clone(),
                    u.kind.as_ref().map(|t| t.vi.clone()),
                    u.kind.as_ref().map(|t| t.en.clone()),
                    Some(u.version.clone()),
                    Some(u.area_km2.to_string()),
                ]
            })
            .collect(),
    }
}

/// `level=country`: the national row of `version` as a page of units (none under a `parent`
/// or when `q` matches neither its code nor its name).
async fn national_page(
    st: &AppState,
    version: &str,
    params: &Params,
    q: Option<String>,
    limit: i64,
    offset: i64,
) -> Result<geodata::UnitPage, ApiError> {
    let units = st.api.units.get(&st.store, version).await?;
    let n = geodata::national(&units.list, &geodata::ValueTable::new()).unit;
    let hit = params.str("parent").is_none()
        && q.as_deref().is_none_or(|q| {
            n.code.starts_with(&q.to_uppercase())
                || geodata::fold(&n.name).contains(&geodata::fold(q))
                || geodata::fold(geodata::NATIONAL_NAME_EN).contains(&geodata::fold(q))
        });
    let items: Vec<geodata::UnitInfo> = if hit { vec![n] } else { Vec::new() };
    Ok(geodata::UnitPage {
        total: items.len() as i64,
        items: items
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect(),
    })
}

/// A parent in a unit's chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParentItem {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: String,
}

/// One unit with its values in one period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitDetail {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: String,
    /// Boundary version (the period's).
    pub version: String,
    /// Geodesic area in km².
    pub area_km2: f64,
    /// Parent chain, nearest first.
    pub parents: Vec<ParentItem>,
    /// Number of units one level down.
    pub children_count: usize,
    /// The period of the values.
    pub period: String,
    /// Its revision.
    pub revision: i64,
    /// Every indicator the caller may see (`null` where missing).
    #[schema(value_type = Object)]
    pub values: Map<String, Value>,
}

/// The query of `GET /api/v1/units/{code}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct UnitDetailQuery {
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// `GET /api/v1/units/{code}?period=`.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}",
    tag = "units",
    params(
        ("code" = String, Path, description = "Unit code, e.g. `01`", example = "01"),
        UnitDetailQuery
    ),
    responses(
        (status = 200, description = "OK", content((UnitDetail = "application/json"), (String = "text/csv"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn detail(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    code: Result<Path<String>, PathRejection>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = crate::http::query::path(code)?;
    params.allow_for::<UnitDetailQuery>()?;
    let format = params.format(&headers)?;
    let published = st.published.load_full();
    let (_, snap) = published.snapshot(params.str("period"), Some("period"))?;
    let units = st.api.units.get(&st.store, &snap.version).await?;
    let mut values = st.tiles.values(&st.store, snap.id).await?;
    // `VN`: the national row, summed from the provinces (its children).
    let national = (code == geodata::NATIONAL_CODE).then(|| {
        let n = geodata::national(&units.list, &values);
        values = std::sync::Arc::new(n.table());
        n.unit
    });
    let unit = national
        .as_ref()
        .or_else(|| units.get(&code))
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no unit '{code}' in boundary version '{}' (the version of {})",
                snap.version, snap.period
            ))
        })?;
    let ids = select(&st.catalog, &caller, None)?;
    let out = UnitDetail {
        code: unit.code.clone(),
        name: unit.name.clone(),
        level: unit.level.to_string(),
        version: snap.version.clone(),
        area_km2: unit.area_km2,
        parents: units
            .parents(unit)
            .into_iter()
            .map(|p| ParentItem {
                code: p.code.clone(),
                name: p.name.clone(),
                level: p.level.to_string(),
            })
            .collect(),
        children_count: units
            .list
            .iter()
            .filter(|u| match national {
                Some(_) => u.level == geodata::Level::Province,
                None => u.parent_code.as_deref() == Some(code.as_str()),
            })
            .count(),
        period: snap.period.to_string(),
        revision: snap.revision,
        values: values_map(
            &st.catalog,
            &ids,
            values.get(&unit.code),
            unit.area_km2,
            snap.period.month_count(),
        ),
    };
    reply(&headers, &caller, format, &out, || Some(detail_table(&out)))
}

/// The CSV of one unit: one row per indicator.
fn detail_table(out: &UnitDetail) -> Table {
    Table {
        columns: ["code", "period", "revision", "indicator", "value"]
            .map(String::from)
            .to_vec(),
        rows: out
            .values
            .iter()
            .map(|(k, v)| {
                vec![
                    Some(out.code.clone()),
                    Some(out.period.clone()),
                    Some(out.revision.to_string()),
                    Some(k.clone()),
                    crate::http::reply::cell(v),
                ]
            })
            .collect(),
    }
}
