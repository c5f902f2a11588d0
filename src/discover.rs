//! Finding the inputs of a combine: directories (searched recursively),
//! files, and glob patterns.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::native::SUFFIX;

/// Does a file found while walking a directory look like coverage data?
/// Explicitly named files are always read; in directories we take our own
/// data files and the report names coverage tools write, and leave other
/// JSON (package.json, test results) alone.
pub fn is_candidate(path: &Path) -> bool {
    // Lossy: a name with non-UTF-8 bytes is still a candidate.
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    if name.starts_with('.') {
        return false; // hidden: includes our own temporary files
    }
    let lower = name.to_ascii_lowercase();
    lower.ends_with(SUFFIX)
        || lower.ends_with(".lcov")
        || lower.ends_with(".info")
        || (lower.ends_with(".json") && (lower.starts_with("coverage") || lower.starts_with("cov")))
}

/// Is this the temporary file of a writer (`.<name>.tmp-<unique>`, see
/// [`crate::output::write_atomic`])? One that stays behind belongs to a
/// writer that was killed before its rename.
pub fn is_leftover_temporary(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy())
        .is_some_and(|n| n.starts_with('.') && n.contains(".tmp-"))
}

/// What a search found: the inputs, and writers' temporary files that
/// were left behind (never read).
#[derive(Debug, Default)]
pub struct Found {
    pub inputs: Vec<PathBuf>,
    pub leftovers: Vec<PathBuf>,
}

/// Expand the combine arguments into a sorted, de-duplicated file list.
pub fn find_inputs(args: &[String]) -> Result<Vec<PathBuf>> {
    Ok(find(args)?.inputs)
}

/// [`find_inputs`], also reporting leftover temporary files.
pub fn find(args: &[String]) -> Result<Found> {
    let mut found = BTreeSet::new();
    let mut leftovers = BTreeSet::new();
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            walk(path, &mut found, &mut leftovers, 0)?;
        } else if path.exists() || path.is_symlink() {
            found.insert(path.to_path_buf());
        } else if arg.contains(['*', '?', '[']) {
            if !expand_glob(arg, &mut found, &mut leftovers)? {
                return Err(Error::Other(format!("No files match {arg:?}")));
            }
        } else {
            return Err(Error::Other(format!(
                "Couldn't combine from non-existent path '{arg}'"
            )));
        }
    }
    Ok(Found {
        inputs: found.into_iter().collect(),
        leftovers: leftovers.into_iter().collect(),
    })
}

/// Expand a glob pattern. The glob crate follows symbolic links while
/// expanding `**`, so two links to `.` made it take exponential time; we
/// walk from the pattern's literal prefix ourselves instead, never
/// following a linked directory, and match each path with the pattern.
/// `*` does not match a leading dot, so temporary files stay out. A
/// matched directory is searched like a directory argument.
fn expand_glob(
    arg: &str,
    found: &mut BTreeSet<PathBuf>,
    leftovers: &mut BTreeSet<PathBuf>,
) -> Result<bool> {
    let trimmed = arg.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() { arg } else { trimmed };
    let pattern = glob::Pattern::new(trimmed)
        .map_err(|e| Error::Usage(format!("bad glob pattern {arg:?}: {e}")))?;
    let options = glob::MatchOptions {
        require_literal_leading_dot: true,
        ..Default::default()
    };
    // The literal directories before the first wildcard component.
    let parts: Vec<&str> = trimmed.split('/').collect();
    let literal = parts
        .iter()
        .take_while(|p| !p.contains(['*', '?', '[']))
        .count();
    let base = if literal == 0 {
        PathBuf::from(".")
    } else {
        let joined = parts[..literal].join("/");
        PathBuf::from(if joined.is_empty() {
            "/".to_string()
        } else {
            joined
        })
    };
    let strip_dot = literal == 0;
    let max_depth = if trimmed.contains("**") {
        64
    } else {
        parts.len() - literal
    };
    let mut matched = false;
    let mut stack = vec![(base, 1usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let shown = match (strip_dot, path.strip_prefix(".")) {
                (true, Ok(rel)) => rel.to_path_buf(),
                _ => path.clone(),
            };
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if pattern.matches_path_with(&shown, options) {
                matched = true;
                if shown.is_dir() {
                    walk(&shown, found, leftovers, 0)?;
                } else {
                    found.insert(shown);
                }
            }
            if file_type.is_dir() && depth < max_depth {
                stack.push((path, depth + 1));
            }
        }
    }
    Ok(matched)
}

/// Recursive directory walk. Symlinked directories are not followed, so a
/// link loop cannot trap us; symlinked files are read, and a dangling or
/// looping link with a candidate name is listed (its read then fails with
/// a message naming it) rather than silently dropped.
fn walk(
    dir: &Path,
    found: &mut BTreeSet<PathBuf>,
    leftovers: &mut BTreeSet<PathBuf>,
    depth: usize,
) -> Result<()> {
    if depth > 64 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if file_type.is_dir() {
            walk(&path, found, leftovers, depth + 1)?;
        } else if is_leftover_temporary(&path) {
            leftovers.insert(path);
        } else if (file_type.is_file() || (file_type.is_symlink() && !path.is_dir()))
            && is_candidate(&path)
        {
            found.insert(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates() {
        for yes in [
            "a/h.linux.gw0.1.covmerge.json",
            "coverage.json",
            "x/lcov.info",
            "a.lcov",
            "cov-gw1.json",
        ] {
            assert!(is_candidate(Path::new(yes)), "{yes}");
        }
        for no in [
            "package.json",
            ".h.covmerge.json.tmp",
            "notes.txt",
            ".x.lcov",
        ] {
            assert!(!is_candidate(Path::new(no)), "{no}");
        }
    }
}
