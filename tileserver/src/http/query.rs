//! Query parameters of the data API: parsed once, unknown or repeated names refused, typed
//! getters whose errors name the parameter and the rule broken (always 400, never 500).

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use geodata::{Level, Period};

use crate::http::error::ApiError;

/// Largest page of `/units`.
pub const MAX_UNITS_PAGE: i64 = 1000;
/// Largest page of `/values` and `/rankings` (every commune of vn-2019 fits in one page).
pub const MAX_TABLE_PAGE: i64 = 20_000;
/// Most indicator ids or unit codes one request may name.
pub const MAX_CODES: usize = 200;

/// The query string of a request, by name (each name at most once).
#[derive(Debug, Clone, Default)]
pub struct Params(pub BTreeMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                // serde's own words (the rejection's text) are not for users.
                ApiError::bad_request(
                    "query string",
                    "name=value pairs joined by &, percent-encoded",
                    "the query string cannot be read: name=value pairs joined by &, \
                     percent-encoded UTF-8",
                )
            })?;
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            if map.contains_key(&k) {
                return Err(ApiError::bad_request(
                    &k,
                    "one value: each query parameter at most once",
                    format!("query parameter '{k}' is given more than once"),
                ));
            }
            map.insert(k, v);
        }
        Ok(Params(map))
    }
}

/// The answer format a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json` (the default).
    Json,
    /// `text/csv` (`?format=csv` or `Accept: text/csv`).
    Csv {
        /// Whether the CSV starts with a UTF-8 byte order mark (`bom=1`, the default: Excel
        /// on Windows reads UTF-8 only with it); `bom=0` leaves it out.
        bom: bool,
    },
}

impl Params {
    /// Refuses any parameter not in `allowed`.
    pub fn allow(&self, allowed: &[&str]) -> Result<(), ApiError> {
        check_names(self.0.keys().map(String::as_str), allowed)
    }

    /// Refuses any parameter `T` does not declare in the query, as [`Params::allow`] does,
    /// naming the allowed ones in `T`'s order. `T` is the type the handler's
    /// `#[utoipa::path(params(...))]` names, so the OpenAPI document and the parameters
    /// accepted come from one declaration.
    pub fn allow_for<T: utoipa::IntoParams>(&self) -> Result<(), ApiError> {
        use utoipa::openapi::path::ParameterIn;
        let declared = T::into_params(|| Some(ParameterIn::Query));
        let mut names: Vec<&str> = declared
            .iter()
            .filter(|p| p.parameter_in == ParameterIn::Query)
            .map(|p| p.name.as_str())
            .collect();
        // Every answer with a CSV form takes `bom` (see [`BomQuery`], documented the same way).
        if names.contains(&"format") && !names.contains(&"bom") {
            names.push("bom");
        }
        self.allow(&names)
    }

    /// A parameter's raw text, empty or not.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.0.get(name)
    }

    /// A parameter's text; an empty value counts as absent.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A required parameter.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.str(name).ok_or_else(|| {
            ApiError::bad_request(
                name,
                "a non-empty value (required)",
                format!("query parameter '{name}' is required"),
            )
        })
    }

    /// An integer in `min..=max`, `default` when absent.
    pub fn int(&self, name: &str, default: i64, min: i64, max: i64) -> Result<i64, ApiError> {
        let Some(s) = self.str(name) else {
            return Ok(default);
        };
        s.parse::<i64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| ApiError::Invalid {
                message: format!("{name}='{s}' must be an integer from {min} to {max}"),
                details: serde_json::json!({
                    "parameter": name,
                    "allowed": format!("an integer from {min} to {max}"),
                    "min": min,
                    "max": max,
                }),
            })
    }

    /// `limit` (default `default`, at most `max`) and `offset`.
    pub fn page(&self, default: i64, max: i64) -> Result<(i64, i64), ApiError> {
        Ok((
            self.int("limit", default, 1, max)?,
            self.int("offset", 0, 0, i64::from(i32::MAX))?,
        ))
    }

    /// An administrative level.
    pub fn level(&self, name: &str) -> Result<Option<Level>, ApiError> {
        self.str(name)
            .map(|s| {
                s.parse::<Level>()
                    .map_err(|e| ApiError::bad_request(name, level_names(), e.to_string()))
            })
            .transpose()
    }

    /// A period (`2025-06`, `2025-Q3`, `2025`).
    pub fn period(&self, name: &str) -> Result<Option<Period>, ApiError> {
        self.str(name)
            .map(|s| {
                s.parse::<Period>().map_err(|e| {
                    ApiError::bad_request(
                        name,
                        "a period: 2025-06, 2025-Q3 or 2025",
                        format!("{name}: {e}"),
                    )
                })
            })
            .transpose()
    }

    /// A comma-separated list (empty items dropped), at most [`MAX_CODES`] items.
    pub fn list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        let Some(s) = self.str(name) else {
            return Ok(None);
        };
        let items: Vec<String> = s
            .split(',')
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(String::from)
            .collect();
        if items.len() > MAX_CODES {
            return Err(ApiError::Invalid {
                message: format!(
                    "{name} names {} items: at most {MAX_CODES} per request",
                    items.len()
                ),
                details: serde_json::json!({
                    "parameter": name,
                    "allowed": format!("at most {MAX_CODES} comma-separated items"),
                    "max": MAX_CODES,
                }),
            });
        }
        Ok(Some(items))
    }

    /// `bom=1|0` (default 1): whether a CSV answer starts with a UTF-8 byte order mark.
    pub fn bom(&self) -> Result<bool, ApiError> {
        match self.get("bom").map(String::as_str) {
            None | Some("1") => Ok(true),
            Some("0") => Ok(false),
            Some(b) => Err(ApiError::bad_request(
                "bom",
                ["0", "1"],
                format!("bom='{b}': use 1 (the default: a UTF-8 byte order mark) or 0"),
            )),
        }
    }

    /// `format=json|csv`, else `Accept: text/csv`, else JSON; a CSV with the byte order
    /// mark unless `bom=0`.
    pub fn format(&self, headers: &axum::http::HeaderMap) -> Result<Format, ApiError> {
        let csv = Format::Csv { bom: self.bom()? };
        match self.str("format") {
            Some("json") => return Ok(Format::Json),
            Some("csv") => return Ok(csv),
            Some(other) => {
                return Err(ApiError::bad_request(
                    "format",
                    ["json", "csv"],
                    format!("format='{other}': use json or csv"),
                ));
            }
            None => {}
        }
        let wants_csv = headers
            .get_all(axum::http::header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|t| t.trim().starts_with("text/csv")));
        Ok(if wants_csv { csv } else { Format::Json })
    }
}

