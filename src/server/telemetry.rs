//! Logging (text, or JSON lines with `LOG_FORMAT=json`), a span per request, the
//! `Server-Timing` header and the request metrics.

use super::page_cache::CacheStatus;
use crate::db::DbMetrics;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use std::sync::Arc;
use std::time::Instant;

/// Logs: readable lines, or one JSON object per line (with the request's span
/// fields) when `LOG_FORMAT=json`.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let json = std::env::var("LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let _ = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
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
    let method = req.method().as_str().to_owned();
    let route = super::metrics::route_of(&req);
    let mut res = next.run(req).await;
    super::metrics::request(&method, route, res.status().as_u16(), started.elapsed());
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
