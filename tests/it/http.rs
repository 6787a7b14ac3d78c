//! The router end to end (without a browser): pages, server functions, middleware.

use crate::common::*;
use leptos::server_fn::ServerFn;
use minijira::accounts::api::{ListPeople, SignIn, SignUp};
use minijira::server::router::router;

#[tokio::test]
async fn pages_report_dynamodb_work_in_server_timing() {
    let app = router(state().await);
    signed_up(&app, "tim").await;
    let reply = send(&app, get("/u/tim", None)).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.body.contains("@tim"),
        "the profile is rendered on the server: {}",
        reply.body
    );
    let timing = reply.header("server-timing").expect("Server-Timing header");
    assert!(timing.starts_with("ddb;dur="), "{timing}");
    assert!(
        timing.contains("desc=\"2 calls\""),
        "profile: the handle, then the profile partition: {timing}"
    );

    let home = send(&app, get("/", None)).await;
    assert_eq!(home.status, 200);
    assert!(home
        .header("server-timing")
        .unwrap()
        .contains("desc=\"0 calls\""));
}

#[tokio::test]
async fn session_cookie_is_http_only_same_site_and_protects_pages() {
    let app = router(state().await);
    let reply = send(
        &app,
        call(
            SignUp::PATH,
            &[
                ("email", "sam@example.org"),
                ("handle", "sam"),
                ("display_name", "Sam"),
                ("password", "correct-horse-battery-9"),
                ("kind", "nanny"),
                ("next", "/people"),
            ],
            None,
        ),
    )
    .await;
    let set_cookie = reply.header("set-cookie").expect("cookie set");
    assert!(
        set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Lax")
            && set_cookie.contains("Max-Age=")
    );
    assert_eq!(
        reply.header("location"),
        Some("/people"),
        "goes back to where it was asked"
    );
    let cookie = session_cookie(&reply).unwrap();

    let people = send(&app, get("/people", Some(&cookie))).await;
    assert_eq!(people.status, 200);
    assert!(people.body.contains("@sam"));

    let anonymous = send(&app, get("/people?q=s", None)).await;
    assert_eq!(anonymous.status, 302);
    assert_eq!(
        anonymous.header("location"),
        Some("/signin?next=/people%3Fq%3Ds")
    );

    let forged = send(
        &app,
        get("/people", Some("mj_session=eyJhbGciOiJIUzI1NiJ9.e30.x")),
    )
    .await;
    assert_eq!(forged.status, 302, "a forged token is no session");

    let api = send(&app, call(ListPeople::PATH, &[("q", "")], None)).await;
    assert_eq!(api.status, 401, "{}", api.body);
}

#[tokio::test]
async fn sign_in_errors_have_status_and_message() {
    let app = router(state().await);
    signed_up(&app, "ivy").await;
    let wrong = send(
        &app,
        call(
            SignIn::PATH,
            &[
                ("email", "ivy@example.org"),
                ("password", "not-the-password-1"),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("InvalidCredentials"), "{}", wrong.body);
    assert!(session_cookie(&wrong).is_none());
    // The message an enhanced form (shell.js) shows in place, percent-encoded.
    assert_eq!(
        wrong.header("x-error"),
        Some("Wrong%20email%20or%20password.")
    );

    let ok = send(
        &app,
        call(
            SignIn::PATH,
            &[
                ("email", "IVY@example.org"),
                ("password", "correct-horse-battery-9"),
            ],
            None,
        ),
    )
    .await;
    assert!(session_cookie(&ok).is_some(), "{} {}", ok.status, ok.body);
    // Where an enhanced form goes next (the server function's redirect, not followed by fetch).
    assert_eq!(ok.header("location"), Some("/"), "{}", ok.body);
    assert!(ok.header("x-error").is_none());

    // A missing argument is the client's fault: 400, never 500.
    let missing = send(
        &app,
        call(SignIn::PATH, &[("email", "ivy@example.org")], None),
    )
    .await;
    assert_eq!(missing.status, 400, "{}", missing.body);

    // Without JavaScript, a failed form post goes back to the form with the message.
    let req = http::Request::post(SignIn::PATH)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("referer", "http://localhost/signin?next=/people")
        .body(axum::body::Body::from(
            "email=ivy%40example.org&password=nope-nope-nope-1",
        ))
        .unwrap();
    let plain = send(&app, req).await;
    assert_eq!(plain.status, 302);
    // The message goes with the app's seal (see review::only_the_apps_own_errors_are_shown…).
    let location = plain.header("location").unwrap_or("");
    assert!(
        location.starts_with("/signin?next=/people&error=Wrong%20email%20or%20password.&es="),
        "{location}"
    );
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = router(state().await);
    let mut req = call(
        SignIn::PATH,
        &[("email", "a@b.io"), ("password", "x")],
        None,
    );
    req.headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    req.headers_mut()
        .insert("host", "127.0.0.1:3000".parse().unwrap());
    assert_eq!(send(&app, req).await.status, 403);

    let mut req = call(
        SignIn::PATH,
        &[("email", "a@b.io"), ("password", "x")],
        None,
    );
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&app, req).await.status, 403);
}

