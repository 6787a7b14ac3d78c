//! minijira: projects, messages and sitters on one account.
//!
//! One folder per area — `accounts`, `projects`, `messages`, `sitters` — each with the same
//! layers, and imports that only point down:
//!
//! ```text
//! pages ─▶ api ─▶ rules ─▶ store ─▶ db
//!   │       │       │        │
//!   └───────┴───────┴────────┴──▶ model, ui, error, util   (leaves shared by all)
//! ```
//!
//! - `model` — types the browser and the server share; `parse()` is the one validation.
//! - `api` — `#[server]` functions: parse, take the user from the session, call `rules`.
//! - `rules` (server) — who may do what, domain decisions, every text a user reads, mail text.
//! - `store` (server) — this area's DynamoDB reads and writes; refusals as named outcomes.
//! - `pages` — the area's pages (components), which call `api`.
//!
//! Shared: `app` (shell and routes), `ui` (components, layout, the Auth and Live contexts),
//! `db` (server: Store, transaction builder, keys, cursor, schema, outbox, retry policy) and
//! `platform` (server: configuration, state, router, middleware, sessions, CLI, worker, mail).
//! Nothing in `db` or a `store` imports `api`, `pages`, `rules` or `platform`.

pub mod accounts;
pub mod app;
pub mod error;
pub mod messages;
pub mod model;
pub mod projects;
pub mod sitters;
pub mod ui;
pub mod util;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod platform;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Only the `#[island]`s are hydrated (by `public/shell.js`, which loads this module on a
    // page that has any); the rest of every page is server-rendered HTML.
    leptos::mount::hydrate_islands();
}
