//! Operating minijira: two server processes on one DynamoDB Local and one SES emulator (a
//! session from one is valid on the other, a message sent through one is live on the other,
//! every mail is sent once though both workers run, an interrupted booking's declines are
//! finished once), and a clean stop on SIGTERM with `/metrics` and JSON logs.

use crate::common::*;
use crate::instances::{cookie_for, raw_request, Instance};
use leptos::server_fn::ServerFn;
use minijira::db::outbox::{self, Letter, OutboxMail, Recipient};
use minijira::db::tx::Tx;
use minijira::db::Store;
use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn ses() -> String {
    std::env::var("MINIJIRA_TEST_SES").expect("make test starts the SES emulator")
}

/// Queues `n` mails to distinct addresses, subjects `"{tag} #i"`; returns their ids.
async fn queue_mails(store: &Store, tag: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mails: Vec<OutboxMail> = (0..n)
        .map(|i| {
            OutboxMail::new(
                Letter {
                    to: Recipient::Address(format!("{tag}-{i}@example.org")),
                    subject: format!("{tag} #{i}"),
                    text: "Sent by the operate tests.".into(),
                },
                None,
                chrono::Utc::now(),
            )
        })
        .collect();
    for batch in mails.chunks(25) {
        let mut tx = Tx::new(store);
        for mail in batch {
            outbox::queue(&mut tx, mail);
            ids.push(mail.id.clone());
        }
        assert!(tx.run(store).await.is_ok(), "mails queued");
    }
    ids
}

/// How many times each subject starting with `prefix` reached the SES emulator.
async fn delivered_subjects(prefix: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for (_, subject) in delivered(&ses()).await {
        if subject.starts_with(prefix) {
            *counts.entry(subject).or_default() += 1;
        }
    }
    counts
}

/// A Server-Sent Events response read as it arrives.
struct EventStream {
    stream: TcpStream,
    seen: String,
}

impl EventStream {
    async fn open(host: &str, path: &str, cookie: &str) -> Self {
        let mut stream = TcpStream::connect(host).await.expect("connect");
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        Self {
            stream,
            seen: String::new(),
        }
    }

    /// Reads until `needle` has arrived; how long that took, or None after `limit`.
    async fn until(&mut self, needle: &str, limit: Duration) -> Option<Duration> {
        let started = Instant::now();
        let mut buf = [0u8; 4096];
        while !self.seen.contains(needle) {
            let left = limit.checked_sub(started.elapsed())?;
            match tokio::time::timeout(left, self.stream.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                _ => return None,
            }
        }
        Some(started.elapsed())
    }

    /// Reads to the end of the response: Ok when the server ended it cleanly.
    async fn read_to_end(&mut self, limit: Duration) -> Result<(), String> {
        let mut rest = Vec::new();
        match tokio::time::timeout(limit, self.stream.read_to_end(&mut rest)).await {
            Ok(Ok(_)) => {
                self.seen.push_str(&String::from_utf8_lossy(&rest));
                // A chunked response ends with its last, empty chunk.
                if self.seen.ends_with("0\r\n\r\n") {
                    Ok(())
                } else {
                    Err("the stream was cut without its last chunk".into())
                }
            }
            Ok(Err(e)) => Err(format!("the stream broke: {e}")),
            Err(_) => Err("the stream stayed open".into()),
        }
    }
}

fn first_conversation(page: &str) -> Option<String> {
    page.split("href=\"/messages/").skip(1).find_map(|rest| {
        let id: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        (!id.is_empty() && id != "new").then_some(id)
    })
}

#[tokio::test]
async fn two_instances_share_sessions_and_live_messages() {
    let store = state().await.kit.store;
    let table = store.table().to_owned();
    let (a, b) = tokio::join!(Instance::start(&table), Instance::start(&table));

    // X signs up through A; the session cookie A issued is valid on B.
    let handle = unique("twx");
    let reply = a
        .call(
            minijira::accounts::api::SignUp::PATH,
            &[
                ("email", &format!("{handle}@example.org")),
                ("handle", &handle),
                ("display_name", "Xenia Two"),
                ("password", "correct-horse-battery-9"),
                ("kind", "member"),
                ("next", ""),
            ],
            "",
        )
        .await;
    assert!(
        reply.status.as_u16() < 400,
        "{} {}",
        reply.status,
        reply.body
    );
    let x = session_cookie(&reply).expect("A sets the session cookie");
    let on_b = b.get("/messages", &x).await;
    assert_eq!(on_b.status, 200, "B accepts A's session: {}", on_b.body);
    assert!(on_b.body.contains("Xenia Two"), "B knows who is signed in");
    let signed_out = b.get("/messages", "").await;
    assert_ne!(signed_out.status, 200, "and without it B asks to sign in");

    // Y writes to X through A; X has the conversation open on B.
    let y = user(&store, "twy").await;
    let y_cookie = cookie_for(&y);
    let started = a
        .call(
            minijira::messages::api::StartConversation::PATH,
            &[("handle", &handle), ("body", "Hello from A")],
            &y_cookie,
        )
        .await;
    assert!(started.status.as_u16() < 400, "{}", started.body);
    let list = b.get("/messages", &x).await;
    let conversation = first_conversation(&list.body).expect("X's conversation with Y, on B");
    let mut live = EventStream::open(&b.base, &format!("/live?c={conversation}"), &x).await;
    assert!(
        live.until("event: unread", Duration::from_secs(5))
            .await
            .is_some(),
        "B's live stream opened: {}",
        live.seen
    );
    let mut delays = Vec::new();
    for round in 0..3 {
        let text = format!("Live through A, round {round}, {}", unique(""));
        let sent_at = Instant::now();
        let sent = a
            .call(
                minijira::messages::api::SendMessage::PATH,
                &[("conversation", &conversation), ("body", &text)],
                &y_cookie,
            )
            .await;
        assert_eq!(sent.status, 200, "{}", sent.body);
        let arrived = live.until(&text, Duration::from_secs(3)).await;
        assert!(
            arrived.is_some(),
            "the message reached B's stream: {}",
            live.seen
        );
        delays.push(sent_at.elapsed());
    }
    println!("a message sent through A, on B's live stream after: {delays:?}");
    assert!(
        delays.iter().all(|d| *d < Duration::from_secs(1)),
        "{delays:?}"
    );
}

