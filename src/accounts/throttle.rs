//! Sign-in counters in DynamoDB: per account and per address, per minute. Each counter is an
//! item with a TTL attribute, so DynamoDB deletes old ones by itself. A sign-in takes a slot
//! (an atomic increment) before its password is checked and gives it back unless the password
//! was wrong, so that concurrent attempts cannot all pass one check. The limit itself is a
//! rule (`accounts::rules`).

use crate::db::keys::{throttle_key, PK};
use crate::db::{attr, key, n, DbError, Expr, Store};
use aws_sdk_dynamodb::types::AttributeValue;

/// The counts of `keys` in `minute`, in the order of `keys`: one BatchGetItem.
pub async fn counts(
    store: &Store,
    keys: &[(&str, &str)],
    minute: i64,
) -> Result<Vec<i64>, DbError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<(String, String)> = keys
        .iter()
        .map(|(scope, value)| throttle_key(scope, value, minute))
        .collect();
    let items = store
        .batch_get(
            wanted
                .iter()
                .map(|(pk, sk)| key(pk.as_str(), sk.as_str()))
                .collect(),
        )
        .await?;
    Ok(wanted
        .iter()
        .map(|(pk, _)| {
            items
                .iter()
                .find(|i| attr(i, PK) == Some(pk.as_str()))
                .and_then(|i| match i.get("n") {
                    Some(AttributeValue::N(v)) => v.parse().ok(),
                    _ => None,
                })
                .unwrap_or(0)
        })
        .collect())
}

/// Adds `delta` to the counter of each `(scope, value)` in `minute`, atomically; returns the
/// new counts in the order of `keys` (the updates run concurrently).
pub async fn add(
    store: &Store,
    keys: &[(&str, &str)],
    minute: i64,
    delta: i64,
) -> Result<Vec<i64>, DbError> {
    let expires = (minute + 3) * 60;
    let updates = keys.iter().map(|(scope, value)| {
        let (pk, sk) = throttle_key(scope, value, minute);
        let count = Expr::set("ADD n :d SET expires_at = :exp")
            .value(":d", n(delta))
            .value(":exp", n(expires));
        async move {
            let out = store.update(&pk, &sk, count).await?;
            Ok::<i64, DbError>(match out.get("n") {
                Some(AttributeValue::N(v)) => v.parse().unwrap_or(0),
                _ => 0,
            })
        }
    });
    futures::future::join_all(updates)
        .await
        .into_iter()
        .collect()
}
