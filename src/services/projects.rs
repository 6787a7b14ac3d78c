//! Projects: validation, who may do what, and the mails that go with it.

use crate::db::keys::{member_sk, project_pk};
use crate::db::outbox::{OutboxMail, Track};
use crate::db::projects::{self, NewProject, TaskFields, MAX_INITIAL_MEMBERS};
use crate::db::users::{self, User};
use crate::db::Store;
use crate::email::Mail;
use crate::error::AppError;
use crate::models::*;
use chrono::Utc;

pub fn person(u: &User) -> PersonRef {
    PersonRef {
        id: u.id.clone(),
        handle: u.handle.clone(),
        display_name: u.display_name.clone(),
    }
}

pub fn session_person(u: &SessionUser) -> PersonRef {
    PersonRef {
        id: u.id.clone(),
        handle: u.handle.clone(),
        display_name: u.display_name.clone(),
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

async fn resolve(
    store: &Store,
    handles: &[Handle],
) -> Result<std::collections::HashMap<String, User>, AppError> {
    let found = users::by_handles(store, handles).await?;
    for h in handles {
        match found.get(h.as_str()) {
            None => return Err(AppError::validation(format!("Nobody has the handle @{h}."))),
            Some(u) if u.status == AccountStatus::Deactivated => {
                return Err(AppError::validation(format!(
                    "@{h}'s account is deactivated."
                )))
            }
            Some(_) => {}
        }
    }
    Ok(found)
}

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
    let mail = Mail {
        to: to.email.clone(),
        subject: format!("You have been added to project {name}"),
        text,
    };
    let track = Track {
        pk: project_pk(key),
        sk: member_sk(&to.id),
    };
    OutboxMail::new(mail, Some(track), Utc::now())
}

#[derive(Debug, Clone, Default)]
pub struct NewProjectForm {
    pub key: String,
    pub name: String,
    pub description: String,
    /// Empty: the creator manages the project.
    pub manager: String,
    pub members: String,
}

/// Creates a project: the creator, the manager and the listed people become members, and
/// everyone but the creator gets an invitation mail.
pub async fn create_project(
    store: &Store,
    public_url: &str,
    me: &SessionUser,
    form: NewProjectForm,
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
    let users = resolve(store, &handles).await?;
    let manager = users
        .get(manager_handle.as_str())
        .map(person)
        .ok_or(AppError::Internal)?;
    let actor = session_person(me);
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
            person: person(u),
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
        version: 1,
    };
    projects::create(
        store,
        NewProject {
            project,
            members,
            mails,
        },
    )
    .await?;
    Ok(key)
}

/// A project page's data, or 404 for a non-member (and for a project that does not exist).
pub async fn board(store: &Store, me: &SessionUser, key: &str) -> Result<ProjectBoard, AppError> {
    let key = ProjectKey::parse(key).map_err(|_| AppError::NotFound)?;
    projects::board(store, &key, &me.id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Clone, Default)]
pub struct TaskForm {
    pub title: String,
    pub description: String,
    pub story: String,
    pub assignee: String,
    pub start_date: String,
    pub end_date: String,
    pub status: String,
}

impl TaskForm {
    pub fn parse(&self) -> Result<TaskFields, AppError> {
        let story = match self.story.trim() {
            "" => None,
            s => Some(
                s.parse::<u32>()
                    .map_err(|_| AppError::validation("Choose a story from the list."))?,
            ),
        };
        let assignee = match self.assignee.trim() {
            "" => None,
            a if a.len() <= 40 && a.chars().all(|c| c.is_ascii_alphanumeric()) => {
                Some(a.to_owned())
            }
            _ => return Err(AppError::validation("Choose an assignee from the list.")),
        };
        let start_date = optional_date(&self.start_date, "start date")?;
        let end_date = optional_date(&self.end_date, "end date")?;
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if e < s {
                return Err(AppError::validation(
                    "The end date is before the start date.",
                ));
            }
        }
        Ok(TaskFields {
            title: text_field(&self.title, "title", 200, true)?,
            description: text_field(&self.description, "description", 5000, false)?,
            story,
            assignee,
            start_date,
            end_date,
            status: if self.status.trim().is_empty() {
                TaskStatus::Todo
            } else {
                TaskStatus::parse(&self.status)?
            },
        })
    }
}

pub fn task_ref(raw: &str) -> Result<TaskRef, AppError> {
    TaskRef::parse(raw).map_err(|_| AppError::NotFound)
}

pub fn project_key(raw: &str) -> Result<ProjectKey, AppError> {
    ProjectKey::parse(raw).map_err(|_| AppError::NotFound)
}

/// The task page (P4): the project (for its people and stories) and a page of comments, read
/// concurrently.
pub async fn task_page(
    store: &Store,
    me: &SessionUser,
    raw: &str,
    cursor: Option<&str>,
) -> Result<TaskPage, AppError> {
    let r = task_ref(raw)?;
    let (board, comments) = tokio::join!(
        projects::board(store, &r.key, &me.id),
        projects::comments(store, &r.key, r.number, cursor, 30)
    );
    let board = board?.ok_or(AppError::NotFound)?;
    let task = board
        .tasks
        .iter()
        .find(|t| t.number == r.number)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let comments = comments?;
    Ok(TaskPage {
        board,
        task,
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
    let users = resolve(store, std::slice::from_ref(&handle)).await?;
    let user = users.get(handle.as_str()).ok_or(AppError::Internal)?;
    let board = projects::board(store, &key, &me.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if board.my_role != ProjectRole::Manager {
        return Err(AppError::Forbidden);
    }
    let mail = invitation(
        public_url,
        user,
        &session_person(me),
        &key,
        &board.project.name,
        &board.project.manager,
    );
    let member = Member {
        person: person(user),
        role: ProjectRole::Member,
        added_at: Utc::now(),
        invitation: Some(Delivery::Queued),
    };
    projects::add_member(store, &key, &me.id, member, mail).await
}

pub async fn make_manager(
    store: &Store,
    me: &SessionUser,
    key: &str,
    user_id: &str,
) -> Result<(), AppError> {
    let key = project_key(key)?;
    let member = projects::member(store, &key, user_id)
        .await?
        .ok_or_else(|| AppError::validation("That person is not a member."))?;
    projects::transfer_manager(store, &key, &me.id, &member).await
}
