//! minijira: projects, messages and sitters on one account.
//!
//! One folder per area — `accounts`, `projects`, `messages`, `sitters` — each with the same
//! layers, and imports that only point down:
//!
//! ```text
//! main.rs ─▶ server ─▶ area parts ─▶ pages ─▶ api ─▶ rules ─▶ store ─▶ db
//!                     (seed, live,      │       │                      │
//!                      background)      ▼       ▼                      ▼
//!                                   app, ui   platform (the kit)   model, error, util (leaves)
//! ```
//!
//! - `model` — types the browser and the server share; `parse()` is the one validation.
//! - `api` — `#[server]` functions: parse, take the user from the session, call `rules`, all
//!   inside `platform::context::serve`.
//! - `rules` (server) — who may do what, domain decisions, every text a user reads, mail text.
//! - `store` (server) — this area's DynamoDB reads and writes; refusals as named outcomes.
//! - `pages` — the area's pages (components), which call `api`.
//! - `seed`, `background`, `live` (server) — the area's demo data, background work and live
//!   events, which the server composes (`server::areas`).
//!
//! Shared: `app` (shell and routes), `ui` (components, layout, the Auth and Live contexts),
//! `db` (server: Store, transaction builder, keys, cursor, schema, outbox, retry), `platform`
//! (server: the request kit an area may use — context, respond, session extractors, session
//! guard, token, mail; it imports no area) and `server` (the composition root: config, state,
//! router, middleware, CLI, worker, page cache; only `main.rs`, the bench and tests import it).
//! `tests/it/layers.rs` holds these rules.

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
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Only the `#[island]`s are hydrated (by `public/shell.js`, which loads this module on a
    // page that has any); the rest of every page is server-rendered HTML.
    leptos::mount::hydrate_islands();
}
