//! The module graph flows one way: every `crate::` path in a module's code
//! (comments and doc links aside) names a module on a lower layer, or its
//! own. `cargo test --test layers` checks it; docs/ARCHITECTURE.md draws
//! the same layers.

use std::collections::BTreeSet;
use std::path::Path;

/// Lowest first. A module may use modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["error", "model", "testing"],
    &[
        "pyfmt", "pathtext", "output", "limits", "sanitize", "names", "child",
    ],
    &["hashing", "probe", "launch"],
    &["pathglob", "config", "pysource"],
    &["paths", "formats", "attribution"],
    &["filter", "discover", "pyanalysis"],
    &["combine", "record"],
    &["manifest", "analysis"],
    &["report"],
    &["export"],
    &["guard"],
    &["cli"],
];

fn layer(module: &str) -> usize {
    // `crate::Result` and `crate::Error` are the error module's re-exports.
    let module = if module == "Result" || module == "Error" {
        "error"
    } else {
        module
    };
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| {
            panic!("module {module:?} is on no layer: add it to LAYERS and docs/ARCHITECTURE.md")
        })
}

/// `src/cli/combine.rs` -> `cli`; `src/model.rs` -> `model`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The `crate::X` names used in code, with comments removed.
fn uses(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    for file in files {
        let module = module_of(&src, &file);
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for used in uses(&text) {
            if used != module && layer(&used) >= layer(&module) {
                let rel = file.strip_prefix(&src).unwrap().display().to_string();
                upward.push(format!(
                    "src/{rel}: {module} (layer {}) uses {used} (layer {})",
                    layer(&module),
                    layer(&used)
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "edges that do not flow down:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_checker_sees_uses_and_skips_comments() {
    let text = "use crate::model::X;\n// crate::cli in a comment\nlet a = crate::paths::normalize(b); /// [`crate::cli`]\n";
    let found: Vec<String> = uses(text).into_iter().collect();
    assert_eq!(found, ["model", "paths"]);
}
