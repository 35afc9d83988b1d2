//! Who is asking, how often, and the access log: one middleware in front of every route.
//!
//! `Authorization: Bearer KEY` names an API key (stored as its SHA-256, see `popmap keys`) or
//! the admin token of `--admin-token-file`. Any valid key unlocks restricted indicators; admin
//! keys (and the admin token) also authorise `/admin/*`. An unknown or revoked key is 401, never
//! a silent downgrade to public data, so a client notices. Requests are rate-limited per key
//! (when one is sent) or per client address, with the `governor` crate's GCRA limiter: 429 with
//! `Retry-After`. Every request gets one access-log line (target `popmap::access`): method, path
//! without the query string (which may carry secrets), status, milliseconds and the key id —
//! never the key.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::state::metrics::Route;

pub use crate::http::caller::Caller;

/// Requests per second and burst of one rate limit; `per_second = 0` turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: u32,
    /// Requests allowed at once above the sustained rate.
    pub burst: u32,
}

impl RateLimit {
    /// The governor quota, `None` when off.
    fn quota(self) -> Option<Quota> {
        let rate = NonZeroU32::new(self.per_second)?;
        let burst = NonZeroU32::new(self.burst.max(self.per_second)).unwrap_or(rate);
        Some(Quota::per_second(rate).allow_burst(burst))
    }
}

/// The per-key and per-address limiters of a server.
pub struct Limiters {
    by_key: Option<DefaultKeyedRateLimiter<i64>>,
    by_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl std::fmt::Debug for Limiters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiters")
            .field("by_key", &self.by_key.is_some())
            .field("by_ip", &self.by_ip.is_some())
            .finish()
    }
}

impl Limiters {
    /// Limiters for the given limits.
    pub fn new(per_key: RateLimit, per_ip: RateLimit) -> Limiters {
        Limiters {
            by_key: per_key.quota().map(RateLimiter::keyed),
            by_ip: per_ip.quota().map(RateLimiter::keyed),
        }
    }

    /// Ok, or the 429 for `key` (if any) else `ip`.
    fn check(&self, key: Option<i64>, ip: Option<IpAddr>) -> Result<(), ApiError> {
        let now = || DefaultClock::default().now();
        let denied = match (key, ip) {
            (Some(k), _) => self
                .by_key
                .as_ref()
                .and_then(|l| l.check_key(&k).err())
                .map(|n| (format!("key {k}"), n.wait_time_from(now()))),
            (None, Some(ip)) => self
                .by_ip
                .as_ref()
                .and_then(|l| l.check_key(&ip).err())
                .map(|n| (format!("address {ip}"), n.wait_time_from(now()))),
            (None, None) => None,
        };
        match denied {
            None => Ok(()),
            Some((who, wait)) => Err(ApiError::RateLimited {
                who,
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }),
        }
    }

    /// Forgets idle keys (called now and then so the maps do not grow without end).
    pub fn shrink(&self) {
        if let Some(l) = &self.by_key {
            l.retain_recent();
        }
        if let Some(l) = &self.by_ip {
            l.retain_recent();
        }
    }
}

/// The caller named by the request's `Authorization` header.
async fn identify(
    st: &AppState,
    authorization: Option<axum::http::HeaderValue>,
) -> Result<Caller, ApiError> {
    let Some(value) = authorization else {
        return Ok(Caller::default());
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("Authorization must be 'Bearer <API key>'".into()))?;
    if st.config.is_admin_token(token) {
        return Ok(Caller {
            key_id: None,
            admin: true,
            authenticated: true,
        });
    }
    let hash = key_hash(token);
    match st.store.key_by_hash(&hash).await? {
        Some(k) if k.is_active() => Ok(Caller {
            key_id: Some(k.id),
            admin: k.admin,
            authenticated: true,
        }),
        Some(k) => Err(ApiError::Unauthorized(format!(
            "API key {} was revoked on {}",
            k.id,
            k.revoked_at.unwrap_or_default()
        ))),
        None => Err(ApiError::Unauthorized("unknown API key".into())),
    }
}

/// `-` for nothing, else the value: how the access log writes an absent key or address.
struct OrDash<T>(Option<T>);

