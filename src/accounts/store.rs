//! Accounts in DynamoDB: the profile item, the email/login item and the handle guard.
//!
//! Layer rule (every area's `store`): reads and writes of this area's items, nothing else. No
//! decision about who may do something, no text a user reads: a refused write comes back as a
//! named outcome ([`Refused`]) that `rules` turns into a message.

use crate::accounts::model::{
    AccountKind, AccountStatus, DisplayName, Email, Handle, PersonRef, PersonSummary, SessionUser,
};
use crate::db::account_state::AccountState;
use crate::db::keys::*;
use crate::db::outbox::{self, OutboxMail};
use crate::db::retry::{retrying, Backoff, Try};
use crate::db::{
    from_item, key, n, s, DbError, Expr, Outcome, PageQuery, Refusal, SortKey, Store, Tx,
};
use crate::model::Page;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// An account as stored (without its credentials, which live on the login item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub handle: String,
    pub display_name: String,
    pub kind: AccountKind,
    pub status: AccountStatus,
    #[serde(default)]
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    pub version: u64,
    /// Moves on when the account signs out: every session token of an earlier epoch is over.
    #[serde(default)]
    pub session_epoch: u64,
    /// Whether its owner confirmed `email` (by the link mailed at sign-up). Accounts created
    /// before confirmation existed have no such attribute and count as confirmed.
    #[serde(default = "confirmed_before")]
    pub email_confirmed: bool,
    /// When the last confirmation link was sent, in Unix seconds (a resend waits a while).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_sent_at: Option<i64>,
    /// A new address asked for, waiting for its confirmation link to be opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
    /// The ids of the account's open sessions (written by `db::account_state`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub sessions: std::collections::BTreeSet<String>,
}

fn confirmed_before() -> bool {
    true
}

impl User {
    /// What the session guard keeps of this account.
    pub fn state(&self) -> AccountState {
        AccountState {
            id: self.id.clone(),
            status: self.status,
            session_epoch: self.session_epoch,
            email_confirmed: self.email_confirmed,
            sessions: self.sessions.clone(),
            version: self.version,
        }
    }

    pub fn summary(&self) -> PersonSummary {
        PersonSummary {
            id: self.id.clone(),
            handle: self.handle.clone(),
            display_name: self.display_name.clone(),
            kind: self.kind,
            status: self.status,
            created_at: self.created_at,
        }
    }

    pub fn session(&self) -> SessionUser {
        SessionUser {
            id: self.id.clone(),
            handle: self.handle.clone(),
            display_name: self.display_name.clone(),
            kind: self.kind,
            is_admin: self.is_admin,
            email_confirmed: self.email_confirmed,
        }
    }

    pub fn person(&self) -> PersonRef {
        PersonRef {
            id: self.id.clone(),
            handle: self.handle.clone(),
            display_name: self.display_name.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct UserItem {
    pk: String,
    sk: String,
    gsi1pk: String,
    gsi1sk: String,
    gsi2pk: String,
    gsi2sk: String,
    #[serde(flatten)]
    user: User,
}

impl UserItem {
    fn new(user: User) -> Self {
        Self {
            pk: user_pk(&user.id),
            sk: PROFILE_SK.into(),
            gsi1pk: DIRECTORY_PK.into(),
            gsi1sk: user.handle.clone(),
            gsi2pk: account_status_pk(user.status),
            gsi2sk: format!(
                "{}#{}",
                user.created_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                user.id
            ),
            user,
        }
    }
}

/// The email item: the way in by email, with the password hash, kept off the profile item so
/// that the profile can be projected into indexes without its credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRecord {
    pub user_id: String,
    pub password_hash: String,
}

#[derive(Serialize, Deserialize)]
struct LoginItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    login: LoginRecord,
}

#[derive(Serialize, Deserialize)]
struct HandleItem {
    pk: String,
    sk: String,
    user_id: String,
}

pub struct NewUser {
    /// The account's id, when the caller made it (a link in its confirmation mail names it).
    pub id: Option<String>,
    pub email: Email,
    pub handle: Handle,
    pub display_name: DisplayName,
    pub kind: AccountKind,
    pub password_hash: String,
    /// The confirmation link to mail with the account (`None`: created confirmed, the demo
    /// accounts).
    pub confirmation: Option<Issued>,
}

/// What a link token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Confirms `email` as the account's address.
    Confirm,
    /// Sets a new password.
    Reset,
    /// Makes `email` the account's address (a change asked for on `/account`).
    ChangeEmail,
}

