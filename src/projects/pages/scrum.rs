//! The scrum page: stories with their tasks, tasks without a story, and the create forms.

use super::{key_param, ProjectHeader, StatusPill, TaskFieldsForm};
use crate::projects::api::{get_board, CreateStory, CreateTask};
use crate::projects::model::*;
use crate::ui::PageHead;
use crate::ui::{action_error, ErrorView, FormError, Loading};
use leptos::prelude::*;

/// The scrum page: stories with their tasks, tasks without a story, and the create forms.
#[component]
pub fn ScrumPage() -> impl IntoView {
    let key = key_param();
    let new_story = ServerAction::<CreateStory>::new();
    let new_task = ServerAction::<CreateTask>::new();
    let board = Resource::new(
        move || {
            (
                key.get(),
                new_story.version().get(),
                new_task.version().get(),
            )
        },
        |(key, _, _)| get_board(key),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => view! { <Scrum board=b new_story new_task/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TaskRow(task: Task, assignee: Option<String>) -> impl IntoView {
    let href = format!("/p/{}/{}", task.key, task.reference());
    view! {
        <li class="task-row" data-testid="task-row">
            <a href=href class="ref">{task.reference()}</a>
            <span class="title">{task.title.clone()}</span>
            <span class="muted small">{assignee.unwrap_or_else(|| "unassigned".into())}</span>
            <StatusPill status=task.status/>
        </li>
    }
}

#[component]
fn Scrum(
    board: ProjectBoard,
    new_story: ServerAction<CreateStory>,
    new_task: ServerAction<CreateTask>,
) -> impl IntoView {
    let (story_key, task_key) = (board.project.key.to_string(), board.project.key.to_string());
    let story_error = action_error(new_story.value());
    let task_error = action_error(new_task.value());
    let rows = |tasks: Vec<&Task>| {
        tasks
            .into_iter()
            .map(|t| view! { <TaskRow task=t.clone() assignee=board.assignee_name(t)/> })
            .collect_view()
    };
    let stories = board
        .stories
        .iter()
        .map(|s| {
            let tasks: Vec<&Task> = board.tasks.iter().filter(|t| t.story == Some(s.number)).collect();
            view! {
                <article class="story" data-testid="story">
                    <h3>{s.title.clone()}</h3>
                    {(!s.description.is_empty()).then(|| view! { <p class="muted">{s.description.clone()}</p> })}
                    <ul class="tasks">{rows(tasks)}</ul>
                </article>
            }
        })
        .collect_view();
    let loose: Vec<&Task> = board.tasks.iter().filter(|t| t.story.is_none()).collect();
    let loose = rows(loose);
    view! {
        <PageHead title=format!("{} · {}", board.project.key, board.project.name) description=format!("Stories and tasks of project {}.", board.project.key)/>
        <ProjectHeader board=board.clone() active="scrum"/>
        {(!board.project.description.is_empty()).then(|| view! { <p class="lead">{board.project.description.clone()}</p> })}
        <div class="scrum">
            <div class="stories">
                {stories}
                <article class="story loose">
                    <h3>"Tasks without a story"</h3>
                    <ul class="tasks">{loose}</ul>
                </article>
            </div>
            <aside class="forms">
                <section class="card">
                    <h2>"New story"</h2>
                    <ActionForm action=new_story>
                        <input type="hidden" name="key" value=story_key/>
                        <input type="hidden" name="seen_seq" value=board.project.story_seq.to_string()/>
                        <label>"Title" <input type="text" name="title" required maxlength="200"/></label>
                        <label>"Description" <textarea name="description" rows="2" maxlength="5000"></textarea></label>
                        <FormError error=story_error/>
                        <button type="submit" disabled=new_story.pending()>"Add story"</button>
                    </ActionForm>
                </section>
                <section class="card">
                    <h2>"New task"</h2>
                    <ActionForm action=new_task>
                        <input type="hidden" name="key" value=task_key/>
                        <input type="hidden" name="seen_seq" value=board.project.task_seq.to_string()/>
                        <TaskFieldsForm board=board.clone() task=None/>
                        <FormError error=task_error/>
                        <button type="submit" disabled=new_task.pending()>"Add task"</button>
                    </ActionForm>
                </section>
            </aside>
        </div>
    }
}
