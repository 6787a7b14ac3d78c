//! Issue #21, "Found in review": each test pins one defect the review found (its item number in
//! the test's comment), and failed before its fix.

use crate::common::*;
use crate::hardening::demo_cookie;
use leptos::server_fn::ServerFn;
use minijira::accounts::api::SignIn;
use minijira::projects::api as projects;
use minijira::server::router::router;

/// The router on a fresh table with the demo data, built from `state`.
async fn demo(state: minijira::server::state::AppState) -> axum::Router {
    minijira::server::seed::load_demo_once(&state.kit.store)
        .await
        .expect("demo data");
    router(state)
}

/// A fresh table with the demo data, its DEMO project, and alice (its manager).
async fn demo_project() -> (
    minijira::server::state::AppState,
    minijira::projects::model::ProjectKey,
    minijira::accounts::store::User,
) {
    let state = state().await;
    minijira::server::seed::load_demo_once(&state.kit.store)
        .await
        .expect("demo data");
    let alice = crate::hardening::ids_of(&state.kit.store, &["alice"]).await["alice"].clone();
    let key = minijira::projects::model::ProjectKey::parse("DEMO").unwrap();
    (state, key, alice)
}

/// The nonce a response's Content-Security-Policy admits.
fn policy_nonce(reply: &Reply) -> String {
    let policy = reply.header("content-security-policy").unwrap_or("");
    policy
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap_or_else(|| panic!("no nonce in the policy: {policy}"))
        .to_owned()
}

/// Item 1: a request the router did not match adds no metric series, whatever its status: a
/// thousand cross-site POSTs to random `/api/` paths (each refused, 403) leave the series as
/// they were.
#[tokio::test]
async fn unmatched_paths_add_no_metric_series() {
    minijira::server::metrics::install().expect("the recorder installs");
    let app = router(state().await);
    let series = || {
        minijira::server::metrics::render()
            .lines()
            .filter(|l| l.starts_with("http_requests_total{"))
            .count()
    };
    let marker = unique("zzseries");
    let filler = "x".repeat(16 * 1024);
    let before = series();
    for i in 0..1000 {
        let req = http::Request::post(format!("/api/{marker}_{i}_{filler}"))
            .header("host", "app.example")
            .header("origin", "https://evil.example")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(send(&app, req).await.status, 403);
    }
    let text = minijira::server::metrics::render();
    let labelled = text.lines().filter(|l| l.contains(&marker)).count();
    let after = series();
    assert_eq!(
        labelled, 0,
        "series labelled with a request's path: {labelled} (series {before} -> {after})"
    );
    // Other tests of this binary record requests at the same time: a few new series are
    // theirs; a thousand would be ours.
    assert!(after < before + 50, "series {before} -> {after}");
}

/// Item 2: behind a load balancer that appends the client's address to X-Forwarded-For, a
/// forged first entry does not give an attacker a fresh per-address counter: ten wrong
/// passwords on ten accounts from one real address, each with a new forged entry, and the
/// eleventh attempt is refused.
#[tokio::test]
async fn a_forged_forwarded_for_does_not_escape_the_address_limit() {
    let app = router(state_with_args(&["--trust-proxy"]).await);
    let marker = unique("spray");
    let attempt = |i: u32| {
        let email = format!("{marker}{i}@example.org");
        let mut req = call(
            SignIn::PATH,
            &[("email", &email), ("password", "wrong-password-1")],
            None,
        );
        // What an ALB forwards: the client's own header, then the address it saw.
        req.headers_mut().insert(
            "x-forwarded-for",
            format!("10.9.{}.{}, 203.0.113.77", i / 250, i % 250)
                .parse()
                .unwrap(),
        );
        req
    };
    for i in 0..10 {
        let reply = send(&app, attempt(i)).await;
        assert_eq!(reply.status, 401, "attempt {i}: {}", reply.body);
    }
    let reply = send(&app, attempt(10)).await;
    assert_eq!(
        reply.status, 429,
        "the eleventh attempt from 203.0.113.77: {}",
        reply.body
    );
}

