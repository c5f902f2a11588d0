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
            // `*` does not match a leading dot: temporary files stay out.
            let options = glob::MatchOptions {
                require_literal_leading_dot: true,
                ..Default::default()
            };
            let paths = glob::glob_with(arg, options)
                .map_err(|e| Error::Usage(format!("bad glob pattern {arg:?}: {e}")))?;
            let mut matched = false;
            for entry in paths {
                let entry = entry.map_err(|e| {
                    let path = e.path().to_path_buf();
                    Error::io(path, e.into())
                })?;
                matched = true;
                if entry.is_dir() {
                    walk(&entry, &mut found, &mut leftovers, 0)?;
                } else {
                    found.insert(entry);
                }
            }
            if !matched {
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
