//! A forgotten password: the form that mails a link (`/forgot`) and the page the link opens
//! (`/reset`).

use crate::accounts::api::{ForgotPassword, ResetPassword};
use crate::ui::{FormError, PageHead};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the form always says once sent (whether or not an account uses the address).
const SENT: &str = "If an account uses this address, a link to set a new password is on its way to it. It works for 30 minutes.";

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let forgot = ServerAction::<ForgotPassword>::new();
    view! {
        <PageHead title="Forgot your password?" description="Get a link to set a new minijira password."/>
        <section class="card narrow">
            <h1 id="forgot-title">"Forgot your password?"</h1>
            <Show when=sent fallback=move || view! {
                <p>"Type the address of your account: we mail it a link to set a new password."</p>
                <ActionForm action=forgot attr:aria-labelledby="forgot-title">
                    <label>
                        "Email"
                        <input type="email" name="email" required autocomplete="email" maxlength="254"/>
                    </label>
                    <FormError/>
                    <button type="submit">"Mail me a link"</button>
                </ActionForm>
            }>
                <p class="notice" role="status" data-testid="reset-sent">{SENT}</p>
            </Show>
            <p class="muted"><a href="/signin">"Back to sign in"</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let reset = ServerAction::<ResetPassword>::new();
    view! {
        <PageHead title="Set a new password" description="Choose a new minijira password."/>
        <section class="card narrow">
            <h1 id="reset-title">"Set a new password"</h1>
            <p>"Setting a new password signs your account out everywhere."</p>
            <ActionForm action=reset attr:aria-labelledby="reset-title">
                <input type="hidden" name="token" value=token/>
                <label>
                    "New password"
                    <input type="password" name="password" required autocomplete="new-password" minlength="10" maxlength="128"/>
                </label>
                <FormError/>
                <button type="submit">"Set the new password"</button>
            </ActionForm>
        </section>
    }
}
