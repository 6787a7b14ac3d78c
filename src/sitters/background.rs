//! Sitters' background work, run by the server's worker every round.

use crate::db::Store;

/// Finishes bookings whose "decline the other applications" step did not complete.
pub async fn run(store: &Store, public_url: &str) {
    if let Err(e) = super::rules::resume_declines(store, public_url).await {
        tracing::warn!(error = %e, "could not read pending decline tasks");
    }
}
