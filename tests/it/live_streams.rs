//! Live updates pushed over Server-Sent Events: across instances, resumed after a reconnect,
//! and read from DynamoDB per instance, not per open page.

use crate::common::*;
use crate::instances::{cookie_for, Instance};
use leptos::server_fn::ServerFn;
use minijira::accounts::model::{PersonRef, SessionUser};
use minijira::messages::model::Message;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, Default, Clone)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
    pub id: Option<String>,
}

/// A Server-Sent Events stream read over a plain connection (chunked transfer decoded).
pub struct SseClient {
    stream: tokio::net::TcpStream,
    raw: Vec<u8>,
    text: String,
}

impl SseClient {
    pub async fn open(host: &str, path: &str, cookie: &str, last_event_id: Option<&str>) -> Self {
        let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
        let mut head = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n"
        );
        if let Some(id) = last_event_id {
            head.push_str(&format!("Last-Event-ID: {id}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("write");
        let mut client = Self {
            stream,
            raw: Vec::new(),
            text: String::new(),
        };
        // The response head.
        loop {
            if let Some(end) = client.raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&client.raw[..end]).into_owned();
                assert!(head.starts_with("HTTP/1.1 200"), "{head}");
                assert!(
                    head.to_ascii_lowercase().contains("text/event-stream"),
                    "{head}"
                );
                client.raw.drain(..end + 4);
                break;
            }
            client.fill().await;
        }
        client
    }

    async fn fill(&mut self) {
        let mut buf = [0u8; 16 * 1024];
        let n = self.stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "the stream ended");
        self.raw.extend_from_slice(&buf[..n]);
    }

    /// Moves complete chunks from `raw` to `text`.
    fn dechunk(&mut self) {
        while let Some(eol) = self.raw.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&self.raw[..eol]).trim(), 16)
                .expect("chunk size");
            if self.raw.len() < eol + 2 + size + 2 {
                return;
            }
            let data = self.raw[eol + 2..eol + 2 + size].to_vec();
            self.text.push_str(&String::from_utf8_lossy(&data));
            self.raw.drain(..eol + 2 + size + 2);
        }
    }

    /// The next event (keep-alive comments skipped), or None after `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<SseEvent> {
        let until = Instant::now() + wait;
        loop {
            self.dechunk();
            while let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut event = SseEvent::default();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        event.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    } else if let Some(v) = line.strip_prefix("id:") {
                        event.id = Some(v.trim().to_owned());
                    }
                }
                if !event.event.is_empty() || !event.data.is_empty() {
                    return Some(event);
                }
            }
            let left = until.checked_duration_since(Instant::now())?;
            if tokio::time::timeout(left, self.fill()).await.is_err() {
                return None;
            }
        }
    }

    /// The next message event's message.
    pub async fn message(&mut self, wait: Duration) -> Option<Message> {
        let until = Instant::now() + wait;
        loop {
            let left = until.checked_duration_since(Instant::now())?;
            let e = self.next(left).await?;
            if e.event == "message" {
                return Some(serde_json::from_str(&e.data).expect("a message as JSON"));
            }
        }
    }
}

async fn conversation(store: &minijira::db::Store, a: &SessionUser, b: &SessionUser) -> String {
    minijira::messages::rules::start(store, &PersonRef::from(a), &PersonRef::from(b))
        .await
        .expect("conversation")
}

