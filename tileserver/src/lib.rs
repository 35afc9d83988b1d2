//! popmap's HTTP server. Reads the store; never writes indicator data.
//!
//! Floors, bottom first; imports point down:
//! - [`http`]: HTTP mechanics with no application state (errors, content coding, the one
//!   conditional-GET implementation, the one query extractor, answer bodies, the caller).
//! - [`state`]: what every request shares (store, catalog, config, published set, caches,
//!   metrics, limiters) and the refresh that rebuilds it aside and swaps it in.
//! - [`routes`]: the handlers, one module per URL family, and the data API.
//! - [`router`]: wires the routes and middleware, and serves.

pub mod http;
pub mod router;
pub mod routes;
pub mod state;

pub use router::{router, serve};
pub use state::AppState;
pub use state::config::{CorsOrigins, ServerConfig};
