//! A task: its details, an edit form with change detection, comments, delete for the PM.

use super::activity::ActivityList;
use super::{Estimate, ProjectHeader, StatusPill, TaskFieldsForm};
use crate::projects::api::{get_task_page, AddComment, DeleteTask, EditTask};
use crate::projects::model::*;
use crate::ui::PageHead;
use crate::ui::{ErrorView, FormError, Loading, LocalTime};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A task: its details, an edit form with change detection, comments, and delete for the PM.
#[component]
pub fn TaskPageView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let task = Memo::new(move |_| params.read().get("task").unwrap_or_default().to_uppercase());
    let cursor = move || query.read().get("older");
    let edit = ServerAction::<EditTask>::new();
    let comment = ServerAction::<AddComment>::new();
    let delete = ServerAction::<DeleteTask>::new();
    let page = Resource::new(
        move || (task.get(), cursor()),
        |(task, cursor)| get_task_page(task, cursor),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <TaskBody p edit comment delete/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn TaskBody(
    p: TaskPage,
    edit: ServerAction<EditTask>,
    comment: ServerAction<AddComment>,
    delete: ServerAction<DeleteTask>,
) -> impl IntoView {
    let is_pm = p.board.my_role == ProjectRole::Manager;
    let r = p.task.reference();
    view! {
        <PageHead title=format!("{r} · {}", p.task.title) description=format!("Task {r}: its details, its comments and its history.")/>
        <ProjectHeader board=p.board.clone() active=""/>
        <div class="task-page">
            <TaskMain p=p.clone() comment/>
            <aside>
                <TaskEdit p=p.clone() edit/>
                {is_pm.then(|| view! { <TaskDelete task=r.clone() delete/> })}
            </aside>
        </div>
    }
    .into_any()
}

#[component]
fn TaskMain(p: TaskPage, comment: ServerAction<AddComment>) -> impl IntoView {
    let t = p.task.clone();
    let r = t.reference();
    let story = t
        .story
        .and_then(|n| p.board.story_title(n).map(str::to_owned));
    let sprint = t
        .sprint
        .and_then(|n| p.board.sprint(n))
        .map(|s| s.name.clone())
        .unwrap_or_else(|| "Backlog".into());
    let older = p
        .next
        .clone()
        .map(|c| format!("/p/{}/{}?older={}", t.key, r, crate::util::url_encode(&c)));
    let dates = format!(
        "{} → {}",
        t.start_date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "?".into()),
        t.end_date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "?".into())
    );
    view! {
        <section class="card">
            <p class="muted small">{r.clone()}</p>
            <h1 data-testid="task-title">{t.title.clone()}</h1>
            <p><StatusPill status=t.status/>" "<Estimate task=t.clone()/></p>
            <dl class="facts">
                <dt>"Assignee"</dt><dd>{p.board.assignee_name(&t).unwrap_or_else(|| "unassigned".into())}</dd>
                <dt>"Story"</dt><dd>{story.unwrap_or_else(|| "none".into())}</dd>
                <dt>"Sprint"</dt><dd data-testid="task-sprint">{sprint}</dd>
                <dt>"Dates"</dt><dd>{dates}</dd>
            </dl>
            {(!t.description.is_empty()).then(|| view! { <p class="description">{t.description.clone()}</p> })}
            <h2>{format!("Comments ({})", t.comment_count)}</h2>
            {older.map(|href| view! { <p><a href=href>"Show older comments"</a></p> })}
            <Comments comments=p.comments.clone()/>
            <ActionForm action=comment>
                <input type="hidden" name="task" value=r/>
                <label>"Add a comment" <textarea name="body" rows="3" required maxlength="4000"></textarea></label>
                <FormError/>
                <button type="submit">"Comment"</button>
            </ActionForm>
            <h2>"History"</h2>
            <div data-testid="history"><ActivityList board=p.board.clone() entries=p.history.clone()/></div>
        </section>
    }
    .into_any()
}

#[component]
fn Comments(comments: Vec<Comment>) -> impl IntoView {
    view! {
        <ol class="comments" data-testid="comments">
            {comments.into_iter().map(|c| view! {
                <li>
                    <p class="muted small">{format!("{} · ", c.author.display_name)}<LocalTime at=c.created_at/></p>
                    <p class="body">{c.body}</p>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn TaskEdit(p: TaskPage, edit: ServerAction<EditTask>) -> impl IntoView {
    let t = p.task.clone();
    // Set by the edit's redirect back to this page.
    let query = use_query_map();
    let changed = move || query.read().get("changed").is_some();
    let saved = move || query.read().get("saved").is_some();
    view! {
        <section class="card">
            <h2>"Edit"</h2>
            <Show when=changed>
                <p class="form-error" role="alert" data-testid="changed">
                    "This task changed since you opened it. The form now shows the current values: review them and save again."
                </p>
            </Show>
            <Show when=saved><p class="notice" role="status">"Saved."</p></Show>
            <ActionForm action=edit>
                <input type="hidden" name="task" value=t.reference()/>
                <input type="hidden" name="version" value=t.version.to_string()/>
                <input type="hidden" name="seen_status" value=t.status.as_str()/>
                <TaskFieldsForm board=p.board.clone() task=Some(t.clone())/>
                <FormError/>
                <button type="submit">"Save"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
fn TaskDelete(task: String, delete: ServerAction<DeleteTask>) -> impl IntoView {
    view! {
        <section class="card danger-zone">
            <ActionForm action=delete>
                <input type="hidden" name="task" value=task/>
                <FormError/>
                <button type="submit" class="danger" data-testid="delete-task">"Delete task"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}
