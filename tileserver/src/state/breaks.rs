//! Timeline class breaks, computed lazily once per indicator × level × granularity × method ×
//! k and kept for one published generation: a publish (a reload that bumps the generation)
//! forgets them all, so the next request pools the new period in. Concurrent misses of one key
//! share one computation. What is computed is the caller's (the classes route pools the values).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use geodata::{Breaks, Granularity, Method};
use tokio::sync::OnceCell;

use crate::http::error::ApiError;

/// What one set of timeline breaks is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BreaksKey {
    /// The indicator id.
    pub indicator: String,
    /// The level (`province`, `commune`, …, or `h3`).
    pub level: String,
    /// The granularity pooled.
    pub granularity: Granularity,
    /// The classification method.
    pub method: Method,
    /// Classes asked for.
    pub k: usize,
    /// Whether k may be raised for readability (the default k was not asked for explicitly).
    pub raise: bool,
}

/// Breaks pooled over a timeline, and the periods pooled.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// The thresholds, range and notes.
    pub breaks: Breaks,
    /// The periods whose values were pooled, oldest first.
    pub periods: Vec<String>,
}

type Slot = Arc<OnceCell<Arc<Timeline>>>;

/// Timeline breaks of the current generation.
#[derive(Debug, Default)]
pub struct BreaksCache {
    slots: Mutex<(u64, HashMap<BreaksKey, Slot>)>,
}

impl BreaksCache {
    /// The breaks of `key` in `generation`, computed by `make` on the first request (errors are
    /// not kept: the next request tries again). An older generation's breaks are dropped.
    pub async fn get<F, Fut>(
        &self,
        generation: u64,
        key: BreaksKey,
        make: F,
    ) -> Result<Arc<Timeline>, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Timeline, ApiError>>,
    {
        let slot = {
            let mut g = self.slots.lock().expect("breaks cache lock");
            if g.0 != generation {
                *g = (generation, HashMap::new());
            }
            g.1.entry(key).or_default().clone()
        };
        slot.get_or_try_init(|| async { make().await.map(Arc::new) })
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> BreaksKey {
        BreaksKey {
            indicator: "density".into(),
            level: "province".into(),
            granularity: Granularity::Month,
            method: Method::Quantile,
            k: 5,
            raise: true,
        }
    }

    fn timeline(t: f64) -> Timeline {
        Timeline {
            breaks: Breaks {
                thresholds: vec![t],
                k: 2,
                range: None,
                notes: Vec::new(),
            },
            periods: vec!["2025-01".into()],
        }
    }

    #[tokio::test]
    async fn computed_once_per_generation() {
        let c = BreaksCache::default();
        let a = c.get(1, key(), || async { Ok(timeline(1.0)) }).await;
        let b = c.get(1, key(), || async { Ok(timeline(2.0)) }).await;
        assert_eq!(a.unwrap().breaks.thresholds, b.unwrap().breaks.thresholds);
        let e = c
            .get(2, key(), || async { Err(ApiError::Internal("x".into())) })
            .await;
        assert!(e.is_err());
        let n = c.get(2, key(), || async { Ok(timeline(3.0)) }).await;
        assert_eq!(n.unwrap().breaks.thresholds, vec![3.0]);
    }
}
