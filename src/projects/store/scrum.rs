//! Sprints, the open work in plan order, the burndown events and the activity log.
//!
//! The open work is read from the local index (`lsi1`, strongly consistent): a sprint's tasks
//! or the backlog's by rank, a page at a time, so that no page reads the whole project. The
//! burndown events (`Y#<sprint>#…`) and the activity entries (`Z#…`, with each task's history
//! in the local index) are written in the transaction of the change they record.

use super::tasks::{activity, jitter, micros};
use super::{refused, Refused, TaskItem};
use crate::accounts::model::PersonRef;
use crate::db::keys::*;
use crate::db::retry::Backoff;
use crate::db::{
    cursor, from_item, n, s, DbError, Expr, Item, Outcome, PageQuery, Refusal, SortKey, Store, Tx,
};
use crate::model::Page;
use crate::projects::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub(super) struct SprintItem {
    pub pk: String,
    pub sk: String,
    #[serde(flatten)]
    pub sprint: Sprint,
}

#[derive(Serialize, Deserialize)]
struct BurnItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    event: BurnEvent,
}

#[derive(Serialize, Deserialize)]
struct ActivityItem {
    pk: String,
    sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lsi1sk: Option<String>,
    #[serde(flatten)]
    entry: Activity,
}

/// Adds `entry` to the project's activity log (and to its task's history).
pub(super) fn log(tx: &mut Tx, key: &ProjectKey, entry: &Activity) {
    tx.create_value(
        "activity",
        &ActivityItem {
            pk: project_pk(key),
            sk: activity_sk(&entry.at, &entry.id),
            lsi1sk: entry.task.map(|t| history_key(t, &entry.at, &entry.id)),
            entry: entry.clone(),
        },
    );
}

/// Adds a burndown event of `sprint`.
pub(super) fn burn(tx: &mut Tx, key: &ProjectKey, sprint: u32, event: &BurnEvent) {
    let id = ulid::Ulid::new().to_string();
    tx.create_value(
        "burn",
        &BurnItem {
            pk: project_pk(key),
            sk: burn_sk(sprint, &event.at, &id),
            event: event.clone(),
        },
    );
}

/// Changes a sprint's totals, if it is not completed (the item is named `name`).
pub(super) fn add_to_sprint(
    tx: &mut Tx,
    name: &'static str,
    key: &ProjectKey,
    sprint: u32,
    total: Tally,
    closed: Tally,
) {
    tx.update(
        name,
        &project_pk(key),
        &sprint_sk(sprint),
        Expr::set(
            "SET #total.tasks = #total.tasks + :tt, #total.points = #total.points + :tp, \
             #closed.tasks = #closed.tasks + :ct, #closed.points = #closed.points + :cp, \
             version = version + :one",
        )
        .when("attribute_exists(pk) AND #state <> :completed")
        .name("#total", "total")
        .name("#closed", "closed")
        .name("#state", "state")
        .value(":tt", n(total.tasks))
        .value(":tp", n(total.points))
        .value(":ct", n(closed.tasks))
        .value(":cp", n(closed.points))
        .value(":one", n(1))
        .value(":completed", s(SprintState::Completed.as_str())),
    );
}

pub async fn get_sprint(
    store: &Store,
    key: &ProjectKey,
    number: u32,
) -> Result<Option<Sprint>, DbError> {
    Ok(store
        .get_as::<SprintItem>(&project_pk(key), &sprint_sk(number), true)
        .await?
        .map(|s| s.sprint))
}

