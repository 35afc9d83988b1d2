//! popmap's HTTP server. Reads the store; never writes indicator data.
//!
//! Today it serves health checks, the list of boundary versions and published periods, and a
//! status page; the tile families, styles and the web map are added on top of [`server::router`].

pub mod error;
pub mod server;
pub mod status;
pub mod tiles;

pub use server::{AppState, router, serve};
