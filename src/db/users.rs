//! Accounts: the profile item, the email/login item and the handle guard.

use super::cursor;
use super::keys::*;
use super::{from_item, s, to_item, DbError, Store};
use crate::error::AppError;
use crate::models::{
    AccountKind, AccountStatus, DisplayName, Email, Handle, Page, PersonSummary, SessionUser,
};
use aws_sdk_dynamodb::types::{Put, ReturnValue, TransactWriteItem};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// An account as stored (without its credentials, which live on the login item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub handle: String,
    pub display_name: String,
    pub kind: AccountKind,
    pub status: AccountStatus,
    #[serde(default)]
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    pub version: u64,
}

impl User {
    pub fn summary(&self) -> PersonSummary {
        PersonSummary {
            id: self.id.clone(),
            handle: self.handle.clone(),
            display_name: self.display_name.clone(),
            kind: self.kind,
            status: self.status,
            created_at: self.created_at,
        }
    }

    pub fn session(&self) -> SessionUser {
        SessionUser {
            id: self.id.clone(),
            handle: self.handle.clone(),
            display_name: self.display_name.clone(),
            kind: self.kind,
            is_admin: self.is_admin,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct UserItem {
    pk: String,
    sk: String,
    gsi1pk: String,
    gsi1sk: String,
    gsi2pk: String,
    gsi2sk: String,
    #[serde(flatten)]
    user: User,
}

impl UserItem {
    fn new(user: User) -> Self {
        Self {
            pk: user_pk(&user.id),
            sk: PROFILE_SK.into(),
            gsi1pk: DIRECTORY_PK.into(),
            gsi1sk: user.handle.clone(),
            gsi2pk: account_status_pk(user.status),
            gsi2sk: status_sort_key(&user),
            user,
        }
    }
}

fn status_sort_key(user: &User) -> String {
    format!(
        "{}#{}",
        user.created_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        user.id
    )
}

/// The email item: the way in by email, with the password hash, kept off the profile item so
/// that the profile can be projected into indexes without its credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRecord {
    pub user_id: String,
    pub password_hash: String,
}

#[derive(Serialize, Deserialize)]
struct LoginItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    login: LoginRecord,
}

#[derive(Serialize, Deserialize)]
struct HandleItem {
    pk: String,
    sk: String,
    user_id: String,
}

pub struct NewUser {
    pub email: Email,
    pub handle: Handle,
    pub display_name: DisplayName,
    pub kind: AccountKind,
    pub password_hash: String,
}

fn put_new(table: &str, item: super::Item) -> Result<TransactWriteItem, DbError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .map_err(|e| DbError::Other(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Creates the account, its email item and its handle guard in one transaction (pattern U1):
/// two sign-ups racing for one email or one handle cannot both succeed.
pub async fn create(store: &Store, new: NewUser) -> Result<User, AppError> {
    let table = store.table();
    let user = User {
        id: ulid::Ulid::new().to_string(),
        email: new.email.as_str().to_owned(),
        handle: new.handle.as_str().to_owned(),
        display_name: new.display_name.as_str().to_owned(),
        kind: new.kind,
        status: AccountStatus::Unverified,
        is_admin: false,
        created_at: Utc::now(),
        version: 1,
    };
    let items = vec![
        put_new(table, to_item(&UserItem::new(user.clone()))?)?,
        put_new(
            table,
            to_item(&LoginItem {
                pk: email_pk(&new.email),
                sk: LOGIN_SK.into(),
                login: LoginRecord {
                    user_id: user.id.clone(),
                    password_hash: new.password_hash,
                },
            })?,
        )?,
        put_new(
            table,
            to_item(&HandleItem {
                pk: handle_pk(&new.handle),
                sk: HANDLE_SK.into(),
                user_id: user.id.clone(),
            })?,
        )?,
    ];

    // A transaction that collides with a concurrent one is cancelled with TransactionConflict
    // rather than a failed condition; retry so the loser sees the real reason.
    let mut delay = std::time::Duration::from_millis(20);
    for attempt in 0..6 {
        match store.transact(items.clone()).await {
            Ok(()) => return Ok(user),
            Err(e) if e.reason(1) == Some("ConditionalCheckFailed") => {
                return Err(AppError::conflict(
                    "An account with this email already exists. Sign in instead.",
                ))
            }
            Err(e) if e.reason(2) == Some("ConditionalCheckFailed") => {
                return Err(AppError::conflict(
                    "This handle is taken. Choose another one.",
                ))
            }
            Err(e) if e.is_transaction_conflict() && attempt < 5 => {
                tokio::time::sleep(
                    delay + std::time::Duration::from_millis(rand::random::<u64>() % 20),
                )
                .await;
                delay *= 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "Too many sign-ups at once. Please try again.",
    ))
}

pub async fn login_record(store: &Store, email: &Email) -> Result<Option<LoginRecord>, DbError> {
    let item = store.get(&email_pk(email), LOGIN_SK, true).await?;
    item.map(|i| from_item::<LoginItem>(i).map(|l| l.login))
        .transpose()
}

pub async fn get(store: &Store, user_id: &str) -> Result<Option<User>, DbError> {
    let item = store.get(&user_pk(user_id), PROFILE_SK, true).await?;
    item.map(|i| from_item::<UserItem>(i).map(|u| u.user))
        .transpose()
}

/// A profile by handle: one Query on the directory index.
pub async fn by_handle(store: &Store, handle: &Handle) -> Result<Option<User>, DbError> {
    let out = store
        .call(
            store
                .client()
                .query()
                .table_name(store.table())
                .index_name(GSI1)
                .key_condition_expression("gsi1pk = :pk AND gsi1sk = :h")
                .expression_attribute_values(":pk", s(DIRECTORY_PK))
                .expression_attribute_values(":h", s(handle.as_str()))
                .limit(1)
                .send(),
        )
        .await?;
    out.items
        .unwrap_or_default()
        .into_iter()
        .next()
        .map(|i| from_item::<UserItem>(i).map(|u| u.user))
        .transpose()
}

/// The people directory (pattern U3): handles starting with `prefix`, in handle order,
/// one Query per page.
pub async fn directory(
    store: &Store,
    prefix: &str,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<PersonSummary>, AppError> {
    let start = cursor::start(cursor, &[PK, SK, GSI1PK, GSI1SK])?;
    let mut q = store
        .client()
        .query()
        .table_name(store.table())
        .index_name(GSI1)
        .expression_attribute_values(":pk", s(DIRECTORY_PK))
        .set_exclusive_start_key(start)
        .limit(limit.clamp(1, 100));
    q = if prefix.is_empty() {
        q.key_condition_expression("gsi1pk = :pk")
    } else {
        q.key_condition_expression("gsi1pk = :pk AND begins_with(gsi1sk, :prefix)")
            .expression_attribute_values(":prefix", s(prefix))
    };
    let out = store.call(q.send()).await?;
    let items = out
        .items
        .unwrap_or_default()
        .into_iter()
        .map(|i| from_item::<UserItem>(i).map(|u| u.user.summary()))
        .collect::<Result<Vec<_>, _>>()?;
    let next = out
        .last_evaluated_key
        .filter(|_| !items.is_empty())
        .map(|k| cursor::encode(&cursor::key_strings(&k)));
    Ok(Page { items, next })
}

/// Grants or revokes admin (CLI only). Returns false when no account has this email.
pub async fn set_admin(store: &Store, email: &Email, admin: bool) -> Result<bool, AppError> {
    let Some(login) = login_record(store, email).await? else {
        return Ok(false);
    };
    let res = store
        .call(
            store
                .client()
                .update_item()
                .table_name(store.table())
                .key(PK, s(user_pk(&login.user_id)))
                .key(SK, s(PROFILE_SK))
                .update_expression("SET is_admin = :a, version = version + :one")
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_values(
                    ":a",
                    aws_sdk_dynamodb::types::AttributeValue::Bool(admin),
                )
                .expression_attribute_values(":one", super::n(1))
                .return_values(ReturnValue::None)
                .send(),
        )
        .await;
    match res {
        Ok(_) => Ok(true),
        Err(DbError::ConditionFailed) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Sets an account's status, if it is still at `expected_version` (admins edit concurrently).
pub async fn set_status(store: &Store, user: &User, status: AccountStatus) -> Result<(), AppError> {
    let res = store
        .call(
            store
                .client()
                .update_item()
                .table_name(store.table())
                .key(PK, s(user_pk(&user.id)))
                .key(SK, s(PROFILE_SK))
                .update_expression("SET #st = :st, gsi2pk = :g2, version = version + :one")
                .condition_expression("version = :v")
                .expression_attribute_names("#st", "status")
                .expression_attribute_values(":st", s(status.as_str()))
                .expression_attribute_values(":g2", s(account_status_pk(status)))
                .expression_attribute_values(":v", super::n(user.version))
                .expression_attribute_values(":one", super::n(1))
                .send(),
        )
        .await;
    match res {
        Ok(_) => Ok(()),
        Err(DbError::ConditionFailed) => Err(AppError::conflict(
            "This account changed since you opened it. Reload and try again.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Accounts by handle: one BatchGetItem of the handle guards, one of the accounts.
pub async fn by_handles(
    store: &Store,
    handles: &[Handle],
) -> Result<std::collections::HashMap<String, User>, AppError> {
    let mut found = std::collections::HashMap::new();
    if handles.is_empty() {
        return Ok(found);
    }
    let key = |pk: String, sk: &str| -> super::Item {
        [(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))]
            .into_iter()
            .collect()
    };
    let guards = batch_get(
        store,
        handles
            .iter()
            .map(|h| key(handle_pk(h), HANDLE_SK))
            .collect(),
    )
    .await?;
    let ids: Vec<String> = guards
        .into_iter()
        .map(|i| from_item::<HandleItem>(i).map(|h| h.user_id))
        .collect::<Result<_, _>>()?;
    let users = batch_get(
        store,
        ids.iter().map(|id| key(user_pk(id), PROFILE_SK)).collect(),
    )
    .await?;
    for item in users {
        let u = from_item::<UserItem>(item)?.user;
        found.insert(u.handle.clone(), u);
    }
    Ok(found)
}

/// BatchGetItem of up to 100 keys, retrying unprocessed keys.
pub async fn batch_get(
    store: &Store,
    keys: Vec<super::Item>,
) -> Result<Vec<super::Item>, AppError> {
    use aws_sdk_dynamodb::types::KeysAndAttributes;
    let mut out_items = Vec::new();
    for chunk in keys.chunks(100) {
        let mut pending = chunk.to_vec();
        let mut rounds = 0u64;
        while !pending.is_empty() {
            if rounds > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20 * rounds)).await;
            }
            rounds += 1;
            if rounds > 8 {
                return Err(AppError::Unavailable);
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .build()
                .map_err(AppError::internal)?;
            let out = store
                .call(
                    store
                        .client()
                        .batch_get_item()
                        .request_items(store.table(), request)
                        .send(),
                )
                .await?;
            out_items.extend(
                out.responses
                    .unwrap_or_default()
                    .remove(store.table())
                    .unwrap_or_default(),
            );
            pending = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(store.table()))
                .map(|k| k.keys)
                .unwrap_or_default();
        }
    }
    Ok(out_items)
}
