//! The background worker: sends the outbox's mails, with retries and backoff, and finishes
//! interrupted multi-step changes. Every instance runs one: a mail is sent by the worker
//! holding its lease, a step is conditional on the state it changes, so two workers never do
//! the same thing twice. On shutdown it stops between mails (a mail it claimed is sent and
//! settled first), so it leaves no lease held.

use super::state::AppState;
use crate::db::outbox::{self, Recipient};
use crate::db::Store;
use crate::error::AppError;
use crate::platform::mail::Mailer;
use chrono::{DateTime, Duration, Utc};
use tokio_util::sync::CancellationToken;

/// How long a claimed mail is reserved for the worker that claimed it.
const LEASE_SECS: i64 = 60;

/// How often the outbox gauges (pending mails, oldest one's age) are read.
const STATS_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// Sends the mails due at `now`, until `stop` is cancelled. Returns how many were attempted.
pub async fn run_once(
    store: &Store,
    mailer: &Mailer,
    now: DateTime<Utc>,
    stop: &CancellationToken,
) -> Result<usize, AppError> {
    let expired = outbox::expire_held(store, now, 25).await?;
    if expired > 0 {
        tracing::info!(
            expired,
            "held mails expired (their address was never confirmed)"
        );
    }
    let due = outbox::due(store, now, 25).await?;
    let mut attempted = 0;
    for mail in due {
        if stop.is_cancelled() {
            break;
        }
        let Some(lease) =
            outbox::claim(store, &mail.id, now, Duration::seconds(LEASE_SECS)).await?
        else {
            continue; // another worker has it
        };
        // The send's own time limit (12 s, `state::aws_clients`) is well inside the lease.
        let result = match address(store, &mail.to).await {
            Ok(To::Confirmed(to)) => {
                let letter = mail.letter();
                mailer.send(&to, &letter.subject, &letter.text).await
            }
            Ok(To::Unconfirmed(account)) => {
                // No mail goes to an address its owner has not confirmed: it waits.
                outbox::hold(store, &mail, lease, &account).await?;
                tracing::info!(mail = %mail.id, "held until the address is confirmed");
                continue;
            }
            Err(e) => Err(e),
        };
        if let Err(e) = &result {
            tracing::warn!(mail = %mail.id, attempt = mail.attempts + 1, error = %e, "mail not sent, will retry");
        }
        match outbox::settle(store, &mail, lease, result, now).await {
            Ok(delivery) => tracing::info!(mail = %mail.id, state = delivery.label(), "outbox"),
            Err(crate::db::DbError::ConditionFailed) => {
                tracing::warn!(mail = %mail.id, "the mail's lease ran out before it was settled")
            }
            Err(e) => return Err(e.into()),
        }
        attempted += 1;
    }
    Ok(attempted)
}

/// Where a mail goes.
enum To {
    /// An address as written, or an account's confirmed address.
    Confirmed(String),
    /// An account whose current address is not confirmed yet.
    Unconfirmed(String),
}

/// The address a mail goes to: as written, or an account's current email address if its owner
/// confirmed it.
async fn address(store: &Store, to: &Recipient) -> Result<To, String> {
    match to {
        Recipient::Address(a) => Ok(To::Confirmed(a.clone())),
        Recipient::Account(id) => {
            let found = super::areas::account_email(store, id)
                .await
                .map_err(|e| e.to_string())?;
            match found {
                Some((email, true)) => Ok(To::Confirmed(email)),
                Some((_, false)) => Ok(To::Unconfirmed(id.clone())),
                None => Err(format!("no account {id}")),
            }
        }
    }
}

/// Reads the outbox gauges.
async fn outbox_stats(store: &Store) {
    match outbox::pending_stats(store, 10).await {
        Ok((pending, oldest)) => {
            let age = oldest
                .and_then(|o| (store.now() - o).to_std().ok())
                .unwrap_or_default();
            super::metrics::outbox(pending, age);
        }
        Err(e) => tracing::warn!(error = %e, "could not read the outbox's depth"),
    }
}

/// Runs the worker until `state.stopping` is cancelled: busy while there is work, otherwise
/// every 2 s. The handle ends when the worker has stopped.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let stop = state.stopping.clone();
        let mut stats_at: Option<std::time::Instant> = None;
        while !stop.is_cancelled() {
            if super::metrics::enabled() && stats_at.is_none_or(|t| t.elapsed() >= STATS_EVERY) {
                outbox_stats(&state.kit.store).await;
                stats_at = Some(std::time::Instant::now());
            }
            let kit = &state.kit;
            super::areas::background_jobs(&kit.store, &kit.settings.public_url).await;
            let idle = match run_once(&kit.store, &kit.mailer, kit.store.now(), &stop).await {
                Ok(n) => n == 0,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox worker: database unavailable");
                    true
                }
            };
            if idle {
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
                    _ = stop.cancelled() => {}
                }
            }
        }
        tracing::info!("worker stopped");
    })
}
