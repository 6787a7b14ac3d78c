//! Accounts: sign-up, sign-in with its throttle, who is an admin, account status changes, and
//! the confirmation of an account's email address (`email`).
//!
//! Layer rule (every area's `rules`): the only place that decides who may do what and the only
//! place (with `model`'s validators) that writes text a user reads. Server functions call these
//! functions; these call the area's `store` and turn its named outcomes into [`AppError`]s.

mod email;
pub mod mail;
mod reset;
mod settings;

pub use email::*;
pub use reset::*;
pub use settings::*;

use crate::accounts::model::{AccountStatus, Email, SessionUser, SignUpForm};
use crate::accounts::password;
use crate::accounts::store::{self, NewUser, Refused, User};
use crate::accounts::throttle;
use crate::db::{Refusal, Store};
use crate::error::AppError;
use crate::model::Page;

/// Sign-in attempts evaluated per account and per address within a minute (and the one
/// before); the next is refused.
pub const LIMIT: i64 = 10;

/// The user's message for a refused account write.
pub(crate) fn refusal(r: Refusal<Refused>) -> AppError {
    match r {
        Refusal::Refused(Refused::EmailTaken) => {
            AppError::conflict("An account with this email already exists. Sign in instead.")
        }
        Refusal::Refused(Refused::HandleTaken) => {
            AppError::conflict("This handle is taken. Choose another one.")
        }
        Refusal::Refused(Refused::Changed) => {
            AppError::conflict("This account changed since you opened it. Reload and try again.")
        }
        Refusal::Refused(Refused::Busy) => {
            AppError::conflict("Too many changes to accounts at once. Please try again.")
        }
        Refusal::Refused(Refused::TokenSpent) => AppError::validation(
            "This link was used already or has expired. Sign in to ask for a new one.",
        ),
        Refusal::Db(e) => e.into(),
    }
}

/// Creates an account, its address not confirmed yet: the confirmation link is mailed with it
/// (in the same transaction).
pub async fn sign_up(store: &Store, public_url: &str, form: &SignUpForm) -> Result<User, AppError> {
    let new = form.parse()?;
    let password_hash = password::hash(new.password.expose().to_owned()).await?;
    // The account's id is made by the store; the link names it, so it is made here first.
    let id = ulid::Ulid::new().to_string();
    let confirmation = mail::confirmation(
        public_url,
        &id,
        new.display_name.as_str(),
        new.email.as_str(),
        CONFIRM_FOR,
        store.now(),
    );
    store::create(
        store,
        NewUser {
            id: Some(id),
            email: new.email,
            handle: new.handle,
            display_name: new.display_name,
            kind: new.kind,
            password_hash,
            confirmation: Some(confirmation),
        },
    )
    .await
    .map_err(refusal)
}

