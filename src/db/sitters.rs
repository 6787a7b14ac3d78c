//! The Sitters jobs board (patterns J1–J5).
//!
//! A job's partition holds the job and its applications (an application's key is the nanny,
//! so a second application is a failed condition). Open jobs sit in sparse index partitions
//! per city and overall, newest first; booking or cancelling takes the job out of them. A
//! booking is one transaction (job OPEN → BOOKED, the chosen application PENDING → ACCEPTED)
//! that also records a durable "decline the others" task, which the request and, failing that,
//! the background worker complete.

use super::keys::*;
use super::outbox::{self, OutboxMail};
use super::tx;
use super::users::User;
use super::{from_item, n, s, to_item, DbError, Store};
use crate::email::Mail;
use crate::error::AppError;
use crate::models::*;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Utc;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct SitterItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    profile: SitterProfile,
}

#[derive(Serialize, Deserialize)]
struct PrivateItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    private: PrivateDetails,
}

#[derive(Serialize, Deserialize)]
struct ReviewItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    review: Review,
}

#[derive(Serialize, Deserialize)]
struct JobItem {
    pk: String,
    sk: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    gsi1pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    gsi1sk: Option<String>,
    gsi2pk: String,
    gsi2sk: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    gsi3pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    gsi3sk: Option<String>,
    #[serde(flatten)]
    job: Job,
}

