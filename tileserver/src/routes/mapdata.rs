//! What the web map joins to boundary tiles: per-period values of one level
//! (`/api/v1/map/values`) and the list of mappable indicators with their cartographic defaults
//! (`/api/v1/map/indicators`); their classification is in [`crate::routes::classes`].
//!
//! Answers are JSON with a strong ETag (304 on a match); a period naming one revision
//! (`2025-06@r2`) is cached as immutable, `latest` and a bare period for 60 s.

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use geodata::feature_id;
use geodata::{AREA, Access};
use geodata::{Catalog, Level, Method, UnitInfo};
use geodata::{Snapshot, ValueTable};
use serde::Serialize;

use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::json_response;
use crate::routes::palette::StyleConfig;
use crate::state::AppState;
use crate::state::published::{PeriodRef, revision_name};

/// The value of public indicator `id` for one unit (base counts as numbers, derived ones
/// evaluated from the unit's sums); `None` when not reported or not computable.
pub fn value_of(
    catalog: &Catalog,
    id: &str,
    values: &ValueTable,
    unit: &UnitInfo,
    months: u32,
) -> Option<f64> {
    let vals = values.get(&unit.code)?;
    if catalog.base(id).is_some() {
        return vals.get(id).map(|v| *v as f64);
    }
    let d = catalog.derived(id)?;
    let get = |k: &str| {
        if k == AREA {
            Some(unit.area_km2)
        } else {
            vals.get(k).map(|v| *v as f64)
        }
    };
    d.evaluate(get, months).map(|v| v.value)
}

/// Whether public indicator `id`'s value for `unit` is flagged unstable by the catalog's min_*
/// rule ([`geodata::DerivedIndicator::evaluate`], the rule behind the tiles' `*_unstable`
/// fields); base counts and values not computable never are.
pub fn unstable_of(
    catalog: &Catalog,
    id: &str,
    values: &ValueTable,
    unit: &UnitInfo,
    months: u32,
) -> bool {
    let (Some(d), Some(vals)) = (catalog.derived(id), values.get(&unit.code)) else {
        return false;
    };
    let get = |k: &str| {
        if k == AREA {
            Some(unit.area_km2)
        } else {
            vals.get(k).map(|v| *v as f64)
        }
    };
    d.evaluate(get, months).is_some_and(|v| v.unstable)
}

/// What `indicator` (and each item of `indicators`) of the map routes allows.
pub const PUBLIC_INDICATOR: &str = "a public indicator id (see /api/v1/map/indicators)";

/// Checks that `id`, given in query parameter `parameter`, is a public indicator: a restricted
/// one is 401 without an API key (as everywhere) and 403 with one (the map serves public
/// indicators only); an unknown one 400 naming it.
pub fn public_indicator(
    catalog: &Catalog,
    id: &str,
    parameter: &str,
    caller: &Caller,
) -> Result<(), ApiError> {
    let access = catalog
        .base(id)
        .map(|b| b.access)
        .or_else(|| catalog.derived(id).map(|d| d.access));
    match access {
        Some(Access::Public) => Ok(()),
        Some(_) if !caller.unlocks_restricted() => Err(ApiError::restricted(id)),
        Some(_) => Err(ApiError::Forbidden(format!(
            "indicator '{id}' is restricted: the map serves public indicators only; \
             the data API (/api/v1) serves it with your key"
        ))),
        None => Err(ApiError::bad_request(
            parameter,
            PUBLIC_INDICATOR,
            format!("unknown indicator '{id}' (see /api/v1/map/indicators)"),
        )),
    }
}

/// The snapshot a `period` query names (`latest` when absent).
pub fn snapshot_for(
    st: &AppState,
    period: Option<&String>,
) -> Result<(PeriodRef, Snapshot), ApiError> {
    st.published
        .load()
        .snapshot(period.map(String::as_str), None)
}

/// The `version` query: the boundary version a period is shown on (`None`: its own one);
/// 400 for an unknown version. Harmonising needs a stored crosswalk (400 later otherwise).
pub fn target_for(
    st: &AppState,
    snap: &Snapshot,
    version: Option<&String>,
) -> Result<Option<String>, ApiError> {
    let Some(v) = version.filter(|v| **v != snap.version) else {
        return Ok(None);
    };
    st.published.load().known_version(v)?;
    Ok(Some(v.clone()))
}

