//! In-memory caches (moka): per-version tile sources, per-snapshot values, and built tiles
//! weighted by their bytes. Concurrent misses for one key are computed once: the other
//! requests wait for the first one's result.
//!
//! Keys name immutable things only (a version id, a snapshot id), so a reload never has to
//! purge: a re-published period is a new snapshot id and old revisions keep their bytes.

use std::sync::Arc;
use std::time::Duration;

use geodata::Grid;
use geodata::Operator;
use geodata::OperatorInfo;
use geodata::TileSource;
use geodata::{Catalog, Store, UnitInfo};
use geodata::{DisclosureRules, protect};
use geodata::{HarmoniseError, Harmonised, Harmoniser};
use geodata::{Snapshot, ValueTable};
use moka::future::Cache;

use crate::http::encoding::TileBody;
use crate::http::error::ApiError;
use crate::state::metrics::{FamilyLabels, Metrics};

/// What a cached tile is of.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TileKey {
    /// A boundary tile of a version.
    Boundary {
        /// Boundary version id.
        version: Arc<str>,
        /// Zoom, column, row.
        zxy: (u8, u32, u32),
    },
    /// An admin tile of a snapshot harmonised onto another boundary version.
    Harmonised {
        /// Snapshot store id.
        snapshot: i64,
        /// Target boundary version id.
        version: Arc<str>,
        /// [`geodata::FieldSet::key`].
        fields: Arc<str>,
        /// Zoom, column, row.
        zxy: (u8, u32, u32),
    },
    /// An H3 tile of a snapshot.
    H3 {
        /// Snapshot store id.
        snapshot: i64,
        /// Zoom, column, row.
        zxy: (u8, u32, u32),
    },
    /// A tile of the static country context (`geodata::context_tile`).
    Context {
        /// Zoom, column, row.
        zxy: (u8, u32, u32),
    },
    /// An admin tile of a snapshot with a field set.
    Admin {
        /// Snapshot store id.
        snapshot: i64,
        /// [`geodata::FieldSet::key`].
        fields: Arc<str>,
        /// Zoom, column, row.
        zxy: (u8, u32, u32),
    },
}

impl TileKey {
    /// The tile family, as a metrics label.
    pub fn family(&self) -> &'static str {
        match self {
            TileKey::Boundary { .. } => "boundaries",
            TileKey::Admin { .. } | TileKey::Harmonised { .. } => "admin",
            TileKey::H3 { .. } => "h3",
            TileKey::Context { .. } => "context",
        }
    }
}

/// Byte budget of the cached H3 grids (an r9 grid of Vietnam is ~0.5 GB, r8 ~70 MB).
pub const GRID_BYTES: u64 = 1 << 30;

/// Byte budget of the cached snapshots' values (and half as much for harmonised ones): a
/// national period (9,904 communes, 693 districts, 63 provinces, 17 counts each) weighs about
/// 14 MB, so two stay (a change map's two ends) and memory stays bounded as periods accumulate
/// (it was 64 tables, whatever their size); any other period is read again (~0.13 s on the
/// national file). Half as much (one national period) measured 19 MiB less resident with six
/// periods browsed but would read both ends of every change map again.
pub const VALUE_BYTES: u64 = 32 << 20;

