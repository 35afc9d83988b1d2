//! popmap's HTTP server. Reads the store; never writes indicator data.
//!
//! It serves health checks, metrics, the list of boundary versions and published periods, a
//! status page, and the boundary and admin tile families with their TileJSON ([`tiles`],
//! [`tilejson`]), cached compressed ([`tilecache`], [`encoding`]) and refreshed without restart
//! when a period is published ([`refresh`]). Styles and the web map come on top of
//! [`server::router`].

pub mod config;
pub mod encoding;
pub mod error;
pub mod h3;
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
