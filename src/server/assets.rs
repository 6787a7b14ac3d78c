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

#[cfg(test)]
mod tests {
    use super::*;
    use http::Request;
    use tower::ServiceExt;

    fn site() -> tempdir::Dir {
        let dir = tempdir::Dir::new();
        let assets = dir.path.join("assets");
        std::fs::create_dir_all(&assets).unwrap();
        std::fs::write(
            assets.join("manifest.json"),
            r#"{"css":"minijira.AAA.css","shell":"shell.BBB.js","js":"minijira.CCC.js","wasm":"minijira.DDD.wasm"}"#,
        )
        .unwrap();
        std::fs::write(assets.join("shell.BBB.js"), "plain").unwrap();
        std::fs::write(assets.join("shell.BBB.js.br"), "brotli").unwrap();
        std::fs::write(assets.join("shell.BBB.js.gz"), "gzip").unwrap();
        dir
    }

    /// A directory removed when dropped.
    mod tempdir {
        pub struct Dir {
            pub path: std::path::PathBuf,
        }
        impl Dir {
            pub fn new() -> Self {
                let path = std::env::temp_dir().join(format!(
                    "minijira-assets-{}-{:?}",
                    std::process::id(),
                    std::thread::current().id()
                ));
                let _ = std::fs::remove_dir_all(&path);
                Self { path }
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.path);
            }
        }
    }

    #[test]
    fn pages_name_the_hashed_files_or_the_plain_ones_without_a_manifest() {
        let dir = site();
        let named = urls(dir.path.to_str().unwrap());
        assert_eq!(named.shell, "/assets/shell.BBB.js");
        assert_eq!(named.wasm, "/assets/minijira.DDD.wasm");
        assert_eq!(named.css, "/assets/minijira.AAA.css");
        assert_eq!(named.js, "/assets/minijira.CCC.js");
        assert_eq!(urls("/no/such/site"), AssetUrls::default());
    }

    #[tokio::test]
    async fn hashed_files_are_immutable_and_sent_pre_compressed() {
        let dir = site();
        let app: Router = routes(dir.path.to_str().unwrap());
        let get = |encoding: &'static str| {
            let mut req = Request::get("/assets/shell.BBB.js");
            if !encoding.is_empty() {
                req = req.header("accept-encoding", encoding);
            }
            app.clone()
                .oneshot(req.body(axum::body::Body::empty()).unwrap())
        };
        for (accepts, encoding, body) in [
            ("br, gzip", Some("br"), "brotli"),
            ("gzip", Some("gzip"), "gzip"),
            ("", None, "plain"),
        ] {
            let res = get(accepts).await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(
                res.headers().get("cache-control").unwrap(),
                "public, max-age=31536000, immutable"
            );
            assert_eq!(
                res.headers()
                    .get("content-encoding")
                    .map(|v| v.to_str().unwrap()),
                encoding
            );
            let bytes = http_body_util::BodyExt::collect(res.into_body())
                .await
                .unwrap()
                .to_bytes();
            assert_eq!(bytes, body.as_bytes());
        }
        let missing = app
            .oneshot(
                Request::get("/assets/shell.OLD.js")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
}
