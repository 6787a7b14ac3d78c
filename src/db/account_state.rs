//! What the session guard (`platform::session_guard`) needs of an account: its status, session
//! epoch and open sessions, read from the account's profile item (written by
//! `accounts::store`, whose `User` carries the same attributes; the others are not decoded);
//! and the sessions themselves: opened at sign-in, listed and ended on `/account`.

use super::keys::{session_sk, user_pk, PROFILE_SK, SESSION_PREFIX};
use super::retry::{retrying, Backoff, Try};
use super::{from_item, key, n, DbError, Expr, Index, PageQuery, Refusal, Store, Tx};
use crate::model::AccountStatus;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// An account's standing, as far as its sessions are concerned.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountState {
    pub id: String,
    pub status: AccountStatus,
    /// Moves on when the account signs out: every token of an earlier epoch is over.
    #[serde(default)]
    pub session_epoch: u64,
    /// Whether the address is confirmed (a token that says otherwise is renewed). Accounts from
    /// before confirmation existed have no such attribute and count as confirmed.
    #[serde(default = "confirmed_before")]
    pub email_confirmed: bool,
    /// The ids of the account's open sessions (a token names its session; one whose id is not
    /// here is over). Tokens from before sessions had ids name none.
    #[serde(default)]
    pub sessions: BTreeSet<String>,
    /// Moves on with every change of the profile.
    #[serde(default)]
    pub version: u64,
}

fn confirmed_before() -> bool {
    true
}

/// One account's state, strongly consistent; `None` when there is no such account.
pub async fn get(store: &Store, user_id: &str) -> Result<Option<AccountState>, DbError> {
    store.get_as(&user_pk(user_id), PROFILE_SK, true).await
}

/// Many accounts' states, keyed by id: one strongly consistent BatchGetItem per hundred
/// (missing accounts are absent).
pub async fn by_ids(store: &Store, ids: &[&str]) -> Result<HashMap<String, AccountState>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let items = store
        .batch_get_consistent(ids.iter().map(|id| key(user_pk(id), PROFILE_SK)).collect())
        .await?;
    items
        .into_iter()
        .map(|i| from_item::<AccountState>(i).map(|a| (a.id.clone(), a)))
        .collect()
}

/// Most open sessions an account keeps: opening one more ends the oldest.
pub const MAX_SESSIONS: usize = 20;

/// A session as `/account` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// A ULID: sessions sort by when they were opened.
    pub sid: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds: when a request of it was last seen (to within a few minutes).
    pub last_seen: i64,
    /// The browser it was opened in, as it said (its User-Agent, cut short).
    pub agent: String,
}

#[derive(Serialize, Deserialize)]
struct SessionItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    session: SessionRecord,
}

/// The open sessions of `account` after opening `sid`: the newest [`MAX_SESSIONS`].
fn with_session(account: &AccountState, sid: &str) -> Vec<String> {
    let mut ids: Vec<String> = account.sessions.iter().cloned().collect();
    ids.push(sid.to_owned());
    ids.sort();
    let cut = ids.len().saturating_sub(MAX_SESSIONS);
    ids.split_off(cut)
}