/// Item 3: page text cannot choose the CSP nonce. A task titled `x nonce="e"` (before the
/// page's scripts) and an `?error=` saying ` nonce="e"`: the policy names the nonce the page's
/// scripts carry, and the copy served from the cache is the rendered page, nonce aside.
#[tokio::test]
async fn page_text_cannot_choose_the_nonce() {
    let app = demo(state().await).await;
    let cookie = demo_cookie(&app, "alice").await;
    let title = r#"x nonce="e""#;
    let reply = send(
        &app,
        call(
            projects::CreateTask::PATH,
            &[
                ("key", "DEMO"),
                ("seen_seq", ""),
                ("title", title),
                ("description", ""),
                ("story", ""),
                ("assignee", ""),
                ("start_date", ""),
                ("end_date", ""),
                ("status", "TODO"),
            ],
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    for path in [
        "/p/DEMO/backlog",
        "/p/DEMO/backlog?error=%20nonce%3D%22e%22",
    ] {
        let first = send(&app, get(path, Some(&cookie))).await;
        let again = send(&app, get(path, Some(&cookie))).await;
        assert_eq!(
            (first.status.as_u16(), again.status.as_u16()),
            (200, 200),
            "{path}"
        );
        assert!(
            again
                .header("server-timing")
                .is_some_and(|t| t.contains("cache;desc=\"hit\"")),
            "{path}: the second view is served from the cache"
        );
        for reply in [&first, &again] {
            let nonce = policy_nonce(reply);
            assert!(
                nonce.len() >= 16 && reply.body.contains(&format!(" nonce=\"{nonce}\"")),
                "{path}: the policy admits 'nonce-{nonce}', which the page's scripts do not carry"
            );
        }
        let (n1, n2) = (policy_nonce(&first), policy_nonce(&again));
        assert_eq!(
            again.body.replace(&n2, "NONCE"),
            first.body.replace(&n1, "NONCE"),
            "{path}: the cached copy differs from the page"
        );
    }
}

/// Item 5: a flood of health checks does not become a flood of DescribeTable calls: a hundred
/// requests make at most one.
#[tokio::test]
async fn health_checks_are_cached() {
    let app = router(state().await);
    let mut calls = 0;
    for _ in 0..100 {
        let reply = send(&app, get("/healthz", None)).await;
        assert_eq!(reply.status, 200);
        calls += ddb_calls(&reply);
    }
    assert!(calls <= 1, "100 health checks made {calls} DynamoDB calls");
}

/// Item 8: starting a conversation whose transaction never commits (it loses every race) is
/// an error the person sees, not the id of a conversation that does not exist.
#[tokio::test]
async fn starting_a_conversation_that_never_commits_is_refused() {
    use crate::faulty::*;
    use minijira::accounts::model::PersonRef;
    let state = state().await;
    let me = user(&state.kit.store, "cva").await;
    let other = user(&state.kit.store, "cvb").await;
    let faults = std::sync::Arc::new(Faults::default());
    faults.add("TransactWriteItems", "", Fault::Conflict, usize::MAX);
    let faulty = faulty_store(&state.kit.store, faults.clone()).await;
    let started =
        minijira::messages::rules::start(&faulty, &PersonRef::from(&me), &PersonRef::from(&other))
            .await;
    assert!(faults.injected() > 1, "the transaction was tried again");
    match started {
        Err(minijira::error::AppError::Conflict(m)) => assert_eq!(
            m,
            "Too many changes at once: the conversation was not started. Try again."
        ),
        other => panic!("expected a busy refusal, got {other:?}"),
    }
}

/// Item 10: when DynamoDB applies a numbering write and its answer is lost (so the SDK sends
/// it again), task numbers still have no gaps: ten tasks, each with the first attempt of its
/// writes answered by a timeout, take the next ten numbers.
#[tokio::test]
async fn task_numbers_have_no_gaps_when_answers_are_lost() {
    use crate::faulty::*;
    use minijira::projects::rules;
    let (state, key, alice) = demo_project().await;
    let alice = alice.person();
    let first = rules::create_task(
        &state.kit.store,
        &key,
        &alice,
        crate::projects::fields("t0"),
        None,
    )
    .await
    .unwrap()
    .number;
    let faults = std::sync::Arc::new(Faults::default());
    let faulty = faulty_store(&state.kit.store, faults.clone()).await;
    let mut numbers = Vec::new();
    for i in 1..=10u32 {
        faults.add("UpdateItem", "P#DEMO", Fault::TimeoutAfterApply, 1);
        faults.add("TransactWriteItems", "P#DEMO", Fault::TimeoutAfterApply, 1);
        // Half of them name the number the page saw, half do not.
        let seen = (i % 2 == 0).then_some(first + i - 1);
        let task = rules::create_task(
            &faulty,
            &key,
            &alice,
            crate::projects::fields(&format!("t{i}")),
            seen,
        )
        .await
        .unwrap_or_else(|e| panic!("task {i}: {e:?}"));
        numbers.push(task.number);
    }
    assert!(faults.injected() >= 10, "{} faults", faults.injected());
    let expected: Vec<u32> = (first + 1..=first + 10).collect();
    assert_eq!(numbers, expected, "task numbers after lost answers");
    let next = rules::create_task(
        &state.kit.store,
        &key,
        &alice,
        crate::projects::fields("t11"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(next.number, first + 11, "no number was taken twice or lost");
}

/// Item 10: the sign-in throttle counts each attempt once when the answer to a counter write
/// is lost and the SDK sends it again: exactly `LIMIT` wrong passwords are evaluated, the rest
/// refused.
#[tokio::test]
async fn the_sign_in_throttle_counts_each_attempt_once_under_retries() {
    use crate::faulty::*;
    use minijira::accounts::rules::{sign_in_from, LIMIT};
    use minijira::error::AppError;
    let state = state().await;
    let form = signup_form(&unique("retry"));
    minijira::accounts::rules::sign_up(&state.kit.store, "http://app", &form)
        .await
        .unwrap();
    let faults = std::sync::Arc::new(Faults::default());
    faults.add(
        "UpdateItem",
        "THROTTLE#",
        Fault::TimeoutAfterApply,
        usize::MAX,
    );
    let faulty = faulty_store(&state.kit.store, faults.clone()).await;
    let (mut evaluated, mut refused) = (0, 0);
    for i in 0..20 {
        let addr = format!("10.3.0.{i}");
        match sign_in_from(&faulty, &addr, &form.email, "wrong-password-1").await {
            Err(AppError::InvalidCredentials) => evaluated += 1,
            Err(AppError::TooManyRequests(_)) => refused += 1,
            other => panic!("attempt {i}: {other:?}"),
        }
    }
    assert!(faults.injected() >= 10, "{} faults", faults.injected());
    assert_eq!(
        (evaluated, refused),
        (LIMIT, 20 - LIMIT),
        "(evaluated, refused) under a limit of {LIMIT}"
    );
}

/// Item 7: an edit cannot assign a member who was removed while it was being saved: the
/// assignee's membership is a condition of the edit's own transaction. Here bob is removed from
/// DEMO just before the edit's transaction is sent; the edit is refused with the reason, and
/// the task is left as it was.
#[tokio::test]
async fn an_edit_cannot_assign_a_member_removed_meanwhile() {
    use crate::faulty::*;
    use minijira::projects::model::Seen;
    use minijira::projects::rules;
    let (state, key, alice) = demo_project().await;
    let bob = crate::hardening::ids_of(&state.kit.store, &["bob"]).await["bob"]
        .id
        .clone();
    let task = rules::create_task(
        &state.kit.store,
        &key,
        &alice.person(),
        crate::projects::fields("t"),
        None,
    )
    .await
    .unwrap();

    let faults = std::sync::Arc::new(Faults::default());
    let hook: Hook = {
        let (store, key, alice, bob) = (
            state.kit.store.clone(),
            key.clone(),
            alice.id.clone(),
            bob.clone(),
        );
        std::sync::Arc::new(move || {
            let (store, key, alice, bob) = (store.clone(), key.clone(), alice.clone(), bob.clone());
            Box::pin(async move {
                rules::remove_member(&store, &key, &alice, &bob)
                    .await
                    .expect("bob removed");
            })
        })
    };
    // The edit's transaction is the one call that names bob.
    faults.add("TransactWriteItems", &bob, Fault::Before(hook), 1);
    let faulty = faulty_store(&state.kit.store, faults.clone()).await;
    let mut fields = crate::projects::fields("t, for bob");
    fields.assignee = Some(bob.clone());
    let edited = rules::edit_task(
        &faulty,
        &key,
        task.number,
        &alice.person(),
        fields,
        Seen {
            version: task.version,
            status: task.status,
        },
    )
    .await;
    assert_eq!(faults.injected(), 1, "bob was removed during the edit");
    assert_eq!(
        edited.map(|_| "saved"),
        Err(minijira::error::AppError::validation(
            "The assignee must be a member of the project."
        ))
    );
    let now = minijira::projects::store::get_task(&state.kit.store, &key, task.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((now.assignee, now.version), (None, task.version));
}

/// Opens `GET /live` for `cookie` through the router; its body.
async fn open_live(app: &axum::Router, cookie: &str) -> axum::body::Body {
    use tower::ServiceExt;
    let req = http::Request::get("/live")
        .header("accept", "text/event-stream")
        .header("cookie", cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.expect("router answers");
    assert_eq!(res.status(), 200);
    res.into_body()
}

/// Whether a live stream's body ends within `wait` (events it sends meanwhile are skipped).
async fn ends_within(body: &mut axum::body::Body, wait: std::time::Duration) -> bool {
    use http_body_util::BodyExt;
    let until = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(until, body.frame()).await {
            Err(_) => return false,
            Ok(None) | Ok(Some(Err(_))) => return true,
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// Item 4: signing out ends the person's open live streams on this instance at once.
#[tokio::test]
async fn signing_out_ends_live_streams_at_once() {
    let app = router(state().await);
    let cookie = signed_up(&app, &unique("lso")).await;
    let mut stream = open_live(&app, &cookie).await;
    assert!(
        !ends_within(&mut stream, std::time::Duration::from_millis(300)).await,
        "the stream is open"
    );
    let out = send(
        &app,
        call(minijira::accounts::api::SignOut::PATH, &[], Some(&cookie)),
    )
    .await;
    assert!(out.status.as_u16() < 400, "{} {}", out.status, out.body);
    assert!(
        ends_within(&mut stream, std::time::Duration::from_secs(2)).await,
        "the stream outlived the sign-out"
    );
}

/// Item 4: a stream is judged by the session guard as pages are: an account deactivated
/// elsewhere (another instance, here the store directly) loses its streams within the guard's
/// interval (1 s here; at most 30 s).
#[tokio::test]
async fn live_streams_end_within_the_guard_interval_when_the_account_is_deactivated() {
    let state = state_with_args(&["--session-check-seconds", "1"]).await;
    let store = state.kit.store.clone();
    let app = router(state);
    let handle = unique("lde");
    let cookie = signed_up(&app, &handle).await;
    let mut stream = open_live(&app, &cookie).await;
    let user = minijira::accounts::store::by_handle(
        &store,
        &minijira::accounts::model::Handle::parse(&handle).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    minijira::accounts::store::set_status(
        &store,
        &user,
        minijira::accounts::model::AccountStatus::Deactivated,
    )
    .await
    .unwrap();
    assert!(
        ends_within(&mut stream, std::time::Duration::from_secs(5)).await,
        "a deactivated account's stream is still open after 5 s"
    );
}

/// Item 4: at most 20 open streams per person: the 21st closes the oldest.
#[tokio::test]
async fn a_person_has_at_most_twenty_live_streams() {
    let app = router(state().await);
    let cookie = signed_up(&app, &unique("lcap")).await;
    let mut streams = Vec::new();
    for _ in 0..21 {
        streams.push(open_live(&app, &cookie).await);
    }
    let short = std::time::Duration::from_millis(500);
    assert!(
        ends_within(&mut streams[0], std::time::Duration::from_secs(2)).await,
        "the oldest of 21 streams is still open"
    );
    for (i, s) in streams.iter_mut().enumerate().skip(1) {
        assert!(!ends_within(s, short).await, "stream {i} ended");
    }
}

/// The `Set-Cookie` header of `reply` that sets a session (any name), if any.
fn set_session(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("mj_session=") && !v.contains("mj_session=;"))
        .map(str::to_owned)
}

/// Item 6: with secure cookies, the session cookie is `__Host-` prefixed (so neither a sibling
/// subdomain nor plain HTTP can set one), the one read; a request carrying two is refused;
/// responses say Strict-Transport-Security.
#[tokio::test]
async fn secure_sessions_use_a_host_cookie_and_hsts() {
    let app = router(state_with_args(&["--secure-cookies"]).await);
    let handle = unique("hc");
    let reply = send(
        &app,
        call(
            minijira::accounts::api::SignUp::PATH,
            &[
                ("email", &format!("{handle}@example.org")),
                ("handle", &handle),
                ("display_name", "Host Cookie"),
                ("password", "correct-horse-battery-9"),
                ("kind", "member"),
                ("next", ""),
            ],
            None,
        ),
    )
    .await;
    let set = set_session(&reply).expect("a session cookie");
    assert!(
        set.starts_with("__Host-mj_session=")
            && set.contains("; Secure")
            && set.contains("Path=/")
            && !set.contains("Domain"),
        "{set}"
    );
    let pair = set.split(';').next().unwrap().to_owned();
    let token = pair.split_once('=').unwrap().1.to_owned();
    let people = send(&app, get("/people", Some(&pair))).await;
    assert_eq!(people.status, 200, "the __Host- cookie is the session");
    assert!(
        people
            .header("strict-transport-security")
            .is_some_and(|h| h.contains("max-age=")),
        "HSTS with secure cookies"
    );
    // The unprefixed name is not read when cookies are secure.
    let plain = send(&app, get("/people", Some(&format!("mj_session={token}")))).await;
    assert_eq!(plain.status, 302, "an unprefixed cookie is no session");
    // Two session cookies (one tossed in by someone else): refused, whichever is good.
    let two = format!("{pair}; __Host-mj_session=forged.token.value");
    let refused = send(&app, get("/people", Some(&two))).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
}

/// Item 6: a link cannot put words in the app's mouth: `?error=` text the app did not write is
/// not shown, while a refused form post still shows its own message on the page it returns to.
#[tokio::test]
async fn only_the_apps_own_errors_are_shown_after_a_redirect() {
    let app = router(state().await);
    let forged = send(
        &app,
        get(
            "/signin?error=Your%20account%20is%20locked.%20Call%20555-0100",
            None,
        ),
    )
    .await;
    assert_eq!(forged.status, 200);
    assert!(
        !forged.body.contains("555-0100"),
        "a link's ?error= text is shown"
    );
    assert!(!forged.body.contains("data-testid=\"form-error\""));

    // A plain (no JavaScript) sign-in post with a wrong password: back to the form, with the
    // app's message.
    let body = form_body(&[
        ("email", "nobody-here@example.org"),
        ("password", "wrong-password-1"),
    ]);
    let req = http::Request::post(SignIn::PATH)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", "http://localhost/signin")
        .body(axum::body::Body::from(body))
        .unwrap();
    let posted = send(&app, req).await;
    assert!(posted.status.is_redirection(), "{}", posted.status);
    let back = posted.header("location").expect("a redirect").to_owned();
    assert!(back.starts_with("/signin?"), "{back}");
    let page = send(&app, get(&back, None)).await;
    assert!(
        page.body.contains("data-testid=\"form-error\"")
            && page.body.contains("Wrong email or password."),
        "{back}: the app's message is shown"
    );
}

/// Item 10: sprint numbers, like task numbers, have no gaps when the answer to a numbering
/// write is lost and the SDK sends it again.
#[tokio::test]
async fn sprint_numbers_have_no_gaps_when_answers_are_lost() {
    use crate::faulty::*;
    use minijira::projects::model::SprintForm;
    use minijira::projects::rules;
    let (state, key, alice) = demo_project().await;
    let alice = alice.person();
    let form = |i: u32| SprintForm {
        key: "DEMO".into(),
        name: format!("Review sprint {i}"),
        goal: String::new(),
        start: "2030-01-01".into(),
        end: "2030-01-14".into(),
    };
    let first = rules::create_sprint(&state.kit.store, &key, &alice, &form(0))
        .await
        .unwrap()
        .number;
    let faults = std::sync::Arc::new(Faults::default());
    let faulty = faulty_store(&state.kit.store, faults.clone()).await;
    let mut numbers = Vec::new();
    for i in 1..=5u32 {
        faults.add("UpdateItem", "P#DEMO", Fault::TimeoutAfterApply, 1);
        faults.add("TransactWriteItems", "P#DEMO", Fault::TimeoutAfterApply, 1);
        let sprint = rules::create_sprint(&faulty, &key, &alice, &form(i))
            .await
            .unwrap_or_else(|e| panic!("sprint {i}: {e:?}"));
        numbers.push(sprint.number);
    }
    assert!(faults.injected() >= 5, "{} faults", faults.injected());
    assert_eq!(numbers, (first + 1..=first + 5).collect::<Vec<_>>());
}
