//! What a server function needs from its request — the kit, a store that counts its calls
//! for this request, the verified session — and [`serve`], the wrapper every server function
//! runs in.

use super::respond::finish;
use super::session::{clear_cookie, session_cookie, AuthUser, MaybeAuthUser};
use super::Kit;
use crate::db::account_state::{self, AccountState, SessionRecord};
use crate::db::Store;
use crate::error::AppError;
use crate::model::SessionUser;
use http::header::SET_COOKIE;
use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::future::Future;
use tracing::field::Empty;
use tracing::Instrument;

pub struct Ctx {
    pub kit: Kit,
    pub store: Store,
    parts: Parts,
}

/// Runs a server function's `work` with its request context, in a span named after the
/// function (from its path: `/api/sign_in1234` is `sign_in`) that records the signed-in user
/// and the outcome's status, and passes the result through [`finish`] (status code, the
/// no-JavaScript form path).
pub async fn serve<T, Fut>(work: impl FnOnce(Ctx) -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, AppError>>,
{
    let cx = match ctx() {
        Ok(cx) => cx,
        Err(e) => return finish(Err(e)),
    };
    let span = tracing::info_span!(
        "server_fn",
        name = cx.fn_name(),
        user = Empty,
        status = Empty
    );
    if let Some(me) = cx.maybe_user() {
        span.record("user", me.id);
    }
    let result = work(cx).instrument(span.clone()).await;
    span.record(
        "status",
        result.as_ref().map_or_else(AppError::status, |_| 200),
    );
    finish(result)
}

/// The request context of the running server function.
fn ctx() -> Result<Ctx, AppError> {
    let kit = use_context::<Kit>().ok_or_else(|| AppError::internal("Kit missing from context"))?;
    let parts = use_context::<Parts>()
        .ok_or_else(|| AppError::internal("request parts missing from context"))?;
    let store = kit.store_for(&parts.extensions);
    Ok(Ctx { kit, store, parts })
}

impl Ctx {
    /// The server function's name, from its path.
    fn fn_name(&self) -> &str {
        let path = self.parts.uri.path();
        path.rsplit('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(|c: char| c.is_ascii_digit())
    }

    /// The signed-in user, from the verified token; 401 when there is none.
    pub fn user(&self) -> Result<SessionUser, AppError> {
        AuthUser::from_parts(&self.parts).map(|a| a.0)
    }

    pub fn maybe_user(&self) -> Option<SessionUser> {
        MaybeAuthUser::from_parts(&self.parts).0
    }

    /// The client's address: the connection's peer, or with TRUST_PROXY the address our
    /// proxies saw (see [`forwarded_client`]).
    pub fn client_addr(&self) -> String {
        let settings = &self.kit.settings;
        if settings.trust_proxy {
            if let Some(addr) = forwarded_client(&self.parts.headers, settings.proxy_hops) {
                return addr;
            }
        }
        self.parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    }

    /// Signs `user` in: a new session of the account (`account`, as just read) — its record
    /// and its id among the account's open sessions — and its cookie.
    pub async fn start_session(
        &self,
        user: &SessionUser,
        account: &AccountState,
    ) -> Result<(), AppError> {
        let now = crate::model::wall_clock().timestamp();
        let agent: String = self
            .parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(160)
            .collect();
        let record = SessionRecord {
            sid: ulid::Ulid::new().to_string(),
            created_at: now,
            last_seen: now,
            agent,
        };
        let written = account_state::open_session(&self.store, account, &record).await?;
        // The guard knows the new session: the next request needs no read of the account.
        self.kit.sessions.remember(&written);
        self.issue_cookie(user, written.session_epoch, &record.sid)
    }

    /// Gives this session a token that says what the account is now (`account`, as just read:
    /// a new name, a confirmed address, a new epoch after a password change), keeping its
    /// session; a token from before sessions had ids gets a new session.
    pub async fn renew_session(
        &self,
        user: &SessionUser,
        account: &AccountState,
    ) -> Result<(), AppError> {
        match self.sid() {
            Some(sid) if account.sessions.contains(&sid) => {
                self.kit.sessions.remember(account);
                self.issue_cookie(user, account.session_epoch, &sid)
            }
            _ => self.start_session(user, account).await,
        }
    }

    /// The session id of this request's token, if it has one.
    pub fn sid(&self) -> Option<String> {
        self.parts
            .extensions
            .get::<super::session::Session>()
            .map(|s| s.0.sid.clone())
            .filter(|sid| !sid.is_empty())
    }

    fn issue_cookie(&self, user: &SessionUser, epoch: u64, sid: &str) -> Result<(), AppError> {
        let now = crate::model::wall_clock().timestamp();
        let token = self
            .kit
            .tokens
            .issue(user, epoch, sid, now)
            .ok_or(AppError::Internal)?;
        let cookie = session_cookie(
            &token,
            self.kit.tokens.ttl_secs(),
            self.kit.settings.secure_cookies,
        );
        if let Some(res) = use_context::<ResponseOptions>() {
            res.append_header(SET_COOKIE, cookie);
        }
        Ok(())
    }

    pub fn end_session(&self) {
        if let Some(res) = use_context::<ResponseOptions>() {
            res.append_header(SET_COOKIE, clear_cookie(self.kit.settings.secure_cookies));
        }
    }
}

/// The client's address in X-Forwarded-For behind `hops` proxies of ours, each of which appends
/// the address it received from: the `hops`-th entry from the right (every header line read, in
/// order). Entries further left are whatever the client sent, so they are never used; with
/// fewer entries than `hops`, the left-most one (the request came through fewer proxies).
pub fn forwarded_client(headers: &http::HeaderMap, hops: u8) -> Option<String> {
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let hops = usize::from(hops.max(1));
    let entry = entries.get(entries.len().saturating_sub(hops))?;
    (!entry.is_empty()).then(|| entry.chars().take(64).collect())
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    fn headers(lines: &[&str]) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        for l in lines {
            h.append("x-forwarded-for", l.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_counted_from_the_right() {
        let h = headers(&["1.1.1.1, 2.2.2.2", "3.3.3.3"]);
        assert_eq!(forwarded_client(&h, 1).as_deref(), Some("3.3.3.3"));
        assert_eq!(forwarded_client(&h, 2).as_deref(), Some("2.2.2.2"));
        assert_eq!(forwarded_client(&h, 3).as_deref(), Some("1.1.1.1"));
        assert_eq!(forwarded_client(&h, 9).as_deref(), Some("1.1.1.1"));
        assert_eq!(forwarded_client(&headers(&[]), 1), None);
        assert_eq!(forwarded_client(&headers(&["1.1.1.1, "]), 1), None);
    }
}
