//! Cross-site request forgery guard for state-changing requests.
//!
//! The session cookie is SameSite=Lax, so browsers do not send it on cross-site POSTs; on top
//! of that, a POST/PUT/PATCH/DELETE whose `Sec-Fetch-Site` says cross-site, or whose `Origin` is
//! not this host, is refused before it reaches a handler.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, Method, StatusCode};

pub async fn csrf_guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && is_cross_site(req.headers()) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(req).await
}

pub fn is_cross_site(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return true;
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = get("x-forwarded-host").or_else(|| get("host"));
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
        return origin == "null" || host.is_none_or(|h| !h.eq_ignore_ascii_case(origin_host));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_passes() {
        assert!(!is_cross_site(&headers(&[
            ("host", "app.example"),
            ("origin", "https://app.example")
        ])));
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(
            !is_cross_site(&headers(&[])),
            "non-browser clients send neither header"
        );
    }

    #[test]
    fn cross_site_is_refused() {
        assert!(is_cross_site(&headers(&[
            ("host", "app.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[
            ("host", "app.example"),
            ("origin", "null")
        ])));
    }
}