/// A link token as stored, under the SHA-256 of the token (the token itself is only in the
/// mail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkToken {
    pub purpose: Purpose,
    pub user_id: String,
    /// The address the link was mailed to.
    pub email: String,
    /// When the link stops working, in Unix seconds.
    pub expires_at: i64,
}

#[derive(Serialize, Deserialize)]
struct TokenItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    token: LinkToken,
}

/// A link token about to be mailed: its hash, what it is, and the mail that carries it.
pub struct Issued {
    pub hash: String,
    pub token: LinkToken,
    pub mail: OutboxMail,
}

impl Issued {
    fn add_to(&self, tx: &mut Tx) {
        tx.create_value(
            "token",
            &TokenItem {
                pk: token_pk(&self.hash),
                sk: TOKEN_SK.into(),
                token: self.token.clone(),
            },
        );
        outbox::queue(tx, &self.mail);
    }
}

/// Why an account write was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    EmailTaken,
    HandleTaken,
    /// The account changed since it was read (its version moved on).
    Changed,
    /// The link was used already, or its time ran out.
    TokenSpent,
    /// Too many concurrent writes: the retries ran out.
    Busy,
}

/// Creates the account, its email item and its handle guard in one transaction (pattern U1):
/// two sign-ups racing for one email or one handle cannot both succeed.
pub async fn create(store: &Store, new: NewUser) -> Outcome<User, Refused> {
    let user = User {
        id: new.id.unwrap_or_else(|| ulid::Ulid::new().to_string()),
        email: new.email.as_str().to_owned(),
        handle: new.handle.as_str().to_owned(),
        display_name: new.display_name.as_str().to_owned(),
        kind: new.kind,
        status: AccountStatus::Unverified,
        is_admin: false,
        created_at: store.now(),
        version: 1,
        session_epoch: 0,
        email_confirmed: new.confirmation.is_none(),
        confirm_sent_at: new.confirmation.as_ref().map(|_| store.now().timestamp()),
        pending_email: None,
        sessions: Default::default(),
    };
    let mut tx = Tx::new(store);
    if let Some(issued) = &new.confirmation {
        issued.add_to(&mut tx);
    }
    tx.create_value("profile", &UserItem::new(user.clone()))
        .create_value(
            "email",
            &LoginItem {
                pk: email_pk(&new.email),
                sk: LOGIN_SK.into(),
                login: LoginRecord {
                    user_id: user.id.clone(),
                    password_hash: new.password_hash,
                },
            },
        )
        .create_value(
            "handle",
            &HandleItem {
                pk: handle_pk(&new.handle),
                sk: HANDLE_SK.into(),
                user_id: user.id.clone(),
            },
        );
    // A transaction that collides with a concurrent one is cancelled with TransactionConflict
    // rather than a failed condition; retried, so the loser sees the real reason.
    let (tx, user) = (&tx, &user);
    retrying(Backoff::new(), Refused::Busy, || async move {
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(user.clone()),
            Err(e) if e.failed("email") => Try::Refused(Refused::EmailTaken),
            Err(e) if e.failed("handle") => Try::Refused(Refused::HandleTaken),
            Err(e) => return Err(e),
        })
    })
    .await
}

pub async fn login_record(store: &Store, email: &Email) -> Result<Option<LoginRecord>, DbError> {
    Ok(store
        .get_as::<LoginItem>(&email_pk(email), LOGIN_SK, true)
        .await?
        .map(|l| l.login))
}

pub async fn get(store: &Store, user_id: &str) -> Result<Option<User>, DbError> {
    Ok(store
        .get_as::<UserItem>(&user_pk(user_id), PROFILE_SK, true)
        .await?
        .map(|u| u.user))
}

