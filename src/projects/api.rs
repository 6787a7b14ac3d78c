//! Server functions of Projects.
//!
//! Layer rule (every area's `api`): parse the input, take the user from the verified session
//! (never from the request), call `rules`, and pass the result through `finish`. A server
//! function never calls a store. A form's server function takes the form's struct, the same
//! type the page's form fills and `model` validates.

use crate::error::AppError;
use crate::model::Page;
use crate::projects::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::platform::context::serve;
#[cfg(feature = "ssr")]
use crate::projects::rules;

/// Projects per page of the dashboard.
pub const DASHBOARD_PAGE: i32 = 50;

/// My projects and their status (P1); `None` for a visitor who is not signed in.
#[server]
pub async fn dashboard(cursor: Option<String>) -> Result<Option<Page<DashboardRow>>, AppError> {
    serve(|cx| async move {
        let Some(me) = cx.maybe_user() else {
            return Ok(None);
        };
        rules::my_projects(&cx.store, &me.id, cursor.as_deref(), DASHBOARD_PAGE)
            .await
            .map(Some)
    })
    .await
}

#[server]
pub async fn create_project(#[server(flatten)] form: NewProjectForm) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let key = rules::create_project(&cx.store, &cx.kit.settings.public_url, &me, &form).await?;
        leptos_axum::redirect(&format!("/p/{key}"));
        Ok(())
    })
    .await
}

/// The project's head: header, members, sprints, stories (the members page, the forms).
#[server]
pub async fn get_head(key: String) -> Result<ProjectView, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::head(&cx.store, &rules::project_key(&key)?, &me.id).await
    })
    .await
}

/// The backlog page (P3): sprints and backlog, one page of tasks that match the filter.
#[server]
pub async fn get_backlog(
    key: String,
    #[server(flatten)] filter: TaskFilter,
    cursor: Option<String>,
) -> Result<ProjectView, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let key = rules::project_key(&key)?;
        rules::backlog(&cx.store, &key, &me.id, &filter, cursor.as_deref()).await
    })
    .await
}

/// The sprint board: the sprint under way's tasks that match the filter.
#[server]
pub async fn get_board(
    key: String,
    #[server(flatten)] filter: TaskFilter,
    cursor: Option<String>,
) -> Result<ProjectView, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let key = rules::project_key(&key)?;
        rules::sprint_board(&cx.store, &key, &me.id, &filter, cursor.as_deref()).await
    })
    .await
}

/// A sprint's burndown, report and the project's velocity.
#[server]
pub async fn get_sprint(key: String, sprint: String) -> Result<SprintPage, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let key = rules::project_key(&key)?;
        rules::sprint_page(&cx.store, &key, &me.id, &sprint, cx.store.now()).await
    })
    .await
}

/// A page of the project's activity log.
#[server]
pub async fn get_activity(key: String, cursor: Option<String>) -> Result<ActivityPage, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let key = rules::project_key(&key)?;
        rules::activity(&cx.store, &key, &me.id, cursor.as_deref()).await
    })
    .await
}

#[server]
pub async fn create_sprint(#[server(flatten)] form: SprintForm) -> Result<Sprint, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let key = rules::project_key(&form.key)?;
        rules::create_sprint(&cx.store, &key, &(&me).into(), &form).await
    })
    .await
}

#[server]
pub async fn start_sprint(key: String, sprint: String) -> Result<Sprint, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let key = rules::project_key(&key)?;
        rules::start_sprint(&cx.store, &key, &(&me).into(), &sprint, cx.store.now()).await
    })
    .await
}

#[server]
pub async fn complete_sprint(#[server(flatten)] form: CompleteForm) -> Result<Sprint, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let key = rules::project_key(&form.key)?;
        let done =
            rules::complete_sprint(&cx.store, &key, &(&me).into(), &form, cx.store.now()).await?;
        leptos_axum::redirect(&format!("/p/{key}/sprints/{}", done.number));
        Ok(done)
    })
    .await
}

/// Moves a task in its list or to another list (any member).
#[server]
pub async fn place_task(#[server(flatten)] form: PlaceForm) -> Result<Task, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::place_task(&cx.store, &(&me).into(), &form).await
    })
    .await
}

#[server]
pub async fn create_story(#[server(flatten)] form: StoryForm) -> Result<Story, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let key = rules::project_key(&form.key)?;
        rules::create_story(&cx.store, &key, &me.id, form.parse()?).await
    })
    .await
}

#[server]
pub async fn create_task(#[server(flatten)] form: NewTaskForm) -> Result<Task, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let (key, seen_seq, fields) = form.parse()?;
        rules::create_task(&cx.store, &key, &(&me).into(), fields, seen_seq).await
    })
    .await
}

/// The task page (P4).
#[server]
pub async fn get_task_page(task: String, cursor: Option<String>) -> Result<TaskPage, AppError> {
    serve(|cx| async move {
        rules::task_page(&cx.store, &cx.user()?, &task, cursor.as_deref()).await
    })
    .await
}

