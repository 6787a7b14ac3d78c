//! Server functions of Messages. Only participants may read or write a conversation; the
//! participant is always the signed-in user.

use crate::error::AppError;
use crate::models::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{context::ctx, respond::finish};

/// My conversations, most recent first (M1).
#[server]
pub async fn list_conversations(
    cursor: Option<String>,
) -> Result<Page<ConversationSummary>, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            crate::db::messages::list(&cx.store, &me.id, cursor.as_deref(), 20).await
        }
        .await,
    )
}

/// One page of a conversation (M2); opening it marks it read.
#[server]
pub async fn get_conversation(
    id: String,
    older: Option<String>,
) -> Result<ConversationPage, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            crate::db::messages::page(&cx.store, &id, &me.id, older.as_deref()).await
        }
        .await,
    )
}

/// Sends a message into a conversation I am part of (M3).
#[server]
pub async fn send_message(conversation: String, body: String) -> Result<Message, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            crate::services::messages::send(&cx.store, &cx.user()?, &conversation, &body).await
        }
        .await,
    )
}

/// Starts or reuses my conversation with `handle` (M4), sends `body` if there is one, and
/// opens the conversation.
#[server]
pub async fn start_conversation(handle: String, body: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let id = crate::services::messages::start_with(&cx.store, &me, &handle).await?;
            if !body.trim().is_empty() {
                crate::services::messages::send(&cx.store, &me, &id, &body).await?;
            }
            leptos_axum::redirect(&format!("/messages/{id}"));
            Ok(())
        }
        .await,
    )
}

/// The live feed: my unread total, and the open conversation's messages after `after`.
#[server]
pub async fn live(
    conversation: Option<String>,
    after: Option<String>,
) -> Result<LiveUpdate, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let feed = async {
                match (conversation.as_deref(), after.as_deref()) {
                    (Some(c), Some(a)) if !c.is_empty() && !a.is_empty() => {
                        crate::db::messages::since(&cx.store, c, &me.id, a).await
                    }
                    _ => Ok(Vec::new()),
                }
            };
            let (unread, messages) =
                futures::join!(crate::db::messages::unread_total(&cx.store, &me.id), feed);
            Ok(LiveUpdate {
                unread_total: unread?,
                messages: messages?,
            })
        }
        .await,
    )
}
