//! Sitters: who may do what (by account kind, ownership and admin rights), and validation.

use crate::db::sitters as db;
use crate::db::users::{self, User};
use crate::db::Store;
use crate::error::AppError;
use crate::models::*;
use crate::services::projects::session_person;
use chrono::{NaiveDateTime, Utc};

/// Parents post and book, nannies apply: anyone else is refused (403).
fn require(me: &SessionUser, kind: AccountKind) -> Result<(), AppError> {
    if me.kind == kind {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Debug, Clone, Default)]
pub struct JobForm {
    pub job_type: String,
    pub starts_at: String,
    pub ends_at: String,
    pub address: String,
    pub city: String,
    pub lat: String,
    pub lon: String,
    pub kids: String,
    pub cost: String,
    pub description: String,
}

fn when(raw: &str, what: &str) -> Result<chrono::DateTime<Utc>, AppError> {
    let s = raw.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map(|t| t.and_utc())
        .map_err(|_| {
            AppError::validation(format!("The {what} is a date and time (YYYY-MM-DDTHH:MM)."))
        })
}

/// Posts a job (parents only).
pub async fn post_job(store: &Store, me: &SessionUser, f: JobForm) -> Result<Job, AppError> {
    require(me, AccountKind::Parent)?;
    let starts_at = when(&f.starts_at, "start")?;
    let ends_at = when(&f.ends_at, "end")?;
    if ends_at <= starts_at {
        return Err(AppError::validation("The job ends after it starts."));
    }
    let kids: u8 = f
        .kids
        .trim()
        .parse()
        .ok()
        .filter(|k| (1..=12).contains(k))
        .ok_or_else(|| AppError::validation("Number of kids: 1 to 12."))?;
    let job = Job {
        id: ulid::Ulid::new().to_string(),
        parent: session_person(me),
        job_type: text_field(&f.job_type, "job type", 80, true)?,
        starts_at,
        ends_at,
        address: text_field(&f.address, "address", 200, false)?,
        city: city_field(&f.city)?,
        lat: coordinate(&f.lat, "latitude", 90.0)?,
        lon: coordinate(&f.lon, "longitude", 180.0)?,
        kids,
        cost_cents: money(&f.cost, "cost")?,
        description: text_field(&f.description, "description", 2000, false)?,
        status: JobStatus::Open,
        application_count: 0,
        accepted: None,
        created_at: Utc::now(),
    };
    db::create_job(store, job).await
}

/// Applies to a job (nannies only).
pub async fn apply(
    store: &Store,
    me: &SessionUser,
    job_id: &str,
    message: &str,
) -> Result<Application, AppError> {
    require(me, AccountKind::Nanny)?;
    let message = text_field(message, "message", 1000, false)?;
    let job = db::get_job(store, job_id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::apply(store, &job, &session_person(me), message).await
}

pub async fn book(
    store: &Store,
    me: &SessionUser,
    job_id: &str,
    nanny_id: &str,
    url: &str,
) -> Result<(), AppError> {
    require(me, AccountKind::Parent)?;
    db::book(store, job_id, &me.id, nanny_id, url).await
}

pub async fn cancel(
    store: &Store,
    me: &SessionUser,
    job_id: &str,
    url: &str,
) -> Result<(), AppError> {
    require(me, AccountKind::Parent)?;
    db::cancel(store, job_id, &me.id, url).await
}

pub async fn review(
    store: &Store,
    me: &SessionUser,
    job_id: &str,
    rating: &str,
    text: &str,
    punctual: bool,
    again: bool,
) -> Result<Review, AppError> {
    let rating: u8 = rating
        .trim()
        .parse()
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| AppError::validation("Give a rating from 1 to 5."))?;
    let text = text_field(text, "review", 1000, false)?;
    db::review(
        store,
        job_id,
        &session_person(me),
        rating,
        text,
        punctual,
        again,
    )
    .await
}

