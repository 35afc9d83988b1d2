//! popmap's data side: boundary import, validation and publishing of indicator tables,
//! aggregation over time, and the demo dataset. Writes to the store; never serves HTTP.
pub mod boundaries;
