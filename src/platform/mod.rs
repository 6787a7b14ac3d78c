//! The request kit (server only): what an area's server side may use, and nothing more.
//!
//! - [`Kit`]: the store, mailer, token keys, session guard and settings every request shares.
//! - `context`: a server function's request — its store (counting its calls for this request),
//!   the verified session, signing in and out — and [`context::serve`], the one wrapper every
//!   server function runs in.
//! - `respond`: how a result becomes a response (status, the no-JavaScript form path).
//! - `session`: the session cookie and the `AuthUser` / `MaybeAuthUser` extractors.
//! - `session_guard`: which sessions still hold (signed out elsewhere, deactivated).
//! - `token`: the JWT. `mail`: SES.
//!
//! Layer rule (held by `tests/it/layers.rs`): the kit imports `db`, the shared leaves
//! (`model`, `error`, `util`) and nothing else of this crate — no area, no `server` module.
//! The composition root (`server`) builds a [`Kit`] and hands it to every request.

pub mod context;
pub mod mail;
pub mod respond;
pub mod session;
pub mod session_guard;
pub mod token;

use crate::db::Store;
use crate::error::ErrorSeal;
use mail::Mailer;
use session_guard::SessionGuard;
use std::sync::Arc;
use token::TokenKeys;

/// Settings the request handlers read.
#[derive(Debug, Clone)]
pub struct Settings {
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    /// Proxies of ours that append to X-Forwarded-For (see `Ctx::client_addr`).
    pub proxy_hops: u8,
    /// This site's address as a person's browser reaches it (links in mail).
    pub public_url: String,
}

/// What every request shares, as the areas see it.
#[derive(Clone)]
pub struct Kit {
    pub store: Store,
    pub mailer: Mailer,
    pub tokens: Arc<TokenKeys>,
    /// Seals the error messages sent back to a form (see `respond`).
    pub error_seal: ErrorSeal,
    pub sessions: Arc<SessionGuard>,
    pub settings: Arc<Settings>,
}

impl Kit {
    /// The store for one request: it counts its DynamoDB calls in the request's metrics (put
    /// there by the `Server-Timing` middleware), if any. The one way a request gets a store.
    pub fn store_for(&self, extensions: &http::Extensions) -> Store {
        match extensions.get::<Arc<crate::db::DbMetrics>>() {
            Some(m) => self.store.for_request(m.clone()),
            None => self.store.clone(),
        }
    }
}