/// The estimated heap bytes of a value table: per unit its code and a map node, per value the
/// indicator id and an entry (BTreeMap nodes hold up to 11 entries; `String`s are 24 bytes plus
/// their text rounded up by the allocator).
fn table_weight(t: &ValueTable) -> u32 {
    let bytes: usize = t
        .iter()
        .map(|(code, row)| 96 + code.len() + row.keys().map(|k| 56 + k.len()).sum::<usize>())
        .sum();
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// A stored H3 operator with its description.
pub type StoredOperator = Arc<(OperatorInfo, Operator)>;

/// A snapshot's H3 grid, disclosure flags set, with the operator it was made with.
#[derive(Debug)]
pub struct H3Snapshot {
    /// Cell counts at every resolution.
    pub grid: Grid,
    /// The operator of the snapshot's boundary version.
    pub operator: StoredOperator,
}

/// The server's caches.
pub struct TileCache {
    sources: Cache<String, Arc<TileSource>>,
    values: Cache<i64, Arc<ValueTable>>,
    harmonised: Cache<(i64, String), Arc<Harmonised>>,
    harmonisers: Cache<(String, String), Arc<Harmoniser>>,
    operators: Cache<String, StoredOperator>,
    grids: Cache<i64, Arc<H3Snapshot>>,
    tiles: Cache<TileKey, Arc<TileBody>>,
    /// The one body of every empty tile (204): most tiles of a national box are sea, and a
    /// body each (digest and three ETags) cost ~0.5 kB apiece.
    empty: Arc<TileBody>,
}

/// Heap bytes a cached tile holds beside its codings ([`TileBody::weight`] counts those), in
/// jemalloc's size classes: the body's struct behind its `Arc` (320), its digest (32) and three
/// ETag headers (3 × 48), moka's entry (the key in an `Arc`, 80; the value entry with its
/// info, ~200; the access-order node and hash-table slot, ~100).
const TILE_ENTRY_BYTES: u32 = 896;

/// Heap bytes of a cached empty tile: its key and moka's entry (the body is shared).
const EMPTY_ENTRY_BYTES: u32 = 384;

/// What a cached tile weighs against the tile cache's budget.
fn tile_weight(body: &TileBody) -> u32 {
    if body.raw.is_empty() {
        EMPTY_ENTRY_BYTES
    } else {
        body.weight().saturating_add(TILE_ENTRY_BYTES)
    }
}

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache")
            .field("tiles", &self.tiles.entry_count())
            .field("bytes", &self.tiles.weighted_size())
            .finish()
    }
}

/// Shares a failed build's error with every request that waited for it.
fn shared(e: Arc<ApiError>) -> ApiError {
    match &*e {
        ApiError::NotFound(m) => ApiError::NotFound(m.clone()),
        ApiError::Unauthorized(m) => ApiError::Unauthorized(m.clone()),
        ApiError::Forbidden(m) => ApiError::Forbidden(m.clone()),
        ApiError::Invalid { message, details } => ApiError::Invalid {
            message: message.clone(),
            details: details.clone(),
        },
        ApiError::RateLimited {
            who,
            retry_after_secs,
        } => ApiError::RateLimited {
            who: who.clone(),
            retry_after_secs: *retry_after_secs,
        },
        ApiError::Internal(m) => ApiError::Internal(m.clone()),
        ApiError::Unavailable(m) => ApiError::Unavailable(m.clone()),
        ApiError::NotReady(m) => ApiError::NotReady(m.clone()),
        ApiError::HeadersTooLarge(m) => ApiError::HeadersTooLarge(m.clone()),
        ApiError::Store(s) => ApiError::Unavailable(s.to_string()),
    }
}

/// The tile source of `version` from its stored generalisation (packed per-band geometry and
/// label points, written by `popmap import boundaries`): only unpacked and indexed. A version
/// imported before generalisations were stored (or stored in another format) is generalised
/// here once and its generalisation stored, so the next start reads it; a store that refuses
/// the write (read-only) only costs the next start the same work.
async fn load_source(store: &Store, id: &str) -> Result<TileSource, ApiError> {
    let t = std::time::Instant::now();
    if let Some(head) = store.generalisation_head(id).await? {
        let infos = store.units(id).await?;
        let (store, version) = (store.clone(), id.to_string());
        let runtime = tokio::runtime::Handle::current();
        // One packed band at a time (see `TileSource::from_stored_bands`).
        let loaded = tokio::task::spawn_blocking(move || {
            TileSource::from_stored_bands(infos, &head, |b| {
                match runtime.block_on(store.generalisation_band(&version, b)) {
                    Ok(Some(bytes)) => Ok(bytes),
                    Ok(None) => Err("missing".to_string()),
                    Err(e) => Err(e.to_string()),
                }
            })
        })
        .await
        .map_err(|e| ApiError::Internal(format!("tile source load failed: {e}")))?;
        match loaded {
            Ok(src) => {
                tracing::info!(version = %id, ms = t.elapsed().as_millis(), "tile source loaded");
                return Ok(src);
            }
            Err(e) => {
                tracing::warn!(version = %id, error = %e, "stored generalisation not used; generalising again");
            }
        }
    }
    let units = store.units_with_geometry(id).await?;
    let pairs: Vec<(UnitInfo, _)> = units.into_iter().map(|u| (u.info(), u.geometry)).collect();
    let (src, stored) = tokio::task::spawn_blocking(move || {
        let src = TileSource::new(pairs);
        let stored = src.to_stored();
        (src, stored)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("tile source build failed: {e}")))?;
    tracing::info!(version = %id, ms = t.elapsed().as_millis(), "tile source built");
    match store.save_generalisation(id, &stored).await {
        Ok(()) => tracing::info!(version = %id, "generalisation stored for the next start"),
        Err(e) => tracing::warn!(version = %id, error = %e, "could not store the generalisation"),
    }
    Ok(src)
}

