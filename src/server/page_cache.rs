//! The page cache: a signed-in person's rendered pages, kept per person and page, and served
//! again while the partitions they were built from have not changed.
//!
//! Each request for a cacheable page (a project's pages: see `projects::store::page_partitions`)
//! is judged on one strongly consistent BatchGetItem of a few bytes, made after the request
//! arrived: the versions of the page's partitions (see `db::versions`) and the reader's account
//! (status and session epoch). Requests for the same page at the same moment share that read
//! (see `coalesce`: a shared read always began after every request it serves arrived). The copy is served only if it was built under exactly those versions, for this
//! person with this token's name and rights; the account is judged on every request, on the
//! fresh read. So:
//!
//! - a change is visible on the very next request, on every instance (the version moved with
//!   the write, and every instance reads it);
//! - access is never cached with the page: a membership change moves the project's version
//!   (the member is an item of it), a deleted task moves it too, a deactivated or signed-out
//!   account is refused on the read itself;
//! - a copy is at most [`MAX_AGE`] old (pages show dates such as "3 days left");
//! - memory is bounded: at most `capacity` bytes of pages, least recently used dropped first.
//!
//! Only complete `200 text/html` pages without a `Set-Cookie` are kept. The page is cut where
//! the nonce this request made (`security::PageNonce`, 128 random bits no page text can know in
//! advance) was rendered, and each serve puts in the nonce of the request it serves, so a
//! cached page is byte for byte what rendering it again would give. The page's own text is
//! never searched for something that looks like a nonce.

use super::coalesce::Coalescer;
use super::security::PageNonce;
use super::state::AppState;
use crate::db::versions::Versions;
use crate::model::AccountStatus;
use crate::platform::session::{DeactivatedSession, Session};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE, DATE, SET_COOKIE};
use http::{HeaderMap, Method, StatusCode};
use lru::LruCache;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The oldest copy served.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// The largest page kept.
const MAX_PAGE: usize = 1024 * 1024;

/// What the cache did for a response, and how many requests the read of the versions it was
/// judged on served (reported in `Server-Timing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheStatus {
    Hit { shared: usize },
    Miss { shared: usize },
}

type VersionRead = Result<Versions, String>;

struct KeptPage {
    /// The page cut at each occurrence of its nonce.
    pieces: Vec<Bytes>,
    headers: HeaderMap,
    versions: Vec<u64>,
    made: Instant,
    size: usize,
}

struct Inner {
    pages: LruCache<String, Arc<KeptPage>>,
    bytes: usize,
}

pub struct PageCache {
    inner: Mutex<Inner>,
    capacity: usize,
    /// Concurrent requests for one page share one read of its versions (see `coalesce`).
    reads: Arc<Coalescer<VersionRead>>,
}

impl PageCache {
    /// A cache of at most `capacity` bytes of pages (0: no cache).
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                pages: LruCache::unbounded(),
                bytes: 0,
            }),
            capacity,
            reads: Arc::default(),
        }
    }

    fn get(&self, key: &str, versions: &[u64]) -> Option<Arc<KeptPage>> {
        let mut inner = self.inner.lock().ok()?;
        let copy = inner.pages.get(key)?.clone();
        if copy.versions == versions && copy.made.elapsed() < MAX_AGE {
            return Some(copy);
        }
        if let Some(old) = inner.pages.pop(key) {
            inner.bytes -= old.size;
        }
        None
    }

    fn put(&self, key: String, copy: KeptPage) {
        if copy.size > self.capacity {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let size = copy.size;
        if let Some(old) = inner.pages.put(key, Arc::new(copy)) {
            inner.bytes -= old.size;
        }
        inner.bytes += size;
        while inner.bytes > self.capacity {
            match inner.pages.pop_lru() {
                Some((_, old)) => inner.bytes -= old.size,
                None => break,
            }
        }
    }

    /// Bytes of pages held now.
    pub fn bytes(&self) -> usize {
        self.inner.lock().map(|i| i.bytes).unwrap_or(0)
    }
}

/// The key of a person's copy of a page: who (and what their token says of them, which the
/// navigation shows), and the path with its query.
fn cache_key(session: &Session, req: &Request) -> String {
    let c = &session.0;
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{target}",
        c.sub, c.handle, c.name, c.kind, c.adm
    )
}

