use crate::components::{ErrorView, Loading};
use crate::pages::projects::{dashboard, Dashboard};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Signed in: the dashboard of my projects. Signed out: what minijira is.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let cursor = move || query.read().get("cursor");
    // One resource for the whole page, created outside any Suspend so that it runs once.
    let home = Resource::new(cursor, dashboard);
    view! {
        <Title text=""/>
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
