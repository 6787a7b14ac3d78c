//! The demo accounts (every area's demo data uses them).

use super::model::{AccountKind, DisplayName, Email, Handle};
use super::store::{self as users, NewUser};
use crate::db::{Refusal, Store};
use crate::error::AppError;

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

/// Creates the demo accounts (those that exist are left as they are).
pub async fn load(store: &Store) -> Result<(), AppError> {
    // Every demo account has the same password: hash it once.
    let hash = crate::accounts::password::hash(DEMO_PASSWORD.to_owned()).await?;
    for (handle, name, kind, admin) in DEMO_ACCOUNTS {
        let email = Email::parse(&demo_email(handle))?;
        // Demo accounts are created confirmed (their addresses are examples).
        let new = NewUser {
            id: None,
            confirmation: None,
            email: email.clone(),
            handle: Handle::parse(handle)?,
            display_name: DisplayName::parse(name)?,
            kind: *kind,
            password_hash: hash.clone(),
        };
        match users::create(store, new).await {
            Ok(_) | Err(Refusal::Refused(_)) => {}
            Err(Refusal::Db(e)) => return Err(e.into()),
        }
        if *admin {
            users::set_admin(store, &email, true).await?;
        }
    }
    Ok(())
}
