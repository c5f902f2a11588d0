//! Finding the inputs of a combine: directories (searched recursively),
//! files, and glob patterns.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::error::{Error, Result};
use crate::formats::native::SUFFIX;

/// Does a file found while walking a directory look like coverage data?
/// Explicitly named files are always read; in directories we take our own
/// data files and the report names coverage tools write, and leave other
/// JSON (package.json, test results), XML (pom.xml, JUnit reports) and
/// program output (`a.out`) alone. The format is still decided by the
/// content; a name only decides whether a directory search looks at it.
pub fn is_candidate(path: &Path) -> bool {
    // Lossy: a name with non-UTF-8 bytes is still a candidate.
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    if lower.starts_with('.') {
        // Hidden names are skipped (our own temporary files are
        // `.NAME.tmp-…`), except coverage.py's data files `.coverage` and
        // `.coverage.<suffix>`; not SQLite's `-journal`/`-wal`/`-shm` side
        // files, not `.coveragerc`, and never anything of ours.
        return lower == ".coverage"
            || (lower.starts_with(".coverage.")
                && !lower.contains(".tmp-")
                && !lower.contains(SUFFIX)
                && !lower.ends_with(crate::output::LOCK_TAG)
                && !["-journal", "-wal", "-shm"]
                    .iter()
                    .any(|s| lower.ends_with(s)));
    }
    let xml_name = ["coverage", "cobertura", "jacoco", "gcovr"];
    lower.ends_with(SUFFIX)
        || lower.ends_with(".lcov")
        || lower.ends_with(".info")
        || (lower.ends_with(".json") && (lower.starts_with("cov") || lower.contains("coverage")))
        || lower.ends_with(".gcov.json")
        || lower.ends_with(".gcov.json.gz")
        || lower.ends_with(".gcovr.json")
        || (lower.ends_with(".xml") && xml_name.iter().any(|n| lower.contains(n)))
        || lower.ends_with(".coverprofile")
        || (lower.ends_with(".out") && lower.contains("cover"))
}

/// Is this the temporary file of a writer (`.<name>.tmp-<unique>`, see
/// [`crate::output::write_atomic`])? One that stays behind belongs to a
/// writer that was killed before its rename.
pub fn is_leftover_temporary(path: &Path) -> bool {
    is_temporary(path) && !is_in_progress(path)
}

fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy())
        .is_some_and(|n| n.starts_with('.') && n.contains(".tmp-"))
}

/// How long a writer's temporary file may exist before it counts as left
/// behind. A younger one most likely belongs to a `record` still writing
/// while this combine runs, which is not worth a warning.
pub const IN_PROGRESS_SECONDS: u64 = 30;

fn is_in_progress(path: &Path) -> bool {
    !left_behind(std::fs::symlink_metadata(path), SystemTime::now())
}

/// Given what a stat of a writer's temporary file returned, was the file
/// left behind? A file gone since the directory was listed was renamed
/// into place (or cleaned up) by its writer: not left behind. An mtime
/// ahead of our clock counts as just written, since network and container
/// file systems can stamp files with another host's clock. A file we
/// cannot stat for another reason is reported, so it is not lost silently.
fn left_behind(meta: std::io::Result<std::fs::Metadata>, now: SystemTime) -> bool {
    let modified = match meta {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return false,
        Err(_) => return true,
        Ok(meta) => meta.modified(),
    };
    match modified {
        Err(_) => true,
        Ok(stamp) => now
            .duration_since(stamp)
            .is_ok_and(|age| age.as_secs() >= IN_PROGRESS_SECONDS),
    }
}

/// What a search found: the inputs, and writers' temporary files that
/// were left behind (never read).
#[derive(Debug, Default)]
pub struct Found {
    /// The inputs found, sorted.
    pub inputs: Vec<PathBuf>,
    /// Temporary files an interrupted writer left behind (not read).
    pub leftovers: Vec<PathBuf>,
    /// Files a directory search passed over because their names do not
    /// look like coverage data ([`is_candidate`]); hidden files are not
    /// listed. See [`passed_over_note`].
    pub passed_over: Vec<PathBuf>,
}

/// How many files shown by name in [`passed_over_note`].
const PASSED_OVER_SHOWN: usize = 5;

/// The stderr note about files a directory search passed over, and how to
/// read them; `None` when there were none.
pub fn passed_over_note(passed_over: &[PathBuf]) -> Option<String> {
    if passed_over.is_empty() {
        return None;
    }
    let n = passed_over.len();
    let mut names: Vec<String> = passed_over
        .iter()
        .take(PASSED_OVER_SHOWN)
        .map(|p| {
            // Names reach the terminal: no control characters.
            p.display()
                .to_string()
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect::<String>()
        })
        .collect();
    if n > PASSED_OVER_SHOWN {
        names.push(format!("and {} more", n - PASSED_OVER_SHOWN));
    }
    let files = if n == 1 { "file" } else { "files" };
    Some(format!(
        "passed over {n} {files} whose names do not look like coverage data: {}; \
         to read them, name them on the command line or match them with a glob \
         (e.g. 'DIR/*.json')",
        names.join(", ")
    ))
}

