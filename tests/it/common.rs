//! Test harness: a fresh table per test on the DynamoDB Local that `make test` started.

use clap::Parser;
use http_body_util::BodyExt;
use minijira::accounts::model::{SessionUser, SignUpForm};
use minijira::db::Store;
use minijira::server::cli::Cli;
use minijira::server::state::AppState;
use std::sync::atomic::{AtomicU32, Ordering};

pub const SECRET: &str = "integration-test-secret-integration-test-secret";

pub fn ddb_endpoint() -> String {
    std::env::var("MINIJIRA_TEST_DYNAMODB").expect(
        "MINIJIRA_TEST_DYNAMODB is not set: run the integration tests with `make test`, \
         which starts DynamoDB Local and the SES emulator on free ports",
    )
}

pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}{}{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn leptos_options() -> leptos::config::LeptosOptions {
    leptos::config::LeptosOptions::builder()
        .output_name("minijira")
        .site_root("target/site")
        .build()
}

/// App state on a fresh table at `endpoint`.
pub async fn state_at(endpoint: &str, create_table: bool) -> AppState {
    let ses = std::env::var("MINIJIRA_TEST_SES").unwrap_or_else(|_| "http://127.0.0.1:9".into());
    state_with(endpoint, &ses, create_table).await
}

/// App state on a fresh table at a DynamoDB endpoint, sending mail to an SES endpoint.
pub async fn state_with(endpoint: &str, ses: &str, create_table: bool) -> AppState {
    // Logs (internal error causes included) show in a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,minijira=info".into()),
        )
        .try_init();
    let table = unique("it_");
    let cli = Cli::try_parse_from([
        "minijira",
        "--dynamodb-endpoint",
        endpoint,
        "--ses-endpoint",
        ses,
        "--table-name",
        &table,
        "--jwt-secret",
        SECRET,
        "--region",
        "us-east-1",
    ])
    .expect("test arguments parse");
    let state = AppState::build(&cli.config, leptos_options())
        .await
        .expect("state builds");
    if create_table {
        minijira::db::schema::ensure_table(&state.kit.store)
            .await
            .expect("table created");
    }
    state
}

pub async fn state() -> AppState {
    state_at(&ddb_endpoint(), true).await
}

pub async fn store() -> Store {
    state().await.kit.store
}

/// Counts the table's items whose pk starts with `prefix` (a Scan: fine in a test).
/// Data items (not partition versions) whose partition key starts with `prefix`.
pub async fn count_pk_prefix(store: &Store, prefix: &str) -> usize {
    let mut n = 0;
    let mut start = None;
    loop {
        let out = store
            .client()
            .scan()
            .table_name(store.table())
            .filter_expression("begins_with(pk, :p) AND sk <> :v")
            .expression_attribute_values(":p", minijira::db::s(prefix))
            .expression_attribute_values(":v", minijira::db::s(minijira::db::versions::VERSION_SK))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .expect("scan");
        n += out.items().len();
        match out.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return n,
        }
    }
}

pub fn signup_form(handle: &str) -> SignUpForm {
    SignUpForm {
        email: format!("{handle}@example.org"),
        handle: handle.to_owned(),
        display_name: format!("User {handle}"),
        password: "correct-horse-battery-9".into(),
        kind: "member".into(),
        next: None,
    }
}