#[tokio::test]
async fn unknown_pages_and_profiles_are_404() {
    let app = router(state().await);
    let reply = send(&app, get("/no/such/page", None)).await;
    assert_eq!(reply.status, 404);
    assert!(reply.body.contains("Page not found"));
    assert_eq!(send(&app, get("/u/nobody_here", None)).await.status, 404);
    assert_eq!(
        send(&app, get("/u/NOT%20A%20HANDLE", None)).await.status,
        404
    );
}

#[tokio::test]
async fn healthz_checks_dynamodb() {
    let app = router(state().await);
    let reply = send(&app, get("/healthz", None)).await;
    assert_eq!((reply.status.as_u16(), reply.body.as_str()), (200, "ok"));
}

/// DynamoDB down: a friendly 503 page, never a panic; back up: the same app serves again.
#[tokio::test]
async fn friendly_error_while_dynamodb_is_down_and_recovery_without_restart() {
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let state = state_at(&endpoint, false).await;
    let store = state.kit.store.clone();
    let app = router(state);

    let down = send(&app, get("/u/somebody", None)).await;
    assert_eq!(down.status, 503, "{}", down.body);
    assert!(
        down.body.contains("temporarily unavailable"),
        "{}",
        down.body
    );
    assert!(
        !down.body.contains("dispatch") && !down.body.contains("Connection refused"),
        "no internal text"
    );
    assert_eq!(send(&app, get("/healthz", None)).await.status, 503);

    // Start DynamoDB Local on that port, create the table, and ask the same app again.
    let mut ddb = Service::dynamodb(port, None);
    let mut ready = false;
    for _ in 0..150 {
        if minijira::db::schema::ensure_table(&store).await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let up = send(&app, get("/healthz", None)).await;
    ddb.kill();
    assert!(ready, "DynamoDB Local came up");
    assert_eq!(up.status, 200, "serves again without a restart");
}

/// P1 and P3 budgets seen from outside: the dashboard costs 2 calls and the scrum page of a
/// project with 100 tasks costs 1, as reported by `Server-Timing`.
#[tokio::test]
async fn dashboard_and_scrum_page_budgets_in_server_timing() {
    use minijira::projects::model::{NewProjectForm, ProjectKey, TaskFields, TaskStatus};
    use minijira::projects::rules::{create_project, create_task};
    let state = state().await;
    let store = state.kit.store.clone();
    let app = router(state);
    let cookie = signed_up(&app, "bud").await;
    let me =
        minijira::accounts::rules::sign_in(&store, "bud@example.org", "correct-horse-battery-9")
            .await
            .unwrap();
    let form = NewProjectForm {
        key: "HUNDRED".into(),
        name: "Hundred".into(),
        ..Default::default()
    };
    create_project(&store, "http://app", &me.session(), &form)
        .await
        .unwrap();
    let key = ProjectKey::parse("HUNDRED").unwrap();
    for i in 0..100u32 {
        let fields = TaskFields {
            title: format!("Task number {i} with a realistic title of some length"),
            description: "A description of a few words, as tasks usually have.".repeat(3),
            story: None,
            assignee: Some(me.id.clone()),
            start_date: None,
            end_date: None,
            status: TaskStatus::ALL[i as usize % TaskStatus::ALL.len()],
            points: Some(3),
            priority: minijira::projects::model::Priority::Medium,
        };
        create_task(&store, &key, &me.person(), fields, Some(i))
            .await
            .unwrap();
    }
    for round in 0..3 {
        let scrum = send(&app, get("/p/HUNDRED", Some(&cookie))).await;
        assert_eq!(scrum.status, 200);
        assert!(scrum.body.contains("HUNDRED-100"));
        let t = scrum.header("server-timing").unwrap().to_owned();
        println!("scrum page, 100 tasks: {t}");
        // Rendered once (its 2 Queries, after the read of its versions), then served from
        // the cache on the read of the versions alone.
        assert!(t.contains("versions;desc=\"1 read shared by 1\""), "{t}");
        if round == 0 {
            assert!(
                t.contains("cache;desc=\"miss\"") && t.contains("desc=\"2 calls\""),
                "{t}"
            );
        } else {
            assert!(
                t.contains("cache;desc=\"hit\"") && t.contains("desc=\"0 calls\""),
                "{t}"
            );
        }
        let dash = send(&app, get("/", Some(&cookie))).await;
        let t = dash.header("server-timing").unwrap().to_owned();
        println!("dashboard: {t}");
        assert!(t.contains("desc=\"2 calls\""), "{t}");
        let board = send(&app, get("/p/HUNDRED/board", Some(&cookie))).await;
        println!(
            "board, 100 tasks: {}",
            board.header("server-timing").unwrap()
        );
        let task = send(&app, get("/p/HUNDRED/HUNDRED-7", Some(&cookie))).await;
        assert_eq!(task.status, 200);
        println!("task page: {}", task.header("server-timing").unwrap());
    }
}

/// M1 and M2 budgets seen from outside: the conversation list is 1 call, and the newest page of
/// a conversation of 10,000 messages is 1 call (one partition, newest first, no Scan).
#[tokio::test]
async fn conversation_list_and_a_10000_message_conversation_in_server_timing() {
    use minijira::accounts::model::PersonRef;
    use minijira::messages::rules as messages;
    let state = state().await;
    let store = state.kit.store.clone();
    let sessions = state.kit.sessions.clone();
    let app = router(state);
    let cookie = signed_up(&app, "talker").await;
    let me =
        minijira::accounts::rules::sign_in(&store, "talker@example.org", "correct-horse-battery-9")
            .await
            .unwrap();
    let friend = user(&store, "friend").await;
    let id = messages::start_with(&store, &me.session(), &friend.handle)
        .await
        .unwrap();
    let start = chrono::Utc::now() - chrono::Duration::days(1);
    let author = PersonRef::from(&me.session());
    minijira::messages::store::bulk_load(&store, &id, &author, 10_000, start)
        .await
        .unwrap();
    messages::send(&store, &me.session(), &id, "the latest one")
        .await
        .unwrap();
    // Loading 10,000 messages can outlast the session guard's interval: its re-read of the
    // account (once per 30 s) happens now, on this first request, not in the measured ones.
    sessions.forget(&me.id);
    send(&app, get("/messages", Some(&cookie))).await;
    for _ in 0..3 {
        let list = send(&app, get("/messages", Some(&cookie))).await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains("the latest one"));
        let t = list.header("server-timing").unwrap().to_owned();
        println!("conversation list: {t}");
        assert!(t.contains("desc=\"1 call\""), "{t}");

        let page = send(&app, get(&format!("/messages/{id}"), Some(&cookie))).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("the latest one") && page.body.contains("Message number 9999 "));
        assert!(!page.body.contains("Message number 9969 "), "one page only");
        let t = page.header("server-timing").unwrap().to_owned();
        println!("conversation of 10,000 messages, newest page: {t}");
        assert!(t.contains("desc=\"1 call\""), "{t}");
    }
}

