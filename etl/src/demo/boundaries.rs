//! The demo boundary versions: vn-2019 (communes, districts, provinces) and vn-2025 (communes, provinces).
//!
//! vn-2019 communes are Voronoi cells of the real commune points clipped to the outline; districts and
//! provinces are exact dissolves of them. vn-2025 communes are built from the 2019 cells and the official
//! mapping (see `merge`); if some new commune would get no polygon, all vn-2025 communes fall back to
//! Voronoi cells of the 2025 points. vn-2025 provinces are exact dissolves of the communes.

use std::collections::BTreeMap;

use super::DemoError;
use super::archipelago::assign;
use super::dissolve::dissolve;
use super::grid::GridPoly;
use super::inputs::Inputs;
use super::merge::communes_2025;
use super::voronoi::clipped_cells;

/// vn-2025 commune polygons built from the 2019 cells and the official mapping (the normal case).
pub const VN_2025_FROM_2019: &str = "unions of the 2019 cells merged into each commune plus its restricted-Voronoi pieces of split cells";
/// vn-2025 commune polygons built as Voronoi cells of the 2025 points (fallback).
pub const VN_2025_VORONOI: &str = "Voronoi cells of the 2025 commune points clipped to the outline";

/// A named unit with its polygon.
#[derive(Debug, Clone)]
pub struct Shape {
    /// GSO code.
    pub code: String,
    /// Name, NFC.
    pub name: String,
    /// Parent code (None for provinces).
    pub parent: Option<String>,
    /// The polygon on the grid.
    pub poly: GridPoly,
}

/// Both boundary versions and the pipeline's diagnostics.
#[derive(Debug, Clone)]
pub struct Geometry {
    /// vn-2019 communes in `Inputs::communes_2019` order.
    pub communes_2019: Vec<Shape>,
    /// vn-2019 districts sorted by code.
    pub districts_2019: Vec<Shape>,
    /// vn-2019 provinces sorted by code.
    pub provinces_2019: Vec<Shape>,
    /// vn-2025 communes in `Inputs::communes_2025` order.
    pub communes_2025: Vec<Shape>,
    /// vn-2025 provinces sorted by code.
    pub provinces_2025: Vec<Shape>,
    /// Dissolves that fell back to a generic union.
    pub fallbacks: usize,
    /// Version id → codes of communes that got an island square or their archipelago's islands.
    pub islands: BTreeMap<String, Vec<String>>,
    /// How the vn-2025 communes were built.
    pub method_2025: String,
    /// Codes of communes whose duplicated point was nudged.
    pub nudged: Vec<String>,
}

fn group(
    children: &[Shape],
    key: impl Fn(&Shape) -> (String, String, Option<String>),
    fallbacks: &mut usize,
) -> Vec<Shape> {
    let mut groups: BTreeMap<String, (String, Option<String>, Vec<&GridPoly>)> = BTreeMap::new();
    for c in children {
        let (code, name, parent) = key(c);
        groups
            .entry(code)
            .or_insert_with(|| (name, parent, Vec::new()))
            .2
            .push(&c.poly);
    }
    groups
        .into_iter()
        .map(|(code, (name, parent, members))| Shape {
            code,
            name,
            parent,
            poly: dissolve(&members, fallbacks),
        })
        .collect()
}

impl Geometry {
    /// Builds both versions from the inputs.
    pub fn build(data: &Inputs) -> Result<Geometry, DemoError> {
        let mut fallbacks = 0;
        let pts: Vec<(f64, f64)> = data.communes_2019.iter().map(|c| (c.lon, c.lat)).collect();
        let cells = clipped_cells(&pts, &data.outline, &assign(&pts, &data.islands))?;
        let code19 = |i: &usize| data.communes_2019[*i].code.clone();
        let mut islands = BTreeMap::new();
        islands.insert(
            "vn-2019".to_string(),
            cells.islands.iter().map(code19).collect::<Vec<_>>(),
        );
        let nudged: Vec<String> = cells.nudged.iter().map(code19).collect();
        let communes_2019: Vec<Shape> = data
            .communes_2019
            .iter()
            .zip(cells.polys)
            .map(|(c, poly)| Shape {
                code: c.code.clone(),
                name: c.name.clone(),
                parent: Some(c.district_code.clone()),
                poly,
            })
            .collect();
        let district_of: BTreeMap<&str, (&str, &str)> = data
            .communes_2019
            .iter()
            .map(|c| {
                (
                    c.district_code.as_str(),
                    (c.district_name.as_str(), c.province_code.as_str()),
                )
            })
            .collect();
        let districts_2019 = group(
            &communes_2019,
            |s| {
                let d = s.parent.clone().unwrap_or_default();
                let (name, prov) = district_of[d.as_str()];
                (d, name.to_string(), Some(prov.to_string()))
            },
            &mut fallbacks,
        );
        let province_name: BTreeMap<&str, &str> = data
            .communes_2019
            .iter()
            .map(|c| (c.province_code.as_str(), c.province_name.as_str()))
            .collect();
        let provinces_2019 = group(
            &districts_2019,
            |s| {
                let p = s.parent.clone().unwrap_or_default();
                let name = province_name[p.as_str()].to_string();
                (p, name, None)
            },
            &mut fallbacks,
        );

        let cells19: Vec<GridPoly> = communes_2019.iter().map(|c| c.poly.clone()).collect();
        let (polys_2025, method_2025) = match communes_2025(data, &cells19, &mut fallbacks) {
            Ok(polys) => {
                islands.insert("vn-2025".to_string(), Vec::new());
                (polys, VN_2025_FROM_2019.to_string())
            }
            Err(empty) => {
                let pts: Vec<(f64, f64)> =
                    data.communes_2025.iter().map(|c| (c.lon, c.lat)).collect();
                let cells = clipped_cells(&pts, &data.outline, &assign(&pts, &data.islands))?;
                islands.insert(
                    "vn-2025".to_string(),
                    cells
                        .islands
                        .iter()
                        .map(|i| data.communes_2025[*i].code.clone())
                        .collect(),
                );
                (
                    cells.polys,
                    format!(
                        "{VN_2025_VORONOI} (communes {} got no piece of a 2019 cell)",
                        empty.join(", ")
                    ),
                )
            }
        };
        let communes_2025: Vec<Shape> = data
            .communes_2025
            .iter()
            .zip(polys_2025)
            .map(|(c, poly)| Shape {
                code: c.code.clone(),
                name: c.name.clone(),
                parent: Some(c.province_code.clone()),
                poly,
            })
            .collect();
        let province_name: BTreeMap<&str, &str> = data
            .communes_2025
            .iter()
            .map(|c| (c.province_code.as_str(), c.province_name.as_str()))
            .collect();
        let provinces_2025 = group(
            &communes_2025,
            |s| {
                let p = s.parent.clone().unwrap_or_default();
                (p.clone(), province_name[p.as_str()].to_string(), None)
            },
            &mut fallbacks,
        );
        Ok(Geometry {
            communes_2019,
            districts_2019,
            provinces_2019,
            communes_2025,
            provinces_2025,
            fallbacks,
            islands,
            method_2025,
            nudged,
        })
    }
}