/// The `level` query (province when absent); 400 for a level the version shown lacks and for
/// `region` (none are defined); `country` is the national row (see [`level_values`]).
pub fn level_for(
    st: &AppState,
    snap: &Snapshot,
    target: Option<&str>,
    level: Option<&String>,
) -> Result<Level, ApiError> {
    let level: Level = match level {
        None => Level::Province,
        Some(l) => l.parse().map_err(|_| {
            ApiError::bad_request(
                "level",
                crate::http::query::level_names(),
                format!("unknown level '{l}'"),
            )
        })?,
    };
    let published = st.published.load();
    let version = target.unwrap_or(&snap.version);
    match level {
        Level::Country => return Ok(level),
        Level::Region => {
            return Err(crate::state::published::no_regions(
                published.version(version),
            ));
        }
        _ => {}
    }
    let levels = published
        .version(version)
        .map_or(&[][..], |v| &v.levels[..]);
    if !levels.contains(&level) {
        return Err(ApiError::bad_request(
            "level",
            levels.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            format!(
                "boundary version '{version}' of period {} has no {level} level",
                revision_name(snap)
            ),
        ));
    }
    Ok(level)
}

/// Units of one level of the snapshot's version with the values of `indicators`.
pub struct LevelValues {
    /// The units, in code order.
    pub units: Vec<UnitInfo>,
    /// One column per indicator, aligned with `units`.
    pub columns: Vec<Vec<Option<f64>>>,
    /// One column per indicator, aligned with `units`: whether the value is flagged unstable
    /// ([`unstable_of`]).
    pub unstable: Vec<Vec<bool>>,
    /// Each unit's WGS84 bounding box `[w, s, e, n]`, aligned with `units`.
    pub bboxes: Vec<Option<[f64; 4]>>,
    /// Whether each unit's values rest on a split estimate (harmonised periods), aligned.
    pub estimated: Vec<bool>,
}

/// Reads the units of `level` and evaluates `indicators` (checked public) on them: on the
/// snapshot's own version, or on `target` through the crosswalk (harmonised). `country` is the
/// national row: one unit `VN` summed from the provinces ([`geodata::national`]; harmonising
/// moves values between units but keeps the total, so it is never an estimate).
pub async fn level_values(
    st: &AppState,
    snap: &Snapshot,
    target: Option<&str>,
    level: Level,
    indicators: &[String],
) -> Result<LevelValues, ApiError> {
    let src = st
        .tiles
        .source(&st.store, target.unwrap_or(&snap.version))
        .await?;
    Ok(match target {
        Some(t) => {
            let h = st.tiles.harmonised(&st.store, &st.catalog, snap, t).await?;
            columns_of(
                st,
                &src,
                snap,
                level,
                indicators,
                &h.values,
                Some(&h.estimated),
            )
        }
        None => {
            let own = st.tiles.values(&st.store, snap.id).await?;
            columns_of(st, &src, snap, level, indicators, &own, None)
        }
    })
}

/// The units of `level` in `src` with the values of `indicators` from `values` (the
/// snapshot's own, or harmonised onto `src`'s version with the `estimated` units).
pub fn columns_of(
    st: &AppState,
    src: &geodata::TileSource,
    snap: &Snapshot,
    level: Level,
    indicators: &[String],
    values: &ValueTable,
    estimated: Option<&std::collections::BTreeSet<String>>,
) -> LevelValues {
    let (units, bboxes, national) = units_of(src, level, values);
    let values = national.as_ref().unwrap_or(values);
    let months = snap.period.month_count();
    let column = |f: &dyn Fn(&str, &UnitInfo) -> bool| -> Vec<Vec<bool>> {
        indicators
            .iter()
            .map(|id| units.iter().map(|u| f(id, u)).collect())
            .collect()
    };
    let columns = indicators
        .iter()
        .map(|id| {
            units
                .iter()
                .map(|u| value_of(&st.catalog, id, values, u, months))
                .collect()
        })
        .collect();
    let unstable = column(&|id, u| unstable_of(&st.catalog, id, values, u, months));
    let estimated = units
        .iter()
        .map(|u| estimated.is_some_and(|e| e.contains(&u.code)))
        .collect();
    LevelValues {
        units,
        columns,
        unstable,
        bboxes,
        estimated,
    }
}

