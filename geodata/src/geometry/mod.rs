//! Geometry algorithms on projected coverages: Web Mercator, arc topology of shared borders,
//! simplification, crossing checks, per-zoom generalisation, its exact packed byte form,
//! dissolve and snap rounding. Imports only the model.

pub(crate) mod crossing;
pub(crate) mod dissolve;
pub(crate) mod generalise;
pub(crate) mod mercator;
pub(crate) mod packing;
pub(crate) mod simplify;
pub(crate) mod snapround;
pub(crate) mod topology;