impl TileCache {
    /// Caches holding at most `tile_bytes` bytes of tiles, 8 tile sources, [`VALUE_BYTES`] of
    /// snapshots' values (half as much harmonised), 4 crosswalks, 4 H3 operators and
    /// [`GRID_BYTES`] of snapshots' H3 grids.
    pub fn new(tile_bytes: u64) -> TileCache {
        TileCache {
            sources: Cache::builder().max_capacity(8).build(),
            values: Cache::builder()
                .max_capacity(VALUE_BYTES)
                .weigher(|_k, v: &Arc<ValueTable>| table_weight(v))
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            harmonised: Cache::builder()
                .max_capacity(VALUE_BYTES / 2)
                .weigher(|_k, v: &Arc<Harmonised>| {
                    table_weight(&v.values)
                        .saturating_add(u32::try_from(v.estimated.len() * 64).unwrap_or(u32::MAX))
                })
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            harmonisers: Cache::builder().max_capacity(4).build(),
            operators: Cache::builder().max_capacity(4).build(),
            grids: Cache::builder()
                .max_capacity(GRID_BYTES)
                .weigher(|_k, v: &Arc<H3Snapshot>| {
                    u32::try_from(v.grid.bytes()).unwrap_or(u32::MAX)
                })
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            tiles: Cache::builder()
                .max_capacity(tile_bytes)
                .weigher(|_k, v: &Arc<TileBody>| tile_weight(v))
                .build(),
            empty: Arc::new(TileBody::new(Vec::new())),
        }
    }

    /// The tile source of `version` (known to exist), read once from its stored generalisation
    /// (see [`load_source`]).
    pub async fn source(&self, store: &Store, version: &str) -> Result<Arc<TileSource>, ApiError> {
        let store = store.clone();
        let id = version.to_string();
        self.sources
            .try_get_with(version.to_string(), async move {
                load_source(&store, &id).await.map(Arc::new)
            })
            .await
            .map_err(shared)
    }

    /// The values of snapshot `id`, read once.
    pub async fn values(&self, store: &Store, id: i64) -> Result<Arc<ValueTable>, ApiError> {
        let store = store.clone();
        self.values
            .try_get_with(id, async move {
                Ok::<_, ApiError>(Arc::new(store.values(id).await?))
            })
            .await
            .map_err(shared)
    }

    /// The stored crosswalk `from` → `to`, indexed once; 400 when none was built.
    pub async fn harmoniser(
        &self,
        store: &Store,
        from: &str,
        to: &str,
    ) -> Result<Arc<Harmoniser>, ApiError> {
        let (store, f, t) = (store.clone(), from.to_string(), to.to_string());
        self.harmonisers
            .try_get_with((from.to_string(), to.to_string()), async move {
                match Harmoniser::load(&store, &f, &t).await {
                    Ok(h) => Ok(Arc::new(h)),
                    Err(e @ HarmoniseError::NoCrosswalk { .. }) => Err(ApiError::bad_request(
                        "version",
                        "the period's own boundary version, or one with a stored crosswalk from it",
                        e.to_string(),
                    )),
                    Err(HarmoniseError::Store(e)) => Err(ApiError::Store(e)),
                }
            })
            .await
            .map_err(shared)
    }

    /// The values of `snapshot` moved onto `version` through the stored crosswalk, computed
    /// once from the cached values and crosswalk; 400 when no crosswalk leads there.
    pub async fn harmonised(
        &self,
        store: &Store,
        catalog: &Arc<Catalog>,
        snapshot: &Snapshot,
        version: &str,
    ) -> Result<Arc<Harmonised>, ApiError> {
        let key = (snapshot.id, version.to_string());
        if let Some(h) = self.harmonised.get(&key).await {
            return Ok(h);
        }
        let harmoniser = self.harmoniser(store, &snapshot.version, version).await?;
        let old = self.values(store, snapshot.id).await?;
        let (catalog, snap) = (catalog.clone(), snapshot.clone());
        self.harmonised
            .try_get_with(key, async move {
                tokio::task::spawn_blocking(move || {
                    Arc::new(harmoniser.harmonise(&catalog, &snap, &old))
                })
                .await
                .map_err(|e| ApiError::Internal(format!("harmonising failed: {e}")))
            })
            .await
            .map_err(shared)
    }

