//! Two app processes on one DynamoDB Local: what one instance writes, the other shows on the
//! very next page, and no cached page outlives an access change.

use crate::common::*;
use leptos::server_fn::ServerFn;
use minijira::accounts::model::SessionUser;
use minijira::projects::model::*;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `minijira` server binary, serving one table on a free port; killed when dropped.
pub struct Instance {
    child: Child,
    pub base: String,
}

impl Instance {
    pub async fn start(table: &str) -> Self {
        Self::start_with(table, &[], Stdio::null()).await
    }

    /// An instance with extra environment variables, its log going to `log`.
    pub async fn start_with(table: &str, env: &[(&str, &str)], log: Stdio) -> Self {
        let port = free_port();
        let ses =
            std::env::var("MINIJIRA_TEST_SES").unwrap_or_else(|_| "http://127.0.0.1:9".into());
        let child = Command::new(env!("CARGO_BIN_EXE_minijira"))
            .env("DYNAMODB_ENDPOINT", ddb_endpoint())
            .env("SES_ENDPOINT", ses)
            .env("TABLE_NAME", table)
            .env("JWT_SECRET", SECRET)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "minijira")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .env("RUST_LOG", "warn")
            .env_remove("SEED_DEMO")
            .env_remove("CREATE_TABLE")
            .env_remove("METRICS_ADDR")
            .env_remove("LOG_FORMAT")
            .envs(env.iter().copied())
            .stdout(log)
            .spawn()
            .expect("the server binary starts");
        let instance = Self {
            child,
            base: format!("127.0.0.1:{port}"),
        };
        assert!(
            wait_port(port, 90).await,
            "instance on :{port} did not start"
        );
        instance
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Reply {
        raw_request(&self.base, "GET", path, Some(cookie), None).await
    }

    pub async fn call(&self, path: &str, form: &[(&str, &str)], cookie: &str) -> Reply {
        raw_request(&self.base, "POST", path, Some(cookie), Some(form)).await
    }
}

impl Instance {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGTERM sent");
    }

    /// Waits up to `limit` for the process to exit; its status, or None if it is still running.
    pub async fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request over a fresh connection (no HTTP client dependency).
