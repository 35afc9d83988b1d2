//! Large answers written page by page instead of whole (issue 18: a commune GeoJSON is ~9 MB,
//! and several at once held their bodies, the geometry they were made from and a compressed
//! copy). A body is a sequence of pages that always gives the same bytes; it is read twice:
//! once to learn its length and strong ETag (the SHA-256 of the whole body, the tag the whole
//! answer had, so clients' `If-None-Match` and the `Content-Length` stay as they were), kept
//! in a small cache of digests, and once more as the answer is sent. Only one page is held at
//! a time.

use std::future::Future;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use futures_util::StreamExt;
use sha2::{Digest as _, Sha256};

use super::caller::Caller;
use super::conditional::{etag_of_hashed, if_none_match};
use super::error::ApiError;
use super::reply::send_with;

/// A body made of pages: page `i` is the same bytes every time it is asked for.
pub trait Pages: Send + Sync + 'static {
    /// How many pages the body has.
    fn count(&self) -> usize;
    /// The bytes of page `i` (`i < count()`).
    fn page(&self, i: usize) -> impl Future<Output = Result<Vec<u8>, ApiError>> + Send;
}

/// The length and strong ETag of a paged body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Bytes in the body.
    pub len: u64,
    /// The body's strong ETag (see [`super::conditional::etag_of`]).
    pub etag: String,
}

/// Reads every page of `pages` once, keeping none, for its [`Digest`].
pub async fn digest<P: Pages>(pages: &P) -> Result<Digest, ApiError> {
    let (mut hasher, mut len) = (Sha256::new(), 0u64);
    for i in 0..pages.count() {
        let page = pages.page(i).await?;
        hasher.update(&page);
        len += page.len() as u64;
    }
    Ok(Digest {
        len,
        etag: etag_of_hashed(hasher),
    })
}

/// Digests of the streamed answers, by the answer's key (see `ResponseCache::key`): what the
/// response cache is to whole answers. Bounded by count; an entry is ~0.5 kB.
#[derive(Debug)]
pub struct Digests(moka::future::Cache<String, Digest>);

/// How many digests [`Digests`] keeps (~2 MB at most, part of the budget's reserve).
const DIGESTS: u64 = 4096;

impl Default for Digests {
    fn default() -> Digests {
        Digests(moka::future::Cache::new(DIGESTS))
    }
}

impl Digests {
    /// The digest kept for `key`, if any.
    pub async fn get(&self, key: &str) -> Option<Digest> {
        self.0.get(key).await
    }

    /// The digest of `pages` under `key`, read and kept on the first request.
    pub async fn of<P: Pages>(&self, key: &str, pages: &P) -> Result<Digest, ApiError> {
        if let Some(d) = self.get(key).await {
            return Ok(d);
        }
        let d = digest(pages).await?;
        self.0.insert(key.to_string(), d.clone()).await;
        Ok(d)
    }
}

/// 304 when the request's `If-None-Match` holds `digest`'s tag, with the headers
/// [`send`] gives; `None` otherwise.
pub fn not_modified(headers: &HeaderMap, caller: &Caller, digest: &Digest) -> Option<Response> {
    if_none_match(headers, |t| t == digest.etag)
        .then(|| send_with(headers, caller, &digest.etag, "", Body::empty))
}

/// The answer of `pages` (whose digest is `digest`) as `content_type`, sent page by page with
/// its `Content-Length`, ETag and the data API's cache headers; 304 when the client holds it.
/// A page that fails once headers are sent ends the body early (the client sees a short
/// body against the length): the digest read every page already, so only a store failing
/// in between does that.
pub fn send<P: Pages>(
    headers: &HeaderMap,
    caller: &Caller,
    content_type: &'static str,
    pages: Arc<P>,
    digest: &Digest,
) -> Response {
    let mut resp = send_with(headers, caller, &digest.etag, content_type, || {
        // Fused: the compression layer polls again after the end.
        Body::from_stream(StreamExt::fuse(futures_util::stream::unfold(
            0usize,
            move |i| {
                let pages = pages.clone();
                async move {
                    if i >= pages.count() {
                        return None;
                    }
                    match pages.page(i).await {
                        Ok(bytes) => Some((Ok(Bytes::from(bytes)), i + 1)),
                        Err(e) => {
                            tracing::error!(error = %e, page = i, "streamed answer cut short");
                            Some((Err(std::io::Error::other(e.to_string())), usize::MAX))
                        }
                    }
                }
            },
        )))
    });
    if resp.status().is_success() {
        resp.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(digest.len));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::conditional::etag_of;

    /// Pages "ab", "", "cde".
    struct Three;

    impl Pages for Three {
        fn count(&self) -> usize {
            3
        }
        async fn page(&self, i: usize) -> Result<Vec<u8>, ApiError> {
            Ok(["ab", "", "cde"][i].as_bytes().to_vec())
        }
    }

    #[tokio::test]
    async fn pages_give_the_whole_body_its_length_and_tag() {
        let d = digest(&Three).await.unwrap();
        assert_eq!(d.len, 5);
        assert_eq!(d.etag, etag_of(b"abcde"));
        let caller = Caller::default();
        let r = send(
            &HeaderMap::new(),
            &caller,
            "text/plain",
            Arc::new(Three),
            &d,
        );
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()[header::CONTENT_LENGTH], "5");
        assert_eq!(r.headers()[header::ETAG], d.etag.as_str());
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        assert_eq!(&body[..], b"abcde");

        let mut held = HeaderMap::new();
        held.insert(header::IF_NONE_MATCH, d.etag.parse().unwrap());
        assert!(not_modified(&HeaderMap::new(), &caller, &d).is_none());
        let r = not_modified(&held, &caller, &d).unwrap();
        assert_eq!(r.status(), 304);
        assert_eq!(r.headers()[header::ETAG], d.etag.as_str());
    }
}
