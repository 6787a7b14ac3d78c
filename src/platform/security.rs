//! Security headers. Pages get a Content-Security-Policy that admits only this site's own
//! scripts (the hydration script by its per-request nonce), its WebAssembly and stylesheet;
//! every response gets nosniff, a referrer policy, a frame ban, a Permissions-Policy that turns
//! off the browser features the app never uses, and a same-origin opener policy.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderValue, StatusCode};
use leptos::config::LeptosOptions;
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy of a rendered page, admitting the scripts that carry its nonce.
pub fn page_policy(options: &LeptosOptions, nonce: Option<&str>) -> String {
    let nonce = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    // The dev server's live-reload socket (harmless in production: nothing listens there).
    let reload = format!(" ws://{}:{}", options.site_addr.ip(), options.reload_port);
    format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'{reload}; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The nonce the page's own inline scripts carry (Leptos makes one per request).
pub(crate) fn page_nonce(html: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(html).ok()?;
    let start = text.find(" nonce=\"")? + " nonce=\"".len();
    let nonce: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(*c))
        .collect();
    (!nonce.is_empty() && text[start + nonce.len()..].starts_with('"')).then_some(nonce)
}

/// Gives every HTML page its Content-Security-Policy, naming the nonce found in the page.
pub async fn page_policy_layer(
    State(options): State<LeptosOptions>,
    req: Request,
    next: Next,
) -> Response {
    let res = next.run(req).await;
    if res.headers().contains_key(CONTENT_SECURITY_POLICY) {
        // A page served from the cache carries its own.
        return res;
    }
    let is_html = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 8 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "could not read a page to set its security policy");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again.",
            )
                .into_response();
        }
    };
    let policy = page_policy(&options, page_nonce(&bytes).as_deref());
    if let Ok(v) = HeaderValue::from_str(&policy) {
        parts.headers.insert(CONTENT_SECURITY_POLICY, v);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Headers for every response; a page's own policy takes precedence over the default one.
pub fn layers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            http::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            http::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
}

/// Browser features the app never uses, off for it and for anything it might embed.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), \
    encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), \
    midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), \
    sync-xhr=(), usb=(), xr-spatial-tracking=()";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_page_nonce() {
        assert_eq!(
            page_nonce(br#"<script type="module" nonce="Ab+/9_-=">x</script>"#).as_deref(),
            Some("Ab+/9_-=")
        );
        assert_eq!(page_nonce(b"<p>no scripts</p>"), None);
        assert_eq!(page_nonce(br#"<p> nonce="broken</p>"#), None);
    }
}
