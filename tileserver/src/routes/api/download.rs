//! `/api/v1/download/{period}/{level}.{csv|xlsx|geojson|fgb}`: every unit of one level of a
//! period (or, with `parent=`, the descendants of one unit at that level) with its parent and
//! the values of every indicator the caller may see, as CSV (no geometry, a UTF-8 byte order
//! mark unless `bom=0`), an Excel workbook ([`super::workbook`]), GeoJSON or FlatGeobuf (the
//! full stored geometry in WGS84). `version=` shows the period on another boundary version,
//! harmonised through the crosswalk. Every file says which period, revision and boundary
//! version it holds and whether it was harmonised. Restricted indicators are included only for
//! callers with an API key. CSV and GeoJSON are streamed in pages ([`super::pages`]), never
//! held whole; a workbook and a FlatGeobuf file are made whole under a turn of the large
//! requests ([`crate::state::inflight`]) and kept in the response cache.

use std::sync::Arc;

use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use flatgeobuf::{ColumnType, FgbWriter, FgbWriterOptions, GeometryType};
use geodata::Catalog;
use geodata::{Level, Snapshot, Unit, UnitInfo, ValueTable};
use geozero::{ColumnValue, PropertyProcessor};
use serde_json::{Map, Value};

use super::indicators::{select, values_map};
use super::pages::{CSV_TYPE, CsvPages, GEOJSON_TYPE, GeoJsonPages};
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::{Prepared, ResponseCache};
use crate::http::stream;
use crate::state::AppState;
use crate::state::access::Caller;

/// A download format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Csv,
    Xlsx,
    GeoJson,
    Fgb,
}

/// The query of `GET /api/v1/download/{period}/{file}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct DownloadQuery {
    /// Comma-separated indicator ids (default: every indicator the caller may see)
    pub indicator: Option<String>,
    /// A unit code of the boundary version shown: only its descendants at the file's level (400 for an unknown code or one not above that level)
    pub parent: Option<String>,
    /// Show the period on this boundary version, harmonised through the crosswalk (default: the period's own)
    pub version: Option<String>,
    /// CSV only: `1` (default) starts the file with a UTF-8 byte order mark, so that Excel reads Vietnamese names right; `0` leaves it out
    pub bom: Option<String>,
}

/// What a downloaded file holds, besides its rows.
#[derive(Debug, Clone)]
pub struct About {
    /// The snapshot served.
    pub snapshot: Snapshot,
    /// The level of the rows.
    pub level: Level,
    /// The boundary version of the rows (the snapshot's own, or the one harmonised onto).
    pub version: String,
    /// First day `version` is in force.
    pub version_from: Option<chrono::NaiveDate>,
    /// The version the values were reported on, when harmonised onto `version`.
    pub harmonised_from: Option<String>,
    /// The `parent=` unit, when the rows are its descendants.
    pub parent: Option<UnitInfo>,
    /// Whether the values are synthetic demo data.
    pub synthetic: bool,
}

/// One row of a download: a unit, its direct parent's name and its values.
#[derive(Debug, Clone)]
pub struct Row {
    /// The unit.
    pub unit: UnitInfo,
    /// The direct parent's name (`None` at the top).
    pub parent_name: Option<String>,
    /// The values of the indicators, by id (`null` where missing).
    pub values: Map<String, Value>,
}

/// The rows of a download with what they are: the units, in code order, and the values they
/// are made from; a [`Row`] is made when it is written, so a level's rows are never all held.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Period, revision, version, harmonisation, parent.
    pub about: About,
    /// Indicator ids, in column order.
    pub ids: Vec<String>,
    /// The rows' units in code order, each with its direct parent's name.
    units: Vec<(UnitInfo, Option<String>)>,
    /// The values the rows show.
    values: Arc<ValueTable>,
    catalog: Arc<Catalog>,
    /// Months of the period (for rates).
    months: u32,
}

impl Sheet {
    /// The columns every row ends with: period, revision, boundary version, harmonisation.
    pub(super) fn meta_columns() -> [&'static str; 5] {
        [
            "period",
            "revision",
            "boundary_version",
            "harmonised",
            "harmonised_from",
        ]
    }