/// The units of `level` in `src`, in code order, with their WGS84 boxes; for `country` the
/// national row (its box the provinces' union) and its one-row value table.
fn units_of(
    src: &geodata::TileSource,
    level: Level,
    values: &ValueTable,
) -> (Vec<UnitInfo>, Vec<Option<[f64; 4]>>, Option<ValueTable>) {
    let mut picked: Vec<(usize, &UnitInfo)> = src
        .units()
        .iter()
        .enumerate()
        // The country is summed from the provinces: pick them for its box.
        .filter(|(_, u)| u.level == level.max(Level::Province))
        .collect();
    picked.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    let bboxes = picked.iter().map(|(i, _)| src.bbox_degrees(*i));
    if level == Level::Country {
        let n = geodata::national(src.units(), values);
        let union = bboxes.flatten().reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        });
        let table = n.table();
        return (vec![n.unit], vec![union], Some(table));
    }
    let bboxes = bboxes.collect();
    (
        picked.into_iter().map(|(_, u)| u.clone()).collect(),
        bboxes,
        None,
    )
}

/// The answer of `/api/v1/map/values`: one level's units as parallel columns (index `i` of
/// every column is the unit `codes[i]`). Fields are in alphabetical order, the order of the
/// keys of the `serde_json` object this answer was built as before it had a schema.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MapValues {
    /// Each unit's WGS84 bounding box `[w, s, e, n]`, rounded to 4 decimals (`null` for a unit
    /// without geometry); only with `bbox=1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bbox: Option<Vec<Option<[f64; 4]>>>,
    /// Unit codes, in code order.
    pub codes: Vec<String>,
    /// Whether each unit's values rest on a split estimate; only when `version` harmonises the
    /// period onto another boundary version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated: Option<Vec<bool>>,
    /// Feature ids of the units in the boundary tiles (`level depth × 10⁹ + code`; `null` for a
    /// code that is not a number).
    pub ids: Vec<Option<u64>>,
    /// Present and true when the period was published as partial (`popmap publish
    /// --partial`): totals above the communes miss the communes not reported.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    /// The level of the units.
    pub level: String,
    /// Unit names.
    pub names: Vec<String>,
    /// Parent codes (`null` at the top).
    pub parents: Vec<Option<String>>,
    /// The period.
    pub period: String,
    /// The boundary version the period's values were reported on.
    pub reported_on: String,
    /// The revision served.
    pub revision: i64,
    /// Whether the values are synthetic demo data.
    pub synthetic: bool,
    /// One column per indicator asked for, aligned with `codes`: whether the value rests on
    /// small numbers (the catalog's min_* rule, the tiles' `*_unstable` fields; always false
    /// for base counts).
    pub unstable: std::collections::BTreeMap<String, Vec<bool>>,
    /// One column per indicator asked for (`null` where a unit has no value).
    pub values: std::collections::BTreeMap<String, Vec<Option<f64>>>,
    /// The boundary version the units belong to (`version`, else `reported_on`).
    pub version: String,
}

/// The query of `GET /api/v1/map/values`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct MapValuesQuery {
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// `country` (one row, `VN`: the provinces summed), `province`, `district` or `commune` (default province); `region` is refused (no regions are defined in the catalog)
    pub level: Option<String>,
    /// Comma-separated public indicator ids, one value column each (default: none, only the units)
    pub indicators: Option<String>,
    /// `1` adds each unit's bounding box, `0` (default) does not
    pub bbox: Option<String>,
    /// Show the period on this boundary version, harmonised through the crosswalk (default: the period's own)
    pub version: Option<String>,
}

