//! Partition versions: what lets a rendered page be cached yet never be wrong.
//!
//! Every partition whose pages are cached (a project's, a task's comments) holds one small
//! item, `!V`, with a number `v` that moves on with **every** write to the partition, in the
//! same request as the write:
//!
//! - a transaction ([`super::Tx::run`]) adds `ADD v 1` on the version item of each versioned
//!   partition it writes, so the write and the bump commit together or not at all;
//! - a single-item write or a batch ([`super::Store::update`], `delete`, `batch_write`) is
//!   followed by the bump, once the write has succeeded;
//! - only a counter that no page shows is exempt ([`super::Store::allocate`]).
//!
//! A reader reads the versions (strongly consistent) *before* it reads the data, and keeps the
//! page under those versions; a write bumps the version *with or after* its data. So a page
//! kept under version `v` was built from data at least as new as `v`, and the next write makes
//! `v` stale everywhere at once: one GetItem of a few bytes tells any instance whether its
//! copy still holds. `!V` sorts before `#` (the project header): no Query of a page's rows
//! reads it.

use super::{keys, DbError, Expr, Item, Store};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// The sort key of a partition's version item.
pub const VERSION_SK: &str = "!V";

/// The update that moves a version on (in a transaction or alone).
pub fn bump() -> Expr {
    Expr::set("ADD v :one").value(":one", super::n(1))
}

/// Whether writes to partition `pk` move its version: projects (`P#KEY`), their tasks'
/// comments (`P#KEY#T#n`) and sprint markers (`P#KEY#R#n`).
pub fn is_versioned(pk: &str) -> bool {
    pk.starts_with("P#")
}

/// What one read of versions found: each partition's version (0 before its first write) and,
/// when asked for, an account's status and session epoch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Versions {
    pub versions: Vec<u64>,
    pub account: Option<AccountState>,
}

/// The part of an account that decides whether its sessions still hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub status: String,
    pub epoch: u64,
}

fn number(item: &Item, name: &str) -> u64 {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().unwrap_or(0),
        _ => 0,
    }
}

impl Store {
    /// Moves the version of each versioned partition in `pks` on (after a write that is not a
    /// transaction).
    pub(super) async fn bump_versions<'a>(
        &self,
        pks: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), DbError> {
        let mut seen: Vec<&str> = Vec::new();
        for pk in pks.into_iter().filter(|pk| is_versioned(pk)) {
            if seen.contains(&pk) {
                continue;
            }
            seen.push(pk);
            self.allocate(pk, VERSION_SK, bump()).await?;
        }
        Ok(())
    }

    /// The versions of `pks` and, with `account`, that account's status and session epoch:
    /// one strongly consistent BatchGetItem (a GetItem's worth of bytes per key).
    pub async fn versions(
        &self,
        pks: &[String],
        account: Option<&str>,
    ) -> Result<Versions, DbError> {
        let mut wanted: Vec<Item> = pks.iter().map(|pk| super::key(pk, VERSION_SK)).collect();
        if let Some(id) = account {
            wanted.push(super::key(keys::user_pk(id), keys::PROFILE_SK));
        }
        let items = self
            .batch_get_with(wanted, |b| {
                b.consistent_read(true)
                    .projection_expression("pk, sk, v, #st, session_epoch")
                    .expression_attribute_names("#st", "status")
            })
            .await?;
        let found: HashMap<(String, String), Item> = items
            .into_iter()
            .filter_map(|item| {
                let pk = super::attr(&item, keys::PK)?.to_owned();
                let sk = super::attr(&item, keys::SK)?.to_owned();
                Some(((pk, sk), item))
            })
            .collect();
        let versions = pks
            .iter()
            .map(|pk| {
                found
                    .get(&(pk.clone(), VERSION_SK.to_owned()))
                    .map_or(0, |i| number(i, "v"))
            })
            .collect();
        let account = account.and_then(|id| {
            let item = found.get(&(keys::user_pk(id), keys::PROFILE_SK.to_owned()))?;
            Some(AccountState {
                status: super::attr(item, "status").unwrap_or_default().to_owned(),
                epoch: number(item, "session_epoch"),
            })
        });
        Ok(Versions { versions, account })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_and_their_comments_are_versioned() {
        assert!(is_versioned("P#DEMO"));
        assert!(is_versioned("P#DEMO#T#000001"));
        assert!(!is_versioned("USER#01H"));
        assert!(!is_versioned("C#01H"));
        assert!(
            VERSION_SK < keys::HEAD_FIRST,
            "a head Query never reads the version"
        );
    }
}
