//! Server functions of Messages. Only participants may read or write a conversation; the
//! participant is always the signed-in user.
//!
//! Layer rule (every area's `api`): parse the input, take the user from the verified session
//! (never from the request), call `rules`, and pass the result through `finish`.

use crate::error::AppError;
use crate::messages::model::*;
use crate::model::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::messages::rules;
#[cfg(feature = "ssr")]
use crate::platform::context::serve;

/// My conversations, most recent first (M1).
#[server]
pub async fn list_conversations(
    cursor: Option<String>,
) -> Result<Page<ConversationSummary>, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::list(&cx.store, &me.id, cursor.as_deref(), rules::LIST_PAGE).await
    })
    .await
}

/// One page of a conversation (M2); opening it marks it read.
#[server]
pub async fn get_conversation(
    id: String,
    older: Option<String>,
) -> Result<ConversationPage, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::page(&cx.store, &id, &me.id, older.as_deref()).await
    })
    .await
}

/// Sends a message into a conversation I am part of (M3).
#[server]
pub async fn send_message(conversation: String, body: String) -> Result<Message, AppError> {
    serve(|cx| async move { rules::send(&cx.store, &cx.user()?, &conversation, &body).await }).await
}

/// Starts or reuses my conversation with `handle` (M4), sends `body` if there is one, and
/// opens the conversation.
#[server]
pub async fn start_conversation(handle: String, body: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        let id = rules::start_with(&cx.store, &me, &handle).await?;
        if !body.trim().is_empty() {
            rules::send(&cx.store, &me, &id, &body).await?;
        }
        leptos_axum::redirect(&format!("/messages/{id}"));
        Ok(())
    })
    .await
}

/// Registers this area's server functions (see `server::areas`).
#[cfg(feature = "ssr")]
pub fn register() {
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<ListConversations>();
    register_explicit::<GetConversation>();
    register_explicit::<SendMessage>();
    register_explicit::<StartConversation>();
}
