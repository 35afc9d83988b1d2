//! How a failed answer is logged. A 503 is the server saying "not now": `/readyz` while the
//! tile sources are still being built at start-up (a load balancer polls it many times a
//! second), or a store that cannot answer. Neither is a bug, so the request trace logs a 503 at
//! DEBUG only; a store outage is reported by [`crate::http::error::ApiError`] through
//! [`STORE_OUTAGE`] at WARN once per [`OUTAGE_QUIET`], never once per request. Any other 5xx is a
//! bug and stays at ERROR.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use tower_http::classify::ServerErrorsFailureClass;
use tracing::{Level, Span};

/// How long after a WARN about a store outage further failures are logged at DEBUG only.
pub const OUTAGE_QUIET: Duration = Duration::from_secs(60);

/// The level the request trace logs a failed answer at: DEBUG for 503 (readiness, warm-up, a
/// store outage reported on its own), ERROR for any other 5xx and for a broken body stream.
pub fn level_of(failure: &ServerErrorsFailureClass) -> Level {
    match failure {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => Level::DEBUG,
        _ => Level::ERROR,
    }
}

/// The request trace's `on_failure`: one event at [`level_of`] the failure.
pub fn on_failure(failure: ServerErrorsFailureClass, latency: Duration, _span: &Span) {
    let ms = latency.as_millis();
    if level_of(&failure) == Level::DEBUG {
        tracing::debug!(classification = %failure, latency_ms = ms, "response failed");
    } else {
        tracing::error!(classification = %failure, latency_ms = ms, "response failed");
    }
}

/// A dependency's outage as the log tells it: the first failure at WARN, then at most one WARN
/// per [`OUTAGE_QUIET`], with the number of failures logged at DEBUG in between.
#[derive(Debug, Default)]
pub struct Outage {
    /// When the last WARN was written, and the failures since.
    state: Mutex<Option<(Instant, u64)>>,
}

/// The store's outage, shared by every request of the process (the log is process-wide too).
pub static STORE_OUTAGE: Outage = Outage {
    state: Mutex::new(None),
};

impl Outage {
    /// Notes one failure at `now`: `Some(n)` when it is to be logged at WARN, `n` failures
    /// having been logged at DEBUG since the previous WARN; `None` when it is to be logged at
    /// DEBUG.
    pub fn note(&self, now: Instant) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match &mut *state {
            Some((last, quiet)) if now.saturating_duration_since(*last) < OUTAGE_QUIET => {
                *quiet += 1;
                None
            }
            other => {
                let quiet = other.map_or(0, |(_, n)| n);
                *other = Some((now, 0));
                Some(quiet)
            }
        }
    }

    /// Logs `error` (what failed, with the driver's cause) at the level [`Outage::note`] picks.
    pub fn log(&self, error: &dyn std::fmt::Debug) {
        // Debug, not Display: the operator's log keeps the driver's own words, which the
        // answer's message leaves out (geodata's store::failure).
        match self.note(Instant::now()) {
            Some(quiet) => tracing::warn!(
                ?error,
                failures_logged_at_debug = quiet,
                "store unavailable (further failures within {}s are logged at debug)",
                OUTAGE_QUIET.as_secs()
            ),
            None => tracing::debug!(?error, "store unavailable"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn a_503_is_not_an_error_other_5xx_are() {
        use ServerErrorsFailureClass::{Error, StatusCode as Status};
        assert_eq!(
            level_of(&Status(StatusCode::SERVICE_UNAVAILABLE)),
            Level::DEBUG
        );
        assert_eq!(
            level_of(&Status(StatusCode::INTERNAL_SERVER_ERROR)),
            Level::ERROR
        );
        assert_eq!(level_of(&Status(StatusCode::BAD_GATEWAY)), Level::ERROR);
        assert_eq!(level_of(&Error("body stream broke".into())), Level::ERROR);
    }

    #[test]
    fn an_outage_warns_once_per_quiet_period() {
        let o = Outage::default();
        let t = Instant::now();
        assert_eq!(o.note(t), Some(0));
        for k in 1..=500 {
            assert_eq!(o.note(t + Duration::from_millis(k * 100)), None);
        }
        // 500 failures at DEBUG in 50 s, then the next minute's first failure warns again.
        assert_eq!(o.note(t + OUTAGE_QUIET), Some(500));
        assert_eq!(o.note(t + OUTAGE_QUIET + Duration::from_secs(1)), None);
    }

    /// Counts the events a subscriber is offered, by level.
    #[derive(Default)]
    struct Levels(Arc<[AtomicU64; 5]>);

    impl Levels {
        fn count(&self, level: Level) -> u64 {
            self.0[Self::index(&level)].load(Ordering::SeqCst)
        }
        fn index(level: &Level) -> usize {
            [
                Level::ERROR,
                Level::WARN,
                Level::INFO,
                Level::DEBUG,
                Level::TRACE,
            ]
            .iter()
            .position(|l| l == level)
            .expect("five levels")
        }
    }

    impl tracing::Subscriber for Levels {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, e: &tracing::Event<'_>) {
            self.0[Self::index(e.metadata().level())].fetch_add(1, Ordering::SeqCst);
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn the_trace_logs_start_up_503s_at_debug_and_a_500_at_error() {
        let levels = Levels::default();
        let counts = Levels(levels.0.clone());
        tracing::subscriber::with_default(levels, || {
            for _ in 0..300 {
                on_failure(
                    ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE),
                    Duration::from_millis(1),
                    &Span::none(),
                );
            }
            on_failure(
                ServerErrorsFailureClass::StatusCode(StatusCode::INTERNAL_SERVER_ERROR),
                Duration::from_millis(1),
                &Span::none(),
            );
            let outage = Outage::default();
            for _ in 0..300 {
                outage.log(&"database is locked");
            }
        });
        assert_eq!(counts.count(Level::ERROR), 1);
        assert_eq!(counts.count(Level::WARN), 1);
        assert_eq!(counts.count(Level::DEBUG), 300 + 299);
    }
}