/// A profile by handle: one Query on the directory index.
pub async fn by_handle(store: &Store, handle: &Handle) -> Result<Option<User>, DbError> {
    let q = PageQuery::new(Index::Gsi1, DIRECTORY_PK)
        .sort_key(SortKey::Equals(handle.as_str()))
        .limit(1);
    let (rows, _) = store.page::<UserItem>(q).await?;
    Ok(rows.into_iter().next().map(|u| u.user))
}

/// The people directory (pattern U3): handles starting with `prefix`, in handle order,
/// one Query per page.
pub async fn directory(
    store: &Store,
    prefix: &str,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<PersonSummary>, DbError> {
    let q = PageQuery::new(Index::Gsi1, DIRECTORY_PK)
        .prefix(prefix)
        .after(cursor)
        .limit(limit);
    let (rows, next) = store.page::<UserItem>(q).await?;
    Ok(Page {
        items: rows.into_iter().map(|u| u.user.summary()).collect(),
        next,
    })
}

/// Accounts with one status, newest first (admin): one Query on the status index.
pub async fn by_status(
    store: &Store,
    status: AccountStatus,
    cursor: Option<&str>,
) -> Result<Page<User>, DbError> {
    let pk = account_status_pk(status);
    let q = PageQuery::new(Index::Gsi2, &pk)
        .newest_first()
        .after(cursor);
    let (rows, next) = store.page::<UserItem>(q).await?;
    Ok(Page {
        items: rows.into_iter().map(|u| u.user).collect(),
        next,
    })
}

/// Grants or revokes admin (CLI only). Returns false when no account has this email.
pub async fn set_admin(store: &Store, email: &Email, admin: bool) -> Result<bool, DbError> {
    let Some(login) = login_record(store, email).await? else {
        return Ok(false);
    };
    let grant = Expr::set("SET is_admin = :a, version = version + :one")
        .when("attribute_exists(pk)")
        .value(":a", aws_sdk_dynamodb::types::AttributeValue::Bool(admin))
        .value(":one", n(1));
    match store
        .update(&user_pk(&login.user_id), PROFILE_SK, grant)
        .await
    {
        Ok(_) => Ok(true),
        Err(DbError::ConditionFailed) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Sets an account's status, if it is still at the version `user` was read at (admins edit
/// concurrently).
pub async fn set_status(store: &Store, user: &User, status: AccountStatus) -> Outcome<(), Refused> {
    let change = Expr::set("SET #st = :st, gsi2pk = :g2, version = version + :one")
        .when("version = :v")
        .name("#st", "status")
        .value(":st", s(status.as_str()))
        .value(":g2", s(account_status_pk(status)))
        .value(":v", n(user.version))
        .value(":one", n(1));
    match store.update(&user_pk(&user.id), PROFILE_SK, change).await {
        Ok(_) => Ok(()),
        Err(DbError::ConditionFailed) => Err(Refusal::Refused(Refused::Changed)),
        Err(e) => Err(e.into()),
    }
}

/// A link token by the hash of the token (strongly consistent: a token is used once).
pub async fn link_token(store: &Store, hash: &str) -> Result<Option<LinkToken>, DbError> {
    Ok(store
        .get_as::<TokenItem>(&token_pk(hash), TOKEN_SK, true)
        .await?
        .map(|t| t.token))
}

/// Mails `user` a new confirmation link, unless the address was confirmed or a link was sent
/// less than `wait` ago (both checked in the write: two resends at once send one link).
pub async fn resend_confirmation(
    store: &Store,
    user: &User,
    issued: Issued,
    wait: chrono::Duration,
) -> Outcome<(), Refused> {
    let now = store.now();
    let mut tx = Tx::new(store);
    issued.add_to(&mut tx);
    tx.update(
        "user",
        &user_pk(&user.id),
        PROFILE_SK,
        Expr::set("SET confirm_sent_at = :now")
            .when(
                "email = :email AND email_confirmed = :no \
                 AND (attribute_not_exists(confirm_sent_at) OR confirm_sent_at < :since)",
            )
            .value(":now", n(now.timestamp()))
            .value(":email", s(&user.email))
            .value(":no", AttributeValue::Bool(false))
            .value(":since", n((now - wait).timestamp())),
    );
    let tx = &tx;
    retrying(Backoff::new(), Refused::Busy, || async move {
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(()),
            Err(e) if e.failed("user") => Try::Refused(Refused::Changed),
            Err(e) => return Err(e),
        })
    })
    .await
}

/// Confirms the address a confirmation link was mailed to, in one transaction: the token is
/// spent (if it is still there and its time has not run out), the account's address is
/// confirmed (if it is still that address), and the release of its held mail is recorded for
/// the worker.
pub async fn confirm_email(store: &Store, hash: &str, token: &LinkToken) -> Outcome<(), Refused> {
    let now = store.now();
    let mut tx = Tx::new(store);
    spend(&mut tx, hash, Purpose::Confirm, now);
    tx.update(
        "user",
        &user_pk(&token.user_id),
        PROFILE_SK,
        Expr::set("SET email_confirmed = :yes, version = version + :one REMOVE confirm_sent_at")
            .when("email = :email")
            .value(":yes", AttributeValue::Bool(true))
            .value(":one", n(1))
            .value(":email", s(&token.email)),
    );
    record_release(&mut tx, &token.user_id, now);
    let tx = &tx;
    retrying(Backoff::new(), Refused::Busy, || async move {
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(()),
            Err(e) if e.failed("token") => Try::Refused(Refused::TokenSpent),
            Err(e) if e.failed("user") => Try::Refused(Refused::Changed),
            Err(e) => return Err(e),
        })
    })
    .await
}

