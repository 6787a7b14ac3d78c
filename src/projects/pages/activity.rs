//! A project's activity log, newest first, a page at a time, with its exports.

use super::{key_param, ProjectHeader};
use crate::projects::api::get_activity;
use crate::projects::model::*;
use crate::ui::PageHead;
use crate::ui::{ErrorView, Loading, LocalTime};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ActivityView() -> impl IntoView {
    let key = key_param();
    let query = use_query_map();
    let cursor = Memo::new(move |_| query.read().get("after"));
    let page = Resource::new(
        move || (key.get(), cursor.get()),
        |(key, cursor)| get_activity(key, cursor),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let key = p.board.project.key.to_string();
                        let older = p.next.clone().map(|c| format!("/p/{key}/activity?after={}", crate::util::url_encode(&c)));
                        view! {
                            <PageHead title=format!("Activity · {}", p.board.project.name) description=format!("Everything that happened in project {}, newest first.", p.board.project.key)/>
                            <ProjectHeader board=p.board.clone() active="activity"/>
                            <section class="card">
                                <p class="small">"Export: "<a href=format!("/p/{key}/export/activity.csv") download="">"CSV"</a>" · "<a href=format!("/p/{key}/export/activity.json") download="">"JSON"</a></p>
                                <ActivityList board=p.board.clone() entries=p.entries.clone()/>
                                {older.map(|href| view! { <p><a href=href>"Older"</a></p> })}
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// A value of a field as a person reads it (a member's name, a sprint's name, a label).
pub(crate) fn shown(board: &ProjectView, field: &str, raw: &str) -> String {
    if raw.is_empty() {
        return "none".into();
    }
    match field {
        "assignee" => board
            .member(raw)
            .map(|m| m.person.display_name.clone())
            .unwrap_or_else(|| "former member".into()),
        "status" => TaskStatus::from_text(raw)
            .map(|s| s.label().to_owned())
            .unwrap_or_else(|| raw.into()),
        "priority" => Priority::from_text(raw)
            .map(|p| p.label().to_owned())
            .unwrap_or_else(|| raw.into()),
        "sprint" => match raw.parse::<u32>().ok().and_then(|n| board.sprint(n)) {
            Some(s) => s.name.clone(),
            None if raw == "backlog" => "Backlog".into(),
            None => raw.into(),
        },
        "story" => raw
            .parse::<u32>()
            .ok()
            .and_then(|n| board.story_title(n).map(str::to_owned))
            .unwrap_or_else(|| raw.into()),
        _ => raw.into(),
    }
}

/// Entries of the log (the project's, or one task's history).
#[component]
pub(crate) fn ActivityList(board: ProjectView, entries: Vec<Activity>) -> impl IntoView {
    let key = board.project.key.to_string();
    view! {
        {entries.is_empty().then(|| view! { <p class="muted">"Nothing yet."</p> })}
        <ol class="activity" data-testid="activity">
            {entries.into_iter().map(|e| {
                let subject = match e.task {
                    Some(n) => view! { <a href=format!("/p/{key}/{key}-{n}")>{format!("{key}-{n}")}</a>" "{e.subject.clone()} }.into_any(),
                    None => view! { <span>{e.subject.clone()}</span> }.into_any(),
                };
                view! {
                    <li data-testid="activity-entry">
                        <p class="muted small">{format!("{} · ", e.actor.display_name)}<LocalTime at=e.at/></p>
                        <p>{format!("{} ", e.action)}{subject}</p>
                        {(!e.changes.is_empty()).then(|| view! {
                            <ul class="changes">
                                {e.changes.iter().map(|c| view! {
                                    <li><span class="field">{c.field.clone()}</span>": "{shown(&board, &c.field, &c.old)}" → "{shown(&board, &c.field, &c.new)}</li>
                                }).collect_view()}
                            </ul>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}