/// Opens a session of `account` (as read): its record, and its id among the account's open
/// sessions (the oldest ended past [`MAX_SESSIONS`]), in one transaction under the account's
/// version; read again and retried when the account changed meanwhile. Returns the account as
/// written.
pub async fn open_session(
    store: &Store,
    account: &AccountState,
    record: &SessionRecord,
) -> Result<AccountState, DbError> {
    let mut current = account.clone();
    for _ in 0..5 {
        let open = with_session(&current, &record.sid);
        let mut tx = Tx::new(store);
        tx.create_value(
            "session",
            &SessionItem {
                pk: user_pk(&current.id),
                sk: session_sk(&record.sid),
                session: record.clone(),
            },
        )
        .update(
            "account",
            &user_pk(&current.id),
            PROFILE_SK,
            Expr::set("SET sessions = :ids, version = version + :one")
                .when("version = :v")
                .value(
                    ":ids",
                    AttributeValue::Ss(with_session(&current, &record.sid)),
                )
                .value(":one", n(1))
                .value(":v", n(current.version)),
        );
        let tx = &tx;
        let opened = retrying(Backoff::new(), (), || async move {
            Ok(match tx.run(store).await {
                Ok(()) => Try::Done(()),
                Err(e) if e.failed("account") => Try::Refused(()),
                Err(e) => return Err(e),
            })
        })
        .await;
        match opened {
            Ok(()) => {
                return Ok(AccountState {
                    sessions: open.into_iter().collect(),
                    version: current.version + 1,
                    ..current
                })
            }
            Err(Refusal::Db(e)) => return Err(e),
            // The account changed since it was read: read it again.
            Err(Refusal::Refused(())) => {
                current = get(store, &account.id)
                    .await?
                    .ok_or_else(|| DbError::Other("the account is gone".into()))?;
            }
        }
    }
    Err(DbError::Unavailable("the account kept changing".into()))
}

/// Ends one session of an account: its id leaves the open sessions (every instance's guard
/// sees it at its next check), its record goes.
pub async fn end_session(store: &Store, user_id: &str, sid: &str) -> Result<(), DbError> {
    let drop = Expr::set("DELETE sessions :sid")
        .when("attribute_exists(pk)")
        .value(":sid", AttributeValue::Ss(vec![sid.to_owned()]));
    match store.update(&user_pk(user_id), PROFILE_SK, drop).await {
        Ok(_) | Err(DbError::ConditionFailed) => {}
        Err(e) => return Err(e),
    }
    store.delete(&user_pk(user_id), &session_sk(sid)).await
}

/// Ends every session of an account but `keep` (if any): one write of its open sessions, then
/// the others' records go.
pub async fn end_other_sessions(
    store: &Store,
    user_id: &str,
    keep: Option<&str>,
) -> Result<(), DbError> {
    let set = match keep {
        Some(sid) => Expr::set("SET sessions = :keep")
            .value(":keep", AttributeValue::Ss(vec![sid.to_owned()])),
        None => Expr::set("REMOVE sessions"),
    };
    match store
        .update(
            &user_pk(user_id),
            PROFILE_SK,
            set.when("attribute_exists(pk)"),
        )
        .await
    {
        Ok(_) | Err(DbError::ConditionFailed) => {}
        Err(e) => return Err(e),
    }
    let others: Vec<_> = sessions(store, user_id)
        .await?
        .into_iter()
        .filter(|s| Some(s.sid.as_str()) != keep)
        .map(|s| key(user_pk(user_id), session_sk(&s.sid)))
        .collect();
    if !others.is_empty() {
        store.delete_keys(others).await?;
    }
    Ok(())
}

/// The session records of an account, oldest first (one Query; at most a page of them, and an
/// account keeps at most [`MAX_SESSIONS`] open).
pub async fn sessions(store: &Store, user_id: &str) -> Result<Vec<SessionRecord>, DbError> {
    let pk = user_pk(user_id);
    let q = PageQuery::new(Index::Table, &pk)
        .prefix(SESSION_PREFIX)
        .limit(100);
    let (rows, _) = store.page::<SessionItem>(q).await?;
    Ok(rows.into_iter().map(|r| r.session).collect())
}

/// Records that a session was seen at `now` (if its record is still there).
pub async fn touch_session(
    store: &Store,
    user_id: &str,
    sid: &str,
    now: i64,
) -> Result<(), DbError> {
    let seen = Expr::set("SET last_seen = :now")
        .when("attribute_exists(pk)")
        .value(":now", n(now));
    match store
        .update(&user_pk(user_id), &session_sk(sid), seen)
        .await
    {
        Ok(_) | Err(DbError::ConditionFailed) => Ok(()),
        Err(e) => Err(e),
    }
}
