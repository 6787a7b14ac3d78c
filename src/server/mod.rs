//! The server (server only): the composition root. It builds the state, composes the areas
//! (`areas`, the one file that names them), and runs everything that sits above them.
//!
//! - Entry points: `cli` (the `minijira` command: serve, create the table, seed, admin tools),
//!   `config`, `state` (the [`crate::platform::Kit`] the areas get, and what only the server
//!   holds), `router`, `worker` (the mail outbox and the areas' background jobs), `seed`.
//! - Middleware: `session_layer` (verifies the cookie, renews it), `page_cache` (with
//!   `coalesce`), `csrf`, `security` (headers, CSP nonce), `telemetry` (request spans,
//!   `Server-Timing`), `assets` (static files).
//! - Operations: `metrics` (Prometheus, admin port), `health` (`/healthz`), `memory`.
//!
//! Layer rule (held by `tests/it/layers.rs`): only `main.rs`, the bench and the tests import
//! this module; it may import anything below it.

pub mod areas;
pub mod assets;
pub mod cli;
pub mod coalesce;
pub mod config;
pub mod csrf;
pub mod health;
pub mod memory;
pub mod metrics;
pub mod page_cache;
pub mod router;
pub mod security;
pub mod seed;
pub mod session_layer;
pub mod state;
pub mod telemetry;
pub mod worker;

/// Serves the app with the Leptos options from the environment (set by cargo-leptos or the
/// container) or, failing that, from Cargo.toml.
pub async fn serve(config: config::Config) -> anyhow::Result<()> {
    let conf = leptos::config::get_configuration(None)
        .or_else(|_| leptos::config::get_configuration(Some("Cargo.toml")))
        .map_err(|e| anyhow::anyhow!("Leptos configuration: {e}"))?;
    cli::run_server(config, conf.leptos_options).await
}
