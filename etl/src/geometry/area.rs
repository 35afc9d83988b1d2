//! The area of a unit, computed so that it cannot lie: the geodesic area on the WGS84 ellipsoid
//! (Karney's algorithm, through geo), cross-checked against an independent planar area in an
//! equal-area projection and against the unit's bounding box, and the tolerance below which a
//! ring is a digitising sliver rather than a place.
//!
//! Why each piece (issue 17): real boundary files (GADM-derived wards) hold rings of 1e-17 to
//! 1.8e-16 deg² (1e-7 to 2e-6 m²). Karney's area of such a ring is rounding noise of about
//! ±6e-5 m² whose sign is arbitrary, and geo's "unsigned" area turns a negative noise into the
//! rest of the globe (510 million km²). So each ring is measured as the absolute value of its
//! signed area, which Karney reduces to (−½, ½] of the Earth: whatever the winding, a ring counts
//! for the smaller side of the Earth it divides. Rings below [`MIN_RING_M2`] are removed by
//! [`super::repair`] (decided on the planar area, which is exact to rounding for tiny rings),
//! and [`checked_area_km2`] refuses a unit whose geodesic area disagrees with its planar area
//! or exceeds its bounding box, naming the figures.

use geo::GeodesicArea;
use geo::{BoundingRect, Coord};
use geo_types::{LineString, MultiPolygon, Polygon};

use super::GeometryError;

/// Rings enclosing less than this many m² are removed (a hole) or dropped (an island; a unit
/// made only of such rings is refused). GADM's slivers are 1e-7–2e-6 m²; Karney's rounding
/// noise is ≤ 6e-5 m² (measured on 500 random triangles per size over Vietnam, 1e-9° to 1e-4°
/// wide), so a 1 m² ring is still measured to ≈ 1e-4, and no place an administrative boundary
/// names is smaller than a table top.
pub const MIN_RING_M2: f64 = 1.0;

/// How many times the edges' lens bound ([`lens_bound_m2`]) the geodesic and planar areas of a
/// unit may differ. The bound held with a ratio ≤ 0.85 on 18,000 random triangles of 0.001° to
/// 3° between 60° S and 60° N; a lost winding is off by a factor of millions.
const LENS_SAFETY: f64 = 2.0;

/// Absolute slack (km²) of the cross-checks, far above rounding noise (1e-10 km²).
const AREA_FLOOR_KM2: f64 = 1e-4;

/// Mean Earth radius, m (for the lens bound, where 0.3 % does not matter).
const R: f64 = 6_371_000.0;

/// WGS84 semi-major axis, m.
const A: f64 = 6_378_137.0;
/// WGS84 flattening.
const F: f64 = 1.0 / 298.257_223_563;

/// The authalic function q(φ) of the ellipsoid (Snyder, Map Projections: A Working Manual,
/// eq. 3-12): the Lambert cylindrical equal-area projection maps latitude φ to y = a·q(φ)/2.
fn authalic_q(lat_deg: f64) -> f64 {
    let e2 = F * (2.0 - F);
    let e = e2.sqrt();
    let s = lat_deg.to_radians().sin();
    (1.0 - e2) * (s / (1.0 - e2 * s * s) - 1.0 / (2.0 * e) * ((1.0 - e * s) / (1.0 + e * s)).ln())
}

/// A point in the Lambert cylindrical equal-area projection of the WGS84 ellipsoid, metres:
/// a straight-edged polygon there has the ellipsoidal area of the same lat/lon outline.
fn equal_area(c: Coord<f64>) -> Coord<f64> {
    Coord {
        x: A * c.x.to_radians(),
        y: A * authalic_q(c.y) / 2.0,
    }
}

/// The geodesic area enclosed by `ring`, m², whatever its winding: |signed area|, the smaller of
/// the two parts of the ellipsoid the ring divides (no administrative ring holds half the Earth).
pub fn ring_geodesic_m2(ring: &LineString<f64>) -> f64 {
    Polygon::new(ring.clone(), vec![])
        .geodesic_area_signed()
        .abs()
}

/// The area enclosed by `ring` in the equal-area projection, m², whatever its winding.
///
/// The shoelace sum runs on offsets from the first vertex (Sterbenz: nearby coordinates subtract
/// exactly), so a ring of 1e-16 deg² gets its area to ≈ 1e-6 relative instead of the ±1e-12 deg²
/// noise of products of absolute coordinates. Hand-written: geo's `signed_area` works on
/// absolute coordinates.
pub fn ring_planar_m2(ring: &LineString<f64>) -> f64 {
    (fan_crosses(ring).sum::<f64>() / 2.0).abs()
}

