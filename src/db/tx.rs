//! The transaction builder. Every item of a TransactWriteItems call is added under a name
//! ("task", "member", "job"…); a cancelled transaction answers *which named items* failed their
//! condition, so what a failure means never depends on the order items were pushed in.
//!
//! ```ignore
//! let mut tx = Tx::new(store);
//! tx.exists("member", &pk, &member_sk(me))
//!   .update("task", &pk, &task_sk(n), Expr::set("SET …").when("version = :v").value(…));
//! match tx.run(store).await {
//!     Err(e) if e.failed("member") => …,
//!     Err(e) if e.failed("task") => …,
//!     …
//! }
//! ```

use super::{key, to_item, versions, DbError, Expr, Item, Store};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};
use std::time::Instant;

/// Most items one transaction may hold.
pub const MAX_ITEMS: usize = 100;

#[derive(Clone)]
pub struct Tx {
    table: String,
    items: Vec<TransactWriteItem>,
    names: Vec<&'static str>,
    /// The first item that could not be built (reported by `run`).
    broken: Option<String>,
}

/// Why a transaction did not commit.
#[derive(Debug)]
pub enum TxError {
    /// The conditions of these named items failed.
    Failed(Vec<&'static str>),
    /// It collided with another transaction on the same items: retrying may succeed.
    Conflict,
    Db(DbError),
}

impl TxError {
    /// Whether the condition of the item named `name` failed.
    pub fn failed(&self, name: &str) -> bool {
        matches!(self, Self::Failed(names) if names.contains(&name))
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict)
    }
}

