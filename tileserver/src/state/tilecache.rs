//! In-memory caches (moka): per-version tile sources, per-snapshot values, H3 grids and built
//! tiles, each bounded by its byte share of the memory budget ([`crate::state::budget`]) as
//! [`crate::state::weight`] estimates it. Concurrent misses for one key are computed once: the other
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
use geodata::{HarmoniseError, Harmonised, Harmoniser};
use geodata::{Snapshot, ValueTable};
use moka::future::Cache;
use moka::policy::EvictionPolicy;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::http::encoding::TileBody;
use crate::http::error::ApiError;
use crate::state::budget::{Cache as BudgetCache, MAX_BUILDS, MemoryBudget};
use crate::state::meter::CacheMeter;
use crate::state::metrics::{FamilyLabels, Metrics};
use crate::state::weight;

mod grids;

pub use self::grids::{AGE_FINEST, GridKind, age_grid_ids};

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
        /// Drawn from the age grid (`ages=1`: the age indicators, r4–r7).
        ages: bool,
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

/// The server's caches, each bounded by its byte share of the memory budget.
pub struct TileCache {
    sources: Cache<String, Arc<TileSource>>,
    values: Cache<i64, Arc<ValueTable>>,
    harmonised: Cache<(i64, String), Arc<Harmonised>>,
    harmonisers: Cache<(String, String), Arc<Harmoniser>>,
    operators: Cache<String, StoredOperator>,
    grids: Cache<i64, Arc<H3Snapshot>>,
    /// Grids with the 34 age × sex groups, made only when asked (see [`grids`]).
    age_grids: Cache<i64, Arc<H3Snapshot>>,
    tiles: Cache<TileKey, Arc<TileBody>>,
    /// The one body of every empty tile (204): most tiles of a national box are sea, and a
    /// body each (digest and three ETags) cost ~0.5 kB apiece.
    empty: Arc<TileBody>,
    /// At most [`MAX_BUILDS`] large fills (sources, values, harmonised values, crosswalks,
    /// operators) at once: what they hold while being made is not in any cache yet.
    builds: Arc<Semaphore>,
    /// One H3 grid made at a time: applying an operator holds several times the grid it
    /// makes (every resolution's sums), the largest build the server runs.
    grid_gate: Arc<Semaphore>,
    meters: Meters,
}

/// The meters of [`TileCache`]'s caches.
#[derive(Debug, Clone)]
struct Meters {
    sources: CacheMeter,
    values: CacheMeter,
    harmonised: CacheMeter,
    builds: CacheMeter,
    grids: CacheMeter,
    age_grids: CacheMeter,
    tiles: CacheMeter,
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
        ApiError::Busy {
            message,
            retry_after_secs,
        } => ApiError::Busy {
            message: message.clone(),
            retry_after_secs: *retry_after_secs,
        },
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

/// A cache of at most `share` bytes as `weigh` estimates them (see [`crate::state::weight`]),
/// evicting the least recently used: its entries are large (a grid, a table, a source), and
/// moka's default admission (TinyLFU) refuses a new large entry while the ones it would evict
/// are used more often — after a publish, the new period's H3 grid was built, refused, and
/// built again for every request (~1 s each, one at a time: seconds of queue in the soak).
pub(crate) fn bounded<K, V>(share: u64, weigh: fn(&V) -> usize) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(share)
        .weigher(move |_k, v: &V| weight::clamp(weigh(v)))
        .eviction_policy(EvictionPolicy::lru())
        .build()
}

/// The value of `key` in `cache`, made by `init` on a miss (concurrent misses share one
/// `init`), counted as a hit or a miss on `meter`.
pub(crate) async fn fill<K, V>(
    cache: &Cache<K, V>,
    meter: &CacheMeter,
    key: K,
    init: impl std::future::Future<Output = Result<V, ApiError>>,
) -> Result<V, ApiError>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let entry = cache
        .entry(key)
        .or_try_insert_with(init)
        .await
        .map_err(shared)?;
    meter.record(entry.is_fresh());
    if entry.is_fresh() {
        // moka evicts in batches on its own schedule: until then the entries a new one
        // displaced stay alive beside it (several 37 MB H3 grids at once on the demo).
        cache.run_pending_tasks().await;
    }
    Ok(entry.into_value())
}

/// A permit of the large fills (see [`TileCache`]'s `builds` and `grid_gate`).
async fn permit(builds: &Arc<Semaphore>) -> Result<OwnedSemaphorePermit, ApiError> {
    builds
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(format!("build queue closed: {e}")))
}

