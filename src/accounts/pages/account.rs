//! `/account`: my display name, email address and password.

use crate::accounts::api::{
    get_account, ChangeEmail, ChangeName, ChangePassword, EndOtherSessions, EndSession,
};
use crate::ui::{ErrorView, FormError, Loading, LocalTime, PageHead, SignedIn};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    let query = use_query_map();
    let saved = move || query.read().get("saved").unwrap_or_default();
    let name = ServerAction::<ChangeName>::new();
    let email = ServerAction::<ChangeEmail>::new();
    let password = ServerAction::<ChangePassword>::new();
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let account = Resource::new(
        move || {
            (
                name.version().get(),
                email.version().get(),
                password.version().get(),
                end.version().get(),
                end_others.version().get(),
            )
        },
        |_| get_account(),
    );
    let notice = move || match saved().as_str() {
        "name" => Some("Your display name is changed."),
        "email" => Some("A link is on its way to your new address: open it to make the change."),
        "password" => Some("Your password is changed. Your other sessions are signed out."),
        "session" => Some("That session is signed out."),
        "sessions" => Some("Your other sessions are signed out."),
        _ => None,
    };
    view! { <SignedIn>
        <PageHead title="My account" description="Your display name, email address and password."/>
        <section class="card narrow">
            <h1>"My account"</h1>
            {move || notice().map(|n| view! { <p class="notice" role="status" data-testid="account-saved">{n}</p> })}
            <FormError/>
        </section>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(a) => view! {
                        <section class="card narrow">
                            <h2 id="name-title">"Display name"</h2>
                            <p class="muted">{format!("@{} · ", a.handle)}<a href=format!("/u/{}", a.handle)>"Your public profile"</a></p>
                            <ActionForm action=name attr:aria-labelledby="name-title">
                                <label>"Display name" <input name="display_name" required maxlength="60" value=a.display_name.clone() autocomplete="name"/></label>
                                <button type="submit">"Save the name"</button>
                            </ActionForm>
                        </section>
                        <section class="card narrow">
                            <h2 id="email-title">"Email address"</h2>
                            <p data-testid="account-email">
                                {a.email.clone()}
                                {if a.email_confirmed { " (confirmed)" } else { " (not confirmed yet)" }}
                            </p>
                            {a.pending_email.clone().map(|p| view! {
                                <p class="muted" data-testid="pending-email">{format!("Waiting for confirmation: {p}. Open the link mailed to it.")}</p>
                            })}
                            <ActionForm action=email attr:aria-labelledby="email-title">
                                <label>"New email address" <input type="email" name="email" required maxlength="254" autocomplete="email"/></label>
                                <label>"Your password" <input type="password" name="password" required maxlength="1024" autocomplete="current-password"/></label>
                                <button type="submit">"Change the address"</button>
                            </ActionForm>
                        </section>
                        <section class="card narrow">
                            <h2 id="sessions-title">"Where you are signed in"</h2>
                            <ul class="sessions" data-testid="sessions" aria-labelledby="sessions-title">
                                {a.sessions.iter().map(|s| {
                                    let label = format!("Sign out {}", s.browser);
                                    let sid = s.sid.clone();
                                    view! {
                                        <li data-testid="session">
                                            <strong>{s.browser.clone()}</strong>
                                            {s.current.then(|| view! { <span class="tag">"This browser"</span> })}
                                            <span class="muted small">" signed in " <LocalTime at=s.created_at/> " · last seen " <LocalTime at=s.last_seen/></span>
                                            {(!s.current).then(|| view! {
                                                <ActionForm action=end attr:aria-label=label attr:class="inline">
                                                    <input type="hidden" name="sid" value=sid/>
                                                    <button type="submit" class="secondary small" data-testid="end-session">"Sign out"</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(a.sessions.iter().any(|s| !s.current)).then(|| view! {
                                <ActionForm action=end_others attr:aria-label="Sign out every other session">
                                    <button type="submit" class="secondary" data-testid="end-other-sessions">"Sign out everywhere else"</button>
                                </ActionForm>
                            })}
                        </section>
                        <section class="card narrow">
                            <h2 id="password-title">"Password"</h2>
                            <p class="muted">"Changing it signs out your other sessions."</p>
                            <ActionForm action=password attr:aria-labelledby="password-title">
                                <label>"Current password" <input type="password" name="current" required maxlength="1024" autocomplete="current-password"/></label>
                                <label>"New password" <input type="password" name="password" required minlength="10" maxlength="128" autocomplete="new-password"/></label>
                                <button type="submit">"Change the password"</button>
                            </ActionForm>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Transition>
    </SignedIn> }
}
