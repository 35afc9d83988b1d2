//! The H3 grids of [`TileCache`]: each snapshot's default grid, every base count but the 34 age
//! × sex groups (37 MB at r8 on the demo; with the groups it would be ~110 MB), and, made only
//! when an age indicator is asked on H3 or a cell's pyramid, its age grid: the groups, the
//! sexes and total they are fitted under and what the public age indicators read, in a cache
//! of its own ([`crate::state::budget::Cache::AgeGrids`], metrics label `h3_age_grids`), built
//! under the same one-at-a-time gate and protected by the same disclosure rules.
//!
//! **Disclosure of age groups.** A cell below the rules' minimum (or hidden against
//! differencing) is suppressed whole, in both grids alike: its flags depend only on the total,
//! which both grids split the same way. In a kept cell, single groups can still be tiny (a
//! cell of 12 people has one or two in most groups), and 34 groups of a small area come close
//! to describing households. So the age grid stops at [`AGE_FINEST`] (r7, ~5 km²; r8 is
//! ~0.7 km²): a finer cell's pyramid is its r7 parent's, and the age indicators are drawn on
//! r7 cells at the zooms that show r8 otherwise. Groups are shown as counts only in a kept
//! cell; shares are rounded to 0.01 % like every pyramid. This also keeps the age grid at a
//! fraction of the default grid's memory (BENCHMARKS.md).

use std::sync::Arc;

use geodata::{Catalog, DisclosureRules, Store, protect};
use h3o::Resolution;

use super::{Grid, H3Snapshot, TileCache, fill, permit, warn_if_too_big};
use crate::http::error::ApiError;
use crate::state::weight;

/// The finest resolution of an age grid (see the module's disclosure note).
pub const AGE_FINEST: Resolution = Resolution::Seven;

/// The base counts of an age grid, in catalog order: the disclosure total, the sexes, the 34
/// groups and every other count a public age indicator reads (women 15–49).
pub fn age_grid_ids(catalog: &Catalog, rules: &DisclosureRules) -> Vec<String> {
    let read: Vec<&str> = catalog
        .derived
        .iter()
        .filter(|d| d.access == geodata::Access::Public && catalog.reads_ages(d))
        .flat_map(|d| d.inputs())
        .collect();
    catalog
        .base
        .iter()
        .filter(|b| {
            b.is_age_group()
                || b.id == rules.total
                || b.id == "males"
                || b.id == "females"
                || read.contains(&b.id.as_str())
        })
        .map(|b| b.id.clone())
        .collect()
}

/// Which of a snapshot's grids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridKind {
    /// Every base count but the age groups, at the operator's resolution.
    Default,
    /// The age groups and what they are fitted under, down to [`AGE_FINEST`].
    Ages,
}

impl TileCache {
    /// Whether the `kind` grid of snapshot `id` is cached.
    pub fn has_grid(&self, kind: GridKind, id: i64) -> bool {
        match kind {
            GridKind::Default => self.grids.contains_key(&id),
            GridKind::Ages => self.age_grids.contains_key(&id),
        }
    }

    /// The `kind` grid of snapshot `id` on `version` (an age grid only for a snapshot that
    /// carries the groups), applied and protected once (see the module doc).
    pub async fn grid(
        &self,
        kind: GridKind,
        store: &Store,
        catalog: &Arc<Catalog>,
        rules: &DisclosureRules,
        id: i64,
        version: &str,
    ) -> Result<Arc<H3Snapshot>, ApiError> {
        let operator = self.operator(store, version).await?;
        let values = self.values(store, id).await?;
        let (cache, meter, indicators, what) = match kind {
            GridKind::Default => (
                &self.grids,
                &self.meters.grids,
                catalog.base_ids_except_ages().map(str::to_owned).collect(),
                "an H3 grid",
            ),
            GridKind::Ages => (
                &self.age_grids,
                &self.meters.age_grids,
                age_grid_ids(catalog, rules),
                "an H3 age grid",
            ),
        };
        let (rules, gate) = (rules.clone(), self.grid_gate.clone());
        fill(cache, meter, id, async move {
            let _permit = permit(&gate).await?;
            let t = std::time::Instant::now();
            let snap = tokio::task::spawn_blocking(move || {
                let mut grid = Grid::apply(&operator.1, &values, &indicators)?;
                if kind == GridKind::Ages {
                    grid.keep_down_to(AGE_FINEST);
                }
                protect(&mut grid, &rules);
                Ok(H3Snapshot { grid, operator })
            })
            .await
            .map_err(|e| ApiError::Internal(format!("H3 grid build failed: {e}")))?
            // Stored counts the grid cannot hold: the data's limit, not the request's.
            .map_err(|e: geodata::GridError| {
                ApiError::Internal(format!("H3 grid of snapshot {id}: {e}"))
            })?;
            let bytes = weight::grid(&snap);
            tracing::info!(
                snapshot = id,
                ms = t.elapsed().as_millis(),
                bytes,
                "{what} built"
            );
            // Weighed once per build, not per request (the weight walks every cell).
            warn_if_too_big(meter, meter.share(), what, bytes);
            Ok(Arc::new(snap))
        })
        .await
    }
}
