//! minijira: projects, messages and sitters on one account.
//!
//! Shared by the server and the browser: `app`, `pages`, `components`, `models`, `api` (server
//! function declarations) and `error`. Server only: `server`, `db`, `auth`, `email`, `services`.

pub mod api;
pub mod app;
pub mod components;
pub mod error;
pub mod models;
pub mod pages;
pub mod util;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod email;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod services;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets end-to-end tests wait until the page is interactive.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