/// The path parameters of a request, or a JSON 400 when they do not decode.
pub fn path<T>(
    p: Result<axum::extract::Path<T>, axum::extract::rejection::PathRejection>,
) -> Result<T, ApiError> {
    use axum::extract::path::ErrorKind;
    use axum::extract::rejection::PathRejection;
    p.map(|axum::extract::Path(t)| t).map_err(|e| {
        let parameter = match &e {
            PathRejection::FailedToDeserializePathParams(f) => match f.kind() {
                ErrorKind::InvalidUtf8InPathParam { key }
                | ErrorKind::ParseErrorAtKey { key, .. }
                | ErrorKind::DeserializeError { key, .. } => key.clone(),
                _ => "path".to_string(),
            },
            _ => "path".to_string(),
        };
        ApiError::bad_request(
            &parameter,
            "a path segment of UTF-8 text (percent-encoded)",
            format!("bad path: {e}"),
        )
    })
}

/// The names of the administrative levels, top first: what `level` allows.
pub fn level_names() -> Vec<&'static str> {
    Level::ALL.iter().map(|l| l.as_str()).collect()
}

/// The query of the answers that take only `format` (`/versions`, `/periods`, `/indicators`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct FormatQuery {
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV
    pub format: Option<String>,
}

/// The `bom` query every answer with a CSV form takes: declared once here, added to those
/// answers' OpenAPI parameters by `routes::api::openapi` and accepted by
/// [`Params::allow_for`] wherever `format` is.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "never built: the handler reads the same names through Params getters"
)]
pub struct BomQuery {
    /// CSV only: `1` (default) starts the file with a UTF-8 byte order mark, so that Excel reads Vietnamese names right; `0` leaves it out
    pub bom: Option<String>,
}

/// Refuses the first of `names` not in `allowed`.
pub fn check_names<'a>(
    mut names: impl Iterator<Item = &'a str>,
    allowed: &[&str],
) -> Result<(), ApiError> {
    let Some(k) = names.find(|k| !allowed.contains(k)) else {
        return Ok(());
    };
    let message = if allowed.is_empty() {
        format!("unknown query parameter '{k}': this URL takes none")
    } else {
        format!(
            "unknown query parameter '{k}': this URL takes {}",
            allowed.join(", ")
        )
    };
    Err(ApiError::Invalid {
        message,
        details: serde_json::json!({ "parameter": k, "allowed": allowed }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handler's query: one required parameter, one optional.
    #[derive(utoipa::IntoParams)]
    #[into_params(parameter_in = Query)]
    #[allow(dead_code, reason = "only its derived IntoParams is used")]
    struct Sample {
        /// Required
        indicator: String,
        /// Optional
        k: Option<i64>,
    }

    /// Parameters in the path: none of them may be given in the query.
    #[derive(utoipa::IntoParams)]
    #[into_params(parameter_in = Path)]
    #[allow(dead_code, reason = "only its derived IntoParams is used")]
    struct InPath {
        /// A path segment
        code: String,
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn allow_for_takes_the_declared_query_names_in_order() {
        assert!(
            params(&[("k", "3"), ("indicator", "x")])
                .allow_for::<Sample>()
                .is_ok()
        );
        let Err(ApiError::Invalid { message, details }) =
            params(&[("bogus", "1")]).allow_for::<Sample>()
        else {
            panic!("an unknown parameter is a 400");
        };
        assert_eq!(
            message,
            "unknown query parameter 'bogus': this URL takes indicator, k"
        );
        assert_eq!(
            details,
            serde_json::json!({ "parameter": "bogus", "allowed": ["indicator", "k"] })
        );
        // Path parameters are not query parameters.
        let Err(ApiError::Invalid { message, .. }) =
            params(&[("code", "01")]).allow_for::<InPath>()
        else {
            panic!("a path parameter's name is not allowed in the query");
        };
        assert_eq!(
            message,
            "unknown query parameter 'code': this URL takes none"
        );
    }
}