#[tokio::test]
async fn two_workers_send_every_mail_exactly_once() {
    let store = state().await.kit.store;
    let tag = unique("once");
    let ids = queue_mails(&store, &tag, 40).await;
    let table = store.table().to_owned();
    // Both workers start at once and find the same 40 mails due.
    let (_a, _b) = tokio::join!(Instance::start(&table), Instance::start(&table));
    let until = Instant::now() + Duration::from_secs(60);
    while delivered_subjects(&tag).await.len() < 40 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Time for a second sending, if there were to be one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let counts = delivered_subjects(&tag).await;
    assert_eq!(counts.len(), 40, "every mail delivered: {counts:?}");
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    for id in &ids {
        let mail = outbox::get(&store, id).await.unwrap().expect("the mail");
        assert_eq!(mail.status, minijira::model::Delivery::Sent);
        assert_eq!(mail.attempts, 1, "one worker claimed it, once");
        assert!(mail.lease_until.is_none(), "its lease was given back");
    }
    println!("two workers: 40 mails, each delivered once and claimed once");
}

#[tokio::test]
async fn an_interrupted_booking_is_finished_once_by_two_workers() {
    use minijira::sitters::{model::ApplicationStatus, store as sitters};
    let store = state().await.kit.store;
    // The booking committed and the server stopped before its decline step.
    let (job, nannies) = crate::sitters::interrupted_booking(&store, 12).await;
    assert!(sitters::pending_declines(&store, 10)
        .await
        .unwrap()
        .contains(&job.id));

    let table = store.table().to_owned();
    let (_a, _b) = tokio::join!(Instance::start(&table), Instance::start(&table));
    let address = |i: usize| format!("{}@example.org", nannies[i].handle);
    let mails_to = |to: String| async move {
        delivered(&ses())
            .await
            .into_iter()
            .filter(|(r, _)| *r == to)
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
    };
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let mut told = 0;
        for i in 0..12 {
            told += usize::from(!mails_to(address(i)).await.is_empty());
        }
        let done = !sitters::pending_declines(&store, 10)
            .await
            .unwrap()
            .contains(&job.id);
        if (done && told == 12) || Instant::now() > until {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !sitters::pending_declines(&store, 10)
            .await
            .unwrap()
            .contains(&job.id),
        "the decline task is done"
    );
    assert_eq!(
        crate::sitters::applications_in(&store, &job.id, ApplicationStatus::Declined).await,
        11
    );
    let booked = mails_to(address(0)).await;
    assert_eq!(booked.len(), 1, "the booked nanny is told once: {booked:?}");
    assert!(booked[0].starts_with("You are booked"), "{booked:?}");
    for i in 1..12 {
        let got = mails_to(address(i)).await;
        assert_eq!(got.len(), 1, "nanny {i} is told once: {got:?}");
        assert!(got[0].starts_with("Not this time"), "{got:?}");
    }
    println!("an interrupted booking, two workers: 11 declines, each told once");
}

/// A POST whose body is still arriving: the request is in flight.
struct SlowPost {
    stream: TcpStream,
    rest: Vec<u8>,
}

impl SlowPost {
    async fn start(host: &str, path: &str, body: &str) -> Self {
        let mut stream = TcpStream::connect(host).await.expect("connect");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAccept: application/json\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let (first, rest) = body.as_bytes().split_at(body.len() / 2);
        stream.write_all(head.as_bytes()).await.expect("write");
        stream.write_all(first).await.expect("write");
        Self {
            stream,
            rest: rest.to_vec(),
        }
    }

    /// Sends the rest of the body; the response's status, or what went wrong.
    async fn finish(mut self) -> Result<u16, String> {
        self.stream
            .write_all(&self.rest)
            .await
            .map_err(|e| format!("write: {e}"))?;
        let mut out = Vec::new();
        self.stream
            .read_to_end(&mut out)
            .await
            .map_err(|e| format!("read: {e}"))?;
        let text = String::from_utf8_lossy(&out);
        text.split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no response: {text:?}"))
    }
}

