//! The home page: a signed-in user's projects and their status, or a welcome.

use super::Counts;
use crate::model::Page;
use crate::projects::api::dashboard;
use crate::projects::model::DashboardRow;
use crate::ui::PageHead;
use crate::ui::{ErrorView, Loading};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Signed in: the dashboard of my projects. Signed out: what minijira is.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let cursor = move || query.read().get("cursor");
    // One resource for the whole page, created outside any Suspend so that it runs once.
    let home = Resource::new(cursor, dashboard);
    view! {
        <PageHead title="" description="minijira: projects, messages and sitters for small teams. Your projects and their status."/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(Some(page)) => view! { <Dashboard page first=cursor().is_none()/> }.into_any(),
                    Ok(None) => view! { <Landing/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Landing() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Projects, messages and sitters — on one account."</h1>
            <p class="muted">
                "A small-team tracker with scrum boards, direct conversations, and a jobs board for families and nannies."
            </p>
            <p class="actions">
                <a href="/signup" class="button">"Create an account"</a>
                <a href="/signin">"I have an account"</a>
            </p>
        </section>
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
