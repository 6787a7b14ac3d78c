//! Security headers. Pages get a Content-Security-Policy that admits only this site's own
//! scripts (the hydration script by its per-request nonce), its WebAssembly and stylesheet;
//! every response gets nosniff, a referrer policy, a frame ban, a Permissions-Policy that turns
//! off the browser features the app never uses, and a same-origin opener policy.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::HeaderValue;
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

/// The CSP nonce of one request, made by [`page_policy_layer`] before anything renders: the
/// page's scripts carry it (the Leptos context gets it from here, see `router`), the page cache
/// puts it back into a kept page, and the policy names it. It is never read back out of a page,
/// where user text could have written something that looks like one.
#[derive(Debug, Clone)]
pub struct PageNonce(pub String);

/// Makes the request's nonce and gives every HTML response the policy naming it.
pub async fn page_policy_layer(
    State(options): State<LeptosOptions>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = leptos::nonce::Nonce::new().to_string();
    req.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        if let Ok(v) = HeaderValue::from_str(&page_policy(&options, Some(&nonce))) {
            res.headers_mut().insert(CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}

/// Strict-Transport-Security (two years), on every response when cookies are secure (the
/// app is served over HTTPS): browsers then never use plain HTTP for it.
async fn hsts(State(secure): State<bool>, mut res: Response) -> Response {
    if secure {
        res.headers_mut().insert(
            http::header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000"),
        );
    }
    res
}

/// Headers for every response; a page's own policy takes precedence over the default one.
pub fn layers<S: Clone + Send + Sync + 'static>(router: Router<S>, secure: bool) -> Router<S> {
    router
        .layer(axum::middleware::map_response_with_state(secure, hsts))
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