async fn send_through(instance: &Instance, cookie: &str, conversation: &str, body: &str) {
    let sent = instance
        .call(
            minijira::messages::api::SendMessage::PATH,
            &[("conversation", conversation), ("body", body)],
            cookie,
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
}

#[tokio::test]
async fn a_message_sent_through_one_instance_is_pushed_by_the_other_within_a_second() {
    let state = state().await;
    let store = state.kit.store.clone();
    let (writer, reader) = (user(&store, "lw").await, user(&store, "lr").await);
    let id = conversation(&store, &writer, &reader).await;
    let table = store.table().to_owned();
    let (a, b) = tokio::join!(Instance::start(&table), Instance::start(&table));
    let mut stream = SseClient::open(
        &b.base,
        &format!("/live?c={id}&after="),
        &cookie_for(&reader),
        None,
    )
    .await;
    let first = stream
        .next(Duration::from_secs(5))
        .await
        .expect("the first event");
    assert_eq!((first.event.as_str(), first.data.as_str()), ("unread", "0"));

    let mut lags = Vec::new();
    for i in 0..20 {
        let body = format!("through A, number {i}");
        send_through(&a, &cookie_for(&writer), &id, &body).await;
        let sent = Instant::now();
        loop {
            let m = stream
                .message(Duration::from_secs(3))
                .await
                .unwrap_or_else(|| panic!("message {i} never pushed"));
            if m.body == body {
                break;
            }
        }
        lags.push(sent.elapsed());
    }
    lags.sort();
    let p95 = lags[lags.len() * 95 / 100 - 1];
    println!(
        "pushed by the other instance after: p50 {:?}, p95 {p95:?}, max {:?}",
        lags[lags.len() / 2],
        lags[lags.len() - 1]
    );
    assert!(p95 < Duration::from_secs(1), "{lags:?}");
}

#[tokio::test]
async fn a_reconnecting_stream_resumes_after_its_last_event() {
    let state = state().await;
    let store = state.kit.store.clone();
    let (writer, reader) = (user(&store, "rw").await, user(&store, "rr").await);
    let id = conversation(&store, &writer, &reader).await;
    let table = store.table().to_owned();
    let (a, b) = tokio::join!(Instance::start(&table), Instance::start(&table));
    let path = format!("/live?c={id}&after=");
    let mut stream = SseClient::open(&b.base, &path, &cookie_for(&reader), None).await;
    send_through(&a, &cookie_for(&writer), &id, "before the drop").await;
    let seen = stream
        .message(Duration::from_secs(3))
        .await
        .expect("pushed");
    assert_eq!(seen.body, "before the drop");
    drop(stream);

    // Sent while the page is away.
    for i in 0..5 {
        send_through(&a, &cookie_for(&writer), &id, &format!("while away {i}")).await;
    }
    let mut again = SseClient::open(&b.base, &path, &cookie_for(&reader), Some(&seen.id)).await;
    let mut got = Vec::new();
    while let Some(m) = again.message(Duration::from_secs(2)).await {
        got.push(m.body);
    }
    let missed: Vec<String> = (0..5).map(|i| format!("while away {i}")).collect();
    let resumed: Vec<String> = got
        .into_iter()
        .filter(|b| b.starts_with("while away"))
        .collect();
    assert_eq!(resumed, missed, "every message, once, in order");
}

#[tokio::test]
async fn idle_streams_cost_reads_per_instance_not_per_page() {
    let state = state().await;
    let store = state.kit.store.clone();
    let hub = state.live.clone();
    let app = minijira::server::router::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let people: Vec<SessionUser> =
        futures::future::join_all((0..10).map(|_| user(&store, "idle"))).await;
    let window = Duration::from_secs(4);
    let calls_over = |streams: usize| {
        let hub = hub.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(600)).await;
            let before = hub.metrics.calls();
            tokio::time::sleep(window).await;
            let calls = hub.metrics.calls() - before;
            let per_minute = calls as f64 * 60.0 / window.as_secs_f64();
            println!(
                "{streams} idle streams: {calls} DynamoDB calls in {window:?} ({per_minute:.0}/min, {:.2} per stream per minute)",
                per_minute / streams as f64
            );
            calls
        }
    };
    let mut streams = vec![SseClient::open(&host, "/live", &cookie_for(&people[0]), None).await];
    let one = calls_over(1).await;
    for i in 0..99 {
        streams.push(SseClient::open(&host, "/live", &cookie_for(&people[i % 10]), None).await);
    }
    assert_eq!(hub.connections(), 100);
    let hundred = calls_over(100).await;
    let ticks = (window.as_millis() / minijira::messages::live::TICK.as_millis()) as u64;
    assert!(one <= ticks + 2, "one signal read per tick: {one}");
    assert!(
        hundred <= ticks + 2,
        "the same with a hundred streams: {hundred}"
    );
    drop(streams);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(hub.connections(), 0, "closed streams leave the hub");
    let before = hub.metrics.calls();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(hub.metrics.calls(), before, "no stream, no reads");
}
