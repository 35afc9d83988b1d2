//! Requests whose working set is large, bounded in flight: a file download that holds a
//! level's geometry or a whole workbook, an H3 tile or class answer whose grid is not in its
//! cache (made for the request and held while it is encoded). The caches are bounded by
//! their shares of the memory budget; what such a request holds is not in any cache, so
//! only their number bounds it (issue 18: "255 requests of one client cannot raise resident
//! memory above the budget"). The others wait their turn, and get 503 with `Retry-After`
//! when the wait would be longer than [`MAX_WAIT`]: a waiting request holds only its
//! connection, so waiting is cheap, but a queue that long means the server is saturated by
//! them and the client is better told to come back than left hanging.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::http::error::ApiError;
use crate::state::budget::MemoryBudget;

/// How long a large request waits for its turn before it is answered 503.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// `Retry-After` of the 503 answered after [`MAX_WAIT`], in seconds.
pub const RETRY_AFTER_SECS: u64 = 10;

/// The turns of large requests (see the module's documentation).
#[derive(Debug)]
pub struct LargeRequests {
    turns: Arc<Semaphore>,
    slots: usize,
}

/// One large request's turn: the next waiting one goes when it is dropped (with the body
/// it was moved into, for a streamed answer).
#[derive(Debug)]
pub struct Turn(#[allow(dead_code, reason = "held for its Drop")] OwnedSemaphorePermit);

impl LargeRequests {
    /// As many turns at once as `budget` leaves room for ([`MemoryBudget::large_requests`]).
    pub fn new(budget: &MemoryBudget) -> LargeRequests {
        let slots = budget.large_requests();
        LargeRequests {
            turns: Arc::new(Semaphore::new(slots)),
            slots,
        }
    }

    /// How many large requests run at once.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Waits for a turn; 503 (`busy`, with `Retry-After`) after [`MAX_WAIT`]. `what` names
    /// the request in that answer.
    pub async fn turn(&self, what: &str) -> Result<Turn, ApiError> {
        self.turn_within(what, MAX_WAIT).await
    }

    /// [`LargeRequests::turn`] waiting at most `wait`.
    async fn turn_within(&self, what: &str, wait: Duration) -> Result<Turn, ApiError> {
        match tokio::time::timeout(wait, self.turns.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Turn(permit)),
            Ok(Err(e)) => Err(ApiError::Internal(format!(
                "large-request queue closed: {e}"
            ))),
            Err(_) => Err(ApiError::Busy {
                message: format!(
                    "{what}: the server is making as many large answers as its memory budget allows and this one waited {} s; retry later",
                    wait.as_secs()
                ),
                retry_after_secs: RETRY_AFTER_SECS,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_turn_waits_for_the_one_before_then_gives_up_with_a_503() {
        let budget = MemoryBudget::default();
        let large = LargeRequests::new(&budget);
        assert_eq!(large.slots(), budget.large_requests());
        let held: Vec<Turn> = {
            let mut v = Vec::new();
            for _ in 0..large.slots() {
                v.push(large.turn("x").await.unwrap());
            }
            v
        };
        // Every turn taken: the next, allowed no wait, is told to retry.
        let e = large
            .turn_within("commune.geojson", Duration::ZERO)
            .await
            .unwrap_err();
        let (status, id) = e.status();
        assert_eq!((status.as_u16(), id), (503, "busy"));
        assert!(e.to_string().starts_with("commune.geojson: "), "{e}");
        // One turn given back: the next request gets it at once.
        drop(held);
        assert!(large.turn_within("x", Duration::ZERO).await.is_ok());
    }
}
