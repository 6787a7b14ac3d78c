//! Demo data, loaded once (a marker item records that it was).

use super::keys::{seed_marker, PK, SK};
use super::users::{self, NewUser};
use super::{s, DbError, Store};
use crate::error::AppError;
use crate::models::{AccountKind, DisplayName, Email, Handle};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "minijira-demo";

/// (handle, display name, kind, admin)
pub const DEMO_ACCOUNTS: &[(&str, &str, AccountKind, bool)] = &[
    ("alice", "Alice Martin", AccountKind::Member, false),
    ("bob", "Bob Okafor", AccountKind::Member, false),
    ("carol", "Carol Nguyen", AccountKind::Member, false),
    ("dave", "Dave Fischer", AccountKind::Member, false),
    ("admin", "Ada Admin", AccountKind::Member, true),
    ("paula", "Paula Rossi", AccountKind::Parent, false),
    ("nina", "Nina Kowalski", AccountKind::Nanny, false),
    ("noah", "Noah Silva", AccountKind::Nanny, false),
    ("erin", "Erin Walsh", AccountKind::Member, false),
    ("frank", "Frank Osei", AccountKind::Member, false),
    ("grace", "Grace Lindqvist", AccountKind::Member, false),
    ("heidi", "Heidi Novak", AccountKind::Member, false),
    ("ivan", "Ivan Petrov", AccountKind::Member, false),
    ("judy", "Judy Tanaka", AccountKind::Member, false),
    ("oscar", "Oscar Diaz", AccountKind::Member, false),
    ("peggy", "Peggy Moreau", AccountKind::Member, false),
];

pub fn demo_email(handle: &str) -> String {
    format!("{handle}@example.com")
}

/// Loads the demo data unless the marker says it is there. Returns true when it loaded now.
pub async fn load_demo_once(store: &Store) -> Result<bool, AppError> {
    let (mpk, msk) = seed_marker();
    let marker = store
        .call(
            store
                .client()
                .get_item()
                .table_name(store.table())
                .key(PK, s(&mpk))
                .key(SK, s(&msk))
                .send(),
        )
        .await?;
    if marker.item.is_some() {
        return Ok(false);
    }
    // Every demo account has the same password: hash it once.
    let hash = crate::auth::password::hash(DEMO_PASSWORD.to_owned()).await?;
    for (handle, name, kind, admin) in DEMO_ACCOUNTS {
        let email = Email::parse(&demo_email(handle))?;
        let new = NewUser {
            email: email.clone(),
            handle: Handle::parse(handle)?,
            display_name: DisplayName::parse(name)?,
            kind: *kind,
            password_hash: hash.clone(),
        };
        match users::create(store, new).await {
            Ok(_) | Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
        if *admin {
            users::set_admin(store, &email, true).await?;
        }
    }
    let put = store
        .call(
            store
                .client()
                .put_item()
                .table_name(store.table())
                .item(PK, s(mpk))
                .item(SK, s(msk))
                .item("loaded_at", s(chrono::Utc::now().to_rfc3339()))
                .condition_expression("attribute_not_exists(pk)")
                .send(),
        )
        .await;
    match put {
        Ok(_) | Err(DbError::ConditionFailed) => Ok(true),
        Err(e) => Err(e.into()),
    }
}
