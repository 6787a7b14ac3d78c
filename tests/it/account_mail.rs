//! Email confirmation and password reset (issue 23): the link mailed at sign-up, single use and
//! expiring; mail to an unconfirmed address held in the outbox, released on confirmation,
//! expired after 7 days; the banner's session renewed once the address is confirmed; the
//! forgotten-password form that answers alike with or without an account, throttled; reset
//! links single use and expiring, ending every session, on every instance.

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
    mailed_token(store, email, "Confirm your email address")
        .await
        .expect("a confirmation mail is queued")
}

/// The token of the newest link queued for `email` in a mail whose subject starts with
/// `subject`, if any.
async fn mailed_token(store: &Store, email: &str, subject: &str) -> Option<String> {
    let far = Utc::now() + Duration::days(3650);
    let mails = outbox::due(store, far, 100).await.unwrap();
    let mail = mails
        .iter()
        .filter(|m| m.to == Recipient::Address(email.to_owned()))
        .filter(|m| m.subject.starts_with(subject))
        .max_by_key(|m| m.created_at)?;
    let at = mail.text.find("token=")? + "token=".len();
    mail.text[at..].split_whitespace().next().map(str::to_owned)
}

/// The reset link mailed to `email` (written just after the form's answer: waited for).
async fn reset_link(store: &Store, email: &str) -> String {
    for _ in 0..50 {
        if let Some(t) = mailed_token(store, email, "Set a new password").await {
            return t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no reset link was mailed to {email}");
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

/// The form's answer is the same with and without an account: the same status, the same
/// redirect, the same number of DynamoDB calls before answering; only an account gets a mail.
#[tokio::test]
async fn forgot_password_answers_alike_with_or_without_an_account() {
    use minijira::accounts::api::ForgotPassword;
    let state = state().await;
    let store = state.kit.store.clone();
    let app = minijira::server::router::router(state);
    let known = user(&store, "fgt").await;
    let known_email = format!("{}@example.org", known.handle);
    let unknown_email = format!("{}@example.org", unique("nobody"));
    let ask = |email: String| {
        let app = app.clone();
        async move {
            let path = <ForgotPassword as leptos::server_fn::ServerFn>::PATH;
            send(&app, call(path, &[("email", email.as_str())], None)).await
        }
    };
    let a = ask(known_email.clone()).await;
    let b = ask(unknown_email.clone()).await;
    assert_eq!(a.status, b.status);
    assert_eq!(a.header("location"), b.header("location"));
    assert_eq!(a.body, b.body);
    let calls = |r: &Reply| {
        let t = r.header("server-timing").unwrap_or_default().to_owned();
        t.split("desc=\"")
            .nth(1)
            .unwrap_or_default()
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(!calls(&a).is_empty(), "Server-Timing counts the calls");
    assert_eq!(calls(&a), calls(&b), "the same reads either way");
    reset_link(&store, &known_email).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        mailed_token(&store, &unknown_email, "Set a new password")
            .await
            .is_none(),
        "no mail for an address without an account"
    );
}

#[tokio::test]
async fn a_reset_link_sets_the_password_once_and_ends_every_session() {
    let store = store().await;
    let me = user(&store, "rst").await;
    let email = format!("{}@example.org", me.handle);
    let before = minijira::db::account_state::get(&store, &me.id)
        .await
        .unwrap()
        .unwrap();
    rules::forgot_password(&store, store.detached(), "http://app", "10.0.0.1", &email)
        .await
        .unwrap();
    let token = reset_link(&store, &email).await;
    match rules::reset_password(&store, &token, "short").await {
        Err(AppError::Validation(m)) => assert!(m.contains("too weak"), "{m}"),
        other => panic!("a weak password is refused, got {other:?}"),
    }
    rules::reset_password(&store, &token, "a-new-horse-staple-7")
        .await
        .unwrap();
    let after = minijira::db::account_state::get(&store, &me.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.session_epoch,
        before.session_epoch + 1,
        "every session ends"
    );
    assert!(matches!(
        rules::sign_in(&store, &email, "correct-horse-battery-9").await,
        Err(AppError::InvalidCredentials)
    ));
    rules::sign_in(&store, &email, "a-new-horse-staple-7")
        .await
        .unwrap();
    match rules::reset_password(&store, &token, "another-horse-staple-8").await {
        Err(AppError::Validation(m)) => assert!(m.contains("not valid"), "{m}"),
        other => panic!("a used link is refused, got {other:?}"),
    }
}

#[tokio::test]
async fn a_reset_link_expires_after_30_minutes() {
    let base = store().await;
    let now = Utc::now();
    let (store, clock) = clocked(&base, now);
    let me = user(&store, "rsx").await;
    let email = format!("{}@example.org", me.handle);
    rules::forgot_password(&store, store.detached(), "http://app", "10.0.0.2", &email)
        .await
        .unwrap();
    let token = reset_link(&store, &email).await;
    *clock.lock().unwrap() = now + Duration::minutes(30) + Duration::seconds(1);
    match rules::reset_password(&store, &token, "a-new-horse-staple-7").await {
        Err(AppError::Validation(m)) => assert!(m.contains("expired"), "{m}"),
        other => panic!("an expired link is refused, got {other:?}"),
    }
    *clock.lock().unwrap() = now + Duration::minutes(29);
    rules::reset_password(&store, &token, "a-new-horse-staple-7")
        .await
        .unwrap();
}

/// Five requests a minute per address typed (and per client address); the sixth is refused,
/// for an address with an account or without.
#[tokio::test]
async fn reset_requests_are_throttled_per_address() {
    let store = store().await;
    let me = user(&store, "rth").await;
    for email in [
        format!("{}@example.org", me.handle),
        format!("{}@example.org", unique("nope")),
    ] {
        for i in 0..5 {
            rules::forgot_password(
                &store,
                store.detached(),
                "http://app",
                &format!("10.1.{i}.1"),
                &email,
            )
            .await
            .unwrap();
        }
        assert!(matches!(
            rules::forgot_password(&store, store.detached(), "http://app", "10.1.9.1", &email)
                .await,
            Err(AppError::TooManyRequests(_))
        ));
    }
    // Per client address too, whatever the addresses typed.
    for _ in 0..5 {
        let email = format!("{}@example.org", unique("many"));
        rules::forgot_password(&store, store.detached(), "http://app", "10.3.0.1", &email)
            .await
            .unwrap();
    }
    let email = format!("{}@example.org", unique("many"));
    assert!(matches!(
        rules::forgot_password(&store, store.detached(), "http://app", "10.3.0.1", &email).await,
        Err(AppError::TooManyRequests(_))
    ));
}

/// A password reset ends the account's sessions at once where it happens, and on another
/// instance within its session check interval (1 s here).
#[tokio::test]
async fn a_reset_ends_sessions_on_another_instance() {
    use minijira::accounts::api::ListPeople;
    let state = state().await;
    let store = state.kit.store.clone();
    let app = minijira::server::router::router(state);
    let other = crate::hardening::second_instance(store.table()).await;
    let handle = unique("rsi");
    let cookie = signed_up(&app, &handle).await;
    let email = format!("{handle}@example.org");
    let path = <ListPeople as leptos::server_fn::ServerFn>::PATH;
    let list = |app: &axum::Router| {
        let (app, cookie) = (app.clone(), cookie.clone());
        async move {
            send(&app, call(path, &[("q", "")], Some(&cookie)))
                .await
                .status
                .as_u16()
        }
    };
    assert_eq!(list(&other).await, 200);
    rules::forgot_password(&store, store.detached(), "http://app", "10.4.0.1", &email)
        .await
        .unwrap();
    let token = reset_link(&store, &email).await;
    let reset = send(
        &app,
        call(
            <minijira::accounts::api::ResetPassword as leptos::server_fn::ServerFn>::PATH,
            &[
                ("token", token.as_str()),
                ("password", "a-new-horse-staple-7"),
            ],
            None,
        ),
    )
    .await;
    assert!(
        reset.status.is_success() || reset.status.is_redirection(),
        "{}",
        reset.status
    );
    assert_eq!(list(&app).await, 401, "at once where it happened");
    let mut ended = false;
    for _ in 0..40 {
        if list(&other).await == 401 {
            ended = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ended, "the other instance ends it within its interval");
}
