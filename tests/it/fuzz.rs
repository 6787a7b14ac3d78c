//! Bad input, property-based: every server function, called through the real router by a
//! signed-in user with random, huge, unicode, missing and extra fields, answers with a 2xx/3xx or
//! a 4xx that carries a message — never a 5xx, never a panic.

use crate::common::*;
use leptos::server_fn::ServerFn;
use minijira::accounts::api as accounts;
use minijira::{messages::api as messages, projects::api as projects, sitters::api as sitters};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Every server function and the fields its form sends.
fn functions() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        (
            accounts::SignUp::PATH,
            &[
                "email",
                "handle",
                "display_name",
                "password",
                "kind",
                "next",
            ],
        ),
        (accounts::SignIn::PATH, &["email", "password", "next"]),
        (accounts::SignOut::PATH, &[]),
        (accounts::CurrentUser::PATH, &[]),
        (accounts::ConfirmEmail::PATH, &["token"]),
        (accounts::ResendConfirmation::PATH, &[]),
        (accounts::ForgotPassword::PATH, &["email"]),
        (accounts::ResetPassword::PATH, &["token", "password"]),
        (accounts::GetAccount::PATH, &[]),
        (accounts::ChangeName::PATH, &["display_name"]),
        (accounts::ChangeEmail::PATH, &["email", "password"]),
        (accounts::ChangePassword::PATH, &["current", "password"]),
        (accounts::EndSession::PATH, &["sid"]),
        (accounts::EndOtherSessions::PATH, &[]),
        (accounts::ListPeople::PATH, &["q", "cursor"]),
        (sitters::GetProfile::PATH, &["handle"]),
        (projects::Dashboard::PATH, &["cursor"]),
        (
            projects::CreateProject::PATH,
            &["key", "name", "description", "manager", "members"],
        ),
        (projects::GetHead::PATH, &["key"]),
        (
            projects::GetBacklog::PATH,
            &[
                "key", "q", "assignee", "status", "story", "priority", "cursor",
            ],
        ),
        (
            projects::GetBoard::PATH,
            &[
                "key", "q", "assignee", "status", "story", "priority", "cursor",
            ],
        ),
        (projects::GetSprint::PATH, &["key", "sprint"]),
        (projects::GetActivity::PATH, &["key", "cursor"]),
        (
            projects::CreateSprint::PATH,
            &["key", "name", "goal", "start", "end"],
        ),
        (projects::StartSprint::PATH, &["key", "sprint"]),
        (
            projects::CompleteSprint::PATH,
            &["key", "sprint", "spill_to"],
        ),
        (
            projects::PlaceTask::PATH,
            &["task", "to", "op", "after", "before"],
        ),
        (
            projects::CreateStory::PATH,
            &["key", "title", "description", "seen_seq"],
        ),
        (
            projects::CreateTask::PATH,
            &[
                "key",
                "title",
                "description",
                "story",
                "assignee",
                "start_date",
                "end_date",
                "status",
                "points",
                "priority",
                "seen_seq",
            ],
        ),
        (projects::GetTaskPage::PATH, &["task", "cursor"]),
        (
            projects::EditTask::PATH,
            &[
                "task",
                "title",
                "description",
                "story",
                "assignee",
                "start_date",
                "end_date",
                "status",
                "points",
                "priority",
                "version",
                "seen_status",
            ],
        ),
        (projects::MoveTask::PATH, &["task", "from", "to"]),
        (projects::DeleteTask::PATH, &["task"]),
        (projects::AddComment::PATH, &["task", "body"]),
        (projects::AddMember::PATH, &["key", "handle"]),
        (projects::RemoveMember::PATH, &["key", "user_id"]),
        (projects::MakeManager::PATH, &["key", "user_id"]),
        (messages::ListConversations::PATH, &["cursor"]),
        (messages::GetConversation::PATH, &["id", "older"]),
        (messages::SendMessage::PATH, &["conversation", "body"]),
        (messages::StartConversation::PATH, &["handle", "body"]),
        (sitters::OpenJobs::PATH, &["city", "cursor"]),
        (sitters::SittersHome::PATH, &[]),
        (sitters::GetJobPage::PATH, &["id"]),
        (
            sitters::PostJob::PATH,
            &[
                "job_type",
                "starts_at",
                "ends_at",
                "address",
                "city",
                "lat",
                "lon",
                "kids",
                "cost",
                "description",
                "starts_offset",
                "ends_offset",
            ],
        ),
        (sitters::ApplyToJob::PATH, &["job_id", "message"]),
        (sitters::BookNanny::PATH, &["job_id", "nanny_id"]),
        (sitters::CancelJob::PATH, &["job_id"]),
        (
            sitters::ReviewJob::PATH,
            &["job_id", "rating", "text", "punctual", "again"],
        ),
        (sitters::MySitterProfile::PATH, &[]),
        (
            sitters::SaveSitterProfile::PATH,
            &[
                "full_name",
                "city",
                "lat",
                "lon",
                "about",
                "kids",
                "date_of_birth",
                "gender",
                "languages",
                "hourly_rate",
                "education",
                "smokes",
                "drinks",
                "activities",
                "phone",
                "id_document",
            ],
        ),
        (accounts::AdminAccounts::PATH, &["status", "cursor"]),
        (accounts::AdminSetStatus::PATH, &["user_id", "status"]),
    ]
}

