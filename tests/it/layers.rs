//! The layout's import rules, checked on the source. Imports point down only:
//!
//! ```text
//! main.rs, bench ─▶ server ─▶ area parts (seed, background, live) ─▶ pages ─▶ api ─▶ rules ─▶ store ─▶ db
//!                                                                 │        │       │        │
//!                                                                 ▼        ▼       ▼        ▼
//!                                             ui, app     the kit (platform)   model, error, util
//! ```
//!
//! - Only `main.rs`, the bench (`bin/`) and the tests import `server`.
//! - The kit (`platform`) imports no area and no server module: only `db` and the leaves.
//! - `db` imports nothing above it (the leaves, and areas' `model` types used in keys).
//! - In an area: pages → api → rules → store; the area's parts the server composes (`seed`,
//!   `background`, `live`) sit above its rules and store; nothing below imports them.
//!
//! Every file under `src/` has a layer (a file no arm knows fails the test), whether an area's
//! layer is a file (`rules.rs`) or a folder (`rules/…`, at any depth).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The areas: the folders of `src/` with an `api.rs`.
fn areas(src: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(src)
        .expect("src is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("api.rs").is_file())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    found.sort();
    found
}

/// The layer a source file belongs to, from its path under `src/`; `None` for a file no rule
/// knows (the test fails on it).
fn layer(rel: &str) -> Option<&'static str> {
    let parts: Vec<&str> = rel.split('/').collect();
    Some(match parts.as_slice() {
        ["main.rs" | "lib.rs"] | ["bin", ..] => "entry",
        ["server", ..] => "server",
        ["platform", ..] => "kit",
        ["db", ..] => "db",
        ["ui", ..] => "ui",
        ["app.rs"] => "app",
        ["model.rs" | "error.rs" | "util.rs"] => "model",
        [_, "mod.rs"] => "area root",
        [_, "seed.rs" | "background.rs" | "live.rs"] => "area part",
        [_, "store.rs" | "throttle.rs"] | [_, "store", ..] => "store",
        [_, "rules.rs" | "password.rs"] | [_, "rules", ..] => "rules",
        [_, "api.rs"] | [_, "api", ..] => "api",
        [_, "pages.rs"] | [_, "pages", ..] => "pages",
        [_, "model.rs"] | [_, "model", ..] => "model",
        _ => return None,
    })
}

/// What a layer may not import. `::name` is a module of that name anywhere in a path (an
/// area's layer); any other text is a path prefix.
fn forbidden(layer: &str, areas: &[String]) -> Vec<String> {
    let up = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let no_area = || {
        areas
            .iter()
            .map(|a| format!("crate::{a}"))
            .collect::<Vec<_>>()
    };
    let parts = ["::seed", "::background", "::live"];
    let mut rules = match layer {
        "entry" | "server" | "area root" => vec![],
        "kit" => [no_area(), up(&["crate::app", "crate::ui"])].concat(),
        "db" => up(&[
            "::api",
            "::rules",
            "::pages",
            "::store",
            "crate::platform",
            "crate::app",
            "crate::ui",
        ]),
        "store" => up(&[
            "::api",
            "::rules",
            "::pages",
            "crate::platform",
            "crate::app",
            "crate::ui",
            "AppError",
        ]),
        "rules" => up(&[
            "::api",
            "::pages",
            "crate::platform",
            "crate::app",
            "crate::ui",
        ]),
        "area part" => up(&["::api", "::pages", "crate::app", "crate::ui"]),
        "api" => up(&["::store", "crate::db", "::pages", "crate::app", "crate::ui"]),
        "pages" => up(&["::rules", "::store", "crate::db", "crate::platform"]),
        "ui" => up(&[
            "::rules",
            "::store",
            "::pages",
            "crate::db",
            "crate::platform",
            "crate::app",
        ]),
        "app" => up(&["::rules", "::store", "crate::db", "crate::platform"]),
        "model" => up(&[
            "::api",
            "::rules",
            "::store",
            "::pages",
            "crate::db",
            "crate::platform",
            "crate::app",
            "crate::ui",
        ]),
        other => panic!("no rules for layer {other}"),
    };
    if !matches!(layer, "entry" | "server" | "area root") {
        rules.push("crate::server".into());
    }
    if !matches!(layer, "entry" | "server" | "area root" | "area part") {
        rules.extend(up(&parts));
    }
    rules
}

/// Whether `word` occurs in `code` as a path segment: followed by `::`, or (inside a `use`
/// item) listed after `::`, `{` or `,`.
fn names_module(code: &str, word: &str, in_use: bool) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(word).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = &code[i + word.len()..];
        if before.is_some_and(is_ident) || after.chars().next().is_some_and(is_ident) {
            return false;
        }
        let prev = code[..i].trim_end().chars().next_back();
        after.starts_with("::") || (in_use && matches!(prev, Some(':' | '{' | ',')))
    })
}

