//! Direct conversations (patterns M1–M4, and E on the write path).
//!
//! A 1:1 conversation's id is the sorted pair of its participants' ids, so starting one is a
//! single conditional write that two simultaneous starts cannot duplicate, and sending knows
//! every participant without a read. The partition holds the header, the messages (sorted by
//! time) and one summary item per participant; the summaries are indexed per user, newest
//! activity first, for the conversation list.

use super::cursor::{self, KeyStrings};
use super::keys::*;
use super::tx::{self, Values};
use super::{from_item, n, s, to_item, DbError, Store};
use crate::error::AppError;
use crate::models::*;
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

/// The conversation id of a pair of users.
pub fn pair_id(a: &str, b: &str) -> String {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    format!("{x}-{y}")
}

/// The two participants of a conversation id, if it is well formed.
pub fn participants(id: &str) -> Option<(&str, &str)> {
    let (a, b) = id.split_once('-')?;
    let ok =
        |s: &str| !s.is_empty() && s.len() <= 40 && s.chars().all(|c| c.is_ascii_alphanumeric());
    (ok(a) && ok(b) && a < b).then_some((a, b))
}

/// The other participant of `id` for `me`, or 404 when `me` is not in it.
fn other_of<'a>(id: &'a str, me: &str) -> Result<&'a str, AppError> {
    match participants(id) {
        Some((a, b)) if a == me => Ok(b),
        Some((a, b)) if b == me => Ok(a),
        _ => Err(AppError::NotFound),
    }
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
pub async fn start(store: &Store, me: &PersonRef, other: &PersonRef) -> Result<String, AppError> {
    if me.id == other.id {
        return Err(AppError::validation(
            "You cannot start a conversation with yourself.",
        ));
    }
    let id = pair_id(&me.id, &other.id);
    let now = Utc::now();
    let table = store.table();
    let meta = MetaItem {
        pk: conversation_pk(&id),
        sk: CONVERSATION_META_SK.into(),
        id: id.clone(),
        participants: vec![me.clone(), other.clone()],
        created_at: now,
    };
    let items = vec![
        tx::create(table, to_item(&meta)?)?,
        tx::create(table, to_item(&participant_item(&id, me, other, &now))?)?,
        tx::create(table, to_item(&participant_item(&id, other, me, &now))?)?,
    ];
    for attempt in 0..5 {
        match store.transact(items.clone()).await {
            Ok(()) => return Ok(id),
            Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => return Ok(id),
            Err(e) if e.is_transaction_conflict() && attempt < 4 => {
                tokio::time::sleep(std::time::Duration::from_millis(10 << attempt)).await
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(id)
}

/// Sends a message (pattern M3 with E): the message and both participants' summaries in one
/// transaction. The summary only moves forward in time: if a later message got there first,
/// this one is stored and counted unread without replacing the summary's last message.
pub async fn send(
    store: &Store,
    conversation: &str,
    author: &PersonRef,
    body: &str,
) -> Result<Message, AppError> {
    let other = other_of(conversation, &author.id)?.to_owned();
    let table = store.table();
    let pk = conversation_pk(conversation);
    // The key holds microseconds: store the time at that precision, so that key order and
    // time order always agree (two messages of one microsecond are ordered by their ULID).
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    let ulid = ulid::Ulid::new().to_string();
    let sk = message_sk(&now, &ulid);
    let message = Message {
        id: sk.trim_start_matches(MESSAGE_PREFIX).to_owned(),
        author: author.clone(),
        body: body.to_owned(),
        sent_at: now,
    };
    let put = tx::create(
        table,
        to_item(&MessageItem {
            pk: pk.clone(),
            sk,
            message: message.clone(),
        })?,
    )?;
    let unread_total = tx::update(
        table,
        &user_pk(&other),
        UNREAD_SK,
        "ADD #t :one",
        "",
        &[("#t", "total")],
        vec![(":one", n(1))],
    )?;
    let at = stamp(&now);
    let summary_values = |extra: bool| -> Values {
        let mut v: Values = vec![
            (":msg", s(preview(body))),
            (":at", s(&at)),
            (":from", s(&author.id)),
            (":g", s(conversation_activity_sk(&now, conversation))),
        ];
        if extra {
            v.push((":one", n(1)));
        }
        v
    };
    let set_summary = "SET last_message = :msg, last_at = :at, last_from = :from, gsi1sk = :g";
    let newer = "attribute_exists(pk) AND last_at < :at";
    let forward = vec![
        put.clone(),
        tx::update(
            table,
            &pk,
            &participant_sk(&author.id),
            set_summary,
            newer,
            &[],
            summary_values(false),
        )?,
        tx::update(
            table,
            &pk,
            &participant_sk(&other),
            &format!("{set_summary}, unread = unread + :one"),
            newer,
            &[],
            summary_values(true),
        )?,
        unread_total.clone(),
    ];
    // Used when a later message already updated the summaries.
    let behind = vec![
        put,
        tx::exists(table, &pk, &participant_sk(&author.id))?,
        tx::update(
            table,
            &pk,
            &participant_sk(&other),
            "SET unread = unread + :one",
            "attribute_exists(pk)",
            &[],
            vec![(":one", n(1))],
        )?,
        unread_total,
    ];
    let mut ahead = true;
    let mut delay = 8u64;
    for attempt in 0..12 {
        let items = if ahead {
            forward.clone()
        } else {
            behind.clone()
        };
        match store.transact(items).await {
            Ok(()) => return Ok(message),
            Err(e)
                if e.reason(1) == Some("ConditionalCheckFailed")
                    || e.reason(2) == Some("ConditionalCheckFailed") =>
            {
                // Either a later message is already in the summaries, or the author is not a
                // participant; the second form of the write tells which.
                if ahead {
                    ahead = false;
                    continue;
                }
                return Err(AppError::NotFound);
            }
            Err(e) if e.is_transaction_conflict() && attempt < 11 => {
                tokio::time::sleep(std::time::Duration::from_millis(
                    delay + rand::random::<u64>() % delay,
                ))
                .await;
                delay = (delay * 2).min(200);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict("This conversation is busy. Try again."))
}

/// My conversations, most recent activity first (pattern M1): one Query on the index.
pub async fn list(
    store: &Store,
    me: &str,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<ConversationSummary>, AppError> {
    let (rows, next) = super::index_page::<ParticipantItem>(
        store,
        GSI1,
        GSI1PK,
        &user_conversations_pk(me),
        cursor,
        limit,
        GSI1SK,
    )
    .await?;
    let items = rows
        .into_iter()
        .map(ParticipantItem::summary)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, next })
}

/// A page of a conversation, for a participant only (pattern M2). The newest page is one
/// Query that also returns the participants' items (they sort after the messages); an older
/// page is a Query of messages plus a read of my participant item. Each reads one message
/// more than it shows, to know whether there are older ones. Opening it marks it read.
pub async fn page(
    store: &Store,
    conversation: &str,
    me: &str,
    older: Option<&str>,
) -> Result<ConversationPage, AppError> {
    other_of(conversation, me)?;
    let pk = conversation_pk(conversation);
    let (mine, items) = match older.filter(|c| !c.is_empty()) {
        None => {
            let out = store
                .call(
                    store
                        .client()
                        .query()
                        .table_name(store.table())
                        .key_condition_expression("pk = :pk AND sk > :m")
                        .expression_attribute_values(":pk", s(&pk))
                        .expression_attribute_values(":m", s(MESSAGE_PREFIX))
                        .scan_index_forward(false)
                        .limit(PAGE + 3)
                        .send(),
                )
                .await?;
            let mut mine = None;
            let mut msgs = Vec::new();
            for item in out.items.unwrap_or_default() {
                match item.get(SK) {
                    Some(AttributeValue::S(sk)) if sk.starts_with(PARTICIPANT_PREFIX) => {
                        let p = from_item::<ParticipantItem>(item)?;
                        if p.user_id == me {
                            mine = Some(p);
                        }
                    }
                    Some(AttributeValue::S(sk)) if sk.starts_with(MESSAGE_PREFIX) => {
                        msgs.push(from_item::<MessageItem>(item)?)
                    }
                    _ => {}
                }
            }
            (mine, msgs)
        }
        Some(c) => {
            let start = cursor::start_from(c, &[PK, SK])?;
            if !matches!(start.get(PK), Some(AttributeValue::S(p)) if *p == pk) {
                return Err(AppError::validation(
                    "That page link is no longer valid. Start from the first page.",
                ));
            }
            let query = store
                .client()
                .query()
                .table_name(store.table())
                .key_condition_expression("pk = :pk AND begins_with(sk, :m)")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":m", s(MESSAGE_PREFIX))
                .scan_index_forward(false)
                .set_exclusive_start_key(Some(start))
                .limit(PAGE + 1)
                .send();
            let (out, mine) = tokio::join!(store.call(query), participant(store, conversation, me));
            let msgs = out?
                .items
                .unwrap_or_default()
                .into_iter()
                .map(from_item::<MessageItem>)
                .collect::<Result<Vec<_>, _>>()?;
            (mine?, msgs)
        }
    };
    let mine = mine.ok_or(AppError::NotFound)?;
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
        cursor::encode(&key)
    });
    let mut messages: Vec<Message> = items.into_iter().map(|m| m.message).collect();
    messages.reverse();
    if mine.unread > 0 {
        mark_read(store, conversation, me, mine.unread).await?;
    }
    Ok(ConversationPage {
        id: conversation.to_owned(),
        other: mine.other,
        messages,
        older,
    })
}

async fn participant(
    store: &Store,
    conversation: &str,
    me: &str,
) -> Result<Option<ParticipantItem>, AppError> {
    let item = store
        .get(&conversation_pk(conversation), &participant_sk(me), false)
        .await?;
    Ok(item.map(from_item::<ParticipantItem>).transpose()?)
}

/// Clears my unread count of a conversation and takes it off my total, together.
async fn mark_read(store: &Store, conversation: &str, me: &str, seen: u32) -> Result<(), AppError> {
    let table = store.table();
    let items = vec![
        tx::update(
            table,
            &conversation_pk(conversation),
            &participant_sk(me),
            "SET unread = :zero",
            "unread = :seen",
            &[],
            vec![(":zero", n(0)), (":seen", n(seen))],
        )?,
        tx::update(
            table,
            &user_pk(me),
            UNREAD_SK,
            "ADD #t :minus",
            "attribute_exists(pk)",
            &[("#t", "total")],
            vec![(":minus", n(-(seen as i64)))],
        )?,
    ];
    match store.transact(items).await {
        // A message arrived meanwhile, or another tab read it first: the next view settles it.
        Ok(()) => Ok(()),
        Err(DbError::TransactionCanceled(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// My total of unread messages.
pub async fn unread_total(store: &Store, me: &str) -> Result<u32, AppError> {
    let item = store.get(&user_pk(me), UNREAD_SK, false).await?;
    Ok(match item.as_ref().and_then(|i| i.get("total")) {
        Some(AttributeValue::N(v)) => v.parse::<i64>().unwrap_or(0).max(0) as u32,
        _ => 0,
    })
}

/// The live feed of an open conversation: messages after `after` (one Query, which also
/// returns my participant item: it sorts after the messages). Delivered messages are read.
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
    let out = store
        .call(
            store
                .client()
                .query()
                .table_name(store.table())
                .key_condition_expression("pk = :pk AND sk > :after")
                .expression_attribute_values(":pk", s(conversation_pk(conversation)))
                .expression_attribute_values(":after", s(format!("{MESSAGE_PREFIX}{after}")))
                .limit(100)
                .send(),
        )
        .await?;
    let mut mine = None;
    let mut messages = Vec::new();
    for item in out.items.unwrap_or_default() {
        match item.get(SK) {
            Some(AttributeValue::S(sk)) if sk.starts_with(MESSAGE_PREFIX) => {
                messages.push(from_item::<MessageItem>(item)?.message)
            }
            Some(AttributeValue::S(sk)) if *sk == participant_sk(me) => {
                mine = Some(from_item::<ParticipantItem>(item)?)
            }
            _ => {}
        }
    }
    let mine = match mine {
        Some(m) => m,
        // More than a page of new messages: my item was past the limit.
        None => participant(store, conversation, me)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    if mine.unread > 0 && !messages.is_empty() {
        mark_read(store, conversation, me, mine.unread).await?;
    }
    Ok(messages)
}

/// Loads many messages at once, without summaries or unread counts (benchmarks and tests:
/// a conversation with a long history). Messages are spaced one millisecond apart from `from`.
pub async fn bulk_load(
    store: &Store,
    conversation: &str,
    author: &PersonRef,
    count: usize,
    from: DateTime<Utc>,
) -> Result<(), AppError> {
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
            let item = to_item(&MessageItem {
                pk: pk.clone(),
                sk,
                message,
            })?;
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(AppError::internal)?;
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
