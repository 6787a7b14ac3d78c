//! Sprints: create, start (one under way per project), complete (freeze, then move the tasks;
//! a pending marker lets the worker finish a completion cut short).

use super::log::activity;
use super::log::{add_to_sprint, burn, log};
use super::plan::whole_list;
use super::{burn_events, edge_rank, refused, Busy, Refused, TaskItem};
use crate::accounts::model::PersonRef;
use crate::db::keys::*;
use crate::db::retry::{retrying, Backoff, Try};
use crate::db::{n, s, DbError, Expr, Outcome, PageQuery, Refusal, Store, Tx};
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

/// Creates a planned sprint (the manager only). Its number is taken inside the creating
/// transaction, under a condition on the project's counter (as tasks' are: see
/// `tasks::create_numbered`), so sprint numbers have no gaps, even when the SDK sends a
/// transaction again after a lost answer.
pub async fn create_sprint(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    fields: SprintFields,
) -> Outcome<Sprint, Refused> {
    let (pk, fields) = (&project_pk(key), &fields);
    let backoff = Backoff::with_retries(super::tasks::NUMBERING_RETRIES);
    retrying(backoff, Refused::Busy(Busy::Sprint), || async move {
        // The head as it is now: who manages the project, and the last sprint's number.
        let seq = match super::get_project(store, key).await? {
            Some(p) if p.manager.id == actor.id => p.sprint_seq,
            _ => return Ok(Try::Refused(Refused::NotManager)),
        };
        let Some(number) = seq.checked_add(1).filter(|n| *n <= MAX_NUMBER) else {
            return Ok(Try::Refused(Refused::Full));
        };
        let now = key_time(store.now());
        let sprint = Sprint {
            number,
            name: fields.name.clone(),
            goal: fields.goal.clone(),
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
        let condition = if seq == 0 {
            "manager.id = :me AND (attribute_not_exists(sprint_seq) OR sprint_seq = :seen)"
        } else {
            "manager.id = :me AND sprint_seq = :seen"
        };
        let mut tx = Tx::new(store);
        tx.update(
            "project",
            pk,
            PROJECT_META_SK,
            Expr::set("SET sprint_seq = :n")
                .when(condition)
                .value(":me", s(&actor.id))
                .value(":n", n(number))
                .value(":seen", n(seq)),
        )
        .create_value(
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
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(sprint),
            // Another sprint took the number (or the manager changed): read the head again.
            Err(e) if e.failed("project") || e.failed("sprint") => Try::Again,
            Err(e) => return Err(e),
        })
    })
    .await
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
    let at = key_time(at);
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
        Err(e) if e.is_conflict() => refused(Refused::Busy(Busy::Sprint)),
        Err(e) => Err(Refusal::Db(e.into())),
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
    let at = key_time(at);
    retrying(Backoff::new(), Refused::Busy(Busy::Sprint), || async move {
        let (sprint, target_name) = match completable(store, key, number, spill_to).await? {
            Ok(found) => found,
            Err(refused) => return Ok(Try::Refused(refused)),
        };
        let tasks = whole_list(store, key, &plan_list(Some(number))).await?;
        let events = burn_events(store, key, number).await?;
        let committed = burndown(&sprint, &events, at).committed;
        let report = SprintReport::of(committed, &tasks, spill_to.sprint(), target_name);
        let frozen = Sprint {
            state: SprintState::Completed,
            completed_at: Some(at),
            report: Some(report),
            version: sprint.version + 1,
            ..sprint.clone()
        };
        let tx = freezing(store, key, actor, &sprint, &frozen, at);
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(frozen),
            Err(e) if e.failed("project") => match super::get_project(store, key).await? {
                Some(p) if p.manager.id != actor.id => Try::Refused(Refused::NotManager),
                _ => Try::Refused(Refused::NotActive),
            },
            // The sprint changed while we read: read again.
            Err(e) if e.failed("sprint") => Try::Again,
            Err(e) => return Err(e),
        })
    })
    .await
}

/// The sprint `number` if it is under way, and the name of where its unfinished tasks go
/// (the backlog, or another sprint still planned).
async fn completable(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    spill_to: Bucket,
) -> Result<Result<(Sprint, String), Refused>, DbError> {
    let sprint = match get_sprint(store, key, number).await? {
        Some(sprint) if sprint.state == SprintState::Active => sprint,
        _ => return Ok(Err(Refused::NotActive)),
    };
    let target_name = match spill_to {
        Bucket::Backlog => BACKLOG_NAME.to_owned(),
        Bucket::Sprint(m) => match get_sprint(store, key, m).await? {
            Some(t) if t.state == SprintState::Planned && m != number => t.name,
            _ => return Ok(Err(Refused::BadTarget)),
        },
    };
    Ok(Ok((sprint, target_name)))
}

/// The transaction that completes `sprint` as `frozen`: the project no longer has a sprint
/// under way (if `actor` manages it), the sprint is replaced unless it changed, the log
/// says so, and the marker of the tasks still to move is written.
fn freezing(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    sprint: &Sprint,
    frozen: &Sprint,
    at: DateTime<Utc>,
) -> Tx {
    let pk = project_pk(key);
    let number = sprint.number;
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
        &sprint_entry(actor, at, "completed sprint", frozen),
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
    tx
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
    // Each try moves the tasks still listed, a chunk per transaction, until none is left; a
    // chunk that lost a race ends the try, and the next one reads the list again.
    retrying(Backoff::new(), Refused::Busy(Busy::Sprint), || async move {
        loop {
            let tasks = whole_list(store, key, &plan_list(Some(sprint.number))).await?;
            if tasks.is_empty() {
                return Ok(Try::Done(()));
            }
            let last = edge_rank(store, key, target, true).await?;
            let open = tasks.iter().filter(|t| !t.status.is_closed()).count();
            let mut ranks = rank::after_each(last.as_deref(), open).into_iter();
            for chunk in tasks.chunks(SPILL_CHUNK) {
                let tx = spilling(store, key, actor, sprint, target, chunk, &mut ranks);
                match tx.run(store).await {
                    Ok(()) => {}
                    Err(e) if e.failed("sprint_to") => return Ok(Try::Refused(Refused::BadTarget)),
                    Err(e) if e.failed("task") => return Ok(Try::Again),
                    Err(e) => return Err(e),
                }
            }
            // Every chunk moved: read the list again (it is empty, unless tasks arrived).
        }
    })
    .await
}

/// The transaction that moves `chunk` of a completed sprint's tasks, each unless it changed:
/// a closed task stays as the sprint's history (archived), an open one goes to `target` (a
/// sprint, or the backlog) at the next of `ranks`, logged, and counted in the target's burndown.
fn spilling(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    sprint: &Sprint,
    target: Option<u32>,
    chunk: &[Task],
    ranks: &mut impl Iterator<Item = String>,
) -> Tx {
    let pk = project_pk(key);
    let at = key_time(store.now());
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
            let mut entry = activity(actor, at, "moved", Some(&moved), task_changes(t, &moved));
            entry.action = format!("spillover from {}", sprint.name);
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
    if let (Some(m), true) = (target, total.tasks != 0) {
        add_to_sprint(&mut tx, "sprint_to", key, m, total, closed);
    }
    tx
}
