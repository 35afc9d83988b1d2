//! popmap's HTTP server. Reads the store; never writes indicator data.
//!
//! It serves health checks, metrics, the list of boundary versions and published periods, a
//! status page, and the boundary and admin tile families with their TileJSON ([`tiles`],
//! [`tilejson`]), cached compressed ([`tilecache`], [`encoding`]) and refreshed without restart
//! when a period is published ([`refresh`]); MapLibre styles ([`styles`], coloured by
//! [`classes`] with the palettes of [`palette`]), the values the web map joins ([`mapdata`]),
//! the web map itself ([`web`]), and the data API with its OpenAPI document and access control
//! ([`api`]).

pub mod api;
pub mod classes;
pub mod config;
pub mod encoding;
pub mod error;
pub mod h3;
pub mod lineage;
pub mod mapdata;
pub mod metrics;
pub mod palette;
pub mod published;
pub mod refresh;
pub mod server;
pub mod status;
pub mod styles;
pub mod tilecache;
pub mod tilejson;
pub mod tiles;
pub mod web;

pub use config::{CorsOrigins, ServerConfig};
pub use server::{AppState, router, serve};
