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
        let result = match resolve(store, mail.mail()).await {
            Ok(m) => mailer.send(&m).await,
            Err(e) => Err(e),
        };
        if let Err(e) = &result {
            tracing::warn!(mail = %mail.id, attempt = mail.attempts + 1, error = %e, "mail not sent, will retry");
        }
        let delivery = outbox::settle(store, &mail, result, now).await?;
        tracing::info!(mail = %mail.id, state = delivery.label(), "outbox");
        attempted += 1;
    }
    Ok(attempted)
}

/// A mail addressed `user:<id>` goes to that account's current email address.
async fn resolve(
    store: &Store,
    mut mail: crate::email::Mail,
) -> Result<crate::email::Mail, String> {
    if let Some(id) = mail.to.strip_prefix("user:") {
        let user = crate::db::users::get(store, id)
            .await
            .map_err(|e| e.to_string())?;
        mail.to = user.ok_or_else(|| format!("no account {id}"))?.email;
    }
    Ok(mail)
}

/// Finishes bookings whose "decline the other applications" step did not complete.
pub async fn resume_declines(store: &Store, public_url: &str) {
    match crate::db::sitters::pending_declines(store, 10).await {
        Ok(jobs) => {
            for job in jobs {
                if let Err(e) = crate::db::sitters::decline_rest(store, &job, public_url).await {
                    tracing::warn!(job = %job, error = %e, "declining applications failed, will retry");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read pending decline tasks"),
    }
}

/// Finishes task deletions whose comment clean-up did not complete.
pub async fn resume_cleanups(store: &Store) {
    match crate::db::projects::pending_cleanups(store, 10).await {
        Ok(tasks) => {
            for (key, number) in tasks {
                if let Err(e) = crate::db::projects::delete_comments(store, &key, number).await {
                    tracing::warn!(task = %format!("{key}-{number}"), error = %e, "removing a deleted task's comments failed, will retry");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read pending comment clean-ups"),
    }
}

/// Runs the worker until the process ends: busy while there is work, otherwise every 2 s.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        loop {
            resume_declines(&state.store, &state.settings.public_url).await;
            resume_cleanups(&state.store).await;
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
