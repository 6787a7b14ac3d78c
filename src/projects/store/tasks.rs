//! Stories and tasks: numbering, create, edit, move, delete.

use super::log::activity;
use super::{refused, Busy, Refused, StoryItem, TaskItem};
use crate::accounts::model::PersonRef;
use crate::db::keys::*;
use crate::db::retry::{retrying, Backoff, Try};
use crate::db::{n, DbError, Expr, Outcome, Store, Tx};
use crate::projects::model::*;
use chrono::{DateTime, Utc};

/// The expression that moves one task in or out of a status count (a count the header does
/// not have yet starts at zero: `:zero` goes with it).
pub(super) fn counts_expr(status: TaskStatus, op: char) -> String {
    format!(
        "counts.{f} = if_not_exists(counts.{f}, :zero) {op} :one",
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

/// The project's counter as it is now (its head, read strongly consistently); `None` when
/// there is no such project.
async fn read_counter(
    store: &Store,
    key: &ProjectKey,
    counter: Counter,
) -> Result<Option<u32>, DbError> {
    Ok(super::get_project(store, key)
        .await?
        .map(|p| match counter {
            Counter::Task => p.task_seq,
            Counter::Story => p.story_seq,
        }))
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

/// Creates an item numbered by the project's counter: the next number is taken inside the
/// creating transaction, under a condition on the counter's value (the number the caller saw,
/// else the one just read). So numbers have no gaps: a transaction the SDK sends again after a
/// lost answer carries the same idempotency token and is applied once, and one that lost the
/// number to someone else changes nothing — the counter is read again and the next number tried.
async fn create_numbered(
    store: &Store,
    key: &ProjectKey,
    creator: &str,
    spec: Numbered<'_>,
    build: impl Fn(u32, &mut Tx),
) -> Outcome<u32, Refused> {
    let pk = project_pk(key);
    let counter = spec.counter.attribute();
    // The number the caller saw is tried first; every later try reads the counter.
    let first = &std::sync::atomic::AtomicBool::new(true);
    let (pk, spec, build) = (&pk, &spec, &build);
    // Every creator of a busy project can lose a round: more rounds than other writes get.
    let backoff = Backoff::with_retries(NUMBERING_RETRIES);
    let busy = match spec.counter {
        Counter::Task => Busy::NewTask,
        Counter::Story => Busy::NewStory,
    };
    retrying(backoff, Refused::Busy(busy), || async move {
        let seen = spec
            .seen
            .filter(|_| first.swap(false, std::sync::atomic::Ordering::SeqCst));
        let current = match seen {
            Some(s) => s,
            None => match read_counter(store, key, spec.counter).await? {
                Some(c) => c,
                // No project: to an outsider, the same answer as a project they are not in.
                None => return Ok(Try::Refused(Refused::NotMember)),
            },
        };
        let Some(number) = current.checked_add(1).filter(|n| *n <= MAX_NUMBER) else {
            return Ok(Try::Refused(Refused::Full));
        };
        let set = match &spec.extra_meta {
            Some(extra) => format!("SET {counter} = :n, {extra}"),
            None => format!("SET {counter} = :n"),
        };
        let condition = if current == 0 {
            format!(
                "attribute_exists(pk) AND (attribute_not_exists({counter}) OR {counter} = :seen)"
            )
        } else {
            format!("{counter} = :seen")
        };
        let mut expr = Expr::set(set)
            .when(condition)
            .value(":n", n(number))
            .value(":seen", n(current));
        if spec.extra_meta.is_some() {
            expr = expr.value(":one", n(1)).value(":zero", n(0));
        }
        let mut tx = Tx::new(store);
        tx.update("project", pk, PROJECT_META_SK, expr);
        tx.exists("member", pk, &member_sk(creator));
        build(number, &mut tx);
        spec.refs.add_checks(&mut tx, pk);
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(number),
            Err(e) if e.failed("member") => Try::Refused(Refused::NotMember),
            Err(e) if e.failed("story") => Try::Refused(Refused::StoryMissing),
            Err(e) if e.failed("assignee") => Try::Refused(Refused::AssigneeNotMember),
            // Someone else took that number (or the page's was stale): read the counter again
            // and try the next one.
            Err(e) if e.failed("project") => Try::Again,
            Err(e) => return Err(e),
        })
    })
    .await
}

/// Rounds a numbered creation may lose before it is refused as busy.
pub(super) const NUMBERING_RETRIES: u32 = 25;

pub async fn create_story(
    store: &Store,
    key: &ProjectKey,
    creator: &str,
    fields: StoryFields,
) -> Outcome<Story, Refused> {
    let now = store.now();
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
    let number = create_numbered(store, key, creator, spec, |number, tx| {
        tx.create_value(
            "item",
            &StoryItem {
                pk: pk.clone(),
                sk: story_sk(number),
                story: make(number),
            },
        );
    })
    .await?;
    Ok(make(number))
}

pub async fn create_task(
    store: &Store,
    key: &ProjectKey,
    creator: &PersonRef,
    fields: TaskFields,
    seen_seq: Option<u32>,
) -> Outcome<Task, Refused> {
    let now = key_time(store.now());
    let pk = project_pk(key);
    // New work goes to the bottom of the backlog.
    let last = super::edge_rank(store, key, None, true).await?;
    let rank = rank::between(last.as_deref(), None, jitter());
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
        points: fields.points,
        priority: fields.priority,
        sprint: None,
        rank: rank.clone(),
        archived: false,
        comment_count: 0,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let spec = Numbered {
        counter: Counter::Task,
        seen: seen_seq,
        extra_meta: Some(counts_expr(fields.status, '+')),
        refs: References::of(&fields, &creator.id),
    };
    let number = create_numbered(store, key, &creator.id, spec, |number, tx| {
        let task = make(number);
        tx.create_value("item", &TaskItem::new(&pk, task.clone()));
        let entry = activity(creator, now, "created", Some(&task), Vec::new());
        super::log(tx, key, &entry);
    })
    .await?;
    Ok(make(number))
}

/// What a change checks of the task it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Nothing: the change applies to the task as it is now.
    Current,
    /// The version the caller saw (an edit form).
    Version(u64),
    /// The status the caller saw (a card on the board).
    Status(TaskStatus),
}

