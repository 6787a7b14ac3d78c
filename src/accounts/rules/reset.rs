//! A forgotten password: the form that mails a reset link, and the link that sets a new one.
//!
//! The form answers the same way, in the same time, whether or not an account uses the address
//! (no account oracle): it makes the same reads either way, and the link is written and mailed
//! after the answer. It is throttled per address typed and per client address, like sign-in.

use super::{admitted, mail, refusal};
use crate::accounts::model::{Email, Password};
use crate::accounts::password::{self, link_token_hash};
use crate::accounts::store::{self, Purpose, Refused};
use crate::db::{Refusal, Store};
use crate::error::AppError;
use chrono::Duration;

/// How long a reset link works.
pub const RESET_FOR: Duration = Duration::minutes(30);
/// Reset requests per address typed and per client address within a minute (and the one
/// before); the next is refused.
pub const RESET_LIMIT: i64 = 5;

/// Asks for a reset link for `email`, from `client`. `background` is a store for the work done
/// after the answer (not counted in this request's figures).
pub async fn forgot_password(
    store: &Store,
    background: Store,
    public_url: &str,
    client: &str,
    email: &str,
) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    let client: String = client.chars().take(64).collect();
    let keys: Vec<(&str, &str)> = [
        ("reset-email", email.as_str()),
        ("reset-addr", client.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let minute = store.now().timestamp() / 60;
    let attempt = ulid::Ulid::new().to_string();
    if !admitted(store, &keys, minute, &attempt, RESET_LIMIT).await? {
        return Err(AppError::TooManyRequests(
            "Too many requests for a new password. Wait a minute, then try again.".into(),
        ));
    }
    let Some(login) = store::login_record(store, &email).await? else {
        return Ok(());
    };
    // Written after the answer, so that it takes as long with an account as without.
    let public_url = public_url.to_owned();
    tokio::spawn(async move {
        let issued = async {
            let user = store::get(&background, &login.user_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let issued = mail::password_reset(
                &public_url,
                &user.id,
                &user.display_name,
                &user.email,
                RESET_FOR,
                background.now(),
            );
            store::issue_link(&background, issued).await?;
            Ok::<_, AppError>(())
        };
        if let Err(e) = issued.await {
            tracing::warn!(error = %e, "could not issue a reset link");
        }
    });
    Ok(())
}

/// Sets a new password by a reset link (`raw_token`): every session of the account ends, and
/// its address counts as confirmed. Returns the account's id.
pub async fn reset_password(
    store: &Store,
    raw_token: &str,
    new_password: &str,
) -> Result<String, AppError> {
    let invalid = || {
        AppError::validation(
            "This link is not valid: it was used already, or it was copied incompletely. Ask for a new one.",
        )
    };
    let raw = raw_token.trim();
    if raw.is_empty() || raw.len() > 100 {
        return Err(invalid());
    }
    let hash = link_token_hash(raw);
    let token = store::link_token(store, &hash)
        .await?
        .filter(|t| t.purpose == Purpose::Reset)
        .ok_or_else(invalid)?;
    if token.expires_at <= store.now().timestamp() {
        return Err(AppError::validation(
            "This link has expired (it works for 30 minutes). Ask for a new one.",
        ));
    }
    let user = store::get(store, &token.user_id)
        .await?
        .ok_or_else(invalid)?;
    let password = Password::parse(new_password, &user.handle, &user.email)?;
    let password_hash = password::hash(password.expose().to_owned()).await?;
    let email = Email::parse(&token.email)?;
    match store::reset_password(store, &hash, &token, &email, &password_hash).await {
        Ok(()) => {}
        Err(Refusal::Refused(Refused::Changed)) => {
            return Err(AppError::validation(
                "This link is for an address the account no longer uses. Ask for a new one.",
            ))
        }
        Err(r) => return Err(refusal(r)),
    }
    if let Err(e) = store::release_held_mail(store, &user.id).await {
        tracing::warn!(error = %e, "could not release held mail; the worker will");
    }
    Ok(user.id)
}
