//! Server functions of the Projects area. Identity comes from the session; every function
//! checks membership or the manager role (in the database transaction itself for writes).

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::models::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{context::ctx, respond::finish};
#[cfg(feature = "ssr")]
use crate::services::projects as svc;

/// My projects and their status (P1); `None` for a visitor who is not signed in.
#[server]
pub async fn dashboard(cursor: Option<String>) -> Result<Option<Page<DashboardRow>>, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let Some(me) = cx.maybe_user() else {
                return Ok(None);
            };
            crate::db::projects::my_projects(&cx.store, &me.id, cursor.as_deref(), 50)
                .await
                .map(Some)
        }
        .await,
    )
}

#[server]
pub async fn create_project(
    key: String,
    name: String,
    description: String,
    manager: String,
    members: String,
) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let form = svc::NewProjectForm {
                key,
                name,
                description,
                manager,
                members,
            };
            let key =
                svc::create_project(&cx.store, &cx.state.settings.public_url, &me, form).await?;
            leptos_axum::redirect(&format!("/p/{key}"));
            Ok(())
        }
        .await,
    )
}

/// The scrum page and the board (P3).
#[server]
pub async fn get_board(key: String) -> Result<ProjectBoard, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::board(&cx.store, &cx.user()?, &key).await
        }
        .await,
    )
}

#[server]
pub async fn create_story(
    key: String,
    title: String,
    description: String,
    seen_seq: Option<u32>,
) -> Result<Story, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let key = svc::project_key(&key)?;
            let title = text_field(&title, "story title", 200, true)?;
            let description = text_field(&description, "description", 5000, false)?;
            crate::db::projects::create_story(&cx.store, &key, &me.id, title, description, seen_seq)
                .await
        }
        .await,
    )
}

#[server]
pub async fn create_task(
    key: String,
    title: String,
    description: String,
    story: String,
    assignee: String,
    start_date: String,
    end_date: String,
    status: String,
    seen_seq: Option<u32>,
) -> Result<Task, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let key = svc::project_key(&key)?;
            let form = svc::TaskForm {
                title,
                description,
                story,
                assignee,
                start_date,
                end_date,
                status,
            };
            crate::db::projects::create_task(&cx.store, &key, &me.id, form.parse()?, seen_seq).await
        }
        .await,
    )
}

/// The task page (P4).
#[server]
pub async fn get_task_page(task: String, cursor: Option<String>) -> Result<TaskPage, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::task_page(&cx.store, &cx.user()?, &task, cursor.as_deref()).await
        }
        .await,
    )
}

/// Saves an edit made on `version` (whose status was `seen_status`); a concurrent change is
/// reported with the current values, never overwritten.
#[server]
pub async fn edit_task(
    task: String,
    title: String,
    description: String,
    story: String,
    assignee: String,
    start_date: String,
    end_date: String,
    status: String,
    version: u64,
    seen_status: String,
) -> Result<EditOutcome, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let r = svc::task_ref(&task)?;
            let seen_status = TaskStatus::parse(&seen_status)?;
            let form = svc::TaskForm {
                title,
                description,
                story,
                assignee,
                start_date,
                end_date,
                status,
            };
            crate::db::projects::edit_task(
                &cx.store,
                &r.key,
                r.number,
                &me.id,
                form.parse()?,
                version,
                seen_status,
            )
            .await
        }
        .await,
    )
}

/// Moves a task between statuses (any member).
#[server]
pub async fn move_task(task: String, from: String, to: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let r = svc::task_ref(&task)?;
            let (from, to) = (TaskStatus::parse(&from)?, TaskStatus::parse(&to)?);
            crate::db::projects::move_task(&cx.store, &r.key, r.number, &me.id, from, to).await
        }
        .await,
    )
}

/// Deletes a task and its comments (project manager only).
#[server]
pub async fn delete_task(task: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let r = svc::task_ref(&task)?;
            crate::db::projects::delete_task(&cx.store, &r.key, r.number, &me.id).await?;
            leptos_axum::redirect(&format!("/p/{}", r.key));
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn add_comment(task: String, body: String) -> Result<Comment, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let r = svc::task_ref(&task)?;
            let body = text_field(&body, "comment", 4000, true)?;
            crate::db::projects::add_comment(
                &cx.store,
                &r.key,
                r.number,
                svc::session_person(&me),
                body,
            )
            .await
        }
        .await,
    )
}

#[server]
pub async fn add_member(key: String, handle: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::add_member(
                &cx.store,
                &cx.state.settings.public_url,
                &cx.user()?,
                &key,
                &handle,
            )
            .await
        }
        .await,
    )
}

#[server]
pub async fn remove_member(key: String, user_id: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            crate::db::projects::remove_member(
                &cx.store,
                &svc::project_key(&key)?,
                &me.id,
                &user_id,
            )
            .await
        }
        .await,
    )
}

#[server]
pub async fn make_manager(key: String, user_id: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::make_manager(&cx.store, &cx.user()?, &key, &user_id).await
        }
        .await,
    )
}
