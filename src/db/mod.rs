//! DynamoDB access (server only). One table; see `keys` for its layout and `schema` for its
//! indexes. Every call goes through [`Store::call`], which counts it for `Server-Timing`.

pub mod cursor;
pub mod keys;
pub mod messages;
pub mod outbox;
pub mod projects;
pub mod schema;
pub mod seed;
pub mod sitters;
pub mod throttle;
pub mod users;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::error::AppError;

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

/// The table and its client. Cheap to clone; `for_request` attaches a request's metrics.
#[derive(Clone)]
pub struct Store {
    client: Client,
    table: Arc<str>,
    metrics: Option<Arc<DbMetrics>>,
}

impl Store {
    pub fn new(client: Client, table: impl Into<Arc<str>>) -> Self {
        Self {
            client,
            table: table.into(),
            metrics: None,
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

    /// Runs one DynamoDB operation, counting it and its duration for this request.
    pub async fn call<T, E, F>(&self, op: F) -> Result<T, DbError>
    where
        F: Future<Output = Result<T, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let started = Instant::now();
        let result = op.await;
        if let Some(m) = &self.metrics {
            m.record(started);
        }
        result.map_err(DbError::from_sdk)
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

    /// BatchWriteItem of `writes`, 25 at a time, retrying what DynamoDB leaves unprocessed.
    pub async fn batch_write(
        &self,
        writes: Vec<aws_sdk_dynamodb::types::WriteRequest>,
    ) -> Result<(), DbError> {
        for chunk in writes.chunks(25) {
            let mut pending = chunk.to_vec();
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
            }
        }
        Ok(())
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

    /// One TransactWriteItems call. A cancelled transaction reports one code per item.
    pub async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), DbError> {
        let started = Instant::now();
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        if let Some(m) = &self.metrics {
            m.record(started);
        }
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(service)) => match service.err() {
                TransactWriteItemsError::TransactionCanceledException(e) => {
                    Err(DbError::TransactionCanceled(
                        e.cancellation_reasons()
                            .iter()
                            .map(|r| r.code().unwrap_or("None").to_owned())
                            .collect(),
                    ))
                }
                _ => Err(DbError::from_sdk(SdkError::ServiceError(service))),
            },
            Err(other) => Err(DbError::from_sdk(other)),
        }
    }
}

/// One page of an index partition, newest first: `(items, cursor of the next page)`.
pub async fn index_page<T: serde::de::DeserializeOwned>(
    store: &Store,
    index: &str,
    pk_attr: &str,
    pk: &str,
    cursor: Option<&str>,
    limit: i32,
    sk_attr: &str,
) -> Result<(Vec<T>, Option<String>), AppError> {
    let start = cursor::start(cursor, &[keys::PK, keys::SK, pk_attr, sk_attr])?;
    let out = store
        .call(
            store
                .client()
                .query()
                .table_name(store.table())
                .index_name(index)
                .key_condition_expression(format!("{pk_attr} = :pk"))
                .expression_attribute_values(":pk", s(pk))
                .scan_index_forward(false)
                .set_exclusive_start_key(start)
                .limit(limit.clamp(1, 100))
                .send(),
        )
        .await?;
    let items = out
        .items
        .unwrap_or_default()
        .into_iter()
        .map(from_item::<T>)
        .collect::<Result<Vec<_>, _>>()?;
    let next = out
        .last_evaluated_key
        .filter(|_| !items.is_empty())
        .map(|k| cursor::encode(&cursor::key_strings(&k)));
    Ok((items, next))
}

/// What callers need to tell apart; everything else is an internal failure.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A condition expression failed (the item exists, changed, or is missing).
    #[error("condition failed")]
    ConditionFailed,
    /// A transaction was cancelled; one code per item, in request order
    /// (`None`, `ConditionalCheckFailed`, `TransactionConflict`, …).
    #[error("transaction cancelled: {0:?}")]
    TransactionCanceled(Vec<String>),
    /// The database could not be reached or is throttling.
    #[error("dynamodb unavailable: {0}")]
    Unavailable(String),
    #[error("dynamodb error: {0}")]
    Other(String),
    #[error("item decoding failed: {0}")]
    Decode(String),
}

