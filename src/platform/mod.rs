//! Server-only platform: what every area's server side stands on, and the entry points.
//!
//! - The request kit the areas' `api` uses: `context` (the store for this request and the
//!   verified session), `respond` (status codes, the no-JavaScript form path), `state`,
//!   `config`, `token` (the JWT), `mail` (SES).
//! - The middleware and entry points, which sit above every area: `session` (the cookie,
//!   renewed against `accounts::rules`), `assets` (static files), `page_cache`, `live` (pushed updates), `csrf`, `security`, `telemetry`, `router`, `cli`,
//!   `worker` (outbox, resumed clean-ups), `metrics` (Prometheus, admin port), `seed` (demo data).
//!
//! Layer rule, as it stands: the middleware and entry points call into the areas; the request
//! kit should import no area module, but two still do — `context` (signing in takes an
//! `accounts::store::User`) and the session guard (it reads accounts). Splitting the kit from
//! the composition root is the open part of issue #22.

pub mod assets;
pub mod cli;
pub mod coalesce;
pub mod config;
pub mod context;
pub mod csrf;
pub mod health;
pub mod live;
pub mod mail;
pub mod memory;
pub mod metrics;
pub mod page_cache;
pub mod respond;
pub mod router;
pub mod security;
pub mod seed;
pub mod seed_projects;
pub mod session;
pub mod session_guard;
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
