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
    pub fn provide(auth: Auth) -> Self {
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
                    // From a little before the last message seen (see `feed_start`).
                    let (conversation, after) = match open.clone() {
                        Some((c, a)) => (Some(c), Some(crate::messages::model::feed_start(&a))),
                        None => (None, None),
                    };
                    if let Ok(update) = crate::messages::api::live(conversation, after).await {
                        let mut news = update.unread_total != live.unread.get_untracked();
                        live.unread.set(update.unread_total);
                        // Only if the same conversation is still open.
                        if let (Some(last), true) =
                            (update.messages.last(), live.open.get_untracked() == open)
                        {
                            // The feed re-sends the last seconds (for messages committed late):
                            // only a message past the last one seen is news.
                            let seen = open.map(|(_, after)| after).unwrap_or_default();
                            if last.id > seen {
                                let last = last.id.clone();
                                live.open.update(|o| {
                                    if let Some((_, after)) = o {
                                        *after = last;
                                    }
                                });
                                news = true;
                            }
                            live.incoming.update(|v| v.extend(update.messages));
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
