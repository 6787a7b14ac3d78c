//! Confirming an account's email address: the link mailed at sign-up (or again on request)
//! confirms it; until then no other mail goes to it (the worker holds it, see `outbox::hold`).

use super::{mail, refusal};
use crate::accounts::password::link_token_hash;
use crate::accounts::store::{self, Purpose, Refused, User};
use crate::db::{Refusal, Store};
use crate::error::AppError;
use crate::model::SessionUser;
use chrono::Duration;

/// How long a confirmation link works.
pub const CONFIRM_FOR: Duration = Duration::hours(24);
/// How long after a confirmation link another may be sent.
pub const RESEND_WAIT: Duration = Duration::minutes(1);

/// Mails the signed-in person a new confirmation link.
pub async fn resend_confirmation(
    store: &Store,
    public_url: &str,
    me: &SessionUser,
) -> Result<(), AppError> {
    let user = store::get(store, &me.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if user.email_confirmed {
        return Err(AppError::conflict("Your address is confirmed already."));
    }
    let now = store.now();
    let too_soon = user
        .confirm_sent_at
        .is_some_and(|at| now.timestamp() - at < RESEND_WAIT.num_seconds());
    if too_soon {
        return Err(AppError::TooManyRequests(
            "A link was sent less than a minute ago. Check your mail (and its spam folder), or try again in a minute."
                .into(),
        ));
    }
    let issued = mail::confirmation(
        public_url,
        &user.id,
        &user.display_name,
        &user.email,
        CONFIRM_FOR,
        now,
    );
    match store::resend_confirmation(store, &user, issued, RESEND_WAIT).await {
        Ok(()) => Ok(()),
        // Confirmed, re-sent or changed since the read: say so rather than send again.
        Err(Refusal::Refused(Refused::Changed)) => Err(AppError::conflict(
            "A link was just sent, or your address changed. Reload the page.",
        )),
        Err(r) => Err(refusal(r)),
    }
}

/// Confirms the address a confirmation link (`raw_token`) was mailed to; works in any browser,
/// signed in or not. Returns the account, confirmed. The mail held for it goes out next.
pub async fn confirm_email(store: &Store, raw_token: &str) -> Result<User, AppError> {
    let invalid = || {
        AppError::validation(
            "This confirmation link is not valid: it was used already, or it was copied incompletely. Sign in to ask for a new one.",
        )
    };
    let raw = raw_token.trim();
    if raw.is_empty() || raw.len() > 100 {
        return Err(invalid());
    }
    let hash = link_token_hash(raw);
    let token = store::link_token(store, &hash)
        .await?
        .filter(|t| matches!(t.purpose, Purpose::Confirm | Purpose::ChangeEmail))
        .ok_or_else(invalid)?;
    if token.expires_at <= store.now().timestamp() {
        return Err(AppError::validation(
            "This confirmation link has expired. Sign in to ask for a new one.",
        ));
    }
    if token.purpose == Purpose::ChangeEmail {
        return super::settings::change_email_by_link(store, &hash, &token).await;
    }
    match store::confirm_email(store, &hash, &token).await {
        Ok(()) => {}
        Err(Refusal::Refused(Refused::Changed)) => {
            return Err(AppError::validation(
                "This link confirms an address the account no longer uses.",
            ))
        }
        Err(r) => return Err(refusal(r)),
    }
    // The worker would release the held mail too (the confirmation recorded it): do it now.
    if let Err(e) = store::release_held_mail(store, &token.user_id).await {
        tracing::warn!(error = %e, "could not release held mail; the worker will");
    }
    store::get(store, &token.user_id)
        .await?
        .ok_or(AppError::NotFound)
}
