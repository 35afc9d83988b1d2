//! `popmap export`: the admin tiles of a published period written into a static archive
//! (PMTiles v3 or MBTiles 1.3) for hosting on object storage + CDN without a server.
//!
//! Tile bytes come from [`geodata::admin_tile`], the function the server uses, so an
//! exported tile is byte-identical to the served one: compact by default (codes and names),
//! every public indicator with `fields = "all"`. Tiles are cut on every core ([`cut`]) and
//! written in one order, so the archive does not depend on the thread count.

pub mod cut;
pub mod mbtiles;
pub mod pmtiles;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use geo_types::Rect;
use geodata::Snapshot;
use geodata::TileSource;
use geodata::vector_layers;
use geodata::{Catalog, Period, Store, StoredGeneralisation, UnitInfo};
use geodata::{FieldSet, admin_tile};
use geodata::{TileId, tiles_covering};

/// The highest zoom an export may ask for.
pub const MAX_EXPORT_ZOOM: u8 = 16;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The zoom range is not usable.
    #[error("bad zoom range {min}..{max}: need min <= max <= {MAX_EXPORT_ZOOM}")]
    Zoom {
        /// Requested min zoom.
        min: u8,
        /// Requested max zoom.
        max: u8,
    },
    /// The period has no published snapshot.
    #[error("period '{0}' is not published")]
    UnknownPeriod(String),
    /// The output exists and --force was not given.
    #[error("{0} exists; pass --force to replace it")]
    Exists(PathBuf),
    /// --fields names an unknown or restricted field.
    #[error("--fields: {0}")]
    Fields(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] geodata::StoreError),
    /// Writing the archive failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The PMTiles writer failed.
    #[error("pmtiles: {0}")]
    Pmtiles(#[from] ::pmtiles::PmtError),
    /// A band of the stored generalisation did not unpack (its head did, so it was used).
    #[error("the stored generalisation of boundary version '{version}' is damaged: {reason}")]
    Stored {
        /// The boundary version.
        version: String,
        /// What is wrong.
        reason: String,
    },
    /// The worker threads could not be started.
    #[error("cannot start {threads} export threads: {message}")]
    Threads {
        /// Threads asked for (0: one per core).
        threads: usize,
        /// The cause.
        message: String,
    },
}

/// The archive format written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// PMTiles v3: one file, HTTP range requests, no server.
    Pmtiles,
    /// MBTiles 1.3: a SQLite file, for tile servers and mobile apps that read it.
    Mbtiles,
}

impl Format {
    /// The format named by `out`'s extension (`.mbtiles` → MBTiles, anything else PMTiles).
    pub fn from_path(out: &Path) -> Format {
        match out.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("mbtiles") => Format::Mbtiles,
            _ => Format::Pmtiles,
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "pmtiles" => Ok(Format::Pmtiles),
            "mbtiles" => Ok(Format::Mbtiles),
            other => Err(format!("unknown format '{other}': use pmtiles or mbtiles")),
        }
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The archive format.
    pub format: Format,
    /// A period like 2025-06, or `latest`.
    pub period: String,
    /// Lowest zoom written.
    pub min_zoom: u8,
    /// Highest zoom written.
    pub max_zoom: u8,
    /// Comma-separated field ids, or `all` for every public one; `None` for compact tiles
    /// (codes and names only, as the server's default).
    pub fields: Option<String>,
    /// Replace an existing output.
    pub force: bool,
    /// Threads cutting tiles; `None` for one per core (or `RAYON_NUM_THREADS`).
    pub threads: Option<usize>,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The snapshot exported.
    pub snapshot: Snapshot,
    /// Non-empty tiles written.
    pub tiles: u64,
    /// Archive size in bytes.
    pub bytes: u64,
    /// Whether the geometry came from the generalisation stored at import (else it was
    /// generalised for this export).
    pub stored_generalisation: bool,
}

/// The tiles worth rendering at zooms `min..=max`: those touching a unit's bounding box (Web
/// Mercator metres), ordered by zoom, row, column.
pub fn candidate_tiles(bboxes: &[Rect<f64>], min: u8, max: u8) -> Vec<TileId> {
    let mut set = BTreeSet::new();
    for z in min..=max {
        for b in bboxes {
            for t in tiles_covering(*b, z) {
                set.insert((t.z, t.y, t.x));
            }
        }
    }
    set.into_iter()
        .map(|(z, y, x)| TileId { z, x, y })
        .collect()
}

