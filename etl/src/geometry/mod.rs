//! Geometry checks, repair and geodesic area for unit boundaries.
//!
//! Boundaries arrive as raw rings ([`RawMultiPolygon`]) so that problems geo-types would hide
//! (an unclosed ring is closed silently by `Polygon::new`) can be seen and reported. [`repair`]
//! turns them into a valid, consistently oriented WGS84 [`MultiPolygon`] or refuses them with a
//! [`GeometryError`] that says which rule was broken. Rings below [`MIN_RING_M2`] are removed
//! and reported; `area.rs` gives the geodesic area and the checks that keep it honest.

use std::fmt;

use geo::algorithm::orient::{Direction, Orient};
use geo::{Area, MakeValid, Validation, unary_union};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use serde::Serialize;

mod area;
pub use area::{
    MIN_RING_M2, bbox_area_km2, checked_area_km2, geodesic_area_km2, lens_bound_m2,
    planar_area_km2, ring_geodesic_m2, ring_planar_bound_m2, ring_planar_m2,
};

/// A ring as read from a file: points in order, possibly unclosed or with repeats.
pub type RawRing = Vec<Coord<f64>>;
/// A polygon as read from a file: the exterior ring first, then the holes.
pub type RawPolygon = Vec<RawRing>;
/// A multipolygon as read from a file (a Polygon is a multipolygon with one part).
pub type RawMultiPolygon = Vec<RawPolygon>;

/// A change [`repair`] made to a geometry; reported to the user, never silent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Repair {
    /// A ring whose first and last points differed was closed.
    ClosedRing {
        /// Polygon index in the input multipolygon.
        polygon: usize,
        /// Ring index in the polygon (0 = exterior).
        ring: usize,
    },
    /// Repeated consecutive points were removed from a ring.
    RemovedRepeatedPoints {
        /// Polygon index in the input multipolygon.
        polygon: usize,
        /// Ring index in the polygon (0 = exterior).
        ring: usize,
        /// How many points were removed.
        count: usize,
    },
    /// A hole with fewer than 4 points or zero area was dropped.
    DroppedRing {
        /// Polygon index in the input multipolygon.
        polygon: usize,
        /// Ring index in the polygon (0 = exterior).
        ring: usize,
        /// Why it was dropped.
        reason: DropReason,
    },
    /// A polygon without rings, or whose exterior ring was degenerate, was dropped.
    DroppedPolygon {
        /// Polygon index in the input multipolygon.
        polygon: usize,
        /// Why it was dropped.
        reason: DropReason,
    },
    /// A ring enclosing less than [`MIN_RING_M2`] was removed: a hole, or an island (its polygon
    /// dropped with it) when the unit keeps another polygon.
    RemovedTinyRing {
        /// Polygon index in the input multipolygon.
        polygon: usize,
        /// Ring index in the polygon (0 = exterior: the whole polygon was dropped).
        ring: usize,
        /// The area the ring encloses, m² (planar, equal-area; for a ring that crosses itself, an
        /// upper bound).
        area_m2: f64,
    },
    /// An invalid geometry (self-intersection, overlapping parts...) was rebuilt as a valid one.
    MadeValid {
        /// The first validity problem found, as geo words it.
        problem: String,
        /// Number of polygons after the repair.
        polygons: usize,
    },
}

/// Why a ring or polygon was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The polygon had no rings at all.
    NoRings,
    /// The ring had fewer than 4 points once closed (fewer than 3 distinct points).
    TooFewPoints,
    /// The ring encloses no area (all points on a line).
    ZeroArea,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropReason::NoRings => "it has no rings",
            DropReason::TooFewPoints => "fewer than 4 points",
            DropReason::ZeroArea => "zero area",
        })
    }
}

