//! Scrum: who plans, starts and completes sprints (the project manager), who moves tasks (any
//! member), a sprint's page (burndown, report, velocity), the activity log and its exports.

use super::{as_manager, head, refusal, ACTIVITY_PAGE, TASKS_PAGE};
use crate::accounts::model::PersonRef;
use crate::db::keys::{plan_list, PLAN_PREFIX};
use crate::db::Store;
use crate::error::AppError;
use crate::projects::model::*;
use crate::projects::store;
use chrono::{DateTime, Utc};

/// Creates a planned sprint (the project manager only).
pub async fn create_sprint(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    form: &SprintForm,
) -> Result<Sprint, AppError> {
    let fields = form.parse()?;
    match store::create_sprint(store, key, actor, fields).await {
        Ok(s) => Ok(s),
        Err(r) => Err(as_manager(store, key, &actor.id, r).await),
    }
}

/// Starts a planned sprint (the project manager only; one sprint under way at a time).
pub async fn start_sprint(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    sprint: &str,
    at: DateTime<Utc>,
) -> Result<Sprint, AppError> {
    let number = sprint_number(sprint)?;
    match store::start_sprint(store, key, actor, number, at).await {
        Ok(s) => Ok(s),
        Err(r) => Err(as_manager(store, key, &actor.id, r).await),
    }
}

/// Completes the sprint under way (the project manager only): its unfinished tasks go to the
/// backlog or to a planned sprint, as the manager chooses.
pub async fn complete_sprint(
    store: &Store,
    key: &ProjectKey,
    actor: &PersonRef,
    form: &CompleteForm,
    at: DateTime<Utc>,
) -> Result<Sprint, AppError> {
    let number = sprint_number(&form.sprint)?;
    let to = Bucket::parse(&form.spill_to)?;
    match store::complete_sprint(store, key, actor, number, to, at).await {
        Ok(s) => Ok(s),
        Err(r) => Err(as_manager(store, key, &actor.id, r).await),
    }
}

fn sprint_number(raw: &str) -> Result<u32, AppError> {
    match Bucket::parse(raw) {
        Ok(Bucket::Sprint(n)) => Ok(n),
        _ => Err(AppError::NotFound),
    }
}

/// Moves a task within its list or to another (any member).
pub async fn place_task(
    store: &Store,
    actor: &PersonRef,
    form: &PlaceForm,
) -> Result<Task, AppError> {
    let (r, to, place) = form.parse()?;
    store::place_task(store, &r.key, r.number, actor, to, place)
        .await
        .map_err(refusal)
}

/// A sprint's page: its burndown (from its events, as of `now`; frozen once completed), its
/// report, and the project's velocity. Two calls: the head and the sprint's events.
pub async fn sprint_page(
    store: &Store,
    key: &ProjectKey,
    viewer: &str,
    sprint: &str,
    now: DateTime<Utc>,
) -> Result<SprintPage, AppError> {
    let number = sprint_number(sprint)?;
    let (board, events) = tokio::join!(
        head(store, key, viewer),
        store::burn_events(store, key, number)
    );
    let board = board?;
    let sprint = board.sprint(number).cloned().ok_or(AppError::NotFound)?;
    let chart = burndown(&sprint, &events?, now);
    let velocity = velocity(&board.sprints);
    Ok(SprintPage {
        board,
        sprint,
        chart,
        velocity,
    })
}

/// A page of the project's activity log, newest first.
pub async fn activity(
    store: &Store,
    key: &ProjectKey,
    viewer: &str,
    cursor: Option<&str>,
) -> Result<ActivityPage, AppError> {
    let (board, page) = tokio::join!(
        head(store, key, viewer),
        store::activity_page(store, key, cursor, ACTIVITY_PAGE)
    );
    let board = board?;
    let page = page?;
    Ok(ActivityPage {
        board,
        entries: page.items,
        next: page.next,
    })
}