impl DbError {
    fn from_sdk<E>(err: SdkError<E>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match &err {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
                Self::Unavailable(error_chain(&err))
            }
            SdkError::ServiceError(service) => {
                let code = service.err().code().unwrap_or_default();
                match code {
                    "ConditionalCheckFailedException" => Self::ConditionFailed,
                    "ProvisionedThroughputExceededException"
                    | "ThrottlingException"
                    | "RequestLimitExceeded"
                    | "InternalServerError"
                    | "ServiceUnavailable" => Self::Unavailable(code.to_owned()),
                    _ => Self::Other(format!(
                        "{code}: {}",
                        service.err().message().unwrap_or_default()
                    )),
                }
            }
            SdkError::ResponseError(_) => Self::Unavailable(error_chain(&err)),
            _ => Self::Other(error_chain(&err)),
        }
    }

    /// True when the transaction lost a race with another one and may simply be retried.
    pub fn is_transaction_conflict(&self) -> bool {
        matches!(self, Self::TransactionCanceled(r) if r.iter().any(|c| c == "TransactionConflict"))
    }

    /// The cancellation code of the item at `index` of a cancelled transaction.
    pub fn reason(&self, index: usize) -> Option<&str> {
        match self {
            Self::TransactionCanceled(r) => r.get(index).map(String::as_str),
            _ => None,
        }
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Unavailable(cause) => AppError::unavailable(cause),
            other => AppError::internal(other),
        }
    }
}

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn to_item<T: serde::Serialize>(value: &T) -> Result<Item, DbError> {
    serde_dynamo::to_item(value).map_err(|e| DbError::Decode(e.to_string()))
}

pub fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, DbError> {
    serde_dynamo::from_item(item).map_err(|e| DbError::Decode(e.to_string()))
}

/// Builders for the items of a TransactWriteItems call.
pub mod tx {
    use super::{DbError, Item};
    use aws_sdk_dynamodb::types::{
        AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update,
    };

    pub type Values = Vec<(&'static str, AttributeValue)>;
    pub type Names<'a> = &'a [(&'a str, &'a str)];

    fn key(pk: &str, sk: &str) -> Item {
        [
            ("pk".to_owned(), super::s(pk)),
            ("sk".to_owned(), super::s(sk)),
        ]
        .into_iter()
        .collect()
    }

    fn values(v: Values) -> Option<std::collections::HashMap<String, AttributeValue>> {
        (!v.is_empty()).then(|| v.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    fn names(n: Names<'_>) -> Option<std::collections::HashMap<String, String>> {
        (!n.is_empty()).then(|| {
            n.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        })
    }

    fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, DbError> {
        r.map_err(|e| DbError::Other(e.to_string()))
    }

    /// A Put that creates the item (fails if it exists).
    pub fn create(table: &str, item: Item) -> Result<TransactWriteItem, DbError> {
        let put = built(
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build(),
        )?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub fn check(
        table: &str,
        pk: &str,
        sk: &str,
        cond: &str,
        n: Names<'_>,
        v: Values,
    ) -> Result<TransactWriteItem, DbError> {
        let c = built(
            ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(key(pk, sk)))
                .condition_expression(cond)
                .set_expression_attribute_names(names(n))
                .set_expression_attribute_values(values(v))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().condition_check(c).build())
    }

    pub fn exists(table: &str, pk: &str, sk: &str) -> Result<TransactWriteItem, DbError> {
        check(table, pk, sk, "attribute_exists(pk)", &[], vec![])
    }

    pub fn update(
        table: &str,
        pk: &str,
        sk: &str,
        expr: &str,
        cond: &str,
        n: Names<'_>,
        v: Values,
    ) -> Result<TransactWriteItem, DbError> {
        let u = built(
            Update::builder()
                .table_name(table)
                .set_key(Some(key(pk, sk)))
                .update_expression(expr)
                .set_condition_expression((!cond.is_empty()).then(|| cond.to_owned()))
                .set_expression_attribute_names(names(n))
                .set_expression_attribute_values(values(v))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().update(u).build())
    }

    pub fn delete(
        table: &str,
        pk: &str,
        sk: &str,
        cond: &str,
        n: Names<'_>,
        v: Values,
    ) -> Result<TransactWriteItem, DbError> {
        let d = built(
            Delete::builder()
                .table_name(table)
                .set_key(Some(key(pk, sk)))
                .condition_expression(cond)
                .set_expression_attribute_names(names(n))
                .set_expression_attribute_values(values(v))
                .build(),
        )?;
        Ok(TransactWriteItem::builder().delete(d).build())
    }
}
