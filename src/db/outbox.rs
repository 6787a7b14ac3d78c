//! The mail outbox. A mail is written in the same transaction as the change that causes it, so
//! it cannot be lost; the background worker sends it with retries and backoff.
//!
//! Pending mails sit in a sparse index partition (`gsi2pk = OUTBOX#PENDING`) sorted by when they
//! are due; a sent or failed mail leaves that index. A mail to an account whose address is not
//! confirmed yet is *held*: it moves to `OUTBOX#HELD` (sorted by when it expires, [`HOLD_FOR`]
//! after it was queued) and to its account's `HELD#<uid>` partition of gsi1, from which the
//! confirmation releases it.

use super::keys::*;
use super::{n, s, DbError, Expr, Index, PageQuery, SortKey, Store, Tx};
use crate::model::Delivery;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Timestamps compared as strings must have one fixed format.
fn fixed(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Attempts before a mail is marked failed.
pub const MAX_ATTEMPTS: u32 = 8;

/// How long a mail waits for its account's address to be confirmed before it fails.
pub const HOLD_FOR: Duration = Duration::days(7);

/// A stored item whose `invitation` attribute mirrors the mail's delivery state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub pk: String,
    pub sk: String,
}

/// Who a mail goes to: an address, or an account (sent to its email address at sending time,
/// so that a changed address is honoured).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Address(String),
    Account(String),
}

