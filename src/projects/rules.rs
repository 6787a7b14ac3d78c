//! Projects: who may do what, what the user is told, and the invitation mail.
//!
//! Layer rule (every area's `rules`): the only place that decides who may do what and the only
//! place (with `model`'s validators) that writes text a user reads. Server functions call these
//! functions; these call the area's `store` and turn its named outcomes into [`AppError`]s.
//!
//! Who may do what in a project: its members read it, create and edit stories and tasks, move
//! tasks and comment; its manager also adds and removes members, hands the role over, and
//! deletes tasks. A non-member is told the project does not exist (404); a member who tries a
//! manager's act is refused (403). Writes carry these checks as conditions in their own
//! transaction, so a membership change takes effect at once.

use crate::accounts::model::{Handle, PersonRef, SessionUser};
use crate::accounts::rules::active_accounts;
use crate::accounts::store::User;
use crate::db::keys::{plan_list, PLAN_PREFIX};
use crate::db::outbox::{Letter, OutboxMail, Recipient};
use crate::db::{Refusal, Store};
use crate::error::AppError;
use crate::model::{text_field, Delivery, Page};
use crate::projects::model::*;
use crate::projects::store::{self, NewProject, Refused};
use chrono::{DateTime, Utc};

/// Most initial members in one creation (a transaction holds at most 100 items: the project,
/// each member and each member's mail).
pub const MAX_INITIAL_MEMBERS: usize = 40;

/// Comments per page of a task.
pub const COMMENTS_PAGE: i32 = 30;

/// What the user is told when a write is refused (acts that need the manager go through
/// [`as_manager`] first, which tells a member from a stranger).
fn refusal(r: Refusal<Refused>) -> AppError {
    let r = match r {
        Refusal::Refused(r) => r,
        Refusal::Db(e) => return e.into(),
    };
    match r {
        Refused::NotMember | Refused::TaskMissing => AppError::NotFound,
        Refused::NotManager => AppError::Forbidden,
        Refused::KeyTaken => AppError::conflict("This project key is taken. Choose another one."),
        Refused::TaskChanged => AppError::conflict("This task changed. Reload and try again."),
        Refused::BadReference => {
            AppError::validation("The story or the assignee is not part of this project.")
        }
        Refused::AlreadyMember => AppError::conflict("That person is already a member."),
        Refused::NotAMember => AppError::validation("That person is not a member."),
        Refused::Full => {
            AppError::conflict("This project has reached its maximum number of items.")
        }
        Refused::Busy => AppError::conflict("This task is busy. Try again."),
        Refused::SprintClosed => {
            AppError::conflict("That sprint is completed (or gone): its tasks are history.")
        }
        Refused::SprintClosing => AppError::conflict(
            "This task's sprint is being completed right now. Reload in a moment.",
        ),
        Refused::NotPlanned => AppError::conflict("This sprint has been started already."),
        Refused::AnotherActive => {
            AppError::conflict("Another sprint is under way: complete it before starting this one.")
        }
        Refused::NotActive => AppError::conflict("This sprint is not under way."),
        Refused::BadTarget => {
            AppError::validation("Unfinished tasks go to the backlog or to a planned sprint.")
        }
    }
}

/// A manager's act was refused because `actor` does not manage the project: 403 for a member,
/// 404 for anyone else (who must not learn that the project exists).
async fn as_manager(store: &Store, key: &ProjectKey, actor: &str, r: Refusal<Refused>) -> AppError {
    match r {
        Refusal::Refused(Refused::NotManager) => match store::is_member(store, key, actor).await {
            Ok(true) => AppError::Forbidden,
            Ok(false) => AppError::NotFound,
            Err(e) => e.into(),
        },
        other => refusal(other),
    }
}

/// Handles typed in a form: separated by commas, spaces or new lines, `@` optional.
pub fn parse_handles(raw: &str) -> Result<Vec<Handle>, AppError> {
    let mut out: Vec<Handle> = Vec::new();
    for part in raw
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let h = Handle::parse(part).map_err(|_| {
            AppError::validation(format!("\u{201c}{part}\u{201d} is not a handle."))
        })?;
        if !out.contains(&h) {
            out.push(h);
        }
    }
    Ok(out)
}

/// The mail that tells `to` they were added to a project; its delivery state is mirrored on
/// their member item.
pub fn invitation(
    public_url: &str,
    to: &User,
    actor: &PersonRef,
    key: &ProjectKey,
    name: &str,
    manager: &PersonRef,
) -> OutboxMail {
    let text = format!(
        "Hello {to_name},\n\nYou have been added to project {name} ({key}) by {actor_name} (@{actor_handle}).\n\
         The project manager is {pm_name} (@{pm_handle}).\n\nOpen the project: {public_url}/p/{key}\n\n— minijira\n",
        to_name = to.display_name,
        actor_name = actor.display_name,
        actor_handle = actor.handle,
        pm_name = manager.display_name,
        pm_handle = manager.handle,
    );
    let letter = Letter {
        to: Recipient::Address(to.email.clone()),
        subject: format!("You have been added to project {name}"),
        text,
    };
    OutboxMail::new(letter, Some(store::member_track(key, &to.id)), Utc::now())
}

