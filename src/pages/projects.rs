//! The Projects area: dashboard, new project, scrum page, board, members, task page.

use crate::api::projects::*;
use crate::components::{action_error, ErrorView, FormError, Loading};
use crate::models::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub use crate::api::projects::dashboard;

fn status_class(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Todo => "status todo",
        TaskStatus::InProgress => "status progress",
        TaskStatus::InReview => "status review",
        TaskStatus::Done => "status done",
    }
}

#[component]
fn StatusPill(status: TaskStatus) -> impl IntoView {
    view! { <span class=status_class(status)>{status.label()}</span> }
}

#[component]
fn Counts(counts: StatusCounts) -> impl IntoView {
    view! {
        <span class="counts">
            {TaskStatus::ALL
                .into_iter()
                .map(|s| view! { <span class=status_class(s) title=s.label()>{format!("{} {}", s.label(), counts.get(s))}</span> })
                .collect_view()}
        </span>
    }
}

/// A signed-in user's projects and their status (the home page's body).
#[component]
pub fn Dashboard(page: Page<DashboardRow>, first: bool) -> impl IntoView {
    view! {
        <section class="card">
            <div class="row-between">
                <h1>"My projects"</h1>
                <a href="/projects/new" class="button" data-testid="new-project">"New project"</a>
            </div>
            {if page.items.is_empty() && first {
                view! {
                    <p class="muted">"You are not in any project yet. Create one, or ask a project manager to add you."</p>
                }
                .into_any()
            } else {
                view! {
                    <table class="table" data-testid="dashboard">
                        <thead><tr><th>"Key"</th><th>"Project"</th><th>"Manager"</th><th>"My role"</th><th>"Status"</th></tr></thead>
                        <tbody>
                            {page.items.into_iter().map(|r| view! {
                                <tr>
                                    <td><a href=format!("/p/{}", r.project.key)>{r.project.key.to_string()}</a></td>
                                    <td><a href=format!("/p/{}", r.project.key)>{r.project.name.clone()}</a></td>
                                    <td>{r.project.manager.display_name.clone()}</td>
                                    <td>{r.my_role.label()}</td>
                                    <td><Counts counts=r.project.counts/></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {page.next.map(|c| view! { <p class="pager"><a href=format!("/?cursor={}", crate::util::url_encode(&c))>"More projects »"</a></p> })}
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
pub fn NewProjectPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let error = action_error(create.value());
    view! {
        <Title text="New project"/>
        <section class="card narrow-wide">
            <h1>"New project"</h1>
            <ActionForm action=create>
                <label>"Key" <input type="text" name="key" required minlength="2" maxlength="10" pattern="[A-Za-z][A-Za-z0-9]{1,9}"
                    placeholder="e.g. SHOP" autocomplete="off" title="2–10 letters or digits, starting with a letter"/></label>
                <label>"Name" <input type="text" name="name" required maxlength="80"/></label>
                <label>"Description" <textarea name="description" rows="3" maxlength="2000"></textarea></label>
                <label>"Project manager"
                    <input type="text" name="manager" placeholder="Leave empty to manage it yourself, or type a handle" maxlength="21"/>
                </label>
                <label>"Members"
                    <input type="text" name="members" placeholder="Handles, separated by commas (find them under People)"/>
                </label>
                <p class="hint">"Each member gets an email telling them they were added."</p>
                <FormError error/>
                <button type="submit" disabled=create.pending()>"Create project"</button>
            </ActionForm>
        </section>
    }
}

fn key_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("key").unwrap_or_default().to_uppercase())
}

#[component]
fn ProjectHeader(board: ProjectBoard, active: &'static str) -> impl IntoView {
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
        <Title text=format!("{} · {}", board.project.key, board.project.name)/>
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

/// The fields of a task form, filled from `task` when editing.
#[component]
fn TaskFieldsForm(board: ProjectBoard, task: Option<Task>) -> impl IntoView {
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
                {TaskStatus::ALL.into_iter().map(|s| view! {
                    <option value=s.as_str() selected=s == status>{s.label()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The board: a column per status. Cards move by drag-and-drop once hydrated, and by a plain
/// form without JavaScript.
#[component]
pub fn BoardPage() -> impl IntoView {
    let key = key_param();
    let mover = ServerAction::<MoveTask>::new();
    let board = Resource::new(
        move || (key.get(), mover.version().get()),
        |(key, _)| get_board(key),
    );
    let error = action_error(mover.value());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => view! { <Board board=b mover error/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Board(
    board: ProjectBoard,
    mover: ServerAction<MoveTask>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    // The card being dragged: (task ref, its status).
    let dragging = RwSignal::new(None::<(String, TaskStatus)>);
    let over = RwSignal::new(None::<TaskStatus>);
    let columns = TaskStatus::ALL
        .into_iter()
        .map(|col| {
            let cards = board
                .tasks
                .iter()
                .filter(|t| t.status == col)
                .map(|t| {
                    let r = t.reference();
                    let drag_ref = r.clone();
                    let (form_ref, label_ref, link, attr_ref) = (r.clone(), format!("Move {r} to"), format!("/p/{}/{}", t.key, r), r.clone());
                    let from = t.status;
                    view! {
                        <li class="card-item" draggable="true" data-testid="card" data-task=attr_ref
                            on:dragstart=move |ev: leptos::ev::DragEvent| {
                                if let Some(dt) = ev.data_transfer() {
                                    let _ = dt.set_data("text/plain", &drag_ref);
                                }
                                dragging.set(Some((drag_ref.clone(), from)));
                            }
                            on:dragend=move |_| { dragging.set(None); over.set(None); }>
                            <a href=link class="ref">{r}</a>
                            <span class="title">{t.title.clone()}</span>
                            <span class="muted small">{board.assignee_name(t).unwrap_or_else(|| "unassigned".into())}</span>
                            <ActionForm action=mover attr:class="move">
                                <input type="hidden" name="task" value=form_ref/>
                                <input type="hidden" name="from" value=from.as_str()/>
                                <select name="to" aria-label=label_ref>
                                    {TaskStatus::ALL.into_iter().filter(|s| *s != from).map(|s| view! {
                                        <option value=s.as_str()>{s.label()}</option>
                                    }).collect_view()}
                                </select>
                                <button type="submit" class="secondary small">"Move"</button>
                            </ActionForm>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class=move || if over.get() == Some(col) { "column over" } else { "column" }
                    data-testid=format!("column-{}", col.as_str())
                    on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(Some(col)); }
                    on:dragleave=move |_| over.set(None)
                    on:drop=move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        over.set(None);
                        if let Some((task, from)) = dragging.get_untracked() {
                            if from != col {
                                mover.dispatch(MoveTask { task, from: from.as_str().into(), to: col.as_str().into() });
                            }
                        }
                        dragging.set(None);
                    }>
                    <h2>{col.label()} <span class="muted">{format!(" {}", board.project.counts.get(col))}</span></h2>
                    <ul>{cards}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("Board · {}", board.project.name)/>
        <ProjectHeader board=board.clone() active="board"/>
        <FormError error/>
        <div class="board">{columns}</div>
    }
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let key = key_param();
    let add = ServerAction::<AddMember>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let promote = ServerAction::<MakeManager>::new();
    let board = Resource::new(
        move || {
            (
                key.get(),
                add.version().get(),
                remove.version().get(),
                promote.version().get(),
            )
        },
        |(key, ..)| get_board(key),
    );
    let errors = [
        action_error(add.value()),
        action_error(remove.value()),
        action_error(promote.value()),
    ];
    let error = Signal::derive(move || errors.iter().find_map(|e| e.get()));
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => {
                        let is_pm = b.my_role == ProjectRole::Manager;
                        let key = b.project.key.to_string();
                        let rows = b.members.iter().map(|m| {
                            let (k1, k2) = (key.clone(), key.clone());
                            let (uid1, uid2) = (m.person.id.clone(), m.person.id.clone());
                            let is_manager = m.role == ProjectRole::Manager;
                            view! {
                                <tr data-testid="member-row">
                                    <td><a href=format!("/u/{}", m.person.handle)>{m.person.display_name.clone()}</a>
                                        <span class="muted">{format!(" @{}", m.person.handle)}</span></td>
                                    <td>{m.role.label()}</td>
                                    <td data-testid="invitation">{match (is_pm, m.invitation) {
                                        (true, Some(d)) => d.label(),
                                        (true, None) => "—",
                                        (false, _) => "",
                                    }}</td>
                                    <td class="actions">
                                        {(is_pm && !is_manager).then(|| view! {
                                            <ActionForm action=promote>
                                                <input type="hidden" name="key" value=k1/>
                                                <input type="hidden" name="user_id" value=uid1/>
                                                <button type="submit" class="secondary small">"Make manager"</button>
                                            </ActionForm>
                                            <ActionForm action=remove>
                                                <input type="hidden" name="key" value=k2/>
                                                <input type="hidden" name="user_id" value=uid2/>
                                                <button type="submit" class="secondary small">"Remove"</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <Title text=format!("Members · {}", b.project.name)/>
                            <ProjectHeader board=b.clone() active="members"/>
                            <section class="card">
                                <table class="table">
                                    <thead><tr><th>"Person"</th><th>"Role"</th><th>{if is_pm { "Invitation email" } else { "" }}</th><th></th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                                <FormError error/>
                                {is_pm.then(|| view! {
                                    <ActionForm action=add attr:class="inline-form">
                                        <input type="hidden" name="key" value=key.clone()/>
                                        <label>"Add a member by handle" <input type="text" name="handle" required maxlength="21" placeholder="handle"/></label>
                                        <button type="submit">"Add member"</button>
                                    </ActionForm>
                                })}
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

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
        move || {
            (
                task.get(),
                cursor(),
                edit.version().get(),
                comment.version().get(),
            )
        },
        |(task, cursor, ..)| get_task_page(task, cursor),
    );
    let edit_error = action_error(edit.value());
    let comment_error = action_error(comment.value());
    let delete_error = action_error(delete.value());
    let changed = move || matches!(edit.value().get(), Some(Ok(EditOutcome::Changed(_))));
    let saved = move || matches!(edit.value().get(), Some(Ok(EditOutcome::Saved(_))));
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let t = p.task.clone();
                        let r = t.reference();
                        let (r_comment, r_edit, r_delete) = (r.clone(), r.clone(), r.clone());
                        let story = t.story.and_then(|n| p.board.stories.iter().find(|s| s.number == n)).map(|s| s.title.clone());
                        let is_pm = p.board.my_role == ProjectRole::Manager;
                        let older = p.next.clone().map(|c| format!("/p/{}/{}?older={}", t.key, r, crate::util::url_encode(&c)));
                        view! {
                            <Title text=format!("{r} · {}", t.title)/>
                            <ProjectHeader board=p.board.clone() active=""/>
                            <div class="task-page">
                                <section class="card">
                                    <p class="muted small">{r.clone()}</p>
                                    <h1 data-testid="task-title">{t.title.clone()}</h1>
                                    <p><StatusPill status=t.status/></p>
                                    <dl class="facts">
                                        <dt>"Assignee"</dt><dd>{p.board.assignee_name(&t).unwrap_or_else(|| "unassigned".into())}</dd>
                                        <dt>"Story"</dt><dd>{story.unwrap_or_else(|| "none".into())}</dd>
                                        <dt>"Dates"</dt><dd>{format!("{} → {}",
                                            t.start_date.map(|d| d.to_string()).unwrap_or_else(|| "?".into()),
                                            t.end_date.map(|d| d.to_string()).unwrap_or_else(|| "?".into()))}</dd>
                                    </dl>
                                    {(!t.description.is_empty()).then(|| view! { <p class="description">{t.description.clone()}</p> })}
                                    <h2>{format!("Comments ({})", t.comment_count)}</h2>
                                    {older.map(|href| view! { <p><a href=href>"Show older comments"</a></p> })}
                                    <ol class="comments" data-testid="comments">
                                        {p.comments.iter().map(|c| view! {
                                            <li>
                                                <p class="muted small">{format!("{} · {}", c.author.display_name, c.created_at.format("%Y-%m-%d %H:%M UTC"))}</p>
                                                <p class="body">{c.body.clone()}</p>
                                            </li>
                                        }).collect_view()}
                                    </ol>
                                    <ActionForm action=comment>
                                        <input type="hidden" name="task" value=r_comment/>
                                        <label>"Add a comment" <textarea name="body" rows="3" required maxlength="4000"></textarea></label>
                                        <FormError error=comment_error/>
                                        <button type="submit" disabled=comment.pending()>"Comment"</button>
                                    </ActionForm>
                                </section>
                                <aside>
                                    <section class="card">
                                        <h2>"Edit"</h2>
                                        <Show when=changed>
                                            <p class="form-error" role="alert" data-testid="changed">
                                                "This task changed since you opened it. The form now shows the current values: review them and save again."
                                            </p>
                                        </Show>
                                        <Show when=saved><p class="notice" role="status">"Saved."</p></Show>
                                        <ActionForm action=edit>
                                            <input type="hidden" name="task" value=r_edit/>
                                            <input type="hidden" name="version" value=t.version.to_string()/>
                                            <input type="hidden" name="seen_status" value=t.status.as_str()/>
                                            <TaskFieldsForm board=p.board.clone() task=Some(t.clone())/>
                                            <FormError error=edit_error/>
                                            <button type="submit" disabled=edit.pending()>"Save"</button>
                                        </ActionForm>
                                    </section>
                                    {is_pm.then(|| view! {
                                        <section class="card danger-zone">
                                            <ActionForm action=delete>
                                                <input type="hidden" name="task" value=r_delete/>
                                                <FormError error=delete_error/>
                                                <button type="submit" class="danger" data-testid="delete-task">"Delete task"</button>
                                            </ActionForm>
                                        </section>
                                    })}
                                </aside>
                            </div>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