pub async fn raw_request(
    host: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Reply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = form.map(form_body).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        head.push_str(&format!("Cookie: {c}\r\n"));
    }
    if form.is_some() {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    } else {
        head.push_str("Accept: text/html\r\n");
    }
    head.push_str("\r\n");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.expect("read");
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let mut raw_body = out[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let mut headers = http::HeaderMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            if let (Ok(k), Ok(v)) = (
                http::HeaderName::from_bytes(k.trim().as_bytes()),
                http::HeaderValue::from_str(v.trim()),
            ) {
                headers.append(k, v);
            }
        }
    }
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"))
    {
        raw_body = dechunk(&raw_body);
    }
    Reply {
        status: http::StatusCode::from_u16(status).expect("status"),
        headers,
        body: String::from_utf8_lossy(&raw_body).into_owned(),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

/// A session cookie for `user`, signed with the secret both instances share (a token without a
/// session id, judged by its epoch alone).
pub fn cookie_for(user: &SessionUser) -> String {
    let keys = minijira::platform::token::TokenKeys::new(SECRET.as_bytes(), 3600);
    let token = keys
        .issue(user, 0, "", chrono::Utc::now().timestamp())
        .expect("token");
    format!("mj_session={token}")
}

fn cache_of(reply: &Reply) -> &str {
    let t = reply.header("server-timing").unwrap_or_default();
    if t.contains("cache;desc=\"hit\"") {
        "hit"
    } else if t.contains("cache;desc=\"miss\"") {
        "miss"
    } else {
        "none"
    }
}

/// Requests `path` until the instance serves it from its cache (the project may still be
/// changing: the worker marks the invitations sent).
async fn cached(instance: &Instance, path: &str, cookie: &str) {
    for _ in 0..50 {
        let page = instance.get(path, cookie).await;
        assert_eq!(page.status, 200, "{path}");
        if cache_of(&page) == "hit" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never came from the cache");
}

struct Two {
    a: Instance,
    b: Instance,
    store: minijira::db::Store,
    pm: SessionUser,
    member: SessionUser,
    key: ProjectKey,
}

async fn two_instances_and_a_project() -> Two {
    let state = state().await;
    let store = state.kit.store.clone();
    let pm = user(&store, "ipm").await;
    let member = user(&store, "imem").await;
    let key = ProjectKey::parse(&format!(
        "I{}",
        &unique("").chars().rev().take(6).collect::<String>()
    ))
    .unwrap();
    let form = NewProjectForm {
        key: key.to_string(),
        name: "Twin".into(),
        description: String::new(),
        manager: String::new(),
        members: format!("@{}", member.handle),
    };
    minijira::projects::rules::create_project(&store, "http://app", &pm, &form)
        .await
        .expect("project created");
    let table = store.table().to_owned();
    let (a, b) = tokio::join!(Instance::start(&table), Instance::start(&table));
    Two {
        a,
        b,
        store,
        pm,
        member,
        key,
    }
}

/// The time from `since` until `instance` served `path` showing what `seen` checks; fails if
/// its very next page does not show it.
async fn visible_after(
    instance: &Instance,
    path: &str,
    cookie: &str,
    since: Instant,
    seen: impl Fn(&Reply) -> bool,
) -> Duration {
    let page = instance.get(path, cookie).await;
    if seen(&page) {
        return since.elapsed();
    }
    panic!("the other instance's next page did not show the change");
}

#[tokio::test]
async fn a_change_made_on_one_instance_is_on_the_others_next_page() {
    let t = two_instances_and_a_project().await;
    let (pm, member) = (cookie_for(&t.pm), cookie_for(&t.member));
    let backlog = format!("/p/{}/backlog", t.key);
    // Both instances have the page cached (once the workers have sent the invitation, which
    // changes the page: the members' list shows it).
    for instance in [&t.a, &t.b] {
        for who in [&pm, &member] {
            let first = instance.get(&backlog, who).await;
            assert_eq!(first.status, 200, "{}", first.body);
            assert_eq!(cache_of(&first), "miss");
            cached(instance, &backlog, who).await;
        }
    }

    let mut lags = Vec::new();
    for round in 0..5 {
        let title = format!("Written through A, round {round}");
        let created =
            t.a.call(
                minijira::projects::api::CreateTask::PATH,
                &[
                    ("key", t.key.as_str()),
                    ("title", &title),
                    ("description", ""),
                    ("story", ""),
                    ("assignee", ""),
                    ("start_date", ""),
                    ("end_date", ""),
                    ("status", ""),
                ],
                &member,
            )
            .await;
        assert_eq!(created.status, 200, "{}", created.body);
        let since = Instant::now();
        // The other instance's very next page shows it (no waiting for anything to expire)…
        let lag = visible_after(&t.b, &backlog, &member, since, |p| p.body.contains(&title)).await;
        let other = t.b.get(&backlog, &pm).await;
        assert!(
            other.body.contains(&title),
            "and so does everyone's next page on B"
        );
        // …and so does the writer's own next page on the instance that wrote (read-your-writes).
        let mine = t.a.get(&backlog, &member).await;
        assert!(mine.body.contains(&title), "A shows its own write");
        lags.push(lag);
    }
    println!("a change on instance A, visible on instance B after: {lags:?}");
    assert!(lags.iter().all(|l| *l < Duration::from_secs(1)), "{lags:?}");
}

#[tokio::test]
async fn no_cached_page_outlives_an_access_change() {
    let t = two_instances_and_a_project().await;
    let (pm, member) = (cookie_for(&t.pm), cookie_for(&t.member));
    let rules = minijira::projects::rules::create_task(
        &t.store,
        &t.key,
        &(&t.pm).into(),
        TaskFields {
            title: "Soon deleted".into(),
            description: String::new(),
            story: None,
            assignee: None,
            start_date: None,
            end_date: None,
            status: TaskStatus::Todo,
            points: None,
            priority: Priority::Medium,
        },
        None,
    )
    .await
    .expect("task");
    let task_page = format!("/p/{}/{}", t.key, rules.reference());
    let board = format!("/p/{}/board", t.key);
    for path in [&task_page, &board] {
        cached(&t.b, path, &member).await;
    }

    // A deleted task: gone on B's next page.
    let deleted =
        t.a.call(
            minijira::projects::api::DeleteTask::PATH,
            &[("task", &rules.reference())],
            &pm,
        )
        .await;
    assert!(
        deleted.status.is_success() || deleted.status.is_redirection(),
        "{}",
        deleted.body
    );
    let gone = t.b.get(&task_page, &member).await;
    assert_eq!(
        gone.status, 404,
        "the deleted task's page is not served from the cache"
    );

    // A removed member: no longer sees the board B had cached for them.
    cached(&t.b, &board, &member).await;
    minijira::projects::rules::remove_member(&t.store, &t.key, &t.pm.id, &t.member.id)
        .await
        .expect("removed");
    let after = t.b.get(&board, &member).await;
    assert_eq!(after.status, 404, "a removed member's cached board is gone");

    // A deactivated account: its cached page is not served (B's session guard still trusts
    // the account for up to 30 s; the cache reads it on every request).
    let dashboard_board = format!("/p/{}/board", t.key);
    cached(&t.b, &dashboard_board, &pm).await;
    let admin = minijira::accounts::store::get(&t.store, &t.pm.id)
        .await
        .unwrap()
        .unwrap();
    minijira::accounts::store::set_status(
        &t.store,
        &admin,
        minijira::accounts::model::AccountStatus::Deactivated,
    )
    .await
    .expect("deactivated");
    let refused = t.b.get(&dashboard_board, &pm).await;
    assert_ne!(
        refused.status, 200,
        "a deactivated account's cached page is not served"
    );
    assert!(!refused.body.contains("Twin"), "nothing of the project");
}
