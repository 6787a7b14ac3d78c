//! The one retry policy: exponential backoff with jitter, for transactions that lost a race
//! (`TransactionConflict`) and for batch items DynamoDB left unprocessed.
//!
//! ```ignore
//! let mut backoff = Backoff::new();
//! loop {
//!     match tx.run(store).await {
//!         Err(e) if e.is_conflict() && backoff.wait().await => continue,
//!         other => return other,
//!     }
//! }
//! ```

use std::time::Duration;

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
