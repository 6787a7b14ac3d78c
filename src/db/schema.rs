//! The single table and its global secondary indexes, created idempotently.

use super::keys::*;
use super::{DbError, Store};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType, StreamSpecification,
    StreamViewType,
};

fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .expect("static key schema") // ok: every required field is set
}

fn attr(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .expect("static attribute definition") // ok: every required field is set
}

fn gsi(name: &str, pk: &str, sk: &str) -> GlobalSecondaryIndex {
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .key_schema(key(pk, KeyType::Hash))
        .key_schema(key(sk, KeyType::Range))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .expect("static index definition") // ok: every required field is set
}

fn lsi(name: &str, sk: &str) -> LocalSecondaryIndex {
    LocalSecondaryIndex::builder()
        .index_name(name)
        .key_schema(key(PK, KeyType::Hash))
        .key_schema(key(sk, KeyType::Range))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .expect("static index definition") // ok: every required field is set
}

/// Creates the table if it does not exist. Returns true when it was created now. A table made
/// before the local index existed cannot be given it (DynamoDB adds local indexes only at
/// creation): that is reported, not worked around.
pub async fn ensure_table(store: &Store) -> Result<bool, DbError> {
    let existing = match describe(store).await {
        Ok(t) => t,
        Err(DbError::Other(msg)) if msg.starts_with("ResourceNotFoundException") => None,
        Err(e) => return Err(e),
    };
    if let Some(table) = existing {
        let has_lsi = table
            .local_secondary_indexes()
            .iter()
            .any(|i| i.index_name() == Some(LSI1));
        if !has_lsi {
            return Err(DbError::Other(format!(
                "table {} has no local index {LSI1} (it predates sprints): export what you need, delete the table (for `make dev`: rm -rf .data/dynamodb) and start again",
                store.table()
            )));
        }
        return Ok(false);
    }
    let created = store
        .call(
            store
                .client()
                .create_table()
                .table_name(store.table())
                .billing_mode(BillingMode::PayPerRequest)
                .key_schema(key(PK, KeyType::Hash))
                .key_schema(key(SK, KeyType::Range))
                .set_attribute_definitions(Some(
                    [
                        PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, LSI1SK,
                    ]
                    .into_iter()
                    .map(attr)
                    .collect(),
                ))
                .global_secondary_indexes(gsi(GSI1, GSI1PK, GSI1SK))
                .global_secondary_indexes(gsi(GSI2, GSI2PK, GSI2SK))
                .global_secondary_indexes(gsi(GSI3, GSI3PK, GSI3SK))
                .local_secondary_indexes(lsi(LSI1, LSI1SK))
                .stream_specification(
                    StreamSpecification::builder()
                        .stream_enabled(true)
                        .stream_view_type(StreamViewType::NewImage)
                        .build()
                        .expect("static stream specification"), // ok: every required field is set
                )
                .send(),
        )
        .await;
    match created {
        Ok(_) => {}
        // Another process created it between our check and our create.
        Err(DbError::Other(msg)) if msg.starts_with("ResourceInUseException") => return Ok(false),
        Err(e) => return Err(e),
    }
    wait_active(store).await?;
    // Short-lived items (sign-in throttle counters) carry `expires_at`; DynamoDB removes them.
    let ttl = aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name("expires_at")
        .build()
        .map_err(|e| DbError::Other(e.to_string()))?;
    if let Err(e) = store
        .call(
            store
                .client()
                .update_time_to_live()
                .table_name(store.table())
                .time_to_live_specification(ttl)
                .send(),
        )
        .await
    {
        tracing::warn!(error = %e, "could not enable time to live on the table");
    }
    Ok(true)
}

/// The table's description (status, item count, …): one DescribeTable.
pub async fn describe(
    store: &Store,
) -> Result<Option<aws_sdk_dynamodb::types::TableDescription>, DbError> {
    let out = store
        .call(
            store
                .client()
                .describe_table()
                .table_name(store.table())
                .send(),
        )
        .await?;
    Ok(out.table)
}

async fn wait_active(store: &Store) -> Result<(), DbError> {
    for _ in 0..120 {
        let active = describe(store)
            .await?
            .and_then(|t| t.table_status)
            .is_some_and(|s| s.as_str() == "ACTIVE");
        if active {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    Err(DbError::Other("table did not become ACTIVE in 60 s".into()))
}

pub async fn drop_table(store: &Store) -> Result<(), DbError> {
    store
        .call(
            store
                .client()
                .delete_table()
                .table_name(store.table())
                .send(),
        )
        .await
        .map(|_| ())
}

pub async fn list_tables(store: &Store) -> Result<Vec<String>, DbError> {
    let mut names = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let out = store
            .call(
                store
                    .client()
                    .list_tables()
                    .set_exclusive_start_table_name(start.take())
                    .send(),
            )
            .await?;
        names.extend(out.table_names().iter().cloned());
        match out.last_evaluated_table_name() {
            Some(last) => start = Some(last.to_owned()),
            None => return Ok(names),
        }
    }
}

/// A health probe: one cheap DescribeTable.
pub async fn ping(store: &Store) -> Result<(), DbError> {
    describe(store).await.map(|_| ())
}