/// Creates a project: the creator, the manager and the listed people become members, and
/// everyone but the creator gets an invitation mail.
pub async fn create_project(
    store: &Store,
    public_url: &str,
    me: &SessionUser,
    form: &NewProjectForm,
) -> Result<ProjectKey, AppError> {
    let key = ProjectKey::parse(&form.key)?;
    let name = text_field(&form.name, "project name", 80, true)?;
    let description = text_field(&form.description, "description", 2000, false)?;
    let manager_handle = match form.manager.trim() {
        "" => Handle::parse(&me.handle)?,
        h => Handle::parse(h)
            .map_err(|_| AppError::validation(format!("\u{201c}{h}\u{201d} is not a handle.")))?,
    };
    let mut handles = parse_handles(&form.members)?;
    if handles.len() > MAX_INITIAL_MEMBERS {
        return Err(AppError::validation(format!(
            "Add at most {MAX_INITIAL_MEMBERS} members at creation; add more from the members page."
        )));
    }
    for h in [Handle::parse(&me.handle)?, manager_handle.clone()] {
        if !handles.contains(&h) {
            handles.push(h);
        }
    }
    let users = active_accounts(store, &handles).await?;
    let manager = users
        .get(manager_handle.as_str())
        .map(User::person)
        .ok_or(AppError::Internal)?;
    let actor = PersonRef::from(me);
    let now = Utc::now();
    let mut members = Vec::new();
    let mut mails = Vec::new();
    for h in &handles {
        let Some(u) = users.get(h.as_str()) else {
            continue;
        };
        let invited = u.id != me.id;
        if invited {
            mails.push(invitation(public_url, u, &actor, &key, &name, &manager));
        }
        members.push(Member {
            person: u.person(),
            role: if u.id == manager.id {
                ProjectRole::Manager
            } else {
                ProjectRole::Member
            },
            added_at: now,
            invitation: invited.then_some(Delivery::Queued),
        });
    }
    let project = Project {
        key: key.clone(),
        name,
        description,
        manager,
        counts: StatusCounts::default(),
        created_at: now,
        task_seq: 0,
        story_seq: 0,
        sprint_seq: 0,
        active_sprint: None,
        version: 1,
    };
    let new = NewProject {
        project,
        members,
        mails,
    };
    match store::create(store, new).await {
        Ok(()) => Ok(key),
        Err(Refusal::Refused(Refused::KeyTaken)) => Err(AppError::conflict(format!(
            "The project key {key} is taken. Choose another one."
        ))),
        Err(r) => Err(refusal(r)),
    }
}

/// A project key from a URL or a form: a malformed one is a page that does not exist.
pub fn project_key(raw: &str) -> Result<ProjectKey, AppError> {
    ProjectKey::parse(raw).map_err(|_| AppError::NotFound)
}

pub fn task_ref(raw: &str) -> Result<TaskRef, AppError> {
    TaskRef::parse(raw).map_err(|_| AppError::NotFound)
}

/// Tasks per page of the backlog and the board.
pub const TASKS_PAGE: i32 = 100;

/// Entries per page of the activity log and of a task's history.
pub const ACTIVITY_PAGE: i32 = 50;

/// The head of a project for `viewer` (header, members, sprints, stories; no task), or 404
/// when the project does not exist or the viewer is not a member. Members are listed manager
/// first, then by handle.
pub async fn head(store: &Store, key: &ProjectKey, viewer: &str) -> Result<ProjectBoard, AppError> {
    let data = store::head(store, key).await?.ok_or(AppError::NotFound)?;
    let my_role = data
        .members
        .iter()
        .find(|m| m.person.id == viewer)
        .map(|m| m.role)
        .ok_or(AppError::NotFound)?;
    let mut members = data.members;
    members.sort_by(|a, b| {
        (a.role != ProjectRole::Manager, &a.person.handle)
            .cmp(&(b.role != ProjectRole::Manager, &b.person.handle))
    });
    Ok(ProjectBoard {
        project: data.project,
        members,
        stories: data.stories,
        sprints: data.sprints,
        tasks: Vec::new(),
        next: None,
        my_role,
    })
}

