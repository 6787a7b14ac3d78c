//! DynamoDB plumbing (server only), shared by every area's store. One table; see `keys` for
//! its layout and `schema` for its indexes.
//!
//! Layer rule: this module knows nothing of any area — no area types beyond the shared models
//! used in keys, no authorisation, no text a user reads. It offers: [`Store`] (every call goes
//! through [`Store::call`], which counts it for `Server-Timing`), the transaction builder
//! ([`tx::Tx`], items by name), one paged query ([`Store::page`]), one conditional update
//! ([`Store::update`]), batched reads and writes, the retry policy ([`retry`]), cursors and the
//! mail outbox.

pub mod account_state;
pub mod cursor;
pub mod error;
pub mod expr;
pub mod keys;
pub mod outbox;
pub mod page;
pub mod retry;
pub mod schema;
pub mod tx;
pub mod versions;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::builders::KeysAndAttributesBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, ReturnValue, WriteRequest};
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

pub use error::{DbError, Outcome, Refusal};
pub use expr::Expr;
pub use keys::Index;
pub use page::{PageQuery, SortKey};
pub use tx::{Tx, TxError};

pub type Item = HashMap<String, AttributeValue>;

/// DynamoDB work done while serving one request.
#[derive(Debug, Default)]
pub struct DbMetrics {
    calls: AtomicU64,
    micros: AtomicU64,
}

impl DbMetrics {
    pub fn record(&self, started: Instant) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.micros
            .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    pub fn millis(&self) -> f64 {
        self.micros.load(Ordering::Relaxed) as f64 / 1000.0
    }
}

/// The table and its client. Cheap to clone; [`Store::for_request`] attaches a request's
/// metrics.
#[derive(Clone)]
pub struct Store {
    client: Client,
    table: Arc<str>,
    metrics: Option<Arc<DbMetrics>>,
    /// Seals and opens page links (see `cursor`).
    cursors: cursor::CursorKey,
    /// The time writes record (the wall clock, or a test's or the demo's own).
    clock: Option<Clock>,
}

/// A source of "now" for the times that writes record.
pub type Clock = Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

impl Store {
    pub fn new(client: Client, table: impl Into<Arc<str>>) -> Self {
        Self {
            client,
            table: table.into(),
            metrics: None,
            cursors: cursor::CursorKey::random(),
            clock: None,
        }
    }