/// Finds the snapshot of `period` (newest revision) or, for `latest`, what the server's
/// `latest` names ([`geodata::latest_snapshot`]: the newest month's newest revision).
async fn snapshot(store: &Store, period: &str) -> Result<Snapshot, ExportError> {
    let snap = if period == "latest" {
        geodata::latest_snapshot(&store.snapshots().await?).cloned()
    } else {
        match period.parse::<Period>() {
            Ok(p) => store.latest_snapshot(&p).await?,
            Err(_) => None,
        }
    };
    snap.ok_or_else(|| ExportError::UnknownPeriod(period.to_string()))
}

/// Exports the admin tiles of `opts.period` to a PMTiles archive at `out` (via `out.partial`).
pub async fn export(
    store: &Store,
    catalog: &Catalog,
    opts: &ExportOptions,
    out: &Path,
) -> Result<ExportSummary, ExportError> {
    if opts.min_zoom > opts.max_zoom || opts.max_zoom > MAX_EXPORT_ZOOM {
        return Err(ExportError::Zoom {
            min: opts.min_zoom,
            max: opts.max_zoom,
        });
    }
    if out.exists() && !opts.force {
        return Err(ExportError::Exists(out.to_path_buf()));
    }
    let fields = match &opts.fields {
        Some(list) => {
            FieldSet::parse(catalog, list).map_err(|e| ExportError::Fields(e.to_string()))?
        }
        None => FieldSet::compact(),
    };
    let threads = opts.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("popmap-export-{i}"))
        .build()
        .map_err(|e| ExportError::Threads {
            threads,
            message: e.to_string(),
        })?;
    let snap = snapshot(store, &opts.period).await?;
    let Loaded {
        source,
        bboxes,
        world,
    } = load(store, &snap.version, opts.max_zoom).await?;
    let stored = matches!(source, Source::Banded { .. });
    let values = store.values(snap.id).await?;
    let months = snap.period.month_count();
    let tiles = candidate_tiles(&bboxes, opts.min_zoom, opts.max_zoom);
    drop(bboxes);
    let description = format!(
        "popmap admin tiles: values of period {} revision {} on boundary version {}",
        snap.period, snap.revision, snap.version
    );
    let partial = partial_path(out);
    let _ = std::fs::remove_file(&partial);
    let meta = pmtiles::Meta {
        name: format!("popmap {}", snap.period),
        description,
        bounds: world,
        min_zoom: opts.min_zoom,
        max_zoom: opts.max_zoom,
    };
    let layers = vector_layers(
        &snap.version,
        source.first().levels(),
        catalog,
        &fields,
        opts.max_zoom,
    );
    let progress = indicatif::ProgressBar::new(tiles.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} tiles, {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    progress.set_message(format!("export {}", snap.period));
    let done = || progress.inc(1);
    let damaged = std::sync::Mutex::new(None);
    let cut: Box<dyn Iterator<Item = (TileId, Vec<u8>)> + Send> = match source {
        Source::Whole(src) => Box::new(cut::cut_in_order(
            &pool,
            &tiles,
            move |id| admin_tile(&src, id, catalog, &fields, &values, months),
            &done,
        )),
        Source::Banded {
            first,
            infos,
            mut stored,
        } => {
            // Zooms in order, one band's source at a time: each made when its first zoom comes
            // and dropped after its last (tiles are sorted by zoom).
            let groups = band_groups(&tiles, |z| first.band_for_zoom(z));
            let mut first = Some(first);
            let (pool, tiles, fields, values) = (&pool, &tiles, &fields, &values);
            let (done, damaged) = (&done, &damaged);
            Box::new(groups.into_iter().flat_map(move |(band, range)| {
                let src = match first.take().filter(|_| band == 0) {
                    Some(src) => Ok(src),
                    None => {
                        let bytes = std::mem::take(&mut stored.bands[band].geometry);
                        TileSource::from_stored_band(infos.clone(), &stored, band, &bytes)
                    }
                };
                let src = src
                    .map_err(|e| *damaged.lock().unwrap_or_else(|p| p.into_inner()) = Some(e))
                    .ok();
                src.into_iter().flat_map(move |src| {
                    cut::cut_in_order(
                        pool,
                        &tiles[range.clone()],
                        move |id| admin_tile(&src, id, catalog, fields, values, months),
                        done,
                    )
                })
            }))
        }
    };
    let res = match opts.format {
        Format::Pmtiles => pmtiles::write(&partial, &meta, &layers, cut),
        Format::Mbtiles => mbtiles::write(&partial, &meta, &layers, cut).await,
    };
    progress.finish_and_clear();
    let res = match damaged.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(ExportError::Stored {
            version: snap.version.clone(),
            reason: e.to_string(),
        }),
        None => res,
    };
    let count = match res {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).map_err(|source| ExportError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(ExportSummary {
        snapshot: snap,
        tiles: count,
        bytes,
        stored_generalisation: stored,
    })
}

