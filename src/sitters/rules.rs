//! Sitters: who may do what (by account kind, ownership and admin rights), what each viewer
//! may see of a job and a profile, what the user is told, and the mails of a booking.
//!
//! Layer rule (every area's `rules`): the only place that decides who may do what and the only
//! place (with `model`'s validators) that writes text a user reads. Server functions call these
//! functions; these call the area's `store` and turn its named outcomes into [`AppError`]s.
//!
//! Parents post, book and cancel their own jobs; nannies apply; the two parties of a booked
//! job review each other once it is over. A job's address is seen by its parent and its booked
//! nanny only; a profile's private details by its owner and admins only.

use crate::accounts::model::{AccountKind, Handle, PersonRef, SessionUser};
use crate::accounts::rules::may_see_private;
use crate::accounts::store as accounts;
use crate::db::outbox::{Letter, OutboxMail, Recipient};
use crate::db::{Refusal, Store};
use crate::error::AppError;
use crate::model::{record_id, text_field, Page};
use crate::sitters::model::*;
use crate::sitters::store::{self, Refused};
use chrono::{DateTime, Utc};

/// Open jobs per page.
pub const JOBS_PAGE: i32 = 20;

/// Parents post and book, nannies apply: anyone else is refused (403).
fn require(me: &SessionUser, kind: AccountKind) -> Result<(), AppError> {
    if me.kind == kind {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The message for refusals every act shares.
fn refusal(r: Refusal<Refused>) -> AppError {
    match r {
        Refusal::Refused(Refused::Deactivated) => AppError::Deactivated,
        Refusal::Refused(Refused::AlreadyApplied) => {
            AppError::conflict("You have already applied to this job.")
        }
        Refusal::Refused(Refused::JobChanged) => {
            AppError::conflict("This job changed. Reload it and try again.")
        }
        Refusal::Refused(Refused::NotPending) => {
            AppError::validation("That application is not pending.")
        }
        Refusal::Refused(Refused::AlreadyReviewed) => {
            AppError::conflict("You have already reviewed this job.")
        }
        Refusal::Refused(Refused::NotBooked) => {
            AppError::validation("Only a booked job can be reviewed.")
        }
        Refusal::Refused(Refused::Busy) => AppError::conflict("Busy: try again."),
        Refusal::Db(e) => e.into(),
    }
}

/// A job as `viewer` may see it: the address only for its parent and its booked nanny (a
/// listing passes no viewer: addresses are never listed).
pub fn as_seen_by(mut job: Job, viewer: Option<&str>) -> Job {
    let may_see = viewer
        .is_some_and(|v| job.parent.id == v || job.accepted.as_ref().is_some_and(|a| a.id == v));
    if !may_see {
        job.address.clear();
    }
    job
}

/// Posts a job (parents only).
pub async fn post_job(store: &Store, me: &SessionUser, form: &JobForm) -> Result<Job, AppError> {
    require(me, AccountKind::Parent)?;
    let f = form.parse()?;
    let job = Job {
        id: ulid::Ulid::new().to_string(),
        parent: PersonRef::from(me),
        job_type: f.job_type,
        starts_at: f.starts_at,
        ends_at: f.ends_at,
        address: f.address,
        city: f.city,
        lat: f.lat,
        lon: f.lon,
        kids: f.kids,
        cost_cents: f.cost_cents,
        description: f.description,
        status: JobStatus::Open,
        application_count: 0,
        accepted: None,
        created_at: store.now(),
    };
    store::create_job(store, job).await.map_err(refusal)
}

/// Open jobs, newest first, in one city or all (signed-in users; no addresses).
pub async fn open_jobs(
    store: &Store,
    city: Option<&str>,
    cursor: Option<&str>,
) -> Result<Page<Job>, AppError> {
    let city = city.filter(|c| !c.trim().is_empty());
    if let Some(c) = city {
        city_field(c)?;
    }
    let page = store::open_jobs(store, city, cursor, JOBS_PAGE).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|j| as_seen_by(j, None))
            .collect(),
        next: page.next,
    })
}

/// The Sitters hub: my jobs (parent) or my applications (nanny).
pub async fn overview(store: &Store, me: &SessionUser) -> Result<SittersOverview, AppError> {
    let (jobs, applications) = match me.kind {
        AccountKind::Parent => (
            store::parent_jobs(store, &me.id, None).await?.items,
            Vec::new(),
        ),
        AccountKind::Nanny => (
            Vec::new(),
            store::nanny_applications(store, &me.id, None).await?.items,
        ),
        AccountKind::Member => (Vec::new(), Vec::new()),
    };
    Ok(SittersOverview {
        kind: me.kind,
        jobs,
        applications,
    })
}