    /// The cells of [`Sheet::meta_columns`], the same on every row.
    pub(super) fn meta_cells(&self) -> [Value; 5] {
        let a = &self.about;
        [
            a.snapshot.period.to_string().into(),
            a.snapshot.revision.into(),
            a.version.clone().into(),
            a.harmonised_from.is_some().into(),
            a.harmonised_from.clone().unwrap_or_default().into(),
        ]
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The unit code of row `i`.
    pub fn code(&self, i: usize) -> &str {
        &self.units[i].0.code
    }

    /// Row `i` (in code order).
    pub fn row(&self, i: usize) -> Row {
        let (u, parent_name) = &self.units[i];
        Row {
            values: values_map(
                &self.catalog,
                &self.ids,
                self.values.get(&u.code),
                u.area_km2,
                self.months,
            ),
            parent_name: parent_name.clone(),
            unit: u.clone(),
        }
    }

    /// Every row, in code order, each made when reached.
    pub fn rows(&self) -> impl Iterator<Item = Row> + '_ {
        (0..self.len()).map(|i| self.row(i))
    }
}

/// What a download shows: whose rows, on which version, under which parent, which values.
struct Ask {
    snap: Snapshot,
    target: Option<String>,
    level: Level,
    parent: Option<String>,
    ids: Vec<String>,
}

/// `GET /api/v1/download/{period}/{level}.{csv|xlsx|geojson|fgb}`.
#[utoipa::path(
    get,
    path = "/api/v1/download/{period}/{file}",
    tag = "tables",
    params(
        ("period" = String, Path, description = "`latest`, a period or one revision", example = "latest"),
        ("file" = String, Path, description = "`LEVEL.csv`, `LEVEL.xlsx`, `LEVEL.geojson` or `LEVEL.fgb`, e.g. `province.geojson`", example = "province.geojson"),
        DownloadQuery
    ),
    responses(
        (status = 200, description = "The file", content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (serde_json::Value = "application/geo+json"), (String = "application/flatgeobuf"))),
        super::openapi::ErrorResponses,
    )
)]
pub async fn download(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (period, file) = crate::http::query::path(path)?;
    params.allow_for::<DownloadQuery>()?;
    let (level, kind, ext) = parse_file(&file)?;
    let bom = params.bom()?;
    let asked = params.list("indicator")?;
    let mut ids = select(&st.catalog, &caller, asked.as_deref())?;
    let by_period = Params(std::iter::once(("period".to_string(), period)).collect());
    let (_, snap) = st
        .published
        .load()
        .snapshot(by_period.str("period"), Some("period"))?;
    if asked.is_none() && !st.published.load().ages.contains(&snap.id) {
        // A period without the age report: no 43 empty age columns unless asked for.
        ids.retain(|id| !crate::routes::api::indicators::reads_ages(&st.catalog, id));
    }
    let target = crate::routes::mapdata::target_for(&st, &snap, params.get("version"))?;
    let mut shown = snap.clone();
    shown.version = target.clone().unwrap_or_else(|| snap.version.clone());
    st.published.load().require_level(&shown, level)?;
    let key = ResponseCache::key("download", snap.id, &caller, &params, &file);
    let mut name = format!("popmap-{}-r{}-{level}", snap.period, snap.revision);
    if let Some(t) = &target {
        name.push_str(&format!("-on-{t}"));
    }
    if let Some(p) = params.str("parent") {
        name.push_str(&format!("-in-{p}"));
    }
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\""))
        .map_err(|_| bad_parent(params.str("parent").unwrap_or(""), "a unit code"))?;
    if level == Level::Country && matches!(kind, Kind::GeoJson | Kind::Fgb) {
        return Err(bad_file(format!(
            "'{file}': the national row is a table row without its own geometry: use country.csv or country.xlsx"
        )));
    }
    let ask = Ask {
        snap,
        target,
        level,
        parent: params.str("parent").map(str::to_owned),
        ids,
    };
    let mut resp = match kind {
        Kind::Csv | Kind::GeoJson => streamed(&st, &headers, &caller, key, kind, bom, ask).await?,
        Kind::Xlsx | Kind::Fgb => {
            let answer = match st.api.responses.get(&key).await {
                Some(hit) => hit,
                None => {
                    // Made whole: the workbook writer and FlatGeobuf's index need every row.
                    let _turn = st.large.turn(&file).await?;
                    let sheet = sheet(&st, ask).await?;
                    let prepared = build(&st, kind, name, sheet).await?;
                    st.api.responses.put(key, prepared).await
                }
            };
            answer.send(&headers, &caller)
        }
    };
    resp.headers_mut()
        .insert(header::CONTENT_DISPOSITION, disposition);
    Ok(resp)
}