    /// The same store, its writes dated by `clock` (tests that replay days of a sprint, and
    /// the demo data's past sprints).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self {
            clock: Some(clock),
            ..self
        }
    }

    /// Now, by this store's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match &self.clock {
            Some(c) => c(),
            None => crate::model::wall_clock(),
        }
    }

    /// The same store, sealing page links with `key` (every instance of a deployment must
    /// use the same key, so that a link made by one is accepted by the others).
    pub fn with_cursor_key(self, key: cursor::CursorKey) -> Self {
        Self {
            cursors: key,
            ..self
        }
    }

    pub fn cursors(&self) -> &cursor::CursorKey {
        &self.cursors
    }

    /// This store without a request's metrics: for work that outlives the request.
    pub fn detached(&self) -> Self {
        Self {
            metrics: None,
            ..self.clone()
        }
    }

    pub fn for_request(&self, metrics: Arc<DbMetrics>) -> Self {
        Self {
            metrics: Some(metrics),
            ..self.clone()
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    fn record(&self, started: Instant) {
        if let Some(m) = &self.metrics {
            m.record(started);
        }
    }

    /// Runs one DynamoDB operation, counting it and its duration for this request.
    pub async fn call<T, E, F>(&self, op: F) -> Result<T, DbError>
    where
        F: Future<Output = Result<T, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let started = Instant::now();
        let result = op.await.map_err(DbError::from_sdk);
        self.record(started);
        let outcome = match &result {
            Ok(_) => "ok",
            Err(DbError::ConditionFailed) => "condition_failed",
            Err(DbError::Unavailable(_)) => "unavailable",
            Err(_) => "error",
        };
        observe(operation_name::<T>(), outcome, started.elapsed());
        result
    }

    /// One GetItem by key.
    pub async fn get(&self, pk: &str, sk: &str, consistent: bool) -> Result<Option<Item>, DbError> {
        let req = self
            .client
            .get_item()
            .table_name(self.table())
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk));
        Ok(self
            .call(req.consistent_read(consistent).send())
            .await?
            .item)
    }

    /// One GetItem, decoded.
    pub async fn get_as<T: DeserializeOwned>(
        &self,
        pk: &str,
        sk: &str,
        consistent: bool,
    ) -> Result<Option<T>, DbError> {
        self.get(pk, sk, consistent)
            .await?
            .map(from_item)
            .transpose()
    }

    /// Whether an item exists (a strongly consistent read of its key only).
    pub async fn exists(&self, pk: &str, sk: &str) -> Result<bool, DbError> {
        let req = self
            .client
            .get_item()
            .table_name(self.table())
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .consistent_read(true)
            .projection_expression("pk");
        Ok(self.call(req.send()).await?.item.is_some())
    }

    /// One UpdateItem: `expr`'s update, under its condition (a failed condition is
    /// [`DbError::ConditionFailed`]). Returns the updated attributes. Moves the partition's
    /// version on (see `versions`).
    pub async fn update(&self, pk: &str, sk: &str, expr: Expr) -> Result<Item, DbError> {
        let out = self.allocate(pk, sk, expr).await?;
        self.bump_versions([pk]).await?;
        Ok(out)
    }

    /// [`Store::update`] of a counter that no page shows (the next task or sprint number):
    /// the partition's version stays, so cached pages stay good.
    pub async fn allocate(&self, pk: &str, sk: &str, expr: Expr) -> Result<Item, DbError> {
        let (update, condition, names, values) = expr.into_parts();
        let req = self
            .client
            .update_item()
            .table_name(self.table())
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .set_update_expression(update)
            .set_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::UpdatedNew);
        Ok(self.call(req.send()).await?.attributes.unwrap_or_default())
    }

    /// One DeleteItem, unconditional (deleting a missing item is not an error).
    pub async fn delete(&self, pk: &str, sk: &str) -> Result<(), DbError> {
        let req = self
            .client
            .delete_item()
            .table_name(self.table())
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk));
        self.call(req.send()).await?;
        self.bump_versions([pk]).await
    }

    /// Every item of one partition, strongly consistent, following pages (one call until the
    /// partition passes 1 MB).
    pub async fn query_partition(&self, pk: &str) -> Result<Vec<Item>, DbError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let req = self
                .client
                .query()
                .table_name(self.table())
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(pk))
                .consistent_read(true)
                .set_exclusive_start_key(start.take());
            let out = self.call(req.send()).await?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(items),
            }
        }
    }

    /// BatchGetItem of any number of keys (100 per call), retrying unprocessed keys with the
    /// one retry policy. Items come back in no particular order; missing ones are absent.
    pub async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, DbError> {
        self.batch_get_with(keys, |b| b).await
    }

    /// [`Store::batch_get`], strongly consistent (counters that must be read as they are now).
    pub async fn batch_get_consistent(&self, keys: Vec<Item>) -> Result<Vec<Item>, DbError> {
        self.batch_get_with(keys, |b| b.consistent_read(true)).await
    }

    /// The batched read, each request shaped by `shape` (consistency, projection).
    async fn batch_get_with(
        &self,
        keys: Vec<Item>,
        shape: impl Fn(KeysAndAttributesBuilder) -> KeysAndAttributesBuilder,
    ) -> Result<Vec<Item>, DbError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(100) {
            let mut pending = chunk.to_vec();
            let mut backoff = retry::Backoff::new();
            while !pending.is_empty() {
                let request = shape(KeysAndAttributes::builder().set_keys(Some(pending)))
                    .build()
                    .map_err(|e| DbError::Other(e.to_string()))?;
                let req = self
                    .client
                    .batch_get_item()
                    .request_items(self.table(), request);
                let out = self.call(req.send()).await?;
                found.extend(
                    out.responses
                        .unwrap_or_default()
                        .remove(self.table())
                        .unwrap_or_default(),
                );
                pending = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(self.table()))
                    .map(|k| k.keys)
                    .unwrap_or_default();
                if !pending.is_empty() && !backoff.wait().await {
                    return Err(DbError::Unavailable("keys left unprocessed".into()));
                }
            }
        }
        Ok(found)
    }

    /// BatchWriteItem of `writes`, 25 at a time, retrying what DynamoDB leaves unprocessed.
    pub async fn batch_write(&self, writes: Vec<WriteRequest>) -> Result<(), DbError> {
        let pks: Vec<String> = writes
            .iter()
            .filter_map(|w| {
                let key = w
                    .put_request()
                    .map(|p| p.item())
                    .or_else(|| w.delete_request().map(|d| d.key()))?;
                attr(key, keys::PK).map(str::to_owned)
            })
            .collect();
        for chunk in writes.chunks(25) {
            let mut pending = chunk.to_vec();
            let mut backoff = retry::Backoff::new();
            while !pending.is_empty() {
                let req = self
                    .client
                    .batch_write_item()
                    .request_items(self.table(), pending);
                let out = self.call(req.send()).await?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(self.table()))
                    .unwrap_or_default();
                if !pending.is_empty() && !backoff.wait().await {
                    return Err(DbError::Unavailable("writes left unprocessed".into()));
                }
            }
        }
        self.bump_versions(pks.iter().map(String::as_str)).await
    }

    /// Deletes every item whose key is in `keys` (batched).
    pub async fn delete_keys(&self, keys: Vec<Item>) -> Result<(), DbError> {
        use aws_sdk_dynamodb::types::DeleteRequest;
        let writes = keys
            .into_iter()
            .map(|k| {
                let delete = DeleteRequest::builder()
                    .set_key(Some(k))
                    .build()
                    .map_err(|e| DbError::Other(e.to_string()))?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, DbError>>()?;
        self.batch_write(writes).await
    }
}

/// A number attribute of an item (an update's returned counter).
pub fn attr_number<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, DbError>
where
    T::Err: std::fmt::Display,
{
    match item.get(name) {
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|e| DbError::Decode(format!("{name}: {e}"))),
        _ => Err(DbError::Decode(format!("{name} missing"))),
    }
}

