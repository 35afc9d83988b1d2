//! The server's state, shared by every request: the store, the catalog, settings, the
//! published versions and snapshots (swapped whole on reload), the caches (tiles and values,
//! unit lists, answers), metrics, rate limiters, and the refresh that rebuilds it aside.
//! Imports the HTTP mechanics below it ([`crate::http`]) and never the routes.

pub mod access;
pub mod breaks;
pub mod budget;
pub mod columns;
pub mod config;
pub mod fonts;
pub mod inflight;
pub mod meter;
pub mod metrics;
pub mod published;
pub mod refresh;
pub mod tilecache;
pub mod units;
pub mod weight;

use std::sync::Arc;

use arc_swap::ArcSwap;
use geodata::{Catalog, Store, StoreError};

use config::ServerConfig;
use metrics::Metrics;
use published::Published;
use tilecache::TileCache;

/// State shared by every request.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The store the server reads.
    pub store: Store,
    /// The indicator catalog.
    pub catalog: Arc<Catalog>,
    /// Settings of this process.
    pub config: Arc<ServerConfig>,
    /// Versions and snapshots being served, swapped whole on reload.
    pub published: Arc<ArcSwap<Published>>,
    /// Tile sources, snapshot values and built tiles.
    pub tiles: Arc<TileCache>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Serialises reloads.
    pub reload_lock: Arc<tokio::sync::Mutex<()>>,
    /// Caches of the data API.
    pub api: Arc<units::ApiState>,
    /// Per-key and per-address rate limiters.
    pub limiters: Arc<access::Limiters>,
    /// Map fonts: parsed faces, glyph ranges and font files.
    pub fonts: Arc<fonts::Fonts>,
    /// Timeline class breaks of the current published generation (and the next, being
    /// prepared).
    pub breaks: Arc<breaks::BreaksCache<AppState>>,
    /// Timeline columns, kept across generations.
    pub columns: Arc<columns::Columns>,
    /// Turns of the requests whose working set is large (downloads, H3 grids made outside
    /// their cache): at most as many at once as the memory budget leaves room for.
    pub large: Arc<inflight::LargeRequests>,
    /// The population Strategy's targets, checked against the catalog (the reason in our words
    /// when this catalog cannot measure them).
    pub targets: Arc<Result<geodata::Targets, String>>,
    /// False while [`serve`]'s start-up warm-up is building tile sources (`/readyz` says 503).
    pub warmed: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    /// State over `store`: reads the published versions and snapshots once.
    pub async fn new(
        store: Store,
        catalog: Arc<Catalog>,
        config: ServerConfig,
    ) -> Result<AppState, StoreError> {
        let published = Published::load(&store, 1).await?;
        let budget = &config.memory;
        let (tiles, api, fonts, columns) = (
            TileCache::new(budget),
            units::ApiState::new(budget),
            fonts::Fonts::new(budget),
            columns::Columns::new(budget),
        );
        let mut meters = tiles.meters();
        meters.extend(api.meters());
        meters.push(fonts.meter().clone());
        meters.push(columns.meter().clone());
        let mut metrics = Metrics::default();
        metrics.register_caches(budget.total(), &meters);
        metrics.generation.set(1);
        let limiters = access::Limiters::new(config.rate_per_key, config.rate_per_ip);
        let large = Arc::new(inflight::LargeRequests::new(budget));
        let targets = Arc::new(
            geodata::Targets::builtin(&catalog)
                .map_err(|e| format!("the targets do not fit this catalog: {e}")),
        );
        Ok(AppState {
            api: Arc::new(api),
            limiters: Arc::new(limiters),
            store,
            catalog,
            tiles: Arc::new(tiles),
            config: Arc::new(config),
            published: Arc::new(ArcSwap::from_pointee(published)),
            metrics: Arc::new(metrics),
            reload_lock: Arc::default(),
            warmed: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            fonts: Arc::new(fonts),
            breaks: Arc::default(),
            targets,
            columns: Arc::new(columns),
            large,
        })
    }

    /// The targets, or 404 in our words when this catalog cannot measure them.
    pub fn targets(&self) -> Result<&geodata::Targets, crate::http::error::ApiError> {
        self.targets
            .as_ref()
            .as_ref()
            .map_err(|e| crate::http::error::ApiError::NotFound(e.clone()))
    }

    /// Copies every cache's size (after its pending evictions) into its meter, for
    /// `/metrics`.
    pub async fn report_caches(&self) {
        self.tiles.report(&self.metrics).await;
        self.api.report().await;
        self.fonts.report().await;
        self.columns.report().await;
    }
}
