//! The model: administrative units, levels and codes, boundary versions, reporting periods, the
//! indicator catalog, published snapshots and their value tables, Vietnamese text handling, and
//! the two sparse linear maps fixed per boundary version (the H3 operator W and the crosswalk C)
//! with the integer apportionment both use. Pure data and rules: no I/O, no geometry algorithms.

pub(crate) mod ageparts;
pub(crate) mod alias;
pub(crate) mod apportion;
pub(crate) mod catalog;
pub(crate) mod crosswalk;
pub(crate) mod generalisation;
pub(crate) mod hierarchy;
pub(crate) mod level;
pub(crate) mod namequery;
pub(crate) mod operator;
pub(crate) mod period;
pub(crate) mod snapshot;
pub(crate) mod targets;
pub(crate) mod text;
pub(crate) mod unit;
pub(crate) mod unittype;
pub(crate) mod version;

pub(crate) use catalog::Catalog;
pub(crate) use level::Level;
pub(crate) use unit::UnitInfo;
