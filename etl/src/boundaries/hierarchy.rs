//! From raw features to units: names to NFC, geometry repair, geodesic area and the hierarchy
//! rules (unique codes, parents exist, no cycles, parent one level up, only the top level
//! without a parent).

use std::collections::{BTreeSet, HashMap};

use crate::geometry::{Repair, checked_area_km2, repair};
use geodata::Level;
use geodata::Unit;
use geodata::nfc;

use super::error::{BoundaryError, FeatureRef, FeatureRule};
use super::reader::RawFeature;
use super::report::{ImportReport, LevelReport, RepairNote};

/// Relative difference between a parent's area and its children's total above which a warning
/// is raised.
const AREA_MISMATCH: f64 = 0.01;

/// Builds the units of boundary version `version` from features read from one or more files.
///
/// Returns the units (in input order), the levels present (top first) and the report. Refuses,
/// naming the file, feature and rule: duplicate codes, empty names, geometry that cannot be
/// repaired, a top-level unit with a parent, a lower unit without one, a parent code that does
/// not exist, parent codes that form a cycle, a parent not at the level directly above, an area
/// that fails its cross-check ([`crate::geometry::checked_area_km2`]).
pub fn build_units(
    features: Vec<RawFeature>,
    version: &str,
) -> Result<(Vec<Unit>, Vec<Level>, ImportReport), BoundaryError> {
    build_units_with(features, version, &mut |_| {})
}

/// [`build_units`], calling `tick(n)` as geometries are repaired.
pub(crate) fn build_units_with(
    features: Vec<RawFeature>,
    version: &str,
    tick: &mut dyn FnMut(u64),
) -> Result<(Vec<Unit>, Vec<Level>, ImportReport), BoundaryError> {
    if features.is_empty() {
        return Err(BoundaryError::NoFeatures(String::new()));
    }
    let mut files: Vec<String> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(features.len());
    let mut names_normalised = 0;
    let mut names = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        if files.last() != Some(&f.at.file) && !files.contains(&f.at.file) {
            files.push(f.at.file.clone());
        }
        if let Some(&first) = index.get(f.code.as_str()) {
            return Err(BoundaryError::feature(
                &f.at,
                FeatureRule::DuplicateCode {
                    code: f.code.clone(),
                    first: Box::new(features[first].at.clone()),
                },
            ));
        }
        index.insert(&f.code, i);
        let name = nfc(f.name.trim());
        if name.is_empty() {
            return Err(BoundaryError::feature(&f.at, FeatureRule::EmptyName));
        }
        if name != f.name.trim() {
            names_normalised += 1;
        }
        names.push(name);
    }

    let levels: Vec<Level> = features
        .iter()
        .map(|f| f.level)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    check_hierarchy(&features, &index, &levels, version)?;

    let mut repairs = Vec::new();
    let mut units: Vec<Unit> = Vec::with_capacity(features.len());
    let mut outlines = Outlines::default();
    for (f, name) in features.into_iter().zip(names) {
        let (geometry, done) = repair(&f.geometry).map_err(|e| BoundaryError::feature(&f.at, e))?;
        if let Some(first) = outlines.seen(&units, f.level, &geometry, &f.at) {
            let rule = FeatureRule::DuplicateGeometry { first };
            return Err(BoundaryError::feature(&f.at, rule));
        }
        repairs.extend(done.into_iter().map(|r| RepairNote {
            file: f.at.file.clone(),
            feature: f.at.index,
            code: f.code.clone(),
            message: r.to_string(),
            repair: r,
        }));
        let area_km2 = checked_area_km2(&geometry).map_err(|e| BoundaryError::feature(&f.at, e))?;
        units.push(Unit {
            area_km2,
            code: f.code,
            name,
            level: f.level,
            parent_code: f.parent_code,
            geometry,
        });
        tick(1);
    }

    let report = ImportReport {
        version: version.to_string(),
        files,
        levels: levels
            .iter()
            .map(|&level| {
                let of_level = units.iter().filter(|u| u.level == level);
                LevelReport {
                    level,
                    units: of_level.clone().count(),
                    area_km2: of_level.map(|u| u.area_km2).sum(),
                }
            })
            .collect(),
        units: units.len(),
        total_area_km2: units
            .iter()
            .filter(|u| u.level == levels[0])
            .map(|u| u.area_km2)
            .sum(),
        names_normalised,
        slivers_removed: repairs
            .iter()
            .filter(|r| matches!(r.repair, Repair::RemovedTinyRing { .. }))
            .count(),
        repairs,
        warnings: warnings(&units, &levels),
    };
    Ok((units, levels, report))
}

/// The repaired outlines met so far, by level and a hash of their coordinates' bits, to refuse
/// the same outline under two codes. Hand-written: a hash of the exact bits is all it takes, and
/// equal hashes are confirmed by comparing the geometries.
#[derive(Default)]
struct Outlines(HashMap<(Level, u64), Vec<(usize, FeatureRef)>>);

