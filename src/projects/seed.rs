//! The DEMO project: Alice manages it, Bob and Carol are members. Its history is replayed
//! through the app's own rules on a clock set in the past, so that its charts show everything:
//! two completed sprints (a task done then reopened, scope added mid-sprint, an estimate
//! changed, a task closed as won't do, spillover each time), a sprint half-way through, and a
//! backlog.

use crate::accounts::model::{Handle, PersonRef};
use crate::accounts::store::{self as users, User};
use crate::db::Store;
use crate::error::AppError;
use crate::projects::model::*;
use crate::projects::rules::{self as projects, create_project};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The demo's stories: (title, description).
const STORIES: [(&str, &str); 3] = [
    ("Checkout", "Pay in three clicks, with cards and invoices."),
    ("Catalogue", "Browse and search the products."),
    ("Accounts", "Sign up, order history, addresses."),
];

/// The demo's tasks: (title, story, assignee handle, points).
const TASKS: [(&str, Option<u32>, &str, u8); 16] = [
    ("Design the payment form", Some(1), "bob", 3),
    ("Card payments through the provider", Some(1), "bob", 5),
    ("Invoice payment for companies", Some(1), "carol", 2),
    ("Order confirmation email", Some(1), "alice", 1),
    ("Product list with filters", Some(2), "carol", 8),
    ("Search by name and category", Some(2), "carol", 5),
    ("Product page photos", Some(2), "bob", 2),
    ("Sign-up with email check", Some(3), "alice", 3),
    ("Order history page", Some(3), "bob", 5),
    ("Saved addresses", Some(3), "carol", 1),
    ("Set up error monitoring", None, "alice", 2),
    ("Load test before launch", None, "bob", 8),
    ("Gift cards", Some(1), "carol", 13),
    ("Wish list", Some(2), "bob", 5),
    ("Newsletter sign-up", Some(3), "alice", 2),
    ("Dark mode", None, "carol", 3),
];

/// Replays the demo project's history on a clock of its own.
struct Demo {
    store: Store,
    clock: Arc<Mutex<DateTime<Utc>>>,
    today: NaiveDate,
    key: ProjectKey,
    alice: PersonRef,
    bob: PersonRef,
    status: HashMap<u32, TaskStatus>,
}

impl Demo {
    /// `days` days ago, at `hour` UTC.
    fn at(&self, days: i64, hour: u32) {
        let day = self.today - Duration::days(days);
        let t = day.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc();
        *self.clock.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }

    fn date(&self, days: i64) -> String {
        (self.today - Duration::days(days)).to_string()
    }

    async fn sprint(&self, name: &str, goal: &str, from: i64, to: i64) -> Result<u32, AppError> {
        let form = SprintForm {
            key: self.key.to_string(),
            name: name.into(),
            goal: goal.into(),
            start: self.date(from),
            end: self.date(to),
        };
        Ok(
            projects::create_sprint(&self.store, &self.key, &self.alice, &form)
                .await?
                .number,
        )
    }

    async fn plan(&self, task: u32, sprint: u32) -> Result<(), AppError> {
        let form = PlaceForm {
            task: format!("{}-{task}", self.key),
            to: sprint.to_string(),
            op: "bottom".into(),
            ..Default::default()
        };
        projects::place_task(&self.store, &self.bob, &form).await?;
        Ok(())
    }

    async fn set(&mut self, task: u32, to: TaskStatus) -> Result<(), AppError> {
        let from = self.status.get(&task).copied().unwrap_or(TaskStatus::Todo);
        projects::move_task(&self.store, &self.key, task, &self.bob, from, to).await?;
        self.status.insert(task, to);
        Ok(())
    }

    async fn start(&self, sprint: u32) -> Result<(), AppError> {
        let now = self.store.now();
        projects::start_sprint(
            &self.store,
            &self.key,
            &self.alice,
            &sprint.to_string(),
            now,
        )
        .await?;
        Ok(())
    }

    async fn complete(&self, sprint: u32, to: u32) -> Result<(), AppError> {
        let form = CompleteForm {
            key: self.key.to_string(),
            sprint: sprint.to_string(),
            spill_to: to.to_string(),
        };
        let now = self.store.now();
        projects::complete_sprint(&self.store, &self.key, &self.alice, &form, now).await?;
        Ok(())
    }

    async fn estimate(&self, task: u32, points: u8) -> Result<(), AppError> {
        let t = crate::projects::store::get_task(&self.store, &self.key, task)
            .await?
            .ok_or(AppError::NotFound)?;
        let fields = TaskFields {
            title: t.title.clone(),
            description: t.description.clone(),
            story: t.story,
            assignee: t.assignee.clone(),
            start_date: t.start_date,
            end_date: t.end_date,
            status: t.status,
            points: Some(points),
            priority: t.priority,
        };
        let seen = Seen {
            version: t.version,
            status: t.status,
        };
        projects::edit_task(&self.store, &self.key, task, &self.alice, fields, seen).await?;
        Ok(())
    }
}

