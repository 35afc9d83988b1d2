//! Geometry checks, repair and geodesic area for unit boundaries.
//!
//! SKELETON: filled in by the boundary-import work.
