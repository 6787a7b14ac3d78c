//! The session cookie, the middleware that verifies it once per request, and the extractors.

use super::session_guard::Verdict;
use super::state::AppState;
use super::token::Claims;
use crate::accounts::model::SessionUser;
use crate::accounts::store as accounts;
use crate::error::AppError;
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use http::{HeaderMap, HeaderValue};

/// The session cookie's name over plain HTTP (local use).
pub const COOKIE_NAME: &str = "mj_session";
/// Its name with secure cookies: the `__Host-` prefix makes the browser accept it only when
/// set by this host over HTTPS, with `Path=/` and no `Domain`, so a sibling subdomain or a
/// plain-HTTP response cannot plant one.
pub const HOST_COOKIE_NAME: &str = "__Host-mj_session";

/// The session cookie's name under `secure` cookies.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        HOST_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// The verified session of this request, put in the request's extensions by [`session_layer`].
#[derive(Debug, Clone)]
pub struct Session(pub Claims);

/// Put in a request's extensions when its token is good but its account is deactivated.
#[derive(Debug, Clone, Copy)]
pub struct DeactivatedSession;

/// The signed-in user; rejects with 401 when there is none (403 for a deactivated account).
#[derive(Debug, Clone)]
pub struct AuthUser(pub SessionUser);

/// The signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<SessionUser>);

impl AuthUser {
    pub fn from_parts(parts: &Parts) -> Result<Self, AppError> {
        if parts.extensions.get::<DeactivatedSession>().is_some() {
            return Err(AppError::Deactivated);
        }
        parts
            .extensions
            .get::<Session>()
            .map(|s| Self(s.0.user()))
            .ok_or(AppError::Unauthorized)
    }
}

impl MaybeAuthUser {
    pub fn from_parts(parts: &Parts) -> Self {
        Self(parts.extensions.get::<Session>().map(|s| s.0.user()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuthUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts))
    }
}

/// Every value of the cookie `name` the request carries (every Cookie header read).
pub fn cookie_values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .collect()
}

pub fn session_cookie(token: &str, max_age: i64, secure: bool) -> HeaderValue {
    let name = cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("mj_session=; Path=/; Max-Age=0"))
}

pub fn clear_cookie(secure: bool) -> HeaderValue {
    session_cookie("", 0, secure)
}

/// Verifies the session cookie, then asks the session guard whether the session still holds
/// (the account may have signed out elsewhere or been deactivated: see `session_guard`). A token
/// past half its life is renewed; renewal re-reads the account, so that a changed name or
/// admin grant reaches the token.
pub async fn session_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let now = crate::model::wall_clock().timestamp();
    let secure = state.settings.secure_cookies;
    let cookies = cookie_values(req.headers(), cookie_name(secure));
    if cookies.len() > 1 {
        // One of them was put there by someone else (cookie tossing): which one is the
        // person's own cannot be told, so neither is used.
        let mut res = (
            http::StatusCode::BAD_REQUEST,
            "Your browser sent two session cookies. Clear this site's cookies, then sign in again.",
        )
            .into_response();
        res.headers_mut().append(SET_COOKIE, clear_cookie(secure));
        return res;
    }
    let claims = cookies.first().and_then(|t| state.tokens.verify(t, now));
    let mut set_cookie = None;
    let clear = || Some(clear_cookie(state.settings.secure_cookies));
    let claims = match claims {
        None => None,
        Some(c) => {
            let store = state.store_for(req.extensions());
            // A token due for renewal is judged on a fresh read of its account (which the
            // renewal needs anyway); any other on the session guard's cached view.
            let renewal = if state.tokens.needs_refresh(&c, now) {
                match accounts::get(&store, &c.sub).await {
                    Ok(Some(u)) => Some((state.sessions.judge(&u, c.epoch), Some(u))),
                    Ok(None) => Some((Verdict::Ended, None)),
                    // The database is down: keep the still-valid session; renewal waits.
                    Err(_) => Some((Verdict::Good, None)),
                }
            } else {
                None
            };
            let (verdict, fresh_user) = match renewal {
                Some(r) => r,
                None => (state.sessions.check(&store, &c.sub, c.epoch).await, None),
            };
            match (verdict, fresh_user) {
                (Verdict::Ended, _) => {
                    set_cookie = clear();
                    None
                }
                (Verdict::Deactivated, _) => {
                    set_cookie = clear();
                    req.extensions_mut().insert(DeactivatedSession);
                    None
                }
                (Verdict::Good, Some(u)) => {
                    let fresh = state.tokens.issue(&u.session(), u.session_epoch, now);
                    set_cookie = fresh.as_deref().map(|t| {
                        session_cookie(t, state.tokens.ttl_secs(), state.settings.secure_cookies)
                    });
                    fresh.and_then(|t| state.tokens.verify(&t, now))
                }
                (Verdict::Good, None) => Some(c),
            }
        }
    };
    if let Some(c) = claims {
        req.extensions_mut().insert(Session(c));
    }
    let mut res = next.run(req).await;
    if let Some(cookie) = set_cookie {
        if !res.headers().contains_key(SET_COOKIE) {
            res.headers_mut().append(SET_COOKIE, cookie);
        }
    }
    res
}
