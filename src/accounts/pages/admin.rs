//! The admins' page: accounts by status, and the status changes (verify, unverify,
//! deactivate).

use crate::accounts::api::*;
use crate::ui::PageHead;
use crate::ui::{ErrorView, FormError, Loading};
use crate::util::url_encode;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Accounts by status; verify, unverify, deactivate (administrators only).
#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let status = move || {
        query
            .read()
            .get("status")
            .unwrap_or_else(|| "UNVERIFIED".into())
    };
    let cursor = move || query.read().get("cursor");
    let set = ServerAction::<AdminSetStatus>::new();
    let accounts = Resource::new(
        move || (status(), cursor(), set.version().get()),
        |(s, c, _)| admin_accounts(s, c),
    );
    let tab = move |s: &'static str, label: &'static str| {
        view! { <a href=format!("/admin?status={s}") class=move || if status() == s { "tab active" } else { "tab" }>{label}</a> }
    };
    view! {
        <PageHead title="Administration" description="Accounts by status: verify, unverify, deactivate."/>
        <section class="card">
            <div class="row-between">
                <h1>"Accounts"</h1>
                <nav class="tabs">{tab("UNVERIFIED", "Unverified")}{tab("VERIFIED", "Verified")}{tab("DEACTIVATED", "Deactivated")}</nav>
            </div>
            <FormError/>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match accounts.await {
                        Ok(page) => view! {
                            {page.items.is_empty().then(|| view! { <p class="muted">"No accounts with this status."</p> })}
                            <table class="table" data-testid="accounts">
                                <tbody>
                                    {page.items.into_iter().map(|row| {
                                        let confirmed = row.email_confirmed;
                                        let p = row.person;
                                        let buttons = ["VERIFIED", "UNVERIFIED", "DEACTIVATED"]
                                            .into_iter()
                                            .filter(|s| *s != p.status.as_str())
                                            .map(|s| {
                                                let id = p.id.clone();
                                                let label = match s { "VERIFIED" => "Verify", "UNVERIFIED" => "Unverify", _ => "Deactivate" };
                                                view! {
                                                    <ActionForm action=set>
                                                        <input type="hidden" name="user_id" value=id/>
                                                        <input type="hidden" name="status" value=s/>
                                                        <button type="submit" class="secondary small" data-testid=format!("set-{}", s.to_lowercase())>{label}</button>
                                                    </ActionForm>
                                                }
                                            })
                                            .collect_view();
                                        view! {
                                            <tr data-testid="account" data-handle=p.handle.clone()>
                                                <td><a href=format!("/u/{}", p.handle)>{p.display_name.clone()}</a></td>
                                                <td class="muted">{format!("@{}", p.handle)}</td>
                                                <td>{p.kind.label()}</td>
                                                <td data-testid="email-state">{if confirmed { "Email confirmed" } else { "Email not confirmed" }}</td>
                                                <td class="actions">{buttons}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {page.next.map(|n| view! { <p class="pager"><a href=format!("/admin?status={}&cursor={}", status(), url_encode(&n))>"More »"</a></p> })}
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
