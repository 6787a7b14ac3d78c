//! The contexts every page shares: who is signed in ([`Auth`]) and the live feed ([`Live`]).

use crate::accounts::api::{SignIn, SignOut, SignUp};
use crate::accounts::model::SessionUser;
use crate::error::AppError;
use crate::messages::model::Message;
use leptos::prelude::*;

/// Who is signed in, and the actions that change it. Provided once, at the root.
#[derive(Clone, Copy)]
pub struct Auth {
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
    pub user: Resource<Result<Option<SessionUser>, AppError>>,
}

impl Auth {
    pub fn provide() -> Self {
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
            |_| crate::accounts::api::current_user(),
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

/// The live feed: one Server-Sent Events stream per open page (`/live`, see
/// `platform::live`) with the unread total and the open conversation's new messages. A hidden
/// page closes its stream and opens it again when shown; the browser resumes an interrupted
/// stream after the last message it had (`Last-Event-ID`).
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

impl Live {
    pub fn provide(auth: Auth) -> Self {
        let live = Self {
            unread: RwSignal::new(0),
            open: RwSignal::new(None),
            incoming: RwSignal::new(Vec::new()),
            changes: RwSignal::new(0),
        };
        provide_context(live);
        #[cfg(feature = "hydrate")]
        feed::follow(live, auth);
        #[cfg(not(feature = "hydrate"))]
        let _ = auth;
        live
    }
}

/// The browser side of the stream.
#[cfg(feature = "hydrate")]
mod feed {
    use super::{Auth, Live, Message};
    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast};

    type Handler = Closure<dyn FnMut(web_sys::MessageEvent)>;

    /// An open stream; closed when dropped.
    struct Open {
        source: web_sys::EventSource,
        _handlers: [Handler; 2],
    }

    impl Drop for Open {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    fn visible() -> bool {
        web_sys::window()
            .and_then(|w| w.document())
            .is_none_or(|d| d.visibility_state() != web_sys::VisibilityState::Hidden)
    }

    /// Keeps one stream open while someone is signed in and the page is visible, for the
    /// conversation on screen (if any).
    pub fn follow(live: Live, auth: Auth) {
        let shown = RwSignal::new(visible());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let on_change = Closure::<dyn FnMut()>::new(move || shown.set(visible()));
            let _ = doc.add_event_listener_with_callback(
                "visibilitychange",
                on_change.as_ref().unchecked_ref(),
            );
            // One listener for the life of the page.
            on_change.forget();
        }
        let conversation =
            Memo::new(move |_| live.open.with(|o| o.as_ref().map(|(c, _)| c.clone())));
        let current = StoredValue::new_local(None::<Open>);
        Effect::new(move |_| {
            let signed_in = matches!(auth.user.get(), Some(Ok(Some(_))));
            let conversation = conversation.get();
            // The old stream closes before a new one opens.
            current.set_value(None);
            if signed_in && shown.get() {
                current.set_value(open(live, conversation));
            }
        });
    }

    fn open(live: Live, conversation: Option<String>) -> Option<Open> {
        let url = match &conversation {
            Some(c) => {
                let after = live
                    .open
                    .get_untracked()
                    .map(|(_, a)| a)
                    .unwrap_or_default();
                format!(
                    "/live?c={}&after={}",
                    crate::util::url_encode(c),
                    crate::util::url_encode(&after)
                )
            }
            None => "/live".to_owned(),
        };
        let source = web_sys::EventSource::new(&url).ok()?;
        let on_unread = Handler::new(move |e: web_sys::MessageEvent| {
            if let Some(n) = e.data().as_string().and_then(|d| d.parse::<u32>().ok()) {
                if n != live.unread.get_untracked() {
                    live.unread.set(n);
                    live.changes.update(|c| *c += 1);
                }
            }
        });
        let on_message = Handler::new(move |e: web_sys::MessageEvent| {
            let Some(m) = e
                .data()
                .as_string()
                .and_then(|d| serde_json::from_str::<Message>(&d).ok())
            else {
                return;
            };
            // Only while the same conversation is open.
            let open = live.open.get_untracked();
            if open.as_ref().map(|(c, _)| c) != conversation.as_ref() {
                return;
            }
            if open.is_some_and(|(_, after)| m.id > after) {
                let id = m.id.clone();
                live.open.update(|o| {
                    if let Some((_, after)) = o {
                        *after = id;
                    }
                });
            }
            live.incoming.update(|v| v.push(m));
            live.changes.update(|c| *c += 1);
        });
        for (name, handler) in [("unread", &on_unread), ("message", &on_message)] {
            source
                .add_event_listener_with_callback(name, handler.as_ref().unchecked_ref())
                .ok()?;
        }
        Some(Open {
            source,
            _handlers: [on_unread, on_message],
        })
    }
}
