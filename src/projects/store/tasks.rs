//! Stories and tasks: numbering, create, edit, move, delete.

use super::{refused, Refused, StoryItem, TaskItem};
use crate::db::keys::*;
use crate::db::retry::Backoff;
use crate::db::{n, opt, s, to_item, DbError, Expr, Item, Outcome, Refusal, Store, Tx};
use crate::projects::model::*;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Utc;
use serde::{Deserialize, Serialize};

/// The expression that moves one task in or out of a status count.
fn counts_expr(status: TaskStatus, op: char) -> String {
    format!(
        "counts.{f} = counts.{f} {op} :one",
        f = StatusCounts::field(status)
    )
}

/// The header attribute that numbers stories or tasks.
#[derive(Debug, Clone, Copy)]
enum Counter {
    Story,
    Task,
}

impl Counter {
    fn attribute(self) -> &'static str {
        match self {
            Self::Story => "story_seq",
            Self::Task => "task_seq",
        }
    }
}

/// Takes the next number from the project's counter, atomically (used when the number the
/// caller saw is gone, or the caller saw none).
async fn reserve_number(
    store: &Store,
    key: &ProjectKey,
    counter: Counter,
) -> Outcome<u32, Refused> {
    let c = counter.attribute();
    let bump = Expr::set(format!("SET {c} = {c} + :one"))
        .when("attribute_exists(pk)")
        .value(":one", n(1));
    let out = match store.update(&project_pk(key), PROJECT_META_SK, bump).await {
        Ok(o) => o,
        Err(DbError::ConditionFailed) => return refused(Refused::NotMember),
        Err(e) => return Err(e.into()),
    };
    match out.get(c) {
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|e| Refusal::Db(DbError::Decode(format!("{c}: {e}")))),
        _ => Err(Refusal::Db(DbError::Decode(format!("{c} missing")))),
    }
}

/// How a numbered item is created: which counter, the number the caller saw (None: reserve
/// one), what else the header update does, and the story/assignee the item refers to.
struct Numbered<'a> {
    counter: Counter,
    seen: Option<u32>,
    extra_meta: Option<String>,
    refs: References<'a>,
}

/// The story and the assignee a task names: checked in the same transaction.
#[derive(Default, Clone, Copy)]
struct References<'a> {
    story: Option<u32>,
    /// Only when it is not the actor (whose membership is checked anyway).
    assignee: Option<&'a str>,
}

impl<'a> References<'a> {
    fn of(f: &'a TaskFields, actor: &str) -> Self {
        Self {
            story: f.story,
            assignee: f.assignee.as_deref().filter(|a| *a != actor),
        }
    }

    fn add_checks(self, tx: &mut Tx, pk: &str) {
        if let Some(story) = self.story {
            tx.exists("story", pk, &story_sk(story));
        }
        if let Some(a) = self.assignee {
            tx.exists("assignee", pk, &member_sk(a));
        }
    }
}

fn refers_to_missing(e: &crate::db::TxError) -> bool {
    e.failed("story") || e.failed("assignee")
}

/// Creates an item numbered by the project's counter. Without contention the number is taken
/// inside the creating transaction (the caller passes the number it saw); otherwise from the
/// atomic counter.
async fn create_numbered(
    store: &Store,
    key: &ProjectKey,
    creator: &str,
    spec: Numbered<'_>,
    build: impl Fn(u32) -> Result<Item, DbError>,
) -> Outcome<u32, Refused> {
    let pk = project_pk(key);
    let counter = spec.counter.attribute();
    let mut seen = spec.seen;
    let mut reserved = None;
    if seen.is_none() {
        if !super::is_member(store, key, creator).await? {
            return refused(Refused::NotMember);
        }
        reserved = Some(reserve_number(store, key, spec.counter).await?);
    }
    let mut backoff = Backoff::new();
    loop {
        let mut tx = Tx::new(store);
        let number = match (reserved, seen) {
            (Some(number), _) => {
                match &spec.extra_meta {
                    Some(extra) => tx.update(
                        "project",
                        &pk,
                        PROJECT_META_SK,
                        Expr::set(format!("SET {extra}"))
                            .when("attribute_exists(pk)")
                            .value(":one", n(1)),
                    ),
                    None => tx.exists("project", &pk, PROJECT_META_SK),
                };
                number
            }
            (None, Some(s)) => {
                let Some(number) = s.checked_add(1) else {
                    return refused(Refused::Full);
                };
                let set = match &spec.extra_meta {
                    Some(extra) => format!("SET {counter} = :n, {extra}"),
                    None => format!("SET {counter} = :n"),
                };
                let mut expr = Expr::set(set)
                    .when(format!("{counter} = :seen"))
                    .value(":n", n(number))
                    .value(":seen", n(s));
                if spec.extra_meta.is_some() {
                    expr = expr.value(":one", n(1));
                }
                tx.update("project", &pk, PROJECT_META_SK, expr);
                number
            }
            (None, None) => return refused(Refused::NotMember),
        };
        if number > MAX_NUMBER {
            return refused(Refused::Full);
        }
        tx.exists("member", &pk, &member_sk(creator))
            .create("item", build(number)?);
        spec.refs.add_checks(&mut tx, &pk);
        match tx.run(store).await {
            Ok(()) => return Ok(number),
            Err(e) if e.failed("member") => return refused(Refused::NotMember),
            Err(e) if refers_to_missing(&e) => return refused(Refused::BadReference),
            // Someone else took the number we saw: fall back to the atomic counter.
            Err(e) if reserved.is_none() && (e.failed("project") || e.is_conflict()) => {
                seen = None;
                reserved = Some(reserve_number(store, key, spec.counter).await?);
            }
            Err(e) if e.is_conflict() => {
                if !backoff.wait().await {
                    return refused(Refused::Busy);
                }
            }
            Err(e) if e.failed("project") => return refused(Refused::NotMember),
            Err(e) => return Err(Refusal::Db(e.into())),
        }
    }
}

