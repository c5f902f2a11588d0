//! Finding a file's source for its page: under `--source-root` or the
//! current directory (names are already path-mapped), and whether it is
//! the code the workers ran (the content hashes `record` stored).

use std::path::{Path, PathBuf};

/// Sources bigger than this are not shown (as `record` does not hash them).
const MAX_SOURCE: u64 = 64 << 20;

/// What the page can show of a file's source.
pub enum Source {
    /// The text, split in lines (CRLF read as LF).
    Text(Vec<String>),
    /// No readable regular file at this path.
    Missing(PathBuf),
    /// The file here is not what the workers ran: its hash is none of the
    /// recorded ones, or (with no hashes recorded) it is shorter than the
    /// measured lines.
    Changed {
        /// Where it was looked for.
        path: PathBuf,
        /// How it differs.
        why: String,
    },
}

/// The file `name` under `root` (default: the current directory): where
/// every reader of sources looks.
pub use crate::pysource::path_of;

/// Read `name` and compare it with `hashes` (the recorded content hashes
/// of the file; empty when no worker could read its source). `last_line`
/// is the highest measured line.
pub fn load(
    root: Option<&Path>,
    name: &str,
    hashes: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    last_line: u32,
) -> Source {
    let path = path_of(root, name);
    let readable = std::fs::metadata(&path)
        .map(|m| m.is_file() && m.len() <= MAX_SOURCE)
        .unwrap_or(false);
    let bytes = match readable.then(|| std::fs::read(&path)) {
        Some(Ok(b)) => b,
        _ => return Source::Missing(path),
    };
    let mut text = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if !(bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            text.push(bytes[i]);
        }
        i += 1;
    }
    if !hashes.is_empty() {
        let here = crate::hashing::sha256_hex(&text);
        if !hashes.contains_key(&here) {
            return Source::Changed {
                path,
                why: "its content differs from what the workers ran (the recorded hash does not match)"
                    .to_string(),
            };
        }
    }
    let text = String::from_utf8_lossy(&text);
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    if (lines.len() as u64) < u64::from(last_line) {
        return Source::Changed {
            path,
            why: format!(
                "it has {} lines, but line {last_line} was measured",
                lines.len()
            ),
        };
    }
    Source::Text(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn the_recorded_hash_decides_and_crlf_is_lf() {
        let dir = std::env::temp_dir().join(format!(
            "covmerge-html-source-{}-{}",
            std::process::id(),
            crate::output::unique_token()
        ));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("pkg/m.py"), "a = 1\r\nb = 2\r\n").unwrap();
        let root = dir.to_str().unwrap();
        // What `record` stored on a worker with an LF checkout.
        let recorded = crate::hashing::source_hash(root, "pkg/m.py").unwrap();
        let hashes: BTreeMap<String, BTreeSet<String>> =
            [(recorded, BTreeSet::new())].into_iter().collect();
        match load(Some(&dir), "pkg/m.py", &hashes, 2) {
            Source::Text(lines) => assert_eq!(lines, ["a = 1", "b = 2"]),
            _ => panic!("same content"),
        }
        let other: BTreeMap<String, BTreeSet<String>> =
            [("0".repeat(64), BTreeSet::new())].into_iter().collect();
        assert!(matches!(
            load(Some(&dir), "pkg/m.py", &other, 2),
            Source::Changed { .. }
        ));
        // No hash recorded: a file shorter than the measured lines is not it.
        assert!(matches!(
            load(Some(&dir), "pkg/m.py", &BTreeMap::new(), 3),
            Source::Changed { .. }
        ));
        assert!(matches!(
            load(Some(&dir), "pkg/gone.py", &BTreeMap::new(), 1),
            Source::Missing(_)
        ));
        // A folder by the file's name is not a source.
        assert!(matches!(
            load(Some(&dir), "pkg", &BTreeMap::new(), 1),
            Source::Missing(_)
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
