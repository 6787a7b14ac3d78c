//! Who is signed in ([`Auth`]), provided at the root for the server-rendered pages.
//!
//! The live feed (the unread badge, new messages) is browser code outside the islands:
//! `public/shell.js` holds the page's one Server-Sent Events stream (`/live`, see
//! `messages::live`) and hands new messages to the conversation island.

use crate::accounts::api::{SignIn, SignOut, SignUp};
use crate::accounts::model::SessionUser;
use crate::error::AppError;
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
