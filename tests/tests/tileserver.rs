//! The tileserver suite: the server over real TCP (tiles, map fonts, data API, access control,
//! refresh, web map, crosswalk, H3, series views, the stored generalisation's fallback), its
//! OpenAPI conformance checked by schemathesis, and the natural-breaks classes checked against
//! `jenkspy`. One test binary; each file under `tileserver/` is a module, and `common` holds
//! the fixtures they share.
//!
//! A suite root resolves `mod` files beside itself (`tests/tests/`), hence one `#[path]` per
//! module.

#[path = "tileserver/ages.rs"]
mod ages;
#[path = "tileserver/common/mod.rs"]
mod common;

#[path = "tileserver/api.rs"]
mod api;
#[path = "tileserver/api_access.rs"]
mod api_access;
#[path = "tileserver/api_schema.rs"]
mod api_schema;
#[path = "tileserver/catalog_api.rs"]
mod catalog_api;
#[path = "tileserver/classes.rs"]
mod classes;
#[path = "tileserver/connections.rs"]
mod connections;
#[path = "tileserver/context.rs"]
mod context;
#[path = "tileserver/crosswalk.rs"]
mod crosswalk;
#[path = "tileserver/downloads.rs"]
mod downloads;
#[path = "tileserver/fonts.rs"]
mod fonts;
#[path = "tileserver/h3.rs"]
mod h3;
#[path = "tileserver/h3_ages.rs"]
mod h3_ages;
#[path = "tileserver/jenks.rs"]
mod jenks;
#[path = "tileserver/memory.rs"]
mod memory;
#[path = "tileserver/partial.rs"]
mod partial;
#[path = "tileserver/periods_national.rs"]
mod periods_national;
#[path = "tileserver/projections.rs"]
mod projections;
#[path = "tileserver/pyramid.rs"]
mod pyramid;
#[path = "tileserver/refresh.rs"]
mod refresh;
#[path = "tileserver/search_api.rs"]
mod search_api;
#[path = "tileserver/series_views.rs"]
mod series_views;
#[path = "tileserver/server.rs"]
mod server;
#[path = "tileserver/stored_source.rs"]
mod stored_source;
#[path = "tileserver/targets.rs"]
mod targets;
#[path = "tileserver/tiles.rs"]
mod tiles;
#[path = "tileserver/web.rs"]
mod web;
