//! The HTML shell, the routes and the layout.

use crate::api::auth::{SignIn, SignOut, SignUp};
use crate::error::AppError;
use crate::models::{Message, SessionUser};
use crate::pages::{
    auth::*, home::HomePage, messages::*, not_found::NotFound, people::*, projects::*, sitters::*,
};
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
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
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

/// The live feed: one poll per open page, for the unread total and the open conversation's
/// new messages. It reads DynamoDB (through the `live` server function), so it works across
/// app instances.
#[derive(Clone, Copy)]
pub struct Live {
    pub unread: RwSignal<u32>,
    /// The conversation on screen and the id of its last message shown.
    pub open: RwSignal<Option<(String, String)>>,
    /// New messages of the open conversation, for its page to take.
    pub incoming: RwSignal<Vec<Message>>,
    /// Bumped when the feed sees something new: lists refetch on it.
    pub changes: RwSignal<u64>,
}

/// Milliseconds between two polls of the live feed.
pub const LIVE_POLL_MS: u64 = 500;

impl Live {
    fn provide(auth: Auth) -> Self {
        let live = Self {
            unread: RwSignal::new(0),
            open: RwSignal::new(None),
            incoming: RwSignal::new(Vec::new()),
            changes: RwSignal::new(0),
        };
        provide_context(live);
        // Effects run in the browser only.
        Effect::new(move |_| {
            let busy = StoredValue::new(false);
            let tick = move || {
                let signed_in = matches!(auth.user.get_untracked(), Some(Ok(Some(_))));
                if !signed_in || busy.get_value() {
                    return;
                }
                busy.set_value(true);
                let open = live.open.get_untracked();
                leptos::task::spawn_local(async move {
                    let (conversation, after) = match open.clone() {
                        Some((c, a)) => (Some(c), Some(a)),
                        None => (None, None),
                    };
                    if let Ok(update) = crate::api::messages::live(conversation, after).await {
                        let mut news = update.unread_total != live.unread.get_untracked();
                        live.unread.set(update.unread_total);
                        // Only if the same conversation is still open.
                        if let (Some(last), true) =
                            (update.messages.last(), live.open.get_untracked() == open)
                        {
                            let last = last.id.clone();
                            live.open.update(|o| {
                                if let Some((_, after)) = o {
                                    *after = last;
                                }
                            });
                            live.incoming.update(|v| v.extend(update.messages));
                            news = true;
                        }
                        if news {
                            live.changes.update(|c| *c += 1);
                        }
                    }
                    busy.set_value(false);
                });
            };
            if let Ok(handle) =
                set_interval_with_handle(tick, std::time::Duration::from_millis(LIVE_POLL_MS))
            {
                on_cleanup(move || handle.clear());
            }
        });
        live
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let auth = Auth::provide();
    Live::provide(auth);
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
    let live = expect_context::<Live>();
    view! {
        <header class="topbar">
            <nav class="nav">
                <a href="/" class="brand">"minijira"</a>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(user)) => view! {
                                <a href="/">"Projects"</a>
                                <a href="/messages" data-testid="nav-messages">
                                    "Messages"
                                    {move || (live.unread.get() > 0).then(|| view! {
                                        <span class="badge-count" data-testid="nav-unread">{live.unread.get()}</span>
                                    })}
                                </a>
                                <a href="/sitters">"Sitters"</a>
                                <a href="/people">"People"</a>
                                {user.is_admin.then(|| view! { <a href="/admin" data-testid="nav-admin">"Admin"</a> })}
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
