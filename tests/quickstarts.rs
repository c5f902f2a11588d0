//! docs/QUICKSTART.md runs: every ```` ```sh test ```` block is run with
//! bash (`set -euo pipefail`) in a fresh directory where `testdata/` is the
//! repository's and `covmerge` on the PATH is the binary under test; when
//! the next block is ```` ```text output ````, the block's stdout must be
//! exactly that. Every ecosystem section must have at least one such block.

mod common;

use std::path::Path;
use std::process::Command;

struct Block {
    info: String,
    text: String,
    line: usize,
}

/// The fenced blocks of a markdown text, with their info strings.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => {
                current = Some(Block {
                    info: info.trim().to_string(),
                    text: String::new(),
                    line: i + 1,
                })
            }
            (Some(_), Some("")) => out.push(current.take().unwrap()),
            (Some(b), _) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(current.is_none(), "an unclosed code block");
    out
}

#[test]
fn quickstart_blocks_run_and_print_what_the_doc_shows() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(repo.join("docs/QUICKSTART.md")).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_covmerge")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let blocks = blocks(&doc);
    let mut ran = 0;
    let mut failures = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if block.info != "sh test" {
            continue;
        }
        let dir = common::tempdir("quickstart");
        std::os::unix::fs::symlink(repo.join("testdata"), dir.join("testdata")).unwrap();
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("set -euo pipefail\n{}", block.text))
            .current_dir(&dir)
            .env("PATH", &path)
            .env_remove("COLUMNS")
            .env_remove("COVERAGE_RCFILE")
            .output()
            .unwrap();
        ran += 1;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            failures.push(format!(
                "QUICKSTART.md:{}: exit {}\n{}",
                block.line,
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        } else if let Some(expected) = blocks.get(i + 1).filter(|b| b.info == "text output") {
            if stdout != expected.text {
                failures.push(format!(
                    "QUICKSTART.md:{}: output differs from the block at line {}:\n{stdout}",
                    block.line, expected.line
                ));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Python, C (lcov, gcovr), JavaScript, Go, Java.
    assert!(ran >= 6, "only {ran} runnable blocks");
    for heading in ["## Python", "## C ", "## JavaScript", "## Go", "## Java"] {
        let start = doc
            .find(heading)
            .unwrap_or_else(|| panic!("no {heading} section"));
        let end = doc[start + 3..]
            .find("\n## ")
            .map_or(doc.len(), |e| start + 3 + e);
        assert!(
            doc[start..end].contains("```sh test"),
            "{heading} has no runnable block"
        );
    }
}
