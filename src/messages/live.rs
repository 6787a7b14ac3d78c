//! Live updates, pushed: each open page holds one Server-Sent Events stream (`GET /live`),
//! and each instance reads DynamoDB for all its streams together.
//!
//! Every tick the instance reads the live signals (one BatchGetItem of `keys::LIVE_SHARDS`
//! small items, and only while it holds at least one stream). A signal moves when a message is
//! sent to or read by a user of its shard; for a shard that moved, the instance reads the unread
//! totals of its users there (one BatchGetItem per hundred users) and, for each stream with a
//! conversation open, that conversation's new messages (one Query). So an idle instance makes
//! one small read per tick whatever the number of open pages, and a change costs reads only for
//! the pages it concerns. A full sweep every [`SWEEP`] catches a signal whose write failed.
//!
//! A message event carries the message id as its SSE `id`: a reconnecting browser sends it back
//! as `Last-Event-ID` and the stream resumes after it (looking back a few seconds for messages
//! committed late, as the page itself does: it skips repeats). A hidden page closes its stream
//! (the browser code does), so it costs nothing. A stream ends after [`MAX_LIFETIME`]: the
//! browser reconnects through the session check.
//!
//! A stream is judged by the session guard as a page is (`session_guard`): every tick the hub asks
//! it about its streams' sessions, and it reads the accounts it has not checked within its
//! interval (≤ 30 s) together, in one batched read. So a signed-out or deactivated account's
//! streams end within that interval on every instance, and at once on the instance where it
//! happened ([`LiveHub::end_user`]). A person has at most [`MAX_PER_PERSON`] streams; a new one
//! past that closes their oldest.

use crate::db::{DbMetrics, Store};
use crate::error::AppError;
use crate::messages::model::{feed_start, Message};
use crate::messages::{rules as messages, store::signals};
use crate::platform::session::{AuthUser, Session};
use crate::platform::session_guard::{SessionGuard, Verdict};
use crate::platform::Kit;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use http::HeaderMap;
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How often an instance reads the signals (while it holds a stream).
pub const TICK: Duration = Duration::from_millis(250);
/// How often every stream's state is read whatever the signals say.
pub const SWEEP: Duration = Duration::from_secs(60);
/// The longest a stream stays open before the browser reconnects.
pub const MAX_LIFETIME: Duration = Duration::from_secs(300);
/// Message ids a stream remembers having sent (the feed's look-back window repeats some).
const RECENT: usize = 100;
/// Most open streams per person (a tab each); a new one past that closes their oldest.
pub const MAX_PER_PERSON: usize = 20;

struct Tab {
    user: String,
    /// The session epoch and id of the token the stream was opened with.
    epoch: u64,
    sid: String,
    shard: u32,
    conversation: Option<String>,
    /// The newest message sent, and the ids sent lately.
    last: Option<String>,
    recent: VecDeque<String>,
    unread: Option<u32>,
    tx: mpsc::Sender<Event>,
    opened: Instant,
}

/// The open streams of this instance and the loop that feeds them.
#[derive(Default)]
pub struct LiveHub {
    tabs: Mutex<HashMap<u64, Tab>>,
    next: AtomicU64,
    started: AtomicBool,
    /// Set when the server stops: new streams are refused.
    closed: AtomicBool,
    /// The DynamoDB calls the hub made (its streams' reads).
    pub metrics: Arc<DbMetrics>,
}

/// The open streams gauge (read where the server exposes its metrics).
fn live_connections(n: usize) {
    metrics::gauge!("live_connections").set(n as f64);
}

/// What the loop needs of a stream, copied out of the lock.
struct Snapshot {
    id: u64,
    user: String,
    epoch: u64,
    sid: String,
    shard: u32,
    conversation: Option<String>,
    last: Option<String>,
}

impl LiveHub {
    /// Open streams.
    pub fn connections(&self) -> usize {
        self.tabs.lock().map(|t| t.len()).unwrap_or(0)
    }

