//! The GeoJSON boundary reader (`etl::boundaries::read_file` on a `.geojson`): generated
//! feature collections read back as written; damaged ones give an error naming the file (and
//! the feature, for a feature's rule), never a panic.

use std::path::Path;

use etl::boundaries::{BoundaryError, read_file};
use geodata::Level;
use proptest::prelude::*;
use serde_json::json;

const FILE: &str = "fuzz.geojson";

/// A generated province, district or commune: code, name, level, parent and a rectangle.
#[derive(Debug, Clone)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<String>,
    /// West, south, width, height in degrees.
    pub rect: (f64, f64, f64, f64),
}

pub fn unit() -> impl Strategy<Value = Unit> {
    let level = prop_oneof![
        Just(Level::Province),
        Just(Level::District),
        Just(Level::Commune)
    ];
    (
        "[0-9]{2,5}",
        "\\PC{1,20}",
        level,
        proptest::option::of("[0-9]{2,3}"),
        (100.0f64..110.0, 8.0f64..23.0, 0.001f64..0.5, 0.001f64..0.5),
    )
        .prop_map(|(code, name, level, parent, rect)| Unit {
            code,
            name,
            level,
            parent,
            rect,
        })
}

fn collection(units: &[Unit]) -> String {
    let features: Vec<_> = units
        .iter()
        .map(|u| {
            let (w, s, dx, dy) = u.rect;
            let ring = [[w, s], [w + dx, s], [w + dx, s + dy], [w, s + dy], [w, s]];
            json!({
                "type": "Feature",
                "properties": {
                    "code": u.code, "name": u.name, "level": u.level.to_string(),
                    "parent_code": u.parent,
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// Writes `bytes` as `dir/file` and reads it as the import does.
pub fn read(
    dir: &Path,
    file: &str,
    bytes: &[u8],
) -> Result<Vec<etl::boundaries::RawFeature>, BoundaryError> {
    let path = dir.join(file);
    std::fs::write(&path, bytes).unwrap();
    read_file(&path)
}

proptest! {
    #![proptest_config(crate::config(200))]

    /// Generated features read back with their codes, names, levels, parents and one ring.
    #[test]
    fn generated_collections_read_back(units in proptest::collection::vec(unit(), 1..12)) {
        let dir = tempfile::tempdir().unwrap();
        let features = read(dir.path(), FILE, collection(&units).as_bytes()).unwrap();
        prop_assert_eq!(features.len(), units.len());
        for (i, (f, u)) in features.iter().zip(&units).enumerate() {
            read_back(f, u, FILE)?;
            prop_assert_eq!(f.at.index, i);
        }
    }

    /// A collection with bytes overwritten, inserted or cut: features or an error naming the
    /// file, never a panic.
    #[test]
    fn damaged_collections_give_named_errors(
        units in proptest::collection::vec(unit(), 1..6),
        edits in crate::edits(6),
    ) {
        let mut bytes = collection(&units).into_bytes();
        crate::damage(&mut bytes, &edits);
        let dir = tempfile::tempdir().unwrap();
        if let Err(e) = read(dir.path(), FILE, &bytes) {
            named(&e, FILE)?;
        }
    }

    /// Any bytes: features or an error naming the file, never a panic.
    #[test]
    fn any_bytes_give_named_errors(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let dir = tempfile::tempdir().unwrap();
        if let Err(e) = read(dir.path(), FILE, &bytes) {
            named(&e, FILE)?;
        }
    }
}

/// `f` is `u` read back from `file`: code, name, level, parent and one polygon.
pub fn read_back(
    f: &etl::boundaries::RawFeature,
    u: &Unit,
    file: &str,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(&f.code, &u.code);
    prop_assert_eq!(&f.name, &u.name);
    prop_assert_eq!(f.level, u.level);
    prop_assert_eq!(&f.parent_code, &u.parent);
    prop_assert_eq!(f.geometry.len(), 1);
    prop_assert_eq!(&f.at.file, file);
    Ok(())
}

/// The error names `file` (a feature's error also its index) and says more than that.
pub fn named(e: &BoundaryError, file: &str) -> Result<(), TestCaseError> {
    let text = e.to_string();
    match e {
        BoundaryError::NoFeatures(_) => {}
        BoundaryError::Feature { at, .. } => prop_assert_eq!(&at.file, file),
        _ => prop_assert!(text.starts_with(file), "{}", text),
    }
    prop_assert!(text.len() > file.len() + 2, "{}", text);
    Ok(())
}
