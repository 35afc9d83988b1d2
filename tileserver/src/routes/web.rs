//! The web map's pages and assets: `/` (the full map), `/embed` (minimal chrome, for iframes),
//! `/print` (the print layout of a view, as PDF or PNG), `/targets` (the Strategy's targets, each
//! province's standing) and `/assets/*`, read from the built
//! web map folder (`web-map/dist`, built by `web-map/build.mjs`; never committed).
//!
//! Every answer has a strong ETag and `Cache-Control: no-cache` (revalidated, 304 when
//! unchanged). Pages carry a Content-Security-Policy: same-origin everything, and
//! `frame-ancestors` `'self'` for `/print` and `/targets`, and the configured allow-list for `/embed` and `/`.
//! `/` may be framed by a portal only so that it can say why it should not be: the page sees it
//! is framed (web-map `frame.js`) and replaces itself with a link to the matching `/embed`, instead
//! of the browser's bare refusal. That is safe: `/` has no state-changing action (every request it
//! makes is a GET of public data; there is no login, form post or cookie), so there is nothing a
//! framing page could trick a user into doing (clickjacking needs an action to hijack).

use std::path::{Path as FsPath, PathBuf};

use crate::http::conditional::{etag_of, respond};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::state::config::CorsOrigins;
use crate::state::published::latest_periods;

/// The folder the web map is served from.
pub fn web_dir(st: &AppState) -> PathBuf {
    if let Some(d) = &st.config.web_dir {
        return d.clone();
    }
    let local = PathBuf::from("web-map/dist");
    if local.join("index.html").exists() {
        return local;
    }
    FsPath::new(env!("CARGO_MANIFEST_DIR")).join("../web-map/dist")
}

/// The `Content-Type` of a file by its extension.
fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "pbf" => "application/x-protobuf",
        _ => "application/octet-stream",
    }
}

/// The CSP of a page that may be framed by `ancestors`.
pub fn csp(ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; worker-src 'self' blob:; child-src 'self' blob:; \
         connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'self'; \
         frame-ancestors {ancestors}"
    )
}

/// `resp` with the pages' policy (framed by this site only) unless it has one: for the pages
/// built by the server itself (`/status`, `/api/docs`, the "not built" page).
pub fn with_csp(mut resp: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&csp("'self'")) {
        resp.headers_mut()
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(v);
    }
    resp
}

/// The `frame-ancestors` sources of `/embed`.
fn embed_ancestors(origins: &CorsOrigins) -> String {
    match origins {
        CorsOrigins::Any => "*".to_string(),
        CorsOrigins::List(list) => {
            let mut s = String::from("'self'");
            for o in list {
                s.push(' ');
                s.push_str(o);
            }
            s
        }
    }
}

/// A file of the web map with ETag handling; 404 when absent.
async fn file(
    st: &AppState,
    rel: &str,
    headers: &HeaderMap,
    ancestors: Option<String>,
) -> Result<Response, ApiError> {
    let ok = !rel.is_empty()
        && rel
            .split('/')
            .all(|part| !part.is_empty() && !part.starts_with('.'))
        && rel
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b));
    if !ok {
        return Err(ApiError::NotFound(format!("no asset '{rel}'")));
    }
    let path = web_dir(st).join(rel);
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::NotFound(format!("no asset '{rel}'")));
        }
        Err(e) => return Err(ApiError::Internal(format!("{}: {e}", path.display()))),
    };
    let etag = etag_of(&bytes);
    let mut resp = respond(headers, &etag, HeaderValue::from_static("no-cache"), || {
        Bytes::from(bytes).into_response()
    });
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(rel)),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // An HTML file among the assets is a page too: framed by this site only.
    let ancestors = ancestors.or_else(|| rel.ends_with(".html").then(|| "'self'".to_string()));
    if let Some(a) = ancestors
        && let Ok(v) = HeaderValue::from_str(&csp(&a))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Ok(resp)
}

/// A page when the web map has not been built: what to run, and where the status page is.
fn not_built(st: &AppState) -> Response {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>popmap</title><h1>popmap</h1>\
         <p>The web map is not built in <code>{}</code>: run <code>make web</code> \
         (or <code>make demo</code>). The server itself is up: see <a href=\"/status\">/status</a>.</p>",
        web_dir(st).display()
    );
    with_csp((StatusCode::SERVICE_UNAVAILABLE, Html(body)).into_response())
}

/// `GET /`: the web map; framed by a portal, it shows a link to the embed (see the module doc).
pub async fn index(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let ancestors = embed_ancestors(&st.config.frame_ancestors);
    match file(&st, "index.html", &headers, Some(ancestors)).await {
        Ok(r) => r,
        Err(ApiError::NotFound(_)) => not_built(&st),
        Err(e) => e.into_response(),
    }
}

/// `GET /embed`: the map with minimal chrome, frameable by the configured portals.
pub async fn embed(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let ancestors = embed_ancestors(&st.config.frame_ancestors);
    match file(&st, "embed.html", &headers, Some(ancestors)).await {
        Ok(r) => r,
        Err(ApiError::NotFound(_)) => not_built(&st),
        Err(e) => e.into_response(),
    }
}

/// `GET /print`: the print layout of a view (PDF or PNG made in the page), for portals to link.
pub async fn print(State(st): State<AppState>, headers: HeaderMap) -> Response {
    match file(&st, "print.html", &headers, Some("'self'".into())).await {
        Ok(r) => r,
        Err(ApiError::NotFound(_)) => not_built(&st),
        Err(e) => e.into_response(),
    }
}

/// `GET /targets`: the population Strategy's targets, each province's standing on a map and a
/// table (`web-map/src/targets.html`).
pub async fn targets(State(st): State<AppState>, headers: HeaderMap) -> Response {
    match file(&st, "targets.html", &headers, Some("'self'".into())).await {
        Ok(r) => r,
        Err(ApiError::NotFound(_)) => not_built(&st),
        Err(e) => e.into_response(),
    }
}

/// `GET /assets/{*path}`.
pub async fn asset(
    State(st): State<AppState>,
    Path(rel): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    file(&st, &format!("assets/{rel}"), &headers, None).await
}

/// `GET /status`: what the store holds (the page `/` served before the web map).
pub async fn status(State(st): State<AppState>) -> Response {
    let published = st.published.load_full();
    let periods = latest_periods(&published);
    with_csp(
        Html(crate::routes::status::page(
            &published.versions,
            &periods,
            &st.catalog,
            st.config.synthetic,
        ))
        .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_ancestors_follow_the_allow_list() {
        assert_eq!(embed_ancestors(&CorsOrigins::Any), "*");
        let l = CorsOrigins::parse("https://a.gov.vn,http://localhost:3000").unwrap();
        assert_eq!(
            embed_ancestors(&l),
            "'self' https://a.gov.vn http://localhost:3000"
        );
        assert!(csp("'self'").ends_with("frame-ancestors 'self'"));
        assert_eq!(
            content_type("assets/x.mjs"),
            "text/javascript; charset=utf-8"
        );
    }
}