/// A CSV or GeoJSON download streamed in pages ([`crate::http::stream`]): its length and
/// ETag read once (a 304 from them when the client holds the file), then its pages as sent.
async fn streamed(
    st: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    key: String,
    kind: Kind,
    bom: bool,
    ask: Ask,
) -> Result<Response, ApiError> {
    if let Some(d) = st.api.digests.get(&key).await
        && let Some(held) = stream::not_modified(headers, caller, &d)
    {
        return Ok(held);
    }
    let sheet = Arc::new(sheet(st, ask).await?);
    Ok(if kind == Kind::Csv {
        let pages = Arc::new(CsvPages { sheet, bom });
        let d = st.api.digests.of(&key, &*pages).await?;
        stream::send(headers, caller, CSV_TYPE, pages, &d)
    } else {
        let store = st.store.clone();
        let pages = Arc::new(GeoJsonPages { sheet, store });
        let d = st.api.digests.of(&key, &*pages).await?;
        stream::send(headers, caller, GEOJSON_TYPE, pages, &d)
    })
}

/// A 400 about the `file` path segment.
fn bad_file(message: String) -> ApiError {
    ApiError::bad_request(
        "file",
        format!(
            "LEVEL.csv, LEVEL.xlsx, LEVEL.geojson or LEVEL.fgb, LEVEL one of {}",
            crate::http::query::level_names().join(", ")
        ),
        message,
    )
}

/// A 400 about `parent=`.
fn bad_parent(code: &str, why: &str) -> ApiError {
    ApiError::bad_request(
        "parent",
        "a unit code of the boundary version shown, above the file's level",
        format!("parent='{code}': {why}"),
    )
}

/// `LEVEL.EXT` of the path: the level, the format and the extension.
fn parse_file(file: &str) -> Result<(Level, Kind, &str), ApiError> {
    let (level, ext) = file.rsplit_once('.').ok_or_else(|| {
        bad_file(format!(
            "'{file}': name the file LEVEL.csv, .xlsx, .geojson or .fgb"
        ))
    })?;
    let kind = match ext {
        "csv" => Kind::Csv,
        "xlsx" => Kind::Xlsx,
        "geojson" => Kind::GeoJson,
        "fgb" => Kind::Fgb,
        _ => {
            return Err(bad_file(format!(
                "'{file}': the format must be csv, xlsx, geojson or fgb"
            )));
        }
    };
    let level: Level = level
        .parse()
        .map_err(|e: geodata::UnknownLevel| bad_file(e.to_string()))?;
    Ok((level, kind, ext))
}

/// The rows of `ask.level` on `ask.target` (else the snapshot's own version), under
/// `ask.parent` when given, with the values of `ask.ids`.
async fn sheet(st: &AppState, ask: Ask) -> Result<Sheet, ApiError> {
    let Ask {
        snap,
        target,
        level,
        parent,
        ids,
    } = ask;
    let version = target.clone().unwrap_or_else(|| snap.version.clone());
    let mut values = match &target {
        Some(t) => {
            let h = st
                .tiles
                .harmonised(&st.store, &st.catalog, &snap, t)
                .await?;
            Arc::new(h.values.clone())
        }
        None => st.tiles.values(&st.store, snap.id).await?,
    };
    let units = st.api.units.get(&st.store, &version).await?;
    let parent = match parent.as_deref() {
        None => None,
        Some(code) => {
            let p = units
                .get(code)
                .ok_or_else(|| bad_parent(code, "no such unit on this boundary version"))?;
            if p.level >= level {
                return Err(bad_parent(
                    code,
                    &format!("a {} is not above {level}", p.level),
                ));
            }
            Some(p.clone())
        }
    };
    // country: the national row, summed from the provinces (geodata::national).
    let national = (level == Level::Country).then(|| {
        let n = geodata::national(&units.list, &values);
        values = Arc::new(n.table());
        n.unit
    });
    let mut rows: Vec<(UnitInfo, Option<String>)> = units
        .list
        .iter()
        .chain(&national)
        .filter(|u| u.level == level)
        .filter(|u| {
            parent
                .as_ref()
                .is_none_or(|p| units.parents(u).iter().any(|a| a.code == p.code))
        })
        .map(|u| {
            let parent_name = u
                .parent_code
                .as_deref()
                .and_then(|c| units.get(c))
                .map(|p| p.name.clone());
            (u.clone(), parent_name)
        })
        .collect();
    rows.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    let published = st.published.load();
    Ok(Sheet {
        about: About {
            version_from: published.version(&version).map(|v| v.valid_from),
            harmonised_from: target.is_some().then(|| snap.version.clone()),
            snapshot: snap.clone(),
            level,
            version,
            parent,
            synthetic: st.config.synthetic,
        },
        months: snap.period.month_count(),
        catalog: st.catalog.clone(),
        ids,
        units: rows,
        values,
    })
}