/// Most entries one export holds (the newest).
pub const EXPORT_MAX: usize = 10_000;

/// The project's activity log for export, newest first (at most [`EXPORT_MAX`] entries).
pub async fn activity_export(
    store: &Store,
    key: &ProjectKey,
    viewer: &str,
) -> Result<(ProjectView, Vec<Activity>), AppError> {
    let board = head(store, key, viewer).await?;
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store::activity_page(store, key, cursor.as_deref(), 100).await?;
        all.extend(page.items);
        match page.next {
            Some(c) if all.len() < EXPORT_MAX => cursor = Some(c),
            _ => break,
        }
    }
    all.truncate(EXPORT_MAX);
    Ok((board, all))
}

/// The activity export as CSV (RFC 4180, CRLF lines): one row per change, or one for an
/// entry with no field changes. A cell a spreadsheet would run as a formula (`=`, `+`, `-`,
/// `@` first) is prefixed with `'`, so that it stays text.
pub fn activity_csv(board: &ProjectView, entries: &[Activity]) -> Result<String, AppError> {
    let text = |v: &str| {
        if v.starts_with(['=', '+', '-', '@']) {
            format!("'{v}")
        } else {
            v.to_owned()
        }
    };
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::internal(format!("activity CSV: {e}"));
    out.write_record([
        "time", "actor", "action", "task", "subject", "field", "old", "new",
    ])
    .map_err(failed)?;
    for e in entries {
        let task = e
            .task
            .map(|n| format!("{}-{n}", board.project.key))
            .unwrap_or_default();
        let none = [(String::new(), String::new(), String::new())];
        let changes: Vec<(String, String, String)> = if e.changes.is_empty() {
            none.to_vec()
        } else {
            e.changes
                .iter()
                .map(|c| (c.field.clone(), c.old.clone(), c.new.clone()))
                .collect()
        };
        for (field, old, new) in &changes {
            let row = [
                &e.at.to_rfc3339(),
                &e.actor.handle,
                &e.action,
                &task,
                &e.subject,
                field,
                old,
                new,
            ];
            out.write_record(row.map(|c| text(c))).map_err(failed)?;
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::internal(format!("activity CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(format!("activity CSV: {e}")))
}

/// The backlog page (P3): the head, then one page of the open work — the sprints' tasks, then
/// the backlog's, each by rank — that matches the filter. Two calls.
pub async fn backlog(
    store: &Store,
    key: &ProjectKey,
    viewer: &str,
    filter: &TaskFilter,
    cursor: Option<&str>,
) -> Result<ProjectView, AppError> {
    let filter = filter.parse(viewer)?;
    let mut board = head(store, key, viewer).await?;
    let page = store::task_page(store, key, PLAN_PREFIX, &filter, cursor, TASKS_PAGE).await?;
    board.tasks = page.items;
    board.next = page.next;
    Ok(board)
}

/// The sprint board: the head, then the sprint under way's tasks that match the filter (with
/// no sprint under way: the open work, as a kanban board). Two calls.
pub async fn sprint_board(
    store: &Store,
    key: &ProjectKey,
    viewer: &str,
    filter: &TaskFilter,
    cursor: Option<&str>,
) -> Result<ProjectView, AppError> {
    let filter = filter.parse(viewer)?;
    let mut board = head(store, key, viewer).await?;
    let list = match board.active_sprint() {
        Some(s) => plan_list(Some(s.number)),
        None => PLAN_PREFIX.to_owned(),
    };
    let page = store::task_page(store, key, &list, &filter, cursor, TASKS_PAGE).await?;
    board.tasks = page.items;
    board.next = page.next;
    Ok(board)
}

/// The head and the first page of the open work, unfiltered.
pub async fn board(store: &Store, key: &ProjectKey, viewer: &str) -> Result<ProjectView, AppError> {
    backlog(store, key, viewer, &TaskFilter::default(), None).await
}