pub async fn create_story(
    store: &Store,
    key: &ProjectKey,
    creator: &str,
    fields: StoryFields,
) -> Outcome<Story, Refused> {
    let now = Utc::now();
    let pk = project_pk(key);
    let make = |number: u32| Story {
        number,
        title: fields.title.clone(),
        description: fields.description.clone(),
        created_at: now,
    };
    let spec = Numbered {
        counter: Counter::Story,
        seen: fields.seen_seq,
        extra_meta: None,
        refs: References::default(),
    };
    let number = create_numbered(store, key, creator, spec, |number| {
        to_item(&StoryItem {
            pk: pk.clone(),
            sk: story_sk(number),
            story: make(number),
        })
    })
    .await?;
    Ok(make(number))
}

pub async fn create_task(
    store: &Store,
    key: &ProjectKey,
    creator: &str,
    fields: TaskFields,
    seen_seq: Option<u32>,
) -> Outcome<Task, Refused> {
    let now = Utc::now();
    let pk = project_pk(key);
    let make = |number: u32| Task {
        key: key.clone(),
        number,
        title: fields.title.clone(),
        description: fields.description.clone(),
        story: fields.story,
        assignee: fields.assignee.clone(),
        start_date: fields.start_date,
        end_date: fields.end_date,
        status: fields.status,
        comment_count: 0,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let spec = Numbered {
        counter: Counter::Task,
        seen: seen_seq,
        extra_meta: Some(counts_expr(fields.status, '+')),
        refs: References::of(&fields, creator),
    };
    let number = create_numbered(store, key, creator, spec, |number| {
        to_item(&TaskItem {
            pk: pk.clone(),
            sk: task_sk(number),
            task: make(number),
        })
    })
    .await?;
    Ok(make(number))
}

/// Saves an edit made on the version and status `seen`. If the task changed since, nothing is
/// written ([`Refused::TaskChanged`]). Returns the saved task.
pub async fn edit_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    editor: &str,
    fields: &TaskFields,
    seen: Seen,
) -> Outcome<Task, Refused> {
    let pk = project_pk(key);
    let now = Utc::now();
    let opt_s = |v: Option<String>| opt(v.map(s));
    let edit = Expr::set(
        "SET title = :title, description = :desc, story = :story, assignee = :assignee, \
         start_date = :start, end_date = :end, #st = :st, updated_at = :now, version = version + :one",
    )
    .when("version = :v AND #st = :old")
    .name("#st", "status")
    .value(":title", s(&fields.title))
    .value(":desc", s(&fields.description))
    .value(":story", opt(fields.story.map(n)))
    .value(":assignee", opt_s(fields.assignee.clone()))
    .value(":start", opt_s(fields.start_date.map(|d| d.to_string())))
    .value(":end", opt_s(fields.end_date.map(|d| d.to_string())))
    .value(":st", s(fields.status.as_str()))
    .value(":now", s(now.to_rfc3339()))
    .value(":v", n(seen.version))
    .value(":old", s(seen.status.as_str()))
    .value(":one", n(1));
    let mut tx = Tx::new(store);
    tx.exists("member", &pk, &member_sk(editor))
        .update("task", &pk, &task_sk(number), edit);
    if fields.status != seen.status {
        tx.update(
            "project",
            &pk,
            PROJECT_META_SK,
            Expr::set(format!(
                "SET {}, {}",
                counts_expr(seen.status, '-'),
                counts_expr(fields.status, '+')
            ))
            .when("attribute_exists(pk)")
            .value(":one", n(1)),
        );
    }
    References::of(fields, editor).add_checks(&mut tx, &pk);
    match tx.run(store).await {
        Ok(()) => match super::get_task(store, key, number).await? {
            Some(t) => Ok(t),
            None => refused(Refused::TaskMissing),
        },
        Err(e) if e.failed("member") => refused(Refused::NotMember),
        Err(e) if e.failed("task") => refused(Refused::TaskChanged),
        Err(e) if refers_to_missing(&e) => refused(Refused::BadReference),
        Err(e) if e.is_conflict() => refused(Refused::Busy),
        Err(e) => Err(Refusal::Db(e.into())),
    }
}