pub struct Reply {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one request through the real router (all middleware included).
/// Sends `req` through the router and reads the whole answer. An answer that takes more than
/// two minutes fails the test (a hung request must not hang the suite).
pub async fn send(app: &axum::Router, req: http::Request<axum::body::Body>) -> Reply {
    use tower::ServiceExt;
    let what = format!("{} {}", req.method(), req.uri());
    let answer = async {
        let res = app.clone().oneshot(req).await.expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        (status, headers, body)
    };
    let (status, headers, body) = tokio::time::timeout(std::time::Duration::from_secs(120), answer)
        .await
        .unwrap_or_else(|_| panic!("no answer to {what} within 2 minutes"));
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

pub fn get(path: &str, cookie: Option<&str>) -> http::Request<axum::body::Body> {
    let mut b = http::Request::get(path).header("accept", "text/html");
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(axum::body::Body::empty()).expect("request")
}

/// `form` as an `application/x-www-form-urlencoded` body.
pub fn form_body<K: AsRef<str>, V: AsRef<str>>(form: &[(K, V)]) -> String {
    form.iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                minijira::util::url_encode(k.as_ref()),
                minijira::util::url_encode(v.as_ref())
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A server-function call the way the browser's hydrated client makes it.
pub fn call(
    path: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> http::Request<axum::body::Body> {
    let body = form_body(form);
    let mut b = http::Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json");
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(axum::body::Body::from(body)).expect("request")
}

/// The `name=value` part of a Set-Cookie header.
pub fn session_cookie(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("mj_session=") && !v.starts_with("mj_session=;"))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// Signs up a member account with a unique handle starting with `prefix`.
/// Signs up an account whose address is confirmed (as if its owner had opened the link).
pub async fn user(store: &Store, prefix: &str) -> SessionUser {
    confirmed(store, signup_form(&unique(prefix))).await
}

/// Creates `form`'s account with its address confirmed and no confirmation mail (as the demo
/// accounts are).
pub async fn confirmed(store: &Store, form: SignUpForm) -> SessionUser {
    use minijira::accounts::{password, store as users};
    let new = form.parse().expect("a valid form");
    let password_hash = password::hash(new.password.expose().to_owned())
        .await
        .expect("hash");
    let created = users::create(
        store,
        users::NewUser {
            id: None,
            email: new.email,
            handle: new.handle,
            display_name: new.display_name,
            kind: new.kind,
            password_hash,
            confirmation: None,
        },
    )
    .await;
    match created {
        Ok(user) => user.session(),
        Err(_) => panic!("sign-up refused"),
    }
}

/// A store that counts its DynamoDB calls.
pub fn counted(store: &Store) -> (Store, std::sync::Arc<minijira::db::DbMetrics>) {
    let m = std::sync::Arc::new(minijira::db::DbMetrics::default());
    (store.for_request(m.clone()), m)
}

/// GET over plain HTTP/1.1 (the SES emulator's store), without an HTTP client dependency.
pub async fn http_get(base: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.expect("read");
    String::from_utf8_lossy(&out).into_owned()
}

/// The mails in the SES emulator's store, as (recipient, subject) pairs.
pub async fn delivered(ses: &str) -> Vec<(String, String)> {
    let raw = http_get(ses, "/store").await;
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    json["emails"]
        .as_array()
        .map(|mails| {
            mails
                .iter()
                .map(|m| {
                    (
                        m["destination"]["to"][0].as_str().unwrap_or("").to_owned(),
                        m["subject"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Signs up an account of `kind` ("parent", "nanny", "member").
pub async fn user_of(store: &Store, prefix: &str, kind: &str) -> SessionUser {
    let mut form = signup_form(&unique(prefix));
    form.kind = kind.into();
    confirmed(store, form).await
}

/// Signs up through the sign-up server function (as a browser does) and returns the session
/// cookie.
pub async fn signed_up(app: &axum::Router, handle: &str) -> String {
    use leptos::server_fn::ServerFn;
    let reply = send(
        app,
        call(
            minijira::accounts::api::SignUp::PATH,
            &[
                ("email", &format!("{handle}@example.org")),
                ("handle", handle),
                ("display_name", "Test Person"),
                ("password", "correct-horse-battery-9"),
                ("kind", "member"),
                ("next", ""),
            ],
            None,
        ),
    )
    .await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{} {}",
        reply.status,
        reply.body
    );
    session_cookie(&reply).expect("sign-up sets the session cookie")
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("address").port()
}

/// Waits until something accepts connections on `port`; false after `secs`.
pub async fn wait_port(port: u16, secs: u64) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// A local service process (DynamoDB Local, the SES emulator) killed when dropped.
pub struct Service(pub std::process::Child);

impl Service {
    /// DynamoDB Local on `port`, keeping its data in `dir` (or in memory).
    pub fn dynamodb(port: u16, dir: Option<&std::path::Path>) -> Self {
        let jar = std::env::var("MINIJIRA_DDB_JAR").expect("MINIJIRA_DDB_JAR is set by make test");
        let lib = std::path::Path::new(&jar)
            .parent()
            .expect("jar folder")
            .join("DynamoDBLocal_lib");
        let mut cmd = std::process::Command::new("java");
        cmd.arg(format!("-Djava.library.path={}", lib.display()))
            .args(["-jar", &jar, "-sharedDb", "-port", &port.to_string()]);
        match dir {
            Some(d) => cmd.arg("-dbPath").arg(d),
            None => cmd.arg("-inMemory"),
        };
        let child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("java starts");
        Service(child)
    }

    /// The SES emulator (aws-ses-v2-local from node_modules) on `port`.
    pub fn ses(port: u16) -> Self {
        let child = std::process::Command::new("node")
            .args([
                "node_modules/aws-ses-v2-local/dist/cli.js",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("node starts");
        Service(child)
    }

    /// SIGKILL: no chance to flush or say goodbye.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A page with its per-request CSP nonce blanked out wherever it occurs (two renders of one
/// page differ in it only).
pub fn strip_nonce(page: &str) -> String {
    let nonce = page.find(" nonce=\"").and_then(|i| {
        let rest = &page[i + " nonce=\"".len()..];
        rest.find('"').map(|end| rest[..end].to_owned())
    });
    match nonce {
        Some(n) if !n.is_empty() => page.replace(&n, ""),
        _ => page.to_owned(),
    }
}

/// App state on a fresh table, with extra command-line settings (`--trust-proxy`, …).
pub async fn state_with_args(extra: &[&str]) -> AppState {
    let ses = std::env::var("MINIJIRA_TEST_SES").unwrap_or_else(|_| "http://127.0.0.1:9".into());
    let table = unique("it_");
    let endpoint = ddb_endpoint();
    let mut args = vec![
        "minijira",
        "--dynamodb-endpoint",
        endpoint.as_str(),
        "--ses-endpoint",
        ses.as_str(),
        "--table-name",
        table.as_str(),
        "--jwt-secret",
        SECRET,
        "--region",
        "us-east-1",
    ];
    args.extend_from_slice(extra);
    let cli = Cli::try_parse_from(args).expect("test arguments parse");
    let state = AppState::build(&cli.config, leptos_options())
        .await
        .expect("state builds");
    minijira::db::schema::ensure_table(&state.kit.store)
        .await
        .expect("table created");
    state
}

/// The DynamoDB calls a response reports in `Server-Timing`.
pub fn ddb_calls(reply: &Reply) -> usize {
    reply
        .header("server-timing")
        .and_then(|t| t.split("ddb;").nth(1))
        .and_then(|t| t.split("desc=\"").nth(1))
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}
