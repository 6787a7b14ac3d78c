//! The layout's import rules, checked on the source: imports point down only
//! (pages → api → rules → store → db), so that every kind of rule keeps its one home.

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

/// The layer a source file belongs to, from its path under `src/`.
fn layer(rel: &str) -> &'static str {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        ["db", ..] => "db",
        ["platform", "context.rs" | "respond.rs" | "state.rs" | "config.rs" | "token.rs" | "mail.rs"] => {
            "platform kit"
        }
        ["platform", ..] => "platform",
        ["ui", ..] => "ui",
        ["bin", ..] => "bin",
        [_, "store.rs"] | [_, "store", ..] | ["accounts", "throttle.rs"] => "store",
        [_, "rules.rs"] | ["accounts", "password.rs"] => "rules",
        [_, "api.rs"] => "api",
        [_, "pages.rs"] | [_, "pages", ..] => "pages",
        [_, "model.rs"] | [_, "model", ..] | ["model.rs"] | ["error.rs"] | ["util.rs"] => "model",
        _ => "other",
    }
}

/// What a layer may not import: path fragments of the layers above it.
fn forbidden(layer: &str) -> &'static [&'static str] {
    match layer {
        "db" => &[
            "::api",
            "::rules",
            "::pages",
            "::store",
            "crate::platform",
            "crate::app",
            "crate::ui",
        ],
        "store" => &[
            "::api",
            "::rules",
            "::pages",
            "crate::platform",
            "crate::app",
            "crate::ui",
            "AppError",
        ],
        "rules" => &[
            "::api",
            "::pages",
            "crate::platform",
            "crate::app",
            "crate::ui",
        ],
        "api" => &["::store", "crate::db", "::pages", "crate::app", "crate::ui"],
        "pages" => &["::rules", "::store", "crate::db", "crate::platform"],
        "ui" => &[
            "::rules",
            "::store",
            "::pages",
            "crate::db",
            "crate::platform",
            "crate::app",
        ],
        "model" => &[
            "::api",
            "::rules",
            "::store",
            "::pages",
            "crate::db",
            "crate::platform",
            "crate::app",
            "crate::ui",
        ],
        _ => &[],
    }
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

#[test]
fn imports_point_down_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut broken = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let layer = layer(&rel);
        let text = std::fs::read_to_string(file).expect("readable");
        let mut in_use = false;
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let trimmed = code.trim_start();
            if trimmed.starts_with("use ") || trimmed.contains(" use ") {
                in_use = true;
            }
            for bad in forbidden(layer) {
                let hit = match bad.strip_prefix("::") {
                    Some(word) => names_module(code, word, in_use),
                    None => code.contains(bad),
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
    }
    assert!(
        broken.is_empty(),
        "imports that point up:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_layers_are_recognised() {
    assert_eq!(layer("projects/store/tasks.rs"), "store");
    assert_eq!(layer("messages/store.rs"), "store");
    assert_eq!(layer("sitters/rules.rs"), "rules");
    assert_eq!(layer("accounts/api.rs"), "api");
    assert_eq!(layer("projects/pages/board.rs"), "pages");
    assert_eq!(layer("messages/pages.rs"), "pages");
    assert_eq!(layer("db/tx.rs"), "db");
    assert_eq!(layer("platform/context.rs"), "platform kit");
    assert_eq!(layer("platform/router.rs"), "platform");
    assert_eq!(layer("model.rs"), "model");
    assert_eq!(layer("sitters/model/forms.rs"), "model");
    assert!(forbidden("store").contains(&"::rules"));
    assert!(names_module(
        "use crate::projects::{rules, store};",
        "store",
        true
    ));
    assert!(names_module("    store::get(s).await", "store", false));
    assert!(!names_module("f(&cx.store, key)", "store", false));
    assert!(!names_module("fn f(store: &Store)", "store", false));
}