/// `GET /api/v1/map/values?period=&level=&indicators=a,b[&bbox=1]`: codes, names, parents,
/// feature ids and value columns of one level, for feature-state joins on boundary tiles
/// (`bbox=1` adds each unit's bounding box, rounded to 4 decimals, for search).
#[utoipa::path(
    get,
    path = "/api/v1/map/values",
    tag = "map",
    params(MapValuesQuery),
    responses(
        (status = 200, description = "OK", body = MapValues, content_type = "application/json"),
        crate::routes::api::openapi::ErrorResponses,
    )
)]
pub async fn values(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    q.allow_for::<MapValuesQuery>()?;
    let with_bbox = match q.get("bbox").map(String::as_str) {
        None | Some("0") => false,
        Some("1") => true,
        Some(b) => {
            return Err(ApiError::bad_request(
                "bbox",
                ["0", "1"],
                format!("bbox='{b}': use 0 or 1"),
            ));
        }
    };
    let (pref, snap) = snapshot_for(&st, q.get("period"))?;
    let target = target_for(&st, &snap, q.get("version"))?;
    let level = level_for(&st, &snap, target.as_deref(), q.get("level"))?;
    let indicators: Vec<String> = match q.get("indicators") {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        None => Vec::new(),
    };
    for id in &indicators {
        public_indicator(&st.catalog, id, "indicators", &caller)?;
    }
    let lv = level_values(&st, &snap, target.as_deref(), level, &indicators).await?;
    let round = |v: f64| (v * 1e4).round() / 1e4;
    let body = MapValues {
        bbox: with_bbox.then(|| lv.bboxes.iter().map(|b| b.map(|b| b.map(round))).collect()),
        codes: lv.units.iter().map(|u| u.code.clone()).collect(),
        estimated: target.is_some().then_some(lv.estimated),
        ids: lv
            .units
            .iter()
            .map(|u| feature_id(level, &u.code))
            .collect(),
        incomplete: !snap.complete,
        level: level.as_str().to_string(),
        names: lv.units.iter().map(|u| u.name.clone()).collect(),
        parents: lv.units.iter().map(|u| u.parent_code.clone()).collect(),
        period: snap.period.to_string(),
        reported_on: snap.version.clone(),
        revision: snap.revision,
        synthetic: st.config.synthetic,
        unstable: indicators.iter().cloned().zip(lv.unstable).collect(),
        values: indicators.iter().cloned().zip(lv.columns).collect(),
        version: target.as_deref().unwrap_or(&snap.version).to_string(),
    };
    Ok(json_response(
        &headers,
        serde_json::to_vec(&body).expect("JSON of plain values"),
        pref.is_immutable(),
    ))
}

/// One mappable indicator of `/api/v1/map/indicators`, with its map defaults. Fields are in
/// alphabetical order, the order of the keys of the `serde_json` object this entry was built as
/// before it had a schema.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MapIndicator {
    /// What the indicator means: definition, formula in words, source, caveats (VI/EN).
    pub about: crate::routes::api::indicators::AboutEntry,
    /// A base count (true) or a value derived from counts (false).
    pub base: bool,
    /// Whether the indicator has fixed breaks configured (`method=fixed` is possible).
    pub fixed: bool,
    /// Whether the indicator is a field of the H3 tiles (`/tiles/h3/…`, `level=h3`); an age
    /// indicator of the `ages=1` tiles, in periods with age groups.
    pub h3: bool,
    /// Whether the values are made of the age × sex groups: only periods whose `ages` is true in
    /// `/api/v1/periods` have them.
    pub ages: bool,
    /// The indicator id.
    pub id: String,
    /// Default number of classes.
    pub k: usize,
    /// The class counts `k=` accepts, lowest and highest: `[2, 9]`.
    pub k_range: [usize; 2],
    /// Default classification method: `quantile`, `equal_interval`, `jenks` or `fixed`.
    #[schema(value_type = String)]
    pub method: Method,
    /// The methods `method=` accepts for this indicator: `quantile`, `equal_interval`, `jenks`,
    /// and `fixed` only where fixed breaks are configured.
    pub methods: Vec<&'static str>,
    /// English name.
    pub name_en: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// The normal band `[low, high)` shown in the legend, if any (e.g. 103–107 for the SRB).
    pub normal: Option<[f64; 2]>,
    /// ColorBrewer palette name.
    pub palette: String,
    /// The level × granularity where the values are stable enough to map by default (noisy
    /// ratios: e.g. the SRB by province and year); `null` = any.
    pub stable: Option<StableView>,
    /// The named style of `/styles/{name}.json` that maps it on admin tiles, if any.
    pub style: Option<String>,
    /// Unit (Vietnamese).
    pub unit: String,
    /// Unit (English).
    pub unit_en: String,
}

