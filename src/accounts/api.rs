//! Server functions of Accounts: sign-up, sign-in, sign-out, the people directory, and the
//! admins' account list.
//!
//! Layer rule (every area's `api`): parse the input, take the user from the verified session
//! (never from the request), call `rules`, and pass the result through `finish`. A server
//! function never calls a store.

use crate::accounts::model::{PersonSummary, SessionUser, SignInForm, SignUpForm};
use crate::error::AppError;
use crate::model::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::accounts::rules;
#[cfg(feature = "ssr")]
use crate::platform::{context::ctx, respond::finish};

/// People per page of the directory.
pub const DIRECTORY_PAGE: i32 = 12;

/// Creates an account and signs it in, then goes to `next` (a local path) or home.
#[server]
pub async fn sign_up(#[server(flatten)] form: SignUpForm) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let user = rules::sign_up(&cx.store, &form).await?;
            cx.start_session(&user)?;
            leptos_axum::redirect(&crate::util::safe_next(form.next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn sign_in(#[server(flatten)] form: SignInForm) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let user =
                rules::sign_in_from(&cx.store, &cx.client_addr(), &form.email, &form.password)
                    .await?;
            cx.start_session(&user)?;
            leptos_axum::redirect(&crate::util::safe_next(form.next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            cx.end_session();
            if let Some(me) = cx.maybe_user() {
                rules::sign_out(&cx.store, &me.id).await?;
                cx.state.sessions.forget(&me.id);
                cx.state.live.end_user(&me.id);
            }
            leptos_axum::redirect("/signin");
            Ok(())
        }
        .await,
    )
}

/// The signed-in user, read from the verified session token (no database call).
#[server]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    finish(ctx().map(|cx| cx.maybe_user()))
}

/// The people directory, by handle prefix, one page at a time (signed-in users only).
#[server]
pub async fn list_people(
    q: String,
    cursor: Option<String>,
) -> Result<Page<PersonSummary>, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            cx.user()?;
            rules::directory(&cx.store, &q, cursor.as_deref(), DIRECTORY_PAGE).await
        }
        .await,
    )
}

/// Accounts by status (admins only).
#[server]
pub async fn admin_accounts(
    status: String,
    cursor: Option<String>,
) -> Result<Page<PersonSummary>, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let page =
                rules::accounts_by_status(&cx.store, &cx.user()?, &status, cursor.as_deref())
                    .await?;
            Ok(Page {
                items: page.items.iter().map(|u| u.summary()).collect(),
                next: page.next,
            })
        }
        .await,
    )
}

#[server]
pub async fn admin_set_status(user_id: String, status: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            rules::set_status(&cx.store, &cx.user()?, &user_id, &status).await?;
            // At once on this instance; the others see it at their next check.
            cx.state.sessions.forget(&user_id);
            cx.state.live.end_user(&user_id);
            Ok(())
        }
        .await,
    )
}

/// Registers this area's server functions (see `platform::router`).
#[cfg(feature = "ssr")]
pub fn register() {
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<SignUp>();
    register_explicit::<SignIn>();
    register_explicit::<SignOut>();
    register_explicit::<CurrentUser>();
    register_explicit::<ListPeople>();
    register_explicit::<AdminAccounts>();
    register_explicit::<AdminSetStatus>();
}
