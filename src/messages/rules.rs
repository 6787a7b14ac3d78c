//! Messages: who may read and write a conversation, and whom one may write to.
//!
//! Layer rule (every area's `rules`): the only place that decides who may do what and the only
//! place (with `model`'s validators) that writes text a user reads. Server functions call these
//! functions; these call the area's `store` and turn its named outcomes into [`AppError`]s.
//!
//! A conversation is read and written by its two participants only; anyone else is told it
//! does not exist (404). Its id names both participants, so most refusals need no read.

use crate::accounts::model::{AccountStatus, Handle, PersonRef, SessionUser};
use crate::accounts::store as accounts;
use crate::db::{Refusal, Store};
use crate::error::AppError;
use crate::messages::model::*;
use crate::messages::store::{self, Refused};
use crate::model::Page;

/// Conversations per page of my list.
pub const LIST_PAGE: i32 = 20;

/// The other participant of conversation `id` for `me`, or 404 when `me` is not in it.
pub fn other_of<'a>(id: &'a str, me: &str) -> Result<&'a str, AppError> {
    match participants(id) {
        Some((a, b)) if a == me => Ok(b),
        Some((a, b)) if b == me => Ok(a),
        _ => Err(AppError::NotFound),
    }
}

/// Starts (or reuses) my 1:1 conversation with the person who has `handle`.
pub async fn start_with(store: &Store, me: &SessionUser, handle: &str) -> Result<String, AppError> {
    let handle = Handle::parse(handle)
        .map_err(|_| AppError::validation("Type the handle of the person to write to."))?;
    let other = accounts::by_handle(store, &handle)
        .await?
        .ok_or_else(|| AppError::validation(format!("Nobody has the handle @{handle}.")))?;
    if other.status == AccountStatus::Deactivated {
        return Err(AppError::validation(format!(
            "@{handle}'s account is deactivated."
        )));
    }
    start(store, &PersonRef::from(me), &other.person()).await
}

/// Starts (or reuses) the conversation of two people.
pub async fn start(store: &Store, me: &PersonRef, other: &PersonRef) -> Result<String, AppError> {
    if me.id == other.id {
        return Err(AppError::validation(
            "You cannot start a conversation with yourself.",
        ));
    }
    match store::start(store, me, other).await {
        Ok(id) => Ok(id),
        // Only a start can lose every race; a conversation always has its participants.
        Err(Refusal::Refused(_)) => Err(AppError::conflict(
            "Too many changes at once: the conversation was not started. Try again.",
        )),
        Err(Refusal::Db(e)) => Err(e.into()),
    }
}

/// Sends a message into a conversation of mine.
pub async fn send(
    store: &Store,
    me: &SessionUser,
    conversation: &str,
    body: &str,
) -> Result<Message, AppError> {
    let body = message_body(body)?;
    let other = other_of(conversation, &me.id)?;
    match store::send(store, conversation, &PersonRef::from(me), other, &body).await {
        Ok(m) => Ok(m),
        Err(Refusal::Refused(Refused::NotParticipant)) => Err(AppError::NotFound),
        Err(Refusal::Refused(Refused::Busy)) => {
            Err(AppError::conflict("This conversation is busy. Try again."))
        }
        Err(Refusal::Db(e)) => Err(e.into()),
    }
}

/// My conversations, most recent activity first (M1).
pub async fn list(
    store: &Store,
    me: &str,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<ConversationSummary>, AppError> {
    Ok(store::list(store, me, cursor, limit).await?)
}

/// A page of one of my conversations (M2); opening it marks it read.
pub async fn page(
    store: &Store,
    conversation: &str,
    me: &str,
    older: Option<&str>,
) -> Result<ConversationPage, AppError> {
    other_of(conversation, me)?;
    store::page(store, conversation, me, older)
        .await?
        .ok_or(AppError::NotFound)
}

/// The open conversation's messages after `after` (a message id), for the live feed.
pub async fn since(
    store: &Store,
    conversation: &str,
    me: &str,
    after: &str,
) -> Result<Vec<Message>, AppError> {
    other_of(conversation, me)?;
    if after.len() > 80
        || !after
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-:.#TZ".contains(c))
    {
        return Err(AppError::validation("Bad position in the conversation."));
    }
    store::since(store, conversation, me, after)
        .await?
        .ok_or(AppError::NotFound)
}

/// The live feed: my unread total and, if a conversation is open, its new messages.
pub async fn live(
    store: &Store,
    me: &str,
    open: Option<(&str, &str)>,
) -> Result<LiveUpdate, AppError> {
    let feed = async {
        match open {
            Some((c, a)) if !c.is_empty() && !a.is_empty() => since(store, c, me, a).await,
            _ => Ok(Vec::new()),
        }
    };
    let (unread, messages) = futures::join!(store::unread_total(store, me), feed);
    Ok(LiveUpdate {
        unread_total: unread?,
        messages: messages?,
    })
}

/// My total of unread messages.
pub async fn unread_total(store: &Store, me: &str) -> Result<u32, AppError> {
    Ok(store::unread_total(store, me).await?)
}