/// Expand the combine arguments into a sorted, de-duplicated file list.
pub fn find_inputs(args: &[String]) -> Result<Vec<PathBuf>> {
    Ok(find(args)?.inputs)
}

/// [`find_inputs`], also reporting leftover temporary files.
pub fn find(args: &[String]) -> Result<Found> {
    let mut found = BTreeSet::new();
    let mut leftovers = BTreeSet::new();
    let mut passed_over = BTreeSet::new();
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            walk(path, &mut found, &mut leftovers, &mut passed_over, 0)?;
        } else if path.exists() || path.is_symlink() {
            found.insert(path.to_path_buf());
        } else if arg.contains(['*', '?', '[']) {
            if !expand_glob(arg, &mut found, &mut leftovers, &mut passed_over)? {
                return Err(Error::Other(format!("No files match {arg:?}")));
            }
        } else {
            return Err(Error::Other(format!(
                "Couldn't combine from non-existent path '{arg}'"
            )));
        }
    }
    // A file found another way (named, or by a glob) was not passed over.
    let passed_over = passed_over.difference(&found).cloned().collect();
    Ok(Found {
        inputs: found.into_iter().collect(),
        leftovers: leftovers.into_iter().collect(),
        passed_over,
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
    passed_over: &mut BTreeSet<PathBuf>,
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
                    walk(&shown, found, leftovers, passed_over, 0)?;
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
    passed_over: &mut BTreeSet<PathBuf>,
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
            walk(&path, found, leftovers, passed_over, depth + 1)?;
        } else if is_leftover_temporary(&path) {
            leftovers.insert(path);
        } else if file_type.is_file() || (file_type.is_symlink() && !path.is_dir()) {
            if is_candidate(&path) {
                found.insert(path);
            } else if !entry.file_name().to_string_lossy().starts_with('.') {
                passed_over.insert(path);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn candidates() {
        for yes in [
            "a/h.linux.gw0.1.covmerge.json",
            "coverage.json",
            "x/lcov.info",
            "a.lcov",
            "cov-gw1.json",
            "coverage.xml",
            "ci/cobertura-coverage.xml",
            "merged.gcovr.cobertura.xml",
            "target/site/jacoco/jacoco.xml",
            "jacoco-merged.xml",
            "cover.out",
            "cover-count.out",
            "pkg.coverprofile",
            "coverage-final.json",
            "calc.gcov.json",
            "calc.gcov.json.gz",
            "run1.gcovr.json",
            ".coverage",
            ".coverage.vm.pid16141.XMg3fdZx.HZjmW2IUQN0h",
            "nyc-merged-coverage.json",
            "gcovr-merged.xml",
        ] {
            assert!(is_candidate(Path::new(yes)), "{yes}");
        }
        for no in [
            "package.json",
            ".h.covmerge.json.tmp",
            "notes.txt",
            ".x.lcov",
            "pom.xml",
            "junit.xml",
            "a.out",
            "build.out",
            ".coveragerc",
            ".coverage-journal",
            ".coverage.host.pid1.X-journal",
            ".coverage.linux.gw0.1.covmerge.json.tmp-abc",
            ".coverage.x.tmp-123",
            ".coverage.all.covmerge-lock",
            "package.json",
        ] {
            assert!(!is_candidate(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn only_an_old_temporary_file_counts_as_left_behind() {
        let dir = std::env::temp_dir().join(format!(
            "covmerge-discover-{}",
            crate::output::unique_token()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(".w.covmerge.json.tmp-1");
        std::fs::write(&file, b"{}").unwrap();
        let now = SystemTime::now();
        let stamped = |mtime: SystemTime| {
            let handle = std::fs::File::options().write(true).open(&file).unwrap();
            handle.set_modified(mtime).unwrap();
            left_behind(std::fs::symlink_metadata(&file), now)
        };
        let limit = Duration::from_secs(IN_PROGRESS_SECONDS);
        assert!(!stamped(now), "a young file belongs to a writer at work");
        assert!(
            !stamped(now + Duration::from_secs(3600)),
            "a file stamped by a clock ahead of ours is young"
        );
        assert!(stamped(now - limit - Duration::from_secs(1)), "an old file");
        // Renamed into place between the listing and the stat.
        std::fs::remove_file(&file).unwrap();
        assert!(!left_behind(std::fs::symlink_metadata(&file), now));
        assert!(!is_leftover_temporary(&file));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