/// Applies to a job (nannies only).
pub async fn apply(
    store: &Store,
    me: &SessionUser,
    job_id: &str,
    message: &str,
) -> Result<Application, AppError> {
    require(me, AccountKind::Nanny)?;
    let job_id = record_id(job_id)?;
    let message = text_field(message, "message", 1000, false)?;
    let job = store::get_job(store, job_id)
        .await?
        .ok_or(AppError::NotFound)?;
    match store::apply(store, &job, &PersonRef::from(me), message).await {
        Ok(app) => Ok(app),
        Err(Refusal::Refused(Refused::JobChanged)) => match store::get_job(store, job_id).await? {
            Some(j) if j.status != JobStatus::Open => {
                Err(AppError::conflict("This job is no longer open."))
            }
            Some(_) => Err(AppError::conflict(
                "This job changed. Reload it and try again.",
            )),
            None => Err(AppError::NotFound),
        },
        Err(r) => Err(refusal(r)),
    }
}

/// A mail to an account (sent to its address at sending time).
fn mail_to(user_id: &str, subject: String, text: String, at: DateTime<Utc>) -> OutboxMail {
    let letter = Letter {
        to: Recipient::Account(user_id.to_owned()),
        subject,
        text,
    };
    OutboxMail::new(letter, None, at)
}

/// Books a nanny who applied (the job's parent only), then declines the other applications.
pub async fn book(
    store: &Store,
    me: &SessionUser,
    job_id: &str,
    nanny_id: &str,
    public_url: &str,
) -> Result<(), AppError> {
    require(me, AccountKind::Parent)?;
    let job_id = record_id(job_id)?;
    book_only(store, job_id, &me.id, nanny_id, public_url).await?;
    finish_declines(store, job_id, public_url).await;
    Ok(())
}

/// Declines the other applications of a job that was just closed. The closing is committed
/// whatever happens here: a failure is logged and the worker finishes the job's decline task.
async fn finish_declines(store: &Store, job_id: &str, public_url: &str) {
    if let Err(e) = decline_rest(store, job_id, public_url).await {
        tracing::warn!(job = %job_id, error = %e, "declines left to the worker");
    }
}

/// The booking transaction alone (the decline step runs after it, or in the worker).
pub async fn book_only(
    store: &Store,
    job_id: &str,
    parent: &str,
    nanny_id: &str,
    public_url: &str,
) -> Result<(), AppError> {
    let (job, apps) = store::job_with_applications(store, job_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if job.parent.id != parent {
        return Err(AppError::Forbidden);
    }
    let chosen = apps
        .iter()
        .find(|a| a.nanny.id == nanny_id)
        .ok_or_else(|| AppError::validation("That nanny has not applied to this job."))?;
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
        store.now(),
    );
    match store::book(store, job_id, parent, &chosen.nanny, &mail).await {
        Ok(()) => Ok(()),
        Err(Refusal::Refused(Refused::JobChanged)) => Err(AppError::conflict(
            "This job is no longer open: it was booked or cancelled.",
        )),
        Err(Refusal::Refused(Refused::Busy)) => {
            Err(AppError::conflict("This job is being booked right now."))
        }
        Err(r) => Err(refusal(r)),
    }
}

/// Cancels an open job (its parent only); pending applications are declined.
pub async fn cancel(
    store: &Store,
    me: &SessionUser,
    job_id: &str,
    public_url: &str,
) -> Result<(), AppError> {
    require(me, AccountKind::Parent)?;
    let job_id = record_id(job_id)?;
    match store::cancel(store, job_id, &me.id).await {
        Ok(()) => {
            finish_declines(store, job_id, public_url).await;
            Ok(())
        }
        Err(Refusal::Refused(Refused::JobChanged)) => match store::get_job(store, job_id).await? {
            Some(j) if j.parent.id != me.id => Err(AppError::Forbidden),
            Some(_) => Err(AppError::conflict("Only an open job can be cancelled.")),
            None => Err(AppError::NotFound),
        },
        Err(r) => Err(refusal(r)),
    }
}

