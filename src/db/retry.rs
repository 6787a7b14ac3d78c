//! The one retry policy — exponential backoff with jitter, for transactions that lost a race
//! (`TransactionConflict`) and for batch items DynamoDB left unprocessed — and the one write
//! loop built on it, [`retrying`]:
//!
//! ```ignore
//! retrying(Backoff::new(), Refused::Busy, || async move {
//!     let task = read(…).await?;                       // what the write is based on
//!     let mut tx = Tx::new(store);
//!     …
//!     Ok(match tx.run(store).await {
//!         Ok(()) => Try::Done(task),
//!         Err(e) if e.failed("member") => Try::Refused(Refused::NotMember),
//!         Err(e) if e.failed("task") => Try::Again,    // it moved since the read
//!         Err(e) => return Err(e),                     // a conflict backs off; others fail
//!     })
//! })
//! .await
//! ```

use super::error::{Outcome, Refusal};
use super::tx::TxError;
use std::time::Duration;

/// What one try of a write came to (see [`retrying`]).
#[derive(Debug)]
pub enum Try<T, R> {
    /// It committed, with this result.
    Done(T),
    /// It is refused, for this reason.
    Refused(R),
    /// It lost a race, or what it read has moved: back off, then try again.
    Again,
}

impl<T, R> Try<T, R> {
    /// The try that an [`Outcome`] found before writing stands for (a refusal, or a result).
    pub fn from_outcome(outcome: Outcome<T, R>) -> Result<Self, TxError> {
        match outcome {
            Ok(t) => Ok(Self::Done(t)),
            Err(Refusal::Refused(r)) => Ok(Self::Refused(r)),
            Err(Refusal::Db(e)) => Err(TxError::Db(e)),
        }
    }
}

/// The one write loop: runs `attempt` (its reads, if any, and one transaction) until it commits
/// or is refused. A try that lost a race — [`Try::Again`], or a transaction cancelled by a
/// `TransactionConflict` — waits with `backoff` and runs again; when the tries run out, the write
/// is refused with `busy`. Any other error ends it.
///
/// `attempt` is a closure returning a future (`|| async move { … }` over references: state
/// carried from one try to the next goes in an atomic), so that a server function's future
/// stays `Send`.
pub async fn retrying<T, R, F, Fut>(mut backoff: Backoff, busy: R, mut attempt: F) -> Outcome<T, R>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Try<T, R>, TxError>>,
{
    loop {
        match attempt().await {
            Ok(Try::Done(t)) => return Ok(t),
            Ok(Try::Refused(r)) => return Err(Refusal::Refused(r)),
            Ok(Try::Again) | Err(TxError::Conflict) => {
                if !backoff.wait().await {
                    return Err(Refusal::Refused(busy));
                }
            }
            Err(e) => return Err(Refusal::Db(e.into())),
        }
    }
}

/// Tries after the first one before giving up.
pub const RETRIES: u32 = 11;
/// The first wait, in milliseconds; each next one doubles, up to [`MAX_DELAY_MS`].
pub const FIRST_DELAY_MS: u64 = 8;
pub const MAX_DELAY_MS: u64 = 200;

#[derive(Debug, Clone)]
pub struct Backoff {
    retries_left: u32,
    delay_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    pub fn new() -> Self {
        Self {
            retries_left: RETRIES,
            delay_ms: FIRST_DELAY_MS,
        }
    }

    /// A backoff allowing `retries` tries after the first one.
    pub fn with_retries(retries: u32) -> Self {
        Self {
            retries_left: retries,
            delay_ms: FIRST_DELAY_MS,
        }
    }

    /// Sleeps before the next try (the delay plus up to as much again at random) and returns
    /// true; returns false at once when the tries are used up.
    pub async fn wait(&mut self) -> bool {
        if self.retries_left == 0 {
            return false;
        }
        self.retries_left -= 1;
        let jitter = rand::random::<u64>() % self.delay_ms.max(1);
        tokio::time::sleep(Duration::from_millis(self.delay_ms + jitter)).await;
        self.delay_ms = (self.delay_ms * 2).min(MAX_DELAY_MS);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_write_loop_retries_races_and_then_is_busy() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let tries = &AtomicU32::new(0);
        let r: Outcome<(), &str> = retrying(Backoff::with_retries(3), "busy", || async move {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(TxError::Conflict)
        })
        .await;
        assert_eq!(tries.load(Ordering::SeqCst), 4);
        assert!(matches!(r, Err(Refusal::Refused("busy"))));
        let tries = &AtomicU32::new(0);
        let r: Outcome<u32, &str> = retrying(Backoff::new(), "busy", || async move {
            let n = tries.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(if n < 3 { Try::Again } else { Try::Done(n) })
        })
        .await;
        assert!(matches!(r, Ok(3)));
        let r: Outcome<u32, &str> =
            retrying(Backoff::new(), "busy", || async { Ok(Try::Refused("no")) }).await;
        assert!(matches!(r, Err(Refusal::Refused("no"))));
    }

    #[tokio::test]
    async fn gives_up_after_the_retries() {
        let mut b = Backoff::new();
        let mut tries = 0;
        while b.wait().await {
            tries += 1;
        }
        assert_eq!(tries, RETRIES);
        assert!(!b.wait().await);
    }
}
