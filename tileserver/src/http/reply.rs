//! Answers of the data API: JSON or CSV bodies with a strong ETag (SHA-256 of the body), 304
//! on a matching `If-None-Match`, and cache headers that never let a shared cache keep an
//! answer made for a key holder.

use super::conditional::{IMMUTABLE, SHORT, etag_of, respond};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::caller::Caller;
use super::query::Format;
use crate::http::error::ApiError;
use prometheus_client::metrics::counter::Counter;

/// A table for CSV answers: a header row and rows of cells (`None` is an empty cell).
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Option<String>>>,
}

impl Table {
    /// The table as CSV (RFC 4180, header row first), after a UTF-8 byte order mark when
    /// `bom` (Excel on Windows reads a CSV as UTF-8 only with it). The one CSV writer of the
    /// API: every CSV answer is made here.
    pub fn to_csv(&self, bom: bool) -> Result<Vec<u8>, ApiError> {
        let start = if bom { BOM.to_vec() } else { Vec::new() };
        let header: Vec<Option<String>> = self.columns.iter().cloned().map(Some).collect();
        let rows = self.rows.iter().map(Vec::as_slice);
        csv_records(start, std::iter::once(header.as_slice()).chain(rows))
    }
}

/// `records` written as CSV after `start` (RFC 4180; `None` is an empty cell). A record's
/// bytes do not depend on the records before it, so a file written in pieces (a streamed
/// download) is the same bytes as one written whole.
pub fn csv_records<R: AsRef<[Option<String>]>>(
    start: Vec<u8>,
    records: impl IntoIterator<Item = R>,
) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(start);
    let fail = |e: csv::Error| ApiError::Internal(format!("writing CSV: {e}"));
    for r in records {
        w.write_record(r.as_ref().iter().map(|c| c.as_deref().unwrap_or("")))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))
}

/// The UTF-8 byte order mark.
pub const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// A JSON number or null as a CSV cell.
pub fn cell(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// An answer body ready to send, with its ETag: what the response cache keeps.
#[derive(Debug)]
pub struct Prepared {
    /// The bytes.
    pub body: axum::body::Bytes,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Strong ETag (quoted hex SHA-256 prefix of the body).
    pub etag: String,
}

impl Prepared {
    /// Hashes `body` once. The body is cut to its length first: a serialiser's vector grows by
    /// doubling, and `Bytes` keeps the whole allocation, so a cached answer could hold up to
    /// twice what [`Prepared::weight`] counts.
    pub fn new(content_type: &'static str, mut body: Vec<u8>) -> Prepared {
        body.shrink_to_fit();
        Prepared {
            etag: etag_of(&body),
            body: body.into(),
            content_type,
        }
    }

    /// Bytes the cache charges for this answer: its body, its struct behind an `Arc` and the
    /// ETag's text.
    pub fn weight(&self) -> u32 {
        u32::try_from(self.body.len() + 96 + self.etag.len()).unwrap_or(u32::MAX)
    }

    /// The answer: body (or 304 when the client holds it), ETag, `Cache-Control`, `Vary`.
    pub fn send(&self, headers: &HeaderMap, caller: &Caller) -> Response {
        send_with(headers, caller, &self.etag, self.content_type, || {
            Body::from(self.body.clone())
        })
    }
}

/// An answer of the data API tagged `etag`: `body()` as `content_type` (or 304 when the
/// client holds it, `body` never called), ETag, `Cache-Control` (private for a key holder),
/// `Vary`. The one place these headers are set, whole or streamed.
pub fn send_with(
    headers: &HeaderMap,
    caller: &Caller,
    etag: &str,
    content_type: &'static str,
    body: impl FnOnce() -> Body,
) -> Response {
    let cache = HeaderValue::from_static(if caller.unlocks_restricted() {
        "private, max-age=60"
    } else {
        "public, max-age=60"
    });
    let mut resp = respond(headers, etag, cache, || {
        let mut r = body().into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    });
    let h = resp.headers_mut();
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization, Accept-Encoding"),
    );
    resp
}

/// `body` with `content_type`, a strong ETag, `Cache-Control` and `Vary`; 304 when the
/// client holds it already.
pub fn bytes(
    headers: &HeaderMap,
    caller: &Caller,
    content_type: &'static str,
    body: Vec<u8>,
) -> Response {
    Prepared::new(content_type, body).send(headers, caller)
}

