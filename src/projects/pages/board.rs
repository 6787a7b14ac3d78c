//! The sprint board: the sprint under way's tasks in a column per status, with the sprint's
//! name, goal, days left and points, and the filters.

use super::{
    cursor_param, filter_param, key_param, DragAndDrop, Estimate, FilterBar, ProjectHeader,
};
use crate::projects::api::{get_board, MoveTask};
use crate::projects::model::*;
use crate::ui::PageHead;
use crate::ui::{ErrorView, FormError, Loading};
use leptos::prelude::*;

/// The board: a column per status. Cards move by drag-and-drop (an island), and by a plain
/// form without JavaScript.
#[component]
pub fn BoardPage() -> impl IntoView {
    let key = key_param();
    let filter = filter_param();
    let cursor = cursor_param();
    let board = Resource::new(
        move || (key.get(), filter.get(), cursor.get()),
        |(key, filter, cursor)| get_board(key, filter, cursor),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => view! { <Board board=b filter=filter.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn Board(board: ProjectView, filter: TaskFilter) -> impl IntoView {
    // Without JavaScript a card's "Move" form posts to the server, which sends the browser back.
    let mover = ServerAction::<MoveTask>::new();
    let columns = TaskStatus::ALL
        .iter()
        .copied()
        .map(|col| {
            let cards = board
                .tasks
                .iter()
                .filter(|t| t.status == col)
                .map(|t| {
                    let r = t.reference();
                    let (form_ref, label_ref, link, attr_ref) = (r.clone(), format!("Move {r} to"), format!("/p/{}/{}", t.key, r), r.clone());
                    let from = t.status;
                    view! {
                        <li class="card-item" draggable="true" data-testid="card" data-task=attr_ref data-status=from.as_str()>
                            <a href=link class="ref">{r}</a>
                            <span class="title">{t.title.clone()}</span>
                            <span class="muted small">{board.assignee_name(t).unwrap_or_else(|| "unassigned".into())}</span>
                            <Estimate task=t.clone()/>
                            <ActionForm action=mover attr:class="move">
                                <input type="hidden" name="task" value=form_ref/>
                                <input type="hidden" name="from" value=from.as_str()/>
                                <select name="to" aria-label=label_ref>
                                    {TaskStatus::ALL.iter().copied().filter(|s| *s != from).map(|s| view! {
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
                <section class="column" data-testid=format!("column-{}", col.as_str()) data-column=col.as_str()>
                    <h2>{col.label()} <span class="muted">{format!(" {}", board.tasks.iter().filter(|t| t.status == col).count())}</span></h2>
                    <ul>{cards}</ul>
                </section>
            }
        })
        .collect_view();
    let key = board.project.key.to_string();
    let more = board.next.clone().map(|c| {
        let q = filter.query();
        let sep = if q.is_empty() {
            String::new()
        } else {
            format!("{q}&")
        };
        format!("/p/{key}/board?{sep}after={}", crate::util::url_encode(&c))
    });
    let path = format!("/p/{key}/board");
    view! {
        <PageHead title=format!("Board · {}", board.project.name) description=format!("The board of project {}: its tasks by status.", board.project.key)/>
        <ProjectHeader board=board.clone() active="board"/>
        <SprintHead board=board.clone()/>
        <FilterBar board=board.clone() filter path/>
        <FormError/>
        <DragAndDrop board=true>
            <div class="board" data-js-swap="board">{columns}</div>
        </DragAndDrop>
        {more.map(|href| view! { <p><a href=href>"More tasks"</a></p> })}
    }
    .into_any()
}

/// The sprint under way: its goal, dates and points (or how to start one).
#[component]
fn SprintHead(board: ProjectView) -> impl IntoView {
    let key = board.project.key.to_string();
    let today = crate::model::wall_clock().date_naive();
    match board.active_sprint() {
        Some(s) => {
            let href = format!("/p/{key}/sprints/{}", s.number);
            view! {
                <section class="sprint-head" data-testid="active-sprint" data-js-swap="sprint-head">
                    <h2>{s.name.clone()}</h2>
                    {(!s.goal.is_empty()).then(|| view! { <p class="goal">{s.goal.clone()}</p> })}
                    <p class="muted">
                        {format!("{} → {} · {} days left · ", s.start, s.end, s.days_left(today))}
                        <strong data-testid="sprint-points">{format!("{} of {} points done", s.closed.points, s.total.points)}</strong>
                        " · " <a href=href>"Burndown"</a>
                    </p>
                </section>
            }
            .into_any()
        }
        None => view! {
            <p class="notice" data-testid="no-sprint">"No sprint is under way: the board shows the open work. Plan and start a sprint from the "<a href=format!("/p/{key}/backlog")>"backlog"</a>"."</p>
        }
        .into_any(),
    }
}