/// The file of `kind` (a workbook or FlatGeobuf: made whole) from `sheet`, the geometry read
/// for FlatGeobuf, off the async threads.
async fn build(
    st: &AppState,
    kind: Kind,
    title: String,
    sheet: Sheet,
) -> Result<Prepared, ApiError> {
    let units: Vec<Unit> = match kind {
        Kind::Fgb => {
            let mut units: Vec<Unit> = st
                .store
                .units_with_geometry(&sheet.about.version)
                .await?
                .into_iter()
                .filter(|u| u.level == sheet.about.level)
                .collect();
            // Only the rows' units (`parent=` picks some), in the rows' (code) order.
            let codes: std::collections::HashSet<&str> =
                sheet.units.iter().map(|(u, _)| u.code.as_str()).collect();
            units.retain(|u| codes.contains(u.code.as_str()));
            units.sort_by(|a, b| a.code.cmp(&b.code));
            if units.len() != sheet.len() {
                return Err(ApiError::Internal(format!(
                    "{} units of {} without geometry",
                    sheet.len() - units.len(),
                    sheet.about.version
                )));
            }
            units
        }
        Kind::Csv | Kind::Xlsx | Kind::GeoJson => Vec::new(),
    };
    let catalog = st.catalog.clone();
    tokio::task::spawn_blocking(move || -> Result<Prepared, ApiError> {
        Ok(match kind {
            Kind::Fgb => Prepared::new(
                "application/flatgeobuf",
                fgb_file(&catalog, &title, &units, &sheet)?,
            ),
            _ => Prepared::new(
                super::workbook::CONTENT_TYPE,
                super::workbook::workbook(&catalog, &sheet)?,
            ),
        })
    })
    .await
    .map_err(|e| ApiError::Internal(format!("download build failed: {e}")))?
}

/// The FlatGeobuf columns: the unit's, then one per indicator (counts as integers).
fn fgb_columns(w: &mut FgbWriter, catalog: &Catalog, ids: &[String]) {
    w.add_column("code", ColumnType::String, |_, c| c.nullable = false);
    w.add_column("name", ColumnType::String, |_, c| c.nullable = false);
    w.add_column("level", ColumnType::String, |_, c| c.nullable = false);
    w.add_column("parent_code", ColumnType::String, |_, _| {});
    w.add_column("area_km2", ColumnType::Double, |_, c| c.nullable = false);
    for id in ids {
        let t = if catalog.base(id).is_some() {
            ColumnType::Long
        } else {
            ColumnType::Double
        };
        w.add_column(id, t, |_, _| {});
    }
}

fn fgb_file(
    catalog: &Catalog,
    title: &str,
    units: &[Unit],
    sheet: &Sheet,
) -> Result<Vec<u8>, ApiError> {
    let ids = &sheet.ids;
    let fail = |e: flatgeobuf::Error| ApiError::Internal(format!("writing FlatGeobuf: {e}"));
    let mut w = FgbWriter::create_with_options(
        title,
        GeometryType::MultiPolygon,
        FgbWriterOptions {
            crs: flatgeobuf::FgbCrs {
                code: 4326,
                ..Default::default()
            },
            title: Some(title),
            ..Default::default()
        },
    )
    .map_err(fail)?;
    fgb_columns(&mut w, catalog, ids);
    for (
        u,
        Row {
            unit: info,
            values: vals,
            ..
        },
    ) in units.iter().zip(sheet.rows())
    {
        let mut err = None;
        w.add_feature_geom(geo_types::Geometry::MultiPolygon(u.geometry.clone()), |f| {
            let mut put = |i: usize, name: &str, v: &ColumnValue| {
                if let Err(e) = f.property(i, name, v) {
                    err.get_or_insert(e);
                }
            };
            put(0, "code", &ColumnValue::String(&info.code));
            put(1, "name", &ColumnValue::String(&info.name));
            put(2, "level", &ColumnValue::String(info.level.as_str()));
            if let Some(p) = &info.parent_code {
                put(3, "parent_code", &ColumnValue::String(p));
            }
            put(4, "area_km2", &ColumnValue::Double(info.area_km2));
            for (k, id) in ids.iter().enumerate() {
                match &vals[id] {
                    Value::Number(n) if catalog.base(id).is_some() => {
                        put(
                            5 + k,
                            id,
                            &ColumnValue::Long(n.as_i64().unwrap_or_default()),
                        );
                    }
                    Value::Number(n) => {
                        put(
                            5 + k,
                            id,
                            &ColumnValue::Double(n.as_f64().unwrap_or_default()),
                        );
                    }
                    _ => {}
                }
            }
        })
        .map_err(|e| ApiError::Internal(format!("unit {}: FlatGeobuf: {e}", u.code)))?;
        if let Some(e) = err {
            return Err(ApiError::Internal(format!(
                "unit {}: FlatGeobuf: {e}",
                u.code
            )));
        }
    }
    let mut out = Vec::new();
    w.write(&mut out).map_err(fail)?;
    Ok(out)
}