/// Saves an edit made on the version and status the form shows; a concurrent change is
/// reported with the current values, never overwritten.
#[server]
pub async fn edit_task(#[server(flatten)] form: EditTaskForm) -> Result<EditOutcome, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let (r, seen, fields) = form.parse()?;
        let outcome =
            rules::edit_task(&cx.store, &r.key, r.number, &(&me).into(), fields, seen).await?;
        // Back to the task page, which says what happened.
        let said = match outcome {
            EditOutcome::Saved(_) => "saved",
            EditOutcome::Changed(_) => "changed",
        };
        leptos_axum::redirect(&format!("/p/{}/{}-{}?{said}=1", r.key, r.key, r.number));
        Ok(outcome)
    })
    .await
}

/// Moves a task between statuses (any member).
#[server]
pub async fn move_task(task: String, from: String, to: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let r = rules::task_ref(&task)?;
        let (from, to) = (TaskStatus::parse(&from)?, TaskStatus::parse(&to)?);
        rules::move_task(&cx.store, &r.key, r.number, &(&me).into(), from, to).await
    })
    .await
}

/// Deletes a task and its comments (project manager only).
#[server]
pub async fn delete_task(task: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let r = rules::task_ref(&task)?;
        rules::delete_task(&cx.store, &r.key, r.number, &(&me).into()).await?;
        leptos_axum::redirect(&format!("/p/{}", r.key));
        Ok(())
    })
    .await
}

#[server]
pub async fn add_comment(task: String, body: String) -> Result<Comment, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let r = rules::task_ref(&task)?;
        rules::add_comment(&cx.store, &r.key, r.number, (&me).into(), &body).await
    })
    .await
}

#[server]
pub async fn add_member(key: String, handle: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let url = &cx.kit.settings.public_url;
        rules::add_member(&cx.store, url, &cx.user()?, &key, &handle).await
    })
    .await
}

#[server]
pub async fn remove_member(key: String, user_id: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::remove_member(&cx.store, &rules::project_key(&key)?, &me.id, &user_id).await
    })
    .await
}

#[server]
pub async fn make_manager(key: String, user_id: String) -> Result<(), AppError> {
    serve(|cx| async move { rules::make_manager(&cx.store, &cx.user()?, &key, &user_id).await })
        .await
}

/// Registers this area's server functions (see `server::areas`).
#[cfg(feature = "ssr")]
pub fn register() {
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<Dashboard>();
    register_explicit::<CreateProject>();
    register_explicit::<GetHead>();
    register_explicit::<GetBacklog>();
    register_explicit::<GetBoard>();
    register_explicit::<GetSprint>();
    register_explicit::<GetActivity>();
    register_explicit::<CreateSprint>();
    register_explicit::<StartSprint>();
    register_explicit::<CompleteSprint>();
    register_explicit::<PlaceTask>();
    register_explicit::<CreateStory>();
    register_explicit::<CreateTask>();
    register_explicit::<GetTaskPage>();
    register_explicit::<EditTask>();
    register_explicit::<MoveTask>();
    register_explicit::<DeleteTask>();
    register_explicit::<AddComment>();
    register_explicit::<AddMember>();
    register_explicit::<RemoveMember>();
    register_explicit::<MakeManager>();
}

/// The routes of Projects that are not pages or server functions: the activity exports.
#[cfg(feature = "ssr")]
pub fn routes<S>() -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    crate::platform::Kit: axum::extract::FromRef<S>,
{
    use axum::routing::get;
    axum::Router::new()
        .route("/p/{key}/export/activity.csv", get(export_activity))
        .route("/p/{key}/export/activity.json", get(export_activity))
}

/// `GET /p/<KEY>/export/activity.csv` and `.json`: the project's activity log (newest first,
/// at most `rules::EXPORT_MAX` entries) as a download, for its members (others: 404, like
/// every project page). CSV cells that a spreadsheet would run as formulas are quoted.
#[cfg(feature = "ssr")]
pub async fn export_activity(
    axum::extract::State(kit): axum::extract::State<crate::platform::Kit>,
    axum::extract::Path(key): axum::extract::Path<String>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let json = req.uri().path().ends_with(".json");
    let (parts, _) = req.into_parts();
    let store = kit.store_for(&parts.extensions);
    let result = async {
        let me = crate::platform::session::AuthUser::from_parts(&parts)?.0;
        let key = rules::project_key(&key)?;
        rules::activity_export(&store, &key, &me.id).await
    }
    .await;
    let (board, entries) = match result {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let key = board.project.key.to_string();
    let (body, kind, ext) = if json {
        match serde_json::to_string_pretty(&entries) {
            Ok(b) => (b, "application/json", "json"),
            Err(_) => return http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    } else {
        match rules::activity_csv(&board, &entries) {
            Ok(b) => (b, "text/csv; charset=utf-8", "csv"),
            Err(e) => return e.into_response(),
        }
    };
    (
        [
            (http::header::CONTENT_TYPE, kind.to_owned()),
            (
                http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{key}-activity.{ext}\""),
            ),
            (http::header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}