/// J1 and J2 budgets seen from outside: the open-jobs page is 1 call; a job page with its
/// applications is 2 (the job's partition, then the parent's profile partition).
#[tokio::test]
async fn open_jobs_and_applications_pages_in_server_timing() {
    use minijira::sitters::model::JobForm;
    use minijira::sitters::rules as svc;
    let state = state().await;
    let store = state.kit.store.clone();
    let app = router(state);
    let cookie = signed_up(&app, "jobowner").await;
    // The HTTP sign-up made a member; this test needs a parent.
    let parent = user_of(&store, "par", "parent").await;
    let parent_cookie = {
        let reply = send(
            &app,
            call(
                <minijira::accounts::api::SignIn as leptos::server_fn::ServerFn>::PATH,
                &[
                    ("email", &format!("{}@example.org", parent.handle)),
                    ("password", "correct-horse-battery-9"),
                ],
                None,
            ),
        )
        .await;
        session_cookie(&reply).unwrap()
    };
    let mut last = None;
    for i in 0..30 {
        let form = JobForm {
            job_type: format!("Job {i}"),
            starts_at: "2030-03-01T18:00".into(),
            ends_at: "2030-03-01T22:00".into(),
            city: if i % 2 == 0 {
                "Paris".into()
            } else {
                "Lyon".into()
            },
            kids: "1".into(),
            cost: "40".into(),
            ..Default::default()
        };
        last = Some(svc::post_job(&store, &parent, &form).await.unwrap());
    }
    let job = last.unwrap();
    for _ in 0..10 {
        let nanny = user_of(&store, "nan", "nanny").await;
        svc::apply(&store, &nanny, &job.id, "hello").await.unwrap();
    }
    for _ in 0..3 {
        let jobs = send(&app, get("/sitters/jobs", Some(&cookie))).await;
        assert_eq!(jobs.status, 200);
        let t = jobs.header("server-timing").unwrap().to_owned();
        println!("open jobs (30 open): {t}");
        assert!(t.contains("desc=\"1 call\""), "{t}");
        let city = send(&app, get("/sitters/jobs?city=lyon", Some(&cookie))).await;
        println!(
            "open jobs in one city: {}",
            city.header("server-timing").unwrap()
        );
        let page = send(
            &app,
            get(&format!("/sitters/jobs/{}", job.id), Some(&parent_cookie)),
        )
        .await;
        assert_eq!(page.status, 200);
        assert_eq!(
            page.body.matches("data-testid=\"application\"").count(),
            10,
            "the owner sees all 10"
        );
        let t = page.header("server-timing").unwrap().to_owned();
        println!("job page with 10 applications (owner): {t}");
        assert!(t.contains("desc=\"2 calls\""), "{t}");
    }
}

#[tokio::test]
async fn security_headers_on_pages_and_other_responses() {
    let app = router(state().await);
    let page = send(&app, get("/signin", None)).await;
    let csp = page
        .header("content-security-policy")
        .expect("a page has a CSP")
        .to_owned();
    assert!(
        csp.contains("script-src 'self' 'nonce-") && csp.contains("'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
        "{csp}"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap();
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the page's nonce"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    for reply in [&page, &send(&app, get("/healthz", None)).await] {
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header("x-frame-options"), Some("DENY"));
        assert_eq!(
            reply.header("referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );
    }
    let health = send(&app, get("/healthz", None)).await;
    assert_eq!(
        health.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
}