impl From<DbError> for TxError {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl From<TxError> for DbError {
    /// For callers to whom any refusal is unexpected.
    fn from(e: TxError) -> Self {
        match e {
            TxError::Db(e) => e,
            TxError::Failed(names) => DbError::Other(format!("transaction refused by {names:?}")),
            TxError::Conflict => DbError::Unavailable("transaction conflict".into()),
        }
    }
}

fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

impl Tx {
    pub fn new(store: &Store) -> Self {
        Self {
            table: store.table().to_owned(),
            items: Vec::new(),
            names: Vec::new(),
            broken: None,
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn push(&mut self, name: &'static str, item: Result<TransactWriteItem, String>) -> &mut Self {
        match item {
            Ok(item) => {
                self.items.push(item);
                self.names.push(name);
            }
            Err(e) => {
                self.broken.get_or_insert(format!("{name}: {e}"));
            }
        }
        self
    }

    /// Creates `item`; its condition fails if an item with that key exists. (The one
    /// conditional put: every create in this app goes through here.)
    pub fn create(&mut self, name: &'static str, item: Item) -> &mut Self {
        let put = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build(),
        )
        .map(|p| TransactWriteItem::builder().put(p).build());
        self.push(name, put)
    }

    /// [`Tx::create`] of a value serialised as an item (it carries its own `pk`/`sk`).
    pub fn create_value<T: serde::Serialize>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> &mut Self {
        match to_item(value) {
            Ok(item) => self.create(name, item),
            Err(e) => self.push(name, Err(e.to_string())),
        }
    }

    /// Replaces an item with `value` if `expr`'s condition holds on the stored one (a version
    /// check): for an item whose new state the caller computed from the one it read.
    pub fn replace_value<T: serde::Serialize>(
        &mut self,
        name: &'static str,
        value: &T,
        expr: Expr,
    ) -> &mut Self {
        let (_, condition, names, values) = expr.into_parts();
        let put = to_item(value).map_err(|e| e.to_string()).and_then(|item| {
            built(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .set_condition_expression(condition)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .build(),
            )
        });
        let put = put.map(|p| TransactWriteItem::builder().put(p).build());
        self.push(name, put)
    }

    /// A ConditionCheck of `expr`'s condition on an item that the transaction does not change.
    pub fn check(&mut self, name: &'static str, pk: &str, sk: &str, expr: Expr) -> &mut Self {
        let (_, condition, names, values) = expr.into_parts();
        let c = built(
            ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk, sk)))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .build(),
        )
        .map(|c| TransactWriteItem::builder().condition_check(c).build());
        self.push(name, c)
    }

    /// The item exists.
    pub fn exists(&mut self, name: &'static str, pk: &str, sk: &str) -> &mut Self {
        self.check(name, pk, sk, Expr::exists())
    }

    pub fn update(&mut self, name: &'static str, pk: &str, sk: &str, expr: Expr) -> &mut Self {
        let (update, condition, names, values) = expr.into_parts();
        let u = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk, sk)))
                .set_update_expression(update)
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .build(),
        )
        .map(|u| TransactWriteItem::builder().update(u).build());
        self.push(name, u)
    }

    pub fn delete(&mut self, name: &'static str, pk: &str, sk: &str, expr: Expr) -> &mut Self {
        let (_, condition, names, values) = expr.into_parts();
        let d = built(
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk, sk)))
                .set_condition_expression(condition)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .build(),
        )
        .map(|d| TransactWriteItem::builder().delete(d).build());
        self.push(name, d)
    }

    /// One TransactWriteItems call.
    pub async fn run(&self, store: &Store) -> Result<(), TxError> {
        if let Some(e) = &self.broken {
            return Err(TxError::Db(DbError::Other(format!(
                "transaction item not built: {e}"
            ))));
        }
        let items = self.with_version_bumps()?;
        let started = Instant::now();
        let result = store
            .client()
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        store.record(started);
        let outcome = match &result {
            Ok(_) => "ok",
            Err(SdkError::ServiceError(e))
                if matches!(
                    e.err(),
                    TransactWriteItemsError::TransactionCanceledException(_)
                ) =>
            {
                "condition_failed"
            }
            Err(_) => "error",
        };
        super::observe("TransactWriteItems", outcome, started.elapsed());
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(service)) => match service.err() {
                TransactWriteItemsError::TransactionCanceledException(e) => {
                    let codes: Vec<&str> = e
                        .cancellation_reasons()
                        .iter()
                        .map(|r| r.code().unwrap_or("None"))
                        .collect();
                    Err(self.explain(&codes))
                }
                _ => Err(TxError::Db(DbError::from_sdk(SdkError::ServiceError(
                    service,
                )))),
            },
            Err(other) => Err(TxError::Db(DbError::from_sdk(other))),
        }
    }

    /// The items, and after them an `ADD v 1` on the version item of each versioned partition
    /// the transaction writes (see `versions`): the bump commits with the write.
    fn with_version_bumps(&self) -> Result<Vec<TransactWriteItem>, TxError> {
        fn pk_of(key: Option<&Item>) -> Option<&str> {
            key.and_then(|k| super::attr(k, super::keys::PK))
        }
        let mut written: Vec<&str> = Vec::new();
        for item in &self.items {
            let pk = pk_of(item.put().map(|p| p.item()))
                .or_else(|| pk_of(item.update().map(|u| u.key())))
                .or_else(|| pk_of(item.delete().map(|d| d.key())));
            if let Some(pk) = pk.filter(|pk| versions::is_versioned(pk)) {
                if !written.contains(&pk) {
                    written.push(pk);
                }
            }
        }
        let mut with_bumps = self.clone();
        for pk in written {
            with_bumps.update("version", pk, versions::VERSION_SK, versions::bump());
        }
        if let Some(e) = with_bumps.broken {
            return Err(TxError::Db(DbError::Other(format!(
                "version bump not built: {e}"
            ))));
        }
        let items = with_bumps.items;
        if items.len() > MAX_ITEMS {
            return Err(TxError::Db(DbError::Other(format!(
                "transaction of {} items (with its version bumps) exceeds {MAX_ITEMS}",
                items.len()
            ))));
        }
        Ok(items)
    }

    /// The error a cancelled transaction's per-item codes stand for.
    fn explain(&self, codes: &[&str]) -> TxError {
        let failed: Vec<&'static str> = codes
            .iter()
            .zip(&self.names)
            .filter(|(code, _)| **code == "ConditionalCheckFailed")
            .map(|(_, name)| *name)
            .collect();
        if !failed.is_empty() {
            TxError::Failed(failed)
        } else if codes.contains(&"TransactionConflict") {
            TxError::Conflict
        } else if codes
            .iter()
            .any(|c| matches!(*c, "ThrottlingError" | "ProvisionedThroughputExceeded"))
        {
            TxError::Db(DbError::Unavailable(format!(
                "transaction throttled: {codes:?}"
            )))
        } else {
            TxError::Db(DbError::Other(format!("transaction cancelled: {codes:?}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(names: &[&'static str]) -> Tx {
        Tx {
            table: "t".into(),
            items: Vec::new(),
            names: names.to_vec(),
            broken: None,
        }
    }

    #[test]
    fn failures_are_read_by_name() {
        let t = tx(&["member", "task", "story"]);
        let e = t.explain(&["None", "ConditionalCheckFailed", "None"]);
        assert!(e.failed("task") && !e.failed("member") && !e.failed("story"));
        let e = t.explain(&["None", "TransactionConflict", "None"]);
        assert!(e.is_conflict() && !e.failed("task"));
        let e = t.explain(&["ConditionalCheckFailed", "TransactionConflict", "None"]);
        assert!(e.failed("member") && !e.is_conflict());
        assert!(matches!(
            t.explain(&["None", "ValidationError", "None"]),
            TxError::Db(_)
        ));
    }
}
