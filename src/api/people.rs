use crate::error::AppError;
use crate::models::*;
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

/// A profile as its viewer may see it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProfileView {
    pub person: PersonSummary,
    pub sitter: Option<PublicSitter>,
    pub reviews: Vec<Review>,
    /// The owner's and admins' eyes only.
    pub private: Option<PrivateDetails>,
    pub is_me: bool,
}

/// A public profile by handle: the account, then its profile partition (sitter profile and
/// reviews in one Query); private details only for the owner and admins.
#[server]
pub async fn get_profile(handle: String) -> Result<ProfileView, AppError> {
    use crate::server::{context::ctx, respond::finish};
    finish(
        async move {
            let cx = ctx()?;
            let handle = crate::models::Handle::parse(&handle).map_err(|_| AppError::NotFound)?;
            let user = crate::db::users::by_handle(&cx.store, &handle)
                .await?
                .ok_or(AppError::NotFound)?;
            let viewer = cx.maybe_user();
            let is_me = viewer.as_ref().is_some_and(|v| v.id == user.id);
            let may_see_private = match &viewer {
                Some(v) if v.id == user.id => true,
                Some(v) if v.is_admin => crate::services::sitters::require_admin(&cx.store, v)
                    .await
                    .is_ok(),
                _ => false,
            };
            let (sitter, reviews) = crate::db::sitters::profile(&cx.store, &user.id).await?;
            let private = if may_see_private && user.kind != AccountKind::Member {
                Some(crate::db::sitters::private(&cx.store, &user.id).await?)
            } else {
                None
            };
            let today = chrono::Utc::now().date_naive();
            Ok(ProfileView {
                person: user.summary(),
                sitter: sitter.map(|s| s.public(today)),
                reviews,
                private,
                is_me,
            })
        }
        .await,
    )
}
