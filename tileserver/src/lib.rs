//! popmap's HTTP server. Reads the store; never writes indicator data.
//!
//! Today it serves health checks, the list of boundary versions and published periods, and a
//! status page; the tile families, styles and the web map are added on top of [`server::router`].

pub mod config;
pub mod encoding;
pub mod error;
pub mod metrics;
pub mod published;
pub mod refresh;
pub mod server;
pub mod status;
pub mod tilecache;
pub mod tilejson;
pub mod tiles;

pub use config::{CorsOrigins, ServerConfig};
pub use server::{AppState, router, serve};
