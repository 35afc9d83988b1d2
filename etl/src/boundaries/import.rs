//! The whole import: read every file, build and check the units, generalise them for every
//! zoom band and place their labels (stored, so the server never generalises at start), then
//! one store write.

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::NaiveDate;
use geo_types::MultiPolygon;
use geodata::Store;
use geodata::{BandToPack, BoundaryVersion, StoredGeneralisation, TileSource, UnitInfo};
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
/// FlatGeobuf, e.g. one per level): reads them all, builds and checks the units, generalises
/// them, then writes the version, its units and its generalisation with ONE
/// `Store::import_generalised_version` call, so the import is all or nothing.
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
    super::check_version_id(version_id)?;
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
    let pb = bar(progress, None, "generalising".to_string());
    let (units, head, mut spilled) = generalise(units).await?;
    pb.finish_and_clear();
    store
        .import_generalised_version_with(&version, &units, &head, |b| spilled.read(b), replace)
        .await?;
    Ok(report)
}

/// The packed bands of a generalisation set aside in an unnamed temporary file (removed when
/// dropped) until the store writes them: held in memory they stood next to the next bands'
/// generalisation and then next to the driver's copies of each band written (46 MB on the
/// national file, a quarter of the import's peak). Each band is packed straight into it and
/// read back a part at a time by the store, so its bytes are never whole in memory; they go
/// through the page cache, not the process's memory.
struct SpilledBands {
    file: std::fs::File,
    /// Offset and length of each band's bytes, in band order.
    at: Vec<(u64, usize)>,
    /// The first write error, reported when the bands are read.
    error: Option<std::io::Error>,
}

impl SpilledBands {
    fn new() -> Result<SpilledBands, BoundaryError> {
        let file = tempfile::tempfile()
            .map_err(|e| BoundaryError::Generalise(format!("cannot make a temporary file: {e}")))?;
        Ok(SpilledBands {
            file,
            at: Vec::new(),
            error: None,
        })
    }

    /// Packs the next band straight into the file (its bytes never whole in memory).
    fn push(&mut self, band: &BandToPack<'_>) {
        let start = self.at.last().map_or(0, |&(o, n)| o + n as u64);
        let mut len = 0;
        if self.error.is_none() {
            match band.pack_to(&mut self.file) {
                Ok(n) => len = n,
                Err(e) => self.error = Some(e),
            }
        }
        self.at.push((start, len as usize));
    }

    /// A reader of band `b`'s bytes (the store reads them a part at a time, so no band is
    /// held whole again).
    fn read(&mut self, b: usize) -> Result<std::io::Take<std::fs::File>, String> {
        use std::io::{Read, Seek, SeekFrom};
        let tmp = |e: std::io::Error| format!("the temporary file of the bands: {e}");
        if let Some(e) = self.error.take() {
            return Err(tmp(e));
        }
        let &(offset, len) = self.at.get(b).ok_or("no such band")?;
        // A handle of its own (sharing the offset): the reader outlives this call.
        let mut file = self.file.try_clone().map_err(tmp)?;
        file.seek(SeekFrom::Start(offset)).map_err(tmp)?;
        Ok(file.take(len as u64))
    }
}

/// The generalisation of `units` in the store's form (per-band geometry and label points, see
/// `geodata::TileSource`), made on a blocking thread from the units in the store's order (level,
/// then code), the order the server reads them in, so what it loads is what it would have built.
/// Band by band, reading the units' geometry in place (no copy): the units come back with it,
/// the generalisation without its bands' bytes, and those spilled to a temporary file.
async fn generalise(
    units: Vec<geodata::Unit>,
) -> Result<(Vec<geodata::Unit>, StoredGeneralisation, SpilledBands), BoundaryError> {
    let mut spilled = SpilledBands::new()?;
    tokio::task::spawn_blocking(move || {
        let head = {
            let mut order: Vec<&geodata::Unit> = units.iter().collect();
            order.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
            let infos: Vec<UnitInfo> = order.iter().map(|u| u.info()).collect();
            let geometries: Vec<&MultiPolygon<f64>> = order.iter().map(|u| &u.geometry).collect();
            TileSource::build_stored_with(&infos, &geometries, |band| spilled.push(&band))
        };
        (units, head, spilled)
    })
    .await
    .map_err(|e| BoundaryError::Generalise(e.to_string()))
}