/// Stores a link token and queues the mail that carries it (a password reset link).
pub async fn issue_link(store: &Store, issued: Issued) -> Result<(), DbError> {
    let mut tx = Tx::new(store);
    issued.add_to(&mut tx);
    tx.run(store).await.map_err(DbError::from)
}

/// Sets a new password by a reset link, in one transaction: the token is spent (if it is still
/// there and its time has not run out), the login item takes the new hash, and the account's
/// session epoch moves on (every session ends) and its address counts as confirmed (the link
/// was opened from it), with the release of its held mail recorded.
pub async fn reset_password(
    store: &Store,
    hash: &str,
    token: &LinkToken,
    email: &Email,
    password_hash: &str,
) -> Outcome<(), Refused> {
    let now = store.now();
    let mut tx = Tx::new(store);
    spend(&mut tx, hash, Purpose::Reset, now);
    tx.update(
        "login",
        &email_pk(email),
        LOGIN_SK,
        Expr::set("SET password_hash = :h")
            .when("user_id = :id")
            .value(":h", s(password_hash))
            .value(":id", s(&token.user_id)),
    )
    .update(
        "user",
        &user_pk(&token.user_id),
        PROFILE_SK,
        Expr::set(
            "SET email_confirmed = :yes, version = version + :one, \
             session_epoch = if_not_exists(session_epoch, :zero) + :one REMOVE sessions",
        )
        .when("email = :email")
        .value(":yes", AttributeValue::Bool(true))
        .value(":one", n(1))
        .value(":zero", n(0))
        .value(":email", s(email.as_str())),
    );
    record_release(&mut tx, &token.user_id, now);
    let tx = &tx;
    retrying(Backoff::new(), Refused::Busy, || async move {
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(()),
            Err(e) if e.failed("token") => Try::Refused(Refused::TokenSpent),
            Err(e) if e.failed("login") || e.failed("user") => Try::Refused(Refused::Changed),
            Err(e) => return Err(e),
        })
    })
    .await
}

/// Sets the display name, if the account is still at the version read.
pub async fn set_display_name(
    store: &Store,
    user: &User,
    name: &DisplayName,
) -> Outcome<(), Refused> {
    let set = Expr::set("SET display_name = :name, version = version + :one")
        .when("version = :v")
        .value(":name", s(name.as_str()))
        .value(":one", n(1))
        .value(":v", n(user.version));
    match store.update(&user_pk(&user.id), PROFILE_SK, set).await {
        Ok(_) => Ok(()),
        Err(DbError::ConditionFailed) => Err(Refusal::Refused(Refused::Changed)),
        Err(e) => Err(e.into()),
    }
}

