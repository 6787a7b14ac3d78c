//! Failed sign-in counters: per account and per address, per minute. Each counter is an item
//! with a TTL attribute, so DynamoDB deletes old ones by itself.

use crate::db::keys::{throttle_key, PK};
use crate::db::{key, n, DbError, Expr, Item, Store};
use aws_sdk_dynamodb::types::AttributeValue;

/// Failures allowed in one minute; the next attempt is refused.
pub const LIMIT: u32 = 10;

/// The highest failure count among `keys` over this minute and the one before (so that a
/// minute boundary never resets a count), in one BatchGetItem.
pub async fn counts(store: &Store, keys: &[(&str, &str)], minute: i64) -> Result<u32, DbError> {
    if keys.is_empty() {
        return Ok(0);
    }
    let mut wanted: Vec<Item> = Vec::new();
    for (scope, value) in keys {
        for m in [minute - 1, minute] {
            let (pk, sk) = throttle_key(scope, value, m);
            wanted.push(key(pk, sk));
        }
    }
    let items = store.batch_get(wanted).await?;
    let mut per_key: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for item in &items {
        if let (Some(AttributeValue::S(pk)), Some(AttributeValue::N(v))) =
            (item.get(PK), item.get("n"))
        {
            *per_key.entry(pk.clone()).or_default() += v.parse::<u32>().unwrap_or(0);
        }
    }
    Ok(per_key.into_values().max().unwrap_or(0))
}

/// Counts one failure for each `(scope, value)`.
pub async fn record_failure(
    store: &Store,
    keys: &[(&str, &str)],
    minute: i64,
) -> Result<(), DbError> {
    let expires = (minute + 3) * 60;
    let updates = keys.iter().map(|(scope, value)| {
        let (pk, sk) = throttle_key(scope, value, minute);
        let count = Expr::set("ADD n :one SET expires_at = :exp")
            .value(":one", n(1))
            .value(":exp", n(expires));
        async move { store.update(&pk, &sk, count).await }
    });
    for r in futures::future::join_all(updates).await {
        r?;
    }
    Ok(())
}
