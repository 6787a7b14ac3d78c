//! The server binary's command line: `serve` (the default) and the table tools that mirror
//! the seeds' `bin/ddb` scripts.

use super::config::Config;
use super::seed;
use super::state::{aws_clients, AppState};
use crate::accounts::model::Email;
use crate::accounts::store as users;
use crate::db::{schema, Store};
use anyhow::{anyhow, bail, Context};
use clap::{Parser, Subcommand};
use std::future::IntoFuture;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "minijira",
    version,
    about = "minijira: the web server and its table tools"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Create the table and its indexes if they do not exist.
    SchemaLoad,
    /// List the tables at the endpoint.
    ListTables,
    /// Print the table's items as JSON lines (a Scan: for inspection only, never on a request path).
    Scan {
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
    /// Delete the table.
    Drop {
        /// Confirm deletion.
        #[arg(long)]
        yes: bool,
    },
    /// Load the demo data (accounts, and what the other areas add) unless already loaded.
    Seed,
    /// Ask the running server's `/healthz` (for a container's health check): exit 0 when it
    /// answers 200 within 3 s, 1 otherwise.
    Healthcheck {
        /// The server's address; by default the one it listens on (LISTEN_ADDR or
        /// LEPTOS_SITE_ADDR), with 0.0.0.0 read as 127.0.0.1.
        #[arg(long)]
        addr: Option<std::net::SocketAddr>,
    },
    /// Grant or revoke admin rights (the only way to become admin).
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminAction {
    Grant { email: String },
    Revoke { email: String },
}

pub async fn main() -> ExitCode {
    super::telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => super::serve(cli.config).await,
        Command::Healthcheck { addr } => match addr.or_else(|| local_addr(&cli.config)) {
            Some(addr) => healthcheck(addr).await,
            None => Err(anyhow!("no address: pass --addr or set LEPTOS_SITE_ADDR")),
        },
        other => tool(&cli.config, other).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("minijira: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn tool(config: &Config, command: Command) -> anyhow::Result<()> {
    let (ddb, _) = aws_clients(config).await;
    let store = Store::new(ddb, config.table_name.clone());
    match command {
        Command::Serve | Command::Healthcheck { .. } => unreachable!("handled by main"),
        Command::SchemaLoad => {
            let created = schema::ensure_table(&store).await?;
            println!(
                "{} {}",
                config.table_name,
                if created { "created" } else { "already exists" }
            );
        }
        Command::ListTables => {
            for t in schema::list_tables(&store).await? {
                println!("{t}");
            }
        }
        Command::Scan { limit } => scan(&store, limit).await?,
        Command::Drop { yes } => {
            if !yes {
                bail!(
                    "this deletes table {} and all its data: add --yes",
                    config.table_name
                );
            }
            schema::drop_table(&store).await?;
            println!("{} deleted", config.table_name);
        }
        Command::Seed => {
            schema::ensure_table(&store).await?;
            let loaded = seed::load_demo_once(&store).await?;
            println!(
                "{}",
                if loaded {
                    "demo data loaded"
                } else {
                    "demo data was already loaded"
                }
            );
        }
        Command::Admin { action } => {
            let (email, grant) = match action {
                AdminAction::Grant { email } => (email, true),
                AdminAction::Revoke { email } => (email, false),
            };
            let email = Email::parse(&email)?;
            if !users::set_admin(&store, &email, grant).await? {
                bail!("no account with email {email}");
            }
            println!(
                "{email}: admin {}",
                if grant { "granted" } else { "revoked" }
            );
        }
    }
    Ok(())
}

async fn scan(store: &Store, limit: usize) -> anyhow::Result<()> {
    let mut start = None;
    let mut printed = 0;
    loop {
        let out = store
            .call(
                store
                    .client()
                    .scan()
                    .table_name(store.table())
                    .set_exclusive_start_key(start.take())
                    .send(),
            )
            .await?;
        for item in out.items.unwrap_or_default() {
            if printed >= limit {
                return Ok(());
            }
            let value: serde_json::Value = serde_dynamo::from_item(item)?;
            // `minijira scan | head` closes the pipe early: stop quietly, do not panic.
            use std::io::Write;
            match writeln!(std::io::stdout().lock(), "{value}") {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                Err(e) => return Err(e.into()),
            }
            printed += 1;
        }
        match out.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return Ok(()),
        }
    }
}

/// Where this server listens, as a client reaches it (an unspecified IP is the loopback).
fn local_addr(config: &Config) -> Option<std::net::SocketAddr> {
    let mut addr = config.listen_addr.or_else(|| {
        std::env::var("LEPTOS_SITE_ADDR")
            .ok()
            .and_then(|a| a.parse().ok())
    })?;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    Some(addr)
}

/// GET `/healthz` at `addr` over plain HTTP/1.1: Ok when it answers 200 within 3 s.
pub async fn healthcheck(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(addr)
            .await
            .with_context(|| format!("{addr}"))?;
        let req = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(req.as_bytes()).await?;
        let mut head = vec![0u8; 64];
        let n = stream.read(&mut head).await?;
        let line = String::from_utf8_lossy(&head[..n]);
        match line.split_whitespace().nth(1) {
            Some("200") => Ok(()),
            other => bail!("/healthz answered {}", other.unwrap_or("nothing")),
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(3), ask)
        .await
        .map_err(|_| anyhow!("{addr}: no answer within 3 s"))?
}

/// How long after SIGTERM the process may take to exit (in-flight requests, the worker's
/// current mail). ECS waits 30 s before SIGKILL; a load balancer stops sending new requests
/// to a deregistering task at once.
pub const STOP_WITHIN: std::time::Duration = std::time::Duration::from_secs(9);

/// Builds the state from the configuration, prepares the table, and serves until Ctrl-C or
/// SIGTERM. Then: the listener stops accepting, live streams end, in-flight requests finish,
/// the worker stops after its current mail; all within [`STOP_WITHIN`].
pub async fn run_server(
    config: Config,
    options: leptos::config::LeptosOptions,
) -> anyhow::Result<()> {
    let addr = config.listen_addr.unwrap_or(options.site_addr);
    let state = AppState::build(&config, options).await?;
    prepare(&config, &state.kit.store).await?;
    let stop = state.stopping.clone();
    // Metrics are recorded only where something can read them.
    let admin = config.metrics_addr.map(|a| {
        super::metrics::install();
        tokio::spawn(super::metrics::serve_admin(a, stop.clone()))
    });
    let worker = super::worker::spawn(state.clone());
    super::memory::spawn_trimmer();
    let hub = state.live.clone();
    let app = super::router::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!("listening on http://{addr}");
    let deadline = {
        let stop = stop.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            stop.cancel();
            // Streams never finish by themselves: end them so that the drain can.
            hub.close_all();
            tokio::time::Instant::now() + STOP_WITHIN
        })
    };
    let serve = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stop.clone().cancelled_owned())
    .into_future();
    let served = drain(serve, stop, deadline).await;
    let until = served.1;
    if tokio::time::timeout_at(until, worker).await.is_err() {
        tracing::warn!("the worker did not stop by the shutdown deadline");
    }
    if let Some(admin) = admin {
        let _ = tokio::time::timeout_at(until, admin).await;
    }
    tracing::info!("stopped");
    Ok(served.0?)
}