/// Signs in by email (pattern U2: the login item, then the account). The answer to a wrong
/// password and to an unknown email is the same, and takes the same time.
///
/// Throttling: at most `LIMIT` attempts are evaluated per account and per client address over
/// this minute and the one before; past that, attempts are refused before any password is
/// checked. Each attempt first takes a slot in both counters (a conditional, idempotent write:
/// see `throttle`) and gives it back unless its password was wrong, so that concurrent
/// attempts cannot all pass the check and a retried write never counts twice.
pub async fn sign_in_from(
    store: &Store,
    client: &str,
    email: &str,
    password: &str,
) -> Result<User, AppError> {
    let minute = store.now().timestamp() / 60;
    // A malformed email cannot match an account: it gets no account counter (and stays out of
    // the key, which DynamoDB limits in size); the address counter still applies.
    let account = Email::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_default();
    let client: String = client.chars().take(64).collect();
    let client = client.as_str();
    let keys: Vec<(&str, &str)> = [("email", account.as_str()), ("addr", client)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let attempt = ulid::Ulid::new().to_string();
    if !admitted(store, &keys, minute, &attempt, LIMIT).await? {
        return Err(AppError::TooManyRequests(
            "Too many failed sign-ins. Wait a minute, then try again.".into(),
        ));
    }
    let result = check_password(store, email, password).await;
    if !matches!(result, Err(AppError::InvalidCredentials)) {
        // Only wrong passwords keep their slot.
        if let Err(e) = throttle::release(store, &keys, minute, &attempt).await {
            tracing::warn!(error = %e, "could not give back a sign-in slot");
        }
    }
    result
}

/// Whether `attempt` may go on: it takes a slot in each counter of `keys` (this minute), and is
/// refused — its slots given back — when a counter holds more than `limit` over this minute and
/// the one before.
pub(crate) async fn admitted(
    store: &Store,
    keys: &[(&str, &str)],
    minute: i64,
    attempt: &str,
    limit: i64,
) -> Result<bool, AppError> {
    let (before, now) = futures::join!(
        throttle::counts(store, keys, minute - 1),
        throttle::take(store, keys, minute, attempt, limit)
    );
    let (before, now) = (before?, now?);
    let over = before
        .iter()
        .zip(&now)
        .any(|(b, n)| n.is_none_or(|n| b + n > limit));
    if over {
        throttle::release(store, keys, minute, attempt).await?;
    }
    Ok(!over)
}

/// Sign-in without a client address (in-process callers): only the per-account limit applies.
pub async fn sign_in(store: &Store, email: &str, password: &str) -> Result<User, AppError> {
    sign_in_from(store, "", email, password).await
}

async fn check_password(store: &Store, email: &str, password: &str) -> Result<User, AppError> {
    if password.is_empty() || password.len() > 1024 {
        return Err(AppError::InvalidCredentials);
    }
    let login = match Email::parse(email) {
        Ok(email) => store::login_record(store, &email).await?,
        Err(_) => None,
    };
    let ok = password::verify(
        password.to_owned(),
        login.as_ref().map(|l| l.password_hash.clone()),
    )
    .await?;
    let Some(login) = login.filter(|_| ok) else {
        return Err(AppError::InvalidCredentials);
    };
    let user = store::get(store, &login.user_id)
        .await?
        .ok_or(AppError::InvalidCredentials)?;
    if user.status == AccountStatus::Deactivated {
        return Err(AppError::Deactivated);
    }
    Ok(user)
}

/// Signs out: this session ends (on every instance within the session check interval); a
/// token from before sessions had ids ends every session of the account, as sign-out did then.
pub async fn sign_out(store: &Store, user_id: &str, sid: Option<&str>) -> Result<(), AppError> {
    match sid {
        Some(sid) => crate::db::account_state::end_session(store, user_id, sid).await?,
        None => {
            store::end_sessions(store, user_id).await?;
        }
    }
    Ok(())
}

/// An admin, checked against the account itself (not only the token).
pub async fn require_admin(store: &Store, me: &SessionUser) -> Result<User, AppError> {
    match store::get(store, &me.id).await? {
        Some(u) if u.is_admin && u.status != AccountStatus::Deactivated => Ok(u),
        _ => Err(AppError::Forbidden),
    }
}

/// Whether `viewer` may see `owner`'s private details: the owner, or an admin (checked
/// against the stored account).
pub async fn may_see_private(
    store: &Store,
    viewer: Option<&SessionUser>,
    owner: &User,
) -> Result<bool, AppError> {
    Ok(match viewer {
        Some(v) if v.id == owner.id => true,
        Some(v) if v.is_admin => require_admin(store, v).await.is_ok(),
        _ => false,
    })
}

/// Accounts with one status (admins only).
pub async fn accounts_by_status(
    store: &Store,
    me: &SessionUser,
    status: &str,
    cursor: Option<&str>,
) -> Result<Page<User>, AppError> {
    require_admin(store, me).await?;
    let status = match status {
        "" => AccountStatus::Unverified,
        s => AccountStatus::from_text(s).ok_or_else(|| AppError::validation("Unknown status."))?,
    };
    Ok(store::by_status(store, status, cursor).await?)
}

/// Sets an account's status (admins only; never their own).
pub async fn set_status(
    store: &Store,
    me: &SessionUser,
    user_id: &str,
    status: &str,
) -> Result<(), AppError> {
    require_admin(store, me).await?;
    if user_id == me.id {
        return Err(AppError::validation("Nobody can change their own status."));
    }
    let status = AccountStatus::parse(status)?;
    let user = store::get(store, crate::model::record_id(user_id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    store::set_status(store, &user, status)
        .await
        .map_err(refusal)
}

/// Looks up accounts by handle for an invitation or a new conversation: every handle must
/// belong to an active account.
pub async fn active_accounts(
    store: &Store,
    handles: &[crate::accounts::model::Handle],
) -> Result<std::collections::HashMap<String, User>, AppError> {
    let found = store::by_handles(store, handles).await?;
    for h in handles {
        match found.get(h.as_str()) {
            None => return Err(AppError::validation(format!("Nobody has the handle @{h}."))),
            Some(u) if u.status == AccountStatus::Deactivated => {
                return Err(AppError::validation(format!(
                    "@{h}'s account is deactivated."
                )))
            }
            Some(_) => {}
        }
    }
    Ok(found)
}

/// A page of the people directory: handles starting with what was typed.
pub async fn directory(
    store: &Store,
    typed: &str,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<crate::accounts::model::PersonSummary>, AppError> {
    let prefix = crate::accounts::model::Handle::parse_prefix(typed)?;
    Ok(store::directory(store, &prefix, cursor, limit).await?)
}