/// The backlog page (P3): the head, then one page of the open work — the sprints' tasks, then
/// the backlog's, each by rank — that matches the filter. Two calls.
pub async fn backlog(
    store: &Store,
    key: &ProjectKey,
    viewer: &str,
    filter: &TaskFilter,
    cursor: Option<&str>,
) -> Result<ProjectBoard, AppError> {
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
) -> Result<ProjectBoard, AppError> {
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
pub async fn board(
    store: &Store,
    key: &ProjectKey,
    viewer: &str,
) -> Result<ProjectBoard, AppError> {
    backlog(store, key, viewer, &TaskFilter::default(), None).await
}

/// My projects and their status (P1).
pub async fn my_projects(
    store: &Store,
    me: &str,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<DashboardRow>, AppError> {
    Ok(store::my_projects(store, me, cursor, limit).await?)
}

pub async fn create_story(
    store: &Store,
    key: &ProjectKey,
    creator: &str,
    fields: StoryFields,
) -> Result<Story, AppError> {
    store::create_story(store, key, creator, fields)
        .await
        .map_err(refusal)
}

pub async fn create_task(
    store: &Store,
    key: &ProjectKey,
    creator: &PersonRef,
    fields: TaskFields,
    seen_seq: Option<u32>,
) -> Result<Task, AppError> {
    store::create_task(store, key, creator, fields, seen_seq)
        .await
        .map_err(refusal)
}

/// Saves an edit made on what the page `seen`. A concurrent change is never overwritten: the
/// answer is then the task as it is now, for the form to show.
pub async fn edit_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    editor: &PersonRef,
    fields: TaskFields,
    seen: Seen,
) -> Result<EditOutcome, AppError> {
    match store::edit_task(store, key, number, editor, &fields, seen).await {
        Ok(task) => Ok(EditOutcome::Saved(task)),
        Err(Refusal::Refused(Refused::TaskChanged)) => {
            match store::get_task(store, key, number).await? {
                Some(current) => Ok(EditOutcome::Changed(current)),
                None => Err(AppError::NotFound),
            }
        }
        Err(Refusal::Refused(Refused::BadReference)) => {
            // Say which of the two is missing.
            if let Some(story) = fields.story {
                if !store::story_exists(store, key, story).await? {
                    return Err(AppError::validation(
                        "That story does not exist in this project.",
                    ));
                }
            }
            if let Some(a) = fields.assignee.as_deref().filter(|a| *a != editor.id) {
                if !store::is_member(store, key, a).await? {
                    return Err(AppError::validation(
                        "The assignee must be a member of the project.",
                    ));
                }
            }
            Err(AppError::conflict(
                "The story or the assignee changed. Reload and try again.",
            ))
        }
        Err(Refusal::Refused(Refused::Busy)) => Err(AppError::conflict(
            "Someone else is changing this task right now. Try again.",
        )),
        Err(r) => Err(refusal(r)),
    }
}

/// Moves a task between statuses (any member). If someone moved it first, the user is told
/// where it is now.
pub async fn move_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    mover: &PersonRef,
    from: TaskStatus,
    to: TaskStatus,
) -> Result<(), AppError> {
    match store::move_task(store, key, number, mover, from, to).await {
        Ok(_) => Ok(()),
        Err(Refusal::Refused(Refused::TaskChanged)) => {
            match store::get_task(store, key, number).await? {
                Some(t) => Err(AppError::conflict(format!(
                    "{} is already {} (someone moved it). The board shows it where it is now.",
                    t.reference(),
                    t.status.label()
                ))),
                None => Err(AppError::NotFound),
            }
        }
        Err(r) => Err(refusal(r)),
    }
}

/// Deletes a task (its project's manager only), then its comments.
pub async fn delete_task(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    actor: &PersonRef,
) -> Result<(), AppError> {
    delete_task_only(store, key, number, actor).await?;
    Ok(store::delete_comments(store, key, number).await?)
}

/// The deletion's transaction alone (the comments are removed after it, or by the worker).
pub async fn delete_task_only(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    actor: &PersonRef,
) -> Result<(), AppError> {
    match store::delete_task_only(store, key, number, actor).await {
        Ok(()) => Ok(()),
        Err(Refusal::Refused(Refused::Busy)) => {
            Err(AppError::conflict("This task keeps changing. Try again."))
        }
        Err(r) => Err(as_manager(store, key, &actor.id, r).await),
    }
}

/// Adds a comment (any member of the task's project).
pub async fn add_comment(
    store: &Store,
    key: &ProjectKey,
    number: u32,
    author: PersonRef,
    body: &str,
) -> Result<Comment, AppError> {
    let body = text_field(body, "comment", 4000, true)?;
    store::add_comment(store, key, number, author, body)
        .await
        .map_err(refusal)
}

