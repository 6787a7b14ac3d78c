//! The Projects pages: dashboard, new project, scrum page, board, members, task page; and the
//! pieces they share.

pub mod board;
pub mod dashboard;
pub mod members;
pub mod new_project;
pub mod scrum;
pub mod task;

pub use board::BoardPage;
pub use members::MembersPage;
pub use new_project::NewProjectPage;
pub use scrum::ScrumPage;
pub use task::TaskPageView;

use crate::projects::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub(crate) fn status_class(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Todo => "status todo",
        TaskStatus::InProgress => "status progress",
        TaskStatus::InReview => "status review",
        TaskStatus::Done => "status done",
    }
}

#[component]
pub(crate) fn StatusPill(status: TaskStatus) -> impl IntoView {
    view! { <span class=status_class(status)>{status.label()}</span> }
}

#[component]
pub(crate) fn Counts(counts: StatusCounts) -> impl IntoView {
    view! {
        <span class="counts">
            {TaskStatus::ALL
                .iter()
                .copied()
                .map(|s| view! { <span class=status_class(s) title=s.label()>{format!("{} {}", s.label(), counts.get(s))}</span> })
                .collect_view()}
        </span>
    }
}

pub(crate) fn key_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("key").unwrap_or_default().to_uppercase())
}

#[component]
pub(crate) fn ProjectHeader(board: ProjectBoard, active: &'static str) -> impl IntoView {
    let key = board.project.key.to_string();
    let tab = |name: &'static str, href: String, label: &'static str| {
        view! { <a href=href class=if name == active { "tab active" } else { "tab" }>{label}</a> }
    };
    view! {
        <header class="project-head">
            <div>
                <p class="muted small">{format!("{} · managed by {}", key, board.project.manager.display_name)}</p>
                <h1 data-testid="project-name">{board.project.name.clone()}</h1>
                <Counts counts=board.project.counts/>
            </div>
            <nav class="tabs">
                {tab("scrum", format!("/p/{key}"), "Scrum")}
                {tab("board", format!("/p/{key}/board"), "Board")}
                {tab("members", format!("/p/{key}/members"), "Members")}
            </nav>
        </header>
    }
}

/// The fields of a task form, filled from `task` when editing.
#[component]
pub(crate) fn TaskFieldsForm(board: ProjectBoard, task: Option<Task>) -> impl IntoView {
    let t = task.clone();
    let title = t.as_ref().map(|t| t.title.clone()).unwrap_or_default();
    let description = t
        .as_ref()
        .map(|t| t.description.clone())
        .unwrap_or_default();
    let story = t.as_ref().and_then(|t| t.story);
    let assignee = t.as_ref().and_then(|t| t.assignee.clone());
    let status = t.as_ref().map(|t| t.status).unwrap_or(TaskStatus::Todo);
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    view! {
        <label>"Title" <input type="text" name="title" required maxlength="200" value=title/></label>
        <label>"Description" <textarea name="description" rows="3" maxlength="5000">{description}</textarea></label>
        <label>"Story"
            <select name="story">
                <option value="" selected=story.is_none()>"No story"</option>
                {board.stories.iter().map(|s| view! {
                    <option value=s.number.to_string() selected=story == Some(s.number)>{s.title.clone()}</option>
                }).collect_view()}
            </select>
        </label>
        <label>"Assignee"
            <select name="assignee">
                <option value="" selected=assignee.is_none()>"Unassigned"</option>
                {board.members.iter().map(|m| view! {
                    <option value=m.person.id.clone() selected=assignee.as_deref() == Some(m.person.id.as_str())>
                        {format!("{} (@{})", m.person.display_name, m.person.handle)}
                    </option>
                }).collect_view()}
            </select>
        </label>
        <div class="two">
            <label>"Start" <input type="date" name="start_date" value=date(t.as_ref().and_then(|t| t.start_date))/></label>
            <label>"End" <input type="date" name="end_date" value=date(t.as_ref().and_then(|t| t.end_date))/></label>
        </div>
        <label>"Status"
            <select name="status">
                {TaskStatus::ALL.iter().copied().map(|s| view! {
                    <option value=s.as_str() selected=s == status>{s.label()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}
