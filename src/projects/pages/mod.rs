//! The Projects pages: dashboard, new project, scrum page, board, members, task page; and the
//! pieces they share.

pub mod activity;
pub mod backlog;
pub mod board;
pub mod charts;
pub mod dashboard;
pub mod members;
pub mod new_project;
pub mod sprint;
pub mod task;

pub use activity::ActivityView;
pub use backlog::BacklogPage;
pub use board::BoardPage;
pub use members::MembersPage;
pub use new_project::NewProjectPage;
pub use sprint::SprintView;
pub use task::TaskPageView;

use crate::projects::model::*;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

pub(crate) fn status_class(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Todo => "status todo",
        TaskStatus::InProgress => "status progress",
        TaskStatus::InReview => "status review",
        TaskStatus::Done => "status done",
        TaskStatus::WontDo => "status wontdo",
    }
}

/// The filter the page's URL holds.
pub(crate) fn filter_param() -> Memo<TaskFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        TaskFilter {
            q: get("q"),
            assignee: get("assignee"),
            status: get("status"),
            story: get("story"),
            priority: get("priority"),
        }
    })
}

/// The page link of the next page of tasks (`?after=`), kept with the filter.
pub(crate) fn cursor_param() -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("after"))
}

/// The filter bar of the backlog and the board: a GET form (the URL holds the filter, so it
/// can be shared); once hydrated, the title search applies as you type.
#[component]
pub(crate) fn FilterBar(board: ProjectView, filter: TaskFilter, path: String) -> impl IntoView {
    let (path_form, path_clear) = (path.clone(), path);
    let sel = |v: &str, cur: &str| v == cur;
    view! {
        <form method="get" action=path_form class="filters" role="search" data-testid="filters">
            <label>"Search" <input type="search" name="q" value=filter.q.clone() maxlength="100" placeholder="Title contains…" data-js-live-search=""/></label>
            <label>"Assignee"
                <select name="assignee">
                    <option value="" selected=filter.assignee.is_empty()>"Anyone"</option>
                    <option value="me" selected=sel("me", &filter.assignee)>"Only my tasks"</option>
                    {board.members.iter().map(|m| view! {
                        <option value=m.person.id.clone() selected=sel(&m.person.id, &filter.assignee)>{m.person.display_name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Status"
                <select name="status">
                    <option value="" selected=filter.status.is_empty()>"Any"</option>
                    {TaskStatus::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=sel(s.as_str(), &filter.status)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Story"
                <select name="story">
                    <option value="" selected=filter.story.is_empty()>"Any"</option>
                    {board.stories.iter().map(|s| view! {
                        <option value=s.number.to_string() selected=sel(&s.number.to_string(), &filter.story)>{s.title.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Priority"
                <select name="priority">
                    <option value="" selected=filter.priority.is_empty()>"Any"</option>
                    {Priority::ALL.iter().map(|p| view! {
                        <option value=p.as_str() selected=sel(p.as_str(), &filter.priority)>{p.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="secondary small">"Filter"</button>
            <a href=path_clear class="small">"Clear"</a>
        </form>
    }
    .into_any()
}

/// A task's estimate and priority, as a card shows them.
#[component]
pub(crate) fn Estimate(task: Task) -> impl IntoView {
    let points = task
        .points
        .map(|p| format!("{p} pt"))
        .unwrap_or_else(|| "– pt".into());
    let title = format!("{} priority", task.priority.label());
    view! {
        <span class=format!("prio prio-{}", task.priority.as_str().to_lowercase()) title=title.clone() aria-label=title>{task.priority.label()}</span>
        <span class="points" title="Story points">{points}</span>
    }
    .into_any()
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
    .into_any()
}

pub(crate) fn key_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("key").unwrap_or_default().to_uppercase())
}

#[component]
pub(crate) fn ProjectHeader(board: ProjectView, active: &'static str) -> impl IntoView {
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
            <nav class="tabs" aria-label="Project">
                {tab("backlog", format!("/p/{key}/backlog"), "Backlog")}
                {tab("board", format!("/p/{key}/board"), "Board")}
                {tab("activity", format!("/p/{key}/activity"), "Activity")}
                {tab("members", format!("/p/{key}/members"), "Members")}
            </nav>
        </header>
    }
    .into_any()
}

/// The fields of a task form, filled from `task` when editing.
#[component]
pub(crate) fn TaskFieldsForm(board: ProjectView, task: Option<Task>) -> impl IntoView {
    let t = task.clone();
    let title = t.as_ref().map(|t| t.title.clone()).unwrap_or_default();
    let description = t
        .as_ref()
        .map(|t| t.description.clone())
        .unwrap_or_default();
    let story = t.as_ref().and_then(|t| t.story);
    let assignee = t.as_ref().and_then(|t| t.assignee.clone());
    let status = t.as_ref().map(|t| t.status).unwrap_or(TaskStatus::Todo);
    let points = t.as_ref().and_then(|t| t.points);
    let priority = t.as_ref().map(|t| t.priority).unwrap_or_default();
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
        <div class="two">
            <label>"Story points"
                <select name="points">
                    <option value="" selected=points.is_none()>"Not estimated"</option>
                    {POINTS.iter().copied().map(|p| view! {
                        <option value=p.to_string() selected=points == Some(p)>{p.to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Priority"
                <select name="priority">
                    {Priority::ALL.iter().copied().map(|p| view! {
                        <option value=p.as_str() selected=p == priority>{p.label()}</option>
                    }).collect_view()}
                </select>
            </label>
        </div>
        <label>"Status"
            <select name="status">
                {TaskStatus::ALL.iter().copied().map(|s| view! {
                    <option value=s.as_str() selected=s == status>{s.label()}</option>
                }).collect_view()}
            </select>
        </label>
    }
    .into_any()
}

/// Drag-and-drop on the board and the backlog: an island around server-rendered lists, which
/// it reads through data attributes — a card or row is `[data-task]`; a board column is
/// `[data-column]`; a backlog list is `[data-list]`, and a row dropped on puts the dragged task
/// above it (between it and its `data-above`). A drop fills in the dragged task's own "Move"
/// form (the form that moves it without JavaScript) and submits it: `public/shell.js` posts it,
/// shows a refusal in it, and refreshes the lists.
#[island]
pub(crate) fn DragAndDrop(
    /// The board (else the backlog).
    board: bool,
    children: Children,
) -> impl IntoView {
    let dragging = StoredValue::new(None::<String>);
    let zone = if board {
        "[data-column]"
    } else {
        "[data-list]"
    };
    view! {
        <div class="dnd"
            on:dragstart=move |ev: leptos::ev::DragEvent| {
                if let Some(task) = dom::attr_of(&ev.target(), "[data-task]", "data-task") {
                    if let Some(dt) = ev.data_transfer() {
                        let _ = dt.set_data("text/plain", &task);
                    }
                    dragging.set_value(Some(task));
                }
            }
            on:dragend=move |_| { dragging.set_value(None); dom::mark_over(None); }
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                dom::mark_over(dom::closest(&ev.target(), zone));
            }
            on:drop=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                dom::mark_over(None);
                if let Some(task) = dragging.get_value() {
                    dragging.set_value(None);
                    dom::drop(board, &task, &ev.target());
                }
            }>
            {children()}
        </div>
    }
}

/// The DOM work of the drag-and-drop island (nothing on the server).
mod dom {
    #[cfg(feature = "hydrate")]
    use wasm_bindgen::JsCast;

    /// The nearest element matching `selector` from an event's target.
    #[cfg(feature = "hydrate")]
    pub fn closest(
        target: &Option<web_sys::EventTarget>,
        selector: &str,
    ) -> Option<web_sys::Element> {
        target
            .as_ref()?
            .dyn_ref::<web_sys::Element>()?
            .closest(selector)
            .ok()
            .flatten()
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn closest(_: &Option<web_sys::EventTarget>, _: &str) -> Option<()> {
        None
    }

    /// An attribute of the nearest element matching `selector`.
    pub fn attr_of(
        target: &Option<web_sys::EventTarget>,
        selector: &str,
        name: &str,
    ) -> Option<String> {
        #[cfg(feature = "hydrate")]
        return closest(target, selector)?.get_attribute(name);
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (target, selector, name);
            None
        }
    }

    #[cfg(feature = "hydrate")]
    thread_local! {
        static OVER: std::cell::RefCell<Option<web_sys::Element>> = const { std::cell::RefCell::new(None) };
    }

    /// Highlights the drop target under the pointer (one at a time).
    #[cfg(feature = "hydrate")]
    pub fn mark_over(el: Option<web_sys::Element>) {
        OVER.with(|over| {
            let mut over = over.borrow_mut();
            if *over == el {
                return;
            }
            if let Some(old) = over.take() {
                let _ = old.class_list().remove_1("over");
            }
            if let Some(new) = &el {
                let _ = new.class_list().add_1("over");
            }
            *over = el;
        });
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn mark_over(_: Option<()>) {}

    /// `task` dropped on `target`: fills in the task's "Move" form and submits it.
    #[cfg(feature = "hydrate")]
    pub fn drop(board: bool, task: &str, target: &Option<web_sys::EventTarget>) -> Option<()> {
        use web_sys::{HtmlFormElement, HtmlInputElement, HtmlSelectElement};
        let document = web_sys::window()?.document()?;
        let row = document
            .query_selector(&format!("[data-task=\"{task}\"]"))
            .ok()??;
        let form: HtmlFormElement = row.query_selector("form.move").ok()??.dyn_into().ok()?;
        let field = |name: &str| {
            form.query_selector(&format!("[name={name}]"))
                .ok()
                .flatten()
        };
        let to: HtmlSelectElement = field("to")?.dyn_into().ok()?;
        if board {
            let column = attr_of(target, "[data-column]", "data-column")?;
            if row.get_attribute("data-status").as_deref() == Some(column.as_str()) {
                return None;
            }
            to.set_value(&column);
        } else {
            to.set_value(&attr_of(target, "[data-list]", "data-list")?);
            let op: HtmlSelectElement = field("op")?.dyn_into().ok()?;
            match attr_of(target, "[data-task]", "data-task") {
                Some(before) if before == task => return None,
                // Between the row dropped on and the one above it: no operation.
                Some(before) => {
                    op.set_selected_index(-1);
                    let set = |name: &str, value: &str| {
                        if let Some(input) =
                            field(name).and_then(|f| f.dyn_into::<HtmlInputElement>().ok())
                        {
                            input.set_value(value);
                        }
                    };
                    set("before", &before);
                    set(
                        "after",
                        &attr_of(target, "[data-task]", "data-above").unwrap_or_default(),
                    );
                }
                None => op.set_value("bottom"),
            }
        }
        form.request_submit().ok()
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn drop(_: bool, _: &str, _: &Option<web_sys::EventTarget>) {}
}
