//! The state live pages follow, read for many users at once: the shards' signals and the users'
//! unread totals (see `keys::LIVE_SHARDS`).

use crate::db::keys::*;
use crate::db::{key, n, DbError, Expr, Item, Store};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// Moves on the signal of each of `users`' shards (after a change their live pages show). A
/// single write per shard, outside any transaction: signals are read often and written by
/// every message, and a transaction on them would collide with its neighbours.
pub async fn signal(store: &Store, users: &[&str]) -> Result<(), DbError> {
    let mut shards: Vec<u32> = users.iter().map(|u| live_shard(u)).collect();
    shards.sort_unstable();
    shards.dedup();
    for shard in shards {
        store
            .update(
                &live_signal_pk(shard),
                LIVE_SK,
                Expr::set("ADD v :one").value(":one", n(1)),
            )
            .await?;
    }
    Ok(())
}

fn number(item: &Item, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().unwrap_or(0),
        _ => 0,
    }
}

/// Strongly consistent BatchGetItem of `keys`, as items keyed by their pk.
async fn read_consistent(store: &Store, keys: Vec<Item>) -> Result<HashMap<String, Item>, DbError> {
    Ok(store
        .batch_get_consistent(keys)
        .await?
        .into_iter()
        .filter_map(|item| Some((crate::db::attr(&item, PK)?.to_owned(), item)))
        .collect())
}

/// Every shard's signal: one call.
pub async fn signals(store: &Store) -> Result<Vec<i64>, DbError> {
    let keys = (0..LIVE_SHARDS)
        .map(|shard| key(live_signal_pk(shard), LIVE_SK))
        .collect();
    let found = read_consistent(store, keys).await?;
    Ok((0..LIVE_SHARDS)
        .map(|shard| {
            found
                .get(&live_signal_pk(shard))
                .map_or(0, |i| number(i, "v"))
        })
        .collect())
}

/// The unread totals of `users`: one call per hundred users.
pub async fn unread_totals(
    store: &Store,
    users: &[String],
) -> Result<HashMap<String, u32>, DbError> {
    let mut totals = HashMap::new();
    let keys = users.iter().map(|u| key(user_pk(u), UNREAD_SK)).collect();
    let found = read_consistent(store, keys).await?;
    for user in users {
        let total = found
            .get(&user_pk(user))
            .map_or(0, |i| number(i, "total").max(0) as u32);
        totals.insert(user.clone(), total);
    }
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_spread_over_the_shards() {
        let mut seen = [0u32; LIVE_SHARDS as usize];
        for i in 0..800 {
            seen[live_shard(&format!("01H{i:020}")) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
    }
}
