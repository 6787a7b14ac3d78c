//! Application state shared by every request.

use super::config::Config;
use super::page_cache::PageCache;
use crate::db::Store;
use crate::messages::live::LiveHub;
use crate::platform::mail::Mailer;
use crate::platform::session_guard::SessionGuard;
use crate::platform::token::TokenKeys;
use crate::platform::{Kit, Settings};
use aws_config::{BehaviorVersion, Region};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::Duration;

/// What the server shares between requests: the areas' [`Kit`] and what only the server uses.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub kit: Kit,
    pub pages: Arc<PageCache>,
    pub live: Arc<LiveHub>,
    /// The last `/healthz` verdict.
    pub health: Arc<super::health::HealthCheck>,
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
    pub async fn build(config: &Config, leptos_options: LeptosOptions) -> anyhow::Result<Self> {
        let secret = config.resolve_jwt_secret()?;
        let (ddb, ses) = aws_clients(config).await;
        let kit = Kit {
            store: Store::new(ddb, config.table_name.clone())
                .with_cursor_key(crate::db::cursor::CursorKey::derive(&secret)),
            mailer: Mailer::new(ses, config.mail_from.clone()),
            error_seal: crate::error::ErrorSeal::derive(&secret),
            tokens: Arc::new(TokenKeys::new(&secret, config.session_minutes.max(5) * 60)),
            sessions: Arc::new(SessionGuard::new(Duration::from_secs(
                config.session_check_seconds.clamp(1, 30),
            ))),
            settings: Arc::new(Settings {
                secure_cookies: config.secure_cookies,
                trust_proxy: config.trust_proxy,
                proxy_hops: config.proxy_hops,
                public_url: config.public_url.trim_end_matches('/').to_owned(),
            }),
        };
        let live = Arc::new(LiveHub::default());
        // An account whose sessions end here (sign-out, a status change) loses its open
        // pages' live streams at once.
        let hub = Arc::downgrade(&live);
        kit.sessions.on_end(move |user| {
            if let Some(hub) = hub.upgrade() {
                hub.end_user(user);
            }
        });
        Ok(Self {
            leptos_options,
            kit,
            live,
            health: Arc::default(),
            pages: Arc::new(PageCache::new(config.page_cache_mb * 1024 * 1024)),
            stopping: tokio_util::sync::CancellationToken::new(),
        })
    }
}