/// "exterior ring" or "hole N" for ring index `ring`.
fn ring_name(ring: usize) -> String {
    if ring == 0 {
        "exterior ring".to_string()
    } else {
        format!("hole {ring}")
    }
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repair::ClosedRing { polygon, ring } => {
                write!(
                    f,
                    "closed unclosed {} of polygon {polygon}",
                    ring_name(*ring)
                )
            }
            Repair::RemovedRepeatedPoints {
                polygon,
                ring,
                count,
            } => write!(
                f,
                "removed {count} repeated point(s) from {} of polygon {polygon}",
                ring_name(*ring)
            ),
            Repair::DroppedRing {
                polygon,
                ring,
                reason,
            } => write!(
                f,
                "dropped {} of polygon {polygon}: {reason}",
                ring_name(*ring)
            ),
            Repair::DroppedPolygon { polygon, reason } => match reason {
                DropReason::NoRings => write!(f, "dropped polygon {polygon}: {reason}"),
                _ => write!(
                    f,
                    "dropped polygon {polygon}: its exterior ring has {reason}"
                ),
            },
            Repair::RemovedTinyRing {
                polygon,
                ring,
                area_m2,
            } => {
                let what = if *ring == 0 {
                    format!("polygon {polygon} (an island)")
                } else {
                    format!("hole {ring} of polygon {polygon}")
                };
                write!(
                    f,
                    "removed {what}: it encloses {area_m2:.2e} m², below the {MIN_RING_M2} m² tolerance (a sliver, not a place)"
                )
            }
            Repair::MadeValid { problem, polygons } => write!(
                f,
                "repaired invalid geometry ({problem}) into {polygons} valid polygon(s)"
            ),
        }
    }
}

/// Why a geometry was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    /// A coordinate is NaN or infinite.
    #[error("non-finite coordinate (NaN or infinity) at point {point} of {} of polygon {polygon}", ring_name(*.ring))]
    NonFinite {
        /// Polygon index.
        polygon: usize,
        /// Ring index (0 = exterior).
        ring: usize,
        /// Point index in the ring.
        point: usize,
    },
    /// A coordinate is outside lon −180..180 / lat −90..90.
    #[error(
        "coordinates look projected, expected WGS84 lon/lat (found x={x}, y={y}; lon must be within -180..180 and lat within -90..90)"
    )]
    OutOfRange {
        /// The offending x (longitude) value.
        x: f64,
        /// The offending y (latitude) value.
        y: f64,
    },
    /// An edge jumps more than 180° of longitude: the ring crosses the antimeridian.
    #[error(
        "{} of polygon {polygon} crosses the antimeridian between points {point} and {} (longitude {from} to {to}); split it at ±180° into one polygon on each side", ring_name(*.ring), .point + 1
    )]
    Antimeridian {
        /// Polygon index.
        polygon: usize,
        /// Ring index (0 = exterior).
        ring: usize,
        /// Index of the edge's first point.
        point: usize,
        /// Longitude of that point.
        from: f64,
        /// Longitude of the next point.
        to: f64,
    },
    /// Every polygon's exterior encloses no area: its points lie on one line.
    #[error("geometry encloses no area (every polygon's points lie on one line)")]
    ZeroArea,
    /// Every polygon is smaller than the tolerance: the unit is made of slivers only.
    #[error(
        "geometry is only slivers: its largest polygon encloses {largest_m2:.2e} m², below the {MIN_RING_M2} m² tolerance"
    )]
    OnlySlivers {
        /// The area of the largest polygon's exterior, m².
        largest_m2: f64,
    },
    /// The geodesic and planar areas disagree: a ring was measured around the wrong side.
    #[error(
        "area check failed: the geodesic area {geodesic:.6} km² and the planar (equal-area) area {planar:.6} km² differ by more than the {allowed:.6} km² its edges allow"
    )]
    AreaDisagrees {
        /// Geodesic area, km².
        geodesic: f64,
        /// Planar area in the cylindrical equal-area projection, km².
        planar: f64,
        /// The largest difference the unit's edge lengths explain, km².
        allowed: f64,
    },
    /// The geodesic area is larger than the unit's lat/lon bounding box.
    #[error(
        "area check failed: the geodesic area {geodesic:.6} km² exceeds the {bbox:.6} km² of the unit's bounding box by more than 1%"
    )]
    AreaExceedsBox {
        /// Geodesic area, km².
        geodesic: f64,
        /// Area of the lat/lon bounding box, km².
        bbox: f64,
    },
    /// Nothing usable is left once degenerate parts are dropped.
    #[error("geometry is empty (no polygon with at least 4 points and non-zero area)")]
    Empty,
    /// The geometry is invalid and the automatic repair did not produce a valid one.
    #[error("invalid geometry that could not be repaired: {0}")]
    Unrepairable(String),
}

