//! The HTML shell, the routes and the layout.

use crate::api::auth::{SignIn, SignOut, SignUp};
use crate::error::AppError;
use crate::models::SessionUser;
use crate::pages::{auth::*, home::HomePage, not_found::NotFound, people::*, projects::*};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Who is signed in, and the actions that change it. Provided once, at the root.
#[derive(Clone, Copy)]
pub struct Auth {
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
    pub user: Resource<Result<Option<SessionUser>, AppError>>,
}

impl Auth {
    fn provide() -> Self {
        let sign_in = ServerAction::<SignIn>::new();
        let sign_up = ServerAction::<SignUp>::new();
        let sign_out = ServerAction::<SignOut>::new();
        let user = Resource::new(
            move || {
                (
                    sign_in.version().get(),
                    sign_up.version().get(),
                    sign_out.version().get(),
                )
            },
            |_| crate::api::auth::current_user(),
        );
        let auth = Self {
            sign_in,
            sign_up,
            sign_out,
            user,
        };
        provide_context(auth);
        auth
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Auth::provide();
    view! {
        <Stylesheet id="leptos" href="/pkg/minijira.css"/>
        <Title formatter=|t: String| if t.is_empty() { "minijira".to_owned() } else { format!("{t} · minijira") }/>
        <Router>
            <Nav/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/people") view=PeoplePage ssr=SsrMode::Async/>
                    <Route path=path!("/u/:handle") view=ProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("/projects/new") view=NewProjectPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:key") view=ScrumPage ssr=SsrMode::Async/>
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
                                <a href="/people">"People"</a>
                                <span class="spacer"></span>
                                <a href=format!("/u/{}", user.handle) class="me" data-testid="nav-user">
                                    {user.display_name.clone()}
                                </a>
                                <ActionForm action=auth.sign_out>
                                    <button type="submit" class="linklike" data-testid="sign-out">"Sign out"</button>
                                </ActionForm>
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
