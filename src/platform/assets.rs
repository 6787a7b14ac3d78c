//! The static files every page loads, cache-busted and pre-compressed.
//!
//! `scripts/assets.mjs` (run after `cargo leptos build`) copies the stylesheet, `shell.js` and
//! the islands' module and WebAssembly to `<site root>/assets/` under names that carry a hash of
//! their content, each with a `.gz` (gzip -9) and a `.br` (brotli 11) beside it, and lists them
//! in `assets/manifest.json`. The server names those files in every page and serves them with
//! `Cache-Control: immutable` and the best encoding the browser accepts. Without a manifest
//! (`cargo leptos watch`), pages name the plain `/pkg` files, which are not cached.

use crate::app::AssetUrls;
use axum::Router;
use http::{header, HeaderValue};
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The asset URLs from `<site_root>/assets/manifest.json`, or the plain names without one.
pub fn urls(site_root: &str) -> AssetUrls {
    let path = Path::new(site_root).join("assets/manifest.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return AssetUrls::default();
    };
    let manifest: std::collections::HashMap<String, String> = match serde_json::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "unreadable asset manifest");
            return AssetUrls::default();
        }
    };
    let fallback = AssetUrls::default();
    let pick = |name: &str, default: String| {
        manifest
            .get(name)
            .map(|f| format!("/assets/{f}"))
            .unwrap_or(default)
    };
    AssetUrls {
        css: pick("css", fallback.css),
        shell: pick("shell", fallback.shell),
        js: pick("js", fallback.js),
        wasm: pick("wasm", fallback.wasm),
    }
}

/// `/assets/*`: the hashed files, never re-validated (a new build has new names).
pub fn routes<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    let files = ServeDir::new(Path::new(site_root).join("assets"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/assets", files)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
}
