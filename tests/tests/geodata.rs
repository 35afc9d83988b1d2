//! The geodata suite: the store on SQLite and (with `POPMAP_TEST_PG`, see scripts/pg.sh)
//! PostgreSQL, its data-API queries, crosswalk and operator storage, generalisation, and MVT
//! encoding decoded back by geozero. One test binary; each file under `geodata/` is a module.
//!
//! A suite root resolves `mod` files beside itself (`tests/tests/`), hence one `#[path]` per
//! module.

#[macro_use]
#[path = "geodata/fixtures.rs"]
mod fixtures;

#[path = "geodata/band_parts.rs"]
mod band_parts;
#[path = "geodata/crosswalk_store.rs"]
mod crosswalk_store;
#[path = "geodata/generalise.rs"]
mod generalise;
#[path = "geodata/mvt.rs"]
mod mvt;
#[path = "geodata/operator_store.rs"]
mod operator_store;
#[path = "geodata/projection_ref.rs"]
mod projection_ref;
#[path = "geodata/store.rs"]
mod store;
#[path = "geodata/store_api.rs"]
mod store_api;