/// Creates a planned sprint (the manager only): its number from the project's counter.
pub async fn create_sprint(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    fields: SprintFields,
) -> Outcome<Sprint, Refused> {
    let pk = project_pk(key);
    let bump = Expr::set("SET sprint_seq = if_not_exists(sprint_seq, :zero) + :one")
        .when("manager.id = :me")
        .value(":me", s(&actor.id))
        .value(":one", n(1))
        .value(":zero", n(0));
    let out = match store.update(&pk, PROJECT_META_SK, bump).await {
        Ok(o) => o,
        Err(DbError::ConditionFailed) => return refused(Refused::NotManager),
        Err(e) => return Err(e.into()),
    };
    let number: u32 = crate::db::attr_number(&out, "sprint_seq")?;
    if number > MAX_NUMBER {
        return refused(Refused::Full);
    }
    let now = micros(store.now());
    let sprint = Sprint {
        number,
        name: fields.name,
        goal: fields.goal,
        start: fields.start,
        end: fields.end,
        state: SprintState::Planned,
        started_at: None,
        completed_at: None,
        total: Tally::default(),
        closed: Tally::default(),
        report: None,
        version: 1,
    };
    let mut tx = Tx::new(store);
    tx.create_value(
        "sprint",
        &SprintItem {
            pk: pk.clone(),
            sk: sprint_sk(number),
            sprint: sprint.clone(),
        },
    );
    log(
        &mut tx,
        key,
        &sprint_entry(actor, now, "created sprint", &sprint),
    );
    tx.run(store).await.map_err(|e| Refusal::Db(e.into()))?;
    Ok(sprint)
}

fn sprint_entry(actor: &PersonRef, at: DateTime<Utc>, action: &str, sprint: &Sprint) -> Activity {
    Activity {
        subject: sprint.name.clone(),
        sprint: Some(sprint.number),
        ..activity(actor, at, action, None, Vec::new())
    }
}

/// Starts a planned sprint (the manager only; one sprint under way per project).
pub async fn start_sprint(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    number: u32,
    at: DateTime<Utc>,
) -> Outcome<Sprint, Refused> {
    let pk = project_pk(key);
    let at = micros(at);
    let Some(sprint) = get_sprint(store, key, number).await? else {
        return refused(Refused::SprintClosed);
    };
    let mut tx = Tx::new(store);
    tx.update(
        "project",
        &pk,
        PROJECT_META_SK,
        Expr::set("SET active_sprint = :n")
            .when("manager.id = :me AND attribute_not_exists(active_sprint)")
            .value(":n", n(number))
            .value(":me", s(&actor.id)),
    )
    .update(
        "sprint",
        &pk,
        &sprint_sk(number),
        Expr::set("SET #state = :active, started_at = :at, version = version + :one")
            .when("#state = :planned")
            .name("#state", "state")
            .value(":active", s(SprintState::Active.as_str()))
            .value(":planned", s(SprintState::Planned.as_str()))
            .value(":at", s(at.to_rfc3339()))
            .value(":one", n(1)),
    );
    log(
        &mut tx,
        key,
        &sprint_entry(actor, at, "started sprint", &sprint),
    );
    match tx.run(store).await {
        Ok(()) => Ok(Sprint {
            state: SprintState::Active,
            started_at: Some(at),
            version: sprint.version + 1,
            ..sprint
        }),
        Err(e) if e.failed("project") => {
            let head = super::get_project(store, key).await?;
            match head {
                Some(p) if p.manager.id != actor.id => refused(Refused::NotManager),
                Some(_) => refused(Refused::AnotherActive),
                None => refused(Refused::NotMember),
            }
        }
        Err(e) if e.failed("sprint") => refused(Refused::NotPlanned),
        Err(e) if e.is_conflict() => refused(Refused::Busy),
        Err(e) => Err(Refusal::Db(e.into())),
    }
}

