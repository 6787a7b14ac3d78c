//! Confirming an email address: the page a confirmation link opens, and the banner that asks
//! for it.

use crate::accounts::api::{ConfirmEmail, ResendConfirmation};
use crate::ui::{FormError, PageHead};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/confirm?token=…`: one button confirms the address (a link opened by a mail scanner
/// confirms nothing); `/confirm?done=1` says it is done.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let done = move || query.read().get("done").is_some();
    let confirm = ServerAction::<ConfirmEmail>::new();
    view! {
        <PageHead title="Confirm your email address" description="Confirm the email address of your minijira account."/>
        <section class="card narrow">
            <h1 id="confirm-title">"Confirm your email address"</h1>
            <Show when=done fallback=move || view! {
                <p>"This confirms that the address this link was mailed to is yours."</p>
                <ActionForm action=confirm attr:aria-labelledby="confirm-title">
                    <input type="hidden" name="token" value=token/>
                    <FormError/>
                    <button type="submit" data-testid="confirm-email">"Confirm my address"</button>
                </ActionForm>
            }>
                <p class="notice" role="status" data-testid="email-confirmed">
                    "Your address is confirmed. Mail that was waiting for it is on its way."
                </p>
                <p><a href="/">"Go to minijira"</a></p>
            </Show>
        </section>
    }
}

/// Shown (by the navigation bar, which knows who is signed in) to a person whose address is
/// not confirmed yet.
#[component]
pub fn ConfirmBanner() -> impl IntoView {
    let resend = ServerAction::<ResendConfirmation>::new();
    let sent = move || resend.value().get().is_some_and(|r| r.is_ok());
    view! {
        <div class="banner" role="status" data-testid="confirm-banner">
            <p id="confirm-banner-title">
                "Please confirm your email address: open the link we mailed you. Until then, minijira sends you no other mail."
            </p>
            <Show when=sent fallback=move || view! {
                // No FormError here: the page's own form shows a failed resend's message (one
                // message per page).
                <ActionForm action=resend attr:aria-labelledby="confirm-banner-title" attr:class="inline">
                    <button type="submit" class="secondary small" data-testid="resend-confirmation">"Resend the link"</button>
                </ActionForm>
            }>
                <p class="small" data-testid="confirmation-resent">"A new link is on its way."</p>
            </Show>
        </div>
    }
}
