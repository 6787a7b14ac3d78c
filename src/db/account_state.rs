//! What the session guard (`platform::session_guard`) needs of an account: its status and
//! session epoch, read from the account's profile item (written by `accounts::store`, whose
//! `User` carries the same attributes). The other attributes are not decoded.

use super::keys::{user_pk, PROFILE_SK};
use super::{from_item, key, DbError, Store};
use crate::model::AccountStatus;
use serde::Deserialize;
use std::collections::HashMap;

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