/// Says so in the log when a value weighs more than its cache's whole share: it is made for
/// each request and never kept (the budget is too small for the data).
fn warn_if_too_big(meter: &CacheMeter, share: u64, what: &str, bytes: usize) {
    if bytes as u64 > share {
        tracing::warn!(
            cache = meter.cache().name(),
            bytes,
            share,
            "{what} is larger than its cache's share of the memory budget and is not kept: raise --memory-mb"
        );
    }
}

/// The H3 operators' part of the crosswalks-and-operators share (7/8: an r8 operator of
/// Vietnam weighs ~20 MB, an indexed crosswalk a few).
fn operator_share(meter: &CacheMeter) -> u64 {
    meter.share() - meter.share() / 8
}

impl TileCache {
    /// Caches within `budget`'s shares: tile sources, values, harmonised values, crosswalks
    /// and operators, H3 grids and tiles (see [`crate::state::budget`]).
    pub fn new(budget: &MemoryBudget) -> TileCache {
        let meter = |c| CacheMeter::new(c, budget);
        let builds = budget.share(BudgetCache::Builds);
        let operators = builds - builds / 8;
        TileCache {
            sources: bounded(budget.share(BudgetCache::Sources), |v| weight::source(v)),
            values: Cache::builder()
                .max_capacity(budget.share(BudgetCache::Values))
                .weigher(|_k, v: &Arc<ValueTable>| {
                    weight::clamp(weight::table(v) + weight::ENTRY_BYTES)
                })
                .eviction_policy(EvictionPolicy::lru())
                .time_to_idle(Duration::from_secs(3600))
                .build(),
            harmonised: bounded(budget.share(BudgetCache::Harmonised), |v| {
                weight::harmonised(v)
            }),
            harmonisers: bounded(builds / 8, |v| weight::harmoniser(v)),
            operators: bounded(operators, |v| weight::operator(&v.1)),
            grids: bounded(budget.share(BudgetCache::Grids), |v| weight::grid(v)),
            age_grids: bounded(budget.share(BudgetCache::AgeGrids), |v| weight::grid(v)),
            // Many small entries: moka's default (TinyLFU) keeps the tiles asked for often
            // when a crawl sweeps through once.
            tiles: Cache::builder()
                .max_capacity(budget.share(BudgetCache::Tiles))
                .weigher(|_k, v: &Arc<TileBody>| weight::clamp(weight::tile(v)))
                .build(),
            empty: Arc::new(TileBody::new(Vec::new())),
            builds: Arc::new(Semaphore::new(MAX_BUILDS)),
            grid_gate: Arc::new(Semaphore::new(1)),
            meters: Meters {
                sources: meter(BudgetCache::Sources),
                values: meter(BudgetCache::Values),
                harmonised: meter(BudgetCache::Harmonised),
                builds: meter(BudgetCache::Builds),
                grids: meter(BudgetCache::Grids),
                age_grids: meter(BudgetCache::AgeGrids),
                tiles: meter(BudgetCache::Tiles),
            },
        }
    }

    /// The tile source of `version` (known to exist), read once from its stored generalisation
    /// (see [`load_source`]).
    pub async fn source(&self, store: &Store, version: &str) -> Result<Arc<TileSource>, ApiError> {
        let (store, id, builds) = (store.clone(), version.to_string(), self.builds.clone());
        let meter = &self.meters.sources;
        // Weighed once per load, not per request: weighing walks all the geometry (~0.7 ms
        // of server CPU on the national file, which doubled a z12 cold tile's).
        fill(&self.sources, meter, version.to_string(), async move {
            let _permit = permit(&builds).await?;
            let src = load_source(&store, &id).await?;
            warn_if_too_big(meter, meter.share(), "a tile source", weight::source(&src));
            Ok(Arc::new(src))
        })
        .await
    }

    /// The values of snapshot `id`, read once.
    pub async fn values(&self, store: &Store, id: i64) -> Result<Arc<ValueTable>, ApiError> {
        let (store, builds) = (store.clone(), self.builds.clone());
        fill(&self.values, &self.meters.values, id, async move {
            let _permit = permit(&builds).await?;
            Ok(Arc::new(store.values(id).await?))
        })
        .await
    }

    /// The values of snapshot `id` for a one-off read (a timeline's column): the cached table
    /// when there is one, else read now and not kept, so pooling every period does not push
    /// the periods being served out of the cache.
    pub async fn values_once(&self, store: &Store, id: i64) -> Result<Arc<ValueTable>, ApiError> {
        if let Some(v) = self.values.get(&id).await {
            return Ok(v);
        }
        let _permit = permit(&self.builds).await?;
        Ok(Arc::new(store.values(id).await?))
    }