/// Whether a closed ring encloses no area: all its points on one line. The sum of the absolute
/// fan-triangle areas (not the signed shoelace area, which is zero for a symmetric bow-tie) is
/// compared with the ring's extent.
fn is_degenerate(ring: &[Coord<f64>]) -> bool {
    let o = ring[0];
    let (mut min, mut max) = (o, o);
    let mut abs_area = 0.0;
    for w in ring.windows(2) {
        let (a, b) = (w[0] - o, w[1] - o);
        abs_area += (a.x * b.y - b.x * a.y).abs();
        min = Coord {
            x: min.x.min(w[1].x),
            y: min.y.min(w[1].y),
        };
        max = Coord {
            x: max.x.max(w[1].x),
            y: max.y.max(w[1].y),
        };
    }
    let extent = (max.x - min.x).max(max.y - min.y);
    abs_area <= 1e-12 * extent * extent
}

/// Checks every coordinate is finite and within WGS84 lon/lat bounds, and no edge crosses the
/// antimeridian (Vietnam never does; an edge of more than 180° would be measured the short way
/// round by the geodesic area and the long way by everything else).
fn check_coords(raw: &RawMultiPolygon) -> Result<(), GeometryError> {
    for (p, poly) in raw.iter().enumerate() {
        for (r, ring) in poly.iter().enumerate() {
            for (i, c) in ring.iter().enumerate() {
                if !c.x.is_finite() || !c.y.is_finite() {
                    return Err(GeometryError::NonFinite {
                        polygon: p,
                        ring: r,
                        point: i,
                    });
                }
                if !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y) {
                    return Err(GeometryError::OutOfRange { x: c.x, y: c.y });
                }
            }
        }
    }
    for (p, poly) in raw.iter().enumerate() {
        for (r, ring) in poly.iter().enumerate() {
            if let Some(i) = ring
                .windows(2)
                .position(|w| (w[1].x - w[0].x).abs() > 180.0)
            {
                return Err(GeometryError::Antimeridian {
                    polygon: p,
                    ring: r,
                    point: i,
                    from: ring[i].x,
                    to: ring[i + 1].x,
                });
            }
        }
    }
    Ok(())
}

/// Cleans one ring: drops repeated points and closes it; `Err` says why it must be dropped.
fn clean_ring(
    ring: &[Coord<f64>],
    p: usize,
    r: usize,
    repairs: &mut Vec<Repair>,
) -> Result<LineString<f64>, DropReason> {
    let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ring.len() + 1);
    let mut removed = 0;
    for c in ring {
        if pts.last() == Some(c) {
            removed += 1;
        } else {
            pts.push(*c);
        }
    }
    if removed > 0 {
        repairs.push(Repair::RemovedRepeatedPoints {
            polygon: p,
            ring: r,
            count: removed,
        });
    }
    if pts.len() >= 2 && pts.first() != pts.last() {
        pts.push(pts[0]);
        repairs.push(Repair::ClosedRing {
            polygon: p,
            ring: r,
        });
    }
    if pts.len() < 4 {
        return Err(DropReason::TooFewPoints);
    }
    if is_degenerate(&pts) {
        return Err(DropReason::ZeroArea);
    }
    Ok(LineString(pts))
}

/// What became of one raw polygon in [`repair`].
enum Cleaned {
    /// Kept, possibly with rings closed or dropped.
    Kept(Polygon<f64>),
    /// Dropped: no rings, or a degenerate exterior.
    Dropped(DropReason),
    /// Dropped: its exterior encloses this many m², below [`MIN_RING_M2`].
    Sliver(f64),
}

/// Cleans one polygon: its exterior, then its holes, each by [`clean_ring`] and the
/// [`MIN_RING_M2`] tolerance; every change goes to `repairs`.
fn clean_polygon(poly: &RawPolygon, p: usize, repairs: &mut Vec<Repair>) -> Cleaned {
    let Some(exterior) = poly.first() else {
        repairs.push(Repair::DroppedPolygon {
            polygon: p,
            reason: DropReason::NoRings,
        });
        return Cleaned::Dropped(DropReason::NoRings);
    };
    let exterior = match clean_ring(exterior, p, 0, repairs) {
        Ok(ls) => ls,
        Err(reason) => {
            repairs.push(Repair::DroppedPolygon { polygon: p, reason });
            return Cleaned::Dropped(reason);
        }
    };
    let area_m2 = ring_planar_bound_m2(&exterior);
    if area_m2 < MIN_RING_M2 {
        repairs.push(Repair::RemovedTinyRing {
            polygon: p,
            ring: 0,
            area_m2,
        });
        return Cleaned::Sliver(area_m2);
    }
    let mut holes = Vec::with_capacity(poly.len() - 1);
    for (r, ring) in poly.iter().enumerate().skip(1) {
        match clean_ring(ring, p, r, repairs) {
            Ok(ls) => {
                let area_m2 = ring_planar_bound_m2(&ls);
                if area_m2 < MIN_RING_M2 {
                    repairs.push(Repair::RemovedTinyRing {
                        polygon: p,
                        ring: r,
                        area_m2,
                    });
                } else {
                    holes.push(ls);
                }
            }
            Err(reason) => repairs.push(Repair::DroppedRing {
                polygon: p,
                ring: r,
                reason,
            }),
        }
    }
    Cleaned::Kept(Polygon::new(exterior, holes))
}

