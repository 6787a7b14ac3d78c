//! The Sitters jobs board against DynamoDB Local: patterns J1–J5, who may do what,
//! double booking, declining every other application (also after an interruption), reviews.

use crate::common::*;
use minijira::accounts::model::{AccountStatus, Email};
use minijira::db::Store;
use minijira::error::AppError;
use minijira::sitters::model::*;

/// The Sitters rules in the shape these tests call them.
mod svc {
    use minijira::accounts::model::SessionUser;
    pub use minijira::accounts::rules::set_status;
    use minijira::db::Store;
    use minijira::error::AppError;
    use minijira::sitters::model::*;
    use minijira::sitters::rules;
    pub use minijira::sitters::rules::{apply, book, cancel, job_page};

    pub async fn post_job(s: &Store, me: &SessionUser, form: JobForm) -> Result<Job, AppError> {
        rules::post_job(s, me, &form).await
    }

    pub async fn review(
        s: &Store,
        me: &SessionUser,
        job_id: &str,
        rating: &str,
        text: &str,
        punctual: bool,
        again: bool,
    ) -> Result<Review, AppError> {
        let on = |b: bool| b.then(|| "on".to_owned());
        let form = ReviewForm {
            job_id: job_id.into(),
            rating: rating.into(),
            text: text.into(),
            punctual: on(punctual),
            again: on(again),
        };
        rules::review(s, me, &form).await
    }
}

/// The Sitters rules and store calls these tests make.
mod db {
    use minijira::accounts::model::AccountStatus;
    use minijira::accounts::store::User;
    use minijira::db::Store;
    use minijira::error::AppError;
    use minijira::model::Page;
    use minijira::sitters::model::*;
    pub use minijira::sitters::rules::{book_only, decline_rest};
    use minijira::sitters::store;

    pub async fn job_with_applications(
        s: &Store,
        id: &str,
    ) -> Result<Option<(Job, Vec<Application>)>, AppError> {
        Ok(store::job_with_applications(s, id).await?)
    }

    pub async fn open_jobs(
        s: &Store,
        city: Option<&str>,
        cursor: Option<&str>,
        limit: i32,
    ) -> Result<Page<Job>, AppError> {
        Ok(store::open_jobs(s, city, cursor, limit).await?)
    }

    pub async fn parent_jobs(
        s: &Store,
        parent: &str,
        cursor: Option<&str>,
    ) -> Result<Page<Job>, AppError> {
        Ok(store::parent_jobs(s, parent, cursor).await?)
    }

    pub async fn nanny_applications(
        s: &Store,
        nanny: &str,
        cursor: Option<&str>,
    ) -> Result<Page<Application>, AppError> {
        Ok(store::nanny_applications(s, nanny, cursor).await?)
    }

    pub async fn pending_declines(s: &Store, limit: i32) -> Result<Vec<String>, AppError> {
        Ok(store::pending_declines(s, limit).await?)
    }

    pub async fn profile(
        s: &Store,
        id: &str,
    ) -> Result<(Option<SitterProfile>, Vec<Review>), AppError> {
        Ok(store::profile(s, id).await?)
    }

    pub async fn accounts(
        s: &Store,
        status: AccountStatus,
        cursor: Option<&str>,
    ) -> Result<Page<User>, AppError> {
        Ok(minijira::accounts::store::by_status(s, status, cursor).await?)
    }
}

fn job_form(city: &str, start: &str, end: &str) -> JobForm {
    JobForm {
        job_type: "Evening babysitting".into(),
        starts_at: start.into(),
        ends_at: end.into(),
        address: "12 Rue des Lilas".into(),
        city: city.into(),
        lat: "48.85".into(),
        lon: "2.35".into(),
        kids: "2".into(),
        cost: "45.00".into(),
        description: "Two kids, bedtime at 8.".into(),
        ..Default::default()
    }
}

fn future() -> JobForm {
    job_form("Paris", "2030-01-10T18:00", "2030-01-10T23:00")
}

fn past() -> JobForm {
    job_form("Paris", "2020-01-10T18:00", "2020-01-10T23:00")
}

/// How many of a job's applications are in `status`.
pub async fn applications_in(store: &Store, job: &str, status: ApplicationStatus) -> usize {
    let (_, apps) = db::job_with_applications(store, job)
        .await
        .unwrap()
        .unwrap();
    apps.iter().filter(|a| a.status == status).count()
}

async fn pending(store: &Store, job: &str) -> usize {
    applications_in(store, job, ApplicationStatus::Pending).await
}