impl Outlines {
    /// The earlier feature of `level` whose outline equals `geometry` (`units` holds the
    /// geometries seen so far, in order); otherwise records `geometry` as unit `units.len()`.
    fn seen(
        &mut self,
        units: &[Unit],
        level: Level,
        geometry: &geo_types::MultiPolygon<f64>,
        at: &FeatureRef,
    ) -> Option<Box<FeatureRef>> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for c in geometry.iter().flat_map(|p| p.exterior().coords()) {
            (c.x.to_bits(), c.y.to_bits()).hash(&mut h);
        }
        let same = self.0.entry((level, h.finish())).or_default();
        if let Some((_, first)) = same.iter().find(|(i, _)| units[*i].geometry == *geometry) {
            return Some(Box::new(first.clone()));
        }
        same.push((units.len(), at.clone()));
        None
    }
}

/// The parent rules, in three passes so each error is the most telling one: presence and
/// existence of parents, then cycles, then the parent's level.
fn check_hierarchy(
    features: &[RawFeature],
    index: &HashMap<&str, usize>,
    levels: &[Level],
    version: &str,
) -> Result<(), BoundaryError> {
    let top = levels[0];
    let mut parent_of: Vec<Option<usize>> = Vec::with_capacity(features.len());
    for f in features {
        let parent = match (&f.parent_code, f.level == top) {
            (Some(p), true) => {
                // A parent that exists at a level above `top` cannot, so report the rule.
                return Err(BoundaryError::feature(
                    &f.at,
                    if index.contains_key(p.as_str()) {
                        FeatureRule::TopLevelHasParent {
                            level: top,
                            parent: p.clone(),
                            version: version.to_string(),
                        }
                    } else {
                        FeatureRule::ParentMissing {
                            parent: p.clone(),
                            version: version.to_string(),
                        }
                    },
                ));
            }
            (None, true) => None,
            (None, false) => {
                return Err(BoundaryError::feature(
                    &f.at,
                    FeatureRule::MissingParent {
                        level: f.level,
                        top,
                        version: version.to_string(),
                    },
                ));
            }
            (Some(p), false) => Some(*index.get(p.as_str()).ok_or_else(|| {
                BoundaryError::feature(
                    &f.at,
                    FeatureRule::ParentMissing {
                        parent: p.clone(),
                        version: version.to_string(),
                    },
                )
            })?),
        };
        parent_of.push(parent);
    }

    if let Some(cycle) = find_cycle(&parent_of) {
        let first = *cycle.iter().min().expect("a cycle has members");
        let start = cycle.iter().position(|&i| i == first).expect("member");
        let mut codes: Vec<String> = cycle[start..]
            .iter()
            .chain(&cycle[..start])
            .map(|&i| features[i].code.clone())
            .collect();
        codes.push(features[first].code.clone());
        return Err(BoundaryError::feature(
            &features[first].at,
            FeatureRule::Cycle(codes),
        ));
    }

    for (f, parent) in features.iter().zip(&parent_of) {
        let Some(p) = parent else { continue };
        let pos = levels.iter().position(|l| *l == f.level).expect("present");
        let expected = levels[pos - 1];
        let parent_level = features[*p].level;
        if parent_level != expected {
            return Err(BoundaryError::feature(
                &f.at,
                FeatureRule::ParentWrongLevel {
                    parent: features[*p].code.clone(),
                    parent_level,
                    level: f.level,
                    expected,
                    version: version.to_string(),
                },
            ));
        }
    }
    Ok(())
}

/// The members of the first parent cycle found, in parent order, or `None`.
fn find_cycle(parent_of: &[Option<usize>]) -> Option<Vec<usize>> {
    // 0 = unvisited, 1 = on the current path, 2 = known to reach the top.
    let mut state = vec![0u8; parent_of.len()];
    for start in 0..parent_of.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            match state[i] {
                2 => break,
                1 => {
                    let from = path.iter().position(|&j| j == i).expect("on path");
                    return Some(path[from..].to_vec());
                }
                _ => {
                    state[i] = 1;
                    path.push(i);
                    at = parent_of[i];
                }
            }
        }
        for j in path {
            state[j] = 2;
        }
    }
    None
}

/// Non-blocking checks: parents whose children's areas do not add up to theirs, and units
/// above the bottom level without children.
fn warnings(units: &[Unit], levels: &[Level]) -> Vec<String> {
    let bottom = *levels.last().expect("at least one level");
    let mut child_area: HashMap<&str, (usize, f64)> = HashMap::new();
    for u in units {
        if let Some(p) = &u.parent_code {
            let e = child_area.entry(p.as_str()).or_default();
            e.0 += 1;
            e.1 += u.area_km2;
        }
    }
    let mut out = Vec::new();
    for u in units.iter().filter(|u| u.level != bottom) {
        match child_area.get(u.code.as_str()) {
            None => out.push(format!(
                "{} \"{}\" ({}) has no child units",
                u.level, u.code, u.name
            )),
            Some(&(n, area)) if (area - u.area_km2).abs() > AREA_MISMATCH * u.area_km2 => out
                .push(format!(
                    "{} \"{}\" ({}) has {:.1} km² but its {n} child unit(s) add up to {:.1} km² ({:+.1}%)",
                    u.level,
                    u.code,
                    u.name,
                    u.area_km2,
                    area,
                    (area / u.area_km2 - 1.0) * 100.0
                )),
            Some(_) => {}
        }
    }
    out
}
