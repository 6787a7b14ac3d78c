//! Messages: who may talk to whom, and what a message may be.

use crate::db::{messages, users, Store};
use crate::error::AppError;
use crate::models::*;
use crate::services::projects::{person, session_person};

pub fn message_body(raw: &str) -> Result<String, AppError> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(AppError::validation("Write a message first."));
    }
    text_field(body, "message", MAX_MESSAGE, true)
}

/// Starts (or reuses) my 1:1 conversation with the person who has `handle`.
pub async fn start_with(store: &Store, me: &SessionUser, handle: &str) -> Result<String, AppError> {
    let handle = Handle::parse(handle)
        .map_err(|_| AppError::validation("Type the handle of the person to write to."))?;
    let other = users::by_handle(store, &handle)
        .await?
        .ok_or_else(|| AppError::validation(format!("Nobody has the handle @{handle}.")))?;
    if other.status == AccountStatus::Deactivated {
        return Err(AppError::validation(format!(
            "@{handle}'s account is deactivated."
        )));
    }
    messages::start(store, &session_person(me), &person(&other)).await
}

pub async fn send(
    store: &Store,
    me: &SessionUser,
    conversation: &str,
    body: &str,
) -> Result<Message, AppError> {
    let body = message_body(body)?;
    messages::send(store, conversation, &session_person(me), &body).await
}
