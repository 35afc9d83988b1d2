//! The whole import: read every file, build and check the units, then one store write.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::NaiveDate;
use geodata::BoundaryVersion;
use geodata::Store;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::error::BoundaryError;
use super::hierarchy::build_units_with;
use super::reader::{display_name, read_file_with};
use super::report::ImportReport;

/// A progress bar on stderr, hidden when `show` is false or stderr is not a terminal.
fn bar(show: bool, len: Option<u64>, message: String) -> ProgressBar {
    let pb = match len {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::new_spinner(),
    };
    if show && std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::stderr());
        let template = if len.is_some() {
            "{msg:30} [{bar:40}] {pos}/{len} ({eta})"
        } else {
            "{msg:30} {spinner} {pos} features"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            pb.set_style(style.progress_chars("=> "));
        }
    } else {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    pb.set_message(message);
    pb
}

/// Imports boundary version `version_id`, in force from `valid_from`, from `files` (GeoJSON or
/// FlatGeobuf, e.g. one per level): reads them all, builds and checks the units, then writes
/// the version with ONE `Store::import_version` call, so the import is all or nothing.
/// `replace` swaps an existing version that has no snapshots. `progress` shows bars on stderr
/// (only if it is a terminal).
pub async fn import(
    store: &Store,
    version_id: &str,
    valid_from: NaiveDate,
    files: &[PathBuf],
    replace: bool,
    progress: bool,
) -> Result<ImportReport, BoundaryError> {
    if files.is_empty() {
        return Err(BoundaryError::NoFeatures(": no file given".to_string()));
    }
    let mut features = Vec::new();
    for path in files {
        let pb = bar(progress, None, format!("reading {}", display_name(path)));
        features.extend(read_file_with(path, &mut |n| pb.inc(n))?);
        pb.finish_and_clear();
    }
    let pb = bar(
        progress,
        Some(features.len() as u64),
        "checking geometry".to_string(),
    );
    let (units, levels, report) = build_units_with(features, version_id, &mut |n| pb.inc(n))?;
    pb.finish_and_clear();
    let version = BoundaryVersion {
        id: version_id.to_string(),
        valid_from,
        valid_to: None,
        levels,
    };
    store.import_version(&version, &units, replace).await?;
    Ok(report)
}
