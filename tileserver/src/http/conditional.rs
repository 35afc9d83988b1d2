//! Conditional GET, once for every route: strong ETags, `If-None-Match` (every header line,
//! comma lists, weak `W/` tags compared weakly as RFC 9110 asks for GET, and `*`), 304, and
//! the `Cache-Control` lifetimes the server uses.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// `Cache-Control` of answers whose URL names an immutable thing (a revision, a version).
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of answers that follow `latest` or the published set.
pub const SHORT: &str = "public, max-age=60";

/// The strong ETag of `body`: the quoted hex of the first 16 bytes of its SHA-256.
pub fn etag_of(body: &[u8]) -> String {
    etag_of_hashed(Sha256::new_with_prefix(body))
}

/// [`etag_of`] the bytes fed to `hasher` (a body hashed piece by piece: the same tag).
pub fn etag_of_hashed(hasher: Sha256) -> String {
    format!("\"{}\"", hex::encode(&hasher.finalize()[..16]))
}

/// Whether one `If-None-Match` value (a comma list) holds `*` or a tag for which `same` holds;
/// `W/` prefixes are dropped (weak comparison).
pub fn list_matches(value: &str, same: impl Fn(&str) -> bool) -> bool {
    value.split(',').any(|t| {
        let t = t.trim();
        let t = t.strip_prefix("W/").unwrap_or(t);
        t == "*" || same(t)
    })
}

/// Whether any `If-None-Match` header of the request matches (see [`list_matches`]).
pub fn if_none_match(headers: &HeaderMap, same: impl Fn(&str) -> bool) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| list_matches(v, &same))
}

/// The answer to a conditional GET of a representation tagged `etag`: 304 when the client
/// holds it, else `body()`; then `ETag` and `Cache-Control` on either.
pub fn respond(
    headers: &HeaderMap,
    etag: &str,
    cache_control: HeaderValue,
    body: impl FnOnce() -> Response,
) -> Response {
    let mut resp = if if_none_match(headers, |t| t == etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body()
    };
    let h = resp.headers_mut();
    h.insert(
        header::ETAG,
        HeaderValue::from_str(etag).expect("an ETag is quoted hex"),
    );
    h.insert(header::CACHE_CONTROL, cache_control);
    resp
}

/// An immutable answer of `body` (static resources: glyphs, font files, the sprite): the coding
/// negotiated from `Accept-Encoding` (identity only when `compressible` is false, e.g. PNG), its
/// strong ETag and 304, `Cache-Control` [`IMMUTABLE`], `Content-Type` and `Vary`.
pub fn immutable(
    body: &crate::http::encoding::TileBody,
    headers: &HeaderMap,
    content_type: &'static str,
    compressible: bool,
) -> Response {
    use crate::http::encoding::Encoding;
    let enc = if compressible {
        Encoding::negotiate(headers)
    } else {
        Encoding::Identity
    };
    let mut resp = respond(
        headers,
        &body.etag(enc),
        HeaderValue::from_static(IMMUTABLE),
        || {
            let mut r = body.body(enc).clone().into_response();
            if enc != Encoding::Identity {
                r.headers_mut().insert(
                    header::CONTENT_ENCODING,
                    HeaderValue::from_static(enc.token()),
                );
            }
            r
        },
    );
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn every_header_line_weak_tags_and_star_match() {
        let tag = etag_of(b"body");
        assert!(if_none_match(&with(&[&tag]), |t| t == tag));
        assert!(if_none_match(&with(&["\"x\"", &format!("W/{tag}")]), |t| t == tag));
        assert!(if_none_match(&with(&[&format!("\"x\", {tag}")]), |t| t == tag));
        assert!(if_none_match(&with(&["*"]), |t| t == tag));
        assert!(!if_none_match(&with(&["\"x\""]), |t| t == tag));
        assert!(!if_none_match(&with(&[]), |t| t == tag));
    }

    #[test]
    fn respond_answers_304_with_the_tag() {
        let tag = etag_of(b"body");
        let r = respond(
            &with(&[&tag]),
            &tag,
            HeaderValue::from_static(SHORT),
            || "body".into_response(),
        );
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(r.headers()[header::ETAG], tag.as_str());
        let r = respond(&with(&[]), &tag, HeaderValue::from_static(SHORT), || {
            "body".into_response()
        });
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CACHE_CONTROL], SHORT);
    }
}
