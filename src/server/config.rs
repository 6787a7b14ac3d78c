//! Configuration: every setting is a flag and an environment variable.

use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct Config {
    /// DynamoDB table name.
    #[arg(long, env = "TABLE_NAME", default_value = "minijira")]
    pub table_name: String,

    /// DynamoDB endpoint (e.g. DynamoDB Local). Falls back to AWS_ENDPOINT_URL, then to AWS.
    #[arg(long, env = "DYNAMODB_ENDPOINT")]
    pub dynamodb_endpoint: Option<String>,

    /// SES v2 endpoint (e.g. aws-ses-v2-local). Falls back to AWS_ENDPOINT_URL, then to AWS.
    #[arg(long, env = "SES_ENDPOINT")]
    pub ses_endpoint: Option<String>,

    /// Sender address of outgoing mail (must be verified in SES in production).
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "minijira <no-reply@minijira.local>"
    )]
    pub mail_from: String,

    /// AWS region; when absent the standard chain decides (AWS_REGION, profile), else us-east-1.
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,

    /// Address to listen on; defaults to LEPTOS_SITE_ADDR / Cargo.toml's site-addr.
    #[arg(long, env = "LISTEN_ADDR")]
    pub listen_addr: Option<SocketAddr>,

    /// Secret that signs session tokens (at least 32 bytes). Required in release builds;
    /// a debug build generates one and keeps it in DATA_DIR.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Session lifetime in minutes (renewed while in use).
    #[arg(long, env = "SESSION_MINUTES", default_value_t = 120)]
    pub session_minutes: i64,

    /// How long an instance trusts what it knows of a session (sign-out, deactivation) before
    /// reading the account again; at most 30.
    #[arg(long, env = "SESSION_CHECK_SECONDS", default_value_t = 30)]
    pub session_check_seconds: u64,

    /// Megabytes of rendered pages each instance keeps (see `page_cache`); 0 turns it off.
    #[arg(long, env = "PAGE_CACHE_MB", default_value_t = 8)]
    pub page_cache_mb: usize,

    /// Folder for local state (the generated dev secret).
    #[arg(long, env = "DATA_DIR", default_value = ".data")]
    pub data_dir: PathBuf,

    /// Create the table at start-up if it does not exist.
    #[arg(long, env = "CREATE_TABLE", default_value_t = false)]
    pub create_table: bool,

    /// Load the demo data at start-up unless it was loaded before.
    #[arg(long, env = "SEED_DEMO", default_value_t = false)]
    pub seed_demo: bool,

    /// Mark cookies Secure (set when served over HTTPS).
    #[arg(long, env = "SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,

    /// With TRUST_PROXY, how many proxies of ours append to X-Forwarded-For (an ALB alone: 1).
    /// The client's address is that many entries from the right: the entries before it are
    /// whatever the client sent.
    #[arg(long, env = "PROXY_HOPS", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=10))]
    pub proxy_hops: u8,

    /// Address of the admin listener serving `/metrics` (Prometheus); unset: no metrics
    /// listener. Keep it off the public network (the CloudFormation stack does).
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Public base URL, used in links inside emails.
    #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
    pub public_url: String,
}

impl Config {
    /// The signing secret: from the environment, or (debug builds only) generated once and
    /// kept in the data folder.
    pub fn resolve_jwt_secret(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(s) = &self.jwt_secret {
            if s.len() < 32 {
                anyhow::bail!("JWT_SECRET must be at least 32 characters long.");
            }
            return Ok(s.as_bytes().to_vec());
        }
        if !cfg!(debug_assertions) {
            anyhow::bail!(
                "JWT_SECRET is not set. A release build refuses to start without it: \
                 set JWT_SECRET to a random string of at least 32 characters \
                 (for example: openssl rand -base64 48)."
            );
        }
        let path = self.data_dir.join("jwt-secret");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            if existing.trim().len() >= 32 {
                return Ok(existing.trim().as_bytes().to_vec());
            }
        }
        use base64::Engine;
        let secret = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>());
        std::fs::create_dir_all(&self.data_dir)
            .and_then(|_| std::fs::write(&path, &secret))
            .with_context(|| {
                format!(
                    "could not keep the generated dev secret in {}",
                    path.display()
                )
            })?;
        Ok(secret.into_bytes())
    }
}
