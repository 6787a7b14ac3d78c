//! Server-only platform: what every area's server side stands on, and the entry points.
//!
//! - The request kit the areas' `api` uses: `context` (the store for this request and the
//!   verified session), `respond` (status codes, the no-JavaScript form path), `state`,
//!   `config`, `session` and `token` (the cookie and the JWT), `mail` (SES).
//! - The entry points, which sit above every area: `router` (routes and middleware: `csrf`,
//!   `security`, `telemetry`), `cli`, `worker` (outbox, resumed clean-ups), `seed` (demo data).
//!
//! Layer rule: no module of the request kit imports an entry point, an area's `rules` or
//! `pages` (the session layer reads accounts through `accounts::store`).

pub mod cli;
pub mod config;
pub mod context;
pub mod csrf;
pub mod mail;
pub mod respond;
pub mod router;
pub mod security;
pub mod seed;
pub mod session;
pub mod state;
pub mod telemetry;
pub mod token;
pub mod worker;

/// Serves the app with the Leptos options from the environment (set by cargo-leptos or the
/// container) or, failing that, from Cargo.toml.
pub async fn serve(config: config::Config) -> Result<(), String> {
    let conf = leptos::config::get_configuration(None)
        .or_else(|_| leptos::config::get_configuration(Some("Cargo.toml")))
        .map_err(|e| format!("Leptos configuration: {e}"))?;
    cli::run_server(config, conf.leptos_options).await
}
