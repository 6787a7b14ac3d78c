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
    demo_project(store).await?;
    demo_conversations(store).await?;
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

/// The DEMO project: Alice manages it, Bob and Carol are members; stories, a dozen tasks across
/// every status, and a few comments.
async fn demo_project(store: &Store) -> Result<(), AppError> {
    use crate::db::projects::{self, TaskFields};
    use crate::models::{ProjectKey, TaskStatus};
    use crate::services::projects::{create_project, person, NewProjectForm};

    let handles: Vec<Handle> = ["alice", "bob", "carol"]
        .iter()
        .map(|h| Handle::parse(h))
        .collect::<Result<_, _>>()?;
    let people = users::by_handles(store, &handles).await?;
    let (Some(alice), Some(bob), Some(carol)) =
        (people.get("alice"), people.get("bob"), people.get("carol"))
    else {
        return Err(AppError::internal("demo accounts missing"));
    };
    let form = NewProjectForm {
        key: "DEMO".into(),
        name: "Demo Shop".into(),
        description:
            "The online shop relaunch: a small catalogue, a faster checkout, and accounts.".into(),
        manager: String::new(),
        members: "bob, carol".into(),
    };
    match create_project(store, "http://127.0.0.1:3000", &alice.session(), form).await {
        Ok(_) => {}
        Err(AppError::Conflict(_)) => return Ok(()), // loaded before
        Err(e) => return Err(e),
    }
    let key = ProjectKey::parse("DEMO")?;
    for (title, description) in [
        ("Checkout", "Pay in three clicks, with cards and invoices."),
        ("Catalogue", "Browse and search the products."),
        ("Accounts", "Sign up, order history, addresses."),
    ] {
        projects::create_story(
            store,
            &key,
            &alice.id,
            title.into(),
            description.into(),
            None,
        )
        .await?;
    }
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, d);
    let tasks: [(&str, Option<u32>, &crate::db::users::User, TaskStatus); 12] = [
        ("Design the payment form", Some(1), bob, TaskStatus::Done),
        (
            "Card payments through the provider",
            Some(1),
            bob,
            TaskStatus::InReview,
        ),
        (
            "Invoice payment for companies",
            Some(1),
            carol,
            TaskStatus::InProgress,
        ),
        ("Order confirmation email", Some(1), alice, TaskStatus::Todo),
        (
            "Product list with filters",
            Some(2),
            carol,
            TaskStatus::Done,
        ),
        (
            "Search by name and category",
            Some(2),
            carol,
            TaskStatus::InProgress,
        ),
        ("Product page photos", Some(2), bob, TaskStatus::Todo),
        (
            "Sign-up with email check",
            Some(3),
            alice,
            TaskStatus::InReview,
        ),
        ("Order history page", Some(3), bob, TaskStatus::Todo),
        ("Saved addresses", Some(3), carol, TaskStatus::Todo),
        ("Set up error monitoring", None, alice, TaskStatus::Done),
        ("Load test before launch", None, bob, TaskStatus::Todo),
    ];
    for (i, (title, story, who, status)) in tasks.into_iter().enumerate() {
        let start = day(1 + i as u32);
        let fields = TaskFields {
            title: title.into(),
            description: String::new(),
            story,
            assignee: Some(who.id.clone()),
            start_date: start,
            end_date: start.and_then(|d| d.checked_add_days(chrono::Days::new(4))),
            status,
        };
        projects::create_task(store, &key, &alice.id, fields, None).await?;
    }
    for (n, who, body) in [
        (2, bob, "Sandbox keys are in the team vault."),
        (2, alice, "Let's review this together on Thursday."),
        (3, carol, "Waiting for the finance team's template."),
        (6, carol, "Search is case-insensitive now."),
    ] {
        projects::add_comment(store, &key, n, person(who), body.into()).await?;
    }
    Ok(())
}

/// Conversations between the demo accounts; Alice and Bob's is long enough to page.
async fn demo_conversations(store: &Store) -> Result<(), AppError> {
    use crate::db::messages;
    use crate::services::projects::person;

    let handles: Vec<Handle> = ["alice", "bob", "carol", "paula", "nina"]
        .iter()
        .map(|h| Handle::parse(h))
        .collect::<Result<_, _>>()?;
    let people = users::by_handles(store, &handles).await?;
    let who = |h: &str| {
        people
            .get(h)
            .map(person)
            .ok_or_else(|| AppError::internal("demo accounts missing"))
    };
    let (alice, bob, carol, paula, nina) = (
        who("alice")?,
        who("bob")?,
        who("carol")?,
        who("paula")?,
        who("nina")?,
    );

    let talk = |a: &crate::models::PersonRef, b: &crate::models::PersonRef| (a.clone(), b.clone());
    let (a, b) = talk(&alice, &bob);
    let id = messages::start(store, &a, &b).await?;
    if messages::list(store, &a.id, None, 1)
        .await?
        .items
        .first()
        .is_some_and(|c| !c.last_message.is_empty())
    {
        return Ok(()); // loaded before
    }
    let lines = [
        "Morning! Did the payment provider answer?",
        "Yes, sandbox keys arrived last night.",
        "Great. Can you wire up the card form today?",
        "On it. I'll push a draft before lunch.",
    ];
    for i in 0..44 {
        let (from, text) = if i % 2 == 0 {
            (&a, lines[i % 4])
        } else {
            (&b, lines[i % 4])
        };
        messages::send(store, &id, from, &format!("{text} ({})", i + 1)).await?;
    }
    messages::send(store, &id, &b, "Draft is up: DEMO-2 is in review.").await?;

    let id = messages::start(store, &carol, &alice).await?;
    messages::send(
        store,
        &id,
        &carol,
        "The finance team sent the invoice template.",
    )
    .await?;
    messages::send(store, &id, &alice, "Perfect, thanks! Attach it to DEMO-3.").await?;
    messages::send(store, &id, &carol, "Done.").await?;

    let id = messages::start(store, &paula, &nina).await?;
    messages::send(
        store,
        &id,
        &paula,
        "Hi Nina, are you free Saturday evening?",
    )
    .await?;
    messages::send(store, &id, &nina, "Yes, from 6 pm. How old are the kids?").await?;
    messages::send(store, &id, &paula, "Four and seven. They love board games.").await?;
    Ok(())
}
