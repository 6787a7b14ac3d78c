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
use crate::db::{Refusal, Store};
use crate::error::AppError;
use crate::model::{text_field, Delivery, Page};
use crate::projects::model::*;
use crate::projects::store::{self, Busy, NewProject, Refused};

mod mail;
mod scrum;
pub use mail::*;
pub use scrum::*;

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
        Refused::TaskChanged(_) => AppError::conflict("This task changed. Reload and try again."),
        Refused::StoryMissing => AppError::validation("That story does not exist in this project."),
        Refused::AssigneeNotMember => {
            AppError::validation("The assignee must be a member of the project.")
        }
        Refused::AlreadyMember => AppError::conflict("That person is already a member."),
        Refused::OtherNotMember => AppError::validation("That person is not a member."),
        Refused::Full => {
            AppError::conflict("This project has reached its maximum number of items.")
        }
        Refused::Busy(what) => AppError::conflict(match what {
            Busy::NewTask => "Too many tasks are being added at once. Try again.",
            Busy::NewStory => "Too many stories are being added at once. Try again.",
            Busy::Task => "Someone else is changing this task right now. Try again.",
            Busy::Sprint => "This sprint is changing right now. Try again.",
            Busy::Comment => "Too many comments at once on this task. Try again.",
        }),
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

/// The manager a new project's form names (its creator when none), and every founding member:
/// the listed people, the creator and the manager.
fn founders(me: &SessionUser, form: &NewProjectForm) -> Result<(Handle, Vec<Handle>), AppError> {
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
    Ok((manager_handle, handles))
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
    let (manager_handle, handles) = founders(me, form)?;
    let users = active_accounts(store, &handles).await?;
    let manager = users
        .get(manager_handle.as_str())
        .map(User::person)
        .ok_or(AppError::Internal)?;
    let actor = PersonRef::from(me);
    let now = store.now();
    let mut members = Vec::new();
    let mut mails = Vec::new();
    for h in &handles {
        let Some(u) = users.get(h.as_str()) else {
            continue;
        };
        let invited = u.id != me.id;
        if invited {
            mails.push(invitation(
                public_url,
                u,
                &actor,
                &key,
                &name,
                &manager,
                store.now(),
            ));
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
pub async fn head(store: &Store, key: &ProjectKey, viewer: &str) -> Result<ProjectView, AppError> {
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
    Ok(ProjectView {
        project: data.project,
        members,
        stories: data.stories,
        sprints: data.sprints,
        tasks: Vec::new(),
        next: None,
        my_role,
    })
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
        Err(Refusal::Refused(Refused::TaskChanged(current))) => Ok(EditOutcome::Changed(*current)),
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
        Err(Refusal::Refused(Refused::TaskChanged(now))) => Err(AppError::conflict(format!(
            "{} is already {} (someone moved it). The board shows it where it is now.",
            now.reference(),
            now.status.label()
        ))),
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
        store.now(),
    );
    let member = Member {
        person: user.person(),
        role: ProjectRole::Member,
        added_at: store.now(),
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
