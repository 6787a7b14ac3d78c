//! Server functions of Sitters. Kind (parent / nanny), ownership and admin rights are checked
//! on the server against the session and the stored records, never taken from the request.

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::models::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::server::{context::ctx, respond::finish};
#[cfg(feature = "ssr")]
use crate::services::sitters as svc;

/// Open jobs, newest first, optionally in one city (J1). Addresses are never listed.
#[server]
pub async fn open_jobs(
    city: Option<String>,
    cursor: Option<String>,
) -> Result<Page<Job>, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            cx.user()?;
            let city = city.filter(|c| !c.trim().is_empty());
            if let Some(c) = &city {
                city_field(c)?;
            }
            let mut page =
                crate::db::sitters::open_jobs(&cx.store, city.as_deref(), cursor.as_deref(), 20)
                    .await?;
            page.items.iter_mut().for_each(|j| j.address.clear());
            Ok(page)
        }
        .await,
    )
}

/// What the Sitters hub shows me: my jobs (parent) or my applications (nanny).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SittersOverview {
    pub kind: AccountKind,
    pub jobs: Vec<Job>,
    pub applications: Vec<Application>,
}

#[server]
pub async fn sitters_home() -> Result<SittersOverview, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let (jobs, applications) = match me.kind {
                AccountKind::Parent => (
                    crate::db::sitters::parent_jobs(&cx.store, &me.id, None)
                        .await?
                        .items,
                    Vec::new(),
                ),
                AccountKind::Nanny => (
                    Vec::new(),
                    crate::db::sitters::nanny_applications(&cx.store, &me.id, None)
                        .await?
                        .items,
                ),
                AccountKind::Member => (Vec::new(), Vec::new()),
            };
            Ok(SittersOverview {
                kind: me.kind,
                jobs,
                applications,
            })
        }
        .await,
    )
}

#[server]
pub async fn get_job_page(id: String) -> Result<JobPage, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            svc::job_page(&cx.store, Some(&me), &id).await
        }
        .await,
    )
}

#[server]
pub async fn post_job(
    job_type: String,
    starts_at: String,
    ends_at: String,
    address: String,
    city: String,
    lat: String,
    lon: String,
    kids: String,
    cost: String,
    description: String,
) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let form = svc::JobForm {
                job_type,
                starts_at,
                ends_at,
                address,
                city,
                lat,
                lon,
                kids,
                cost,
                description,
            };
            let job = svc::post_job(&cx.store, &cx.user()?, form).await?;
            leptos_axum::redirect(&format!("/sitters/jobs/{}", job.id));
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn apply_to_job(job_id: String, message: String) -> Result<Application, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::apply(&cx.store, &cx.user()?, &job_id, &message).await
        }
        .await,
    )
}

#[server]
pub async fn book_nanny(job_id: String, nanny_id: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::book(
                &cx.store,
                &cx.user()?,
                &job_id,
                &nanny_id,
                &cx.state.settings.public_url,
            )
            .await
        }
        .await,
    )
}

#[server]
pub async fn cancel_job(job_id: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::cancel(
                &cx.store,
                &cx.user()?,
                &job_id,
                &cx.state.settings.public_url,
            )
            .await
        }
        .await,
    )
}

#[server]
pub async fn review_job(
    job_id: String,
    rating: String,
    text: String,
    punctual: Option<String>,
    again: Option<String>,
) -> Result<Review, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::review(
                &cx.store,
                &cx.user()?,
                &job_id,
                &rating,
                &text,
                punctual.is_some(),
                again.is_some(),
            )
            .await
        }
        .await,
    )
}

/// My own sitter profile and private details, for editing.
#[server]
pub async fn my_sitter_profile() -> Result<(AccountKind, SitterProfile, PrivateDetails), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let ((profile, _), private) = futures::try_join!(
                crate::db::sitters::profile(&cx.store, &me.id),
                crate::db::sitters::private(&cx.store, &me.id)
            )?;
            Ok((me.kind, profile.unwrap_or_default(), private))
        }
        .await,
    )
}

#[server]
pub async fn save_sitter_profile(
    full_name: String,
    city: String,
    lat: String,
    lon: String,
    about: String,
    kids: Option<String>,
    date_of_birth: Option<String>,
    gender: Option<String>,
    languages: Option<String>,
    hourly_rate: Option<String>,
    education: Option<String>,
    smokes: Option<String>,
    drinks: Option<String>,
    activities: Option<String>,
    phone: String,
    id_document: String,
) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            let me = cx.user()?;
            let form = svc::ProfileForm {
                full_name,
                city,
                lat,
                lon,
                about,
                kids: kids.unwrap_or_default(),
                date_of_birth: date_of_birth.unwrap_or_default(),
                gender: gender.unwrap_or_default(),
                languages: languages.unwrap_or_default(),
                hourly_rate: hourly_rate.unwrap_or_default(),
                education: education.unwrap_or_default(),
                smokes: smokes.is_some(),
                drinks: drinks.is_some(),
                activities: activities.unwrap_or_default(),
                phone,
                id_document,
            };
            svc::save_profile(&cx.store, &me, form).await?;
            leptos_axum::redirect(&format!("/u/{}", me.handle));
            Ok(())
        }
        .await,
    )
}

/// Accounts by status (admins only).
#[server]
pub async fn admin_accounts(
    status: String,
    cursor: Option<String>,
) -> Result<Page<PersonSummary>, AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::require_admin(&cx.store, &cx.user()?).await?;
            let status = match status.as_str() {
                "" | "UNVERIFIED" => AccountStatus::Unverified,
                "VERIFIED" => AccountStatus::Verified,
                "DEACTIVATED" => AccountStatus::Deactivated,
                _ => return Err(AppError::validation("Unknown status.")),
            };
            let page = crate::db::sitters::accounts(&cx.store, status, cursor.as_deref()).await?;
            Ok(Page {
                items: page.items.iter().map(|u| u.summary()).collect(),
                next: page.next,
            })
        }
        .await,
    )
}

#[server]
pub async fn admin_set_status(user_id: String, status: String) -> Result<(), AppError> {
    finish(
        async move {
            let cx = ctx()?;
            svc::set_status(&cx.store, &cx.user()?, &user_id, &status).await
        }
        .await,
    )
}
