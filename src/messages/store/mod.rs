//! Direct conversations in DynamoDB (patterns M1–M4, and E on the write path).
//!
//! A 1:1 conversation's id is the sorted pair of its participants' ids, so starting one is a
//! single conditional write that two simultaneous starts cannot duplicate, and sending knows
//! every participant without a read. The partition holds the header, the messages (sorted by
//! time) and one summary item per participant; the summaries are indexed per user, newest
//! activity first, for the conversation list.

//!
//! Layer rule: reads and writes only; who may read or write a conversation is decided in
//! `rules` (a participant's own item is read here, and its absence reported as `None`).

pub mod signals;

use crate::accounts::model::PersonRef;
use crate::db::cursor::KeyStrings;
use crate::db::keys::*;
use crate::db::retry::{retrying, Backoff, Try};
use crate::db::{attr, from_item, n, s, DbError, Expr, Outcome, PageQuery, SortKey, Store, Tx};
use crate::messages::model::*;
use crate::model::Page;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// Messages per page of a conversation.
pub const PAGE: i32 = 30;

#[derive(Serialize, Deserialize)]
struct MetaItem {
    pk: String,
    sk: String,
    id: String,
    participants: Vec<PersonRef>,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ParticipantItem {
    pk: String,
    sk: String,
    gsi1pk: String,
    gsi1sk: String,
    conversation_id: String,
    user_id: String,
    other: PersonRef,
    last_message: String,
    last_at: String,
    last_from: String,
    unread: u32,
}

impl ParticipantItem {
    fn summary(self) -> Result<ConversationSummary, DbError> {
        Ok(ConversationSummary {
            last_from_me: self.last_from == self.user_id,
            last_at: DateTime::parse_from_rfc3339(&self.last_at)
                .map_err(|e| DbError::Decode(e.to_string()))?
                .with_timezone(&Utc),
            id: self.conversation_id,
            other: self.other,
            last_message: self.last_message,
            unread: self.unread,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct MessageItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    message: Message,
}

fn stamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Why a message was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The author has no participant item in the conversation.
    NotParticipant,
    /// Too many concurrent writes: the retries ran out.
    Busy,
}

fn participant_item(
    conversation: &str,
    user: &PersonRef,
    other: &PersonRef,
    at: &DateTime<Utc>,
) -> ParticipantItem {
    ParticipantItem {
        pk: conversation_pk(conversation),
        sk: participant_sk(&user.id),
        gsi1pk: user_conversations_pk(&user.id),
        gsi1sk: conversation_activity_sk(at, conversation),
        conversation_id: conversation.to_owned(),
        user_id: user.id.clone(),
        other: other.clone(),
        last_message: String::new(),
        last_at: stamp(at),
        last_from: String::new(),
        unread: 0,
    }
}

/// Starts the 1:1 conversation of `me` and `other`, or returns the one they already have
/// (pattern M4): one conditional transaction; a simultaneous start by the other side finds
/// the header written and reuses it.
pub async fn start(store: &Store, me: &PersonRef, other: &PersonRef) -> Outcome<String, Refused> {
    let id = pair_id(&me.id, &other.id);
    let now = store.now();
    let meta = MetaItem {
        pk: conversation_pk(&id),
        sk: CONVERSATION_META_SK.into(),
        id: id.clone(),
        participants: vec![me.clone(), other.clone()],
        created_at: now,
    };
    let mut tx = Tx::new(store);
    tx.create_value("conversation", &meta)
        .create_value("me", &participant_item(&id, me, other, &now))
        .create_value("other", &participant_item(&id, other, me, &now));
    // A conflict: the other side is starting it at this very moment. Tried again, and if that
    // never commits, refused (nothing was written).
    let (tx, id) = (&tx, &id);
    retrying(Backoff::new(), Refused::Busy, || async move {
        Ok(match tx.run(store).await {
            // Started now, or it was there already.
            Ok(()) => Try::Done(id.clone()),
            Err(e) if e.failed("conversation") => Try::Done(id.clone()),
            Err(e) => return Err(e),
        })
    })
    .await
}

/// Sends a message (pattern M3 with E): the message and both participants' summaries in one
/// transaction. The summary only moves forward in time: if a later message got there first,
/// this one is stored and counted unread without replacing the summary's last message.
pub async fn send(
    store: &Store,
    conversation: &str,
    author: &PersonRef,
    other: &str,
    body: &str,
) -> Outcome<Message, Refused> {
    let pk = conversation_pk(conversation);
    // The key holds microseconds: store the time at that precision, so that key order and
    // time order always agree (two messages of one microsecond are ordered by their ULID).
    let now = key_time(store.now());
    let ulid = ulid::Ulid::new().to_string();
    let sk = message_sk(&now, &ulid);
    let message = Message {
        id: sk.trim_start_matches(MESSAGE_PREFIX).to_owned(),
        author: author.clone(),
        body: body.to_owned(),
        sent_at: now,
    };
    let item = MessageItem {
        pk: pk.clone(),
        sk,
        message: message.clone(),
    };
    let (forward, behind) = sending(store, conversation, &item, author, other);
    // The forward form first; the second form once the first one's summaries refused it.
    let ahead = &std::sync::atomic::AtomicBool::new(true);
    let (forward, behind, message) = (&forward, &behind, &message);
    let sent = retrying(Backoff::new(), Refused::Busy, || async move {
        loop {
            let first = ahead.load(std::sync::atomic::Ordering::SeqCst);
            let tx = if first { forward } else { behind };
            return Ok(match tx.run(store).await {
                Ok(()) => Try::Done(message.clone()),
                // Either a later message is already in the summaries, or the author is not a
                // participant; the second form of the write tells which (at once: no race lost).
                Err(e) if (e.failed("mine") || e.failed("theirs")) && first => {
                    ahead.store(false, std::sync::atomic::Ordering::SeqCst);
                    continue;
                }
                Err(e) if e.failed("mine") || e.failed("theirs") => {
                    Try::Refused(Refused::NotParticipant)
                }
                Err(e) => return Err(e),
            });
        }
    })
    .await?;
    // Both people's open pages: the other's to show it, the author's other tabs.
    if let Err(e) = signals::signal(store, &[&author.id, other]).await {
        tracing::warn!(error = %e, "could not signal a new message (pages see it at the next sweep)");
    }
    Ok(sent)
}

/// The two forms of the transaction that stores `item` (a message of `author` to `other` in
/// `conversation`):
/// the forward one moves both participants' summaries to it (only forward in time) and counts
/// it unread for `other`; the one for a message behind a later one leaves the summaries as
/// they are and only counts it unread. Both refuse an author who is not a participant.
fn sending(
    store: &Store,
    conversation: &str,
    item: &MessageItem,
    author: &PersonRef,
    other: &str,
) -> (Tx, Tx) {
    let (pk, message) = (&item.pk, &item.message);
    let now = message.sent_at;
    let unread_total = Expr::set("ADD #t :one")
        .name("#t", "total")
        .value(":one", n(1));
    let at = stamp(&now);
    let summary = |set: &str| {
        Expr::set(set)
            .when("attribute_exists(pk) AND last_at < :at")
            .value(":msg", s(preview(&message.body)))
            .value(":at", s(&at))
            .value(":from", s(&author.id))
            .value(":g", s(conversation_activity_sk(&now, conversation)))
    };
    let set_summary = "SET last_message = :msg, last_at = :at, last_from = :from, gsi1sk = :g";
    let mut forward = Tx::new(store);
    forward
        .create_value("message", item)
        .update(
            "mine",
            pk,
            &participant_sk(&author.id),
            summary(set_summary),
        )
        .update(
            "theirs",
            pk,
            &participant_sk(other),
            summary(&format!("{set_summary}, unread = unread + :one")).value(":one", n(1)),
        )
        .update("total", &user_pk(other), UNREAD_SK, unread_total.clone());
    let mut behind = Tx::new(store);
    behind
        .create_value("message", item)
        .exists("mine", pk, &participant_sk(&author.id))
        .update(
            "theirs",
            pk,
            &participant_sk(other),
            Expr::set("SET unread = unread + :one")
                .when("attribute_exists(pk)")
                .value(":one", n(1)),
        )
        .update("total", &user_pk(other), UNREAD_SK, unread_total);
    (forward, behind)
}

/// My conversations, most recent activity first (pattern M1): one Query on the index.
pub async fn list(
    store: &Store,
    me: &str,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<ConversationSummary>, DbError> {
    let pk = user_conversations_pk(me);
    let q = PageQuery::new(Index::Gsi1, &pk)
        .newest_first()
        .after(cursor)
        .limit(limit);
    let (rows, next) = store.page::<ParticipantItem>(q).await?;
    let items = rows
        .into_iter()
        .map(ParticipantItem::summary)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, next })
}

/// A page of a conversation as `me` sees it (pattern M2), or `None` when `me` has no
/// participant item in it. The newest page is one Query that also returns the participants'
/// items (they sort after the messages); an older page is a Query of messages plus a read of
/// my participant item. Each reads one message more than it shows, to know whether there are
/// older ones. Opening it marks it read.
pub async fn page(
    store: &Store,
    conversation: &str,
    me: &str,
    older: Option<&str>,
) -> Result<Option<ConversationPage>, DbError> {
    let pk = conversation_pk(conversation);
    let (mine, items) = match older.filter(|c| !c.is_empty()) {
        None => {
            let q = PageQuery::new(Index::Table, &pk)
                .sort_key(SortKey::After(MESSAGE_PREFIX))
                .newest_first()
                .limit(PAGE + 3);
            let (items, _) = store.page_items(q).await?;
            let mut mine = None;
            let mut msgs = Vec::new();
            for item in items {
                match attr(&item, SK) {
                    Some(sk) if sk.starts_with(PARTICIPANT_PREFIX) => {
                        let p = from_item::<ParticipantItem>(item)?;
                        if p.user_id == me {
                            mine = Some(p);
                        }
                    }
                    Some(sk) if sk.starts_with(MESSAGE_PREFIX) => {
                        msgs.push(from_item::<MessageItem>(item)?)
                    }
                    _ => {}
                }
            }
            (mine, msgs)
        }
        Some(c) => {
            let q = older_messages(&pk).after(Some(c)).limit(PAGE + 1);
            let (out, mine) = tokio::join!(
                store.page::<MessageItem>(q),
                participant(store, conversation, me)
            );
            (mine?, out?.0)
        }
    };
    let Some(mine) = mine else {
        return Ok(None);
    };
    let mut items = items;
    let more = items.len() > PAGE as usize;
    items.truncate(PAGE as usize);
    let older = more.then(|| items.last()).flatten().map(|oldest| {
        let key: KeyStrings = [
            (PK.to_owned(), oldest.pk.clone()),
            (SK.to_owned(), oldest.sk.clone()),
        ]
        .into_iter()
        .collect();
        store.link(&older_messages(&pk), &key)
    });
    let mut messages: Vec<Message> = items.into_iter().map(|m| m.message).collect();
    messages.reverse();
    if mine.unread > 0 {
        mark_read(store, conversation, me, mine.unread).await?;
    }
    Ok(Some(ConversationPage {
        id: conversation.to_owned(),
        other: mine.other,
        messages,
        older,
    }))
}

/// The older messages of a conversation, newest first (the link to them is made here).
fn older_messages(pk: &str) -> PageQuery<'_> {
    PageQuery::new(Index::Table, pk)
        .prefix(MESSAGE_PREFIX)
        .newest_first()
}

async fn participant(
    store: &Store,
    conversation: &str,
    me: &str,
) -> Result<Option<ParticipantItem>, DbError> {
    store
        .get_as(&conversation_pk(conversation), &participant_sk(me), false)
        .await
}

/// Clears my unread count of a conversation and takes it off my total, together.
async fn mark_read(store: &Store, conversation: &str, me: &str, seen: u32) -> Result<(), DbError> {
    let mut tx = Tx::new(store);
    tx.update(
        "mine",
        &conversation_pk(conversation),
        &participant_sk(me),
        Expr::set("SET unread = :zero")
            .when("unread = :seen")
            .value(":zero", n(0))
            .value(":seen", n(seen)),
    )
    .update(
        "total",
        &user_pk(me),
        UNREAD_SK,
        Expr::set("ADD #t :minus")
            .when("attribute_exists(pk)")
            .name("#t", "total")
            .value(":minus", n(-(seen as i64))),
    );
    match tx.run(store).await {
        Ok(()) => signals::signal(store, &[me]).await,
        // A message arrived meanwhile, or another tab read it first: the next view settles it.
        Err(crate::db::TxError::Failed(_) | crate::db::TxError::Conflict) => Ok(()),
        Err(crate::db::TxError::Db(e)) => Err(e),
    }
}

/// My total of unread messages.
pub async fn unread_total(store: &Store, me: &str) -> Result<u32, DbError> {
    let item = store.get(&user_pk(me), UNREAD_SK, false).await?;
    Ok(match item.as_ref().and_then(|i| i.get("total")) {
        Some(AttributeValue::N(v)) => v.parse::<i64>().unwrap_or(0).max(0) as u32,
        _ => 0,
    })
}

/// The live feed of an open conversation: messages after `after` (one Query, which also
/// returns my participant item: it sorts after the messages), or `None` when `me` has no
/// participant item. Delivered messages are read.
pub async fn since(
    store: &Store,
    conversation: &str,
    me: &str,
    after: &str,
) -> Result<Option<Vec<Message>>, DbError> {
    let pk = conversation_pk(conversation);
    let from = format!("{MESSAGE_PREFIX}{after}");
    let q = PageQuery::new(Index::Table, &pk)
        .sort_key(SortKey::After(&from))
        .limit(100);
    let (items, _) = store.page_items(q).await?;
    let mut mine = None;
    let mut messages = Vec::new();
    for item in items {
        match attr(&item, SK) {
            Some(sk) if sk.starts_with(MESSAGE_PREFIX) => {
                messages.push(from_item::<MessageItem>(item)?.message)
            }
            Some(sk) if *sk == participant_sk(me) => {
                mine = Some(from_item::<ParticipantItem>(item)?)
            }
            _ => {}
        }
    }
    let mine = match mine {
        Some(m) => m,
        // More than a page of new messages: my item was past the limit.
        None => match participant(store, conversation, me).await? {
            Some(m) => m,
            None => return Ok(None),
        },
    };
    if mine.unread > 0 && !messages.is_empty() {
        mark_read(store, conversation, me, mine.unread).await?;
    }
    Ok(Some(messages))
}

/// Loads many messages at once, without summaries or unread counts (benchmarks and tests:
/// a conversation with a long history). Messages are spaced one millisecond apart from `from`.
/// Not in the production build: only with the `bench` feature.
#[cfg(feature = "bench")]
pub async fn bulk_load(
    store: &Store,
    conversation: &str,
    author: &PersonRef,
    count: usize,
    from: DateTime<Utc>,
) -> Result<(), DbError> {
    use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
    use futures::stream::{self, StreamExt, TryStreamExt};
    let pk = conversation_pk(conversation);
    let mut batches = Vec::new();
    for chunk in (0..count).collect::<Vec<_>>().chunks(25) {
        let mut writes = Vec::new();
        for i in chunk {
            let at = from + chrono::Duration::milliseconds(*i as i64);
            let sk = message_sk(&at, &ulid::Ulid::new().to_string());
            let message = Message {
                id: sk.trim_start_matches(MESSAGE_PREFIX).to_owned(),
                author: author.clone(),
                body: format!("Message number {i} of a long conversation."),
                sent_at: at,
            };
            let item = crate::db::to_item(&MessageItem {
                pk: pk.clone(),
                sk,
                message,
            })?;
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| DbError::Other(e.to_string()))?;
            writes.push(WriteRequest::builder().put_request(put).build());
        }
        batches.push(writes);
    }
    stream::iter(batches)
        .map(|writes| store.batch_write(writes))
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}
