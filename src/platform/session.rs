//! The session cookie and the extractors of the verified session (put in the request by the
//! server's `session_layer`).

use super::token::Claims;
use crate::error::AppError;
use crate::model::SessionUser;
use axum::extract::FromRequestParts;
use cookie::{Cookie, SameSite};
use http::header::COOKIE;
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

/// The verified session of this request, put in the request's extensions by the server's `session_layer`.
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

/// Every value of the cookie `name` the request carries (every Cookie header read; a pair
/// that does not parse is skipped).
pub fn cookie_values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|c| c.name() == name)
        .filter_map(|c| c.value_raw())
        .collect()
}

/// The session cookie holding `token` for `max_age` seconds: host-only, HTTP-only, same-site
/// lax; `__Host-` and Secure under `secure` cookies.
pub fn session_cookie(token: &str, max_age: i64, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((cookie_name(secure), token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("mj_session=; Path=/; Max-Age=0"))
}

/// A cookie that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    session_cookie("", 0, secure)
}