/// Every server function the router serves is in the list above: a new one is never left
/// unfuzzed.
#[test]
fn every_registered_server_function_is_fuzzed() {
    minijira::server::areas::register_server_functions();
    let fuzzed: std::collections::HashSet<&str> = functions().iter().map(|(p, _)| *p).collect();
    let registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    assert!(registered.len() >= 36, "{registered:?}");
    let missing: Vec<&&str> = registered
        .iter()
        .filter(|p| !fuzzed.contains(**p))
        .collect();
    assert!(missing.is_empty(), "registered but not fuzzed: {missing:?}");
}

/// A field's value: plausible, hostile, huge, or malformed.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9_@.\\- ]{0,40}",
        any::<String>().prop_map(|s| s.chars().take(300).collect()),
        "(DEMO|ZZ|K1)-[0-9]{1,12}",
        "-?[0-9]{1,25}(\\.[0-9]{1,5})?",
        "20[0-9]{2}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2})?",
        Just("<script>alert(1)</script>\"'><img src=x onerror=alert(1)>".to_owned()),
        Just("%00%ff\u{0}\u{202e}\u{feff}".to_owned()),
        (1usize..4).prop_map(|n| "x".repeat(n * 40_000)),
        boundary_integer(),
        hostile_cursor(),
    ]
}

/// The integers at the edges of every integer type a request could be parsed into.
fn boundary_integer() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "0",
        "-1",
        "1",
        "255",
        "256",
        "999999",
        "1000000",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
    ])
    .prop_map(str::to_owned)
}

/// A well-formed page link that this server never made: base64 JSON of key attributes naming
/// any partition and range, with or without a made-up tag.
fn hostile_cursor() -> impl Strategy<Value = String> {
    use base64::Engine;
    let attr = "(pk|sk|gsi1pk|gsi1sk|gsi2pk|gsi2sk|gsi3pk|gsi3sk|n)";
    let value = "(USER#|P#DEMO|P#DEMO#T#000001|C#|DIR|UP#|JOBS#OPEN|ACCT#VERIFIED|M#|~)?[a-zA-Z0-9#~]{0,12}";
    (
        prop::collection::btree_map(attr, value, 0..5),
        prop::option::of("[A-Za-z0-9_-]{0,43}"),
    )
        .prop_map(|(key, tag)| {
            let body = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(serde_json::to_vec(&key).unwrap_or_default());
            match tag {
                Some(t) => format!("{body}.{t}"),
                None => body,
            }
        })
}

/// Which fields a call sends: each field present with a value, or missing; maybe an extra one.
fn form(fields: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, String)>> {
    let each: Vec<_> = fields
        .iter()
        .map(|f| {
            prop::option::weighted(0.85, value()).prop_map(move |v| v.map(|v| (f.to_string(), v)))
        })
        .collect();
    (each, prop::option::of(("[a-z_]{1,12}", value()))).prop_map(|(fs, extra)| {
        let mut out: Vec<(String, String)> = fs.into_iter().flatten().collect();
        out.extend(extra);
        out
    })
}

#[test]
fn every_server_function_answers_bad_input_with_a_4xx_and_a_message() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (app, cookie) = rt.block_on(async {
        let state = state().await;
        let store = state.kit.store.clone();
        minijira::server::seed::load_demo_once(&store)
            .await
            .unwrap();
        let app = minijira::server::router::router(state);
        let reply = send(
            &app,
            call(
                accounts::SignIn::PATH,
                &[
                    ("email", "alice@example.com"),
                    ("password", "minijira-demo"),
                ],
                None,
            ),
        )
        .await;
        (app, session_cookie(&reply).expect("demo sign-in"))
    });
    let cases = AtomicUsize::new(0);
    for (path, fields) in functions() {
        let mut runner = TestRunner::new(Config {
            cases: 48,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&form(fields), |pairs| {
            let body = form_body(&pairs);
            let req = http::Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .header("cookie", &cookie)
                .body(axum::body::Body::from(body))
                .unwrap();
            let reply = rt.block_on(send(&app, req));
            cases.fetch_add(1, Ordering::Relaxed);
            prop_assert!(
                reply.status.as_u16() < 500,
                "{path} answered {} to {pairs:?}: {}",
                reply.status,
                reply.body
            );
            if reply.status.is_client_error() {
                prop_assert!(
                    !reply.body.trim().is_empty(),
                    "{path}: a {} without a message",
                    reply.status
                );
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{path}: {e}");
        }
    }
    println!("bad-input cases run: {}", cases.load(Ordering::Relaxed));
}
