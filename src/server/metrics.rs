//! Prometheus metrics: recorded with the `metrics` crate, rendered by
//! `metrics-exporter-prometheus`, served at `/metrics` on the admin listener (`METRICS_ADDR`),
//! never on the public port.
//!
//! | metric | labels | what |
//! | --- | --- | --- |
//! | `http_requests_total` | method, route, status | requests answered |
//! | `http_request_duration_seconds` | method, route | time to the response head (histogram) |
//! | `dynamodb_calls_total` (recorded by `db`) | operation, outcome | DynamoDB calls (`ok`, `condition_failed`, `unavailable`, `error`) |
//! | `dynamodb_call_duration_seconds` | operation | their latency, retries included (histogram) |
//! | `outbox_pending_mails` | | mails queued, not yet sent or failed for good |
//! | `outbox_oldest_pending_age_seconds` | | age of the oldest of them (0 when none) |
//! | `live_connections` | | open live-update streams on this instance |

use axum::extract::MatchedPath;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

/// Latency buckets, seconds: 0.5 ms to 10 s.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use. Until it is, the `metrics` macros record
/// nothing (unit and in-process tests).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .and_then(|b| b.install_recorder());
            match built {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics are off: could not install the recorder");
                    None
                }
            }
        })
        .as_ref()
}

/// Whether metrics are being recorded (the recorder was installed).
pub fn enabled() -> bool {
    HANDLE.get().is_some_and(Option::is_some)
}

/// The text exposition of every metric.
pub fn render() -> String {
    match install() {
        Some(h) => {
            h.run_upkeep();
            h.render()
        }
        None => String::new(),
    }
}

/// The admin listener: `/metrics` only.
pub async fn serve_admin(addr: std::net::SocketAddr, stop: tokio_util::sync::CancellationToken) {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(%addr, error = %e, "cannot listen for metrics");
            return;
        }
    };
    tracing::info!("metrics on http://{addr}/metrics");
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(|| async {
            (
                [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                render(),
            )
                .into_response()
        }),
    );
    // Histograms are kept in bounded windows: drain them now and then even if nobody scrapes.
    let upkeep = stop.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = upkeep.cancelled() => return,
            }
            if let Some(h) = install() {
                h.run_upkeep();
            }
        }
    });
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(stop.cancelled_owned())
        .await
    {
        tracing::warn!(error = %e, "the metrics listener stopped");
    }
}

/// The route label of a request: the router's pattern (`/p/{key}/board`, or a registered
/// server function's path, which the router matched), `/assets` for static files, and `other`
/// for everything else, whatever its status: a label's values are a small, fixed set, so no
/// request can add a series (an unmatched `/api/<anything>` refused by the CSRF guard included).
pub fn route_of(req: &axum::extract::Request) -> String {
    match req.extensions().get::<MatchedPath>() {
        Some(m) if !m.as_str().contains('*') => m.as_str().to_owned(),
        _ if req.uri().path().starts_with("/assets/") => "/assets".to_owned(),
        _ => "other".to_owned(),
    }
}

/// Records one answered request.
pub fn request(method: &str, route: String, status: u16, elapsed: Duration) {
    // Methods too come from the client: only the standard ones are labels of their own.
    let method = match method {
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method,
        _ => "other",
    };
    metrics::counter!("http_requests_total", "method" => method.to_owned(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method.to_owned(), "route" => route)
        .record(elapsed.as_secs_f64());
}

/// The outbox's depth and the age of its oldest pending mail.
pub fn outbox(pending: u64, oldest_age: Duration) {
    metrics::gauge!("outbox_pending_mails").set(pending as f64);
    metrics::gauge!("outbox_oldest_pending_age_seconds").set(oldest_age.as_secs_f64());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_carries_recorded_metrics() {
        install().expect("the recorder installs");
        request(
            "GET",
            "/p/{key}/board".into(),
            200,
            Duration::from_millis(3),
        );
        crate::db::observe("Query", "ok", Duration::from_millis(2));
        outbox(3, Duration::from_secs(42));
        metrics::gauge!("live_connections").set(2.0);
        let text = render();
        assert!(
            text.contains(
                r#"http_requests_total{method="GET",route="/p/{key}/board",status="200"}"#
            ),
            "{text}"
        );
        assert!(
            text.contains("# TYPE http_request_duration_seconds histogram"),
            "{text}"
        );
        assert!(
            text.contains(
                r#"dynamodb_call_duration_seconds_bucket{operation="Query",le="0.0025"}"#
            ),
            "{text}"
        );
        assert!(text.contains("outbox_pending_mails 3"), "{text}");
        assert!(
            text.contains("outbox_oldest_pending_age_seconds 42"),
            "{text}"
        );
        assert!(text.contains("live_connections 2"), "{text}");
    }
}
