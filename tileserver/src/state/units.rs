//! Caches of the data API: unit lists per boundary version (read from the store once) and
//! answers over one snapshot; both hold immutable things only.

use std::collections::HashMap;
use std::sync::Arc;

use geodata::{Store, UnitInfo};
use moka::future::Cache;

use crate::http::error::ApiError;
use crate::http::reply;
use crate::state::budget::{Cache as Share, MemoryBudget};
use crate::state::meter::CacheMeter;
use crate::state::weight;

/// State of the data API shared by every request.
#[derive(Debug)]
pub struct ApiState {
    /// Unit lists per boundary version.
    pub units: UnitsCache,
    /// Answers of snapshot-bound requests (values, rankings, downloads).
    pub responses: reply::ResponseCache,
    /// Length and ETag of streamed answers (downloads), by request.
    pub digests: crate::http::stream::Digests,
    /// The meter of `responses` (which counts its lookups on the meter's counters).
    answers: CacheMeter,
}

impl Default for ApiState {
    fn default() -> ApiState {
        ApiState::new(&MemoryBudget::default())
    }
}

impl ApiState {
    /// The data API's caches within their shares of `budget`.
    pub fn new(budget: &MemoryBudget) -> ApiState {
        let answers = CacheMeter::new(Share::Responses, budget);
        let (hits, misses) = answers.counters();
        ApiState {
            units: UnitsCache::new(CacheMeter::new(Share::Units, budget)),
            responses: reply::ResponseCache::new(answers.share(), hits, misses),
            digests: Default::default(),
            answers,
        }
    }

    /// The meters of the data API's caches.
    pub fn meters(&self) -> Vec<CacheMeter> {
        vec![self.units.meter.clone(), self.answers.clone()]
    }

    /// Runs the caches' pending evictions and copies their sizes into their meters.
    pub async fn report(&self) {
        self.units.cache.run_pending_tasks().await;
        let c = &self.units.cache;
        self.units
            .meter
            .set_size(c.weighted_size(), c.entry_count());
        let (bytes, entries) = self.responses.size().await;
        self.answers.set_size(bytes, entries);
    }
}

/// The units of one boundary version, by level (top first) then code, with an index by code.
#[derive(Debug)]
pub struct VersionUnits {
    /// Units in stable order.
    pub list: Vec<UnitInfo>,
    /// Position in `list` by code.
    pub by_code: HashMap<String, usize>,
}

impl VersionUnits {
    /// A unit by code.
    pub fn get(&self, code: &str) -> Option<&UnitInfo> {
        self.by_code.get(code).map(|&i| &self.list[i])
    }

    /// The chain of parents of `unit`, nearest first.
    pub fn parents(&self, unit: &UnitInfo) -> Vec<&UnitInfo> {
        let mut out = Vec::new();
        let mut cur = unit.parent_code.as_deref();
        while let Some(code) = cur {
            let Some(p) = self.get(code) else { break };
            if out.len() > 8 {
                break;
            }
            out.push(p);
            cur = p.parent_code.as_deref();
        }
        out
    }
}

/// Unit lists per boundary version, read from the store once.
pub struct UnitsCache {
    cache: Cache<String, Arc<VersionUnits>>,
    meter: CacheMeter,
}

impl std::fmt::Debug for UnitsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitsCache")
            .field("versions", &self.cache.entry_count())
            .finish()
    }
}

impl UnitsCache {
    /// Unit lists within `meter`'s share.
    pub fn new(meter: CacheMeter) -> UnitsCache {
        UnitsCache {
            cache: Cache::builder()
                .max_capacity(meter.share())
                .weigher(|_k, v: &Arc<VersionUnits>| weight::clamp(weight::unit_list(v)))
                .build(),
            meter,
        }
    }

    /// The units of `version` (which must exist).
    pub async fn get(&self, store: &Store, version: &str) -> Result<Arc<VersionUnits>, ApiError> {
        let store = store.clone();
        let id = version.to_string();
        let entry = self
            .cache
            .entry(version.to_string())
            .or_try_insert_with(async move {
                let list = store.units(&id).await?;
                let by_code = list
                    .iter()
                    .enumerate()
                    .map(|(i, u)| (u.code.clone(), i))
                    .collect();
                Ok::<_, geodata::StoreError>(Arc::new(VersionUnits { list, by_code }))
            })
            .await
            .map_err(|e| ApiError::Unavailable(format!("store unavailable: {e}")))?;
        self.meter.record(entry.is_fresh());
        Ok(entry.into_value())
    }
}