/// The task page (P4): the project's head, the task, a page of comments and the task's history,
/// read concurrently.
pub async fn task_page(
    store: &Store,
    me: &SessionUser,
    raw: &str,
    cursor: Option<&str>,
) -> Result<TaskPage, AppError> {
    let r = task_ref(raw)?;
    let (board, task, comments, history) = tokio::join!(
        head(store, &r.key, &me.id),
        store::get_task(store, &r.key, r.number),
        store::comments(store, &r.key, r.number, cursor, COMMENTS_PAGE),
        store::task_history(store, &r.key, r.number, ACTIVITY_PAGE)
    );
    let board = board?;
    let task = task?.ok_or(AppError::NotFound)?;
    let comments = comments?;
    Ok(TaskPage {
        board,
        task,
        history: history?,
        comments: comments.items,
        next: comments.next,
    })
}

/// Adds a member by handle (project manager only), with an invitation mail.
pub async fn add_member(
    store: &Store,
    public_url: &str,
    me: &SessionUser,
    key: &str,
    handle: &str,
) -> Result<(), AppError> {
    let key = project_key(key)?;
    let handle = Handle::parse(handle).map_err(|_| {
        AppError::validation(format!(
            "\u{201c}{}\u{201d} is not a handle.",
            handle.trim()
        ))
    })?;
    let users = active_accounts(store, std::slice::from_ref(&handle)).await?;
    let user = users.get(handle.as_str()).ok_or(AppError::Internal)?;
    let board = head(store, &key, &me.id).await?;
    if board.my_role != ProjectRole::Manager {
        return Err(AppError::Forbidden);
    }
    let mail = invitation(
        public_url,
        user,
        &PersonRef::from(me),
        &key,
        &board.project.name,
        &board.project.manager,
    );
    let member = Member {
        person: user.person(),
        role: ProjectRole::Member,
        added_at: Utc::now(),
        invitation: Some(Delivery::Queued),
    };
    match store::add_member(store, &key, &me.id, member, &mail).await {
        Ok(()) => Ok(()),
        Err(Refusal::Refused(Refused::AlreadyMember)) => Err(AppError::conflict(format!(
            "{} is already a member of this project.",
            user.display_name
        ))),
        Err(r) => Err(as_manager(store, &key, &me.id, r).await),
    }
}

/// Removes a member (project manager only). The manager cannot remove themself: a project
/// always has a manager.
pub async fn remove_member(
    store: &Store,
    key: &ProjectKey,
    actor: &str,
    user_id: &str,
) -> Result<(), AppError> {
    if actor == user_id {
        return Err(AppError::validation(
            "Hand the project manager role to someone else before leaving.",
        ));
    }
    let user_id = crate::model::record_id(user_id)?;
    match store::remove_member(store, key, actor, user_id).await {
        Ok(()) => Ok(()),
        Err(r) => Err(as_manager(store, key, actor, r).await),
    }
}

/// Hands the manager role to another member (the manager only). Who is a member is looked
/// up only for the project's own members: anyone else learns nothing.
pub async fn make_manager(
    store: &Store,
    me: &SessionUser,
    key: &str,
    user_id: &str,
) -> Result<(), AppError> {
    let key = project_key(key)?;
    let board = head(store, &key, &me.id).await?;
    if board.my_role != ProjectRole::Manager {
        return Err(AppError::Forbidden);
    }
    let member = board
        .member(user_id)
        .cloned()
        .ok_or_else(|| AppError::validation("That person is not a member."))?;
    match store::transfer_manager(store, &key, &me.id, &member).await {
        Ok(()) => Ok(()),
        Err(r) => Err(as_manager(store, &key, &me.id, r).await),
    }
}

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
) -> Result<(ProjectBoard, Vec<Activity>), AppError> {
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

/// The activity log as CSV (RFC 4180): one line per changed field.
pub fn activity_csv(board: &ProjectBoard, entries: &[Activity]) -> String {
    let cell = |v: &str| {
        // Text that a spreadsheet would run as a formula is quoted as text.
        let v = if v.starts_with(['=', '+', '-', '@']) {
            format!("'{v}")
        } else {
            v.to_owned()
        };
        if v.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v
        }
    };
    let mut out = String::from("time,actor,action,task,subject,field,old,new\r\n");
    for e in entries {
        let task = e
            .task
            .map(|n| format!("{}-{n}", board.project.key))
            .unwrap_or_default();
        let mut line = |field: &str, old: &str, new: &str| {
            let cells = [
                e.at.to_rfc3339(),
                e.actor.handle.clone(),
                e.action.clone(),
                task.clone(),
                e.subject.clone(),
                field.to_owned(),
                old.to_owned(),
                new.to_owned(),
            ];
            out.push_str(&cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        };
        if e.changes.is_empty() {
            line("", "", "");
        }
        for c in &e.changes {
            line(&c.field, &c.old, &c.new);
        }
    }
    out
}
