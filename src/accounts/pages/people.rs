//! The people directory and a person's profile.

use crate::accounts::api::list_people;
use crate::accounts::model::*;
use crate::sitters::api::get_profile;
use crate::sitters::model::*;
use crate::ui::PageHead;
use crate::ui::{initials, ErrorView, Loading};
use crate::util::url_encode;
use leptos::prelude::*;
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
        <PageHead title="People" description="The people directory, by handle."/>
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

#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let handle = move || params.read().get("handle").unwrap_or_default();
    let profile = Resource::new(handle, get_profile);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(v) => view! { <Profile v/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Profile(v: ProfileView) -> impl IntoView {
    let p = v.person.clone();
    let action = if v.is_me {
        (p.kind != AccountKind::Member)
            .then(|| view! { <p><a href="/sitters/profile" class="button secondary">"Edit my sitter profile"</a></p> })
            .into_any()
    } else {
        view! {
            <p><a href=format!("/messages/new?to={}", p.handle) class="button secondary" data-testid="message-button">"Message"</a></p>
        }
        .into_any()
    };
    view! {
        <PageHead title=p.display_name.clone() description=format!("The profile of {} (@{}).", p.display_name, p.handle)/>
        <section class="card profile" data-testid="profile">
            <div class="profile-head">
                <span class="avatar big" aria-hidden="true">{initials(&p.display_name)}</span>
                <div>
                    <h1>{p.display_name.clone()}</h1>
                    <p class="muted">{format!("@{} · {}", p.handle, p.kind.label())}</p>
                </div>
                {(p.status == AccountStatus::Verified).then(|| view! { <span class="badge verified" data-testid="verified">"Verified"</span> })}
                {(p.status == AccountStatus::Deactivated).then(|| view! { <span class="badge">"Deactivated"</span> })}
            </div>
            <p class="muted">{format!("Member since {}", p.created_at.format("%B %Y"))}</p>
            {action}
        </section>
        {v.sitter.map(|s| view! { <SitterCard s/> })}
        {v.private.map(|pr| view! {
            <section class="card private" data-testid="private">
                <h2>"Private (only you and administrators see this)"</h2>
                <dl class="facts">
                    <dt>"Phone"</dt><dd>{pr.phone.clone()}</dd>
                    <dt>"ID document"</dt><dd>{pr.id_document.clone()}</dd>
                </dl>
            </section>
        })}
        {(!v.reviews.is_empty()).then(|| view! {
            <section class="card">
                <h2>"Reviews"</h2>
                <ul class="reviews" data-testid="reviews">
                    {v.reviews.iter().map(|r| view! {
                        <li>
                            <p>
                                <span class="stars">{format!("{}{}", "★".repeat(r.rating as usize), "☆".repeat(5usize.saturating_sub(r.rating as usize)))}</span>
                                <span class="muted small">{format!(" by {} · {}", r.reviewer.display_name, r.created_at.format("%Y-%m-%d"))}</span>
                            </p>
                            {(!r.text.is_empty()).then(|| view! { <p>{r.text.clone()}</p> })}
                            <p class="muted small">{format!("Punctual: {} · Would book again: {}", if r.punctual { "yes" } else { "no" }, if r.again { "yes" } else { "no" })}</p>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
fn SitterCard(s: PublicSitter) -> impl IntoView {
    let rating = match s.average {
        Some(a) => format!(
            "{a:.1} / 5 ({} review{})",
            s.rating_count,
            if s.rating_count == 1 { "" } else { "s" }
        ),
        None => "No reviews yet".to_owned(),
    };
    let yes_no = |b: Option<bool>| b.map(|b| if b { "yes" } else { "no" }).unwrap_or("—");
    let habits = s
        .smokes
        .map(|_| format!("{} / {}", yes_no(s.smokes), yes_no(s.drinks)));
    view! {
        <section class="card" data-testid="sitter">
            <h2>{s.full_name.clone()}</h2>
            <p class="rating" data-testid="rating">{rating}</p>
            <dl class="facts">
                <dt>"City"</dt><dd>{s.city.clone()}</dd>
                {s.kids.map(|k| view! { <dt>"Kids"</dt><dd>{k}</dd> })}
                {s.age.map(|a| view! { <dt>"Age"</dt><dd>{a}</dd> })}
                {(!s.gender.is_empty()).then(|| view! { <dt>"Gender"</dt><dd>{s.gender.clone()}</dd> })}
                {(!s.languages.is_empty()).then(|| view! { <dt>"Languages"</dt><dd>{s.languages.join(", ")}</dd> })}
                {s.hourly_rate_cents.filter(|c| *c > 0).map(|c| view! { <dt>"Rate"</dt><dd>{format!("{} / hour", format_money(c))}</dd> })}
                {(!s.education.is_empty()).then(|| view! { <dt>"Education"</dt><dd>{s.education.clone()}</dd> })}
                {habits.map(|h| view! { <dt>"Smokes / drinks"</dt><dd>{h}</dd> })}
                {(!s.activities.is_empty()).then(|| view! { <dt>"Activities"</dt><dd>{s.activities.join(", ")}</dd> })}
            </dl>
            {(!s.about.is_empty()).then(|| view! { <p class="description">{s.about.clone()}</p> })}
        </section>
    }
}
