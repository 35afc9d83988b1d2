//! Timeline class breaks, computed once per indicator × level × granularity × method × k and
//! kept for one published generation: a publish (a reload that bumps the generation) brings a
//! period the timelines must pool. Each entry remembers how it was made, so a reload remakes
//! the timelines in use for the next generation *before* that generation is served
//! ([`BreaksCache::prepare`]): requests after a publish find their breaks ready instead of
//! waiting for every period to be pooled again (issue 18's soak). Concurrent misses of one key
//! share one computation. What is computed is the caller's (the classes route pools values).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use geodata::{Breaks, Granularity, Method};
use tokio::sync::OnceCell;

use crate::http::error::ApiError;
use crate::state::published::Published;

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

/// A timeline being made.
pub type Making = Pin<Box<dyn Future<Output = Result<Timeline, ApiError>> + Send>>;

/// How a timeline is made over a published state (any generation's), given the server's state
/// `C` (passed in rather than captured: the cache lives in that state).
pub type Maker<C> = Arc<dyn Fn(C, Arc<Published>) -> Making + Send + Sync>;

type Slot = Arc<OnceCell<Arc<Timeline>>>;

/// At most this many timelines are remade by a reload: the most recently asked for (a crawler
/// asking for every method and k must not make each publish remake them all).
pub const MAX_PREPARED: usize = 32;

/// One timeline: its breaks once made, how to make them again, and when it was last asked for
/// in its generation (a tick of [`BreaksCache`]'s clock; 0: not asked for).
struct Entry<C> {
    slot: Slot,
    maker: Maker<C>,
    asked: Arc<AtomicU64>,
}

impl<C> Clone for Entry<C> {
    fn clone(&self) -> Entry<C> {
        Entry {
            slot: self.slot.clone(),
            maker: self.maker.clone(),
            asked: self.asked.clone(),
        }
    }
}

/// The timelines of one generation.
type Generation<C> = (u64, HashMap<BreaksKey, Entry<C>>);

/// Timeline breaks of the current generation, and of the next while a reload prepares it;
/// `C` is what makers are given (the server's state).
pub struct BreaksCache<C> {
    slots: Mutex<(Generation<C>, Option<Generation<C>>)>,
    clock: AtomicU64,
}

impl<C> Default for BreaksCache<C> {
    fn default() -> BreaksCache<C> {
        BreaksCache {
            slots: Mutex::new(((0, HashMap::new()), None)),
            clock: AtomicU64::new(0),
        }
    }
}

impl<C> std::fmt::Debug for BreaksCache<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let g = self.slots.lock().expect("breaks cache lock");
        f.debug_struct("BreaksCache")
            .field("generation", &g.0.0)
            .field("timelines", &g.0.1.len())
            .finish()
    }
}

impl<C: Clone> BreaksCache<C> {
    /// The breaks of `key` over `published`, made by `maker` on the first request of its
    /// generation (errors are not kept: the next request tries again). An older generation's
    /// breaks are dropped; a prepared next generation becomes the current one.
    pub async fn get(
        &self,
        ctx: &C,
        published: &Arc<Published>,
        key: BreaksKey,
        maker: Maker<C>,
    ) -> Result<Arc<Timeline>, ApiError> {
        let slot = {
            let mut g = self.slots.lock().expect("breaks cache lock");
            let generation = published.generation;
            if g.0.0 != generation {
                let staged = g.1.take().filter(|n| n.0 == generation);
                g.0 = staged.unwrap_or_else(|| (generation, HashMap::new()));
            }
            let e = g.0.1.entry(key).or_insert_with(|| Entry {
                slot: Slot::default(),
                maker: maker.clone(),
                asked: Arc::default(),
            });
            let tick = self.clock.fetch_add(1, Ordering::Relaxed) + 1;
            e.asked.store(tick, Ordering::Relaxed);
            e.slot.clone()
        };
        slot.get_or_try_init(|| async { maker(ctx.clone(), published.clone()).await.map(Arc::new) })
            .await
            .cloned()
    }