/// Where an export's tiles are cut from.
enum Source {
    /// Generalised here (no usable stored generalisation): one source for every zoom.
    Whole(TileSource),
    /// The stored generalisation, unpacked one band at a time as the zooms reach it (a whole
    /// unpacked national source is ~117 MB; one band is a fifth of that).
    Banded {
        /// The source of band 0, made while loading (which checks the stored head).
        first: TileSource,
        /// The version's units in the store's order.
        infos: Vec<UnitInfo>,
        /// The stored generalisation, each band's bytes taken when it is unpacked.
        stored: StoredGeneralisation,
    },
}

impl Source {
    /// The source of the lowest zooms (levels and bands are the same in every band's).
    fn first(&self) -> &TileSource {
        match self {
            Source::Whole(src) | Source::Banded { first: src, .. } => src,
        }
    }
}

/// A version's tile source and extent, as an export needs them.
struct Loaded {
    /// Where the tiles are cut from.
    source: Source,
    /// Each unit's bounding box in Web Mercator metres.
    bboxes: Vec<Rect<f64>>,
    /// The version's extent in degrees.
    world: Option<Rect<f64>>,
}

/// The tile source of `version` the way the server builds it: from the generalisation stored
/// at import when there is a usable one (so exported tiles are the served bytes, and nothing
/// is generalised again), else generalised here (nothing is written: an export only reads);
/// and the units' boxes from their full geometry. Bands above `max_zoom` are not kept.
async fn load(store: &Store, version: &str, max_zoom: u8) -> Result<Loaded, ExportError> {
    // The boxes stored at import, not the units' full geometry decoded for them: that
    // geometry (~40 MB national) was the export's peak, on top of the packed bands.
    let packed = store.generalisation(version).await?;
    let (bboxes, world) = boxes(&store.unit_boxes(version).await?);
    let banded = match packed {
        Some(mut g) => {
            for band in g.bands.iter_mut().filter(|b| b.min_zoom > max_zoom) {
                band.geometry = Vec::new();
            }
            let infos = store.units(version).await?;
            let bytes = g
                .bands
                .first_mut()
                .map(|b| std::mem::take(&mut b.geometry))
                .unwrap_or_default();
            TileSource::from_stored_band(infos.clone(), &g, 0, &bytes)
                .ok()
                .map(|first| Source::Banded {
                    first,
                    infos,
                    stored: g,
                })
        }
        None => None,
    };
    let source = match banded {
        Some(source) => source,
        None => {
            let units = store.units_with_geometry(version).await?;
            Source::Whole(TileSource::new(
                units.into_iter().map(|u| (u.info(), u.geometry)).collect(),
            ))
        }
    };
    Ok(Loaded {
        source,
        bboxes,
        world,
    })
}

/// `tiles` (sorted by zoom) as runs of the same band, `band(z)` being zoom `z`'s.
fn band_groups(
    tiles: &[TileId],
    band: impl Fn(u8) -> usize,
) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut groups: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for (i, t) in tiles.iter().enumerate() {
        let b = band(t.z);
        match groups.last_mut() {
            Some((last, range)) if *last == b => range.end = i + 1,
            _ => groups.push((b, i..i + 1)),
        }
    }
    groups
}

/// Each unit's bounding box in Web Mercator metres, and their union in degrees.
fn boxes(stored: &[[f64; 4]]) -> (Vec<Rect<f64>>, Option<Rect<f64>>) {
    let mut bboxes = Vec::with_capacity(stored.len());
    let mut world: Option<Rect<f64>> = None;
    for r in stored.iter().map(|&[w, s, e, n]| Rect::new((w, s), (e, n))) {
        world = Some(match world {
            None => r,
            Some(w) => Rect::new(
                (w.min().x.min(r.min().x), w.min().y.min(r.min().y)),
                (w.max().x.max(r.max().x), w.max().y.max(r.max().y)),
            ),
        });
        let (x0, y0) = geodata::to_metres(r.min().x, r.min().y);
        let (x1, y1) = geodata::to_metres(r.max().x, r.max().y);
        bboxes.push(Rect::new((x0, y0), (x1, y1)));
    }
    (bboxes, world)
}

/// `OUT.partial` next to `OUT`.
fn partial_path(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}
