//! Sign-in counters in DynamoDB: per account and per address, per minute. Each counter is an
//! item with a TTL attribute, so DynamoDB deletes old ones by itself. The limit itself is a
//! rule (`accounts::rules`).
//!
//! A counter is the *set* of the attempts that hold a slot in it (each attempt has a unique
//! id), not a number: adding an id to a set that has it, or removing one it lacks, changes
//! nothing. So every write here is idempotent — when DynamoDB applies a write and its answer is
//! lost, the SDK's retry of it counts nothing twice (an `ADD n :d` would count a retried
//! attempt twice, or give a slot back twice). A slot is taken only while the set holds fewer
//! than the cap (a condition on its size), so concurrent attempts cannot all pass one check.

use crate::db::keys::{throttle_key, PK};
use crate::db::{attr, key, n, s, DbError, Expr, Store};
use aws_sdk_dynamodb::types::AttributeValue;

/// The attribute holding the attempts' ids.
const SLOTS: &str = "slots";

fn size(item: &crate::db::Item) -> i64 {
    match item.get(SLOTS) {
        Some(AttributeValue::Ss(ids)) => ids.len() as i64,
        _ => 0,
    }
}

/// The counts of `keys` in `minute`, in the order of `keys`: one strongly consistent
/// BatchGetItem (a count read from a lagging replica would let attempts through).
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
        .batch_get_consistent(
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
                .map(size)
                .unwrap_or(0)
        })
        .collect())
}

/// Gives `attempt` a slot in the counter of each `(scope, value)` in `minute` unless that
/// counter is full (`cap` slots taken by other attempts). Returns, in the order of `keys`, the
/// counter's count with this attempt in it, or `None` where it was full. The updates run
/// concurrently; each is idempotent.
pub async fn take(
    store: &Store,
    keys: &[(&str, &str)],
    minute: i64,
    attempt: &str,
    cap: i64,
) -> Result<Vec<Option<i64>>, DbError> {
    let expires = (minute + 3) * 60;
    let updates = keys.iter().map(|(scope, value)| {
        let (pk, sk) = throttle_key(scope, value, minute);
        let expr = Expr::set(format!("ADD {SLOTS} :id SET expires_at = :exp"))
            .when(format!(
                "attribute_not_exists({SLOTS}) OR size({SLOTS}) < :cap OR contains({SLOTS}, :one)"
            ))
            .value(":id", AttributeValue::Ss(vec![attempt.to_owned()]))
            .value(":one", s(attempt))
            .value(":cap", n(cap))
            .value(":exp", n(expires));
        async move {
            match store.allocate(&pk, &sk, expr).await {
                Ok(out) => Ok(Some(size(&out))),
                Err(DbError::ConditionFailed) => Ok(None),
                Err(e) => Err(e),
            }
        }
    });
    futures::future::join_all(updates)
        .await
        .into_iter()
        .collect()
}

/// Gives back `attempt`'s slot in the counter of each `(scope, value)` in `minute` (a slot it
/// does not hold is no change).
pub async fn release(
    store: &Store,
    keys: &[(&str, &str)],
    minute: i64,
    attempt: &str,
) -> Result<(), DbError> {
    let expires = (minute + 3) * 60;
    let updates = keys.iter().map(|(scope, value)| {
        let (pk, sk) = throttle_key(scope, value, minute);
        let expr = Expr::set(format!("DELETE {SLOTS} :id SET expires_at = :exp"))
            .value(":id", AttributeValue::Ss(vec![attempt.to_owned()]))
            .value(":exp", n(expires));
        async move { store.allocate(&pk, &sk, expr).await.map(|_| ()) }
    });
    futures::future::join_all(updates)
        .await
        .into_iter()
        .collect()
}
