//! Accounts' background work, run by the server's worker every round: the release of mail held
//! for an address that was confirmed (done at once by the confirmation; this finishes it if that
//! was cut short).

use super::store;
use crate::db::Store;

pub async fn run(store: &Store) {
    match store::pending_releases(store, 10).await {
        Ok(accounts) => {
            for id in accounts {
                if let Err(e) = store::release_held_mail(store, &id).await {
                    tracing::warn!(account = %id, error = %e, "releasing held mail failed, will retry");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read pending mail releases"),
    }
}
