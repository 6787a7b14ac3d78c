//! Booking and cancelling a job, and declining the applications it leaves behind.

use super::{active, refused, Refused};
use crate::accounts::model::PersonRef;
use crate::db::keys::*;
use crate::db::outbox::{self, OutboxMail};
use crate::db::{s, value, DbError, Expr, Index, Outcome, PageQuery, Refusal, Store, Tx, TxError};
use crate::sitters::model::*;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    fn new(job_id: &str, at: DateTime<Utc>) -> Self {
        Self {
            pk: job_pk(job_id),
            sk: DECLINE_SK.into(),
            gsi2pk: DECLINE_PENDING.into(),
            gsi2sk: newest_sk(&at, job_id),
            job_id: job_id.to_owned(),
        }
    }
}

/// The job's update that closes it: out of the open-jobs indexes, if it is still open and
/// `parent`'s.
fn close(set: &str, status: JobStatus, parent: &str) -> Expr {
    Expr::set(format!("{set} REMOVE gsi1pk, gsi1sk, gsi3pk, gsi3sk"))
        .when("#st = :open AND parent.id = :me")
        .name("#st", "status")
        .value(":closed", s(status.as_str()))
        .value(":open", s(JobStatus::Open.as_str()))
        .value(":me", s(parent))
}

/// Books `nanny` for the job (J4): one transaction closes the job (if still open and
/// `parent`'s), accepts the application (if still pending), records the decline task and
/// queues the accepted nanny's mail. The other applications are declined after it.
pub async fn book(
    store: &Store,
    job_id: &str,
    parent: &str,
    nanny: &PersonRef,
    mail: &OutboxMail,
) -> Outcome<(), Refused> {
    let job = close(
        "SET #st = :closed, accepted = :nanny",
        JobStatus::Booked,
        parent,
    )
    .value(":nanny", value(nanny)?);
    let mut tx = Tx::new(store);
    tx.update("job", &job_pk(job_id), JOB_META_SK, job)
        .update(
            "application",
            &job_pk(job_id),
            &application_sk(&nanny.id),
            Expr::set("SET #st = :accepted")
                .when("#st = :pending")
                .name("#st", "status")
                .value(":accepted", s(ApplicationStatus::Accepted.as_str()))
                .value(":pending", s(ApplicationStatus::Pending.as_str())),
        )
        .create_value("task", &DeclineTask::new(job_id, store.now()));
    active(&mut tx, parent);
    outbox::queue(&mut tx, mail);
    match tx.run(store).await {
        Ok(()) => Ok(()),
        Err(e) if e.failed("job") => refused(Refused::JobChanged),
        Err(e) if e.failed("application") => refused(Refused::NotPending),
        Err(e) if e.failed("active") => refused(Refused::Deactivated),
        Err(e) if e.is_conflict() => refused(Refused::Busy),
        Err(e) => Err(Refusal::Db(e.into())),
    }
}

/// Cancels an open job of `parent`'s, recording the decline task.
pub async fn cancel(store: &Store, job_id: &str, parent: &str) -> Outcome<(), Refused> {
    let mut tx = Tx::new(store);
    tx.update(
        "job",
        &job_pk(job_id),
        JOB_META_SK,
        close("SET #st = :closed", JobStatus::Cancelled, parent),
    )
    .create_value("task", &DeclineTask::new(job_id, store.now()));
    match tx.run(store).await {
        Ok(()) => Ok(()),
        Err(e) if e.failed("job") => refused(Refused::JobChanged),
        Err(e) => Err(Refusal::Db(e.into())),
    }
}

/// Adds the decline of `nanny_id`'s application, if still pending, to `tx`.
fn decline_one(tx: &mut Tx, job_id: &str, nanny_id: &str) {
    tx.update(
        "application",
        &job_pk(job_id),
        &application_sk(nanny_id),
        Expr::set("SET #st = :declined")
            .when("#st = :pending")
            .name("#st", "status")
            .value(":declined", s(ApplicationStatus::Declined.as_str()))
            .value(":pending", s(ApplicationStatus::Pending.as_str())),
    );
}

/// Most applications declined in one transaction (each with its mail: two items).
pub const DECLINE_BATCH: usize = 40;

/// Declines these pending applications of a closed job, each with its mail, in batched
/// transactions. Safe to run again: each decline is conditional on the application still
/// pending.
pub async fn decline_applications(
    store: &Store,
    job_id: &str,
    declined: &[(String, OutboxMail)],
) -> Result<(), DbError> {
    for batch in declined.chunks(DECLINE_BATCH) {
        let mut tx = Tx::new(store);
        for (nanny_id, mail) in batch {
            decline_one(&mut tx, job_id, nanny_id);
            outbox::queue(&mut tx, mail);
        }
        match tx.run(store).await {
            Ok(()) => {}
            Err(TxError::Db(e)) => return Err(e),
            // Someone else declined part of this batch meanwhile: finish it one by one, each
            // decline with its own mail.
            Err(_) => {
                for (nanny_id, mail) in batch {
                    let mut one = Tx::new(store);
                    decline_one(&mut one, job_id, nanny_id);
                    outbox::queue(&mut one, mail);
                    match one.run(store).await {
                        Ok(()) | Err(TxError::Failed(_) | TxError::Conflict) => {}
                        Err(TxError::Db(e)) => return Err(e),
                    }
                }
            }
        }
    }
    Ok(())
}

/// Marks a closed job's declines done (removes its task).
pub async fn declines_done(store: &Store, job_id: &str) -> Result<(), DbError> {
    store.delete(&job_pk(job_id), DECLINE_SK).await
}

/// Decline tasks left unfinished (a server stopped half-way): for the worker.
pub async fn pending_declines(store: &Store, limit: i32) -> Result<Vec<String>, DbError> {
    let q = PageQuery::new(Index::Gsi2, DECLINE_PENDING).limit(limit);
    let (tasks, _) = store.page::<DeclineTask>(q).await?;
    Ok(tasks.into_iter().map(|t| t.job_id).collect())
}
