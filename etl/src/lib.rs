//! popmap's data side: boundary import, validation and publishing of indicator tables,
//! aggregation over time, and the demo dataset. Writes to the store; never serves HTTP.

pub mod agecheck;
pub mod aggregate;
pub mod boundaries;
pub mod change;
pub mod coverage;
pub mod crosswalk;
pub mod demo;
pub mod export;
pub mod geometry;
pub mod h3;
pub mod names;
pub mod project;
pub mod publish;
pub mod report;
pub mod rowcheck;
pub mod rules;
pub mod table;
pub mod unitindex;