/// A job as the viewer may see it: the address only for its parent and the booked nanny;
/// every application for the parent, her own for a nanny.
pub async fn job_page(
    store: &Store,
    viewer: Option<&SessionUser>,
    job_id: &str,
) -> Result<JobPage, AppError> {
    let (mut job, apps) = db::job_with_applications(store, job_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (parent, _) = db::profile(store, &job.parent.id).await?;
    let me = viewer.map(|v| v.id.as_str()).unwrap_or("");
    let is_owner = job.parent.id == me;
    let is_booked_nanny = job.accepted.as_ref().is_some_and(|a| a.id == me);
    if !is_owner && !is_booked_nanny {
        job.address.clear();
    }
    let applications = apps
        .into_iter()
        .filter(|a| is_owner || a.nanny.id == me)
        .collect();
    let can_review =
        viewer.is_some() && db::review_subject(&job, me).is_ok() && job.ends_at <= Utc::now();
    Ok(JobPage {
        parent: parent.map(|p| p.public(Utc::now().date_naive())),
        job,
        applications,
        is_owner,
        can_review,
    })
}

#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    pub full_name: String,
    pub city: String,
    pub lat: String,
    pub lon: String,
    pub about: String,
    pub kids: String,
    pub date_of_birth: String,
    pub gender: String,
    pub languages: String,
    pub hourly_rate: String,
    pub education: String,
    pub smokes: bool,
    pub drinks: bool,
    pub activities: String,
    pub phone: String,
    pub id_document: String,
}

fn list_field(raw: &str, what: &str) -> Result<Vec<String>, AppError> {
    let items: Vec<String> = raw
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if items.len() > 20 || items.iter().any(|i| i.chars().count() > 40) {
        return Err(AppError::validation(format!(
            "List at most 20 {what}, each up to 40 characters."
        )));
    }
    Ok(items)
}

/// Saves my sitter profile (parents and nannies).
pub async fn save_profile(store: &Store, me: &SessionUser, f: ProfileForm) -> Result<(), AppError> {
    if me.kind == AccountKind::Member {
        return Err(AppError::validation(
            "Sitter profiles are for parents and nannies.",
        ));
    }
    let mut p = SitterProfile {
        full_name: text_field(&f.full_name, "full name", 80, true)?,
        city: city_field(&f.city)?,
        lat: coordinate(&f.lat, "latitude", 90.0)?,
        lon: coordinate(&f.lon, "longitude", 180.0)?,
        about: text_field(&f.about, "description", 2000, false)?,
        ..Default::default()
    };
    match me.kind {
        AccountKind::Parent => {
            p.kids = Some(
                f.kids
                    .trim()
                    .parse()
                    .ok()
                    .filter(|k| (1..=12).contains(k))
                    .ok_or_else(|| AppError::validation("Number of kids: 1 to 12."))?,
            );
        }
        _ => {
            let dob = optional_date(&f.date_of_birth, "date of birth")?;
            if let Some(d) = dob {
                if age_on(d, Utc::now().date_naive()) < 16 {
                    return Err(AppError::validation("Nannies are at least 16 years old."));
                }
            }
            p.nanny = Some(NannyDetails {
                date_of_birth: dob,
                gender: text_field(&f.gender, "gender", 30, false)?,
                languages: list_field(&f.languages, "languages")?,
                hourly_rate_cents: if f.hourly_rate.trim().is_empty() {
                    0
                } else {
                    money(&f.hourly_rate, "hourly rate")?
                },
                education: text_field(&f.education, "education", 200, false)?,
                smokes: f.smokes,
                drinks: f.drinks,
                activities: list_field(&f.activities, "activities")?,
            });
        }
    }
    let private = PrivateDetails {
        phone: text_field(&f.phone, "phone", 30, false)?,
        id_document: text_field(&f.id_document, "identity document number", 40, false)?,
    };
    db::save_profile(store, &me.id, &p, &private).await
}

/// An admin, checked against the account itself (not only the token).
pub async fn require_admin(store: &Store, me: &SessionUser) -> Result<User, AppError> {
    match users::get(store, &me.id).await? {
        Some(u) if u.is_admin && u.status != AccountStatus::Deactivated => Ok(u),
        _ => Err(AppError::Forbidden),
    }
}

/// Sets an account's status (admins only; never their own).
pub async fn set_status(
    store: &Store,
    me: &SessionUser,
    user_id: &str,
    status: &str,
) -> Result<(), AppError> {
    require_admin(store, me).await?;
    if user_id == me.id {
        return Err(AppError::validation("Nobody can change their own status."));
    }
    let status = match status {
        "VERIFIED" => AccountStatus::Verified,
        "UNVERIFIED" => AccountStatus::Unverified,
        "DEACTIVATED" => AccountStatus::Deactivated,
        _ => {
            return Err(AppError::validation(
                "Choose VERIFIED, UNVERIFIED or DEACTIVATED.",
            ))
        }
    };
    let user = users::get(store, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    users::set_status(store, &user, status).await
}
