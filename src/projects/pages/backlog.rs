//! The backlog (the project's front page): the sprint under way and the planned sprints with
//! their tasks, totals and dates, then the backlog, each list by rank; one page of at most 100
//! tasks at a time. Tasks move by drag-and-drop once hydrated, and by a small form without
//! JavaScript; the manager creates and starts sprints here. Stories and the create forms sit
//! beside the lists.

use super::{
    cursor_param, filter_param, key_param, DragAndDrop, Estimate, FilterBar, ProjectHeader,
    StatusPill, TaskFieldsForm,
};
use crate::projects::api::{
    get_backlog, CreateSprint, CreateStory, CreateTask, PlaceTask, StartSprint,
};
use crate::projects::model::*;
use crate::ui::PageHead;
use crate::ui::{ErrorView, FormError, Loading};
use crate::util::url_encode;
use leptos::prelude::*;

/// Every write the backlog makes, so that the lists reload after any of them.
#[derive(Clone, Copy)]
struct Acts {
    place: ServerAction<PlaceTask>,
    sprint: ServerAction<CreateSprint>,
    start: ServerAction<StartSprint>,
    story: ServerAction<CreateStory>,
    task: ServerAction<CreateTask>,
}

#[component]
pub fn BacklogPage() -> impl IntoView {
    let key = key_param();
    let filter = filter_param();
    let cursor = cursor_param();
    let acts = Acts {
        place: ServerAction::new(),
        sprint: ServerAction::new(),
        start: ServerAction::new(),
        story: ServerAction::new(),
        task: ServerAction::new(),
    };
    let board = Resource::new(
        move || {
            (
                key.get(),
                filter.get(),
                cursor.get(),
                (
                    acts.place.version().get(),
                    acts.sprint.version().get(),
                    acts.start.version().get(),
                    acts.story.version().get(),
                    acts.task.version().get(),
                ),
            )
        },
        |(key, filter, cursor, _)| get_backlog(key, filter, cursor),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => view! { <Backlog board=b filter=filter.get_untracked() acts/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// The lists of the page, in plan order: the open sprints by number, then the backlog.
fn lists(board: &ProjectView) -> Vec<(Bucket, Option<Sprint>)> {
    let mut out: Vec<(Bucket, Option<Sprint>)> = board
        .sprints
        .iter()
        .filter(|s| s.state != SprintState::Completed)
        .map(|s| (Bucket::Sprint(s.number), Some(s.clone())))
        .collect();
    out.push((Bucket::Backlog, None));
    out
}

#[component]
fn Backlog(board: ProjectView, filter: TaskFilter, acts: Acts) -> impl IntoView {
    let key = board.project.key.to_string();
    let is_pm = board.my_role == ProjectRole::Manager;
    let lists = lists(&board);
    let targets: Vec<(String, String)> = lists
        .iter()
        .map(|(b, s)| {
            (
                b.as_param(),
                s.as_ref()
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| "Backlog".into()),
            )
        })
        .collect();
    let any_active = board.active_sprint().is_some();
    let sections = lists
        .into_iter()
        .map(|(bucket, sprint)| {
            let tasks: Vec<Task> = board
                .tasks
                .iter()
                .filter(|t| Bucket::of(t.sprint) == bucket)
                .cloned()
                .collect();
            view! {
                <ListSection board=board.clone() bucket sprint tasks targets=targets.clone()
                    acts can_start=is_pm && !any_active/>
            }
        })
        .collect_view();
    let more = board.next.clone().map(|c| {
        let q = filter.query();
        let sep = if q.is_empty() {
            String::new()
        } else {
            format!("{q}&")
        };
        format!("/p/{key}/backlog?{sep}after={}", url_encode(&c))
    });
    let completed: Vec<Sprint> = board
        .sprints
        .iter()
        .filter(|s| s.state == SprintState::Completed)
        .rev()
        .cloned()
        .collect();
    let path = format!("/p/{key}/backlog");
    view! {
        <PageHead title=format!("Backlog · {}", board.project.name) description=format!("The sprints and the backlog of project {}.", board.project.key)/>
        <ProjectHeader board=board.clone() active="backlog"/>
        {(!board.project.description.is_empty()).then(|| view! { <p class="lead">{board.project.description.clone()}</p> })}
        <FilterBar board=board.clone() filter=filter.clone() path/>
        <FormError/>
        <div class="scrum">
            <div class="plan" data-testid="plan">
                <DragAndDrop board=false>
                    <div data-js-swap="plan">
                        {sections}
                        {more.map(|href| view! { <p><a href=href data-testid="more-tasks">"More tasks"</a></p> })}
                    </div>
                </DragAndDrop>
            </div>
            <aside class="forms" data-js-swap="aside">
                {is_pm.then(|| view! { <NewSprint key=key.clone() act=acts.sprint/> })}
                <Stories board=board.clone()/>
                {(!completed.is_empty()).then(|| view! {
                    <section class="card">
                        <h2>"Completed sprints"</h2>
                        <ul class="plain" data-testid="completed-sprints">
                            {completed.into_iter().map(|s| view! {
                                <li><a href=format!("/p/{key}/sprints/{}", s.number)>{s.name.clone()}</a>
                                    <span class="muted small">{format!(" · {} of {} pt", s.report.as_ref().map(|r| r.completed).unwrap_or(0), s.report.as_ref().map(|r| r.committed).unwrap_or(0))}</span></li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
                <NewStory board=board.clone() act=acts.story/>
                <NewTask board=board.clone() act=acts.task/>
            </aside>
        </div>
    }
    .into_any()
}

#[component]
fn ListSection(
    board: ProjectView,
    bucket: Bucket,
    sprint: Option<Sprint>,
    tasks: Vec<Task>,
    targets: Vec<(String, String)>,
    acts: Acts,
    can_start: bool,
) -> impl IntoView {
    let key = board.project.key.to_string();
    let to = bucket.as_param();
    let heading = match &sprint {
        Some(s) => s.name.clone(),
        None => "Backlog".into(),
    };
    let facts = sprint.as_ref().map(|s| {
        format!(
            "{} · {} → {} · {} tasks, {} pt ({} pt done)",
            s.state.label(),
            s.start,
            s.end,
            s.total.tasks,
            s.total.points,
            s.closed.points
        )
    });
    let goal = sprint
        .as_ref()
        .map(|s| s.goal.clone())
        .filter(|g| !g.is_empty());
    let start = sprint
        .as_ref()
        .filter(|s| can_start && s.state == SprintState::Planned)
        .map(|s| {
            let (k, n) = (key.clone(), s.number.to_string());
            view! {
                <ActionForm action=acts.start attr:class="inline">
                    <input type="hidden" name="key" value=k/>
                    <input type="hidden" name="sprint" value=n/>
                    <button type="submit" class="small" data-testid="start-sprint">"Start sprint"</button>
                </ActionForm>
            }
        });
    let report = sprint
        .as_ref()
        .filter(|s| s.state == SprintState::Active)
        .map(|s| {
            view! { <a class="small" href=format!("/p/{key}/sprints/{}", s.number) data-testid="sprint-report">"Burndown and completion"</a> }
        });
    let neighbours: Vec<Option<String>> = tasks.iter().map(|t| Some(t.reference())).collect();
    let rows = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let above = if i == 0 { None } else { neighbours[i - 1].clone() };
            view! { <PlanRow board=board.clone() task=t.clone() to=to.clone() above targets=targets.clone() acts/> }
        })
        .collect_view();
    let empty = tasks.is_empty();
    view! {
        // A drop target of the drag-and-drop island: a task dropped here goes to the bottom.
        <section class="card list" data-testid=format!("list-{}", bucket.as_param()) data-list=to.clone()>
            <header class="list-head">
                <h2>{heading}</h2>
                {facts.map(|f| view! { <p class="muted small">{f}</p> })}
                {goal.map(|g| view! { <p class="goal">{g}</p> })}
                {start}
                {report}
            </header>
            {empty.then(|| view! { <p class="muted small">"No tasks here. Drag tasks in, or move them with their “Move” form."</p> })}
            <ol class="tasks">{rows}</ol>
        </section>
    }
    .into_any()
}

#[component]
fn PlanRow(
    board: ProjectView,
    task: Task,
    to: String,
    above: Option<String>,
    targets: Vec<(String, String)>,
    acts: Acts,
) -> impl IntoView {
    let r = task.reference();
    let href = format!("/p/{}/{}", task.key, r);
    let (form_ref, attr_ref) = (r.clone(), r.clone());
    let here = to.clone();
    let story = task
        .story
        .and_then(|n| board.story_title(n).map(str::to_owned));
    view! {
        // Dragged by the drag-and-drop island; a task dropped on it goes just above it.
        <li class="task-row" data-testid="task-row" data-task=attr_ref data-above=above draggable="true">
            <a href=href class="ref">{r.clone()}</a>
            <span class="title">{task.title.clone()}</span>
            {story.map(|s| view! { <span class="story-tag">{s}</span> })}
            <span class="muted small">{board.assignee_name(&task).unwrap_or_else(|| "unassigned".into())}</span>
            <Estimate task=task.clone()/>
            <StatusPill status=task.status/>
            <ActionForm action=acts.place attr:class="move">
                <input type="hidden" name="task" value=form_ref/>
                <select name="to" aria-label=format!("List for {r}")>
                    {targets.iter().map(|(v, label)| view! { <option value=v.clone() selected=*v == here>{label.clone()}</option> }).collect_view()}
                </select>
                // Set by a drop between two rows (with no operation chosen).
                <input type="hidden" name="after" value=""/>
                <input type="hidden" name="before" value=""/>
                <select name="op" aria-label=format!("Position of {r}")>
                    <option value="up">"Up"</option>
                    <option value="down">"Down"</option>
                    <option value="top">"To top"</option>
                    <option value="bottom">"To bottom"</option>
                </select>
                <button type="submit" class="secondary small">"Move"</button>
            </ActionForm>
        </li>
    }
    .into_any()
}

#[component]
fn Stories(board: ProjectView) -> impl IntoView {
    let key = board.project.key.to_string();
    view! {
        <section class="card">
            <h2>"Stories"</h2>
            {board.stories.is_empty().then(|| view! { <p class="muted small">"No stories yet."</p> })}
            <ul class="plain">
                {board.stories.iter().map(|s| view! {
                    <li data-testid="story">
                        <a href=format!("/p/{key}/backlog?story={}", s.number)>{s.title.clone()}</a>
                        {(!s.description.is_empty()).then(|| view! { <p class="muted small">{s.description.clone()}</p> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn NewSprint(key: String, act: ServerAction<CreateSprint>) -> impl IntoView {
    // Two weeks from today by default (the server's day: the form can change both dates).
    let today = crate::model::wall_clock().date_naive();
    let end = today + chrono::Duration::days(13);
    view! {
        <section class="card">
            <h2>"New sprint"</h2>
            <ActionForm action=act>
                <input type="hidden" name="key" value=key/>
                <label>"Name" <input type="text" name="name" required maxlength="80"/></label>
                <label>"Goal" <textarea name="goal" rows="2" maxlength="500"></textarea></label>
                <div class="two">
                    <label>"Start" <input type="date" name="start" required value=today.to_string()/></label>
                    <label>"End" <input type="date" name="end" required value=end.to_string()/></label>
                </div>
                <FormError/>
                <button type="submit">"Create sprint"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
fn NewStory(board: ProjectView, act: ServerAction<CreateStory>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"New story"</h2>
            <ActionForm action=act>
                <input type="hidden" name="key" value=board.project.key.to_string()/>
                <input type="hidden" name="seen_seq" value=board.project.story_seq.to_string()/>
                <label>"Title" <input type="text" name="title" required maxlength="200"/></label>
                <label>"Description" <textarea name="description" rows="2" maxlength="5000"></textarea></label>
                <FormError/>
                <button type="submit">"Add story"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
fn NewTask(board: ProjectView, act: ServerAction<CreateTask>) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"New task"</h2>
            <ActionForm action=act>
                <input type="hidden" name="key" value=board.project.key.to_string()/>
                <input type="hidden" name="seen_seq" value=board.project.task_seq.to_string()/>
                <TaskFieldsForm board=board.clone() task=None/>
                <FormError/>
                <button type="submit">"Add task"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}