/// Creates the DEMO project and replays its history (nothing when it exists).
///
/// Longer than 80 lines on purpose: the history is a script, day by day, read top to bottom
/// (the steps it repeats are the `Demo` methods above).
pub async fn load(store: &Store) -> Result<(), AppError> {
    let handles: Vec<Handle> = ["alice", "bob", "carol"]
        .iter()
        .map(|h| Handle::parse(h))
        .collect::<Result<_, _>>()?;
    let people = users::by_handles(store, &handles).await?;
    let (Some(alice), Some(bob)) = (people.get("alice"), people.get("bob")) else {
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
    match create_project(store, "http://127.0.0.1:3000", &alice.session(), &form).await {
        Ok(_) => {}
        Err(AppError::Conflict(_)) => return Ok(()), // loaded before
        Err(e) => return Err(e),
    }
    let clock = Arc::new(Mutex::new(store.now()));
    let c = clock.clone();
    let mut d = Demo {
        store: store.clone().with_clock(Arc::new(move || {
            *c.lock().unwrap_or_else(|e| e.into_inner())
        })),
        clock,
        today: store.now().date_naive(),
        key: ProjectKey::parse("DEMO")?,
        alice: alice.person(),
        bob: bob.person(),
        status: HashMap::new(),
    };
    d.at(40, 9);
    for (title, description) in STORIES {
        let story = StoryFields {
            title: title.into(),
            description: description.into(),
            seen_seq: None,
        };
        projects::create_story(&d.store, &d.key, &d.alice.id, story).await?;
    }
    for (title, story, who, points) in TASKS {
        let fields = TaskFields {
            title: title.into(),
            description: String::new(),
            story,
            assignee: people.get(who).map(|u: &User| u.id.clone()),
            start_date: None,
            end_date: None,
            status: TaskStatus::Todo,
            points: Some(points),
            priority: if points >= 8 {
                Priority::High
            } else {
                Priority::Medium
            },
        };
        projects::create_task(&d.store, &d.key, &d.alice, fields, None).await?;
    }

    // Sprint 1: done, reopened, done again; a task added mid-sprint; two spill over.
    d.at(36, 10);
    let s1 = d
        .sprint("Sprint 1 · Foundations", "A catalogue to browse.", 35, 22)
        .await?;
    for t in [1, 5, 11, 8] {
        d.plan(t, s1).await?;
    }
    d.at(35, 9);
    d.start(s1).await?;
    d.at(33, 15);
    d.set(11, TaskStatus::Done).await?;
    d.at(31, 11);
    d.set(1, TaskStatus::InProgress).await?;
    d.at(30, 16);
    d.set(1, TaskStatus::Done).await?;
    d.at(29, 12);
    d.set(5, TaskStatus::Done).await?;
    d.at(27, 10);
    d.set(5, TaskStatus::InProgress).await?; // reopened: the filters broke on mobile
    d.at(25, 14);
    d.plan(2, s1).await?; // scope added after the start
    d.set(8, TaskStatus::InProgress).await?;
    d.at(24, 17);
    d.set(5, TaskStatus::Done).await?;
    d.at(23, 10);
    let s2 = d
        .sprint("Sprint 2 · Checkout", "Pay by card and by invoice.", 21, 8)
        .await?;
    d.at(22, 17);
    d.complete(s1, s2).await?;

    // Sprint 2: an estimate raised, a task closed as won't do, one spills over.
    d.at(21, 8);
    for t in [3, 6, 4] {
        d.plan(t, s2).await?;
    }
    d.at(21, 9);
    d.start(s2).await?;
    d.at(19, 11);
    d.set(8, TaskStatus::Done).await?;
    d.at(17, 10);
    d.estimate(3, 3).await?;
    d.at(15, 12);
    d.set(6, TaskStatus::InProgress).await?;
    d.at(13, 16);
    d.set(2, TaskStatus::Done).await?;
    d.at(12, 11);
    d.set(3, TaskStatus::Done).await?;
    d.set(4, TaskStatus::WontDo).await?;
    d.at(9, 10);
    let s3 = d
        .sprint(
            "Sprint 3 · Launch",
            "Everything a customer needs on launch day.",
            7,
            -6,
        )
        .await?;
    d.at(8, 17);
    d.complete(s2, s3).await?;

    // Sprint 3, half-way through.
    d.at(7, 8);
    for t in [12, 7, 9, 10] {
        d.plan(t, s3).await?;
    }
    d.at(7, 9);
    d.start(s3).await?;
    d.at(6, 10);
    d.set(7, TaskStatus::InProgress).await?;
    d.at(5, 15);
    d.set(7, TaskStatus::Done).await?;
    d.at(4, 11);
    d.set(10, TaskStatus::WontDo).await?;
    d.at(3, 10);
    d.set(9, TaskStatus::InProgress).await?;
    d.at(2, 16);
    d.set(9, TaskStatus::InReview).await?;
    d.at(1, 12);
    d.set(6, TaskStatus::Done).await?;
    d.at(1, 13);
    let _next = d.sprint("Sprint 4 · Polish", "", -7, -20).await?;

    let carol = people.get("carol").map(User::person);
    for (n, who, body) in [
        (
            2,
            Some(d.bob.clone()),
            "Sandbox keys are in the team vault.",
        ),
        (
            2,
            Some(d.alice.clone()),
            "Let's review this together on Thursday.",
        ),
        (3, carol.clone(), "Waiting for the finance team's template."),
        (6, carol, "Search is case-insensitive now."),
    ] {
        if let Some(who) = who {
            projects::add_comment(&d.store, &d.key, n, who, body).await?;
        }
    }
    Ok(())
}