    fn register(&self, tab: Tab) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut tabs) = self.tabs.lock() {
            let mut theirs: Vec<(u64, Instant)> = tabs
                .iter()
                .filter(|(_, t)| t.user == tab.user)
                .map(|(id, t)| (*id, t.opened))
                .collect();
            if theirs.len() >= MAX_PER_PERSON {
                theirs.sort_by_key(|(id, opened)| (*opened, *id));
                for (old, _) in &theirs[..=theirs.len() - MAX_PER_PERSON] {
                    tabs.remove(old);
                }
            }
            tabs.insert(id, tab);
            live_connections(tabs.len());
        }
        id
    }

    /// Ends every stream of `user_id` on this instance (signed out, status changed): each
    /// browser reconnects through the session check.
    pub fn end_user(&self, user_id: &str) {
        if let Ok(mut tabs) = self.tabs.lock() {
            tabs.retain(|_, t| t.user != user_id);
            live_connections(tabs.len());
        }
    }

    fn remove(&self, id: u64) {
        if let Ok(mut tabs) = self.tabs.lock() {
            tabs.remove(&id);
            live_connections(tabs.len());
        }
    }

    /// Ends every stream and refuses new ones (the server is stopping): each response
    /// finishes cleanly and the browser reconnects, to another instance.
    pub fn close_all(&self) {
        self.closed.store(true, Ordering::SeqCst);
        if let Ok(mut tabs) = self.tabs.lock() {
            tabs.clear();
            live_connections(0);
        }
    }

    /// Streams still open (ended ones, and ones past their lifetime, are dropped).
    fn snapshot(&self) -> Vec<Snapshot> {
        let Ok(mut tabs) = self.tabs.lock() else {
            return Vec::new();
        };
        tabs.retain(|_, t| !t.tx.is_closed() && t.opened.elapsed() < MAX_LIFETIME);
        live_connections(tabs.len());
        tabs.iter()
            .map(|(id, t)| Snapshot {
                id: *id,
                user: t.user.clone(),
                epoch: t.epoch,
                sid: t.sid.clone(),
                shard: t.shard,
                conversation: t.conversation.clone(),
                last: t.last.clone(),
            })
            .collect()
    }

    /// Sends a stream its unread total, if it changed.
    fn unread(&self, id: u64, total: u32) {
        let Ok(mut tabs) = self.tabs.lock() else {
            return;
        };
        if let Some(tab) = tabs.get_mut(&id) {
            if tab.unread != Some(total) {
                tab.unread = Some(total);
                let _ = tab
                    .tx
                    .try_send(Event::default().event("unread").data(total.to_string()));
            }
        }
    }

    /// Sends a stream the messages it has not had yet.
    fn messages(&self, id: u64, messages: Vec<Message>) {
        let Ok(mut tabs) = self.tabs.lock() else {
            return;
        };
        let Some(tab) = tabs.get_mut(&id) else {
            return;
        };
        for m in messages {
            if tab.recent.contains(&m.id) {
                continue;
            }
            let event = match Event::default().event("message").id(&m.id).json_data(&m) {
                Ok(e) => e,
                Err(_) => continue,
            };
            if tab.tx.try_send(event).is_err() {
                // A stream that does not keep up is ended; the browser reconnects and resumes.
                tab.tx = mpsc::channel(1).0;
                return;
            }
            if tab.last.as_ref().is_none_or(|l| *l < m.id) {
                tab.last = Some(m.id.clone());
            }
            tab.recent.push_back(m.id);
            if tab.recent.len() > RECENT {
                tab.recent.pop_front();
            }
        }
    }

    fn start(self: &Arc<Self>, store: Store, sessions: Arc<SessionGuard>) {
        if !self.started.swap(true, Ordering::SeqCst) {
            tokio::spawn(run(self.clone(), store, sessions));
        }
    }

    /// Ends the streams whose session no longer holds (the guard's verdict, see `session_guard`).
    async fn judge_sessions(&self, store: &Store, sessions: &SessionGuard, tabs: &[Snapshot]) {
        let asked: Vec<(&str, u64, &str)> = tabs
            .iter()
            .map(|t| (t.user.as_str(), t.epoch, t.sid.as_str()))
            .collect();
        let verdicts = sessions.check_many(store, &asked).await;
        let ended: Vec<u64> = tabs
            .iter()
            .zip(verdicts)
            .filter(|(_, v)| *v != Verdict::Good)
            .map(|(t, _)| t.id)
            .collect();
        for id in ended {
            self.remove(id);
        }
    }
}

