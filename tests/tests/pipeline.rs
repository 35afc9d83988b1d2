//! The pipeline suite: end to end on the demo data across crates (generate → import → publish
//! on both backends, gaps and overlaps in decoded tiles, label points and province outlines, the
//! generalisation stored at import, export read back, H3 sums against Uber's `h3`, crosswalk
//! conservation). One test binary; each file under `pipeline/` is a
//! module.
//!
//! A suite root resolves `mod` files beside itself (`tests/tests/`), hence one `#[path]` per
//! module.

#[path = "pipeline/ages.rs"]
mod ages;
#[path = "pipeline/crosswalk.rs"]
mod crosswalk;
#[path = "pipeline/demo_pipeline.rs"]
mod demo_pipeline;
#[path = "pipeline/export.rs"]
mod export;
#[path = "pipeline/h3_grid.rs"]
mod h3_grid;
#[path = "pipeline/labels.rs"]
mod labels;
#[path = "pipeline/stored_generalisation.rs"]
mod stored_generalisation;
#[path = "pipeline/tile_topology.rs"]
mod tile_topology;