    /// Remakes the timelines asked for in the current generation (the [`MAX_PREPARED`] most
    /// recent) over `next` (a reload's new state, not yet served), one at a time, and keeps
    /// them for when `next` is served. One not asked for in a whole generation is not remade;
    /// one that fails is left to be made on its first request. Returns how many were made.
    pub async fn prepare(&self, ctx: &C, next: &Arc<Published>) -> usize {
        let used: Vec<(BreaksKey, Maker<C>)> = {
            let g = self.slots.lock().expect("breaks cache lock");
            let mut asked: Vec<(u64, &BreaksKey, &Entry<C>)> =
                g.0.1
                    .iter()
                    .map(|(k, e)| (e.asked.load(Ordering::Relaxed), k, e))
                    .filter(|(t, _, e)| *t > 0 && e.slot.initialized())
                    .collect();
            asked.sort_by_key(|(t, _, _)| std::cmp::Reverse(*t));
            asked
                .into_iter()
                .take(MAX_PREPARED)
                .map(|(_, k, e)| (k.clone(), e.maker.clone()))
                .collect()
        };
        let mut made = HashMap::new();
        for (key, maker) in used {
            match maker(ctx.clone(), next.clone()).await {
                Ok(t) => {
                    let slot = Arc::new(OnceCell::new_with(Some(Arc::new(t))));
                    let asked = Arc::default();
                    made.insert(key, Entry { slot, maker, asked });
                }
                Err(e) => tracing::warn!(?key, error = %e, "timeline not prepared"),
            }
        }
        let n = made.len();
        self.slots.lock().expect("breaks cache lock").1 = Some((next.generation, made));
        n
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

    fn published(generation: u64) -> Arc<Published> {
        let mut p = Published::default();
        p.generation = generation;
        Arc::new(p)
    }

    /// A maker that gives `t` plus the generation it was made for, counting its calls.
    fn maker(t: f64, calls: &Arc<std::sync::atomic::AtomicUsize>) -> Maker<()> {
        let calls = calls.clone();
        Arc::new(move |(), p: Arc<Published>| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Box::pin(async move { Ok(timeline(t + p.generation as f64)) })
        })
    }

    fn failing() -> Maker<()> {
        Arc::new(|(), _| Box::pin(async { Err(ApiError::Internal("x".into())) }))
    }

    #[tokio::test]
    async fn computed_once_per_generation() {
        let c = BreaksCache::default();
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (one, two) = (published(1), published(2));
        let a = c.get(&(), &one, key(), maker(10.0, &calls)).await;
        let b = c.get(&(), &one, key(), maker(20.0, &calls)).await;
        assert_eq!(a.unwrap().breaks.thresholds, vec![11.0]);
        assert_eq!(b.unwrap().breaks.thresholds, vec![11.0]);
        assert!(c.get(&(), &two, key(), failing()).await.is_err());
        let n = c.get(&(), &two, key(), maker(30.0, &calls)).await;
        assert_eq!(n.unwrap().breaks.thresholds, vec![32.0]);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_prepared_generation_is_served_without_making_again() {
        let c = BreaksCache::default();
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (one, two) = (published(1), published(2));
        c.get(&(), &one, key(), maker(10.0, &calls)).await.unwrap();
        // The next generation is prepared with the remembered maker, before it is served;
        // generation 1 is still served meanwhile.
        assert_eq!(c.prepare(&(), &two).await, 1);
        let still = c.get(&(), &one, key(), failing()).await.unwrap();
        assert_eq!(still.breaks.thresholds, vec![11.0]);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
        // Served: the prepared breaks answer, nothing is made again.
        let next = c.get(&(), &two, key(), failing()).await.unwrap();
        assert_eq!(next.breaks.thresholds, vec![12.0]);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
        // A key first asked in generation 2 is made then.
        let other = BreaksKey { k: 7, ..key() };
        let o = c.get(&(), &two, other, maker(40.0, &calls)).await.unwrap();
        assert_eq!(o.breaks.thresholds, vec![42.0]);
    }

    #[tokio::test]
    async fn a_reload_remakes_only_timelines_asked_for_lately() {
        let c = BreaksCache::default();
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let k = |k| BreaksKey { k, ..key() };
        // More timelines asked for than are remade: the most recent MAX_PREPARED are.
        for i in 0..MAX_PREPARED + 5 {
            c.get(&(), &published(1), k(i), maker(0.0, &calls))
                .await
                .unwrap();
        }
        assert_eq!(c.prepare(&(), &published(2)).await, MAX_PREPARED);
        // Generation 2 served; only one timeline asked for in it: the next reload remakes
        // that one, not the others prepared for generation 2.
        c.get(&(), &published(2), k(40), maker(0.0, &calls))
            .await
            .unwrap();
        assert_eq!(c.prepare(&(), &published(3)).await, 1);
    }
}
