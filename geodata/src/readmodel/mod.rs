//! Read models: what readers compute from stored data, the same for the server, `popmap
//! export` and the tests — values harmonised onto another boundary version through a stored
//! crosswalk, a unit's series in three views (as reported, harmonised, on an H3 footprint), and
//! the classification of a map's values into classes, readable timeline breaks with human
//! thresholds, and the symmetric classes of a change map. Imports the model, h3 and the store.

pub(crate) mod breaks;
pub(crate) mod classes;
pub(crate) mod diverging;
pub(crate) mod harmonise;
pub(crate) mod latest;
pub(crate) mod national;
pub(crate) mod series;
