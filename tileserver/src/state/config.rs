//! Server settings that do not come from the store: public URL, CORS, memory budget, refresh.

use std::time::Duration;

use sha2::{Digest, Sha256};

pub use crate::state::access::RateLimit;

/// Which browser origins may read the server's answers (CORS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`Access-Control-Allow-Origin: *`): the data is public.
    Any,
    /// Only these origins (e.g. `https://portal.hanoi.gov.vn`); others get no CORS headers.
    List(Vec<String>),
}

impl CorsOrigins {
    /// Parses a comma-separated allow-list, or `*` for any origin; an origin must be
    /// `scheme://host[:port]` with no path.
    pub fn parse(s: &str) -> Result<CorsOrigins, String> {
        if s.trim() == "*" {
            return Ok(CorsOrigins::Any);
        }
        let mut list = Vec::new();
        for o in s.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            let rest = o
                .strip_prefix("https://")
                .or_else(|| o.strip_prefix("http://"))
                .ok_or_else(|| format!("CORS origin '{o}' must start with http:// or https://"))?;
            if rest.is_empty() || rest.contains('/') {
                return Err(format!(
                    "CORS origin '{o}' must be scheme://host[:port] with no path"
                ));
            }
            list.push(o.to_string());
        }
        if list.is_empty() {
            return Err("empty CORS allow-list: give origins or '*'".into());
        }
        Ok(CorsOrigins::List(list))
    }
}

/// Settings of one server process.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The values are synthetic (the demo): pages and TileJSON say so.
    pub synthetic: bool,
    /// Base URL clients reach the server at (behind a proxy), without trailing slash; `None`
    /// derives it from the request's `Host` header.
    pub public_url: Option<String>,
    /// CORS allow-list.
    pub cors: CorsOrigins,
    /// The memory budget and its shares for the caches (`--memory-mb`, `--cache-mb`).
    pub memory: crate::state::budget::MemoryBudget,
    /// How often the store is polled for new snapshots; `None` turns polling off.
    pub poll: Option<Duration>,
    /// SHA-256 of the admin token guarding `/admin/*` (admin API keys work too).
    pub admin_token_sha256: Option<[u8; 32]>,
    /// Origins allowed to frame `/embed` (CSP `frame-ancestors`); `Any` lets any portal.
    pub frame_ancestors: CorsOrigins,
    /// Folder of the built web map (`index.html`, `embed.html`, `assets/`); `None` looks for
    /// `web-map/dist` in the working directory, then next to the source tree.
    pub web_dir: Option<std::path::PathBuf>,
    /// Rate limit per API key (requests carrying a key).
    pub rate_per_key: RateLimit,
    /// Rate limit per client address (requests without a key).
    pub rate_per_ip: RateLimit,
    /// Disclosure control of H3 cells (small cells, unstable rates).
    pub disclosure: geodata::DisclosureRules,
}

/// Default limit per client address: 50 requests/s sustained, bursts of 200 (a map view
/// loads a few dozen tiles at once).
pub const DEFAULT_RATE_PER_IP: RateLimit = RateLimit {
    per_second: 50,
    burst: 200,
};
/// Default limit per API key: 200 requests/s sustained, bursts of 400.
pub const DEFAULT_RATE_PER_KEY: RateLimit = RateLimit {
    per_second: 200,
    burst: 400,
};

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            synthetic: false,
            public_url: None,
            cors: CorsOrigins::Any,
            memory: crate::state::budget::MemoryBudget::default(),
            poll: Some(Duration::from_secs(2)),
            admin_token_sha256: None,
            frame_ancestors: CorsOrigins::Any,
            web_dir: None,
            rate_per_key: DEFAULT_RATE_PER_KEY,
            rate_per_ip: DEFAULT_RATE_PER_IP,
            disclosure: geodata::DisclosureRules::default(),
        }
    }
}

impl ServerConfig {
    /// Sets the admin token (only its hash is kept).
    pub fn with_admin_token(mut self, token: &str) -> ServerConfig {
        self.admin_token_sha256 = Some(Sha256::digest(token.trim().as_bytes()).into());
        self
    }

    /// Whether `token` is the admin token; compares hashes so timing does not leak the token.
    pub fn is_admin_token(&self, token: &str) -> bool {
        let Some(want) = self.admin_token_sha256 else {
            return false;
        };
        let got: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        want.iter().zip(got).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_lists_parse_and_bad_origins_are_named() {
        assert_eq!(CorsOrigins::parse("*").unwrap(), CorsOrigins::Any);
        assert_eq!(
            CorsOrigins::parse("https://a.gov.vn, http://localhost:3000").unwrap(),
            CorsOrigins::List(vec![
                "https://a.gov.vn".into(),
                "http://localhost:3000".into()
            ])
        );
        let e = CorsOrigins::parse("a.gov.vn").unwrap_err();
        assert!(e.contains("'a.gov.vn'"), "{e}");
        assert!(CorsOrigins::parse("https://a.gov.vn/map").is_err());
        assert!(CorsOrigins::parse(" , ").is_err());
    }

    #[test]
    fn admin_token_is_checked_by_hash() {
        let c = ServerConfig::default();
        assert!(!c.is_admin_token(""));
        let c = c.with_admin_token("s3cret\n");
        assert!(c.is_admin_token("s3cret"));
        assert!(!c.is_admin_token("s3cre"));
        assert!(!c.is_admin_token(""));
    }
}