/// Changes one task: reads it, applies `change`, and writes in one transaction the task (if
/// still at the version read), the project's status counts, the totals and burndown events of
/// each sprint the change concerns, and the activity entry. A completed sprint is never
/// touched: a task that leaves one by being reopened goes to the backlog.
pub async fn change_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    actor: &PersonRef,
    check: Check,
    change: impl Fn(&mut Task) -> Result<(), Refused>,
) -> Outcome<Task, Refused> {
    let change = &change;
    retrying(Backoff::new(), Refused::Busy(Busy::Task), || async move {
        let Some(old) = super::get_task(store, key, number).await? else {
            return Ok(Try::Refused(Refused::TaskMissing));
        };
        let stale = match check {
            Check::Version(v) => v != old.version,
            Check::Status(s) => s != old.status,
            Check::Current => false,
        };
        if stale {
            let changed = Refused::TaskChanged(Box::new(old.clone()));
            let refusal = refuse_member(store, key, &actor.id, changed).await;
            return Try::from_outcome(refusal);
        }
        let mut new = match applied(&old, change) {
            Ok(new) => new,
            Err(r) => return Try::from_outcome(refuse_member(store, key, &actor.id, r).await),
        };
        let changes = task_changes(&old, &new);
        if changes.is_empty() && new.rank == old.rank {
            return Ok(Try::Done(old));
        }
        let now = key_time(store.now());
        new.version = old.version + 1;
        new.updated_at = now;
        let tx = changing(store, key, actor, &old, &new, changes, now);
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(new),
            Err(e) if e.failed("member") => Try::Refused(Refused::NotMember),
            Err(e) if e.failed("story") => Try::Refused(Refused::StoryMissing),
            Err(e) if e.failed("assignee") => Try::Refused(Refused::AssigneeNotMember),
            Err(e) if e.failed("sprint_to") => Try::Refused(Refused::SprintClosed),
            Err(e) if e.failed("sprint_from") => Try::Refused(Refused::SprintClosing),
            // Changed since the read: the caller is told what it is now.
            Err(e) if e.failed("task") && check != Check::Current => {
                match super::get_task(store, key, number).await? {
                    Some(now) => Try::Refused(Refused::TaskChanged(Box::new(now))),
                    None => Try::Refused(Refused::TaskMissing),
                }
            }
            // Changed since the read, and the change applies to whatever it is now.
            Err(e) if e.failed("task") => Try::Again,
            Err(e) => return Err(e),
        })
    })
    .await
}

/// `old` with `change` applied; a task reopened or moved out of a completed sprint is back in
/// the open work.
fn applied(old: &Task, change: impl Fn(&mut Task) -> Result<(), Refused>) -> Result<Task, Refused> {
    let mut new = old.clone();
    change(&mut new)?;
    if old.archived && (!new.status.is_closed() || new.sprint != old.sprint) {
        if new.sprint == old.sprint {
            new.sprint = None;
        }
        new.archived = false;
    }
    Ok(new)
}