impl<T: std::fmt::Display> std::fmt::Display for OrDash<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("-"),
        }
    }
}

/// Milliseconds to one decimal, as the access log writes a request's time.
struct Millis(std::time::Duration);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.1}", self.0.as_secs_f64() * 1000.0)
    }
}

/// Largest header value read, and largest header block (names and values), in bytes: a
/// browser's biggest (a long Referer or cookie) is a few kB; nginx's default is 8 kB a line.
const HEADER_VALUE_BYTES: usize = 8 << 10;
/// See [`HEADER_VALUE_BYTES`].
const HEADER_BLOCK_BYTES: usize = 32 << 10;

/// A 431 when one header value or the whole block is larger than the server reads.
fn oversized(headers: &axum::http::HeaderMap) -> Option<ApiError> {
    let mut total = 0;
    for (name, value) in headers {
        if value.len() > HEADER_VALUE_BYTES {
            return Some(ApiError::HeadersTooLarge(format!(
                "header {name} is {} bytes; at most {HEADER_VALUE_BYTES} are read",
                value.len()
            )));
        }
        total += name.as_str().len() + value.len();
    }
    (total > HEADER_BLOCK_BYTES).then(|| {
        ApiError::HeadersTooLarge(format!(
            "the headers hold {total} bytes; at most {HEADER_BLOCK_BYTES} are read"
        ))
    })
}

/// The one middleware in front of every route: identifies the caller, applies the rate limits,
/// logs the request and counts it in the metrics ([`crate::state::metrics::Metrics::observe`]).
/// One layer rather than two, over the state behind one `Arc`: axum clones a route's layers
/// (and their state) for every request.
pub async fn guard(State(st): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = Route::of(&req);
    let method = req.method().clone();
    // The path is kept for the log line only (none is written when the log is off); the URI
    // shares the request's bytes, so keeping it copies no text.
    let logged = tracing::enabled!(target: "popmap::access", tracing::Level::INFO);
    let uri = logged.then(|| req.uri().clone());
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let authorization = req.headers().get(header::AUTHORIZATION).cloned();
    let caller = match oversized(req.headers()) {
        Some(e) => Err(e),
        // A key that is unknown or revoked spends the address's budget like an anonymous
        // request: guessing keys is rate-limited, and past the budget it is a 429.
        None => match identify(&st, authorization).await {
            Err(ApiError::Unauthorized(m)) => st
                .limiters
                .check(None, ip)
                .and(Err(ApiError::Unauthorized(m))),
            other => other,
        },
    };
    let key_id = caller.as_ref().ok().and_then(|c| c.key_id);
    // The web map's own files (scripts, style sheets) are static and revalidated by ETag: a page
    // load or an embed preview must not spend the address's budget on them. Health probes come
    // from a load balancer or orchestrator, often through the same proxy address as every user:
    // limiting them would mark a healthy server dead under normal load. The same holds for a
    // metrics scraper; /metrics answers admins only.
    let path = req.uri().path();
    let limited = !(path.starts_with("/assets/")
        || path == "/healthz"
        || path == "/readyz"
        || path == "/metrics");
    let outcome = caller.and_then(|c| {
        if limited {
            st.limiters.check(c.key_id, ip)?;
        }
        Ok(c)
    });
    let resp = match outcome {
        Ok(c) => {
            req.extensions_mut().insert(c);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    };
    let status = resp.status().as_u16();
    let elapsed = start.elapsed();
    if let Some(uri) = uri {
        tracing::info!(
            target: "popmap::access",
            %method,
            path = %uri.path(),
            status,
            ms = %Millis(elapsed),
            key = %OrDash(key_id),
            ip = %OrDash(ip),
            "request"
        );
    }
    st.metrics.observe(route, method, status, elapsed);
    resp
}

/// A new API key: `pm_` and 64 hex digits from the thread's CSPRNG (ChaCha, seeded by the OS),
/// and the hex SHA-256 the store keeps.
pub fn new_key() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let secret = format!("pm_{}", hex::encode(bytes));
    let hash = hex::encode(Sha256::digest(secret.as_bytes()));
    (secret, hash)
}

/// The hex SHA-256 of a key, as stored.
pub fn key_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}