#[tokio::test]
async fn sigterm_under_load_finishes_in_flight_work_and_exits_in_time() {
    let state = state().await;
    let store = state.kit.store.clone();
    let me = user(&store, "term").await;
    let cookie = cookie_for(&me);
    // Mails keep the worker busy when the signal comes.
    let ids = queue_mails(&store, &unique("term"), 300).await;
    let metrics = format!("127.0.0.1:{}", free_port());
    let log_path = std::env::temp_dir().join(format!("{}.log", unique("minijira-term")));
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut app = Instance::start_with(
        store.table(),
        &[
            ("METRICS_ADDR", metrics.as_str()),
            ("LOG_FORMAT", "json"),
            ("RUST_LOG", "info"),
        ],
        Stdio::from(log),
    )
    .await;

    // Load: 8 clients requesting pages as fast as they can for a second.
    let until = Instant::now() + Duration::from_secs(1);
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let (host, cookie) = (app.base.clone(), cookie.clone());
            tokio::spawn(async move {
                let path = ["/", "/messages", "/people", "/sitters/jobs"][i % 4];
                let mut n = 0;
                while Instant::now() < until {
                    let page = raw_request(&host, "GET", path, Some(&cookie), None).await;
                    assert_eq!(page.status, 200, "{path}");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut pages = 0;
    for c in clients {
        pages += c.await.unwrap();
    }

    // Metrics: on the admin port, not on the public one.
    let mut live = EventStream::open(&app.base, "/live", &cookie).await;
    assert!(live
        .until("event: unread", Duration::from_secs(5))
        .await
        .is_some());
    let sample = http_get(&format!("http://{metrics}"), "/metrics").await;
    for expected in [
        "http_requests_total{method=\"GET\",route=\"/\",status=\"200\"}",
        "http_request_duration_seconds_bucket{method=\"GET\",route=\"/messages\"",
        "dynamodb_calls_total{operation=\"Query\",outcome=\"ok\"}",
        "dynamodb_call_duration_seconds_bucket{operation=\"GetItem\"",
        "outbox_pending_mails",
        "outbox_oldest_pending_age_seconds",
        "live_connections 1",
    ] {
        assert!(
            sample.contains(expected),
            "/metrics has {expected}:\n{sample}"
        );
    }
    println!("a /metrics sample (selected lines):");
    for line in sample.lines().filter(|l| {
        !l.starts_with('#')
            && (l.contains("route=\"/\"") && !l.contains("_bucket")
                || l.starts_with("dynamodb_calls_total")
                || l.starts_with("outbox_")
                || l.starts_with("live_connections"))
    }) {
        println!("  {line}");
    }
    let public = app.get("/metrics", &cookie).await;
    assert!(
        !public.body.contains("http_requests_total"),
        "no metrics on the public port"
    );

    // In flight when the signal comes: 8 requests whose bodies are still arriving, a live
    // stream, the worker's current mail.
    let form = form_body(&[
        ("email", format!("{}@example.org", me.handle)),
        ("password", "correct-horse-battery-9".to_owned()),
        ("next", "/".to_owned()),
    ]);
    let mut posts = Vec::new();
    for _ in 0..8 {
        posts.push(SlowPost::start(&app.base, minijira::accounts::api::SignIn::PATH, &form).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    app.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        TcpStream::connect(&app.base).await.is_err(),
        "no new connection is accepted after SIGTERM"
    );
    let answers = futures::future::join_all(posts.into_iter().map(SlowPost::finish)).await;
    for answer in &answers {
        assert!(
            matches!(answer, Ok(s) if *s < 500),
            "an in-flight request was answered: {answers:?}"
        );
    }
    let stream_end = live.read_to_end(Duration::from_secs(5)).await;
    assert_eq!(stream_end, Ok(()), "the live stream ended cleanly");
    let status = app
        .exited_within(Duration::from_secs(10))
        .await
        .expect("the server exits within 10 s of SIGTERM");
    let took = signalled.elapsed();
    assert!(status.success(), "a clean exit: {status}");

    // No lease left held: every mail is sent, or queued with no lease.
    let mut sent = 0;
    for id in &ids {
        let mail = outbox::get(&store, id).await.unwrap().expect("the mail");
        assert!(
            mail.lease_until.is_none(),
            "mail {id} ({:?}) left with a lease",
            mail.status
        );
        sent += usize::from(mail.status == minijira::model::Delivery::Sent);
    }

    // The log: JSON lines, ending with the stop.
    let log = std::fs::read_to_string(&log_path).expect("the log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let said = |m: &str| lines.iter().any(|l| l["fields"]["message"] == m);
    assert!(
        said("shutting down") && said("worker stopped") && said("stopped"),
        "{log}"
    );
    let _ = std::fs::remove_file(&log_path);
    println!(
        "SIGTERM after {pages} pages in 1 s: 8 in-flight requests answered ({answers:?}), live stream \
         ended cleanly, exit {status} after {took:?}; {sent} of 300 mails sent, none left leased; \
         {} JSON log lines",
        lines.len()
    );
}
