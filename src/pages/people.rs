use crate::api::people::{get_profile, list_people};
use crate::components::{ErrorView, Loading};
use crate::models::{AccountStatus, PersonSummary};
use crate::util::url_encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The people directory: search by handle prefix, one page at a time.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let cursor = move || query.read().get("cursor");
    let people = Resource::new(
        move || (q(), cursor()),
        |(q, cursor)| list_people(q, cursor),
    );
    view! {
        <Title text="People"/>
        <section class="card">
            <h1>"People"</h1>
            <form method="get" action="/people" class="search" role="search">
                <input type="search" name="q" placeholder="Search by handle" value=q maxlength="20" aria-label="Handle starts with"/>
                <button type="submit">"Search"</button>
            </form>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match people.await {
                        Ok(page) => {
                            let next = page.next.clone().map(|c| format!("/people?q={}&cursor={}", url_encode(&q()), url_encode(&c)));
                            let first = cursor().is_some().then(|| format!("/people?q={}", url_encode(&q())));
                            view! {
                                <Show when={let empty = page.items.is_empty(); move || empty}>
                                    <p class="muted">"Nobody matches that handle."</p>
                                </Show>
                                <ul class="people" data-testid="people">
                                    {page.items.into_iter().map(|p| view! { <PersonRow person=p/> }).collect_view()}
                                </ul>
                                <nav class="pager">
                                    {first.map(|href| view! { <a href=href>"« First page"</a> })}
                                    {next.map(|href| view! { <a href=href rel="next" data-testid="next-page">"Next page »"</a> })}
                                </nav>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PersonRow(person: PersonSummary) -> impl IntoView {
    view! {
        <li>
            <a href=format!("/u/{}", person.handle)>
                <span class="avatar" aria-hidden="true">{initials(&person.display_name)}</span>
                <span class="name">{person.display_name.clone()}</span>
                <span class="handle">{format!("@{}", person.handle)}</span>
            </a>
            <span class="row-actions">
                <span class="tag">{person.kind.label()}</span>
                <a href=format!("/messages/new?to={}", person.handle) class="small">"Message"</a>
            </span>
        </li>
    }
}

pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let handle = move || params.read().get("handle").unwrap_or_default();
    let profile = Resource::new(handle, get_profile);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => view! {
                        <Title text=p.display_name.clone()/>
                        <section class="card profile" data-testid="profile">
                            <div class="profile-head">
                                <span class="avatar big" aria-hidden="true">{initials(&p.display_name)}</span>
                                <div>
                                    <h1>{p.display_name.clone()}</h1>
                                    <p class="muted">{format!("@{} · {}", p.handle, p.kind.label())}</p>
                                </div>
                                {(p.status == AccountStatus::Verified).then(|| view! { <span class="badge verified">"Verified"</span> })}
                                {(p.status == AccountStatus::Deactivated).then(|| view! { <span class="badge">"Deactivated"</span> })}
                            </div>
                            <p class="muted">{format!("Member since {}", p.created_at.format("%B %Y"))}</p>
                            <p><a href=format!("/messages/new?to={}", p.handle) class="button secondary" data-testid="message-button">"Message"</a></p>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
