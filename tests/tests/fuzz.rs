//! The fuzz suite: property tests (proptest) of every parser that reads outside input and of the
//! MVT encoder. Each target asserts that no input panics, that errors name the file/line/feature
//! and the rule, and that generated valid input reads back as generated (round trips).
//!
//! `make test` runs a bounded number of cases per target; `PROPTEST_CASES=N` (or `make fuzz`)
//! runs more. A crash found is kept as a file under `tests/corpus/fuzz/<target>/` with a test
//! here replaying it (see that directory's README).
//!
//! A suite root resolves `mod` files beside itself (`tests/tests/`), hence one `#[path]` per
//! module.

#[path = "fuzz/fgb.rs"]
mod fgb;
#[path = "fuzz/geojson.rs"]
mod geojson;
#[path = "fuzz/mvt.rs"]
mod mvt;
#[path = "fuzz/period.rs"]
mod period;
#[path = "fuzz/table.rs"]
mod table;
#[path = "fuzz/tile_path.rs"]
mod tile_path;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

/// The proptest configuration of a target: `default` cases unless `PROPTEST_CASES` says more,
/// and no failure files written into the source tree (a failure is kept by hand as a corpus
/// file under `tests/corpus/fuzz/`).
pub fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Damage to a byte string: `(where, byte, kind)`, kind 0 overwrites, 1 inserts, 2 cuts the rest.
pub type Edits = Vec<(Index, u8, u8)>;

/// One to `max - 1` random [`Edits`].
pub fn edits(max: usize) -> impl Strategy<Value = Edits> {
    proptest::collection::vec((any::<Index>(), any::<u8>(), 0..3u8), 1..max)
}

/// Applies `edits` to `bytes` in order (the damage of the "damaged file" targets).
pub fn damage(bytes: &mut Vec<u8>, edits: &Edits) {
    for &(at, byte, kind) in edits {
        let i = at.index(bytes.len().max(1)).min(bytes.len());
        match kind {
            0 if i < bytes.len() => bytes[i] = byte,
            1 => bytes.insert(i, byte),
            _ => bytes.truncate(i),
        }
    }
}