/// Moves a task from `from` to `to` (any member), keeping the counts exact. Refused with
/// [`Refused::TaskChanged`] if the task is no longer in `from`.
pub async fn move_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    mover: &str,
    from: TaskStatus,
    to: TaskStatus,
) -> Outcome<(), Refused> {
    if from == to {
        return Ok(());
    }
    let pk = project_pk(key);
    let mut tx = Tx::new(store);
    tx.exists("member", &pk, &member_sk(mover))
        .update(
            "task",
            &pk,
            &task_sk(number),
            Expr::set("SET #st = :to, updated_at = :now, version = version + :one")
                .when("#st = :from")
                .name("#st", "status")
                .value(":to", s(to.as_str()))
                .value(":from", s(from.as_str()))
                .value(":now", s(Utc::now().to_rfc3339()))
                .value(":one", n(1)),
        )
        .update(
            "project",
            &pk,
            PROJECT_META_SK,
            Expr::set(format!(
                "SET {}, {}",
                counts_expr(from, '-'),
                counts_expr(to, '+')
            ))
            .when("attribute_exists(pk)")
            .value(":one", n(1)),
        );
    let mut backoff = Backoff::new();
    loop {
        match tx.run(store).await {
            Ok(()) => return Ok(()),
            Err(e) if e.failed("member") => return refused(Refused::NotMember),
            Err(e) if e.failed("task") => return refused(Refused::TaskChanged),
            Err(e) if e.is_conflict() => {
                if !backoff.wait().await {
                    return refused(Refused::Busy);
                }
            }
            Err(e) => return Err(Refusal::Db(e.into())),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CleanupTask {
    pub pk: String,
    pub sk: String,
    pub gsi2pk: String,
    pub gsi2sk: String,
    pub project: ProjectKey,
    pub number: u32,
}

/// Deletes a task (its project's manager only): one transaction that updates the counts,
/// deletes the task and records the pending removal of its comments (finished by
/// [`super::delete_comments`], or by the worker if this server stops first).
pub async fn delete_task_only(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    actor: &str,
) -> Outcome<(), Refused> {
    let cleanup = CleanupTask {
        pk: comments_pk(key, number),
        sk: CLEANUP_SK.into(),
        gsi2pk: CLEANUP_PENDING.into(),
        gsi2sk: newest_sk(&Utc::now(), &comments_pk(key, number)),
        project: key.clone(),
        number,
    };
    let pk = project_pk(key);
    let mut backoff = Backoff::new();
    loop {
        let Some(task) = super::get_task(store, key, number).await? else {
            return refused(Refused::TaskMissing);
        };
        let mut tx = Tx::new(store);
        tx.update(
            "project",
            &pk,
            PROJECT_META_SK,
            Expr::set(format!("SET {}", counts_expr(task.status, '-')))
                .when("manager.id = :me")
                .value(":me", s(actor))
                .value(":one", n(1)),
        )
        .delete(
            "task",
            &pk,
            &task_sk(number),
            Expr::condition("#st = :st")
                .name("#st", "status")
                .value(":st", s(task.status.as_str())),
        )
        .create_value("cleanup", &cleanup);
        match tx.run(store).await {
            Ok(()) => return Ok(()),
            Err(e) if e.failed("project") => return refused(Refused::NotManager),
            // It moved between our read and our delete: read again.
            Err(e) if e.failed("task") || e.is_conflict() => {
                if !backoff.wait().await {
                    return refused(Refused::Busy);
                }
            }
            Err(e) => return Err(Refusal::Db(e.into())),
        }
    }
}
