//! `/api/v1/units/{code}/geometry`: one unit's full boundary as a GeoJSON Feature, on the
//! boundary version of a period (or a named version: `version=` wins over `period=`). The web map's embeds frame a unit with it
//! (`area=`: the unit outlined, the rest of the world dimmed, the camera fitted to its box);
//! codes were reused in July 2025, so the version must follow the period shown.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use geozero::ToJson;
use serde_json::{Value, json};

use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::json_response;
use crate::state::AppState;

/// The query of `GET /api/v1/units/{code}/geometry`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct UnitGeometryQuery {
    /// `latest` (the newest month; the default unless the operation says otherwise), a period (`2025-06`, `2025-Q3`, `2025`, a projection `2030-medium`: its newest revision) or one revision (`2025-06@r2`)
    pub period: Option<String>,
    /// A boundary version id (e.g. `vn-2025`): looked up there instead of the period's version
    pub version: Option<String>,
}

/// `GET /api/v1/units/{code}/geometry?period=|version=`.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}/geometry",
    tag = "units",
    params(
        ("code" = String, Path, description = "Unit code, e.g. `15`", example = "15"),
        UnitGeometryQuery
    ),
    responses(
        (status = 200, description = "A GeoJSON Feature: the unit's full (not tile-generalised) WGS84 MultiPolygon, `bbox` [west, south, east, north] and properties code, name, level, parent_code, version", content_type = "application/geo+json", body = Object),
        super::openapi::ErrorResponses,
    )
)]
pub async fn geometry(
    State(st): State<AppState>,
    code: Result<Path<String>, PathRejection>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = crate::http::query::path(code)?;
    params.allow_for::<UnitGeometryQuery>()?;
    let published = st.published.load_full();
    let (version, of) = match params.str("version") {
        Some(v) => (published.known_version(v)?.id.clone(), String::new()),
        None => {
            let (_, snap) = published.snapshot(params.str("period"), Some("period"))?;
            let of = format!(" (the version of {})", snap.period);
            (snap.version, of)
        }
    };
    let unit = st
        .store
        .unit_geometry(&version, &code)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no unit '{code}' in boundary version '{version}'{of}"
            ))
        })?;
    let geom = geo_types::Geometry::MultiPolygon(unit.geometry.clone())
        .to_json()
        .map_err(|e| ApiError::Internal(format!("unit {code}: GeoJSON: {e}")))?;
    let geom: Value = serde_json::from_str(&geom)
        .map_err(|e| ApiError::Internal(format!("unit {code}: GeoJSON: {e}")))?;
    let body = json!({
        "type": "Feature",
        "bbox": bbox(&unit.geometry),
        "properties": {
            "code": unit.code,
            "name": unit.name,
            "level": unit.level.to_string(),
            "parent_code": unit.parent_code,
            "version": version,
        },
        "geometry": geom,
    });
    let mut resp = json_response(&headers, body.to_string().into_bytes(), false);
    resp.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/geo+json"),
    );
    Ok(resp)
}

/// [west, south, east, north] of the outer rings (the `geo` crate's BoundingRect would do, but
/// the tileserver links only geo-types; four folds are not worth a dependency).
fn bbox(mp: &geo_types::MultiPolygon<f64>) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for c in mp.0.iter().flat_map(|p| p.exterior().0.iter()) {
        b = [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)];
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, MultiPolygon, Polygon};

    #[test]
    fn bbox_spans_every_outer_ring() {
        let sq = |x: f64, y: f64| {
            Polygon::new(
                LineString::from(vec![(x, y), (x + 1.0, y), (x + 1.0, y + 1.0), (x, y)]),
                vec![],
            )
        };
        let mp = MultiPolygon(vec![sq(105.0, 20.0), sq(109.0, 8.0)]);
        assert_eq!(bbox(&mp), [105.0, 8.0, 110.0, 21.0]);
    }
}
