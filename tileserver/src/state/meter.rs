//! A cache's meter: its byte share of the memory budget, the bytes and entries it holds (copied
//! from moka's own accounting when `/metrics` is read) and its hits and misses, registered in
//! the Prometheus registry under the label `cache="<name>"`.

use std::borrow::Cow;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::state::budget::{Cache, MemoryBudget};

/// The accounting of one cache (cheap to clone: the counters are shared).
#[derive(Debug, Clone)]
pub struct CacheMeter {
    cache: Cache,
    share: u64,
    hits: Counter,
    misses: Counter,
    bytes: Gauge,
    entries: Gauge,
    budget: Gauge,
}

impl CacheMeter {
    /// A meter of `cache` with its share of `budget`.
    pub fn new(cache: Cache, budget: &MemoryBudget) -> CacheMeter {
        let share = budget.share(cache);
        let g = Gauge::default();
        g.set(i64::try_from(share).unwrap_or(i64::MAX));
        CacheMeter {
            cache,
            share,
            hits: Counter::default(),
            misses: Counter::default(),
            bytes: Gauge::default(),
            entries: Gauge::default(),
            budget: g,
        }
    }

    /// Which cache this is.
    pub fn cache(&self) -> Cache {
        self.cache
    }

    /// The cache's byte share of the budget.
    pub fn share(&self) -> u64 {
        self.share
    }

    /// The hit and miss counters, shared with this meter (for a cache below the state's floor
    /// that counts its own lookups).
    pub fn counters(&self) -> (Counter, Counter) {
        (self.hits.clone(), self.misses.clone())
    }

    /// Counts one lookup: `fresh` when the value had to be made (a miss).
    pub fn record(&self, fresh: bool) {
        if fresh {
            self.misses.inc();
        } else {
            self.hits.inc();
        }
    }

    /// Sets the bytes and entries held (moka's weighted size and entry count, summed over the
    /// cache's parts).
    pub fn set_size(&self, bytes: u64, entries: u64) {
        self.bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
        self.entries.set(i64::try_from(entries).unwrap_or(i64::MAX));
    }

    /// Bytes held when last set.
    pub fn bytes(&self) -> u64 {
        u64::try_from(self.bytes.get()).unwrap_or(0)
    }

    /// Entries held when last set.
    pub fn entries(&self) -> u64 {
        u64::try_from(self.entries.get()).unwrap_or(0)
    }

    /// Lookups answered from the cache.
    pub fn hits(&self) -> u64 {
        self.hits.get()
    }

    /// Lookups that made the value.
    pub fn misses(&self) -> u64 {
        self.misses.get()
    }

    /// Registers the meter's series in `registry`: `cache_bytes`, `cache_entries`,
    /// `cache_budget_bytes`, `cache_hits`, `cache_misses`, each labelled `cache="<name>"`.
    pub fn register(&self, registry: &mut Registry) {
        let label = (Cow::Borrowed("cache"), Cow::Borrowed(self.cache.name()));
        let r = registry.sub_registry_with_label(label);
        r.register(
            "cache_bytes",
            "Bytes a cache holds (its weigher's estimate)",
            self.bytes.clone(),
        );
        r.register(
            "cache_entries",
            "Entries a cache holds",
            self.entries.clone(),
        );
        r.register(
            "cache_budget_bytes",
            "A cache's share of the memory budget (--memory-mb)",
            self.budget.clone(),
        );
        r.register(
            "cache_hits",
            "Lookups answered from a cache",
            self.hits.clone(),
        );
        r.register(
            "cache_misses",
            "Lookups that made the value",
            self.misses.clone(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meter_renders_under_its_cache_label() {
        let budget = MemoryBudget::default();
        let m = CacheMeter::new(Cache::Grids, &budget);
        m.record(true);
        m.record(false);
        m.record(false);
        m.set_size(1234, 2);
        let mut reg = Registry::with_prefix("popmap");
        m.register(&mut reg);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &reg).unwrap();
        assert!(
            out.contains("popmap_cache_bytes{cache=\"h3_grids\"} 1234"),
            "{out}"
        );
        assert!(
            out.contains("popmap_cache_entries{cache=\"h3_grids\"} 2"),
            "{out}"
        );
        assert!(
            out.contains("popmap_cache_hits_total{cache=\"h3_grids\"} 2"),
            "{out}"
        );
        assert!(
            out.contains("popmap_cache_misses_total{cache=\"h3_grids\"} 1"),
            "{out}"
        );
        let share = budget.share(Cache::Grids);
        assert!(
            out.contains(&format!(
                "popmap_cache_budget_bytes{{cache=\"h3_grids\"}} {share}"
            )),
            "{out}"
        );
    }
}