/// Sets a new password hash, if the login item still has the hash `current` the caller
/// checked, and moves the session epoch on (every session ends; the caller issues its own a
/// new token).
pub async fn change_password(
    store: &Store,
    user: &User,
    current: &str,
    password_hash: &str,
    keep: Option<&str>,
) -> Outcome<(), Refused> {
    // Every other session ends: the open sessions are `keep` alone (the session that changed
    // it), or none.
    let set =
        "SET version = version + :one, session_epoch = if_not_exists(session_epoch, :zero) + :one";
    let update = match keep {
        Some(sid) => Expr::set(format!("{set}, sessions = :keep"))
            .value(":keep", AttributeValue::Ss(vec![sid.to_owned()])),
        None => Expr::set(format!("{set} REMOVE sessions")),
    };
    let email = Email::parse(&user.email).map_err(|e| DbError::Other(e.to_string()))?;
    let mut tx = Tx::new(store);
    tx.update(
        "login",
        &email_pk(&email),
        LOGIN_SK,
        Expr::set("SET password_hash = :h")
            .when("user_id = :id AND password_hash = :old")
            .value(":h", s(password_hash))
            .value(":id", s(&user.id))
            .value(":old", s(current)),
    )
    .update(
        "user",
        &user_pk(&user.id),
        PROFILE_SK,
        update
            .when("email = :email")
            .value(":one", n(1))
            .value(":zero", n(0))
            .value(":email", s(&user.email)),
    );
    let tx = &tx;
    retrying(Backoff::new(), Refused::Busy, || async move {
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(()),
            Err(e) if e.failed("login") || e.failed("user") => Try::Refused(Refused::Changed),
            Err(e) => return Err(e),
        })
    })
    .await
}

/// Records a new address asked for and mails it its confirmation link, if the account is still
/// at the version read (the address changes only when the link is opened).
pub async fn ask_email_change(store: &Store, user: &User, issued: Issued) -> Outcome<(), Refused> {
    let mut tx = Tx::new(store);
    let pending = issued.token.email.clone();
    issued.add_to(&mut tx);
    tx.update(
        "user",
        &user_pk(&user.id),
        PROFILE_SK,
        Expr::set("SET pending_email = :new, version = version + :one")
            .when("version = :v")
            .value(":new", s(pending))
            .value(":one", n(1))
            .value(":v", n(user.version)),
    );
    let tx = &tx;
    retrying(Backoff::new(), Refused::Busy, || async move {
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(()),
            Err(e) if e.failed("user") => Try::Refused(Refused::Changed),
            Err(e) => return Err(e),
        })
    })
    .await
}

/// Makes the address an email-change link was mailed to the account's, in one transaction: the
/// token is spent, the new address's login item is created (so a sign-up with it at the same
/// moment and this change cannot both succeed: exactly one owns it), the old one's is removed,
/// and the account takes the new address, confirmed.
pub async fn change_email(
    store: &Store,
    hash: &str,
    token: &LinkToken,
    user: &User,
    login: &LoginRecord,
) -> Outcome<(), Refused> {
    let now = store.now();
    let old = Email::parse(&user.email).map_err(|e| DbError::Other(e.to_string()))?;
    let new = Email::parse(&token.email).map_err(|e| DbError::Other(e.to_string()))?;
    let mut tx = Tx::new(store);
    spend(&mut tx, hash, Purpose::ChangeEmail, now);
    tx
    .create_value(
        "email",
        &LoginItem {
            pk: email_pk(&new),
            sk: LOGIN_SK.into(),
            login: login.clone(),
        },
    )
    .delete(
        "old_email",
        &email_pk(&old),
        LOGIN_SK,
        Expr::condition("user_id = :id AND password_hash = :h")
            .value(":id", s(&user.id))
            .value(":h", s(&login.password_hash)),
    )
    .update(
        "user",
        &user_pk(&user.id),
        PROFILE_SK,
        Expr::set(
            "SET email = :new, email_confirmed = :yes, version = version + :one REMOVE pending_email",
        )
        .when("email = :old AND pending_email = :new")
        .value(":new", s(new.as_str()))
        .value(":old", s(old.as_str()))
        .value(":yes", AttributeValue::Bool(true))
        .value(":one", n(1)),
    );
    let tx = &tx;
    retrying(Backoff::new(), Refused::Busy, || async move {
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(()),
            Err(e) if e.failed("token") => Try::Refused(Refused::TokenSpent),
            Err(e) if e.failed("email") => Try::Refused(Refused::EmailTaken),
            Err(e) if e.failed("old_email") || e.failed("user") => Try::Refused(Refused::Changed),
            Err(e) => return Err(e),
        })
    })
    .await
}

