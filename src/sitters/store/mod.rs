//! The Sitters jobs board in DynamoDB (patterns J1–J5).
//!
//! A job's partition holds the job and its applications (an application's key is the nanny,
//! so a second application is a failed condition). Open jobs sit in sparse index partitions
//! per city and overall, newest first; booking or cancelling takes the job out of them. A
//! booking is one transaction (job OPEN → BOOKED, the chosen application PENDING → ACCEPTED)
//! that also records a durable "decline the others" task, which the request and, failing that,
//! the background worker complete. A profile's partition (`USER#`) holds the sitter profile,
//! the private details and the reviews of its owner.
//!
//! Layer rule: reads and writes only. Who may post, apply, book, cancel or review, and what
//! the user is told, is decided in `rules`; a refused write comes back as [`Refused`].

mod booking;
mod jobs;

pub use booking::*;
pub use jobs::*;

use crate::accounts::model::AccountStatus;
use crate::db::keys::*;
use crate::db::retry::{retrying, Backoff, Try};
use crate::db::{
    attr, from_item, n, opt, s, value, DbError, Expr, Index, Outcome, PageQuery, Refusal, SortKey,
    Store, Tx,
};
use crate::sitters::model::*;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

/// Why a Sitters write was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The acting account is deactivated (checked in the write's own transaction, so that a
    /// deactivation takes effect at once).
    Deactivated,
    /// The nanny has applied to this job already.
    AlreadyApplied,
    /// The job is not open, not the caller's, or no longer as the caller saw it.
    JobChanged,
    /// The chosen application is not pending.
    NotPending,
    /// The reviewer has reviewed this job already.
    AlreadyReviewed,
    /// The job is not booked.
    NotBooked,
    /// Too many concurrent writes: the retries ran out.
    Busy,
}

pub(crate) fn refused<T>(r: Refused) -> Outcome<T, Refused> {
    Err(Refusal::Refused(r))
}

/// A ConditionCheck (named "active") that `user_id`'s account is not deactivated.
fn active(tx: &mut Tx, user_id: &str) {
    tx.check(
        "active",
        &user_pk(user_id),
        PROFILE_SK,
        Expr::condition("attribute_exists(pk) AND #st <> :d")
            .name("#st", "status")
            .value(":d", s(AccountStatus::Deactivated.as_str())),
    );
}

#[derive(Serialize, Deserialize)]
pub(super) struct SitterItem {
    pub(super) pk: String,
    pub(super) sk: String,
    #[serde(flatten)]
    pub(super) profile: SitterProfile,
}

#[derive(Serialize, Deserialize)]
pub(super) struct PrivateItem {
    pub(super) pk: String,
    pub(super) sk: String,
    #[serde(flatten)]
    pub(super) private: PrivateDetails,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ReviewItem {
    pub(super) pk: String,
    pub(super) sk: String,
    #[serde(flatten)]
    pub(super) review: Review,
}

#[derive(Serialize, Deserialize)]
pub(super) struct JobItem {
    pub(super) pk: String,
    pub(super) sk: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) gsi1pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) gsi1sk: Option<String>,
    pub(super) gsi2pk: String,
    pub(super) gsi2sk: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) gsi3pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(super) gsi3sk: Option<String>,
    #[serde(flatten)]
    pub(super) job: Job,
}

#[derive(Serialize, Deserialize)]
pub(super) struct ApplicationItem {
    pub(super) pk: String,
    pub(super) sk: String,
    pub(super) gsi2pk: String,
    pub(super) gsi2sk: String,
    #[serde(flatten)]
    pub(super) application: Application,
}

