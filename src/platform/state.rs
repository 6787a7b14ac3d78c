//! Application state shared by every request.

use super::config::Config;
use super::live::LiveHub;
use super::mail::Mailer;
use super::page_cache::PageCache;
use super::session_guard::SessionGuard;
use super::token::TokenKeys;
use crate::db::{DbMetrics, Store};
use aws_config::{BehaviorVersion, Region};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::Duration;

/// Settings the request handlers read.
#[derive(Debug, Clone)]
pub struct Settings {
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    /// Proxies of ours that append to X-Forwarded-For (see `Ctx::client_addr`).
    pub proxy_hops: u8,
    pub public_url: String,
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub mailer: Mailer,
    pub tokens: Arc<TokenKeys>,
    /// Seals the error messages sent back to a form (see `respond`).
    pub error_seal: crate::error::ErrorSeal,
    pub sessions: Arc<SessionGuard>,
    pub pages: Arc<PageCache>,
    pub live: Arc<LiveHub>,
    /// The last `/healthz` verdict.
    pub health: Arc<super::health::HealthCheck>,
    pub settings: Arc<Settings>,
    /// Cancelled when the server is told to stop (SIGTERM, Ctrl-C): the worker stops after
    /// its current mail, the live streams end, new live streams are refused.
    pub stopping: tokio_util::sync::CancellationToken,
}

/// AWS clients from the standard chain, with the configured endpoints. Against a local
/// endpoint with no credentials in the environment, dummy credentials are used.
pub async fn aws_clients(config: &Config) -> (aws_sdk_dynamodb::Client, aws_sdk_sesv2::Client) {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    let local =
        config.dynamodb_endpoint.is_some() || std::env::var_os("AWS_ENDPOINT_URL").is_some();
    match &config.region {
        Some(region) => loader = loader.region(Region::new(region.clone())),
        // Local emulators accept any region: do not probe the instance metadata service.
        None if local => loader = loader.region(Region::new("us-east-1")),
        None => {}
    }
    if local && std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        loader = loader.credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local",
            "local",
            None,
            None,
            "minijira-local",
        ));
    }
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(12))
        .build();
    loader = loader.timeout_config(timeouts);
    let shared = loader.load().await;
    let shared = if shared.region().is_none() {
        shared
            .into_builder()
            .region(Region::new("us-east-1"))
            .build()
    } else {
        shared
    };

    let mut ddb = aws_sdk_dynamodb::config::Builder::from(&shared);
    if let Some(ep) = &config.dynamodb_endpoint {
        ddb = ddb.endpoint_url(ep);
    }
    let mut ses = aws_sdk_sesv2::config::Builder::from(&shared);
    if let Some(ep) = &config.ses_endpoint {
        ses = ses.endpoint_url(ep);
    }
    (
        aws_sdk_dynamodb::Client::from_conf(ddb.build()),
        aws_sdk_sesv2::Client::from_conf(ses.build()),
    )
}

impl AppState {
    /// The store for one request: it counts its DynamoDB calls in the request's metrics (put
    /// there by the `Server-Timing` middleware), if any. The one way a request gets a store.
    pub fn store_for(&self, extensions: &http::Extensions) -> Store {
        match extensions.get::<Arc<DbMetrics>>() {
            Some(m) => self.store.for_request(m.clone()),
            None => self.store.clone(),
        }
    }

    pub async fn build(config: &Config, leptos_options: LeptosOptions) -> Result<Self, String> {
        let secret = config.resolve_jwt_secret()?;
        let (ddb, ses) = aws_clients(config).await;
        Ok(Self {
            leptos_options,
            store: Store::new(ddb, config.table_name.clone())
                .with_cursor_key(crate::db::cursor::CursorKey::derive(&secret)),
            mailer: Mailer::new(ses, config.mail_from.clone()),
            error_seal: crate::error::ErrorSeal::derive(&secret),
            tokens: Arc::new(TokenKeys::new(&secret, config.session_minutes.max(5) * 60)),
            sessions: Arc::new(SessionGuard::new(Duration::from_secs(
                config.session_check_seconds.clamp(1, 30),
            ))),
            live: Arc::new(LiveHub::default()),
            health: Arc::default(),
            pages: Arc::new(PageCache::new(config.page_cache_mb * 1024 * 1024)),
            settings: Arc::new(Settings {
                secure_cookies: config.secure_cookies,
                trust_proxy: config.trust_proxy,
                proxy_hops: config.proxy_hops,
                public_url: config.public_url.trim_end_matches('/').to_owned(),
            }),
            stopping: tokio_util::sync::CancellationToken::new(),
        })
    }
}
