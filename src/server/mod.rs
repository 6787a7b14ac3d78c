//! Server-only plumbing: configuration, state, router, middleware, CLI.

pub mod app;
pub mod bench;
pub mod cli;
pub mod config;
pub mod context;
pub mod csrf;
pub mod respond;
pub mod security;
pub mod state;
pub mod telemetry;
pub mod worker;

/// Serves the app with the Leptos options from the environment (set by cargo-leptos or the
/// container) or, failing that, from Cargo.toml.
pub async fn serve(config: config::Config) -> Result<(), String> {
    let conf = leptos::config::get_configuration(None)
        .or_else(|_| leptos::config::get_configuration(Some("Cargo.toml")))
        .map_err(|e| format!("Leptos configuration: {e}"))?;
    cli::run_server(config, conf.leptos_options).await
}
