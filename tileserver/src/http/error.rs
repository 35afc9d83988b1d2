//! HTTP errors: every error is JSON `{error, message, details}` with the right status
//! (`details` is `null` unless the error carries structured data: every 400 names the
//! `parameter` at fault and what it `allowed`s, a 429 the retry delay).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request names something that does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The request lacks valid credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// The credentials are valid but the action is not allowed here (403).
    #[error("{0}")]
    Forbidden(String),
    /// The server failed on a valid request: a bug, never the client's input (500).
    #[error("internal error: {0}")]
    Internal(String),
    /// A dependency could not answer; the message says which (503).
    #[error("{0}")]
    Unavailable(String),
    /// The request is malformed, with structured details for the client (400); build it with
    /// [`ApiError::bad_request`], which names the parameter and what it allows.
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// Structured details, e.g. `{"parameter": "x", "allowed": [...]}`.
        details: serde_json::Value,
    },
    /// Too many requests from one key or address (429, with `Retry-After`).
    #[error("rate limit exceeded for {who}: retry after {retry_after_secs} s")]
    RateLimited {
        /// What was limited: `key 3` or `address 10.0.0.1`.
        who: String,
        /// Seconds until a request would be allowed again.
        retry_after_secs: u64,
    },
    /// Too many large requests in flight for the memory budget; this one waited its turn too
    /// long (503, with `Retry-After`: see `state::inflight`).
    #[error("{message}")]
    Busy {
        /// What was refused and why.
        message: String,
        /// Seconds after which a retry is likely to get its turn.
        retry_after_secs: u64,
    },
    /// The request's header block, or one header, is larger than the server reads (431).
    #[error("{0}")]
    HeadersTooLarge(String),
    /// The server is starting: no version loaded yet, or tile sources still being built (503).
    #[error("{0}")]
    NotReady(String),
    /// The store could not answer (503: the request may succeed later).
    #[error("store unavailable: {0}")]
    Store(#[from] geodata::StoreError),
}

impl ApiError {
    /// The one answer to a restricted indicator asked for without an API key (401), the same
    /// from the data API, tiles, the map routes and styles.
    pub fn restricted(id: &str) -> ApiError {
        ApiError::Unauthorized(format!(
            "indicator '{id}' is restricted: send Authorization: Bearer <API key>"
        ))
    }

    /// A 400 about one query or path parameter: `message` says what is wrong, `details` are
    /// `{"parameter": parameter, "allowed": allowed}`, `allowed` a list of the values allowed
    /// where they are few (`["json", "csv"]`), else a short rule (`"an integer from 2 to 9"`).
    pub fn bad_request(
        parameter: &str,
        allowed: impl Into<serde_json::Value>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError::Invalid {
            message: message.into(),
            details: json!({ "parameter": parameter, "allowed": allowed.into() }),
        }
    }

    /// The HTTP status and stable error id of this error.
    pub fn status(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Invalid { .. } => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable"),
            ApiError::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable"),
            ApiError::NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            ApiError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::HeadersTooLarge(_) => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers_too_large",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, id) = self.status();
        match &self {
            // A bug: every occurrence is worth a line.
            ApiError::Internal(_) => tracing::error!(error = %self, "request failed"),
            // An outage: WARN once, not once per request of a busy server.
            ApiError::Store(_) | ApiError::Unavailable(_) => {
                crate::http::failure::STORE_OUTAGE.log(&self);
            }
            _ => {}
        }
        let details = match &self {
            ApiError::Invalid { details, .. } => details.clone(),
            ApiError::RateLimited {
                retry_after_secs, ..
            }
            | ApiError::Busy {
                retry_after_secs, ..
            } => json!({ "retry_after_secs": retry_after_secs }),
            _ => serde_json::Value::Null,
        };
        let mut resp = (
            status,
            Json(json!({"error": id, "message": self.to_string(), "details": details})),
        )
            .into_response();
        if let ApiError::RateLimited {
            retry_after_secs, ..
        }
        | ApiError::Busy {
            retry_after_secs, ..
        } = &self
        {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(*retry_after_secs),
            );
        }
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"popmap\""),
            );
        }
        resp
    }
}

/// Gives every error answer the documented JSON shape: the answers the framework writes itself
/// (a path or query it cannot decode: plain text 400; a method the route lacks: empty 405)
/// get `{error, message, details}` with a message of ours — never the library's text — and
/// keep their other headers (`Allow`). JSON and HTML answers pass untouched; a success is
/// never looked at beyond its status.
pub fn json_errors(resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    // Ours are JSON, pages HTML: only the framework's bare answers (no type, or plain text).
    let bare = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !bare {
        return resp;
    }
    let (id, message) = match status {
        StatusCode::BAD_REQUEST => (
            "bad_request",
            "the request's path or query cannot be read (invalid characters or encoding)",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this method is not allowed here: the Allow header lists those that are",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "the request is too large"),
        StatusCode::NOT_FOUND => ("not_found", "no such resource"),
        s if s.is_client_error() => ("bad_request", "the request cannot be answered as sent"),
        _ => ("internal", "the server could not answer this request"),
    };
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.remove(axum::http::header::CONTENT_ENCODING);
    let body = Json(json!({"error": id, "message": message, "details": null}));
    let mut out = (status, body).into_response();
    // `append`, not `insert`: a header given several times (Vary from CORS) keeps every value.
    for (name, value) in parts.headers.iter() {
        if name != axum::http::header::CONTENT_TYPE {
            out.headers_mut().append(name, value.clone());
        }
    }
    out
}