/// The transaction of a task's change from `old` to `new` (at its next version, dated `now`):
/// the actor still a member, the task unless it changed since `old` was read, the project's
/// status counts, each sprint's totals and burndown, the story or assignee it sets still in
/// the project, and the activity entry.
fn changing(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    old: &Task,
    new: &Task,
    changes: Vec<FieldChange>,
    now: DateTime<Utc>,
) -> Tx {
    let pk = &project_pk(key);
    // A story or an assignee the change sets must be in the project when it commits (one
    // that stays may be gone: a removed member's tasks keep their id).
    let refs = References {
        story: new.story.filter(|_| new.story != old.story),
        assignee: new
            .assignee
            .as_deref()
            .filter(|a| new.assignee != old.assignee && *a != actor.id),
    };
    let mut tx = Tx::new(store);
    tx.exists("member", pk, &member_sk(&actor.id))
        .replace_value(
            "task",
            &TaskItem::new(pk, new.clone()),
            Expr::condition("version = :v").value(":v", n(old.version)),
        );
    if new.status != old.status {
        tx.update(
            "project",
            pk,
            PROJECT_META_SK,
            status_move(old.status, new.status),
        );
    }
    sprint_effects(&mut tx, key, old, new, now);
    refs.add_checks(&mut tx, pk);
    let action = if new.sprint != old.sprint {
        "moved"
    } else {
        "changed"
    };
    super::log(
        &mut tx,
        key,
        &activity(actor, now, action, Some(new), changes),
    );
    tx
}

/// A refusal found before the transaction (which checks membership itself): told to members
/// only; anyone else learns nothing about the project ([`Refused::NotMember`]).
pub(super) async fn refuse_member<T>(
    store: &Store,
    key: &ProjectKey,
    actor: &str,
    r: Refused,
) -> Outcome<T, Refused> {
    if super::is_member(store, key, actor).await? {
        refused(r)
    } else {
        refused(Refused::NotMember)
    }
}

/// The sprint totals and burndown events of a change from `old` to `new` (none for a sprint
/// the task is archived in: a completed sprint is history).
pub(super) fn sprint_effects(
    tx: &mut Tx,
    key: &ProjectKey,
    old: &Task,
    new: &Task,
    now: DateTime<Utc>,
) {
    let open = |t: &Task| BurnState {
        sprint: t.sprint.filter(|_| !t.archived),
        ..BurnState::of(t)
    };
    let (before, after) = (open(old), open(new));
    for (sprint, event) in before.events(after, new.number, now) {
        let name = if Some(sprint) == after.sprint {
            "sprint_to"
        } else {
            "sprint_from"
        };
        let (total, closed) = before.delta(after, sprint);
        super::add_to_sprint(tx, name, key, sprint, total, closed);
        super::burn(tx, key, sprint, &event);
    }
}

/// Saves an edit made on the version `seen`. If the task changed since, nothing is written
/// ([`Refused::TaskChanged`]). Returns the saved task.
pub async fn edit_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    editor: &PersonRef,
    fields: &TaskFields,
    seen: Seen,
) -> Outcome<Task, Refused> {
    // The story and the assignee it sets are conditions of the edit's transaction.
    change_task(
        store,
        key,
        number,
        editor,
        Check::Version(seen.version),
        |t| {
            t.title = fields.title.clone();
            t.description = fields.description.clone();
            t.story = fields.story;
            t.assignee = fields.assignee.clone();
            t.start_date = fields.start_date;
            t.end_date = fields.end_date;
            t.status = fields.status;
            t.points = fields.points;
            t.priority = fields.priority;
            Ok(())
        },
    )
    .await
}

/// Moves a task from `from` to `to` (any member), keeping the counts exact. Refused with
/// [`Refused::TaskChanged`] if the task is no longer in `from`.
pub async fn move_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    mover: &PersonRef,
    from: TaskStatus,
    to: TaskStatus,
) -> Outcome<Task, Refused> {
    change_task(store, key, number, mover, Check::Status(from), |t| {
        t.status = to;
        Ok(())
    })
    .await
}

/// The update of the project header's counts when a task goes from one status to another.
fn status_move(from: TaskStatus, to: TaskStatus) -> Expr {
    Expr::set(format!(
        "SET {}, {}",
        counts_expr(from, '-'),
        counts_expr(to, '+')
    ))
    .when("attribute_exists(pk)")
    .value(":one", n(1))
    .value(":zero", n(0))
}

/// The random digit of a new rank.
pub(super) fn jitter() -> u8 {
    (ulid::Ulid::new().random() & 0xff) as u8
}