/// The loop: signals every tick, the state of the streams a moved signal concerns.
async fn run(hub: Arc<LiveHub>, store: Store, sessions: Arc<SessionGuard>) {
    let mut seen: Option<Vec<i64>> = None;
    let mut last_sweep = Instant::now();
    let mut last_report = (Instant::now(), hub.metrics.calls());
    loop {
        tokio::time::sleep(TICK).await;
        if last_report.0.elapsed() >= Duration::from_secs(60) {
            let calls = hub.metrics.calls();
            tracing::info!(
                connections = hub.connections(),
                dynamodb_calls = calls - last_report.1,
                "live streams in the last minute"
            );
            last_report = (Instant::now(), calls);
        }
        let tabs = hub.snapshot();
        if tabs.is_empty() {
            seen = None;
            continue;
        }
        hub.judge_sessions(&store, &sessions, &tabs).await;
        let now = match signals::signals(&store).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the live signals");
                continue;
            }
        };
        let sweep = last_sweep.elapsed() >= SWEEP || seen.is_none();
        if sweep {
            last_sweep = Instant::now();
        }
        let moved = |shard: u32| {
            sweep
                || seen
                    .as_ref()
                    .is_some_and(|s| s.get(shard as usize) != now.get(shard as usize))
        };
        let concerned: Vec<&Snapshot> = tabs.iter().filter(|t| moved(t.shard)).collect();
        seen = Some(now);
        if concerned.is_empty() {
            continue;
        }
        let mut users: Vec<String> = concerned.iter().map(|t| t.user.clone()).collect();
        users.sort_unstable();
        users.dedup();
        match signals::unread_totals(&store, &users).await {
            Ok(totals) => {
                for t in &concerned {
                    if let Some(total) = totals.get(&t.user) {
                        hub.unread(t.id, *total);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read unread totals"),
        }
        for t in concerned {
            if let Some(c) = &t.conversation {
                let from = t
                    .last
                    .as_deref()
                    .map(feed_start)
                    .unwrap_or_else(|| "0".into());
                match messages::since(&store, c, &t.user, &from).await {
                    Ok(found) => hub.messages(t.id, found),
                    Err(e) => tracing::debug!(error = %e, "live conversation read failed"),
                }
            }
        }
    }
}

/// `GET /live` (see [`live_stream`]).
pub fn routes<S>() -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    Kit: axum::extract::FromRef<S>,
    Arc<LiveHub>: axum::extract::FromRef<S>,
{
    axum::Router::new().route("/live", axum::routing::get(live_stream))
}

#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    /// The conversation the page shows, if any.
    pub c: Option<String>,
    /// The id of the newest message the page has.
    pub after: Option<String>,
}

/// `GET /live`: the signed-in user's stream (their unread total; with `c`, that conversation's
/// new messages).
pub async fn live_stream(
    State(kit): State<Kit>,
    State(hub): State<Arc<LiveHub>>,
    AuthUser(me): AuthUser,
    session: Option<axum::Extension<Session>>,
    Query(q): Query<LiveQuery>,
    headers: HeaderMap,
) -> Result<Sse<axum::response::sse::KeepAliveStream<TabStream>>, AppError> {
    let (epoch, sid) = session
        .map(|s| (s.0 .0.epoch, s.0 .0.sid.clone()))
        .ok_or(AppError::Unauthorized)?;
    if hub.closed.load(Ordering::SeqCst) {
        return Err(AppError::Unavailable);
    }
    let store = kit.store.for_request(hub.metrics.clone());
    let conversation = q.c.filter(|c| !c.is_empty());
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(q.after)
        .filter(|a| !a.is_empty());
    let (tx, rx) = mpsc::channel(64);
    // Registered before the first read: a change after that read moves a signal the loop sees.
    let id = hub.register(Tab {
        user: me.id.clone(),
        epoch,
        sid,
        shard: crate::db::keys::live_shard(&me.id),
        conversation: conversation.clone(),
        last: None,
        recent: VecDeque::new(),
        unread: None,
        tx,
        opened: Instant::now(),
    });
    let guard = TabGuard {
        hub: hub.clone(),
        id,
    };
    let open = conversation.as_deref().map(|c| {
        (
            c,
            after
                .as_deref()
                .map(feed_start)
                .unwrap_or_else(|| "0".into()),
        )
    });
    let first =
        messages::live(&store, &me.id, open.as_ref().map(|(c, a)| (*c, a.as_str()))).await?;
    hub.unread(id, first.unread_total);
    hub.messages(id, first.messages);
    hub.start(store, kit.sessions.clone());
    Ok(Sse::new(TabStream { rx, _guard: guard })
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20))))
}

/// Removes its stream from the hub when the response is dropped (the browser went away).
struct TabGuard {
    hub: Arc<LiveHub>,
    id: u64,
}

impl Drop for TabGuard {
    fn drop(&mut self) {
        self.hub.remove(self.id);
    }
}

/// One page's events.
pub struct TabStream {
    rx: mpsc::Receiver<Event>,
    _guard: TabGuard,
}

impl Stream for TabStream {
    type Item = Result<Event, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|e| e.map(Ok))
    }
}
