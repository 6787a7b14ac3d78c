//! A sprint's page: its burndown (frozen once completed), its report with the spillover, the
//! project's velocity, and for the manager the form that completes the sprint under way.

use super::charts::{BurndownChart, BurndownTable, VelocityChart};
use super::{key_param, ProjectHeader};
use crate::projects::api::{get_sprint, CompleteSprint};
use crate::projects::model::*;
use crate::ui::PageHead;
use crate::ui::{ErrorView, FormError, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SprintView() -> impl IntoView {
    let key = key_param();
    let params = use_params_map();
    let number = Memo::new(move |_| params.read().get("sprint").unwrap_or_default());
    let complete = ServerAction::<CompleteSprint>::new();
    let page = Resource::new(
        move || (key.get(), number.get(), complete.version().get()),
        |(key, number, _)| get_sprint(key, number),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Sprint page=p complete/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn Sprint(page: SprintPage, complete: ServerAction<CompleteSprint>) -> impl IntoView {
    let s = page.sprint.clone();
    let key = page.board.project.key.to_string();
    let is_pm = page.board.my_role == ProjectRole::Manager;
    let changes = page.chart.changes.clone();
    let planned: Vec<Sprint> = page
        .board
        .sprints
        .iter()
        .filter(|o| o.state == SprintState::Planned)
        .cloned()
        .collect();
    let ck = key.clone();
    let completion = (is_pm && s.state == SprintState::Active).then(move || {
        let open = s.total.tasks - s.closed.tasks;
        view! {
            <section class="card" data-testid="complete-sprint">
                <h2>"Complete this sprint"</h2>
                <p>{format!("Done: {} tasks, {} points. Not done: {} tasks, {} points.",
                    s.closed.tasks, s.closed.points, open, s.total.points - s.closed.points)}</p>
                <ActionForm action=complete>
                    <input type="hidden" name="key" value=ck/>
                    <input type="hidden" name="sprint" value=s.number.to_string()/>
                    <label>"Move the unfinished tasks to"
                        <select name="spill_to">
                            <option value="backlog">"the backlog"</option>
                            {planned.iter().map(|p| view! { <option value=p.number.to_string()>{p.name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <FormError/>
                    <button type="submit">"Complete sprint"</button>
                </ActionForm>
            </section>
        }
    });
    let report = s.report.clone().map(|r| view! {
        <section class="card" data-testid="sprint-summary">
            <h2>"Report"</h2>
            <p>{format!("Committed {} points, completed {}. Done: {} tasks ({} pt). Not done: {} tasks ({} pt).",
                r.committed, r.completed, r.done.tasks, r.done.points, r.not_done.tasks, r.not_done.points)}</p>
            <h3>{format!("Spillover (moved to {})", r.spilled_to_name)}</h3>
            {r.spillover.is_empty().then(|| view! { <p class="muted">"None: everything was finished."</p> })}
            <ul class="plain" data-testid="spillover">
                {r.spillover.iter().map(|t| view! {
                    <li><a href=format!("/p/{key}/{key}-{}", t.number)>{format!("{key}-{}", t.number)}</a>
                        {format!(" {} · {} pt · {}", t.title, t.points.map(|p| p.to_string()).unwrap_or_else(|| "–".into()),
                            TaskStatus::from_text(&t.status).map(|s| s.label()).unwrap_or("?"))}</li>
                }).collect_view()}
            </ul>
        </section>
    });
    view! {
        <PageHead title=format!("{} · {}", s.name, page.board.project.name) description=format!("The burndown and report of sprint {} of project {}.", s.name, page.board.project.key)/>
        <ProjectHeader board=page.board.clone() active=""/>
        <section class="card">
            <h1 data-testid="sprint-name">{s.name.clone()}</h1>
            {(!s.goal.is_empty()).then(|| view! { <p class="goal">{s.goal.clone()}</p> })}
            <p class="muted" data-testid="sprint-state">{format!("{} · {} → {}", s.state.label(), s.start, s.end)}
                {page.chart.frozen.then_some(" · this chart is frozen as the sprint ended")}</p>
            <BurndownChart chart=page.chart.clone() name=s.name.clone()/>
            <details>
                <summary>"The numbers, day by day"</summary>
                <BurndownTable chart=page.chart.clone()/>
            </details>
            {(!changes.is_empty()).then(|| view! {
                <h2>"Scope changes after the start"</h2>
                <ul class="plain" data-testid="scope-changes">
                    {changes.iter().map(|c| view! {
                        <li>{format!("{}: {}-{} {} ({:+} pt)", c.date, page.board.project.key, c.task, c.why, c.points)}</li>
                    }).collect_view()}
                </ul>
            })}
        </section>
        {completion}
        {report}
        <section class="card">
            <h2>"Velocity"</h2>
            <VelocityChart bars=page.velocity.clone()/>
        </section>
    }
    .into_any()
}
