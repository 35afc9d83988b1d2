//! `/api/v1/download/{period}/{level}.{csv|geojson|fgb}`: one level's units of a period with
//! their values, as CSV (no geometry), GeoJSON or FlatGeobuf (WGS84, with the spatial index),
//! for GIS tools. Restricted indicators are included only for callers with an API key.

use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use flatgeobuf::{ColumnType, FgbWriter, FgbWriterOptions, GeometryType};
use geodata::Catalog;
use geodata::{Level, Unit};
use geozero::{ColumnValue, PropertyProcessor, ToJson};
use serde_json::{Map, Value};

use super::indicators::{select, values_map};
use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::{Prepared, ResponseCache, Table, cell};
use crate::state::AppState;
use crate::state::access::Caller;

/// A download format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Csv,
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
}

/// `GET /api/v1/download/{period}/{level}.{csv|geojson|fgb}`.
#[utoipa::path(
    get,
    path = "/api/v1/download/{period}/{file}",
    tag = "tables",
    params(
        ("period" = String, Path, description = "`latest`, a period or one revision", example = "latest"),
        ("file" = String, Path, description = "`LEVEL.csv`, `LEVEL.geojson` or `LEVEL.fgb`, e.g. `province.geojson`", example = "province.geojson"),
        DownloadQuery
    ),
    responses(
        (status = 200, description = "The file", content((String = "text/csv"), (serde_json::Value = "application/geo+json"), (String = "application/flatgeobuf"))),
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
    let bad_file = |message: String| {
        ApiError::bad_request(
            "file",
            format!(
                "LEVEL.csv, LEVEL.geojson or LEVEL.fgb, LEVEL one of {}",
                crate::http::query::level_names().join(", ")
            ),
            message,
        )
    };
    let (level, ext) = file.rsplit_once('.').ok_or_else(|| {
        bad_file(format!(
            "'{file}': name the file LEVEL.csv, .geojson or .fgb"
        ))
    })?;
    let kind = match ext {
        "csv" => Kind::Csv,
        "geojson" => Kind::GeoJson,
        "fgb" => Kind::Fgb,
        _ => {
            return Err(bad_file(format!(
                "'{file}': the format must be csv, geojson or fgb"
            )));
        }
    };
    let level: Level = level
        .parse()
        .map_err(|e: geodata::UnknownLevel| bad_file(e.to_string()))?;
    let asked = params.list("indicator")?;
    let ids = select(&st.catalog, &caller, asked.as_deref())?;
    let published = st.published.load_full();
    let by_period = Params(std::iter::once(("period".to_string(), period)).collect());
    let (_, snap) = published.snapshot(by_period.str("period"), Some("period"))?;
    published.require_level(&snap, level)?;
    let key = ResponseCache::key("download", snap.id, &caller, &params, &file);
    let name = format!("popmap-{}-r{}-{level}", snap.period, snap.revision);
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\""))
        .map_err(|e| ApiError::Internal(format!("file name header: {e}")))?;
    if let Some(hit) = st.api.responses.get(&key).await {
        let mut resp = hit.send(&headers, &caller);
        resp.headers_mut()
            .insert(header::CONTENT_DISPOSITION, disposition);
        return Ok(resp);
    }
    if level == Level::Country && kind != Kind::Csv {
        return Err(bad_file(format!(
            "'{file}': the national row is a table row without its own geometry: use country.csv"
        )));
    }
    let mut values = st.tiles.values(&st.store, snap.id).await?;
    let months = snap.period.month_count();
    let units = st.api.units.get(&st.store, &snap.version).await?;
    // country.csv: the national row, summed from the provinces (geodata::national).
    let national = (level == Level::Country).then(|| {
        let n = geodata::national(&units.list, &values);
        values = std::sync::Arc::new(n.table());
        n.unit
    });
    let rows: Vec<(geodata::UnitInfo, Map<String, Value>)> = units
        .list
        .iter()
        .chain(&national)
        .filter(|u| u.level == level)
        .map(|u| {
            let v = values_map(&st.catalog, &ids, values.get(&u.code), u.area_km2, months);
            (u.clone(), v)
        })
        .collect();
    let (body, content_type) = match kind {
        Kind::Csv => (csv_table(&ids, &rows).to_csv()?, "text/csv; charset=utf-8"),
        Kind::GeoJson | Kind::Fgb => {
            let mut units: Vec<Unit> = st
                .store
                .units_with_geometry(&snap.version)
                .await?
                .into_iter()
                .filter(|u| u.level == level)
                .collect();
            units.sort_by(|a, b| a.code.cmp(&b.code));
            let catalog = st.catalog.clone();
            let fgb = kind == Kind::Fgb;
            let title = name.clone();
            tokio::task::spawn_blocking(move || {
                if fgb {
                    fgb_file(&catalog, &title, &ids, &units, &rows)
                        .map(|b| (b, "application/flatgeobuf"))
                } else {
                    geojson(&units, &rows).map(|b| (b, "application/geo+json"))
                }
            })
            .await
            .map_err(|e| ApiError::Internal(format!("download build failed: {e}")))??
        }
    };
    let answer = st
        .api
        .responses
        .put(key, Prepared::new(content_type, body))
        .await;
    let mut resp = answer.send(&headers, &caller);
    resp.headers_mut()
        .insert(header::CONTENT_DISPOSITION, disposition);
    Ok(resp)
}

fn csv_table(ids: &[String], rows: &[(geodata::UnitInfo, Map<String, Value>)]) -> Table {
    let mut columns: Vec<String> = ["code", "name", "level", "parent_code", "area_km2"]
        .map(String::from)
        .to_vec();
    columns.extend(ids.iter().cloned());
    Table {
        columns,
        rows: rows
            .iter()
            .map(|(u, v)| {
                let mut r = vec![
                    Some(u.code.clone()),
                    Some(u.name.clone()),
                    Some(u.level.to_string()),
                    u.parent_code.clone(),
                    Some(u.area_km2.to_string()),
                ];
                r.extend(ids.iter().map(|id| cell(&v[id])));
                r
            })
            .collect(),
    }
}

/// The properties of one feature: attributes then values.
fn properties(u: &geodata::UnitInfo, values: &Map<String, Value>) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("code".into(), u.code.clone().into());
    p.insert("name".into(), u.name.clone().into());
    p.insert("level".into(), u.level.to_string().into());
    p.insert(
        "parent_code".into(),
        u.parent_code.clone().map_or(Value::Null, Value::from),
    );
    p.insert("area_km2".into(), u.area_km2.into());
    p.extend(values.clone());
    p
}

fn geojson(
    units: &[Unit],
    rows: &[(geodata::UnitInfo, Map<String, Value>)],
) -> Result<Vec<u8>, ApiError> {
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
    for (i, (u, (info, vals))) in units.iter().zip(rows).enumerate() {
        let geom = geo_types::Geometry::MultiPolygon(u.geometry.clone())
            .to_json()
            .map_err(|e| ApiError::Internal(format!("unit {}: GeoJSON: {e}", u.code)))?;
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"type\":\"Feature\",\"properties\":");
        out.push_str(&Value::Object(properties(info, vals)).to_string());
        out.push_str(",\"geometry\":");
        out.push_str(&geom);
        out.push('}');
    }
    out.push_str("]}");
    Ok(out.into_bytes())
}

fn fgb_file(
    catalog: &Catalog,
    title: &str,
    ids: &[String],
    units: &[Unit],
    rows: &[(geodata::UnitInfo, Map<String, Value>)],
) -> Result<Vec<u8>, ApiError> {
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
    for (u, (info, vals)) in units.iter().zip(rows) {
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
