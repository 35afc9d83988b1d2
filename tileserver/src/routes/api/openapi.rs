//! The OpenAPI 3.1 document of the data API, generated from the handlers' annotations by
//! utoipa, served at `/api/openapi.json`, and a reference page rendered from it at `/api/docs`
//! (plain HTML written here, so it works offline: no UI bundle, no CDN).

use std::fmt::Write as _;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::http::error::ApiError;
use crate::http::query::Params;
use crate::http::reply::bytes;
use crate::state::access::Caller;

/// The error body every 4xx/5xx answer carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable error id: `bad_request`, `unauthorized`, `forbidden`, `not_found`,
    /// `rate_limited`, `store_unavailable`.
    pub error: String,
    /// What went wrong, naming the parameter or resource.
    pub message: String,
    /// Structured details or `null`: a 400 names the `parameter` at fault and what it
    /// `allowed`s (a list of values, or a rule), a 429 gives `retry_after_secs`.
    #[schema(value_type = Value)]
    pub details: serde_json::Value,
}

/// The error answers every data-API endpoint documents, each with an [`ErrorBody`]; listed once
/// here and named in every path's `responses(...)`.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, reason = "only its derived OpenAPI description is used")]
pub enum ErrorResponses {
    /// Malformed request, unknown parameter or limit exceeded
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// Restricted indicator without a valid API key, or a revoked key
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// A restricted indicator asked of a map route with a key: the map serves public
    /// indicators only
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Unknown period, version or unit
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Rate limit exceeded (see Retry-After)
    #[response(status = 429)]
    RateLimited(ErrorBody),
    /// The store cannot answer now
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "popmap data API",
        description = "Published population indicators of Vietnam's administrative units: \
            periods, boundary versions, the indicator catalog, units and their lineage, values, \
            time series, rankings, downloads, the population Strategy's targets with each unit's standing, what the web map joins to boundary tiles (value \
            columns, classes, mappable indicators) and H3 cells. Restricted indicators need \
            `Authorization: Bearer <API key>`. Tables are also served as CSV (`?format=csv` or \
            `Accept: text/csv`). Every GET but the lineage and H3 cell answers has a strong ETag.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        super::periods::versions,
        super::periods::periods,
        super::projections::assumptions,
        super::indicators::list,
        super::units::list,
        super::units::detail,
        super::geometry::geometry,
        super::pyramid::unit,
        super::pyramid::set,
        super::series::series,
        super::values::values,
        super::rankings::rankings,
        super::targets::list,
        super::targets::detail,
        super::download::download,
        crate::routes::lineage::lineage,
        crate::routes::classes::classes,
        crate::routes::change::map_change,
        crate::routes::mapdata::values,
        crate::routes::mapdata::indicators,
        crate::routes::h3::cell,
        super::pyramid::cell::cell,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerKey, &CsvBom),
    tags(
        (name = "catalog", description = "Periods, boundary versions and indicators"),
        (name = "units", description = "Administrative units and their values"),
        (name = "tables", description = "Values, rankings and downloads"),
        (name = "map", description = "What the web map joins to the boundary tiles: value columns, classifications and the mappable indicators"),
        (name = "h3", description = "The population on the H3 grid"),
    )
)]
pub struct ApiDoc;