/// Every task of one list of the local index, following pages.
async fn whole_list(store: &Store, key: &ProjectKey, prefix: &str) -> Result<Vec<Task>, DbError> {
    let pk = project_pk(key);
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = PageQuery::new(Index::Lsi1, &pk)
            .prefix(prefix)
            .consistent()
            .unlimited()
            .after(cursor.as_deref());
        let (items, next) = store.page::<TaskItem>(q).await?;
        out.extend(items.into_iter().map(|t| t.task));
        match next {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// A sprint's burndown events, oldest first (one Query; more only past 1 MB).
pub async fn burn_events(
    store: &Store,
    key: &ProjectKey,
    sprint: u32,
) -> Result<Vec<BurnEvent>, DbError> {
    let pk = project_pk(key);
    let list = burn_list(sprint);
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = PageQuery::new(Index::Table, &pk)
            .prefix(&list)
            .consistent()
            .unlimited()
            .after(cursor.as_deref());
        let (items, next) = store.page::<BurnItem>(q).await?;
        out.extend(items.into_iter().map(|b| b.event));
        match next {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// A completed sprint whose tasks are still to move, and who completed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ClosingItem {
    pk: String,
    sk: String,
    gsi2pk: String,
    gsi2sk: String,
    project: ProjectKey,
    sprint: u32,
    actor: PersonRef,
}

/// Completed sprints whose tasks are still to move (a server stopped half-way): for the worker.
pub async fn pending_completions(
    store: &Store,
    limit: i32,
) -> Result<Vec<(ProjectKey, u32, PersonRef)>, DbError> {
    let q = PageQuery::new(Index::Gsi2, SPRINT_CLOSE_PENDING).limit(limit);
    let (items, _) = store.page::<ClosingItem>(q).await?;
    Ok(items
        .into_iter()
        .map(|c| (c.project, c.sprint, c.actor))
        .collect())
}

/// Moves the tasks of a completed sprint that are still listed in it, then clears its
/// pending marker (the worker's way back after a stop half-way).
pub async fn resume_completion(
    store: &Store,
    key: &ProjectKey,
    sprint: u32,
    actor: &PersonRef,
) -> Outcome<(), Refused> {
    if let Some(s) = get_sprint(store, key, sprint).await? {
        if s.state == SprintState::Completed {
            finish_completion(store, key, actor, &s).await?;
        }
    }
    store
        .delete(&sprint_close_pk(key, sprint), SPRINT_CLOSE_SK)
        .await?;
    Ok(())
}

/// Tasks moved per transaction when a sprint is completed (each with its history entry and
/// burndown event, within the 100 items of a transaction).
const SPILL_CHUNK: usize = 30;

/// Completes the sprint under way (the manager only). One transaction freezes it — its state,
/// its report (committed and completed points, the unfinished tasks and where they go) — if no
/// task of it changed since it was read; then its tasks move: the closed ones stay in it as
/// history, the unfinished ones go to `spill_to` (the backlog or a planned sprint).
pub async fn complete_sprint(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    number: u32,
    spill_to: Bucket,
    at: DateTime<Utc>,
) -> Outcome<Sprint, Refused> {
    let done = freeze(store, key, actor, number, spill_to, at).await?;
    resume_completion(store, key, number, actor).await?;
    Ok(done)
}

/// Freezes the sprint under way (state, report) with the marker of its tasks still to move.
async fn freeze(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    number: u32,
    spill_to: Bucket,
    at: DateTime<Utc>,
) -> Outcome<Sprint, Refused> {
    let pk = project_pk(key);
    let at = micros(at);
    let mut backoff = Backoff::new();
    let done = loop {
        let Some(sprint) = get_sprint(store, key, number).await? else {
            return refused(Refused::NotActive);
        };
        if sprint.state != SprintState::Active {
            return refused(Refused::NotActive);
        }
        let target_name = match spill_to {
            Bucket::Backlog => "Backlog".to_owned(),
            Bucket::Sprint(m) => match get_sprint(store, key, m).await? {
                Some(t) if t.state == SprintState::Planned && m != number => t.name,
                _ => return refused(Refused::BadTarget),
            },
        };
        let tasks = whole_list(store, key, &plan_list(Some(number))).await?;
        let events = burn_events(store, key, number).await?;
        let chart = burndown(&sprint, &events, at);
        let mut report = SprintReport {
            committed: chart.committed,
            completed: 0,
            done: Tally::default(),
            not_done: Tally::default(),
            spillover: Vec::new(),
            spilled_to: spill_to.sprint(),
            spilled_to_name: target_name,
        };
        for t in &tasks {
            let p = t.points.map(i64::from).unwrap_or(0);
            if t.status.is_closed() {
                report.done.tasks += 1;
                report.done.points += p;
            } else {
                report.not_done.tasks += 1;
                report.not_done.points += p;
                report.spillover.push(ReportTask {
                    number: t.number,
                    title: t.title.clone(),
                    points: t.points,
                    status: t.status.as_str().into(),
                });
            }
        }
        report.completed = report.done.points;
        let frozen = Sprint {
            state: SprintState::Completed,
            completed_at: Some(at),
            report: Some(report),
            version: sprint.version + 1,
            ..sprint.clone()
        };
        let mut tx = Tx::new(store);
        tx.update(
            "project",
            &pk,
            PROJECT_META_SK,
            Expr::set("REMOVE active_sprint")
                .when("manager.id = :me AND active_sprint = :n")
                .value(":me", s(&actor.id))
                .value(":n", n(number)),
        )
        .replace_value(
            "sprint",
            &SprintItem {
                pk: pk.clone(),
                sk: sprint_sk(number),
                sprint: frozen.clone(),
            },
            Expr::condition("version = :v").value(":v", n(sprint.version)),
        );
        log(
            &mut tx,
            key,
            &sprint_entry(actor, at, "completed sprint", &frozen),
        );
        tx.create_value(
            "closing",
            &ClosingItem {
                pk: sprint_close_pk(key, number),
                sk: SPRINT_CLOSE_SK.into(),
                gsi2pk: SPRINT_CLOSE_PENDING.into(),
                gsi2sk: newest_sk(&at, &sprint_close_pk(key, number)),
                project: key.clone(),
                sprint: number,
                actor: actor.clone(),
            },
        );
        match tx.run(store).await {
            Ok(()) => break frozen,
            Err(e) if e.failed("project") => {
                return match super::get_project(store, key).await? {
                    Some(p) if p.manager.id != actor.id => refused(Refused::NotManager),
                    _ => refused(Refused::NotActive),
                };
            }
            // A task of the sprint changed while we read: read again.
            Err(e) if e.failed("sprint") || e.is_conflict() => {
                if !backoff.wait().await {
                    return refused(Refused::Busy);
                }
            }
            Err(e) => return Err(Refusal::Db(e.into())),
        }
    };
    Ok(done)
}

/// The first step of [`complete_sprint`] alone (the sprint frozen, its tasks not moved yet):
/// what a server that stops right after it leaves behind. For tests of the resumption.
pub async fn freeze_sprint_only(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    number: u32,
    spill_to: Bucket,
    at: DateTime<Utc>,
) -> Outcome<Sprint, Refused> {
    freeze(store, key, actor, number, spill_to, at).await
}

/// Moves the tasks still listed in a completed sprint: closed ones become its history, open
/// ones go where its report says. Safe to run again (after a crash half-way).
pub async fn finish_completion(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    sprint: &Sprint,
) -> Outcome<(), Refused> {
    let pk = project_pk(key);
    let mut target = sprint.report.as_ref().and_then(|r| r.spilled_to);
    if let Some(m) = target {
        // Completed meanwhile (a resumption long after): the backlog takes the spillover.
        let open = get_sprint(store, key, m)
            .await?
            .is_some_and(|t| t.state != SprintState::Completed);
        if !open {
            target = None;
        }
    }
    let mut backoff = Backoff::new();
    loop {
        let tasks = whole_list(store, key, &plan_list(Some(sprint.number))).await?;
        if tasks.is_empty() {
            return Ok(());
        }
        let last = edge_rank(store, key, target, true).await?;
        let open = tasks.iter().filter(|t| !t.status.is_closed()).count();
        let mut ranks = rank::after_each(last.as_deref(), open).into_iter();
        let mut failed = false;
        for chunk in tasks.chunks(SPILL_CHUNK) {
            let at = micros(store.now());
            let mut tx = Tx::new(store);
            let (mut total, mut closed) = (Tally::default(), Tally::default());
            for t in chunk {
                let mut moved = t.clone();
                moved.version += 1;
                if t.status.is_closed() {
                    moved.archived = true;
                } else {
                    moved.sprint = target;
                    moved.rank = ranks.next().unwrap_or_else(|| t.rank.clone());
                    moved.updated_at = at;
                    let why = format!("spillover from {}", sprint.name);
                    let mut entry =
                        activity(actor, at, "moved", Some(&moved), task_changes(t, &moved));
                    entry.action = why;
                    log(&mut tx, key, &entry);
                    if let Some(m) = target {
                        let b = BurnState::of(&moved);
                        let outside = BurnState { sprint: None, ..b };
                        for (_, ev) in outside.events(b, t.number, at) {
                            burn(&mut tx, key, m, &ev);
                        }
                        let (dt, dc) = outside.delta(b, m);
                        total.tasks += dt.tasks;
                        total.points += dt.points;
                        closed.tasks += dc.tasks;
                        closed.points += dc.points;
                    }
                }
                tx.replace_value(
                    "task",
                    &TaskItem::new(&pk, moved),
                    Expr::condition("version = :v").value(":v", n(t.version)),
                );
            }
            if let Some(m) = target {
                if total.tasks != 0 {
                    add_to_sprint(&mut tx, "sprint_to", key, m, total, closed);
                }
            }
            match tx.run(store).await {
                Ok(()) => {}
                Err(e) if e.failed("sprint_to") => return refused(Refused::BadTarget),
                Err(e) if e.failed("task") || e.is_conflict() => {
                    failed = true;
                    break;
                }
                Err(e) => return Err(Refusal::Db(e.into())),
            }
        }
        if failed && !backoff.wait().await {
            return refused(Refused::Busy);
        }
    }
}

/// The rank at the top (`last` false) or the bottom of a list of open work.
pub async fn edge_rank(
    store: &Store,
    key: &ProjectKey,
    sprint: Option<u32>,
    last: bool,
) -> Result<Option<String>, DbError> {
    let pk = project_pk(key);
    let list = plan_list(sprint);
    let mut q = PageQuery::new(Index::Lsi1, &pk)
        .prefix(&list)
        .consistent()
        .limit(1);
    if last {
        q = q.newest_first();
    }
    let (items, _) = store.page::<TaskItem>(q).await?;
    Ok(items.into_iter().next().map(|t| t.task.rank))
}

/// The neighbours of `task` in its list: up to two before it (nearest first) or after it.
async fn neighbours(
    store: &Store,
    key: &ProjectKey,
    task: &Task,
    before: bool,
) -> Result<Vec<Task>, DbError> {
    let pk = project_pk(key);
    let list = plan_list(task.sprint);
    let me = TaskItem::lsi_key(task);
    let end = format!("{list}~");
    let range = if before {
        SortKey::Between(&list, &me)
    } else {
        SortKey::Between(&me, &end)
    };
    let mut q = PageQuery::new(Index::Lsi1, &pk)
        .sort_key(range)
        .consistent()
        .limit(3);
    if before {
        q = q.newest_first();
    }
    let (items, _) = store.page::<TaskItem>(q).await?;
    Ok(items
        .into_iter()
        .map(|t| t.task)
        .filter(|t| t.number != task.number)
        .take(2)
        .collect())
}

/// The rank that puts `task` at `place` in `target`; None when it is there already.
pub async fn rank_for(
    store: &Store,
    key: &ProjectKey,
    task: &Task,
    target: Bucket,
    place: Placement,
) -> Result<Option<String>, DbError> {
    let same = target.sprint() == task.sprint;
    let j = jitter();
    let r = match place {
        Placement::Top => {
            let first = edge_rank(store, key, target.sprint(), false).await?;
            if same && first.as_deref() == Some(task.rank.as_str()) {
                return Ok(None);
            }
            rank::between(None, first.as_deref(), j)
        }
        Placement::Bottom => {
            let last = edge_rank(store, key, target.sprint(), true).await?;
            if same && last.as_deref() == Some(task.rank.as_str()) {
                return Ok(None);
            }
            rank::between(last.as_deref(), None, j)
        }
        Placement::Up | Placement::Down if !same => {
            let last = edge_rank(store, key, target.sprint(), true).await?;
            rank::between(last.as_deref(), None, j)
        }
        Placement::Up => {
            let above = neighbours(store, key, task, true).await?;
            match above.as_slice() {
                [] => return Ok(None),
                [p1] => rank::between(None, Some(&p1.rank), j),
                [p1, p2, ..] => rank::between(Some(&p2.rank), Some(&p1.rank), j),
            }
        }
        Placement::Down => {
            let below = neighbours(store, key, task, false).await?;
            match below.as_slice() {
                [] => return Ok(None),
                [n1] => rank::between(Some(&n1.rank), None, j),
                [n1, n2, ..] => rank::between(Some(&n1.rank), Some(&n2.rank), j),
            }
        }
        Placement::Between { after, before } => {
            let read = |n: Option<u32>| async move {
                match n {
                    Some(n) if n != task.number => super::get_task(store, key, n).await,
                    _ => Ok(None),
                }
            };
            let (a, b) = tokio::try_join!(read(after), read(before))?;
            // A neighbour that is no longer in the target list does not bind.
            let inside = |t: &Option<Task>| {
                t.as_ref()
                    .filter(|t| !t.archived && t.sprint == target.sprint())
                    .map(|t| t.rank.clone())
            };
            rank::between(inside(&a).as_deref(), inside(&b).as_deref(), j)
        }
    };
    Ok(Some(r))
}

/// The condition of a filter on the open work (the title search reads a lower-case copy).
fn filter_expr(f: &Filter) -> Option<Expr> {
    if f.is_empty() {
        return None;
    }
    let mut e = Expr::default();
    if let Some(q) = &f.text {
        e = e
            .when("contains(#search, :q)")
            .name("#search", "search")
            .value(":q", s(q));
    }
    if let Some(a) = &f.assignee {
        e = e.when("assignee = :who").value(":who", s(a));
    }
    if let Some(st) = f.status {
        e = e
            .when("#st = :st")
            .name("#st", "status")
            .value(":st", s(st.as_str()));
    }
    if let Some(story) = f.story {
        e = e.when("story = :story").value(":story", n(story));
    }
    if let Some(p) = f.priority {
        e = e.when("priority = :prio").value(":prio", s(p.as_str()));
    }
    Some(e)
}

/// One page of a list of tasks in the local index (`prefix`: the open work, a sprint's, the
/// backlog's, or a completed sprint's), at most `limit` tasks that match `filter`, in one
/// Query: unfiltered, `limit` items; filtered, up to 1 MB read (DynamoDB's filter), cut at
/// `limit` with a link that continues after the last one shown.
pub async fn task_page(
    store: &Store,
    key: &ProjectKey,
    prefix: &str,
    filter: &Filter,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<Task>, DbError> {
    let pk = project_pk(key);
    let expr = filter_expr(filter);
    let mut q = PageQuery::new(Index::Lsi1, &pk)
        .prefix(prefix)
        .consistent()
        .after(cursor)
        .limit(limit);
    if expr.is_some() {
        q = q.unlimited().filter(expr.as_ref());
    }
    let (items, mut next) = store.page_items(q).await?;
    let limit = limit.clamp(1, 100) as usize;
    if items.len() > limit {
        let last: &Item = &items[limit - 1];
        let key_strings = cursor::key_strings(
            &Index::Lsi1
                .key_attributes()
                .into_iter()
                .filter_map(|a| last.get(a).map(|v| (a.to_owned(), v.clone())))
                .collect(),
        );
        next = Some(store.link(&q, &key_strings));
    }
    let items = items
        .into_iter()
        .take(limit)
        .map(|i| from_item::<TaskItem>(i).map(|t| t.task))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, next })
}

/// A page of the project's activity log, newest first.
pub async fn activity_page(
    store: &Store,
    key: &ProjectKey,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<Activity>, DbError> {
    let pk = project_pk(key);
    let q = PageQuery::new(Index::Table, &pk)
        .prefix(ACTIVITY_PREFIX)
        .newest_first()
        .consistent()
        .after(cursor)
        .limit(limit);
    let (items, next) = store.page::<ActivityItem>(q).await?;
    Ok(Page {
        items: items.into_iter().map(|a| a.entry).collect(),
        next,
    })
}

/// A task's history, newest first (up to `limit` entries).
pub async fn task_history(
    store: &Store,
    key: &ProjectKey,
    task: u32,
    limit: i32,
) -> Result<Vec<Activity>, DbError> {
    let pk = project_pk(key);
    let list = history_list(task);
    let q = PageQuery::new(Index::Lsi1, &pk)
        .prefix(&list)
        .newest_first()
        .consistent()
        .limit(limit);
    let (items, _) = store.page::<ActivityItem>(q).await?;
    Ok(items.into_iter().map(|a| a.entry).collect())
}

/// A large plan for benchmarks and budget tests: `sprints` sprints (all completed but the last
/// three: one under way, two planned) and `tasks` tasks spread over them and the backlog,
/// written in batches (not through the app's transactions: only with the `bench` feature).
/// The project must exist; its header's counters are set to match.
#[cfg(feature = "bench")]
pub async fn bulk_load_plan(
    store: &Store,
    key: &ProjectKey,
    assignees: &[String],
    tasks: u32,
    sprints: u32,
) -> Result<(), DbError> {
    use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
    use futures::stream::{self, StreamExt, TryStreamExt};
    let pk = project_pk(key);
    let now = store.now();
    let today = now.date_naive();
    let sprints = sprints.max(3);
    let active = sprints - 2;
    let mut items: Vec<Item> = Vec::new();
    // Tasks per sprint: 60; the rest in the backlog.
    let per_sprint = 60u32;
    let mut counts = StatusCounts::default();
    let mut tallies = vec![(Tally::default(), Tally::default()); sprints as usize + 1];
    let ranks = rank::after_each(None, tasks as usize);
    for i in 0..tasks {
        let number = i + 1;
        let sprint = (i / per_sprint + 1).min(sprints + 1);
        let sprint = (sprint <= sprints).then_some(sprint);
        let status = match sprint {
            Some(s) if s < active => TaskStatus::Done,
            _ => TaskStatus::ALL[i as usize % 4],
        };
        let points = Some(POINTS[i as usize % POINTS.len()]);
        let task = Task {
            key: key.clone(),
            number,
            title: format!("Task {number}: make the checkout remember the last address"),
            description: "As a customer I want this to work the way I expect.".into(),
            story: None,
            assignee: assignees.get(i as usize % assignees.len().max(1)).cloned(),
            start_date: None,
            end_date: None,
            status,
            points,
            priority: Priority::ALL[i as usize % Priority::ALL.len()],
            sprint,
            rank: ranks[i as usize].clone(),
            archived: sprint.is_some_and(|s| s < active),
            comment_count: 0,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        counts.add(status, 1);
        if let Some(s) = sprint {
            let p = points.map(i64::from).unwrap_or(0);
            let (total, closed) = &mut tallies[s as usize];
            total.tasks += 1;
            total.points += p;
            if status.is_closed() {
                closed.tasks += 1;
                closed.points += p;
            }
        }
        items.push(crate::db::to_item(&TaskItem::new(&pk, task))?);
    }
    for n in 1..=sprints {
        let start = today - chrono::Duration::days(14 * i64::from(active - n.min(active)) + 7);
        let state = match n {
            n if n < active => SprintState::Completed,
            n if n == active => SprintState::Active,
            _ => SprintState::Planned,
        };
        let (total, closed) = tallies[n as usize];
        let sprint = Sprint {
            number: n,
            name: format!("Sprint {n}"),
            goal: "Ship what we promised.".into(),
            start,
            end: start + chrono::Duration::days(13),
            state,
            started_at: (state != SprintState::Planned).then_some(now),
            completed_at: (state == SprintState::Completed).then_some(now),
            total,
            closed,
            report: (state == SprintState::Completed).then(|| SprintReport {
                committed: total.points,
                completed: closed.points,
                done: closed,
                not_done: Tally::default(),
                spillover: Vec::new(),
                spilled_to: None,
                spilled_to_name: "Backlog".into(),
            }),
            version: 1,
        };
        items.push(crate::db::to_item(&SprintItem {
            pk: pk.clone(),
            sk: sprint_sk(n),
            sprint,
        })?);
    }
    let mut batches = Vec::new();
    for chunk in items.chunks(25) {
        let mut writes = Vec::new();
        for item in chunk {
            let put = PutRequest::builder()
                .set_item(Some(item.clone()))
                .build()
                .map_err(|e| DbError::Other(e.to_string()))?;
            writes.push(WriteRequest::builder().put_request(put).build());
        }
        batches.push(writes);
    }
    // Two batches at a time, each retried on a timeout: the loader shares DynamoDB Local with
    // the other tests.
    stream::iter(batches)
        .map(|writes| async move {
            let mut attempt = 0;
            loop {
                match store.batch_write(writes.clone()).await {
                    Err(DbError::Unavailable(_)) if attempt < 3 => attempt += 1,
                    other => return other,
                }
            }
        })
        .buffer_unordered(2)
        .try_collect::<Vec<()>>()
        .await?;
    let header = Expr::set("SET task_seq = :t, sprint_seq = :s, active_sprint = :a, counts = :c")
        .when("attribute_exists(pk)")
        .value(":t", n(tasks))
        .value(":s", n(sprints))
        .value(":a", n(active))
        .value(":c", crate::db::value(&counts)?);
    store.update(&pk, PROJECT_META_SK, header).await?;
    Ok(())
}
