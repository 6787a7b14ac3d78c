//! Jobs and applications: post, read, list, apply.

use super::{active, refused, ApplicationItem, JobItem, Refused};
use crate::accounts::model::PersonRef;
use crate::db::keys::*;
use crate::db::{attr, from_item, n, s, DbError, Expr, Outcome, PageQuery, Refusal, Store, Tx};
use crate::model::Page;
use crate::sitters::model::*;

pub(super) fn job_item(job: Job) -> JobItem {
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

/// Stores a new job, if its parent's account is active.
pub async fn create_job(store: &Store, job: Job) -> Outcome<Job, Refused> {
    let mut tx = Tx::new(store);
    active(&mut tx, &job.parent.id);
    tx.create_value("job", &job_item(job.clone()));
    match tx.run(store).await {
        Ok(()) => Ok(job),
        Err(e) if e.failed("active") => refused(Refused::Deactivated),
        Err(e) => Err(Refusal::Db(e.into())),
    }
}

pub async fn get_job(store: &Store, id: &str) -> Result<Option<Job>, DbError> {
    Ok(store
        .get_as::<JobItem>(&job_pk(id), JOB_META_SK, true)
        .await?
        .map(|j| j.job))
}

/// A job with all its applications, oldest application first (J2): one Query on the job's
/// partition.
pub async fn job_with_applications(
    store: &Store,
    id: &str,
) -> Result<Option<(Job, Vec<Application>)>, DbError> {
    let mut job = None;
    let mut apps = Vec::new();
    for item in store.query_partition(&job_pk(id)).await? {
        match attr(&item, SK) {
            Some(JOB_META_SK) => job = Some(from_item::<JobItem>(item)?.job),
            Some(sk) if sk.starts_with(APPLICATION_PREFIX) => {
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
) -> Result<Page<Job>, DbError> {
    let city_pk = city
        .map(city_key)
        .filter(|c| !c.is_empty())
        .map(|c| open_jobs_city_pk(&c));
    let q = match &city_pk {
        Some(pk) => PageQuery::new(Index::Gsi1, pk),
        None => PageQuery::new(Index::Gsi3, OPEN_JOBS_PK),
    };
    let (items, next) = store
        .page::<JobItem>(q.newest_first().after(cursor).limit(limit))
        .await?;
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
) -> Result<Page<Job>, DbError> {
    let pk = parent_jobs_pk(parent);
    let q = PageQuery::new(Index::Gsi2, &pk)
        .newest_first()
        .after(cursor);
    let (items, next) = store.page::<JobItem>(q).await?;
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
) -> Result<Page<Application>, DbError> {
    let pk = nanny_applications_pk(nanny);
    let q = PageQuery::new(Index::Gsi2, &pk)
        .newest_first()
        .after(cursor);
    let (items, next) = store.page::<ApplicationItem>(q).await?;
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
) -> Outcome<Application, Refused> {
    let now = store.now();
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
    let mut tx = Tx::new(store);
    tx.update(
        "job",
        &job_pk(&job.id),
        JOB_META_SK,
        Expr::set("SET application_count = application_count + :one")
            .when("#st = :open AND parent.id <> :me AND job_type = :jt AND city = :city")
            .name("#st", "status")
            .value(":one", n(1))
            .value(":open", s(JobStatus::Open.as_str()))
            .value(":me", s(&nanny.id))
            .value(":jt", s(&job.job_type))
            .value(":city", s(&job.city)),
    )
    .create_value("application", &item);
    active(&mut tx, &nanny.id);
    match tx.run(store).await {
        Ok(()) => Ok(app),
        Err(e) if e.failed("application") => refused(Refused::AlreadyApplied),
        Err(e) if e.failed("active") => refused(Refused::Deactivated),
        Err(e) if e.failed("job") => refused(Refused::JobChanged),
        Err(e) => Err(Refusal::Db(e.into())),
    }
}