/// The profile partition: the account, its reviews, and its sitter profile, in one Query
/// (the private item and the unread counter sort outside the range).
pub async fn profile(
    store: &Store,
    user_id: &str,
) -> Result<(Option<SitterProfile>, Vec<Review>), DbError> {
    let pk = user_pk(user_id);
    let q = PageQuery::new(Index::Table, &pk)
        .sort_key(SortKey::Between(REVIEW_PREFIX, SITTER_SK))
        .unlimited();
    let (items, _) = store.page_items(q).await?;
    let mut profile = None;
    let mut reviews = Vec::new();
    for item in items {
        match attr(&item, SK) {
            Some(SITTER_SK) => profile = Some(from_item::<SitterItem>(item)?.profile),
            Some(sk) if sk.starts_with(REVIEW_PREFIX) => {
                reviews.push(from_item::<ReviewItem>(item)?.review)
            }
            _ => {}
        }
    }
    reviews.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    Ok((profile, reviews))
}

/// Saves the owner's profile fields and private details; the ratings (kept by reviews) are
/// not touched.
pub async fn save_profile(
    store: &Store,
    user_id: &str,
    p: &SitterProfile,
    private: &PrivateDetails,
) -> Result<(), DbError> {
    let nanny = match &p.nanny {
        Some(n) => value(n)?,
        None => AttributeValue::Null(true),
    };
    let fields = Expr::set(
        "SET full_name = :fn, city = :city, lat = :lat, lon = :lon, about = :about, kids = :kids, nanny = :nanny, \
         rating_sum = if_not_exists(rating_sum, :zero), rating_count = if_not_exists(rating_count, :zero)",
    )
    .value(":fn", s(&p.full_name))
    .value(":city", s(&p.city))
    .value(":lat", opt(p.lat.map(n)))
    .value(":lon", opt(p.lon.map(n)))
    .value(":about", s(&p.about))
    .value(":kids", opt(p.kids.map(n)))
    .value(":nanny", nanny)
    .value(":zero", n(0));
    let details = Expr::set("SET phone = :phone, id_document = :doc")
        .value(":phone", s(&private.phone))
        .value(":doc", s(&private.id_document));
    let mut tx = Tx::new(store);
    tx.update("profile", &user_pk(user_id), SITTER_SK, fields)
        .update("private", &user_pk(user_id), PRIVATE_SK, details);
    Ok(tx.run(store).await?)
}

pub async fn private(store: &Store, user_id: &str) -> Result<PrivateDetails, DbError> {
    Ok(store
        .get_as::<PrivateItem>(&user_pk(user_id), PRIVATE_SK, false)
        .await?
        .map(|p| p.private)
        .unwrap_or_default())
}

/// Stores a review of `subject` after a booked job (J5): once per reviewer per job; the
/// reviewed person's rating sum and count change in the same transaction.
pub async fn review(store: &Store, subject: &str, r: &Review) -> Outcome<(), Refused> {
    let mut tx = Tx::new(store);
    tx.check(
        "job",
        &job_pk(&r.job_id),
        JOB_META_SK,
        Expr::condition("#st = :booked")
            .name("#st", "status")
            .value(":booked", s(JobStatus::Booked.as_str())),
    )
    .create_value(
        "review",
        &ReviewItem {
            pk: user_pk(subject),
            sk: review_sk(&r.job_id, &r.reviewer.id),
            review: r.clone(),
        },
    )
    .update(
        "rating",
        &user_pk(subject),
        SITTER_SK,
        Expr::set(
            "SET rating_sum = if_not_exists(rating_sum, :zero) + :r, \
             rating_count = if_not_exists(rating_count, :zero) + :one",
        )
        .value(":zero", n(0))
        .value(":r", n(r.rating))
        .value(":one", n(1)),
    );
    let tx = &tx;
    retrying(Backoff::new(), Refused::Busy, || async move {
        Ok(match tx.run(store).await {
            Ok(()) => Try::Done(()),
            Err(e) if e.failed("review") => Try::Refused(Refused::AlreadyReviewed),
            Err(e) if e.failed("job") => Try::Refused(Refused::NotBooked),
            Err(e) => return Err(e),
        })
    })
    .await
}