/// Declares the optional `Authorization: Bearer <API key>` that unlocks restricted indicators.
struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An API key from `popmap keys create`: unlocks restricted indicators \
                 (admin keys also /admin/*). Optional; an unknown or revoked key is 401.",
            ))
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("api_key", SecurityScheme::Http(scheme));
    }
}

/// Documents `bom` ([`crate::http::query::BomQuery`]) on every operation with a CSV form
/// (those that take `format`), where [`Params::allow_for`] accepts it.
struct CsvBom;

impl utoipa::Modify for CsvBom {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::IntoParams;
        use utoipa::openapi::RefOr;
        use utoipa::openapi::path::ParameterIn;
        let bom = crate::http::query::BomQuery::into_params(|| Some(ParameterIn::Query));
        let named = |p: &RefOr<utoipa::openapi::path::Parameter>, name: &str| matches!(p, RefOr::T(p) if p.name == name);
        for item in doc.paths.paths.values_mut() {
            let Some(params) = item.get.as_mut().and_then(|op| op.parameters.as_mut()) else {
                continue;
            };
            if params.iter().any(|p| named(p, "format")) && !params.iter().any(|p| named(p, "bom"))
            {
                params.extend(bom.iter().cloned().map(RefOr::T));
            }
        }
    }
}

/// The OpenAPI document and its reference page never change while the server runs: built on
/// first use, not per request.
static DOCUMENT: LazyLock<String> = LazyLock::new(document);
static PAGE: LazyLock<String> = LazyLock::new(page);

/// The document as JSON text.
pub fn document() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}

/// `GET /api/openapi.json`.
pub async fn spec(
    axum::Extension(caller): axum::Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow(&[])?;
    Ok(bytes(
        &headers,
        &caller,
        "application/json",
        DOCUMENT.as_bytes().to_vec(),
    ))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The reference page: every operation with its parameters and responses, from the document.
pub fn page() -> String {
    let doc: serde_json::Value = serde_json::from_str(&DOCUMENT).expect("the document is JSON");
    let mut h = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>popmap data API</title><style>body{font:15px/1.5 system-ui,sans-serif;\
         max-width:60rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2em}\
         table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;\
         padding:.2rem .5rem;text-align:left;vertical-align:top}h2{margin-top:2.5rem}</style>\
         </head><body>",
    );
    let info = &doc["info"];
    let _ = write!(
        h,
        "<h1>{}</h1><p>{}</p><p>Machine-readable: <a href=\"/api/openapi.json\">\
         /api/openapi.json</a> (OpenAPI {}).</p>",
        esc(info["title"].as_str().unwrap_or("")),
        esc(info["description"].as_str().unwrap_or("")),
        esc(doc["openapi"].as_str().unwrap_or(""))
    );
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let Some(ops) = item.as_object() else {
                continue;
            };
            for (method, op) in ops {
                let _ = write!(
                    h,
                    "<h2><code>{} {}</code></h2><p><b>{}</b></p><p>{}</p>",
                    method.to_uppercase(),
                    esc(path),
                    esc(op["summary"].as_str().unwrap_or("")),
                    esc(op["description"].as_str().unwrap_or(""))
                );
                if let Some(params) = op["parameters"].as_array() {
                    h.push_str(
                        "<table><tr><th>parameter</th><th>in</th><th>required</th>\
                         <th>description</th></tr>",
                    );
                    for p in params {
                        let _ = write!(
                            h,
                            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            esc(p["name"].as_str().unwrap_or("")),
                            esc(p["in"].as_str().unwrap_or("")),
                            p["required"].as_bool().unwrap_or(false),
                            esc(p["description"].as_str().unwrap_or(""))
                        );
                    }
                    h.push_str("</table>");
                }
                if let Some(resps) = op["responses"].as_object() {
                    h.push_str("<table><tr><th>status</th><th>meaning</th></tr>");
                    for (code, r) in resps {
                        let _ = write!(
                            h,
                            "<tr><td>{}</td><td>{}</td></tr>",
                            esc(code),
                            esc(r["description"].as_str().unwrap_or(""))
                        );
                    }
                    h.push_str("</table>");
                }
            }
        }
    }
    h.push_str("</body></html>");
    h
}

/// `GET /api/docs`.
pub async fn docs(
    axum::Extension(caller): axum::Extension<Caller>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    params.allow(&[])?;
    Ok(crate::routes::web::with_csp(bytes(
        &headers,
        &caller,
        "text/html; charset=utf-8",
        PAGE.as_bytes().to_vec(),
    )))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    /// Each handler declares its own query struct, so a parameter several paths share is
    /// written once per path: its description must read the same everywhere.
    #[test]
    fn shared_query_parameters_read_alike() {
        let doc: serde_json::Value = serde_json::from_str(&super::document()).unwrap();
        let mut seen: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for p in item["get"]["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                if p["in"] == "query" && ["format", "period", "offset", "bom"].contains(&name) {
                    seen.entry(name)
                        .or_default()
                        .entry(p["description"].as_str().unwrap())
                        .or_default()
                        .push(path);
                }
            }
        }
        assert_eq!(seen.len(), 4, "{seen:?}");
        for (name, texts) in &seen {
            assert_eq!(
                texts.len(),
                1,
                "{name} is described differently: {texts:#?}"
            );
        }
    }
}