/// The imports of `text` (the file `src/<rel>`) that break its layer's rules.
fn violations(rel: &str, text: &str, areas: &[String]) -> Vec<String> {
    let Some(layer) = layer(rel) else {
        return vec![format!("src/{rel}: no layer knows this file")];
    };
    let rules = forbidden(layer, areas);
    let mut broken = Vec::new();
    let mut in_use = false;
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let trimmed = code.trim_start();
        if trimmed.starts_with("use ") || trimmed.contains(" use ") {
            in_use = true;
        }
        for bad in &rules {
            let hit = match bad.strip_prefix("::") {
                Some(word) => names_module(code, word, in_use),
                None => code.contains(bad.as_str()),
            };
            if hit {
                broken.push(format!(
                    "src/{rel}:{} ({layer} uses {bad}): {}",
                    n + 1,
                    line.trim()
                ));
            }
        }
        if code.contains(';') {
            in_use = false;
        }
    }
    broken
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn imports_point_down_only() {
    let root = src();
    let areas = areas(&root);
    assert_eq!(areas, ["accounts", "messages", "projects", "sitters"]);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(file).expect("readable");
        broken.extend(violations(&rel, &text, &areas));
    }
    assert!(
        broken.is_empty(),
        "imports that point up:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_layers_are_recognised() {
    let cases = [
        ("projects/store/tasks.rs", "store"),
        ("messages/store/signals.rs", "store"),
        ("sitters/store/mod.rs", "store"),
        ("accounts/store.rs", "store"),
        ("sitters/rules.rs", "rules"),
        ("projects/rules/mod.rs", "rules"),
        ("projects/rules/scrum.rs", "rules"),
        ("accounts/api.rs", "api"),
        ("projects/pages/board.rs", "pages"),
        ("messages/pages.rs", "pages"),
        ("sitters/model/forms.rs", "model"),
        ("projects/seed.rs", "area part"),
        ("messages/live.rs", "area part"),
        ("db/tx.rs", "db"),
        ("platform/context.rs", "kit"),
        ("server/router.rs", "server"),
        ("model.rs", "model"),
        ("bin/minijira-bench.rs", "entry"),
    ];
    for (path, want) in cases {
        assert_eq!(layer(path), Some(want), "{path}");
    }
    assert_eq!(layer("projects/helpers.rs"), None);
    assert!(names_module(
        "use crate::projects::{rules, store};",
        "store",
        true
    ));
    assert!(names_module("    store::get(s).await", "store", false));
    assert!(!names_module("f(&cx.store, key)", "store", false));
    assert!(!names_module("fn f(store: &Store)", "store", false));
}

/// Each rule catches an import planted where it must not be (and lets the same import pass
/// where it may be).
#[test]
fn planted_imports_are_caught() {
    let areas: Vec<String> = ["accounts", "messages", "projects", "sitters"]
        .map(String::from)
        .to_vec();
    let caught = |rel: &str, text: &str| !violations(rel, text, &areas).is_empty();
    let planted = [
        // The kit imports no area, not even an area's model, and no server module.
        ("platform/context.rs", "use crate::accounts::store::User;"),
        (
            "platform/session_guard.rs",
            "use crate::accounts::model::Email;",
        ),
        ("platform/mod.rs", "use crate::server::state::AppState;"),
        // Areas import no server module, at any layer, in nested folders too.
        ("projects/api.rs", "use crate::server::state::AppState;"),
        (
            "projects/rules/scrum.rs",
            "use crate::server::page_cache::PageCache;",
        ),
        (
            "projects/store/tasks.rs",
            "let x = crate::server::areas::load_demo;",
        ),
        ("messages/live.rs", "use crate::server::metrics;"),
        // db imports nothing above it.
        ("db/keys.rs", "use crate::projects::store::get_task;"),
        ("db/tx.rs", "use crate::platform::Kit;"),
        ("db/mod.rs", "use crate::messages::live::LiveHub;"),
        // Down the area's layers, at any depth.
        (
            "projects/rules/mod.rs",
            "use crate::projects::api::create_task;",
        ),
        (
            "projects/store/sprints.rs",
            "use crate::projects::rules::scrum;",
        ),
        ("sitters/store/jobs.rs", "use super::super::background;"),
        (
            "projects/pages/board.rs",
            "use crate::projects::store::get_task;",
        ),
        ("sitters/model/forms.rs", "use crate::db::Store;"),
        ("messages/rules.rs", "use crate::messages::live::LiveHub;"),
        ("projects/seed.rs", "use crate::projects::pages::board;"),
        // The leaves and the shell.
        ("ui/mod.rs", "use crate::server::assets;"),
        ("app.rs", "use crate::platform::Kit;"),
        ("model.rs", "use crate::accounts::rules;"),
    ];
    let missed: Vec<&str> = planted
        .iter()
        .filter(|(rel, text)| !caught(rel, text))
        .map(|(rel, _)| *rel)
        .collect();
    assert!(
        missed.is_empty(),
        "planted imports not caught in {missed:?}"
    );
    let allowed = [
        ("server/areas.rs", "use crate::projects::seed;"),
        ("main.rs", "use crate::server::cli;"),
        ("projects/seed.rs", "use crate::projects::rules;"),
        (
            "messages/live.rs",
            "use crate::platform::session::AuthUser;",
        ),
        (
            "platform/context.rs",
            "use crate::db::account_state::AccountState;",
        ),
        ("projects/api.rs", "use crate::platform::context::serve;"),
        ("db/keys.rs", "use crate::projects::model::ProjectKey;"),
    ];
    for (rel, text) in allowed {
        assert!(!caught(rel, text), "{rel}: {text} is allowed");
    }
}