/// Twice the signed area of each triangle fanning from `ring`'s first vertex to each of its
/// edges, in the equal-area projection, on offsets from that vertex (see [`ring_planar_m2`]).
fn fan_crosses(ring: &LineString<f64>) -> impl Iterator<Item = f64> + '_ {
    let o = ring.0.first().map(|&c| equal_area(c));
    ring.0
        .iter()
        .skip(1)
        .scan(Coord { x: 0.0, y: 0.0 }, move |prev, &c| {
            let p = equal_area(c) - o?;
            let cross = prev.x * p.y - p.x * prev.y;
            *prev = p;
            Some(cross)
        })
}

/// An upper bound of the area `ring` encloses in the equal-area projection, m²: the sum of the
/// absolute areas of the triangles fanning from its first vertex. Every enclosed point, with any
/// winding, lies in one of them, so even a self-intersecting ring (a bow-tie, whose signed area
/// is zero) below the bound encloses less; for a simple ring of a few points (GADM's slivers)
/// it is the area.
pub fn ring_planar_bound_m2(ring: &LineString<f64>) -> f64 {
    fan_crosses(ring).map(f64::abs).sum::<f64>() / 2.0
}

/// How far a polygon's geodesic area may honestly stray from its planar equal-area area, m²:
/// each geodesic edge bows off its straight counterpart in the projection by a lens of at most
/// L³·(|tan φ| + 0.01) / 12R (L the edge's length, φ its mid latitude; measured, see
/// [`LENS_SAFETY`]), so real boundaries (edges of tens of metres) must agree to a few m², and a
/// coarse file's 1° edges get the room their geometry needs.
pub fn lens_bound_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.lines())
        .map(|l| {
            let phi = ((l.start.y + l.end.y) / 2.0).to_radians();
            let dx = (l.end.x - l.start.x).to_radians() * phi.cos() * R;
            let dy = (l.end.y - l.start.y).to_radians() * R;
            dx.hypot(dy).powi(3) * (phi.abs().tan() + 0.01) / (12.0 * R)
        })
        .sum()
}

/// Each polygon's exterior less its holes, never below zero, summed; km².
fn area_km2(mp: &MultiPolygon<f64>, ring_m2: fn(&LineString<f64>) -> f64) -> f64 {
    let polygon = |p: &Polygon<f64>| {
        let holes: f64 = p.interiors().iter().map(ring_m2).sum();
        (ring_m2(p.exterior()) - holes).max(0.0)
    };
    mp.0.iter().map(polygon).sum::<f64>() / 1e6
}

/// Geodesic area on the WGS84 ellipsoid (Karney's algorithm via geo), in km²: each polygon's
/// exterior less its holes, never below zero, every ring measured by [`ring_geodesic_m2`].
pub fn geodesic_area_km2(mp: &MultiPolygon<f64>) -> f64 {
    area_km2(mp, ring_geodesic_m2)
}

/// The same outline's area in the Lambert cylindrical equal-area projection, km².
pub fn planar_area_km2(mp: &MultiPolygon<f64>) -> f64 {
    area_km2(mp, ring_planar_m2)
}

/// The ellipsoidal area of the lat/lon box around `mp`, km² (exact: a box is a rectangle in
/// the cylindrical equal-area projection).
pub fn bbox_area_km2(mp: &MultiPolygon<f64>) -> f64 {
    let Some(r) = mp.bounding_rect() else {
        return 0.0;
    };
    let (lo, hi) = (equal_area(r.min()), equal_area(r.max()));
    (hi.x - lo.x) * (hi.y - lo.y) / 1e6
}

/// The unit's geodesic area in km², refused when it cannot be right: not finite, larger than
/// its lat/lon bounding box by more than 1 %, or differing from the planar equal-area area by
/// more than [`LENS_SAFETY`] × [`lens_bound_m2`] (+ 100 m²). Either would have caught a commune
/// given the Earth's area.
pub fn checked_area_km2(mp: &MultiPolygon<f64>) -> Result<f64, GeometryError> {
    let geodesic = geodesic_area_km2(mp);
    let planar = planar_area_km2(mp);
    let bbox = bbox_area_km2(mp);
    // The box first: it names the plainer fact (a commune larger than its own box).
    if !geodesic.is_finite() || geodesic > 1.01 * bbox + AREA_FLOOR_KM2 {
        return Err(GeometryError::AreaExceedsBox { geodesic, bbox });
    }
    let allowed = LENS_SAFETY * lens_bound_m2(mp) / 1e6 + AREA_FLOOR_KM2;
    if (geodesic - planar).abs() > allowed {
        return Err(GeometryError::AreaDisagrees {
            geodesic,
            planar,
            allowed,
        });
    }
    Ok(geodesic)
}
