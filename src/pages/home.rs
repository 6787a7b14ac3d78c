use crate::app::Auth;
use crate::components::{ErrorView, Loading};
use crate::models::SessionUser;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <Title text=""/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) => view! { <Welcome user/> }.into_any(),
                    Ok(None) => view! { <Landing/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Welcome(user: SessionUser) -> impl IntoView {
    view! {
        <section class="hero">
            <h1 data-testid="welcome">{format!("Welcome, {}", user.display_name)}</h1>
            <p class="muted">{format!("Signed in as @{} · {}", user.handle, user.kind.label())}</p>
        </section>
        <crate::pages::projects::Dashboard/>
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