/// `value` as JSON, or `table` as CSV when asked for and available (400 otherwise).
pub fn prepare<T: Serialize>(
    format: Format,
    value: &T,
    table: impl FnOnce() -> Option<Table>,
) -> Result<Prepared, ApiError> {
    match format {
        Format::Json => {
            let body = serde_json::to_vec(value)
                .map_err(|e| ApiError::Internal(format!("writing JSON: {e}")))?;
            Ok(Prepared::new("application/json", body))
        }
        Format::Csv { bom } => {
            let t = table().ok_or_else(|| {
                ApiError::bad_request(
                    "format",
                    ["json"],
                    "this resource has no CSV form: use format=json",
                )
            })?;
            Ok(Prepared::new("text/csv; charset=utf-8", t.to_csv(bom)?))
        }
    }
}

/// Answers over one snapshot, cached by request: they never change for a snapshot id, so
/// nothing is ever purged (a publish makes a new id); bounded by its share of the memory
/// budget, each answer weighed by its body, ETag, key and moka's entry.
pub struct ResponseCache {
    cache: moka::future::Cache<String, std::sync::Arc<Prepared>>,
    hits: Counter,
    misses: Counter,
}

/// Heap bytes of a cached answer besides its [`Prepared::weight`]: moka's entry (the key behind
/// an `Arc`, the value entry, the access-order node and the hash-table slot).
const ENTRY_BYTES: usize = 384;

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("entries", &self.cache.entry_count())
            .finish()
    }
}

impl ResponseCache {
    /// Answers of at most `share` bytes, counting lookups on `hits` and `misses` (the state's
    /// meter of this cache: see `state::meter`).
    pub fn new(share: u64, hits: Counter, misses: Counter) -> ResponseCache {
        ResponseCache {
            cache: moka::future::Cache::builder()
                .max_capacity(share)
                .weigher(|k: &String, v: &std::sync::Arc<Prepared>| {
                    let entry = u32::try_from(k.len() + ENTRY_BYTES).unwrap_or(u32::MAX);
                    v.weight().saturating_add(entry)
                })
                .build(),
            hits,
            misses,
        }
    }

    /// The bytes and entries held, once pending evictions have run.
    pub async fn size(&self) -> (u64, u64) {
        self.cache.run_pending_tasks().await;
        (self.cache.weighted_size(), self.cache.entry_count())
    }

    /// The key of a request: route, snapshot, whether restricted values are visible, and
    /// the query parameters (sorted by name).
    pub fn key(
        route: &str,
        snapshot: i64,
        caller: &Caller,
        params: &super::query::Params,
        extra: &str,
    ) -> String {
        let mut k = format!("{route}|{snapshot}|{}|{extra}", caller.unlocks_restricted());
        for (n, v) in &params.0 {
            k.push('|');
            k.push_str(n);
            k.push('=');
            k.push_str(v);
        }
        k
    }

    /// The cached answer for `key`.
    pub async fn get(&self, key: &str) -> Option<std::sync::Arc<Prepared>> {
        let found = self.cache.get(key).await;
        match found {
            Some(_) => self.hits.inc(),
            None => self.misses.inc(),
        };
        found
    }

    /// Keeps `answer` under `key` and hands it back.
    pub async fn put(&self, key: String, answer: Prepared) -> std::sync::Arc<Prepared> {
        let a = std::sync::Arc::new(answer);
        self.cache.insert(key, a.clone()).await;
        a
    }
}

/// `value` as JSON, or `table` as CSV when asked for and available (400 otherwise), sent with
/// its ETag and cache headers (see [`prepare`] and [`Prepared::send`]).
pub fn reply<T: Serialize>(
    headers: &HeaderMap,
    caller: &Caller,
    format: Format,
    value: &T,
    table: impl FnOnce() -> Option<Table>,
) -> Result<Response, ApiError> {
    Ok(prepare(format, value, table)?.send(headers, caller))
}

/// A JSON answer with a strong ETag, `Cache-Control` by mutability, and 304 on a match.
pub fn json_response(headers: &HeaderMap, body: Vec<u8>, immutable: bool) -> Response {
    let cache = HeaderValue::from_static(if immutable { IMMUTABLE } else { SHORT });
    respond(headers, &etag_of(&body), cache, || {
        (
            [(header::CONTENT_TYPE, "application/json")],
            Bytes::from(body),
        )
            .into_response()
    })
}
