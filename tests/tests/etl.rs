//! The etl suite: boundary import against the corpus, validation and publishing (pure and with a
//! store), H3 operator builds, and the demo generator on the real inputs in `data/vn/`. One test
//! binary; each file under `etl/` is a module.
//!
//! A suite root resolves `mod` files beside itself (`tests/tests/`), hence one `#[path]` per
//! module.

#[path = "etl/areas.rs"]
mod areas;
#[path = "etl/boundaries.rs"]
mod boundaries;
#[path = "etl/demo.rs"]
mod demo;
#[path = "etl/h3.rs"]
mod h3;
#[path = "etl/publish.rs"]
mod publish;
#[path = "etl/publish_store.rs"]
mod publish_store;