#[derive(Serialize, Deserialize)]
struct ApplicationItem {
    pk: String,
    sk: String,
    gsi2pk: String,
    gsi2sk: String,
    #[serde(flatten)]
    application: Application,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DeclineTask {
    pk: String,
    sk: String,
    gsi2pk: String,
    gsi2sk: String,
    job_id: String,
}

impl DeclineTask {
    /// The pending "decline the other applications" task of a job that just closed.
    fn new(job_id: &str, now: &chrono::DateTime<Utc>) -> Self {
        Self {
            pk: job_pk(job_id),
            sk: DECLINE_SK.into(),
            gsi2pk: DECLINE_PENDING.into(),
            gsi2sk: newest_sk(now, job_id),
            job_id: job_id.to_owned(),
        }
    }
}

/// The profile partition: the account, its reviews, and its sitter profile, in one Query
/// (the private item and the unread counter sort outside the range).
pub async fn profile(
    store: &Store,
    user_id: &str,
) -> Result<(Option<SitterProfile>, Vec<Review>), AppError> {
    let out = store
        .call(
            store
                .client()
                .query()
                .table_name(store.table())
                .key_condition_expression("pk = :pk AND sk BETWEEN :a AND :b")
                .expression_attribute_values(":pk", s(user_pk(user_id)))
                .expression_attribute_values(":a", s("REVIEW#"))
                .expression_attribute_values(":b", s(SITTER_SK))
                .send(),
        )
        .await?;
    let mut profile = None;
    let mut reviews = Vec::new();
    for item in out.items.unwrap_or_default() {
        match item.get(SK) {
            Some(AttributeValue::S(sk)) if sk == SITTER_SK => {
                profile = Some(from_item::<SitterItem>(item)?.profile)
            }
            Some(AttributeValue::S(sk)) if sk.starts_with("REVIEW#") => {
                reviews.push(from_item::<ReviewItem>(item)?.review)
            }
            _ => {}
        }
    }
    reviews.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    Ok((profile, reviews))
}

/// Saves the owner's profile fields; the ratings (kept by reviews) are not touched.
pub async fn save_profile(
    store: &Store,
    user_id: &str,
    p: &SitterProfile,
    private: &PrivateDetails,
) -> Result<(), AppError> {
    let nanny = match &p.nanny {
        Some(n) => AttributeValue::M(to_item(n)?),
        None => AttributeValue::Null(true),
    };
    let opt = |v: Option<f64>| v.map(n).unwrap_or(AttributeValue::Null(true));
    let table = store.table();
    let items = vec![
        tx::update(
            table,
            &user_pk(user_id),
            SITTER_SK,
            "SET full_name = :fn, city = :city, lat = :lat, lon = :lon, about = :about, kids = :kids, nanny = :nanny, \
             rating_sum = if_not_exists(rating_sum, :zero), rating_count = if_not_exists(rating_count, :zero)",
            "",
            &[],
            vec![
                (":fn", s(&p.full_name)),
                (":city", s(&p.city)),
                (":lat", opt(p.lat)),
                (":lon", opt(p.lon)),
                (":about", s(&p.about)),
                (":kids", p.kids.map(n).unwrap_or(AttributeValue::Null(true))),
                (":nanny", nanny),
                (":zero", n(0)),
            ],
        )?,
        tx::update(
            table,
            &user_pk(user_id),
            PRIVATE_SK,
            "SET phone = :phone, id_document = :doc",
            "",
            &[],
            vec![(":phone", s(&private.phone)), (":doc", s(&private.id_document))],
        )?,
    ];
    store.transact(items).await.map_err(AppError::from)
}

pub async fn private(store: &Store, user_id: &str) -> Result<PrivateDetails, AppError> {
    let item = store.get(&user_pk(user_id), PRIVATE_SK, false).await?;
    Ok(item
        .map(from_item::<PrivateItem>)
        .transpose()?
        .map(|p| p.private)
        .unwrap_or_default())
}

/// A ConditionCheck that the acting account is not deactivated (checked in the same
/// transaction as the action, so a deactivation takes effect at once).
fn active(
    table: &str,
    user_id: &str,
) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, DbError> {
    tx::check(
        table,
        &user_pk(user_id),
        PROFILE_SK,
        "attribute_exists(pk) AND #st <> :d",
        &[("#st", "status")],
        vec![(":d", s(AccountStatus::Deactivated.as_str()))],
    )
}

fn job_item(job: Job) -> JobItem {
    let open = job.status == JobStatus::Open;
    let newest = newest_sk(&job.created_at, &job.id);
    JobItem {
        pk: job_pk(&job.id),
        sk: JOB_META_SK.into(),
        gsi1pk: open.then(|| open_jobs_city_pk(&city_key(&job.city))),
        gsi1sk: open.then(|| newest.clone()),
        gsi2pk: parent_jobs_pk(&job.parent.id),
        gsi2sk: newest.clone(),
        gsi3pk: open.then(|| OPEN_JOBS_PK.to_owned()),
        gsi3sk: open.then_some(newest),
        job,
    }
}

/// Posts a job (the parent is the signed-in user; refused if the account is deactivated).
pub async fn create_job(store: &Store, job: Job) -> Result<Job, AppError> {
    let table = store.table();
    let items = vec![
        active(table, &job.parent.id)?,
        tx::create(table, to_item(&job_item(job.clone()))?)?,
    ];
    match store.transact(items).await {
        Ok(()) => Ok(job),
        Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => Err(AppError::Deactivated),
        Err(e) => Err(e.into()),
    }
}

pub async fn get_job(store: &Store, id: &str) -> Result<Option<Job>, AppError> {
    let item = store.get(&job_pk(id), JOB_META_SK, true).await?;
    Ok(item.map(from_item::<JobItem>).transpose()?.map(|j| j.job))
}

/// A job with all its applications (J2): one Query on the job's partition.
pub async fn job_with_applications(
    store: &Store,
    id: &str,
) -> Result<Option<(Job, Vec<Application>)>, AppError> {
    let mut job = None;
    let mut apps = Vec::new();
    for item in store.query_partition(&job_pk(id)).await? {
        match item.get(SK) {
            Some(AttributeValue::S(sk)) if sk == JOB_META_SK => {
                job = Some(from_item::<JobItem>(item)?.job)
            }
            Some(AttributeValue::S(sk)) if sk.starts_with(APPLICATION_PREFIX) => {
                apps.push(from_item::<ApplicationItem>(item)?.application)
            }
            _ => {}
        }
    }
    apps.sort_by_key(|a| a.applied_at);
    Ok(job.map(|j| (j, apps)))
}

/// Open jobs, newest first (J1), in one city or in all: one Query.
pub async fn open_jobs(
    store: &Store,
    city: Option<&str>,
    cursor: Option<&str>,
    limit: i32,
) -> Result<Page<Job>, AppError> {
    let (items, next) = match city.map(city_key).filter(|c| !c.is_empty()) {
        Some(c) => {
            super::index_page::<JobItem>(
                store,
                GSI1,
                GSI1PK,
                &open_jobs_city_pk(&c),
                cursor,
                limit,
                GSI1SK,
            )
            .await?
        }
        None => {
            super::index_page::<JobItem>(store, GSI3, GSI3PK, OPEN_JOBS_PK, cursor, limit, GSI3SK)
                .await?
        }
    };
    Ok(Page {
        items: items.into_iter().map(|j| j.job).collect(),
        next,
    })
}

/// A parent's jobs with their application counts (J2): one Query.
pub async fn parent_jobs(
    store: &Store,
    parent: &str,
    cursor: Option<&str>,
) -> Result<Page<Job>, AppError> {
    let (items, next) = super::index_page::<JobItem>(
        store,
        GSI2,
        GSI2PK,
        &parent_jobs_pk(parent),
        cursor,
        50,
        GSI2SK,
    )
    .await?;
    Ok(Page {
        items: items.into_iter().map(|j| j.job).collect(),
        next,
    })
}

/// A nanny's applications with their status (J2): one Query.
pub async fn nanny_applications(
    store: &Store,
    nanny: &str,
    cursor: Option<&str>,
) -> Result<Page<Application>, AppError> {
    let (items, next) = super::index_page::<ApplicationItem>(
        store,
        GSI2,
        GSI2PK,
        &nanny_applications_pk(nanny),
        cursor,
        50,
        GSI2SK,
    )
    .await?;
    Ok(Page {
        items: items.into_iter().map(|a| a.application).collect(),
        next,
    })
}

/// Applies to an open job (J3), once: one transaction. The job's headline copied onto the
/// application is checked against the job in the same transaction.
pub async fn apply(
    store: &Store,
    job: &Job,
    nanny: &PersonRef,
    message: String,
) -> Result<Application, AppError> {
    let table = store.table();
    let now = Utc::now();
    let app = Application {
        job_id: job.id.clone(),
        nanny: nanny.clone(),
        status: ApplicationStatus::Pending,
        message,
        applied_at: now,
        job_type: job.job_type.clone(),
        job_city: job.city.clone(),
        job_starts_at: job.starts_at,
    };
    let item = ApplicationItem {
        pk: job_pk(&job.id),
        sk: application_sk(&nanny.id),
        gsi2pk: nanny_applications_pk(&nanny.id),
        gsi2sk: newest_sk(&now, &job.id),
        application: app.clone(),
    };
    let items = vec![
        tx::update(
            table,
            &job_pk(&job.id),
            JOB_META_SK,
            "SET application_count = application_count + :one",
            "#st = :open AND parent.id <> :me AND job_type = :jt AND city = :city",
            &[("#st", "status")],
            vec![
                (":one", n(1)),
                (":open", s("OPEN")),
                (":me", s(&nanny.id)),
                (":jt", s(&job.job_type)),
                (":city", s(&job.city)),
            ],
        )?,
        tx::create(table, to_item(&item)?)?,
        active(table, &nanny.id)?,
    ];
    match store.transact(items).await {
        Ok(()) => Ok(app),
        Err(e) if e.reason(1) == Some("ConditionalCheckFailed") => {
            Err(AppError::conflict("You have already applied to this job."))
        }
        Err(e) if e.reason(2) == Some("ConditionalCheckFailed") => Err(AppError::Deactivated),
        Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => {
            match get_job(store, &job.id).await? {
                Some(j) if j.status != JobStatus::Open => {
                    Err(AppError::conflict("This job is no longer open."))
                }
                Some(_) => Err(AppError::conflict(
                    "This job changed. Reload it and try again.",
                )),
                None => Err(AppError::NotFound),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn mail_to(user_id: &str, subject: String, text: String) -> OutboxMail {
    OutboxMail::new(
        Mail {
            to: format!("user:{user_id}"),
            subject,
            text,
        },
        None,
        Utc::now(),
    )
}

/// Books `nanny_id` for the job (J4): one transaction closes the job (if still open and the
/// caller owns it), accepts the application (if still pending), records the decline task and
/// queues the accepted nanny's mail. Then the other applications are declined.
pub async fn book(
    store: &Store,
    job_id: &str,
    parent: &str,
    nanny_id: &str,
    public_url: &str,
) -> Result<(), AppError> {
    book_only(store, job_id, parent, nanny_id, public_url).await?;
    decline_rest(store, job_id, public_url).await
}

/// The booking transaction alone (the decline step runs after it, or in the worker).
pub async fn book_only(
    store: &Store,
    job_id: &str,
    parent: &str,
    nanny_id: &str,
    public_url: &str,
) -> Result<(), AppError> {
    let table = store.table();
    let now = Utc::now();
    let (job, apps) = job_with_applications(store, job_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if job.parent.id != parent {
        return Err(AppError::Forbidden);
    }
    let chosen = apps
        .iter()
        .find(|a| a.nanny.id == nanny_id)
        .ok_or_else(|| AppError::validation("That nanny has not applied to this job."))?;
    let task = DeclineTask::new(job_id, &now);
    let mail = mail_to(
        nanny_id,
        format!("You are booked: {}", job.job_type),
        format!(
            "Good news! {} booked you for \"{}\" in {} on {}.\n\nSee the job: {public_url}/sitters/jobs/{job_id}\n\n— minijira\n",
            job.parent.display_name,
            job.job_type,
            job.city,
            job.starts_at.format("%Y-%m-%d %H:%M UTC")
        ),
    );
    let items = vec![
        tx::update(
            table,
            &job_pk(job_id),
            JOB_META_SK,
            "SET #st = :booked, accepted = :nanny REMOVE gsi1pk, gsi1sk, gsi3pk, gsi3sk",
            "#st = :open AND parent.id = :me",
            &[("#st", "status")],
            vec![
                (":booked", s("BOOKED")),
                (":open", s("OPEN")),
                (":me", s(parent)),
                (":nanny", AttributeValue::M(to_item(&chosen.nanny)?)),
            ],
        )?,
        tx::update(
            table,
            &job_pk(job_id),
            &application_sk(nanny_id),
            "SET #st = :accepted",
            "#st = :pending",
            &[("#st", "status")],
            vec![(":accepted", s("ACCEPTED")), (":pending", s("PENDING"))],
        )?,
        tx::create(table, to_item(&task)?)?,
        active(table, parent)?,
        outbox::put(table, &mail)?,
    ];
    match store.transact(items).await {
        Ok(()) => Ok(()),
        Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => Err(AppError::conflict(
            "This job is no longer open: it was booked or cancelled.",
        )),
        Err(e) if e.reason(1) == Some("ConditionalCheckFailed") => {
            Err(AppError::validation("That application is not pending."))
        }
        Err(e) if e.reason(3) == Some("ConditionalCheckFailed") => Err(AppError::Deactivated),
        Err(e) if e.is_transaction_conflict() => {
            Err(AppError::conflict("This job is being booked right now."))
        }
        Err(e) => Err(e.into()),
    }
}

/// Cancels an open job (its owner only); pending applications are declined.
pub async fn cancel(
    store: &Store,
    job_id: &str,
    parent: &str,
    public_url: &str,
) -> Result<(), AppError> {
    let table = store.table();
    let now = Utc::now();
    let task = DeclineTask::new(job_id, &now);
    let items = vec![
        tx::update(
            table,
            &job_pk(job_id),
            JOB_META_SK,
            "SET #st = :cancelled REMOVE gsi1pk, gsi1sk, gsi3pk, gsi3sk",
            "#st = :open AND parent.id = :me",
            &[("#st", "status")],
            vec![
                (":cancelled", s("CANCELLED")),
                (":open", s("OPEN")),
                (":me", s(parent)),
            ],
        )?,
        tx::create(table, to_item(&task)?)?,
    ];
    match store.transact(items).await {
        Ok(()) => decline_rest(store, job_id, public_url).await,
        Err(e) if e.reason(0) == Some("ConditionalCheckFailed") => {
            match get_job(store, job_id).await? {
                Some(j) if j.parent.id != parent => Err(AppError::Forbidden),
                Some(_) => Err(AppError::conflict("Only an open job can be cancelled.")),
                None => Err(AppError::NotFound),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The update that declines one pending application.
fn decline(
    table: &str,
    job_id: &str,
    nanny_id: &str,
) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, DbError> {
    tx::update(
        table,
        &job_pk(job_id),
        &application_sk(nanny_id),
        "SET #st = :declined",
        "#st = :pending",
        &[("#st", "status")],
        vec![(":declined", s("DECLINED")), (":pending", s("PENDING"))],
    )
}

/// Declines every pending application of a closed job, in batched transactions, each with the
/// declined nanny's mail; then removes the task. Safe to run again: each step is conditional.
pub async fn decline_rest(store: &Store, job_id: &str, public_url: &str) -> Result<(), AppError> {
    let table = store.table();
    let Some((job, apps)) = job_with_applications(store, job_id).await? else {
        return Ok(());
    };
    let pending: Vec<&Application> = apps
        .iter()
        .filter(|a| a.status == ApplicationStatus::Pending)
        .collect();
    for batch in pending.chunks(40) {
        let mut items = Vec::new();
        for a in batch {
            items.push(decline(table, job_id, &a.nanny.id)?);
            items.push(outbox::put(
                table,
                &mail_to(
                    &a.nanny.id,
                    format!("Not this time: {}", job.job_type),
                    format!(
                        "The job \"{}\" in {} is no longer available; your application was declined.\n\n\
                         Other jobs: {public_url}/sitters/jobs\n\n— minijira\n",
                        job.job_type, job.city
                    ),
                ),
            )?);
        }
        if let Err(e) = store.transact(items).await {
            // Someone else declined part of this batch meanwhile: finish it one by one.
            if !matches!(e, DbError::TransactionCanceled(_)) {
                return Err(e.into());
            }
            for a in batch {
                let one = vec![decline(table, job_id, &a.nanny.id)?];
                match store.transact(one).await {
                    Ok(()) | Err(DbError::TransactionCanceled(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    store
        .call(
            store
                .client()
                .delete_item()
                .table_name(store.table())
                .key(PK, s(job_pk(job_id)))
                .key(SK, s(DECLINE_SK))
                .send(),
        )
        .await?;
    Ok(())
}

/// Decline tasks left unfinished (a server stopped half-way): for the worker.
pub async fn pending_declines(store: &Store, limit: i32) -> Result<Vec<String>, AppError> {
    let out = store
        .call(
            store
                .client()
                .query()
                .table_name(store.table())
                .index_name(GSI2)
                .key_condition_expression("gsi2pk = :pk")
                .expression_attribute_values(":pk", s(DECLINE_PENDING))
                .limit(limit)
                .send(),
        )
        .await?;
    out.items
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            from_item::<DeclineTask>(i)
                .map(|t| t.job_id)
                .map_err(AppError::from)
        })
        .collect()
}

/// Reviews the other side of a booked job after its end (J5): once per reviewer per job; the
/// reviewed person's rating sum and count change in the same transaction.
pub async fn review(
    store: &Store,
    job_id: &str,
    reviewer: &PersonRef,
    rating: u8,
    text: String,
    punctual: bool,
    again: bool,
) -> Result<Review, AppError> {
    let job = get_job(store, job_id).await?.ok_or(AppError::NotFound)?;
    let subject = review_subject(&job, &reviewer.id)?;
    if job.ends_at > Utc::now() {
        return Err(AppError::validation("You can review once the job is over."));
    }
    let r = Review {
        job_id: job_id.to_owned(),
        reviewer: reviewer.clone(),
        rating,
        text,
        punctual,
        again,
        created_at: Utc::now(),
    };
    let table = store.table();
    let items = vec![
        tx::check(table, &job_pk(job_id), JOB_META_SK, "#st = :booked", &[("#st", "status")], vec![(":booked", s("BOOKED"))])?,
        tx::create(table, to_item(&ReviewItem { pk: user_pk(&subject), sk: review_sk(job_id, &reviewer.id), review: r.clone() })?)?,
        tx::update(
            table,
            &user_pk(&subject),
            SITTER_SK,
            "SET rating_sum = if_not_exists(rating_sum, :zero) + :r, rating_count = if_not_exists(rating_count, :zero) + :one",
            "",
            &[],
            vec![(":zero", n(0)), (":r", n(rating)), (":one", n(1))],
        )?,
    ];
    let mut delay = 10;
    for attempt in 0..6 {
        match store.transact(items.clone()).await {
            Ok(()) => return Ok(r),
            Err(e) if e.reason(1) == Some("ConditionalCheckFailed") => {
                return Err(AppError::conflict("You have already reviewed this job."))
            }
            Err(e) if e.is_transaction_conflict() && attempt < 5 => {
                tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
                delay *= 2;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict("Busy: try again."))
}

/// Who a party to a booked job reviews: the parent reviews the booked nanny and vice versa.
pub fn review_subject(job: &Job, reviewer: &str) -> Result<String, AppError> {
    if job.status != JobStatus::Booked {
        return Err(AppError::validation("Only a booked job can be reviewed."));
    }
    let nanny = job.accepted.as_ref().map(|p| p.id.as_str());
    if job.parent.id == reviewer {
        nanny.map(str::to_owned).ok_or(AppError::Forbidden)
    } else if nanny == Some(reviewer) {
        Ok(job.parent.id.clone())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Accounts with one status, newest first (admin): one Query on the status index.
pub async fn accounts(
    store: &Store,
    status: AccountStatus,
    cursor: Option<&str>,
) -> Result<Page<User>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(flatten)]
        user: User,
    }
    let (items, next) = super::index_page::<Row>(
        store,
        GSI2,
        GSI2PK,
        &account_status_pk(status),
        cursor,
        50,
        GSI2SK,
    )
    .await?;
    Ok(Page {
        items: items.into_iter().map(|r| r.user).collect(),
        next,
    })
}
