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

    /// The client's address: the connection's peer, or with TRUST_PROXY the first address of
    /// X-Forwarded-For (which only a trusted proxy may set).
    pub fn client_addr(&self) -> String {
        if self.state.settings.trust_proxy {
            if let Some(first) = self
                .parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
            {
                return first.trim().chars().take(64).collect();
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
        let now = chrono::Utc::now().timestamp();
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
