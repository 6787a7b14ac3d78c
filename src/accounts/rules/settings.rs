//! `/account`: the signed-in person changes their display name, email address (effective once
//! the new address is confirmed by its link) and password (which ends their other sessions).

use super::{mail, refusal, CONFIRM_FOR};
use crate::accounts::model::{
    AccountPage, DisplayName, Email, EmailForm, NameForm, Password, PasswordForm, SessionView,
};
use crate::accounts::password;
use crate::accounts::store::{self, LinkToken, Refused, User};
use crate::db::account_state;
use crate::db::{Refusal, Store};
use crate::error::AppError;
use crate::model::SessionUser;

async fn me(store: &Store, me: &SessionUser) -> Result<User, AppError> {
    store::get(store, &me.id)
        .await?
        .ok_or(AppError::Unauthorized)
}

/// What `/account` shows: two reads at once (the account; its sessions' records).
pub async fn account_page(
    store: &Store,
    who: &SessionUser,
    this_session: Option<&str>,
) -> Result<AccountPage, AppError> {
    let (user, records) = futures::try_join!(me(store, who), async {
        Ok::<_, AppError>(account_state::sessions(store, &who.id).await?)
    })?;
    let mut sessions: Vec<SessionView> = records
        .into_iter()
        .filter(|r| user.sessions.contains(&r.sid))
        .map(|r| SessionView {
            current: Some(r.sid.as_str()) == this_session,
            browser: browser_of(&r.agent),
            sid: r.sid,
            created_at: chrono::DateTime::from_timestamp(r.created_at, 0).unwrap_or_default(),
            last_seen: chrono::DateTime::from_timestamp(r.last_seen, 0).unwrap_or_default(),
        })
        .collect();
    sessions.sort_by(|a, b| {
        b.current
            .cmp(&a.current)
            .then(b.last_seen.cmp(&a.last_seen))
    });
    Ok(AccountPage {
        handle: user.handle,
        display_name: user.display_name,
        email: user.email,
        email_confirmed: user.email_confirmed,
        pending_email: user.pending_email,
        sessions,
    })
}

/// A write that lost to another change of the account.
fn changed(r: Refusal<Refused>) -> AppError {
    match r {
        Refusal::Refused(Refused::Changed) => AppError::conflict(
            "Your account changed meanwhile (in another tab?). Reload the page and try again.",
        ),
        r => refusal(r),
    }
}

/// Changes the display name (new records show it; what was written before keeps the name of
/// its time). Returns the account as it is now.
pub async fn change_name(
    store: &Store,
    who: &SessionUser,
    form: &NameForm,
) -> Result<User, AppError> {
    let name = DisplayName::parse(&form.display_name)?;
    let user = me(store, who).await?;
    store::set_display_name(store, &user, &name)
        .await
        .map_err(changed)?;
    me(store, who).await
}

/// Checks `password` against the account's: a wrong one is refused as such.
async fn check_password(store: &Store, user: &User, password: &str) -> Result<String, AppError> {
    let email = Email::parse(&user.email)?;
    let login = store::login_record(store, &email).await?;
    let stored = login.map(|l| l.password_hash);
    let ok = !password.is_empty()
        && password.len() <= 1024
        && password::verify(password.to_owned(), stored.clone()).await?;
    match stored {
        Some(hash) if ok => Ok(hash),
        _ => Err(AppError::Forbidden),
    }
}

/// Changes the password (the current one is needed): every other session of the account ends,
/// on every instance. Returns the account as it is now (the caller gives its own session a
/// token of the new epoch).
pub async fn change_password(
    store: &Store,
    who: &SessionUser,
    this_session: Option<&str>,
    form: &PasswordForm,
) -> Result<User, AppError> {
    let user = me(store, who).await?;
    let current = check_password(store, &user, &form.current)
        .await
        .map_err(|_| AppError::validation("Your current password is not right."))?;
    let new = Password::parse(&form.password, &user.handle, &user.email)?;
    if form.password == form.current {
        return Err(AppError::validation(
            "Choose a password other than the current one.",
        ));
    }
    let hash = password::hash(new.expose().to_owned()).await?;
    store::change_password(store, &user, &current, &hash, this_session)
        .await
        .map_err(changed)?;
    me(store, who).await
}

/// Asks to change the address to `form.email` (the password is needed): a link goes to the new
/// address; the account keeps its address until the link is opened.
pub async fn ask_email_change(
    store: &Store,
    public_url: &str,
    who: &SessionUser,
    form: &EmailForm,
) -> Result<(), AppError> {
    let new = Email::parse(&form.email)?;
    let user = me(store, who).await?;
    check_password(store, &user, &form.password)
        .await
        .map_err(|_| AppError::validation("Your password is not right."))?;
    if new.as_str() == user.email {
        return Err(AppError::validation("This is your address already."));
    }
    if store::login_record(store, &new).await?.is_some() {
        return Err(AppError::conflict(
            "An account with this email already exists.",
        ));
    }
    let issued = mail::email_change(public_url, &user, new.as_str(), CONFIRM_FOR, store.now());
    store::ask_email_change(store, &user, issued)
        .await
        .map_err(changed)
}

/// Opens an email-change link: the account takes the new address. A sign-up with the same
/// address at the same moment and this change cannot both succeed.
pub(super) async fn change_email_by_link(
    store: &Store,
    hash: &str,
    token: &LinkToken,
) -> Result<User, AppError> {
    let not_now = || {
        AppError::validation("This link is for an address change that was replaced or cancelled.")
    };
    let user = store::get(store, &token.user_id)
        .await?
        .ok_or_else(not_now)?;
    if user.pending_email.as_deref() != Some(token.email.as_str()) {
        return Err(not_now());
    }
    let login = store::login_record(store, &Email::parse(&user.email)?)
        .await?
        .ok_or_else(not_now)?;
    match store::change_email(store, hash, token, &user, &login).await {
        Ok(()) => {}
        Err(Refusal::Refused(Refused::EmailTaken)) => {
            return Err(AppError::conflict(
                "Another account uses this address now: the change cannot be made.",
            ))
        }
        Err(Refusal::Refused(Refused::Changed)) => return Err(not_now()),
        Err(r) => return Err(refusal(r)),
    }
    store::get(store, &token.user_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Ends one of my sessions (my own session's id names an item of my own account only).
pub async fn end_my_session(store: &Store, who: &SessionUser, sid: &str) -> Result<(), AppError> {
    let sid = crate::model::record_id(sid)?;
    account_state::end_session(store, &who.id, sid).await?;
    Ok(())
}

/// Ends every session of mine but this one.
pub async fn end_my_other_sessions(
    store: &Store,
    who: &SessionUser,
    this_session: Option<&str>,
) -> Result<(), AppError> {
    account_state::end_other_sessions(store, &who.id, this_session).await?;
    Ok(())
}

/// A short name of the browser and system a User-Agent says.
fn browser_of(agent: &str) -> String {
    let browser = ["Edg/", "OPR/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|b| agent.contains(*b))
        .map(|b| match *b {
            "Edg/" => "Edge",
            "OPR/" => "Opera",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        });
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(k, _)| agent.contains(k))
    .map(|(_, v)| *v);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) if agent.is_empty() => "Unknown browser".to_owned(),
        (None, None) => agent.chars().take(60).collect(),
    }
}
