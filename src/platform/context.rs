//! What a server function needs from its request: state, a store that counts its calls for
//! this request, and the verified session.

use super::session::{clear_cookie, session_cookie, AuthUser, MaybeAuthUser};
use super::state::AppState;
use crate::accounts::model::SessionUser;
use crate::accounts::store::User;
use crate::db::Store;
use crate::error::AppError;
use http::header::SET_COOKIE;
use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

pub struct Ctx {
    pub state: AppState,
    pub store: Store,
    parts: Parts,
}

/// The request context of the running server function.
pub fn ctx() -> Result<Ctx, AppError> {
    let state = use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from context"))?;
    let parts = use_context::<Parts>()
        .ok_or_else(|| AppError::internal("request parts missing from context"))?;
    let store = state.store_for(&parts.extensions);
    Ok(Ctx {
        state,
        store,
        parts,
    })
}

impl Ctx {
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
        let settings = &self.state.settings;
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

    /// Signs `user` in: a session cookie, and the account as it is now in the session guard.
    pub fn start_session(&self, user: &User) -> Result<(), AppError> {
        let now = crate::model::wall_clock().timestamp();
        let token = self
            .state
            .tokens
            .issue(&user.session(), user.session_epoch, now)
            .ok_or(AppError::Internal)?;
        self.state.sessions.remember(user);
        let cookie = session_cookie(
            &token,
            self.state.tokens.ttl_secs(),
            self.state.settings.secure_cookies,
        );
        if let Some(res) = use_context::<ResponseOptions>() {
            res.append_header(SET_COOKIE, cookie);
        }
        Ok(())
    }

    pub fn end_session(&self) {
        if let Some(res) = use_context::<ResponseOptions>() {
            res.append_header(SET_COOKIE, clear_cookie(self.state.settings.secure_cookies));
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
