//! Build script: passes the git commit to the binary as
//! `COVMERGE_BUILD_COMMIT` so that `covmerge --version` says which source
//! it was built from.
//!
//! Order: `$COVMERGE_COMMIT` when set (a build from an exported tree, e.g.
//! an sdist, can pass it), else `git rev-parse` in the package directory,
//! else `unknown`. Never fails the build: no git, no repository or a
//! broken one all give `unknown`.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=COVMERGE_COMMIT");
    let commit = match std::env::var("COVMERGE_COMMIT") {
        Ok(c) if !c.trim().is_empty() => c.trim().to_string(),
        _ => {
            let commit = git(&["rev-parse", "--short=12", "HEAD"]);
            if commit.is_some() {
                // Rebuild when HEAD moves: HEAD itself (a branch switch), the
                // branch's ref (a commit) and packed-refs (after a gc).
                for name in ["HEAD", "packed-refs"] {
                    if let Some(p) = git(&["rev-parse", "--git-path", name]) {
                        rerun_if_exists(&p);
                    }
                }
                if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
                    if let Some(p) = git(&["rev-parse", "--git-path", &branch]) {
                        rerun_if_exists(&p);
                    }
                }
            }
            commit.unwrap_or_else(|| "unknown".to_string())
        }
    };
    // One line: a newline would end cargo's directive. Another name than
    // the input: cargo also sets it for `cargo test`'s processes, and a
    // cargo they start (tests/wheel.rs) must not see it as the input.
    let commit: String = commit
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    println!("cargo:rustc-env=COVMERGE_BUILD_COMMIT={commit}");
}

fn rerun_if_exists(path: &str) {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if full.exists() {
        println!("cargo:rerun-if-changed={}", full.display());
    }
}
