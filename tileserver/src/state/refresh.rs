//! Hot refresh: a publish by another process shows up without a restart.
//!
//! A poller re-reads versions and snapshots every few seconds (and `POST /admin/reload` does it
//! on demand, with an admin key or the admin token). When they changed, the new state is built
//! aside — the newest snapshot's values, its version's tile source and (when H3 tiles of
//! `latest` are in use) its H3 grid are loaded first, and the timeline breaks in use are
//! remade over it — and then swapped in atomically. A request loads the state once when it starts, so requests in flight finish
//! on the old state; cached tiles are keyed by immutable snapshot ids, so old revision URLs keep
//! their bytes and nothing needs purging — except what a rebuilt crosswalk or H3 operator
//! feeds (harmonised values, H3 grids and their tiles), which is dropped when one changes.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::state::published::{Published, revision_name};
use crate::state::tilecache::GridKind;

/// What a reload found.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadOutcome {
    /// Whether the served state changed.
    pub changed: bool,
    /// Generation now served.
    pub generation: u64,
    /// Number of snapshots now served.
    pub snapshots: usize,
    /// The revision `latest` now names, e.g. `2026-09@r1`.
    pub latest: Option<String>,
}

/// Re-reads the store and swaps in the new state if it changed. One reload runs at a time.
pub async fn reload(st: &AppState) -> Result<ReloadOutcome, ApiError> {
    let _one_at_a_time = st.reload_lock.lock().await;
    let current = st.published.load_full();
    let mut next = Published::load(&st.store, current.generation).await?;
    let changed = !next.same_content(&current);
    if changed {
        if next.builds != current.builds {
            // A crosswalk or operator was (re)built: harmonised values, H3 grids and the
            // tiles made from them are stale under unchanged keys.
            tracing::info!(builds = ?next.builds, "rebuilt crosswalk or H3 operator");
            st.tiles.forget_builds();
        }
        // Build aside: what `latest` will need is ready before anyone can ask for it.
        if let Some(newest) = next.resolve(&crate::state::published::PeriodRef::Latest) {
            st.tiles.values(&st.store, newest.id).await?;
            st.tiles.source(&st.store, &newest.version).await?;
        }
        next.generation = current.generation + 1;
        let next = Arc::new(next);
        // The timelines in use pool the new period before anyone is served the new state:
        // otherwise every style and legend request after a publish waited for them.
        let started = std::time::Instant::now();
        let timelines = st.breaks.prepare(st, &next).await;
        prepare_grid(st, &current, &next).await;
        st.metrics.reloads.inc();
        st.metrics
            .generation
            .set(i64::try_from(next.generation).unwrap_or(i64::MAX));
        tracing::info!(
            generation = next.generation,
            snapshots = next.snapshots.len(),
            timelines,
            prepared_ms = started.elapsed().as_millis() as u64,
            "new published state"
        );
        st.published.store(next);
    }
    let now = st.published.load();
    Ok(ReloadOutcome {
        changed,
        generation: now.generation,
        snapshots: now.snapshots.len(),
        latest: now
            .resolve(&crate::state::published::PeriodRef::Latest)
            .map(revision_name),
    })
}

/// Builds the H3 grid of `next`'s `latest` when the outgoing `latest`'s grid is in use (H3
/// tiles of `latest` are asked for): a build is ~0.3-1 s, which the first requests waited for.
/// Last before the swap: the grid cache holds one national grid, so the new one evicts the
/// old, which requests on the old state would otherwise build again.
async fn prepare_grid(st: &AppState, current: &Published, next: &Published) {
    let latest = &crate::state::published::PeriodRef::Latest;
    let (Some(was), Some(newest)) = (current.resolve(latest), next.resolve(latest)) else {
        return;
    };
    if was.id == newest.id
        || !st.tiles.has_grid(GridKind::Default, was.id)
        || !next.operators.contains(&newest.version)
    {
        return;
    }
    let (rules, id, version) = (&st.config.disclosure, newest.id, &newest.version);
    if let Err(e) = st
        .tiles
        .grid(
            GridKind::Default,
            &st.store,
            &st.catalog,
            rules,
            id,
            version,
        )
        .await
    {
        tracing::warn!(error = %e, "reload: H3 grid of latest");
    }
}

/// Builds, in the background, what the first requests would otherwise wait for: the tile
/// source (generalised geometry) of every version being served and the values of `latest`;
/// `/readyz` answers 503 until it is done.
pub fn spawn_warm_up(st: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let published = st.published.load_full();
        if let Some(newest) = published.resolve(&crate::state::published::PeriodRef::Latest)
            && let Err(e) = st.tiles.values(&st.store, newest.id).await
        {
            tracing::warn!(error = %e, "warm-up: values of latest");
        }
        for v in &published.versions {
            if let Err(e) = st.tiles.source(&st.store, &v.id).await {
                tracing::warn!(version = %v.id, error = %e, "warm-up: tile source");
            }
        }
        st.warmed.store(true, std::sync::atomic::Ordering::SeqCst);
    })
}

/// Polls the store every `every` until the process ends; a failed poll is logged and retried.
pub fn spawn_poller(st: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = reload(&st).await {
                tracing::warn!(error = %e, "poll for new snapshots failed");
            }
        }
    })
}
