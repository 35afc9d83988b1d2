//! The handlers, one module per URL family: tiles and TileJSON (admin, boundaries, H3),
//! styles and the values the web map joins, map fonts and glyphs, the web map and status page,
//! lineage, the data API, and the operational endpoints (admin, metrics). They read the state and answer through the HTTP mechanics; the router only wires them.

pub mod admin;
pub mod api;
pub mod change;
pub mod classes;
pub mod context;
pub mod fonts;
pub mod h3;
pub mod lineage;
pub mod mapdata;
pub mod palette;
pub mod sprite;
pub mod status;
pub mod styles;
pub mod tilejson;
pub mod tiles;
pub mod web;
