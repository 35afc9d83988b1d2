//! Boundary import: read GeoJSON / FlatGeobuf files of administrative units, repair and check
//! their geometry and hierarchy, and write one boundary version to the store in one go.
//!
//! Everything before [`import`]'s single `Store::import_version` call is pure:
//! [`read_file`] → [`build_units`] can be tested without a database.

mod error;
mod fgb;
mod geojson;
mod hierarchy;
mod import;
mod reader;
mod report;
mod versionid;

pub use error::{BoundaryError, FeatureRef, FeatureRule};
pub use hierarchy::build_units;
pub use import::import;
pub use reader::{RawFeature, read_file};
pub use report::{ImportReport, LevelReport, RepairNote};
pub use versionid::check_version_id;