/// The table (with `--create-table`) and the demo data (with `--seed-demo`).
async fn prepare(config: &Config, store: &Store) -> anyhow::Result<()> {
    if config.create_table {
        wait_for_table(store).await?;
    }
    if config.seed_demo {
        let loaded = seed::load_demo_once(store)
            .await
            .context("could not load the demo data")?;
        if loaded {
            tracing::info!("demo data loaded");
        } else {
            tracing::info!("demo data already present");
        }
    }
    Ok(())
}

/// Runs the server until the stop signal, then lets it drain until the deadline the signal
/// set (the server ending by itself, on an error, stops the rest too). Returns how it ended
/// and the deadline by which everything else must stop.
async fn drain(
    serve: impl std::future::Future<Output = std::io::Result<()>>,
    stop: tokio_util::sync::CancellationToken,
    deadline: tokio::task::JoinHandle<tokio::time::Instant>,
) -> (std::io::Result<()>, tokio::time::Instant) {
    tokio::pin!(serve);
    // Until the signal, only the server; after it, the server's drain up to the deadline.
    let served = tokio::select! {
        r = &mut serve => Some(r),
        _ = stop.cancelled() => None,
    };
    let until = if served.is_some() {
        deadline.abort();
        stop.cancel();
        tokio::time::Instant::now() + STOP_WITHIN
    } else {
        deadline
            .await
            .unwrap_or_else(|_| tokio::time::Instant::now() + STOP_WITHIN)
    };
    let served = match served {
        Some(r) => r,
        None => match tokio::time::timeout_at(until, &mut serve).await {
            Ok(r) => r,
            Err(_) => {
                tracing::warn!("requests still running at the shutdown deadline: exiting");
                Ok(())
            }
        },
    };
    (served, until)
}

/// DynamoDB Local may still be starting: try for a while before giving up.
async fn wait_for_table(store: &Store) -> anyhow::Result<()> {
    let mut last = String::new();
    for _ in 0..60 {
        match schema::ensure_table(store).await {
            Ok(created) => {
                if created {
                    tracing::info!(table = store.table(), "table created");
                }
                return Ok(());
            }
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    bail!("could not create or reach the table: {last}")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
