//! The islands of the Hoàng Sa and Trường Sa archipelagos, for the communes (special zones) there.
//!
//! Natural Earth's outline of Vietnam lacks both archipelagos, so their communes would get no land
//! from the Voronoi cells. Instead each such commune is the multipolygon of its islands, read from
//! the `island` features of `context.geojson` (see `data/vn/PROVENANCE.md`): the Natural Earth
//! land polygons of the archipelago, plus a small octagon ([`OCTAGON_RADIUS`]) around each listed
//! principal island that no polygon carries the name of. The units are then clickable where the
//! islands are drawn on the map.
//!
//! A commune is an archipelago commune when its point lies in the box of a group's islands
//! (grown by [`BOX_MARGIN`]); each island goes to the nearest archipelago commune point of its
//! group (planar distance in degrees, ties by index). The demo's points: vn-2019 Huyện Hoàng Sa
//! (20333) and the three communes of Huyện Trường Sa (22736 on Trường Sa island, 22737 on Song Tử
//! Tây, 22739 on Sinh Tồn); vn-2025 Đặc khu Hoàng Sa (20333) and Đặc khu Trường Sa (22736).

use std::collections::BTreeMap;
use std::path::Path;

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};

use super::DemoError;

/// Circumradius of the octagon drawn around a listed island without a polygon, degrees (≈ 670 m,
/// ≈ 1.2 km² at 10° N).
pub const OCTAGON_RADIUS: f64 = 0.006;
/// Margin around a group's islands within which a commune point counts as that group's, degrees.
pub const BOX_MARGIN: f64 = 0.5;

/// One island: its archipelago (`hoang_sa`, `truong_sa`) and its outline in degrees.
#[derive(Debug, Clone)]
pub struct Island {
    /// `hoang_sa` or `truong_sa`.
    pub group: String,
    /// The island's polygon (lon/lat degrees).
    pub shape: Polygon<f64>,
}

fn bad(path: &Path, message: String) -> DemoError {
    DemoError::Input {
        path: path.to_path_buf(),
        message,
    }
}

fn coord(path: &Path, v: &serde_json::Value) -> Result<Coord<f64>, DemoError> {
    match (v[0].as_f64(), v[1].as_f64()) {
        (Some(x), Some(y)) => Ok(Coord { x, y }),
        _ => Err(bad(path, format!("'{v}' is not a [lon, lat] pair"))),
    }
}

fn octagon(c: Coord<f64>) -> Polygon<f64> {
    let pts: Vec<Coord<f64>> = (0..8)
        .map(|k| {
            let a = std::f64::consts::FRAC_PI_8 + f64::from(k) * std::f64::consts::FRAC_PI_4;
            Coord {
                x: c.x + OCTAGON_RADIUS * a.cos(),
                y: c.y + OCTAGON_RADIUS * a.sin(),
            }
        })
        .collect();
    Polygon::new(LineString::new(pts), vec![])
}

/// Reads the islands of `context.geojson` (the `island` features; see the module doc).
pub fn read(path: &Path) -> Result<Vec<Island>, DemoError> {
    let text = std::fs::read_to_string(path).map_err(|source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(path, e.to_string()))?;
    let features = json["features"]
        .as_array()
        .ok_or_else(|| bad(path, "no features".into()))?;
    let mut polygons: Vec<(Island, Option<String>)> = Vec::new();
    let mut points: Vec<(String, String, Coord<f64>)> = Vec::new();
    for f in features
        .iter()
        .filter(|f| f["properties"]["layer"] == "island")
    {
        let group = f["properties"]["group"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = f["properties"]["name"].as_str().map(str::to_string);
        let g = &f["geometry"];
        match g["type"].as_str() {
            Some("Point") => {
                let name = name.ok_or_else(|| bad(path, "an island point has no name".into()))?;
                points.push((group, name, coord(path, &g["coordinates"])?));
            }
            Some("Polygon") => {
                let ext = g["coordinates"][0]
                    .as_array()
                    .ok_or_else(|| bad(path, "an island polygon has no ring".into()))?
                    .iter()
                    .map(|c| coord(path, c))
                    .collect::<Result<Vec<_>, _>>()?;
                let shape = Polygon::new(LineString::new(ext), vec![]);
                polygons.push((Island { group, shape }, name));
            }
            other => return Err(bad(path, format!("island geometry {other:?}"))),
        }
    }
    let mut out: Vec<Island> = Vec::new();
    for (group, name, at) in points {
        let carried = polygons
            .iter()
            .any(|(i, n)| i.group == group && n.as_deref() == Some(name.as_str()));
        if !carried {
            out.push(Island {
                group,
                shape: octagon(at),
            });
        }
    }
    out.extend(polygons.into_iter().map(|(i, _)| i));
    Ok(out)
}

/// The islands of each archipelago commune: point index → its islands (see the module doc).
pub fn assign(points: &[(f64, f64)], islands: &[Island]) -> BTreeMap<usize, MultiPolygon<f64>> {
    let mut groups: BTreeMap<&str, Vec<&Island>> = BTreeMap::new();
    for i in islands {
        groups.entry(i.group.as_str()).or_default().push(i);
    }
    let mut out: BTreeMap<usize, MultiPolygon<f64>> = BTreeMap::new();
    for members in groups.values() {
        let boxes: Vec<Rect<f64>> = members
            .iter()
            .filter_map(|i| i.shape.bounding_rect())
            .collect();
        let Some(first) = boxes.first() else { continue };
        let (mut lo, mut hi) = (first.min(), first.max());
        for b in &boxes {
            lo = Coord {
                x: lo.x.min(b.min().x),
                y: lo.y.min(b.min().y),
            };
            hi = Coord {
                x: hi.x.max(b.max().x),
                y: hi.y.max(b.max().y),
            };
        }
        let inside = |&(x, y): &(f64, f64)| {
            x >= lo.x - BOX_MARGIN
                && x <= hi.x + BOX_MARGIN
                && y >= lo.y - BOX_MARGIN
                && y <= hi.y + BOX_MARGIN
        };
        let seats: Vec<usize> = (0..points.len()).filter(|&k| inside(&points[k])).collect();
        for island in members {
            let Some(c) = island.shape.exterior().0.first() else {
                continue;
            };
            let d = |k: &usize| (points[*k].0 - c.x).powi(2) + (points[*k].1 - c.y).powi(2);
            let Some(&seat) = seats
                .iter()
                .min_by(|a, b| d(a).total_cmp(&d(b)).then(a.cmp(b)))
            else {
                continue;
            };
            out.entry(seat)
                .or_insert_with(|| MultiPolygon::new(Vec::new()))
                .0
                .push(island.shape.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn islands_go_to_the_nearest_seat_of_their_group() {
        let sq = |x: f64, y: f64| Island {
            group: "g".into(),
            shape: octagon(Coord { x, y }),
        };
        let islands = [sq(10.0, 10.0), sq(10.4, 10.0), sq(12.0, 10.0)];
        // Point 0 is far away; points 1 and 2 are seats.
        let points = [(0.0, 0.0), (10.1, 10.0), (11.9, 10.0)];
        let got = assign(&points, &islands);
        assert_eq!(got.keys().copied().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(got[&1].0.len(), 2);
        assert_eq!(got[&2].0.len(), 1);
        let o = octagon(Coord { x: 0.0, y: 0.0 });
        assert_eq!(o.exterior().0.len(), 9);
    }
}
