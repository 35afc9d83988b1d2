//! `/api/v1/units` (search a version's units) and `/api/v1/units/{code}` (one unit, its parent
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
    /// Boundary version.
    pub version: String,
    /// Geodesic area in km².
    pub area_km2: f64,
}

/// A page of units.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitList {
    /// The units, by level (top first) then code.
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
    /// Boundary version (default: the newest period's)
    pub version: Option<String>,
    /// Only this level: `country` (the national row `VN`), `province`, `district` or `commune`; `region` is refused (no regions are defined in the catalog)
    pub level: Option<String>,
    /// Only the children of this unit code
    pub parent: Option<String>,
    /// Name (accents and case ignored: `ha noi` finds Hà Nội) or code prefix
    pub q: Option<String>,
    /// Page size, 1 to 1000 (default 100)
    pub limit: Option<i64>,
    /// Rows skipped (default 0)
    pub offset: Option<i64>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// `GET /api/v1/units?version=&level=&parent=&q=&limit=&offset=`.
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
    let page = match level {
        Some(geodata::Level::Region) => {
            return Err(crate::state::published::no_regions(
                published.version(&version),
            ));
        }
        Some(geodata::Level::Country) => {
            national_page(&st, &version, &params, q, limit, offset).await?
        }
        _ => {
            st.store
                .find_units(&UnitQuery {
                    version: version.clone(),
                    level,
                    parent: params.str("parent").map(str::to_string),
                    q,
                    limit,
                    offset,
                })
                .await?
        }
    };
    let out = UnitList {
        items: page
            .items
            .into_iter()
            .map(|u| UnitItem {
                code: u.code,
                name: u.name,
                level: u.level.to_string(),
                parent_code: u.parent_code,
                version: version.clone(),
                area_km2: u.area_km2,
            })
            .collect(),
        total: page.total,
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
    /// `latest` (default: the newest month), a period (`2025-06`, `2025-Q3`, `2025`: its newest revision) or one revision (`2025-06@r2`)
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
