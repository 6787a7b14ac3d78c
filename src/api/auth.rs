use crate::error::AppError;
use crate::models::SessionUser;
use leptos::prelude::*;

/// Creates an account and signs it in, then goes to `next` (a local path) or home.
#[server]
pub async fn sign_up(
    email: String,
    handle: String,
    display_name: String,
    password: String,
    kind: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{context::ctx, respond::finish};
    use crate::services::accounts::{self, SignUpForm};
    finish(
        async move {
            let cx = ctx()?;
            let user = accounts::sign_up(
                &cx.store,
                SignUpForm {
                    email,
                    handle,
                    display_name,
                    password,
                    kind,
                },
            )
            .await?;
            cx.start_session(&user.session())?;
            leptos_axum::redirect(&crate::util::safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{context::ctx, respond::finish};
    finish(
        async move {
            let cx = ctx()?;
            let user = crate::services::accounts::sign_in_from(
                &cx.store,
                &cx.client_addr(),
                &email,
                &password,
            )
            .await?;
            cx.start_session(&user.session())?;
            leptos_axum::redirect(&crate::util::safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{context::ctx, respond::finish};
    finish(ctx().map(|cx| {
        cx.end_session();
        leptos_axum::redirect("/signin");
    }))
}

/// The signed-in user, read from the verified session token (no database call).
#[server]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    use crate::server::{context::ctx, respond::finish};
    finish(ctx().map(|cx| cx.maybe_user()))
}