/// The primary key of an item.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    [(keys::PK.to_owned(), s(pk)), (keys::SK.to_owned(), s(sk))]
        .into_iter()
        .collect()
}

/// The string value of attribute `name` of an item.
pub fn attr<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v),
        _ => None,
    }
}

/// Records one DynamoDB call in the process's metrics (`dynamodb_calls_total`,
/// `dynamodb_call_duration_seconds`; served by `server::metrics`).
pub fn observe(operation: &'static str, outcome: &'static str, elapsed: std::time::Duration) {
    metrics::counter!("dynamodb_calls_total", "operation" => operation, "outcome" => outcome)
        .increment(1);
    metrics::histogram!("dynamodb_call_duration_seconds", "operation" => operation)
        .record(elapsed.as_secs_f64());
}

/// An operation's name from its output type (`…::get_item::GetItemOutput` → `GetItem`).
fn operation_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    let last = full.rsplit("::").next().unwrap_or(full);
    last.strip_suffix("Output").unwrap_or(last)
}

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// `v` or DynamoDB's NULL.
pub fn opt(v: Option<AttributeValue>) -> AttributeValue {
    v.unwrap_or(AttributeValue::Null(true))
}

pub fn to_item<T: serde::Serialize>(value: &T) -> Result<Item, DbError> {
    serde_dynamo::to_item(value).map_err(|e| DbError::Decode(e.to_string()))
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, DbError> {
    serde_dynamo::from_item(item).map_err(|e| DbError::Decode(e.to_string()))
}

/// A value (a status enum, a struct) as DynamoDB stores it, through its `Serialize`.
pub fn value<T: serde::Serialize>(v: &T) -> Result<AttributeValue, DbError> {
    serde_dynamo::to_attribute_value(v).map_err(|e| DbError::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn operation_names_come_from_the_output_type() {
        use aws_sdk_dynamodb::operation::{get_item, transact_write_items};
        assert_eq!(
            super::operation_name::<get_item::GetItemOutput>(),
            "GetItem"
        );
        assert_eq!(
            super::operation_name::<transact_write_items::TransactWriteItemsOutput>(),
            "TransactWriteItems"
        );
    }
}
