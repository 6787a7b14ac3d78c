//! Accounts against DynamoDB Local: sign-up, sign-in, uniqueness under concurrency,
//! deactivation, and directory paging.

use crate::common::*;
use minijira::accounts::model::{AccountStatus, Email, Handle, SignUpForm};
use minijira::accounts::rules::{self, sign_in};
use minijira::accounts::store::{self as users, Refused, User};
use minijira::db::{Refusal, Store};
use minijira::error::AppError;

async fn sign_up(store: &Store, form: SignUpForm) -> Result<User, AppError> {
    rules::sign_up(store, "http://app", &form).await
}
use std::collections::HashSet;

#[tokio::test]
async fn sign_up_then_sign_in() {
    let store = store().await;
    let form = signup_form("ann");
    let user = sign_up(
        &store,
        SignUpFormExt::with_email(form.clone(), " Ann@Example.ORG "),
    )
    .await
    .unwrap();
    assert_eq!(user.email, "ann@example.org");
    assert_eq!(user.handle, "ann");
    assert_eq!(user.status, AccountStatus::Unverified);
    assert!(!user.is_admin, "admin is never self-assigned");

    let signed = sign_in(&store, "ANN@example.org", &form.password)
        .await
        .unwrap();
    assert_eq!(signed.id, user.id);

    assert_eq!(
        sign_in(&store, "ann@example.org", "wrong-password-1")
            .await
            .unwrap_err(),
        AppError::InvalidCredentials
    );
    assert_eq!(
        sign_in(&store, "nobody@example.org", &form.password)
            .await
            .unwrap_err(),
        AppError::InvalidCredentials,
        "an unknown email gets the same answer as a wrong password"
    );
    assert_eq!(
        sign_in(&store, "not an email", "x").await.unwrap_err(),
        AppError::InvalidCredentials
    );

    // The stored hash is Argon2id; the password is nowhere in clear.
    let login = users::login_record(&store, &Email::parse("ann@example.org").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(login.password_hash.starts_with("$argon2id$"));
    assert!(!login.password_hash.contains(&form.password));
}

trait SignUpFormExt {
    fn with_email(self, email: &str) -> Self;
}
impl SignUpFormExt for SignUpForm {
    fn with_email(mut self, email: &str) -> Self {
        self.email = email.to_owned();
        self
    }
}

#[tokio::test]
async fn duplicate_email_and_handle_are_refused_with_the_right_message() {
    let store = store().await;
    sign_up(&store, signup_form("bea")).await.unwrap();

    let mut same_email = signup_form("bea2");
    same_email.email = "BEA@example.org".into();
    match sign_up(&store, same_email).await {
        Err(AppError::Conflict(msg)) => assert!(msg.contains("email"), "{msg}"),
        other => panic!("expected an email conflict, got {other:?}"),
    }

    let mut same_handle = signup_form("bea");
    same_handle.email = "other@example.org".into();
    match sign_up(&store, same_handle).await {
        Err(AppError::Conflict(msg)) => assert!(msg.contains("handle"), "{msg}"),
        other => panic!("expected a handle conflict, got {other:?}"),
    }
    assert_eq!(count_pk_prefix(&store, "USER#").await, 1);
}

#[tokio::test]
async fn invalid_sign_ups_are_refused_before_any_write() {
    let store = store().await;
    let mut weak = signup_form("cid");
    weak.password = "short".into();
    assert!(
        matches!(sign_up(&store, weak).await, Err(AppError::Validation(m)) if m.contains("weak"))
    );
    let mut admin_kind = signup_form("cid");
    admin_kind.kind = "admin".into();
    assert!(matches!(
        sign_up(&store, admin_kind).await,
        Err(AppError::Validation(_))
    ));
    let mut bad_handle = signup_form("cid");
    bad_handle.handle = "no spaces".into();
    assert!(matches!(
        sign_up(&store, bad_handle).await,
        Err(AppError::Validation(_))
    ));
    assert_eq!(count_pk_prefix(&store, "USER#").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_sign_ups_with_one_email_make_one_account() {
    let store = store().await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let store = store.clone();
        let mut form = signup_form(&format!("racer{i}"));
        form.email = "race@example.org".into();
        tasks.push(tokio::spawn(async move { sign_up(&store, form).await }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            // The losers are told the email is taken (not "busy", not anything else).
            Err(AppError::Conflict(m)) => assert_eq!(
                m,
                "An account with this email already exists. Sign in instead."
            ),
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(ok, 1, "exactly one sign-up wins");
    assert_eq!(count_pk_prefix(&store, "USER#").await, 1, "one account");
    assert_eq!(
        count_pk_prefix(&store, "EMAIL#").await,
        1,
        "one email guard"
    );
    assert_eq!(
        count_pk_prefix(&store, "HANDLE#").await,
        1,
        "losers left no handle guard"
    );
}

#[tokio::test]
async fn a_deactivated_account_cannot_sign_in() {
    let store = store().await;
    let form = signup_form("dora");
    let user = sign_up(&store, form.clone()).await.unwrap();
    users::set_status(&store, &user, AccountStatus::Deactivated)
        .await
        .unwrap();
    assert_eq!(
        sign_in(&store, &form.email, &form.password)
            .await
            .unwrap_err(),
        AppError::Deactivated
    );
    // A stale version is detected, not overwritten.
    assert!(matches!(
        users::set_status(&store, &user, AccountStatus::Verified).await,
        Err(Refusal::Refused(Refused::Changed))
    ));
}

#[tokio::test]
async fn directory_paging_returns_every_user_exactly_once() {
    let store = store().await;
    let mut expected = HashSet::new();
    for i in 0..23 {
        let u = sign_up(&store, signup_form(&format!("pg{i:02}x")))
            .await
            .unwrap();
        expected.insert(u.handle);
    }
    sign_up(&store, signup_form("other")).await.unwrap();

    for (prefix, want) in [
        ("pg", expected.clone()),
        ("", {
            let mut all = expected.clone();
            all.insert("other".into());
            all
        }),
    ] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = users::directory(&store, prefix, cursor.as_deref(), 5)
                .await
                .unwrap();
            assert!(page.items.len() <= 5);
            seen.extend(page.items.into_iter().map(|p| p.handle));
            pages += 1;
            match page.next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let unique: HashSet<_> = seen.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "no user twice (prefix {prefix:?})"
        );
        assert_eq!(unique, want, "every user (prefix {prefix:?})");
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "in handle order");
        assert!(pages >= want.len() / 5, "paged");
    }

    assert!(matches!(
        rules::directory(&store, "", Some("garbage!"), 5).await,
        Err(AppError::Validation(_))
    ));
    let found = users::by_handle(&store, &Handle::parse("pg07x").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.handle, "pg07x");
}

#[tokio::test]
async fn admin_is_granted_by_the_cli_path_only() {
    let store = store().await;
    let user = sign_up(&store, signup_form("eve")).await.unwrap();
    let email = Email::parse(&user.email).unwrap();
    assert!(users::set_admin(&store, &email, true).await.unwrap());
    assert!(
        users::get(&store, &user.id)
            .await
            .unwrap()
            .unwrap()
            .is_admin
    );
    assert!(users::set_admin(&store, &email, false).await.unwrap());
    assert!(
        !users::get(&store, &user.id)
            .await
            .unwrap()
            .unwrap()
            .is_admin
    );
    assert!(
        !users::set_admin(&store, &Email::parse("ghost@example.org").unwrap(), true)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn the_eleventh_wrong_password_in_a_minute_is_refused() {
    use minijira::accounts::rules::sign_in_from;
    let store = store().await;
    let form = signup_form("thr");
    sign_up(&store, form.clone()).await.unwrap();

    // Per account: ten failures from ten addresses; the eleventh attempt is refused, even with
    // the right password.
    for i in 0..10 {
        let e = sign_in_from(
            &store,
            &format!("10.0.0.{i}"),
            &form.email,
            "wrong-password-1",
        )
        .await
        .unwrap_err();
        assert_eq!(e, AppError::InvalidCredentials);
    }
    match sign_in_from(&store, "10.0.1.1", &form.email, &form.password).await {
        Err(AppError::TooManyRequests(m)) => assert!(m.contains("Wait a minute"), "{m}"),
        other => panic!("expected throttling, got {other:?}"),
    }

    // Per address: ten failures on ten other accounts from one address; the eleventh is refused.
    for i in 0..10 {
        let e = sign_in_from(
            &store,
            "192.0.2.7",
            &format!("nobody{i}@example.org"),
            "wrong-password-1",
        )
        .await;
        assert_eq!(e.unwrap_err(), AppError::InvalidCredentials);
    }
    let other = signup_form("thr2");
    sign_up(&store, other.clone()).await.unwrap();
    assert_eq!(
        sign_in_from(&store, "192.0.2.7", &other.email, &other.password)
            .await
            .map(|_| ()),
        Err(AppError::TooManyRequests(
            "Too many failed sign-ins. Wait a minute, then try again.".into()
        ))
    );
    // Another address is not affected, and successes do not count.
    for _ in 0..12 {
        sign_in_from(&store, "192.0.2.8", &other.email, &other.password)
            .await
            .unwrap();
    }
    assert_eq!(AppError::TooManyRequests(String::new()).status(), 429);
}
