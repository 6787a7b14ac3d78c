//! The HTML shell, the routes and the layout (the navigation bar).

use crate::accounts::pages::{
    account::AccountSettingsPage, admin::AdminPage, confirm::*, people::*, reset::*, sign_in::*,
};
use crate::messages::pages::*;
use crate::projects::pages::{dashboard::HomePage, *};
use crate::sitters::pages::*;
use crate::ui::context::Auth;
use crate::ui::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The URLs of the files every page loads: the stylesheet, `shell.js` (the page's small
/// always-on script: local times, the live feed, form and search enhancement, island loading)
/// and the islands' module and WebAssembly. In a built site these are cache-busted names from
/// `target/site/assets/manifest.json` (see `server::assets`); provided as a context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetUrls {
    pub css: String,
    pub shell: String,
    pub js: String,
    pub wasm: String,
}

impl Default for AssetUrls {
    /// The names `cargo leptos watch` serves, not cache-busted.
    fn default() -> Self {
        Self {
            css: "/pkg/minijira.css".into(),
            shell: "/shell.js".into(),
            js: "/pkg/minijira.js".into(),
            wasm: "/pkg/minijira.wasm".into(),
        }
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Islands mode: only what an island needs is serialised into the page.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let assets = use_context::<AssetUrls>().unwrap_or_default();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=assets.css/>
                // A module script runs after the document is parsed; it fetches the islands'
                // code only on a page that has an island.
                <script type="module" src=assets.shell data-js-module=assets.js data-js-wasm=assets.wasm></script>
                <AutoReload options=options.clone()/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Auth::provide();
    view! {
        <Title formatter=|t: String| if t.is_empty() { "minijira".to_owned() } else { format!("{t} · minijira") }/>
        <Router>
            <Nav/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/confirm") view=ConfirmEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/people") view=PeoplePage ssr=SsrMode::Async/>
                    <Route path=path!("/u/:handle") view=ProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("/messages") view=MessagesPage ssr=SsrMode::Async/>
                    <Route path=path!("/messages/new") view=NewConversationPage ssr=SsrMode::Async/>
                    <Route path=path!("/messages/:id") view=ConversationView ssr=SsrMode::Async/>
                    <Route path=path!("/sitters") view=SittersHub ssr=SsrMode::Async/>
                    <Route path=path!("/sitters/jobs") view=JobsBrowse ssr=SsrMode::Async/>
                    <Route path=path!("/sitters/jobs/new") view=NewJobPage ssr=SsrMode::Async/>
                    <Route path=path!("/sitters/jobs/:id") view=JobView ssr=SsrMode::Async/>
                    <Route path=path!("/sitters/profile") view=SitterProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/projects/new") view=NewProjectPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:key") view=BacklogPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:key/backlog") view=BacklogPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:key/activity") view=ActivityView ssr=SsrMode::Async/>
                    <Route path=path!("/p/:key/sprints/:sprint") view=SprintView ssr=SsrMode::Async/>
                    <Route path=path!("/p/:key/board") view=BoardPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:key/members") view=MembersPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:key/:task") view=TaskPageView ssr=SsrMode::Async/>
                </Routes>
            </main>
            <footer class="footer">"minijira — projects, messages and sitters for small teams"</footer>
        </Router>
    }
}

#[component]
fn Nav() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <header class="topbar">
            <nav class="nav">
                <a href="/" class="brand">"minijira"</a>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(user)) => view! {
                                <a href="/">"Projects"</a>
                                // shell.js adds the unread count (the live feed's first event).
                                <a href="/messages" data-testid="nav-messages" data-js-unread-badge="">"Messages"</a>
                                <a href="/sitters">"Sitters"</a>
                                <a href="/people">"People"</a>
                                {user.is_admin.then(|| view! { <a href="/admin" data-testid="nav-admin">"Admin"</a> })}
                                <span class="spacer"></span>
                                <a href="/account" class="me" data-testid="nav-user" data-js-signed-in="" title="My account">
                                    {user.display_name.clone()}
                                </a>
                                <ActionForm action=auth.sign_out>
                                    <button type="submit" class="linklike" data-testid="sign-out">"Sign out"</button>
                                </ActionForm>
                                {(!user.email_confirmed).then(|| view! { <ConfirmBanner/> })}
                            }
                            .into_any(),
                            _ => view! {
                                <span class="spacer"></span>
                                <a href="/signin">"Sign in"</a>
                                <a href="/signup" class="button">"Sign up"</a>
                            }
                            .into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}
