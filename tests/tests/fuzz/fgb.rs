//! The FlatGeobuf boundary reader (`etl::boundaries::read_file` on a `.fgb`): generated files
//! read back as written; damaged ones give an error naming the file, never a panic.

use flatgeobuf::{ColumnType, FgbWriter, GeometryType};
use geo_types::{Geometry, LineString, MultiPolygon, Polygon};
use geozero::{ColumnValue, PropertyProcessor};
use proptest::prelude::*;

use crate::geojson::{Unit, named, read, read_back, unit};

const FILE: &str = "fuzz.fgb";

/// The units as a FlatGeobuf file (string columns, `parent_code` nullable), in memory.
fn fgb(units: &[Unit]) -> Vec<u8> {
    let mut fgb = FgbWriter::create("units", GeometryType::MultiPolygon).unwrap();
    for col in ["code", "name", "level", "parent_code"] {
        fgb.add_column(col, ColumnType::String, |_, c| {
            c.nullable = col == "parent_code"
        });
    }
    for u in units {
        let (w, s, dx, dy) = u.rect;
        let ring = vec![(w, s), (w + dx, s), (w + dx, s + dy), (w, s + dy), (w, s)];
        let mp = MultiPolygon::new(vec![Polygon::new(LineString::from(ring), vec![])]);
        fgb.add_feature_geom(Geometry::MultiPolygon(mp), |f| {
            f.property(0, "code", &ColumnValue::String(&u.code))
                .unwrap();
            f.property(1, "name", &ColumnValue::String(&u.name))
                .unwrap();
            let level = u.level.to_string();
            f.property(2, "level", &ColumnValue::String(&level))
                .unwrap();
            if let Some(p) = &u.parent {
                f.property(3, "parent_code", &ColumnValue::String(p))
                    .unwrap();
            }
        })
        .unwrap();
    }
    let mut out = Vec::new();
    fgb.write(&mut out).unwrap();
    out
}

proptest! {
    #![proptest_config(crate::config(100))]

    /// Generated features read back with their codes, names, levels, parents and one ring.
    #[test]
    fn generated_files_read_back(units in proptest::collection::vec(unit(), 1..12)) {
        let dir = tempfile::tempdir().unwrap();
        let mut features = read(dir.path(), FILE, &fgb(&units)).unwrap();
        // The writer may reorder features (spatial index): compare in the order of the codes.
        let mut want = units.clone();
        features.sort_by(|a, b| (&a.code, &a.name).cmp(&(&b.code, &b.name)));
        want.sort_by(|a, b| (&a.code, &a.name).cmp(&(&b.code, &b.name)));
        prop_assert_eq!(features.len(), want.len());
        for (f, u) in features.iter().zip(&want) {
            read_back(f, u, FILE)?;
        }
    }

    /// A file with bytes overwritten, inserted or cut: features or an error naming the file,
    /// never a panic.
    #[test]
    fn damaged_files_give_named_errors(
        units in proptest::collection::vec(unit(), 1..6),
        edits in crate::edits(6),
    ) {
        let mut bytes = fgb(&units);
        crate::damage(&mut bytes, &edits);
        let dir = tempfile::tempdir().unwrap();
        if let Err(e) = read(dir.path(), FILE, &bytes) {
            named(&e, FILE)?;
        }
    }
}

/// Found by `damaged_files_give_named_errors`: a header claiming 2^40 features (three written)
/// made the reader reserve room for all of them and abort the process (82 TB allocation).
/// (In a debug build flatgeobuf's index size overflowed first.) Now a count above the file's
/// bytes is an error naming the file.
#[test]
fn corpus_huge_feature_count_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/fuzz/fgb/huge_feature_count.fgb"
    );
    let bytes = std::fs::read(path).unwrap();
    let e = read(dir.path(), FILE, &bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fuzz.fgb: the header says 1099511627776 features but the file holds 1072 bytes"
    );
}

/// Found by `damaged_files_give_named_errors`: a name's length prefix of 3,003,121,724 bytes
/// in a 576-byte file made flatgeobuf's property reader panic (slice out of range). Now it is
/// an error naming the file and the feature.
#[test]
fn corpus_name_length_past_end_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/fuzz/fgb/name_length_past_end.fgb"
    );
    let e = read(dir.path(), FILE, &std::fs::read(path).unwrap()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "fuzz.fgb: feature 0: unreadable properties: \
         a property's length runs past the feature's bytes"
    );
}
