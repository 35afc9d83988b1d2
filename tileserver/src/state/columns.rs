//! Timeline columns: one indicator's values on one administrative level of one snapshot, as a
//! timeline pools them (a few hundred kB at most). A snapshot never changes, so a column is
//! kept across published generations: when a publish brings a new period, its timelines pool
//! the new period's column and the cached columns of all the others, instead of reading every
//! period's whole value table again (which also pushed the periods being served out of the
//! values cache, issue 18's soak).

use std::sync::Arc;

use moka::future::Cache;

use crate::http::error::ApiError;
use crate::state::budget::{Cache as Share, MemoryBudget};
use crate::state::meter::CacheMeter;
use crate::state::tilecache::{bounded, fill};
use crate::state::weight;

/// Which column: snapshot id, level name and indicator id.
pub type ColumnKey = (i64, String, String);

/// A column's values (units without a value left out), or `None` when the snapshot's
/// boundary version has no such level.
pub type Column = Option<Arc<[f64]>>;

/// The timeline columns, within their share of the memory budget.
#[derive(Debug)]
pub struct Columns {
    cache: Cache<ColumnKey, Column>,
    meter: CacheMeter,
}

impl Columns {
    /// An empty column cache within its share of `budget`.
    pub fn new(budget: &MemoryBudget) -> Columns {
        let meter = CacheMeter::new(Share::Columns, budget);
        Columns {
            cache: bounded(meter.share(), |c: &Column| weight::column(c)),
            meter,
        }
    }

    /// The column of `key`, made by `make` on a miss (concurrent misses share one `make`).
    pub async fn get(
        &self,
        key: ColumnKey,
        make: impl Future<Output = Result<Column, ApiError>>,
    ) -> Result<Column, ApiError> {
        fill(&self.cache, &self.meter, key, make).await
    }

    /// The cache's meter.
    pub fn meter(&self) -> &CacheMeter {
        &self.meter
    }

    /// Runs pending evictions and copies the cache's size into its meter.
    pub async fn report(&self) {
        self.cache.run_pending_tasks().await;
        self.meter
            .set_size(self.cache.weighted_size(), self.cache.entry_count());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_column_is_made_once_and_weighed_by_its_values() {
        let c = Columns::new(&MemoryBudget::default());
        let key = || (7, "commune".to_string(), "density".to_string());
        let a = c
            .get(key(), async { Ok(Some(Arc::from(vec![1.0, 2.0]))) })
            .await
            .unwrap();
        let b = c
            .get(key(), async { Err(ApiError::Internal("not again".into())) })
            .await
            .unwrap();
        assert_eq!(a.as_deref(), Some(&[1.0, 2.0][..]));
        assert_eq!(b.as_deref(), a.as_deref());
        c.report().await;
        assert_eq!((c.meter().hits(), c.meter().misses()), (1, 1));
        assert_eq!(c.meter().entries(), 1);
        assert_eq!(c.meter().bytes(), weight::column(&a) as u64);
    }
}
