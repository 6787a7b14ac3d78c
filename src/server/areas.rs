//! The areas, composed: the one file of the server that names them. Each area brings its own
//! parts — server functions and routes (`api`), demo data (`seed`), background work (`background`),
//! the partitions its cached pages depend on, its live events — and each list here has one line
//! per area. A new area is a folder plus a line in each list that concerns it.

use crate::db::Store;
use crate::error::AppError;
use crate::platform::Kit;
use crate::{accounts, messages, projects, sitters};
use axum::extract::FromRef;
use axum::Router;
use std::sync::Arc;

/// Registers every server function explicitly, so that binaries whose linker dropped the
/// automatic registrations (integration tests) still route them.
pub fn register_server_functions() {
    accounts::api::register();
    projects::api::register();
    messages::api::register();
    sitters::api::register();
}

/// The areas' own routes (besides pages and server functions).
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Kit: FromRef<S>,
    Arc<messages::live::LiveHub>: FromRef<S>,
{
    Router::new()
        .merge(projects::api::routes())
        .merge(messages::live::routes())
}

/// The partitions whose versions say whether a cached copy of the page at `path` still holds;
/// `None` for a page that is never cached.
pub fn page_partitions(path: &str) -> Option<Vec<String>> {
    projects::store::page_partitions(path)
}

/// One round of every area's background work: clean-ups and steps a crash interrupted.
pub async fn background_jobs(store: &Store, public_url: &str) {
    accounts::background::run(store).await;
    sitters::background::run(store, public_url).await;
    projects::background::run(store).await;
}

/// The current address of an account (mail to an account goes there), and whether its owner
/// confirmed it (mail waits until then).
pub async fn account_email(
    store: &Store,
    account: &str,
) -> Result<Option<(String, bool)>, AppError> {
    Ok(accounts::store::get(store, account)
        .await?
        .map(|u| (u.email, u.email_confirmed)))
}

/// The demo data of every area, accounts first (the others use them).
pub async fn load_demo(store: &Store) -> Result<(), AppError> {
    accounts::seed::load(store).await?;
    projects::seed::load(store).await?;
    messages::seed::load(store).await?;
    sitters::seed::load(store).await
}