/// Declines every pending application of a closed job, each with a mail to its nanny, then
/// marks the job's decline task done. Safe to run again (the worker resumes it).
pub async fn decline_rest(store: &Store, job_id: &str, public_url: &str) -> Result<(), AppError> {
    let Some((job, apps)) = store::job_with_applications(store, job_id).await? else {
        return Ok(());
    };
    let declined: Vec<(String, OutboxMail)> = apps
        .iter()
        .filter(|a| a.status == ApplicationStatus::Pending)
        .map(|a| {
            let mail = mail_to(
                &a.nanny.id,
                format!("Not this time: {}", job.job_type),
                format!(
                    "The job \"{}\" in {} is no longer available; your application was declined.\n\n\
                     Other jobs: {public_url}/sitters/jobs\n\n— minijira\n",
                    job.job_type, job.city
                ),
                store.now(),
            );
            (a.nanny.id.clone(), mail)
        })
        .collect();
    store::decline_applications(store, job_id, &declined).await?;
    Ok(store::declines_done(store, job_id).await?)
}

/// Finishes bookings whose "decline the other applications" step did not complete (the
/// worker's job).
pub async fn resume_declines(store: &Store, public_url: &str) -> Result<(), AppError> {
    for job in store::pending_declines(store, 10).await? {
        if let Err(e) = decline_rest(store, &job, public_url).await {
            tracing::warn!(job = %job, error = %e, "declining applications failed, will retry");
        }
    }
    Ok(())
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

/// Reviews the other party of a booked job once it is over (J5), once per reviewer.
pub async fn review(
    store: &Store,
    me: &SessionUser,
    form: &ReviewForm,
) -> Result<Review, AppError> {
    let f = form.parse()?;
    let job = store::get_job(store, record_id(&form.job_id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let subject = review_subject(&job, &me.id)?;
    if job.ends_at > store.now() {
        return Err(AppError::validation("You can review once the job is over."));
    }
    let r = Review {
        job_id: job.id.clone(),
        reviewer: PersonRef::from(me),
        rating: f.rating,
        text: f.text,
        punctual: f.punctual,
        again: f.again,
        created_at: store.now(),
    };
    store::review(store, &subject, &r).await.map_err(refusal)?;
    Ok(r)
}

/// A job page as the viewer may see it: the address only for its parent and the booked
/// nanny; every application for the parent, her own for a nanny.
pub async fn job_page(
    store: &Store,
    viewer: Option<&SessionUser>,
    job_id: &str,
) -> Result<JobPage, AppError> {
    let (job, apps) = store::job_with_applications(store, record_id(job_id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let (parent, _) = store::profile(store, &job.parent.id).await?;
    let me = viewer.map(|v| v.id.as_str()).unwrap_or("");
    let is_owner = job.parent.id == me;
    let applications = apps
        .into_iter()
        .filter(|a| is_owner || a.nanny.id == me)
        .collect();
    let can_review =
        viewer.is_some() && review_subject(&job, me).is_ok() && job.ends_at <= store.now();
    Ok(JobPage {
        parent: parent.map(|p| p.public(store.now().date_naive())),
        job: as_seen_by(job, viewer.map(|v| v.id.as_str())),
        applications,
        is_owner,
        can_review,
    })
}

/// My own sitter profile and private details, for editing.
pub async fn my_profile(
    store: &Store,
    me: &SessionUser,
) -> Result<(AccountKind, SitterProfile, PrivateDetails), AppError> {
    let ((profile, _), private) =
        futures::try_join!(store::profile(store, &me.id), store::private(store, &me.id))?;
    Ok((me.kind, profile.unwrap_or_default(), private))
}

/// Saves my sitter profile (parents and nannies).
pub async fn save_profile(
    store: &Store,
    me: &SessionUser,
    form: &ProfileForm,
) -> Result<(), AppError> {
    if me.kind == AccountKind::Member {
        return Err(AppError::validation(
            "Sitter profiles are for parents and nannies.",
        ));
    }
    let (profile, private) = form.parse(me.kind, store.now().date_naive())?;
    Ok(store::save_profile(store, &me.id, &profile, &private).await?)
}

/// A public profile by handle: the account, then its profile partition (sitter profile and
/// reviews in one Query); private details only for the owner and admins.
pub async fn profile_view(
    store: &Store,
    viewer: Option<&SessionUser>,
    handle: &str,
) -> Result<ProfileView, AppError> {
    let handle = Handle::parse(handle).map_err(|_| AppError::NotFound)?;
    let user = accounts::by_handle(store, &handle)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_me = viewer.is_some_and(|v| v.id == user.id);
    let may_see = may_see_private(store, viewer, &user).await?;
    let (sitter, reviews) = store::profile(store, &user.id).await?;
    let private = if may_see && user.kind != AccountKind::Member {
        Some(store::private(store, &user.id).await?)
    } else {
        None
    };
    let today = store.now().date_naive();
    Ok(ProfileView {
        person: user.summary(),
        sitter: sitter.map(|s| s.public(today)),
        reviews,
        private,
        is_me,
    })
}