    /// The stored crosswalk `from` → `to`, indexed once; 400 when none was built.
    pub async fn harmoniser(
        &self,
        store: &Store,
        from: &str,
        to: &str,
    ) -> Result<Arc<Harmoniser>, ApiError> {
        let (store, f, t) = (store.clone(), from.to_string(), to.to_string());
        let key = (from.to_string(), to.to_string());
        let builds = self.builds.clone();
        fill(&self.harmonisers, &self.meters.builds, key, async move {
            let _permit = permit(&builds).await?;
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
            self.meters.harmonised.record(false);
            return Ok(h);
        }
        let harmoniser = self.harmoniser(store, &snapshot.version, version).await?;
        let old = self.values(store, snapshot.id).await?;
        let (catalog, snap, builds) = (catalog.clone(), snapshot.clone(), self.builds.clone());
        fill(&self.harmonised, &self.meters.harmonised, key, async move {
            let _permit = permit(&builds).await?;
            tokio::task::spawn_blocking(move || {
                Arc::new(harmoniser.harmonise(&catalog, &snap, &old))
            })
            .await
            .map_err(|e| ApiError::Internal(format!("harmonising failed: {e}")))
        })
        .await
    }

    /// The H3 operator of `version`; 404 when none was built (not cached, so an operator
    /// built later is found).
    pub async fn operator(&self, store: &Store, version: &str) -> Result<StoredOperator, ApiError> {
        let (store, builds) = (store.clone(), self.builds.clone());
        let id = version.to_string();
        let meter = &self.meters.builds;
        // Weighed once per load, like a tile source (the weight walks every unit).
        fill(&self.operators, meter, id.clone(), async move {
            let _permit = permit(&builds).await?;
            match store.operator(&id).await? {
                Some(op) => {
                    let bytes = weight::operator(&op.1);
                    warn_if_too_big(meter, operator_share(meter), "an H3 operator", bytes);
                    Ok(Arc::new(op))
                }
                None => Err(ApiError::NotFound(format!(
                    "no H3 grid for boundary version '{id}' (run: popmap h3 build --version {id})"
                ))),
            }
        })
        .await
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
        self.meters.tiles.record(entry.is_fresh());
        if entry.is_fresh() {
            metrics.cache_misses.get_or_create(&labels).inc();
        } else {
            metrics.cache_hits.get_or_create(&labels).inc();
        }
        Ok(entry.into_value())
    }

    /// The meters of these caches (registered once in the metrics registry).
    pub fn meters(&self) -> Vec<CacheMeter> {
        let m = &self.meters;
        vec![
            m.sources.clone(),
            m.values.clone(),
            m.harmonised.clone(),
            m.builds.clone(),
            m.grids.clone(),
            m.age_grids.clone(),
            m.tiles.clone(),
        ]
    }

    /// Runs the caches' pending evictions, then copies their sizes into their meters and the
    /// tile cache's into the older tile gauges.
    pub async fn report(&self, metrics: &Metrics) {
        self.sources.run_pending_tasks().await;
        self.values.run_pending_tasks().await;
        self.harmonised.run_pending_tasks().await;
        self.harmonisers.run_pending_tasks().await;
        self.operators.run_pending_tasks().await;
        self.grids.run_pending_tasks().await;
        self.age_grids.run_pending_tasks().await;
        self.tiles.run_pending_tasks().await;
        let m = &self.meters;
        m.sources
            .set_size(self.sources.weighted_size(), self.sources.entry_count());
        m.values
            .set_size(self.values.weighted_size(), self.values.entry_count());
        m.harmonised.set_size(
            self.harmonised.weighted_size(),
            self.harmonised.entry_count(),
        );
        m.builds.set_size(
            self.harmonisers.weighted_size() + self.operators.weighted_size(),
            self.harmonisers.entry_count() + self.operators.entry_count(),
        );
        m.grids
            .set_size(self.grids.weighted_size(), self.grids.entry_count());
        m.age_grids
            .set_size(self.age_grids.weighted_size(), self.age_grids.entry_count());
        m.tiles
            .set_size(self.tiles.weighted_size(), self.tiles.entry_count());
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
        self.age_grids.invalidate_all();
        self.tiles.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_new_large_entry_replaces_an_often_used_one() {
        // Room for one entry: the new period's grid must replace the old one, however often
        // the old one was read (TinyLFU refused it, and it was built again for every request).
        let c: Cache<i64, Arc<Vec<u8>>> = bounded(100, |v| v.len());
        c.insert(1, Arc::new(vec![0; 60])).await;
        for _ in 0..50 {
            assert!(c.get(&1).await.is_some());
        }
        c.insert(2, Arc::new(vec![0; 60])).await;
        c.run_pending_tasks().await;
        assert!(c.contains_key(&2), "the new entry was refused");
        assert!(!c.contains_key(&1));
    }
}
