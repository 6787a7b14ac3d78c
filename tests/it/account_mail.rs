//! Email confirmation (issue 23): the link mailed at sign-up, single use and expiring; mail to
//! an unconfirmed address held in the outbox, released on confirmation, expired after 7 days;
//! the banner's session renewed once the address is confirmed.

use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use minijira::accounts::rules;
use minijira::accounts::store as users;
use minijira::db::outbox::{self, Recipient};
use minijira::db::Store;
use minijira::error::AppError;
use minijira::model::Delivery;
use std::sync::{Arc, Mutex};

/// A store whose clock the test sets.
fn clocked(store: &Store, at: DateTime<Utc>) -> (Store, Arc<Mutex<DateTime<Utc>>>) {
    let clock = Arc::new(Mutex::new(at));
    let c = clock.clone();
    (
        store
            .clone()
            .with_clock(Arc::new(move || *c.lock().unwrap())),
        clock,
    )
}

/// The token of the newest confirmation link queued for `email`.
async fn link_for(store: &Store, email: &str) -> String {
    let far = Utc::now() + Duration::days(3650);
    let mails = outbox::due(store, far, 100).await.unwrap();
    let mail = mails
        .iter()
        .filter(|m| m.to == Recipient::Address(email.to_owned()))
        .filter(|m| m.subject.starts_with("Confirm your email address"))
        .max_by_key(|m| m.created_at)
        .expect("a confirmation mail is queued");
    let at = mail.text.find("token=").expect("a link") + "token=".len();
    mail.text[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_confirmation_link_confirms_once() {
    let store = store().await;
    let form = signup_form(&unique("conf"));
    let user = rules::sign_up(&store, "http://app", &form).await.unwrap();
    assert!(!user.email_confirmed, "a new account is not confirmed");
    assert!(!user.session().email_confirmed);
    let token = link_for(&store, &form.email).await;
    let confirmed = rules::confirm_email(&store, &token).await.unwrap();
    assert!(confirmed.email_confirmed);
    let stored = users::get(&store, &user.id).await.unwrap().unwrap();
    assert!(stored.email_confirmed);
    match rules::confirm_email(&store, &token).await {
        Err(AppError::Validation(m)) => assert!(m.contains("not valid"), "{m}"),
        other => panic!("a used link must be refused, got {other:?}"),
    }
    // A made-up or truncated token is the same refusal.
    assert!(matches!(
        rules::confirm_email(&store, &token[..20]).await,
        Err(AppError::Validation(_))
    ));
}

#[tokio::test]
async fn a_confirmation_link_expires_after_a_day() {
    let base = store().await;
    let now = Utc::now();
    let (store, clock) = clocked(&base, now);
    let form = signup_form(&unique("late"));
    rules::sign_up(&store, "http://app", &form).await.unwrap();
    let token = link_for(&store, &form.email).await;
    *clock.lock().unwrap() = now + Duration::hours(24) + Duration::seconds(1);
    match rules::confirm_email(&store, &token).await {
        Err(AppError::Validation(m)) => assert!(m.contains("expired"), "{m}"),
        other => panic!("an expired link must be refused, got {other:?}"),
    }
    // Just inside the day, it works.
    let form = signup_form(&unique("ontime"));
    *clock.lock().unwrap() = now;
    rules::sign_up(&store, "http://app", &form).await.unwrap();
    let token = link_for(&store, &form.email).await;
    *clock.lock().unwrap() = now + Duration::hours(24) - Duration::seconds(1);
    rules::confirm_email(&store, &token).await.unwrap();
}

#[tokio::test]
async fn a_resend_waits_a_minute_and_the_new_link_works() {
    let base = store().await;
    let now = Utc::now();
    let (store, clock) = clocked(&base, now);
    let form = signup_form(&unique("again"));
    let user = rules::sign_up(&store, "http://app", &form).await.unwrap();
    match rules::resend_confirmation(&store, "http://app", &user.session()).await {
        Err(AppError::TooManyRequests(m)) => assert!(m.contains("less than a minute"), "{m}"),
        other => panic!("a resend right away must wait, got {other:?}"),
    }
    *clock.lock().unwrap() = now + Duration::seconds(61);
    rules::resend_confirmation(&store, "http://app", &user.session())
        .await
        .unwrap();
    let token = link_for(&store, &form.email).await;
    rules::confirm_email(&store, &token).await.unwrap();
    match rules::resend_confirmation(&store, "http://app", &user.session()).await {
        Err(AppError::Conflict(m)) => assert!(m.contains("confirmed already"), "{m}"),
        other => panic!("nothing to resend once confirmed, got {other:?}"),
    }
}

/// The project invitation of an unconfirmed member waits in the outbox (the worker holds it),
/// and goes out on confirmation; the confirmation mail itself goes out at once.
#[tokio::test]
async fn mail_to_an_unconfirmed_address_waits_for_its_confirmation() {
    use minijira::projects::model::{NewProjectForm, ProjectKey};
    let state = state().await;
    let store = state.kit.store.clone();
    let mailer = state.kit.mailer.clone();
    let ses = std::env::var("MINIJIRA_TEST_SES").expect("set by make test");
    let pm = user(&store, "hpm").await;
    let form = signup_form(&unique("held"));
    let member = rules::sign_up(&store, "http://app", &form).await.unwrap();
    let key = format!("H{}", &unique("").chars().rev().take(6).collect::<String>());
    let project = NewProjectForm {
        key: key.clone(),
        name: "Held mail".into(),
        members: member.handle.clone(),
        ..Default::default()
    };
    minijira::projects::rules::create_project(&store, "http://app", &pm, &project)
        .await
        .unwrap();
    let key = ProjectKey::parse(&key).unwrap();
    // The link, read from the outbox before the worker sends it.
    let token = link_for(&store, &form.email).await;
    let stop = Default::default();
    let run = |at: DateTime<Utc>| {
        let (store, mailer, stop) = (store.clone(), mailer.clone(), &stop);
        async move {
            minijira::server::worker::run_once(&store, &mailer, at, stop)
                .await
                .unwrap()
        }
    };
    run(Utc::now()).await;
    let to_member = |mails: &[(String, String)]| -> Vec<String> {
        mails
            .iter()
            .filter(|(to, _)| to.contains(&form.email))
            .map(|(_, subject)| subject.clone())
            .collect()
    };
    let sent = to_member(&delivered(&ses).await);
    assert!(
        sent.iter().any(|s| s.starts_with("Confirm your email")),
        "the confirmation goes out: {sent:?}"
    );
    assert!(
        !sent.iter().any(|s| s.contains("added to project")),
        "the invitation waits: {sent:?}"
    );
    let board = minijira::projects::rules::board(&store, &key, &pm.id)
        .await
        .unwrap();
    assert_eq!(
        board.member(&member.id).unwrap().invitation,
        Some(Delivery::Queued)
    );
    // A later round does not send it either.
    run(Utc::now() + Duration::minutes(5)).await;
    assert!(!to_member(&delivered(&ses).await)
        .iter()
        .any(|s| s.contains("added to project")));

    rules::confirm_email(&store, &token).await.unwrap();
    run(Utc::now() + Duration::minutes(6)).await;
    let sent = to_member(&delivered(&ses).await);
    assert_eq!(
        sent.iter()
            .filter(|s| s.contains("added to project"))
            .count(),
        1,
        "released once: {sent:?}"
    );
    let board = minijira::projects::rules::board(&store, &key, &pm.id)
        .await
        .unwrap();
    assert_eq!(
        board.member(&member.id).unwrap().invitation,
        Some(Delivery::Sent)
    );
}

/// Held mail whose address is never confirmed fails after seven days (and says so where it is
/// tracked); before that it waits.
#[tokio::test]
async fn held_mail_expires_after_seven_days() {
    use minijira::projects::model::{NewProjectForm, ProjectKey};
    let state = state().await;
    let store = state.kit.store.clone();
    let mailer = state.kit.mailer.clone();
    let pm = user(&store, "xpm").await;
    let form = signup_form(&unique("never"));
    let member = rules::sign_up(&store, "http://app", &form).await.unwrap();
    let key = format!("X{}", &unique("").chars().rev().take(6).collect::<String>());
    let project = NewProjectForm {
        key: key.clone(),
        name: "Never confirmed".into(),
        members: member.handle.clone(),
        ..Default::default()
    };
    minijira::projects::rules::create_project(&store, "http://app", &pm, &project)
        .await
        .unwrap();
    let key = ProjectKey::parse(&key).unwrap();
    let stop = Default::default();
    let now = Utc::now();
    let invitation = |store: Store| {
        let (key, pm, member) = (key.clone(), pm.id.clone(), member.id.clone());
        async move {
            minijira::projects::rules::board(&store, &key, &pm)
                .await
                .unwrap()
                .member(&member)
                .unwrap()
                .invitation
        }
    };
    minijira::server::worker::run_once(&store, &mailer, now, &stop)
        .await
        .unwrap();
    minijira::server::worker::run_once(&store, &mailer, now + Duration::days(6), &stop)
        .await
        .unwrap();
    assert_eq!(invitation(store.clone()).await, Some(Delivery::Queued));
    minijira::server::worker::run_once(
        &store,
        &mailer,
        now + Duration::days(7) + Duration::minutes(1),
        &stop,
    )
    .await
    .unwrap();
    assert_eq!(invitation(store.clone()).await, Some(Delivery::Failed));
}

/// A browser signed in to an unconfirmed account shows the banner; once the address is
/// confirmed from another browser (no session), its next pages renew the session and the
/// banner is gone.
#[tokio::test]
async fn the_banner_goes_once_the_address_is_confirmed_elsewhere() {
    let state = state().await;
    let store = state.kit.store.clone();
    let app = minijira::server::router::router(state);
    let handle = unique("bnr");
    let cookie = signed_up(&app, &handle).await;
    let home = send(&app, get("/", Some(&cookie))).await;
    assert!(home.body.contains("data-testid=\"confirm-banner\""));
    let token = link_for(&store, &format!("{handle}@example.org")).await;
    let confirm = send(
        &app,
        call(
            <minijira::accounts::api::ConfirmEmail as leptos::server_fn::ServerFn>::PATH,
            &[("token", token.as_str())],
            None,
        ),
    )
    .await;
    assert!(
        confirm.status.is_success() || confirm.status.is_redirection(),
        "{}",
        confirm.status
    );
    let mut gone = false;
    for _ in 0..3 {
        let page = send(&app, get("/", Some(&cookie))).await;
        if !page.body.contains("data-testid=\"confirm-banner\"") {
            gone = true;
            break;
        }
    }
    assert!(gone, "the banner goes within a few pages");
}
