//! The demo jobs board.

use super::model::*;
use super::{rules as sitter_rules, store as sitters};
use crate::accounts::model::{AccountStatus, Handle};
use crate::accounts::store::{self as users, User};
use crate::db::{Refusal, Store};
use crate::error::AppError;

/// Paula (parent), Nina and Noah (nannies) with profiles; open jobs with applications; a past
/// booked job with reviews both ways; Nina verified.
///
/// Longer than 80 lines on purpose: it is a script of demo data, read top to bottom as one
/// story; cut into functions, the story would be scattered and nothing reused.
pub async fn load(store: &Store) -> Result<(), AppError> {
    use chrono::{Duration, NaiveDate, Utc};

    let handles: Vec<Handle> = ["paula", "nina", "noah"]
        .iter()
        .map(|h| Handle::parse(h))
        .collect::<Result<_, _>>()?;
    let people = users::by_handles(store, &handles).await?;
    let get = |h: &str| {
        people
            .get(h)
            .cloned()
            .ok_or_else(|| AppError::internal("demo accounts missing"))
    };
    let (paula, nina, noah) = (get("paula")?, get("nina")?, get("noah")?);
    if !sitters::parent_jobs(store, &paula.id, None)
        .await?
        .items
        .is_empty()
    {
        return Ok(()); // loaded before
    }
    let nanny = |name: &str, dob: (i32, u32, u32), langs: &[&str], rate: u32, acts: &[&str]| {
        SitterProfile {
            full_name: name.into(),
            city: "Paris".into(),
            lat: Some(48.86),
            lon: Some(2.35),
            about: "Experienced with toddlers and school-age kids.".into(),
            nanny: Some(NannyDetails {
                date_of_birth: NaiveDate::from_ymd_opt(dob.0, dob.1, dob.2),
                gender: "female".into(),
                languages: langs.iter().map(|s| s.to_string()).collect(),
                hourly_rate_cents: rate,
                education: "Early-childhood education diploma".into(),
                smokes: false,
                drinks: false,
                activities: acts.iter().map(|s| s.to_string()).collect(),
            }),
            ..Default::default()
        }
    };
    let private = |phone: &str| PrivateDetails {
        phone: phone.into(),
        id_document: "X1234567".into(),
    };
    sitters::save_profile(
        store,
        &nina.id,
        &nanny(
            "Nina Kowalski",
            (1998, 4, 12),
            &["Polish", "English", "French"],
            1600,
            &["reading", "crafts"],
        ),
        &private("+33 6 11 22 33 44"),
    )
    .await?;
    let mut noah_profile = nanny(
        "Noah Silva",
        (2001, 9, 3),
        &["Portuguese", "French"],
        1400,
        &["football", "homework help"],
    );
    if let Some(n) = noah_profile.nanny.as_mut() {
        n.gender = "male".into();
    }
    sitters::save_profile(
        store,
        &noah.id,
        &noah_profile,
        &private("+33 6 55 66 77 88"),
    )
    .await?;
    let parent_profile = SitterProfile {
        full_name: "Paula Rossi".into(),
        city: "Paris".into(),
        lat: Some(48.85),
        lon: Some(2.34),
        about: "Two curious kids who love board games.".into(),
        kids: Some(2),
        ..Default::default()
    };
    sitters::save_profile(
        store,
        &paula.id,
        &parent_profile,
        &private("+33 6 99 88 77 66"),
    )
    .await?;

    let now = store.now();
    let job = |kind: &str, start: chrono::DateTime<Utc>, hours: i64, cost: u32, city: &str| Job {
        id: ulid::Ulid::new().to_string(),
        parent: paula.person(),
        job_type: kind.into(),
        starts_at: start,
        ends_at: start + Duration::hours(hours),
        address: "12 Rue des Lilas".into(),
        city: city.into(),
        lat: Some(48.85),
        lon: Some(2.34),
        kids: 2,
        cost_cents: cost,
        description: "Dinner, a story, bed by 8:30.".into(),
        status: JobStatus::Open,
        application_count: 0,
        accepted: None,
        created_at: store.now(),
    };
    let past = sitters::create_job(
        store,
        job(
            "Evening babysitting",
            now - Duration::days(10),
            4,
            6000,
            "Paris",
        ),
    )
    .await
    .map_err(Refusal::unexpected)?;
    let apply = |job: Job, who: &User, note: &str| {
        let (who, note) = (who.person(), note.to_owned());
        async move {
            sitters::apply(store, &job, &who, note)
                .await
                .map(|_| ())
                .map_err(Refusal::unexpected)
        }
    };
    apply(past.clone(), &nina, "Happy to help!").await?;
    let url = "http://127.0.0.1:3000";
    sitter_rules::book_only(store, &past.id, &paula.id, &nina.id, url).await?;
    sitter_rules::decline_rest(store, &past.id, url).await?;
    for (reviewer, subject, text) in [
        (&paula, &nina, "Wonderful with the kids, tidy and on time."),
        (&nina, &paula, "Lovely family, clear instructions."),
    ] {
        let review = Review {
            job_id: past.id.clone(),
            reviewer: reviewer.person(),
            rating: 5,
            text: text.into(),
            punctual: true,
            again: true,
            created_at: store.now(),
        };
        sitters::review(store, &subject.id, &review)
            .await
            .map_err(Refusal::unexpected)?;
    }

    let saturday = sitters::create_job(
        store,
        job(
            "Saturday afternoon outing",
            now + Duration::days(5),
            5,
            7500,
            "Paris",
        ),
    )
    .await
    .map_err(Refusal::unexpected)?;
    apply(saturday.clone(), &nina, "I know a great park nearby.").await?;
    apply(saturday, &noah, "Available all afternoon.").await?;
    let evening = sitters::create_job(
        store,
        job(
            "Weeknight babysitting",
            now + Duration::days(9),
            3,
            4500,
            "Paris",
        ),
    )
    .await
    .map_err(Refusal::unexpected)?;
    apply(evening, &noah, "").await?;
    sitters::create_job(
        store,
        job("School pick-up", now + Duration::days(3), 2, 3000, "Lyon"),
    )
    .await
    .map_err(Refusal::unexpected)?;

    if let Some(n) = users::get(store, &nina.id).await? {
        users::set_status(store, &n, AccountStatus::Verified)
            .await
            .map_err(Refusal::unexpected)?;
    }
    Ok(())
}