/// Accounts whose held mail is still to be released (the worker's resumption).
pub async fn pending_releases(store: &Store, limit: i32) -> Result<Vec<String>, DbError> {
    #[derive(Deserialize)]
    struct Release {
        user_id: String,
    }
    let q = PageQuery::new(Index::Gsi2, RELEASE_PENDING).limit(limit);
    let (rows, _) = store.page::<Release>(q).await?;
    Ok(rows.into_iter().map(|r| r.user_id).collect())
}

/// Releases the mail held for `user_id` (see `outbox::hold`), then forgets the release.
pub async fn release_held_mail(store: &Store, user_id: &str) -> Result<usize, DbError> {
    let released = outbox::release_held(store, user_id, store.now()).await?;
    store.delete(&user_pk(user_id), RELEASE_SK).await?;
    Ok(released)
}

/// Spends a link token of `purpose` (named "token" in the transaction): it must still be there
/// and its time not run out at `now`.
fn spend(tx: &mut Tx, hash: &str, purpose: Purpose, now: DateTime<Utc>) {
    let purpose = serde_json::to_value(purpose)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    tx.delete(
        "token",
        &token_pk(hash),
        TOKEN_SK,
        Expr::condition("attribute_exists(pk) AND expires_at > :now AND purpose = :purpose")
            .value(":now", n(now.timestamp()))
            .value(":purpose", s(purpose)),
    );
}

/// Records (named "release") that the mail held for `user_id` is to be released: the worker
/// finishes it if the caller's own release is cut short.
fn record_release(tx: &mut Tx, user_id: &str, now: DateTime<Utc>) {
    tx.update(
        "release",
        &user_pk(user_id),
        RELEASE_SK,
        Expr::set("SET gsi2pk = :pending, gsi2sk = :at, user_id = :id")
            .value(":pending", s(RELEASE_PENDING))
            .value(":at", s(format!("{}#{user_id}", stamp(now))))
            .value(":id", s(user_id)),
    );
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Ends every session of an account: its session epoch moves on. Returns the new epoch.
pub async fn end_sessions(store: &Store, user_id: &str) -> Result<u64, DbError> {
    let bump = Expr::set("ADD session_epoch :one")
        .when("attribute_exists(pk)")
        .value(":one", n(1));
    let out = store.update(&user_pk(user_id), PROFILE_SK, bump).await?;
    Ok(match out.get("session_epoch") {
        Some(aws_sdk_dynamodb::types::AttributeValue::N(v)) => v.parse().unwrap_or(0),
        _ => 0,
    })
}

/// Accounts by handle: one BatchGetItem of the handle guards, one of the accounts.
pub async fn by_handles(
    store: &Store,
    handles: &[Handle],
) -> Result<HashMap<String, User>, DbError> {
    let mut found = HashMap::new();
    if handles.is_empty() {
        return Ok(found);
    }
    let guards = store
        .batch_get(
            handles
                .iter()
                .map(|h| key(handle_pk(h), HANDLE_SK))
                .collect(),
        )
        .await?;
    let ids: Vec<String> = guards
        .into_iter()
        .map(|i| from_item::<HandleItem>(i).map(|h| h.user_id))
        .collect::<Result<_, _>>()?;
    let users = store
        .batch_get(ids.iter().map(|id| key(user_pk(id), PROFILE_SK)).collect())
        .await?;
    for item in users {
        let u = from_item::<UserItem>(item)?.user;
        found.insert(u.handle.clone(), u);
    }
    Ok(found)
}
