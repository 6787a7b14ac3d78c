//! Sign-in and sign-up.

use crate::accounts::model::{AccountKind, Password};
use crate::ui::context::Auth;
use crate::ui::FormError;
use crate::ui::PageHead;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn next_param() -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || query.read().get("next").unwrap_or_default())
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let next = next_param();
    let query = use_query_map();
    let reset = move || query.read().get("reset").is_some();
    view! {
        <PageHead title="Sign in" description="Sign in to minijira."/>
        <section class="card narrow">
            <h1 id="sign-in-title">"Sign in"</h1>
            <Show when=reset>
                <p class="notice" role="status" data-testid="password-set">"Your new password is set. Sign in with it."</p>
            </Show>
            <ActionForm action=auth.sign_in attr:aria-labelledby="sign-in-title">
                <input type="hidden" name="next" value=next/>
                <label>
                    "Email"
                    <input type="email" name="email" required autocomplete="email" maxlength="254"/>
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" required autocomplete="current-password" maxlength="1024"/>
                </label>
                <FormError/>
                <button type="submit">"Sign in"</button>
            </ActionForm>
            <p class="muted"><a href="/forgot">"Forgot your password?"</a></p>
            <p class="muted">
                "New here? "
                <a href=move || format!("/signup{}", if next.get().is_empty() { String::new() } else { format!("?next={}", crate::util::url_encode(&next.get())) })>
                    "Create an account"
                </a>
            </p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let next = next_param();
    view! {
        <PageHead title="Create an account" description="Create a minijira account: a team member, a parent or a nanny."/>
        <section class="card narrow">
            <h1>"Create an account"</h1>
            <ActionForm action=auth.sign_up>
                <input type="hidden" name="next" value=next/>
                <SignUpFields/>
                <fieldset class="kinds">
                    <legend>"I am here as"</legend>
                    {AccountKind::ALL
                        .iter()
                        .copied()
                        .map(|k| view! {
                            <label class="radio">
                                <input type="radio" name="kind" value=k.as_str() checked=k == AccountKind::Member/>
                                {k.label()}
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <FormError/>
                <button type="submit">"Create account"</button>
            </ActionForm>
            <p class="muted">"Already have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}

/// The sign-up form's fields, with the password hint that follows what is typed — computed in
/// the browser with the rule the server applies ([`Password::weakness`]). An island: the rest
/// of the page is server-rendered HTML.
#[island]
fn SignUpFields() -> impl IntoView {
    let (password, set_password) = signal(String::new());
    let (handle, set_handle) = signal(String::new());
    let (email, set_email) = signal(String::new());
    let hint = move || {
        let p = password.get();
        if p.is_empty() {
            return (
                "hint",
                "At least 10 characters, letters mixed with digits or symbols.",
            );
        }
        match Password::weakness(&p, &handle.get(), &email.get()) {
            Some(msg) => ("hint weak", msg),
            None => ("hint strong", "Strong enough."),
        }
    };
    view! {
        <label>
            "Email"
            <input type="email" name="email" required autocomplete="email" maxlength="254"
                on:input=move |ev| set_email.set(event_target_value(&ev))/>
        </label>
        <label>
            "Handle"
            <input type="text" name="handle" required minlength="3" maxlength="20" pattern="[A-Za-z][A-Za-z0-9_]{2,19}"
                autocomplete="username" title="3–20 letters, digits or underscores, starting with a letter"
                on:input=move |ev| set_handle.set(event_target_value(&ev))/>
        </label>
        <label>
            "Display name"
            <input type="text" name="display_name" required maxlength="60" autocomplete="name"/>
        </label>
        <label>
            "Password"
            <input type="password" name="password" required autocomplete="new-password" maxlength="128"
                on:input=move |ev| set_password.set(event_target_value(&ev))/>
        </label>
        <p class=move || hint().0 data-testid="password-hint" aria-live="polite">{move || hint().1}</p>
    }
}
