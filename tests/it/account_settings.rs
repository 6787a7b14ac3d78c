//! `/account` (issue 23): display name, password change ending the other sessions on every
//! instance, and the email change that takes effect when its link is opened — with a sign-up of
//! the same address racing it, exactly one of them owns the address.

use crate::common::*;
use chrono::{Duration, Utc};
use minijira::accounts::model::{EmailForm, NameForm, PasswordForm, SignUpForm};
use minijira::accounts::rules;
use minijira::accounts::store as users;
use minijira::db::outbox::{self, Recipient};
use minijira::db::Store;
use minijira::error::AppError;

const PASSWORD: &str = "correct-horse-battery-9";

/// The token of the newest link mailed to `email` with a subject starting with `subject`.
async fn token_to(store: &Store, email: &str, subject: &str) -> String {
    let far = Utc::now() + Duration::days(3650);
    let mails = outbox::due(store, far, 200).await.unwrap();
    let mail = mails
        .iter()
        .filter(|m| m.to == Recipient::Address(email.to_owned()) && m.subject.starts_with(subject))
        .max_by_key(|m| m.created_at)
        .expect("a link was mailed");
    let at = mail.text.find("token=").unwrap() + "token=".len();
    mail.text[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_display_name_changes() {
    let store = store().await;
    let me = user(&store, "nm").await;
    let form = NameForm {
        display_name: "  Ann   Other ".into(),
    };
    let user = rules::change_name(&store, &me, &form).await.unwrap();
    assert_eq!(user.display_name, "Ann Other");
    assert!(matches!(
        rules::change_name(
            &store,
            &me,
            &NameForm {
                display_name: "".into()
            }
        )
        .await,
        Err(AppError::Validation(_))
    ));
    let page = rules::account_page(&store, &me, None).await.unwrap();
    assert_eq!(page.display_name, "Ann Other");
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_moves_the_epoch() {
    let store = store().await;
    let me = user(&store, "pw").await;
    let email = format!("{}@example.org", me.handle);
    let wrong = PasswordForm {
        current: "not-it-at-all-1".into(),
        password: "a-new-horse-staple-7".into(),
    };
    match rules::change_password(&store, &me, None, &wrong).await {
        Err(AppError::Validation(m)) => assert!(m.contains("current password"), "{m}"),
        other => panic!("a wrong current password is refused, got {other:?}"),
    }
    let before = users::get(&store, &me.id).await.unwrap().unwrap();
    let form = PasswordForm {
        current: PASSWORD.into(),
        password: "a-new-horse-staple-7".into(),
    };
    let after = rules::change_password(&store, &me, None, &form)
        .await
        .unwrap();
    assert_eq!(after.session_epoch, before.session_epoch + 1);
    assert!(matches!(
        rules::sign_in(&store, &email, PASSWORD).await,
        Err(AppError::InvalidCredentials)
    ));
    rules::sign_in(&store, &email, "a-new-horse-staple-7")
        .await
        .unwrap();
}

/// Two sessions of one account, on two instances: changing the password in one ends the other
/// at once on this instance and within the check interval (1 s here) on the other; the session
/// that changed it goes on.
#[tokio::test]
async fn a_password_change_ends_my_other_sessions_everywhere() {
    use leptos::server_fn::ServerFn;
    use minijira::accounts::api::{ChangePassword, ListPeople, SignIn};
    let state = state().await;
    let store = state.kit.store.clone();
    let app = minijira::server::router::router(state);
    let other = crate::hardening::second_instance(store.table()).await;
    let handle = unique("pws");
    let first = signed_up(&app, &handle).await;
    let email = format!("{handle}@example.org");
    let second = {
        let reply = send(
            &app,
            call(
                SignIn::PATH,
                &[("email", email.as_str()), ("password", PASSWORD)],
                None,
            ),
        )
        .await;
        session_cookie(&reply).unwrap()
    };
    let list = |app: &axum::Router, cookie: &str| {
        let (app, cookie) = (app.clone(), cookie.to_owned());
        async move {
            send(&app, call(ListPeople::PATH, &[("q", "")], Some(&cookie)))
                .await
                .status
                .as_u16()
        }
    };
    assert_eq!(list(&other, &second).await, 200);
    let changed = send(
        &app,
        call(
            ChangePassword::PATH,
            &[("current", PASSWORD), ("password", "a-new-horse-staple-7")],
            Some(&first),
        ),
    )
    .await;
    assert!(
        changed.status.is_success() || changed.status.is_redirection(),
        "{}",
        changed.status
    );
    let renewed = session_cookie(&changed).expect("the session that changed it gets a new token");
    assert_eq!(list(&app, &renewed).await, 200, "this session goes on");
    assert_eq!(
        list(&app, &second).await,
        401,
        "the other ends at once here"
    );
    let mut ended = false;
    for _ in 0..40 {
        if list(&other, &second).await == 401 {
            ended = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ended, "and within the interval on the other instance");
}

#[tokio::test]
async fn an_email_change_takes_effect_when_its_link_is_opened() {
    let store = store().await;
    let me = user(&store, "em").await;
    let old = format!("{}@example.org", me.handle);
    let new = format!("{}@example.net", unique("newaddr"));
    let wrong = EmailForm {
        email: new.clone(),
        password: "not-it-at-all-1".into(),
    };
    assert!(matches!(
        rules::ask_email_change(&store, "http://app", &me, &wrong).await,
        Err(AppError::Validation(_))
    ));
    let form = EmailForm {
        email: new.clone(),
        password: PASSWORD.into(),
    };
    rules::ask_email_change(&store, "http://app", &me, &form)
        .await
        .unwrap();
    let page = rules::account_page(&store, &me, None).await.unwrap();
    assert_eq!(
        page.email, old,
        "the address stays until the link is opened"
    );
    assert_eq!(page.pending_email.as_deref(), Some(new.as_str()));
    rules::sign_in(&store, &old, PASSWORD).await.unwrap();

    let token = token_to(&store, &new, "Confirm your new email address").await;
    let user = rules::confirm_email(&store, &token).await.unwrap();
    assert_eq!(user.email, new);
    assert!(user.email_confirmed && user.pending_email.is_none());
    rules::sign_in(&store, &new, PASSWORD).await.unwrap();
    assert!(matches!(
        rules::sign_in(&store, &old, PASSWORD).await,
        Err(AppError::InvalidCredentials)
    ));
    // The old address is free again.
    let mut again = signup_form(&unique("reuse"));
    again.email = old.clone();
    rules::sign_up(&store, "http://app", &again).await.unwrap();
    // The link works once.
    assert!(matches!(
        rules::confirm_email(&store, &token).await,
        Err(AppError::Validation(_))
    ));
}

/// A sign-up of the new address and the opening of the change link, at the same moment:
/// exactly one of them gets the address, every time.
#[tokio::test]
async fn an_email_change_racing_a_sign_up_leaves_one_owner() {
    let store = store().await;
    for round in 0..5 {
        let me = user(&store, "race").await;
        let new = format!("{}@example.net", unique(&format!("contested{round}")));
        let form = EmailForm {
            email: new.clone(),
            password: PASSWORD.into(),
        };
        rules::ask_email_change(&store, "http://app", &me, &form)
            .await
            .unwrap();
        let token = token_to(&store, &new, "Confirm your new email address").await;
        let signup = SignUpForm {
            email: new.clone(),
            ..signup_form(&unique("rival"))
        };
        let (changed, signed_up) = tokio::join!(
            rules::confirm_email(&store, &token),
            rules::sign_up(&store, "http://app", &signup)
        );
        assert!(
            changed.is_ok() != signed_up.is_ok(),
            "round {round}: exactly one owner (change: {:?}, sign-up: {:?})",
            changed.as_ref().map(|u| &u.email),
            signed_up.as_ref().map(|u| &u.email)
        );
        let login = users::login_record(
            &store,
            &minijira::accounts::model::Email::parse(&new).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let owner = if changed.is_ok() {
            me.id.clone()
        } else {
            signed_up.unwrap().id
        };
        assert_eq!(login.user_id, owner, "round {round}");
        let mine = users::get(&store, &me.id).await.unwrap().unwrap();
        assert_eq!(mine.email == new, changed.is_ok(), "round {round}");
    }
}

/// Signs in `email` from a browser that says `agent`; its session cookie.
async fn sign_in_as(app: &axum::Router, email: &str, agent: &str) -> String {
    use leptos::server_fn::ServerFn;
    let mut req = call(
        minijira::accounts::api::SignIn::PATH,
        &[("email", email), ("password", PASSWORD)],
        None,
    );
    req.headers_mut()
        .insert(http::header::USER_AGENT, agent.parse().unwrap());
    session_cookie(&send(app, req).await).expect("signed in")
}

/// `ListPeople` as `cookie`: 200 while the session holds, 401 once it is over.
async fn people(app: &axum::Router, cookie: &str) -> u16 {
    use leptos::server_fn::ServerFn;
    let path = minijira::accounts::api::ListPeople::PATH;
    send(app, call(path, &[("q", "")], Some(cookie)))
        .await
        .status
        .as_u16()
}

/// Within 4 s, `cookie` is refused by `app`.
async fn ends(app: &axum::Router, cookie: &str) -> bool {
    for _ in 0..40 {
        if people(app, cookie).await == 401 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";

/// `/account` lists my sessions (this browser first, each by its browser), in two calls; ending
/// one ends it at once here and within the check interval (1 s) on another instance, the others
/// go on; "everywhere else" ends all but this one.
#[tokio::test]
async fn my_sessions_are_listed_and_ended_one_by_one_or_all_others() {
    use leptos::server_fn::ServerFn;
    use minijira::accounts::api::{EndOtherSessions, EndSession};
    let state = state().await;
    let store = state.kit.store.clone();
    let app = minijira::server::router::router(state);
    let other = crate::hardening::second_instance(store.table()).await;
    let me = user(&store, "ses").await;
    let email = format!("{}@example.org", me.handle);
    let laptop = sign_in_as(&app, &email, FIREFOX).await;
    let phone = sign_in_as(&app, &email, SAFARI).await;
    let tablet = sign_in_as(&other, &email, SAFARI).await;
    for cookie in [&laptop, &phone, &tablet] {
        assert_eq!(people(&app, cookie).await, 200);
        assert_eq!(people(&other, cookie).await, 200);
    }
    let _ = send(&app, get("/account", Some(&laptop))).await;
    let page = send(&app, get("/account", Some(&laptop))).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches("data-testid=\"session\"").count(),
        3,
        "three sessions"
    );
    assert!(page.body.contains("Firefox on Linux") && page.body.contains("Safari on iPhone"));
    assert_eq!(page.body.matches("This browser").count(), 1);
    let timing = page.header("server-timing").unwrap_or_default().to_owned();
    assert!(timing.contains("desc=\"2 calls\""), "{timing}");

    let account = rules::account_page(&store, &me, None).await.unwrap();
    let phone_sid = account
        .sessions
        .iter()
        .filter(|s| s.browser == "Safari on iPhone")
        .map(|s| s.sid.clone())
        .min()
        .unwrap();
    let ended = send(
        &app,
        call(
            EndSession::PATH,
            &[("sid", phone_sid.as_str())],
            Some(&laptop),
        ),
    )
    .await;
    assert!(ended.status.as_u16() < 400, "{}", ended.status);
    assert_eq!(people(&app, &phone).await, 401, "ended at once here");
    assert!(ends(&other, &phone).await, "and within the interval there");
    assert_eq!(people(&app, &laptop).await, 200);
    assert_eq!(people(&other, &tablet).await, 200, "the others go on");

    let all = send(&app, call(EndOtherSessions::PATH, &[], Some(&laptop))).await;
    assert!(all.status.as_u16() < 400, "{}", all.status);
    assert!(ends(&other, &tablet).await);
    assert_eq!(people(&app, &laptop).await, 200, "this one goes on");
    let left = rules::account_page(&store, &me, None).await.unwrap();
    assert_eq!(left.sessions.len(), 1);
}

/// Signing out ends this session only (a copy of its cookie too); my other browsers stay signed
/// in.
#[tokio::test]
async fn signing_out_ends_this_session_only() {
    use leptos::server_fn::ServerFn;
    let state = state().await;
    let store = state.kit.store.clone();
    let app = minijira::server::router::router(state);
    let me = user(&store, "out").await;
    let email = format!("{}@example.org", me.handle);
    let laptop = sign_in_as(&app, &email, FIREFOX).await;
    let phone = sign_in_as(&app, &email, SAFARI).await;
    let copy = phone.clone();
    let out = send(
        &app,
        call(minijira::accounts::api::SignOut::PATH, &[], Some(&phone)),
    )
    .await;
    assert!(out.status.as_u16() < 400, "{}", out.status);
    assert_eq!(people(&app, &copy).await, 401);
    assert_eq!(people(&app, &laptop).await, 200);
}