    /// The H3 operator of `version`; 404 when none was built (not cached, so an operator
    /// built later is found).
    pub async fn operator(&self, store: &Store, version: &str) -> Result<StoredOperator, ApiError> {
        let store = store.clone();
        let id = version.to_string();
        self.operators
            .try_get_with(version.to_string(), async move {
                match store.operator(&id).await? {
                    Some(op) => Ok(Arc::new(op)),
                    None => Err(ApiError::NotFound(format!(
                        "no H3 grid for boundary version '{id}' (run: popmap h3 build --version {id})"
                    ))),
                }
            })
            .await
            .map_err(shared)
    }

    /// The H3 grid of snapshot `id` on `version`, applied and protected once.
    pub async fn grid(
        &self,
        store: &Store,
        catalog: &Arc<geodata::Catalog>,
        rules: &DisclosureRules,
        id: i64,
        version: &str,
    ) -> Result<Arc<H3Snapshot>, ApiError> {
        let operator = self.operator(store, version).await?;
        let values = self.values(store, id).await?;
        let indicators: Vec<String> = catalog.base_ids().map(str::to_owned).collect();
        let rules = rules.clone();
        self.grids
            .try_get_with(id, async move {
                let t = std::time::Instant::now();
                let snap = tokio::task::spawn_blocking(move || {
                    let mut grid = Grid::apply(&operator.1, &values, &indicators)?;
                    protect(&mut grid, &rules);
                    Ok(H3Snapshot { grid, operator })
                })
                .await
                .map_err(|e| ApiError::Internal(format!("H3 grid build failed: {e}")))?
                // Stored counts the grid cannot hold: the data's limit, not the request's.
                .map_err(|e: geodata::GridError| {
                    ApiError::Internal(format!("H3 grid of snapshot {id}: {e}"))
                })?;
                tracing::info!(snapshot = id, ms = t.elapsed().as_millis(), "H3 grid built");
                Ok::<_, ApiError>(Arc::new(snap))
            })
            .await
            .map_err(shared)
    }

    /// The tile `key`, built by `build` (on a blocking thread) and compressed on a miss.
    pub async fn tile<F>(
        &self,
        key: TileKey,
        metrics: &Metrics,
        build: F,
    ) -> Result<Arc<TileBody>, ApiError>
    where
        F: FnOnce() -> Vec<u8> + Send + 'static,
    {
        let labels = FamilyLabels {
            family: key.family(),
        };
        let empty = self.empty.clone();
        let entry = self
            .tiles
            .entry(key)
            .or_try_insert_with(async move {
                tokio::task::spawn_blocking(move || {
                    let raw = build();
                    if raw.is_empty() {
                        empty
                    } else {
                        Arc::new(TileBody::new(raw))
                    }
                })
                .await
                .map_err(|e| ApiError::Internal(format!("tile build failed: {e}")))
            })
            .await
            .map_err(shared)?;
        if entry.is_fresh() {
            metrics.cache_misses.get_or_create(&labels).inc();
        } else {
            metrics.cache_hits.get_or_create(&labels).inc();
        }
        Ok(entry.into_value())
    }

    /// Copies the cache's size into the metrics gauges.
    pub fn publish_gauges(&self, metrics: &Metrics) {
        metrics
            .cache_bytes
            .set(i64::try_from(self.tiles.weighted_size()).unwrap_or(i64::MAX));
        metrics
            .cache_entries
            .set(i64::try_from(self.tiles.entry_count()).unwrap_or(i64::MAX));
    }

    /// Drops every cached tile (sources and values stay: they are immutable), and what a
    /// crosswalk or operator rebuilt since feeds.
    pub fn purge_tiles(&self) {
        self.forget_builds();
    }

    /// Drops what rests on stored crosswalks and H3 operators (harmonised values, operators,
    /// H3 grids) and every cached tile, which may have been made from them.
    pub fn forget_builds(&self) {
        self.harmonised.invalidate_all();
        self.harmonisers.invalidate_all();
        self.operators.invalidate_all();
        self.grids.invalidate_all();
        self.tiles.invalidate_all();
    }
}
