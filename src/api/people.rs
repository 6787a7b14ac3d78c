use crate::error::AppError;
use crate::models::{Page, PersonSummary};
use leptos::prelude::*;

pub const DIRECTORY_PAGE: i32 = 12;

/// The people directory, by handle prefix, one page at a time (signed-in users only).
#[server]
pub async fn list_people(
    q: String,
    cursor: Option<String>,
) -> Result<Page<PersonSummary>, AppError> {
    use crate::server::{context::ctx, respond::finish};
    finish(
        async move {
            let cx = ctx()?;
            cx.user()?;
            let prefix = crate::models::Handle::parse_prefix(&q)?;
            crate::db::users::directory(&cx.store, &prefix, cursor.as_deref(), DIRECTORY_PAGE).await
        }
        .await,
    )
}

/// A public profile by handle.
#[server]
pub async fn get_profile(handle: String) -> Result<PersonSummary, AppError> {
    use crate::server::{context::ctx, respond::finish};
    finish(
        async move {
            let cx = ctx()?;
            let handle = crate::models::Handle::parse(&handle).map_err(|_| AppError::NotFound)?;
            let user = crate::db::users::by_handle(&cx.store, &handle)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(user.summary())
        }
        .await,
    )
}
