//! Logging, a span per request, and the `Server-Timing` header.

use super::page_cache::CacheStatus;
use crate::db::DbMetrics;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use std::sync::Arc;
use std::time::Instant;

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// The span of one request: every log line of the request carries its id.
pub fn make_span(req: &Request) -> tracing::Span {
    tracing::info_span!("request", id = %ulid::Ulid::new(), method = %req.method(), path = %req.uri().path())
}

/// Counts this request's DynamoDB calls (via the metrics put in its extensions, which
/// `Store::for_request` picks up) and reports them with the total time.
pub async fn server_timing(mut req: Request, next: Next) -> Response {
    let metrics = Arc::new(DbMetrics::default());
    req.extensions_mut().insert(metrics.clone());
    let started = Instant::now();
    let mut res = next.run(req).await;
    let calls = metrics.calls();
    let cache = match res.extensions().get::<CacheStatus>() {
        Some(CacheStatus::Hit { shared }) => {
            format!("cache;desc=\"hit\", versions;desc=\"1 read shared by {shared}\", ")
        }
        Some(CacheStatus::Miss { shared }) => {
            format!("cache;desc=\"miss\", versions;desc=\"1 read shared by {shared}\", ")
        }
        None => String::new(),
    };
    let value = format!(
        "{cache}ddb;dur={:.1};desc=\"{} call{}\", total;dur={:.1}",
        metrics.millis(),
        calls,
        if calls == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64() * 1000.0
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        res.headers_mut().append("server-timing", v);
    }
    res
}
