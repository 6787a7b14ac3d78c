//! The background worker: sends the outbox's mails, with retries and backoff.

use super::state::AppState;
use crate::db::{outbox, Store};
use crate::email::Mailer;
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};

/// How long a claimed mail is reserved for the worker that claimed it.
const LEASE_SECS: i64 = 60;

/// Sends the mails due at `now`. Returns how many were attempted.
pub async fn run_once(
    store: &Store,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let due = outbox::due(store, now, 25).await?;
    let mut attempted = 0;
    for mail in due {
        if !outbox::claim(store, &mail.id, now, Duration::seconds(LEASE_SECS)).await? {
            continue; // another worker has it
        }
        let result = mailer.send(&mail.mail()).await;
        if let Err(e) = &result {
            tracing::warn!(mail = %mail.id, attempt = mail.attempts + 1, error = %e, "mail not sent, will retry");
        }
        let delivery = outbox::settle(store, &mail, result, now).await?;
        tracing::info!(mail = %mail.id, state = delivery.label(), "outbox");
        attempted += 1;
    }
    Ok(attempted)
}

/// Runs the worker until the process ends: busy while there is work, otherwise every 2 s.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            let idle = match run_once(&state.store, &state.mailer, Utc::now()).await {
                Ok(n) => n == 0,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox worker: database unavailable");
                    true
                }
            };
            if idle {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        }
    });
}