/// Where a noisy indicator is stable enough to map by default.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StableView {
    /// `province`, `district` or `commune`.
    pub level: String,
    /// `month`, `quarter` or `year`.
    pub granularity: String,
}

/// The answer of `/api/v1/map/indicators` (keys in alphabetical order, as [`MapIndicator`]).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MapIndicators {
    /// Public indicators: derived ones first, then base counts, each in catalog order; the age
    /// × sex groups are not listed (see `group` in /api/v1/indicators).
    pub indicators: Vec<MapIndicator>,
    /// Whether the values served are synthetic demo data.
    pub synthetic: bool,
}

/// `GET /api/v1/map/indicators`: public indicators with names, units and map defaults.
#[utoipa::path(
    get,
    path = "/api/v1/map/indicators",
    tag = "map",
    responses(
        (status = 200, description = "OK", body = MapIndicators, content_type = "application/json"),
        (status = 400, description = "Any query parameter: this URL takes none", body = crate::routes::api::openapi::ErrorBody),
        (status = 401, description = "An unknown or revoked API key", body = crate::routes::api::openapi::ErrorBody),
        (status = 429, description = "Rate limit exceeded (see Retry-After)", body = crate::routes::api::openapi::ErrorBody),
        (status = 503, description = "The store cannot answer now (checking an API key)", body = crate::routes::api::openapi::ErrorBody),
    )
)]
pub async fn indicators(
    State(st): State<AppState>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow(&[])?;
    let cfg = StyleConfig::builtin();
    let on_h3 = geodata::FieldSet::all_public(&st.catalog);
    let mut out = Vec::new();
    let entry = |id: &str, vi: &str, en: &str, unit: &str, unit_en: &str, base: bool| {
        let s = cfg.indicator(id);
        let stable = st.catalog.derived(id).and_then(|d| d.stable());
        MapIndicator {
            about: st.catalog.about(id).unwrap_or_default().into(),
            base,
            fixed: !s.fixed.is_empty(),
            // Age indicators too (`ages` says they need a period with age groups): their
            // tiles come from the age grid (`ages=1`, r4–r7).
            h3: on_h3.base.iter().chain(&on_h3.derived).any(|f| f == id),
            ages: st
                .catalog
                .derived(id)
                .is_some_and(|d| st.catalog.reads_ages(d)),
            id: id.to_string(),
            k: s.k,
            k_range: crate::routes::classes::K_RANGE,
            method: s.method,
            methods: crate::routes::classes::METHODS
                .into_iter()
                .filter(|m| *m != "fixed" || !s.fixed.is_empty())
                .collect(),
            name_en: en.to_string(),
            name_vi: vi.to_string(),
            normal: s.normal,
            palette: s.palette.clone(),
            stable: stable.map(|x| StableView {
                level: x.level.to_string(),
                granularity: format!("{:?}", x.granularity).to_lowercase(),
            }),
            style: cfg
                .styles
                .iter()
                .find(|(_, n)| {
                    n.indicator == id && n.source == crate::routes::palette::StyleSource::Admin
                })
                .map(|(k, _)| k.clone()),
            unit: unit.to_string(),
            unit_en: unit_en.to_string(),
        }
    };
    for d in st
        .catalog
        .derived
        .iter()
        .filter(|d| d.access == Access::Public)
    {
        out.push(entry(
            &d.id, &d.name_vi, &d.name_en, &d.unit, &d.unit_en, false,
        ));
    }
    // The 34 age × sex groups are drawn as pyramids (their sex and ages are in
    // /api/v1/indicators), not offered as map colours: the derived age indicators are.
    for b in st
        .catalog
        .base
        .iter()
        .filter(|b| b.access == Access::Public && !b.is_age_group())
    {
        out.push(entry(
            &b.id, &b.name_vi, &b.name_en, &b.unit, &b.unit_en, true,
        ));
    }
    let body = MapIndicators {
        indicators: out,
        synthetic: st.config.synthetic,
    };
    Ok(json_response(
        &headers,
        serde_json::to_vec(&body).expect("JSON of plain values"),
        false,
    ))
}
