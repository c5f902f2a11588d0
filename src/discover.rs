//! Finding the inputs of a combine: directories (searched recursively),
//! files, and glob patterns.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::native::SUFFIX;

/// Does a file found while walking a directory look like coverage data?
/// Explicitly named files are always read; in directories we take our own
/// data files and the report names coverage tools write, and leave other
/// JSON (package.json, test results), XML (pom.xml, JUnit reports) and
/// program output (`a.out`) alone. The format is still decided by the
/// content; a name only decides whether a directory search looks at it.
pub fn is_candidate(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
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

/// Expand the combine arguments into a sorted, de-duplicated file list.
pub fn find_inputs(args: &[String]) -> Result<Vec<PathBuf>> {
    let mut found = BTreeSet::new();
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            walk(path, &mut found, 0)?;
        } else if path.exists() {
            found.insert(path.to_path_buf());
        } else if arg.contains(['*', '?', '[']) {
            let paths = glob::glob(arg)
                .map_err(|e| Error::Usage(format!("bad glob pattern {arg:?}: {e}")))?;
            let mut matched = false;
            for entry in paths {
                let entry = entry.map_err(|e| {
                    let path = e.path().to_path_buf();
                    Error::io(path, e.into())
                })?;
                matched = true;
                if entry.is_dir() {
                    walk(&entry, &mut found, 0)?;
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
    Ok(found.into_iter().collect())
}

/// Recursive directory walk. Symlinked directories are not followed, so a
/// link loop cannot trap us; symlinked files are read.
fn walk(dir: &Path, found: &mut BTreeSet<PathBuf>, depth: usize) -> Result<()> {
    if depth > 64 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if file_type.is_dir() {
            walk(&path, found, depth + 1)?;
        } else if (file_type.is_file() || (file_type.is_symlink() && path.is_file()))
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
            "package.json",
        ] {
            assert!(!is_candidate(Path::new(no)), "{no}");
        }
    }
}
