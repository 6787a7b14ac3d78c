//! Server functions of Sitters. Kind (parent / nanny), ownership and admin rights are checked
//! on the server against the session and the stored records, never taken from the request.
//!
//! Layer rule (every area's `api`): parse the input, take the user from the verified session
//! (never from the request), call `rules`, and pass the result through `finish`. A form's
//! server function takes the form's struct.

use crate::accounts::model::AccountKind;
use crate::error::AppError;
use crate::model::Page;
use crate::sitters::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::platform::context::serve;
#[cfg(feature = "ssr")]
use crate::sitters::rules;

/// Open jobs, newest first, optionally in one city (J1). Addresses are never listed.
#[server]
pub async fn open_jobs(
    city: Option<String>,
    cursor: Option<String>,
) -> Result<Page<Job>, AppError> {
    serve(|cx| async move {
        cx.user()?;
        rules::open_jobs(&cx.store, city.as_deref(), cursor.as_deref()).await
    })
    .await
}

#[server]
pub async fn sitters_home() -> Result<SittersOverview, AppError> {
    serve(|cx| async move { rules::overview(&cx.store, &cx.user()?).await }).await
}

#[server]
pub async fn get_job_page(id: String) -> Result<JobPage, AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::job_page(&cx.store, Some(&me), &id).await
    })
    .await
}

#[server]
pub async fn post_job(#[server(flatten)] form: JobForm) -> Result<(), AppError> {
    serve(|cx| async move {
        let job = rules::post_job(&cx.store, &cx.user()?, &form).await?;
        leptos_axum::redirect(&format!("/sitters/jobs/{}", job.id));
        Ok(())
    })
    .await
}

#[server]
pub async fn apply_to_job(job_id: String, message: String) -> Result<Application, AppError> {
    serve(|cx| async move { rules::apply(&cx.store, &cx.user()?, &job_id, &message).await }).await
}

#[server]
pub async fn book_nanny(job_id: String, nanny_id: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let url = &cx.kit.settings.public_url;
        rules::book(&cx.store, &cx.user()?, &job_id, &nanny_id, url).await
    })
    .await
}

#[server]
pub async fn cancel_job(job_id: String) -> Result<(), AppError> {
    serve(|cx| async move {
        let url = &cx.kit.settings.public_url;
        rules::cancel(&cx.store, &cx.user()?, &job_id, url).await
    })
    .await
}

#[server]
pub async fn review_job(#[server(flatten)] form: ReviewForm) -> Result<Review, AppError> {
    let page = format!(
        "/sitters/jobs/{}?reviewed=1",
        crate::util::url_encode(&form.job_id)
    );
    serve(|cx| async move {
        let review = rules::review(&cx.store, &cx.user()?, &form).await?;
        // Back to the job page, which thanks the reviewer.
        leptos_axum::redirect(&page);
        Ok(review)
    })
    .await
}

/// My own sitter profile and private details, for editing.
#[server]
pub async fn my_sitter_profile() -> Result<(AccountKind, SitterProfile, PrivateDetails), AppError> {
    serve(|cx| async move { rules::my_profile(&cx.store, &cx.user()?).await }).await
}

#[server]
pub async fn save_sitter_profile(#[server(flatten)] form: ProfileForm) -> Result<(), AppError> {
    serve(|cx| async move {
        let me = cx.user()?;
        rules::save_profile(&cx.store, &me, &form).await?;
        leptos_axum::redirect(&format!("/u/{}", me.handle));
        Ok(())
    })
    .await
}

/// A public profile by handle, as its viewer may see it (signed in or not).
#[server]
pub async fn get_profile(handle: String) -> Result<ProfileView, AppError> {
    serve(
        |cx| async move { rules::profile_view(&cx.store, cx.maybe_user().as_ref(), &handle).await },
    )
    .await
}

/// Registers this area's server functions (see `server::areas`).
#[cfg(feature = "ssr")]
pub fn register() {
    use leptos::server_fn::axum::register_explicit;
    register_explicit::<OpenJobs>();
    register_explicit::<SittersHome>();
    register_explicit::<GetJobPage>();
    register_explicit::<PostJob>();
    register_explicit::<ApplyToJob>();
    register_explicit::<BookNanny>();
    register_explicit::<CancelJob>();
    register_explicit::<ReviewJob>();
    register_explicit::<MySitterProfile>();
    register_explicit::<SaveSitterProfile>();
    register_explicit::<GetProfile>();
}
