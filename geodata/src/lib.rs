//! popmap's model and geometry, shared by the ETL and the tile server.
//!
//! Units, levels and codes ([`unit`], [`level`]), boundary versions ([`version`]), reporting
//! periods ([`period`]), the indicator catalog ([`catalog`]), Vietnamese text handling ([`text`]),
//! geometry checks and geodesic area ([`geometry`]) and the sqlx store ([`store`]).

pub mod catalog;
pub mod crossing;
pub mod crosswalk;
pub mod disclosure;
pub mod dissolve;
pub mod fields;
pub mod footprint;
pub mod generalise;
pub mod geometry;
pub mod h3grid;
pub mod h3tile;
pub mod layers;
pub mod level;
pub mod mercator;
pub mod mvt;
pub mod operator;
pub mod period;
pub mod simplify;
pub mod snapround;
pub mod store;
pub mod testdb;
pub mod text;
pub mod tile;
pub mod tileset;
pub mod topology;
pub mod unit;
pub mod version;

pub use catalog::Catalog;
pub use level::Level;
pub use period::Period;
pub use store::Store;
pub use unit::{Unit, UnitInfo};
pub use version::BoundaryVersion;