/// Serves a person's page from the cache when it still holds; otherwise renders it and keeps
/// it. Sits inside the session layer (it needs the verified session).
pub async fn page_cache_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let session = match req.extensions().get::<Session>() {
        Some(s) if req.method() == Method::GET && state.pages.capacity > 0 => s.clone(),
        _ => return next.run(req).await,
    };
    let Some(partitions) = crate::projects::store::page_partitions(req.uri().path()) else {
        return next.run(req).await;
    };
    let read_key = format!("{}\u{1f}{}", session.0.sub, partitions.join("\u{1f}"));
    let read = {
        let (store, user) = (state.kit.store.clone(), session.0.sub.clone());
        move || {
            let (store, user, partitions) = (store.clone(), user.clone(), partitions.clone());
            async move {
                store
                    .versions(&partitions, Some(&user))
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    };
    let (now, shared) = match state.pages.reads.read(read_key, read).await {
        Some((Ok(now), shared)) => (now, shared),
        // Render as if there were no cache (the page will say what is wrong, if anything).
        other => {
            let error = other.and_then(|(r, _)| r.err()).unwrap_or_default();
            tracing::warn!(%error, "could not read page versions");
            return next.run(req).await;
        }
    };
    let account_ok = now.account.as_ref().is_some_and(|a| {
        a.status != AccountStatus::Deactivated.as_str() && a.epoch <= session.0.epoch
    });
    if !account_ok {
        // Signed out elsewhere, deactivated, or gone: the page is rendered for nobody, and
        // the session guard reads the account again on the next request.
        state.kit.sessions.forget(&session.0.sub);
        req.extensions_mut().remove::<Session>();
        if now
            .account
            .is_some_and(|a| a.status == AccountStatus::Deactivated.as_str())
        {
            req.extensions_mut().insert(DeactivatedSession);
        }
        return next.run(req).await;
    }
    let key = cache_key(&session, &req);
    let Some(nonce) = req.extensions().get::<PageNonce>().map(|n| n.0.clone()) else {
        // Outside the policy layer (never in the router): nothing to cut the page at.
        return next.run(req).await;
    };
    if let Some(copy) = state.pages.get(&key, &now.versions) {
        let mut res = serve(&copy, &nonce);
        res.extensions_mut().insert(CacheStatus::Hit { shared });
        return res;
    }
    let res = next.run(req).await;
    let mut res = keep(&state, key, now.versions, &nonce, res).await;
    if res.status() == StatusCode::OK {
        res.extensions_mut().insert(CacheStatus::Miss { shared });
    }
    res
}

/// The kept page with the serving request's nonce where the nonce was (the policy layer
/// names that nonce in the page's Content-Security-Policy).
fn serve(copy: &KeptPage, nonce: &str) -> Response {
    let mut body = Vec::with_capacity(copy.size + 64);
    for (i, piece) in copy.pieces.iter().enumerate() {
        if i > 0 {
            body.extend_from_slice(nonce.as_bytes());
        }
        body.extend_from_slice(piece);
    }
    let mut res = Response::new(Body::from(body));
    *res.headers_mut() = copy.headers.clone();
    res
}

async fn keep(
    state: &AppState,
    key: String,
    versions: Vec<u64>,
    nonce: &str,
    res: Response,
) -> Response {
    let cacheable = res.status() == StatusCode::OK
        && !res.headers().contains_key(SET_COOKIE)
        && res
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !cacheable {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "could not read a page to keep it");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again.",
            )
                .into_response();
        }
    };
    let pieces = split(&bytes, nonce.as_bytes());
    let mut headers = parts.headers.clone();
    for name in [SET_COOKIE, DATE, CONTENT_LENGTH, CONTENT_SECURITY_POLICY] {
        headers.remove(name);
    }
    state.pages.put(
        key,
        KeptPage {
            pieces,
            headers,
            versions,
            made: Instant::now(),
            size: bytes.len(),
        },
    );
    Response::from_parts(parts, Body::from(bytes))
}

/// `page` cut at every occurrence of `nonce`.
fn split(page: &Bytes, nonce: &[u8]) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + nonce.len() <= page.len() {
        if &page[i..i + nonce.len()] == nonce {
            pieces.push(page.slice(start..i));
            i += nonce.len();
            start = i;
        } else {
            i += 1;
        }
    }
    pieces.push(page.slice(start..));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_cut_at_its_nonce() {
        let page =
            Bytes::from_static(b"<script nonce=\"N1\">a</script><p>b</p><script nonce=\"N1\">");
        let pieces = split(&page, b"N1");
        assert_eq!(pieces.len(), 3);
        assert_eq!(
            pieces.concat(),
            b"<script nonce=\"\">a</script><p>b</p><script nonce=\"\">"
        );
    }

    fn copy(size: usize, versions: Vec<u64>) -> KeptPage {
        KeptPage {
            pieces: vec![Bytes::from(vec![b'x'; size])],
            headers: HeaderMap::new(),
            versions,
            made: Instant::now(),
            size,
        }
    }

    #[test]
    fn a_copy_holds_only_under_its_versions() {
        let cache = PageCache::new(1000);
        cache.put("a".into(), copy(10, vec![1, 2]));
        assert!(cache.get("a", &[1, 2]).is_some());
        assert!(cache.get("a", &[1, 3]).is_none(), "a partition moved on");
        assert!(
            cache.get("a", &[1, 2]).is_none(),
            "and the stale copy is gone"
        );
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn memory_is_bounded_least_recently_used_first() {
        let cache = PageCache::new(100);
        cache.put("a".into(), copy(40, vec![1]));
        cache.put("b".into(), copy(40, vec![1]));
        assert!(cache.get("a", &[1]).is_some());
        cache.put("c".into(), copy(40, vec![1]));
        assert!(cache.bytes() <= 100);
        assert!(
            cache.get("b", &[1]).is_none(),
            "b was the least recently used"
        );
        assert!(cache.get("a", &[1]).is_some());
        cache.put("huge".into(), copy(101, vec![1]));
        assert!(cache.get("huge", &[1]).is_none());
    }
}
