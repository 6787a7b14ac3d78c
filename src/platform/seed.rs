//! Demo data, loaded once (a marker item records that it was), through the areas' own rules
//! and stores.

use crate::accounts::model::{AccountKind, AccountStatus, DisplayName, Email, Handle};
use crate::accounts::store::{self as users, NewUser, User};
use crate::db::keys::seed_marker;
use crate::db::{s, Refusal, Store, Tx};
use crate::error::AppError;

/// A refusal the demo data does not expect.
fn unexpected<R: std::fmt::Debug>(r: Refusal<R>) -> AppError {
    match r {
        Refusal::Db(e) => e.into(),
        other => AppError::internal(format!("demo data refused: {other:?}")),
    }
}

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "minijira-demo";

/// (handle, display name, kind, admin)
pub const DEMO_ACCOUNTS: &[(&str, &str, AccountKind, bool)] = &[
    ("alice", "Alice Martin", AccountKind::Member, false),
    ("bob", "Bob Okafor", AccountKind::Member, false),
    ("carol", "Carol Nguyen", AccountKind::Member, false),
    ("dave", "Dave Fischer", AccountKind::Member, false),
    ("admin", "Ada Admin", AccountKind::Member, true),
    ("paula", "Paula Rossi", AccountKind::Parent, false),
    ("nina", "Nina Kowalski", AccountKind::Nanny, false),
    ("noah", "Noah Silva", AccountKind::Nanny, false),
    ("erin", "Erin Walsh", AccountKind::Member, false),
    ("frank", "Frank Osei", AccountKind::Member, false),
    ("grace", "Grace Lindqvist", AccountKind::Member, false),
    ("heidi", "Heidi Novak", AccountKind::Member, false),
    ("ivan", "Ivan Petrov", AccountKind::Member, false),
    ("judy", "Judy Tanaka", AccountKind::Member, false),
    ("oscar", "Oscar Diaz", AccountKind::Member, false),
    ("peggy", "Peggy Moreau", AccountKind::Member, false),
];

pub fn demo_email(handle: &str) -> String {
    format!("{handle}@example.com")
}

/// Loads the demo data unless the marker says it is there. Returns true when it loaded now.
pub async fn load_demo_once(store: &Store) -> Result<bool, AppError> {
    let (mpk, msk) = seed_marker();
    if store.exists(&mpk, &msk).await? {
        return Ok(false);
    }
    // Every demo account has the same password: hash it once.
    let hash = crate::accounts::password::hash(DEMO_PASSWORD.to_owned()).await?;
    for (handle, name, kind, admin) in DEMO_ACCOUNTS {
        let email = Email::parse(&demo_email(handle))?;
        let new = NewUser {
            email: email.clone(),
            handle: Handle::parse(handle)?,
            display_name: DisplayName::parse(name)?,
            kind: *kind,
            password_hash: hash.clone(),
        };
        match users::create(store, new).await {
            Ok(_) | Err(Refusal::Refused(_)) => {}
            Err(Refusal::Db(e)) => return Err(e.into()),
        }
        if *admin {
            users::set_admin(store, &email, true).await?;
        }
    }
    super::seed_projects::demo_project(store).await?;
    demo_conversations(store).await?;
    demo_sitters(store).await?;
    let marker = [
        (crate::db::keys::PK.to_owned(), s(mpk)),
        (crate::db::keys::SK.to_owned(), s(msk)),
        ("loaded_at".to_owned(), s(store.now().to_rfc3339())),
    ]
    .into_iter()
    .collect();
    let mut tx = Tx::new(store);
    tx.create("marker", marker);
    match tx.run(store).await {
        Ok(()) => Ok(true),
        Err(e) if e.failed("marker") => Ok(true),
        Err(e) => Err(crate::db::DbError::from(e).into()),
    }
}

/// Conversations between the demo accounts; Alice and Bob's is long enough to page.
async fn demo_conversations(store: &Store) -> Result<(), AppError> {
    use crate::accounts::model::PersonRef;
    use crate::messages::{rules as messages, store as conversations};
    let send = |id: String, from: &PersonRef, to: &PersonRef, text: String| {
        let (from, to) = (from.clone(), to.clone());
        async move {
            conversations::send(store, &id, &from, &to.id, &text)
                .await
                .map(|_| ())
                .map_err(unexpected)
        }
    };

    let handles: Vec<Handle> = ["alice", "bob", "carol", "paula", "nina"]
        .iter()
        .map(|h| Handle::parse(h))
        .collect::<Result<_, _>>()?;
    let people = users::by_handles(store, &handles).await?;
    let who = |h: &str| {
        people
            .get(h)
            .map(User::person)
            .ok_or_else(|| AppError::internal("demo accounts missing"))
    };
    let (alice, bob, carol, paula, nina) = (
        who("alice")?,
        who("bob")?,
        who("carol")?,
        who("paula")?,
        who("nina")?,
    );

    let (a, b) = (alice.clone(), bob.clone());
    let id = messages::start(store, &a, &b).await?;
    if messages::list(store, &a.id, None, 1)
        .await?
        .items
        .first()
        .is_some_and(|c| !c.last_message.is_empty())
    {
        return Ok(()); // loaded before
    }
    let lines = [
        "Morning! Did the payment provider answer?",
        "Yes, sandbox keys arrived last night.",
        "Great. Can you wire up the card form today?",
        "On it. I'll push a draft before lunch.",
    ];
    for i in 0..44 {
        let (from, to) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let text = format!("{} ({})", lines[i % 4], i + 1);
        send(id.clone(), from, to, text).await?;
    }
    send(id, &b, &a, "Draft is up: DEMO-2 is in review.".into()).await?;

    let id = messages::start(store, &carol, &alice).await?;
    for (from, to, text) in [
        (
            &carol,
            &alice,
            "The finance team sent the invoice template.",
        ),
        (&alice, &carol, "Perfect, thanks! Attach it to DEMO-3."),
        (&carol, &alice, "Done."),
    ] {
        send(id.clone(), from, to, text.into()).await?;
    }

    let id = messages::start(store, &paula, &nina).await?;
    for (from, to, text) in [
        (&paula, &nina, "Hi Nina, are you free Saturday evening?"),
        (&nina, &paula, "Yes, from 6 pm. How old are the kids?"),
        (&paula, &nina, "Four and seven. They love board games."),
    ] {
        send(id.clone(), from, to, text.into()).await?;
    }
    Ok(())
}

/// Paula (parent), Nina and Noah (nannies) with profiles; open jobs with applications; a past
/// booked job with reviews both ways; Nina verified.
async fn demo_sitters(store: &Store) -> Result<(), AppError> {
    use crate::sitters::model::*;
    use crate::sitters::{rules as sitter_rules, store as sitters};
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
    .map_err(unexpected)?;
    let apply = |job: Job, who: &User, note: &str| {
        let (who, note) = (who.person(), note.to_owned());
        async move {
            sitters::apply(store, &job, &who, note)
                .await
                .map(|_| ())
                .map_err(unexpected)
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
            .map_err(unexpected)?;
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
    .map_err(unexpected)?;
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
    .map_err(unexpected)?;
    apply(evening, &noah, "").await?;
    sitters::create_job(
        store,
        job("School pick-up", now + Duration::days(3), 2, 3000, "Lyon"),
    )
    .await
    .map_err(unexpected)?;

    if let Some(n) = users::get(store, &nina.id).await? {
        users::set_status(store, &n, AccountStatus::Verified)
            .await
            .map_err(unexpected)?;
    }
    Ok(())
}