/// A mail's content, as the area rules compose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub to: Recipient,
    pub subject: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub id: String,
    pub to: Recipient,
    pub subject: String,
    pub text: String,
    pub status: Delivery,
    pub attempts: u32,
    pub due_at: DateTime<Utc>,
    // Absent, not NULL: conditions test `attribute_not_exists(lease_until)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<Track>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl OutboxMail {
    pub fn new(mail: Letter, track: Option<Track>, now: DateTime<Utc>) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            to: mail.to,
            subject: mail.subject,
            text: mail.text,
            status: Delivery::Queued,
            attempts: 0,
            due_at: now,
            lease_until: None,
            track,
            last_error: None,
            created_at: now,
        }
    }

    pub fn letter(&self) -> Letter {
        Letter {
            to: self.to.clone(),
            subject: self.subject.clone(),
            text: self.text.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct OutboxItem {
    pk: String,
    sk: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    gsi1pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    gsi1sk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    gsi2pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    gsi2sk: Option<String>,
    #[serde(flatten)]
    mail: OutboxMail,
}

/// Adds the creation of `mail` (named "mail") to the transaction that causes it.
pub fn queue(tx: &mut Tx, mail: &OutboxMail) {
    tx.create_value(
        "mail",
        &OutboxItem {
            pk: outbox_pk(&mail.id),
            sk: OUTBOX_SK.into(),
            gsi1pk: None,
            gsi1sk: None,
            gsi2pk: Some(OUTBOX_PENDING.into()),
            gsi2sk: Some(outbox_due_sk(&mail.due_at, &mail.id)),
            mail: mail.clone(),
        },
    );
}

/// Pending mails due at `now`, oldest first.
pub async fn due(
    store: &Store,
    now: DateTime<Utc>,
    limit: i32,
) -> Result<Vec<OutboxMail>, DbError> {
    let due = outbox_due_sk(&now, "~");
    let q = PageQuery::new(Index::Gsi2, OUTBOX_PENDING)
        .sort_key(SortKey::UpTo(&due))
        .limit(limit);
    let (rows, _) = store.page::<OutboxItem>(q).await?;
    Ok(rows.into_iter().map(|o| o.mail).collect())
}

/// Takes a lease on a queued mail, so that one worker sends it while others skip it. Returns
/// the lease (its end, which names it) when taken, `None` when another worker holds it.
pub async fn claim(
    store: &Store,
    id: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let until = now + lease;
    let claim = Expr::set("SET lease_until = :until, attempts = attempts + :one")
        .when("#st = :queued AND (attribute_not_exists(lease_until) OR lease_until < :now)")
        .name("#st", "status")
        .value(":queued", s(Delivery::Queued.as_str()))
        .value(":until", s(fixed(until)))
        .value(":now", s(fixed(now)))
        .value(":one", n(1));
    let res = store.update(&outbox_pk(id), OUTBOX_SK, claim).await;
    match res {
        Ok(_) => Ok(Some(until)),
        Err(DbError::ConditionFailed) => Ok(None),
        Err(e) => Err(e),
    }
}

/// How many mails are pending and when the oldest of them was queued: the worker's gauges.
/// Reads the pending index partition's `created_at`s, at most `pages` pages of them.
pub async fn pending_stats(
    store: &Store,
    pages: usize,
) -> Result<(u64, Option<DateTime<Utc>>), DbError> {
    #[derive(Deserialize)]
    struct Created {
        created_at: DateTime<Utc>,
    }
    let mut count = 0;
    let mut oldest: Option<DateTime<Utc>> = None;
    let mut start = None;
    for _ in 0..pages {
        let out = store
            .call(
                store
                    .client()
                    .query()
                    .table_name(store.table())
                    .index_name(GSI2)
                    .key_condition_expression("#pk = :pk")
                    .expression_attribute_names("#pk", GSI2PK)
                    .expression_attribute_values(":pk", s(OUTBOX_PENDING))
                    .projection_expression("created_at")
                    .set_exclusive_start_key(start.take())
                    .send(),
            )
            .await?;
        for item in out.items.unwrap_or_default() {
            count += 1;
            if let Ok(c) = serde_dynamo::from_item::<_, Created>(item) {
                oldest = Some(oldest.map_or(c.created_at, |o| o.min(c.created_at)));
            }
        }
        match out.last_evaluated_key {
            Some(k) => start = Some(k),
            None => break,
        }
    }
    Ok((count, oldest))
}

/// Records the outcome of a send under the lease it was sent with: sent, retry later, or
/// failed for good. A lease that ran out and was taken over is not overwritten: the answer
/// is then `ConditionFailed`.
pub async fn settle(
    store: &Store,
    mail: &OutboxMail,
    lease: DateTime<Utc>,
    outcome: Result<(), String>,
    now: DateTime<Utc>,
) -> Result<Delivery, DbError> {
    let attempts = mail.attempts + 1;
    let (delivery, update) = match &outcome {
        Ok(()) => (
            Delivery::Sent,
            "SET #st = :st, sent_at = :now REMOVE gsi2pk, gsi2sk, lease_until",
        ),
        Err(_) if attempts >= MAX_ATTEMPTS => (
            Delivery::Failed,
            "SET #st = :st, last_error = :err REMOVE gsi2pk, gsi2sk, lease_until",
        ),
        Err(_) => (
            Delivery::Queued,
            "SET due_at = :due, gsi2sk = :due_sk, last_error = :err REMOVE lease_until",
        ),
    };
    // Exponential backoff: 2 s, 4 s, 8 s … capped at 10 minutes.
    let due = now + Duration::seconds(2i64.saturating_pow(attempts.min(9)).min(600));
    let error = || s(outcome.clone().err().unwrap_or_default());
    let expr = match delivery {
        Delivery::Sent => Expr::set(update)
            .name("#st", "status")
            .value(":st", s(delivery.as_str()))
            .value(":now", s(fixed(now))),
        Delivery::Failed => Expr::set(update)
            .name("#st", "status")
            .value(":st", s(delivery.as_str()))
            .value(":err", error()),
        Delivery::Queued => Expr::set(update)
            .value(":due", s(fixed(due)))
            .value(":due_sk", s(outbox_due_sk(&due, &mail.id)))
            .value(":err", error()),
    };
    let expr = expr
        .when("lease_until = :lease")
        .value(":lease", s(fixed(lease)));
    store.update(&outbox_pk(&mail.id), OUTBOX_SK, expr).await?;
    if delivery != Delivery::Queued {
        if let Some(track) = &mail.track {
            mirror(store, track, delivery).await?;
        }
    }
    Ok(delivery)
}

/// Holds a claimed mail for `account`, whose address is not confirmed: it leaves the pending
/// mails (the claim's attempt is given back) until [`release_held`] or [`expire_held`].
pub async fn hold(
    store: &Store,
    mail: &OutboxMail,
    lease: DateTime<Utc>,
    account: &str,
) -> Result<(), DbError> {
    let expires = mail.created_at + HOLD_FOR;
    let expr = Expr::set(
        "SET gsi2pk = :held, gsi2sk = :exp, gsi1pk = :acct, gsi1sk = :id, attempts = attempts - :one \
         REMOVE lease_until",
    )
    .when("lease_until = :lease")
    .value(":held", s(OUTBOX_HELD))
    .value(":exp", s(outbox_due_sk(&expires, &mail.id)))
    .value(":acct", s(held_mail_pk(account)))
    .value(":id", s(&mail.id))
    .value(":one", n(1))
    .value(":lease", s(fixed(lease)));
    store.update(&outbox_pk(&mail.id), OUTBOX_SK, expr).await?;
    Ok(())
}

/// Puts the mail held for `account` back among the pending mails, due at `now`: one pass over
/// its index partition, a page at a time (an index answers after the write, so a mail released
/// a moment ago may still be listed; its condition then skips it). Safe to run again. Returns
/// how many it released.
pub async fn release_held(
    store: &Store,
    account: &str,
    now: DateTime<Utc>,
) -> Result<usize, DbError> {
    let mut released = 0;
    let held = held_mail_pk(account);
    let mut cursor: Option<String> = None;
    loop {
        let q = PageQuery::new(Index::Gsi1, &held)
            .after(cursor.as_deref())
            .limit(25);
        let (rows, next) = store.page::<OutboxItem>(q).await?;
        for row in rows {
            let id = &row.mail.id;
            let expr = Expr::set(
                "SET gsi2pk = :pending, gsi2sk = :due, due_at = :now REMOVE gsi1pk, gsi1sk",
            )
            .when("gsi1pk = :acct")
            .value(":pending", s(OUTBOX_PENDING))
            .value(":due", s(outbox_due_sk(&now, id)))
            .value(":now", s(fixed(now)))
            .value(":acct", s(&held));
            match store.update(&outbox_pk(id), OUTBOX_SK, expr).await {
                Ok(_) => released += 1,
                // Released by someone else meanwhile.
                Err(DbError::ConditionFailed) => {}
                Err(e) => return Err(e),
            }
        }
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(released),
        }
    }
}

/// Fails the held mails whose time ran out at `now` (at most `limit`): their address was never
/// confirmed. Returns how many.
pub async fn expire_held(store: &Store, now: DateTime<Utc>, limit: i32) -> Result<usize, DbError> {
    let up_to = outbox_due_sk(&now, "~");
    let q = PageQuery::new(Index::Gsi2, OUTBOX_HELD)
        .sort_key(SortKey::UpTo(&up_to))
        .limit(limit);
    let (rows, _) = store.page::<OutboxItem>(q).await?;
    let mut expired = 0;
    for row in rows {
        let expr =
            Expr::set("SET #st = :failed, last_error = :err REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk")
                .when("gsi2pk = :held")
                .name("#st", "status")
                .value(":failed", s(Delivery::Failed.as_str()))
                .value(":err", s("the address was not confirmed in time"))
                .value(":held", s(OUTBOX_HELD));
        match store
            .update(&outbox_pk(&row.mail.id), OUTBOX_SK, expr)
            .await
        {
            Ok(_) => {
                expired += 1;
                if let Some(track) = &row.mail.track {
                    mirror(store, track, Delivery::Failed).await?;
                }
            }
            Err(DbError::ConditionFailed) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(expired)
}

/// Sets the tracked item's `invitation` state, if the item still exists.
async fn mirror(store: &Store, track: &Track, delivery: Delivery) -> Result<(), DbError> {
    let set = Expr::set("SET invitation = :d")
        .when("attribute_exists(pk)")
        .value(":d", s(delivery.as_str()));
    let res = store.update(&track.pk, &track.sk, set).await;
    match res {
        Ok(_) | Err(DbError::ConditionFailed) => Ok(()),
        Err(e) => Err(e),
    }
}

pub async fn get(store: &Store, id: &str) -> Result<Option<OutboxMail>, DbError> {
    Ok(store
        .get_as::<OutboxItem>(&outbox_pk(id), OUTBOX_SK, true)
        .await?
        .map(|o| o.mail))
}