/// Checks and repairs a raw boundary into a valid multipolygon.
///
/// Rules, in order: every coordinate finite and within lon −180..180 / lat −90..90, and no edge
/// across the antimeridian (else an error); repeated consecutive points removed and unclosed
/// rings closed (reported); holes with < 4 points or zero area dropped, and polygons with no
/// rings or a degenerate exterior dropped (reported); rings enclosing less than
/// [`MIN_RING_M2`] removed, a hole alone or an island with its polygon (reported); nothing left
/// → [`GeometryError::OnlySlivers`], [`GeometryError::ZeroArea`] or [`GeometryError::Empty`];
/// an invalid result (self-intersection, bow-tie, overlapping parts) rebuilt with geo's
/// `MakeValid` and a unary union (reported), or refused if still invalid. Exterior rings end
/// counter-clockwise and holes clockwise (geo's winding test uses robust predicates, so even a
/// ring of 1e-16 deg² gets it right).
pub fn repair(raw: &RawMultiPolygon) -> Result<(MultiPolygon<f64>, Vec<Repair>), GeometryError> {
    check_coords(raw)?;
    let mut repairs = Vec::new();
    let mut polygons = Vec::with_capacity(raw.len());
    let (mut largest_sliver, mut flat) = (None::<f64>, false);
    for (p, poly) in raw.iter().enumerate() {
        match clean_polygon(poly, p, &mut repairs) {
            Cleaned::Kept(polygon) => polygons.push(polygon),
            Cleaned::Dropped(reason) => flat |= reason == DropReason::ZeroArea,
            Cleaned::Sliver(m2) => largest_sliver = Some(largest_sliver.unwrap_or(0.0).max(m2)),
        }
    }
    if polygons.is_empty() {
        return Err(match (largest_sliver, flat) {
            (Some(largest_m2), _) => GeometryError::OnlySlivers { largest_m2 },
            (None, true) => GeometryError::ZeroArea,
            (None, false) => GeometryError::Empty,
        });
    }
    let mut mp = MultiPolygon(polygons);
    if !valid::surely_valid(&mp)
        && let Err(problem) = mp.check_validation()
    {
        mp = make_valid(&mp)?;
        repairs.push(Repair::MadeValid {
            problem: problem.to_string(),
            polygons: mp.0.len(),
        });
    }
    Ok((mp.orient(Direction::Default), repairs))
}

/// Rebuilds an invalid multipolygon: each invalid polygon through `MakeValid` (even-odd fill,
/// so a bow-tie becomes its two triangles), then a unary union if the parts still overlap.
fn make_valid(mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, GeometryError> {
    let mut parts = Vec::with_capacity(mp.0.len());
    for poly in &mp.0 {
        if poly.is_valid() {
            parts.push(poly.clone());
        } else {
            let fixed = poly
                .make_valid()
                .map_err(|e| GeometryError::Unrepairable(format!("{e:?}")))?;
            parts.extend(fixed.0);
        }
    }
    let mut out = MultiPolygon(parts);
    if !out.is_valid() {
        let oriented: Vec<Polygon<f64>> =
            out.0.iter().map(|p| p.orient(Direction::Default)).collect();
        out = unary_union(&oriented);
    }
    out.0.retain(|p| p.unsigned_area() > 0.0);
    if out.0.is_empty() {
        return Err(GeometryError::Empty);
    }
    out.check_validation()
        .map_err(|e| GeometryError::Unrepairable(e.to_string()))?;
    Ok(out)
}

/// Raw rings of an existing multipolygon, to run [`repair`] on geometry built in code.
pub fn to_raw(mp: &MultiPolygon<f64>) -> RawMultiPolygon {
    mp.0.iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|ls| ls.0.clone())
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests;
mod valid;
