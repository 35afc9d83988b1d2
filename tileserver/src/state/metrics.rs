//! Prometheus metrics at `/metrics`: requests and latencies per route, tile cache hits and
//! misses, tile bytes sent, cache size, and state reloads.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A route pattern as a label value, e.g. `/tiles/admin/{period}/{z}/{x}/{y}`, or `unmatched`:
/// the router's own shared pattern, so labelling a request copies no text.
#[derive(Debug, Clone)]
pub struct Route(Option<MatchedPath>);

impl Route {
    /// The route pattern the router matched for `req` (`unmatched` without one).
    pub fn of(req: &Request) -> Route {
        Route(req.extensions().get::<MatchedPath>().cloned())
    }

    /// The pattern's text.
    pub fn as_str(&self) -> &str {
        self.0.as_ref().map_or("unmatched", MatchedPath::as_str)
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Route) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}

impl std::hash::Hash for Route {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h);
    }
}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> std::fmt::Result {
        EncodeLabelValue::encode(&self.as_str(), encoder)
    }
}

/// An HTTP method as a label value (the standard methods are copied without allocating).
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct MethodLabel(pub Method);

impl EncodeLabelValue for MethodLabel {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> std::fmt::Result {
        EncodeLabelValue::encode(&self.0.as_str(), encoder)
    }
}

/// Labels of a request counter: the route pattern (not the raw path: bounded cardinality).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// Route pattern.
    pub route: Route,
    /// HTTP method.
    pub method: MethodLabel,
    /// Status code.
    pub status: u16,
}

/// Labels of a latency histogram.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// Route pattern.
    pub route: Route,
}

/// Labels of tile counters: the tile family (`admin`, `boundaries`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FamilyLabels {
    /// Tile family.
    pub family: &'static str,
}

/// Labels of the tile byte counter.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BytesLabels {
    /// Tile family.
    pub family: &'static str,
    /// Content encoding sent: `identity`, `gzip` or `br`.
    pub encoding: &'static str,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Every metric the server exports, registered in one registry.
pub struct Metrics {
    registry: Registry,
    /// Requests by route, method and status.
    pub requests: Family<RequestLabels, Counter>,
    /// Request latency in seconds by route.
    pub latency: HistogramFamily,
    /// Tiles answered from the cache (including requests that waited for a concurrent build).
    pub cache_hits: Family<FamilyLabels, Counter>,
    /// Tiles built because the cache did not have them.
    pub cache_misses: Family<FamilyLabels, Counter>,
    /// Tile body bytes sent, by family and encoding.
    pub tile_bytes: Family<BytesLabels, Counter>,
    /// Weighted size of the tile cache in bytes.
    pub cache_bytes: Gauge,
    /// Number of tiles in the cache.
    pub cache_entries: Gauge,
    /// State reloads that found new snapshots or versions.
    pub reloads: Counter,
    /// Generation of the published state being served (1 at start, +1 per reload).
    pub generation: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn latency_histogram() -> Histogram {
    // 0.25 ms … ~4 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("popmap");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let cache_hits = Family::<FamilyLabels, Counter>::default();
        let cache_misses = Family::<FamilyLabels, Counter>::default();
        let tile_bytes = Family::<BytesLabels, Counter>::default();
        let cache_bytes = Gauge::default();
        let cache_entries = Gauge::default();
        let reloads = Counter::default();
        let generation = Gauge::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            latency.clone(),
        );
        registry.register(
            "tile_cache_hits",
            "Tiles served from the cache",
            cache_hits.clone(),
        );
        registry.register(
            "tile_cache_misses",
            "Tiles built on a cache miss",
            cache_misses.clone(),
        );
        registry.register("tile_bytes", "Tile body bytes sent", tile_bytes.clone());
        registry.register(
            "tile_cache_size_bytes",
            "Weighted size of the tile cache",
            cache_bytes.clone(),
        );
        registry.register(
            "tile_cache_entries",
            "Tiles held in the cache",
            cache_entries.clone(),
        );
        registry.register(
            "state_reloads",
            "Reloads that brought new snapshots or versions",
            reloads.clone(),
        );
        registry.register(
            "state_generation",
            "Generation of the published state being served",
            generation.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            cache_hits,
            cache_misses,
            tile_bytes,
            cache_bytes,
            cache_entries,
            reloads,
            generation,
        }
    }
}

impl Metrics {
    /// Registers the memory budget (`memory_budget_bytes`) and each cache's meter
    /// (`cache_bytes`, `cache_entries`, `cache_budget_bytes`, `cache_hits`, `cache_misses`,
    /// labelled `cache="<name>"`; see [`crate::state::meter`]). Called once, at start.
    pub fn register_caches(
        &mut self,
        budget_bytes: u64,
        meters: &[crate::state::meter::CacheMeter],
    ) {
        let budget = Gauge::<i64>::default();
        budget.set(i64::try_from(budget_bytes).unwrap_or(i64::MAX));
        self.registry.register(
            "memory_budget_bytes",
            "The memory budget (--memory-mb) the caches' shares are cut from",
            budget,
        );
        for m in meters {
            m.register(&mut self.registry);
        }
    }

    /// The registry in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }

    /// Counts one answered request and its latency under its route pattern (called by the access
    /// guard, [`crate::state::access::guard`], once the answer is made: one middleware layer
    /// instead of two for every request).
    pub fn observe(&self, route: Route, method: Method, status: u16, elapsed: Duration) {
        let route = RouteLabels { route };
        self.latency
            .get_or_create(&route)
            .observe(elapsed.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                route: route.route,
                method: MethodLabel(method),
                status,
            })
            .inc();
    }
}

/// Shared handle to the metrics.
pub type SharedMetrics = Arc<Metrics>;