#[tokio::test]
async fn post_browse_apply_and_list() {
    let store = store().await;
    let parent = user_of(&store, "par", "parent").await;
    let nanny = user_of(&store, "nan", "nanny").await;
    let member = user_of(&store, "mem", "member").await;

    assert_eq!(
        svc::post_job(&store, &nanny, future()).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        svc::post_job(&store, &member, future()).await.unwrap_err(),
        AppError::Forbidden
    );
    let bad = job_form("Paris", "2030-01-10T18:00", "2030-01-10T17:00");
    assert!(matches!(
        svc::post_job(&store, &parent, bad).await,
        Err(AppError::Validation(_))
    ));

    let paris = svc::post_job(&store, &parent, future()).await.unwrap();
    let lyon = svc::post_job(
        &store,
        &parent,
        job_form("Lyon", "2030-02-01T09:00", "2030-02-01T12:00"),
    )
    .await
    .unwrap();

    // J1: open jobs newest first, all cities or one, one Query.
    let (st, calls) = counted(&store);
    let all = db::open_jobs(&st, None, None, 20).await.unwrap();
    assert_eq!(calls.calls(), 1);
    assert_eq!(
        all.items.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        [lyon.id.as_str(), paris.id.as_str()]
    );
    let (st, calls) = counted(&store);
    let in_paris = db::open_jobs(&st, Some(" paris "), None, 20).await.unwrap();
    assert_eq!((calls.calls(), in_paris.items.len()), (1, 1));
    assert_eq!(in_paris.items[0].id, paris.id);

    // J3: apply once; the wrong kind and the owner cannot.
    assert_eq!(
        svc::apply(&store, &parent, &paris.id, "")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        svc::apply(&store, &member, &paris.id, "")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    svc::apply(&store, &nanny, &paris.id, "I love board games.")
        .await
        .unwrap();
    match svc::apply(&store, &nanny, &paris.id, "again").await {
        Err(AppError::Conflict(m)) => assert!(m.contains("already applied"), "{m}"),
        other => panic!("{other:?}"),
    }

    // J2: my jobs with counts; my applications; the applications of a job.
    let (st, calls) = counted(&store);
    let mine = db::parent_jobs(&st, &parent.id, None).await.unwrap();
    assert_eq!(calls.calls(), 1);
    assert_eq!(
        mine.items
            .iter()
            .find(|j| j.id == paris.id)
            .unwrap()
            .application_count,
        1
    );
    let (st, calls) = counted(&store);
    let apps = db::nanny_applications(&st, &nanny.id, None).await.unwrap();
    assert_eq!((calls.calls(), apps.items.len()), (1, 1));
    assert_eq!(
        (apps.items[0].status, apps.items[0].job_city.as_str()),
        (ApplicationStatus::Pending, "Paris")
    );
    let (st, calls) = counted(&store);
    let (_, job_apps) = db::job_with_applications(&st, &paris.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((calls.calls(), job_apps.len()), (1, 1));

    // Only the owner sees the address and the applications.
    let outsider_view = svc::job_page(&store, Some(&nanny), &paris.id)
        .await
        .unwrap();
    assert!(outsider_view.job.address.is_empty());
    assert_eq!(
        outsider_view.applications.len(),
        1,
        "a nanny sees her own application"
    );
    let other_nanny = user_of(&store, "nan", "nanny").await;
    assert!(svc::job_page(&store, Some(&other_nanny), &paris.id)
        .await
        .unwrap()
        .applications
        .is_empty());
    let owner_view = svc::job_page(&store, Some(&parent), &paris.id)
        .await
        .unwrap();
    assert_eq!(owner_view.job.address, "12 Rue des Lilas");
    assert!(owner_view.is_owner);
}

#[tokio::test]
async fn only_the_owner_books_and_cancels() {
    let store = store().await;
    let parent = user_of(&store, "par", "parent").await;
    let other_parent = user_of(&store, "par", "parent").await;
    let nanny = user_of(&store, "nan", "nanny").await;
    let job = svc::post_job(&store, &parent, future()).await.unwrap();
    svc::apply(&store, &nanny, &job.id, "").await.unwrap();

    assert_eq!(
        svc::book(&store, &other_parent, &job.id, &nanny.id, "http://app")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        svc::book(&store, &nanny, &job.id, &nanny.id, "http://app")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        svc::cancel(&store, &other_parent, &job.id, "http://app")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert!(matches!(
        svc::book(&store, &parent, &job.id, &other_parent.id, "http://app").await,
        Err(AppError::Validation(_))
    ));

    svc::cancel(&store, &parent, &job.id, "http://app")
        .await
        .unwrap();
    assert_eq!(
        pending(&store, &job.id).await,
        0,
        "cancelling declines the applications"
    );
    assert!(
        db::open_jobs(&store, None, None, 20)
            .await
            .unwrap()
            .items
            .is_empty(),
        "no longer listed"
    );
    assert!(matches!(
        svc::apply(&store, &other_parent, &job.id, "").await,
        Err(AppError::Forbidden)
    ));
    let late = user_of(&store, "nan", "nanny").await;
    assert_eq!(
        svc::apply(&store, &late, &job.id, "").await.map(|_| ()),
        Err(AppError::conflict("This job is no longer open.")),
        "closed jobs take no applications"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_bookings_of_one_job_exactly_one_succeeds() {
    let store = store().await;
    let parent = user_of(&store, "par", "parent").await;
    let (n1, n2) = (
        user_of(&store, "nan", "nanny").await,
        user_of(&store, "nan", "nanny").await,
    );
    let job = svc::post_job(&store, &parent, future()).await.unwrap();
    svc::apply(&store, &n1, &job.id, "").await.unwrap();
    svc::apply(&store, &n2, &job.id, "").await.unwrap();
    let (s1, s2, p1, p2, j1, j2, a, b) = (
        store.clone(),
        store.clone(),
        parent.clone(),
        parent.clone(),
        job.id.clone(),
        job.id.clone(),
        n1.id.clone(),
        n2.id.clone(),
    );
    let (x, y) = tokio::join!(
        tokio::spawn(async move { svc::book(&s1, &p1, &j1, &a, "http://app").await }),
        tokio::spawn(async move { svc::book(&s2, &p2, &j2, &b, "http://app").await }),
    );
    let results = [x.unwrap(), y.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let (job, apps) = db::job_with_applications(&store, &job.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.status, JobStatus::Booked);
    assert_eq!(
        apps.iter()
            .filter(|a| a.status == ApplicationStatus::Accepted)
            .count(),
        1
    );
    assert_eq!(
        apps.iter()
            .filter(|a| a.status == ApplicationStatus::Declined)
            .count(),
        1
    );
    assert_eq!(
        job.accepted.unwrap().id,
        apps.iter()
            .find(|a| a.status == ApplicationStatus::Accepted)
            .unwrap()
            .nanny
            .id
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_booking_with_thirty_applications_none_is_left_pending() {
    let store = store().await;
    let parent = user_of(&store, "par", "parent").await;
    let job = svc::post_job(&store, &parent, future()).await.unwrap();
    let mut nannies = Vec::new();
    for _ in 0..30 {
        let n = user_of(&store, "nan", "nanny").await;
        svc::apply(&store, &n, &job.id, "").await.unwrap();
        nannies.push(n);
    }
    assert_eq!(pending(&store, &job.id).await, 30);
    svc::book(&store, &parent, &job.id, &nannies[7].id, "http://app")
        .await
        .unwrap();
    assert_eq!(pending(&store, &job.id).await, 0);
    assert_eq!(
        applications_in(&store, &job.id, ApplicationStatus::Declined).await,
        29
    );
    assert!(
        db::pending_declines(&store, 10).await.unwrap().is_empty(),
        "the task is done"
    );
    // Every nanny is told: 1 acceptance + 29 declines queued in the outbox.
    let mails = minijira::db::outbox::due(
        &store,
        chrono::Utc::now() + chrono::Duration::minutes(1),
        100,
    )
    .await
    .unwrap();
    assert_eq!(mails.len(), 30);
}

/// A job with `applicants` applications whose first applicant was booked by the booking
/// transaction alone: as if the server stopped right after it, before the decline step.
pub async fn interrupted_booking(
    store: &Store,
    applicants: usize,
) -> (Job, Vec<minijira::accounts::model::SessionUser>) {
    let parent = user_of(store, "par", "parent").await;
    let job = svc::post_job(store, &parent, future()).await.unwrap();
    let mut nannies = Vec::new();
    for _ in 0..applicants {
        let n = user_of(store, "nan", "nanny").await;
        svc::apply(store, &n, &job.id, "").await.unwrap();
        nannies.push(n);
    }
    db::book_only(store, &job.id, &parent.id, &nannies[0].id, "http://app")
        .await
        .unwrap();
    (job, nannies)
}

#[tokio::test]
async fn an_interrupted_decline_step_is_resumed_by_the_worker() {
    let store = store().await;
    let (job, _) = interrupted_booking(&store, 30).await;
    assert_eq!(pending(&store, &job.id).await, 29);
    assert_eq!(
        db::pending_declines(&store, 10).await.unwrap(),
        vec![job.id.clone()]
    );
    // A worker (here, or on any instance) finishes it.
    minijira::sitters::background::run(&store, "http://app").await;
    assert_eq!(pending(&store, &job.id).await, 0);
    assert!(db::pending_declines(&store, 10).await.unwrap().is_empty());
    // Running it again changes nothing.
    db::decline_rest(&store, &job.id, "http://app")
        .await
        .unwrap();
    assert_eq!(pending(&store, &job.id).await, 0);
}

#[tokio::test]
async fn reviews_once_per_side_after_the_job_and_averages_equal_a_recount() {
    let store = store().await;
    let parent = user_of(&store, "par", "parent").await;
    let nanny = user_of(&store, "nan", "nanny").await;
    let stranger = user_of(&store, "nan", "nanny").await;

    let upcoming = svc::post_job(&store, &parent, future()).await.unwrap();
    svc::apply(&store, &nanny, &upcoming.id, "").await.unwrap();
    svc::book(&store, &parent, &upcoming.id, &nanny.id, "http://app")
        .await
        .unwrap();
    assert!(
        matches!(
            svc::review(&store, &parent, &upcoming.id, "5", "", true, true).await,
            Err(AppError::Validation(_))
        ),
        "not before the end"
    );

    let mut ratings = Vec::new();
    for (i, rating) in [5u8, 3, 4].into_iter().enumerate() {
        let p = if i == 0 {
            parent.clone()
        } else {
            user_of(&store, "par", "parent").await
        };
        let job = svc::post_job(&store, &p, past()).await.unwrap();
        svc::apply(&store, &nanny, &job.id, "").await.unwrap();
        svc::book(&store, &p, &job.id, &nanny.id, "http://app")
            .await
            .unwrap();
        assert_eq!(
            svc::review(&store, &stranger, &job.id, "1", "", false, false)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        svc::review(
            &store,
            &p,
            &job.id,
            &rating.to_string(),
            "Great with the kids",
            true,
            true,
        )
        .await
        .unwrap();
        match svc::review(&store, &p, &job.id, "1", "changed my mind", false, false).await {
            Err(AppError::Conflict(m)) => assert!(m.contains("already reviewed")),
            other => panic!("{other:?}"),
        }
        svc::review(&store, &nanny, &job.id, "4", "Lovely family", true, true)
            .await
            .unwrap();
        ratings.push(rating);
    }
    assert!(matches!(
        svc::review(&store, &parent, "nope", "6", "", true, true).await,
        Err(AppError::Validation(_))
    ));

    let (profile, reviews) = db::profile(&store, &nanny.id).await.unwrap();
    let profile = profile.expect("ratings create the profile");
    assert_eq!(reviews.len(), 3);
    let recount: u32 = reviews.iter().map(|r| r.rating as u32).sum();
    assert_eq!(
        (profile.rating_sum, profile.rating_count),
        (recount, reviews.len() as u32)
    );
    assert_eq!(recount, ratings.iter().map(|r| *r as u32).sum::<u32>());
    let (parent_profile, parent_reviews) = db::profile(&store, &parent.id).await.unwrap();
    assert_eq!(
        (parent_profile.unwrap().rating_count, parent_reviews.len()),
        (1, 1)
    );
}

#[tokio::test]
async fn deactivated_accounts_cannot_post_apply_or_book_and_admins_are_checked() {
    let store = store().await;
    let parent = user_of(&store, "par", "parent").await;
    let nanny = user_of(&store, "nan", "nanny").await;
    let admin = user_of(&store, "adm", "member").await;
    minijira::accounts::store::set_admin(
        &store,
        &Email::parse(&format!("{}@example.org", admin.handle)).unwrap(),
        true,
    )
    .await
    .unwrap();
    let job = svc::post_job(&store, &parent, future()).await.unwrap();

    // Not an admin; an admin cannot change their own status; a bad status is refused.
    assert_eq!(
        svc::set_status(&store, &nanny, &parent.id, "DEACTIVATED")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert!(matches!(
        svc::set_status(&store, &admin, &admin.id, "VERIFIED").await,
        Err(AppError::Validation(_))
    ));
    assert!(matches!(
        svc::set_status(&store, &admin, &parent.id, "ADMIN").await,
        Err(AppError::Validation(_))
    ));
    // A token that claims admin is not enough: the account is checked.
    let mut forged = nanny.clone();
    forged.is_admin = true;
    assert_eq!(
        svc::set_status(&store, &forged, &parent.id, "VERIFIED")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );

    svc::set_status(&store, &admin, &nanny.id, "VERIFIED")
        .await
        .unwrap();
    let listed = db::accounts(&store, AccountStatus::Verified, None)
        .await
        .unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|u| u.id.as_str())
            .collect::<Vec<_>>(),
        [nanny.id.as_str()]
    );

    svc::set_status(&store, &admin, &nanny.id, "DEACTIVATED")
        .await
        .unwrap();
    assert_eq!(
        svc::apply(&store, &nanny, &job.id, "").await.unwrap_err(),
        AppError::Deactivated
    );
    svc::set_status(&store, &admin, &parent.id, "DEACTIVATED")
        .await
        .unwrap();
    assert_eq!(
        svc::post_job(&store, &parent, future()).await.unwrap_err(),
        AppError::Deactivated
    );
    let form = signup_form(&parent.handle);
    assert_eq!(
        minijira::accounts::rules::sign_in(&store, &form.email, &form.password)
            .await
            .unwrap_err(),
        AppError::Deactivated
    );
}
