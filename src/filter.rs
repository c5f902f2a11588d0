//! `include` / `omit` file patterns, matched as coverage.py's reporting
//! matches them (`[report] include`, `[report] omit`, `--include`, `--omit`).
//!
//! The glob syntax is coverage.py's (`crate::pathglob`); on top of it:
//! - A pattern that does not start with `*` or `?` is also tried made
//!   absolute against the current directory; coverage.py matches the
//!   absolute file name (or the relative one with `[run] relative_files`),
//!   so `pkg/unused.py` omits `pkg/unused.py` either way.
//! - The whole name must match, case-sensitively except on Windows.

use crate::error::Result;
use crate::pathglob::Glob;
use crate::paths::{is_absolute_anywhere, normalize};

/// A list of patterns; a name matches if any pattern matches it.
#[derive(Clone, Debug, Default)]
struct Matcher {
    globs: Vec<Glob>,
}

impl Matcher {
    /// coverage.py's `prep_patterns` + `GlobMatcher`.
    fn new(patterns: &[String], cwd: &str) -> Result<Matcher> {
        let mut globs = Vec::new();
        for p in patterns {
            // Case-sensitive except on Windows, as coverage.py's GlobMatcher.
            globs.push(Glob::new(p, cfg!(windows))?);
            if !p.starts_with(['*', '?']) {
                globs.push(Glob::new(&absolute(p, cwd), cfg!(windows))?);
            }
        }
        Ok(Matcher { globs })
    }

    fn matches(&self, name: &str) -> bool {
        self.globs.iter().any(|g| g.matches_whole(name))
    }
}

fn absolute(path: &str, cwd: &str) -> String {
    if is_absolute_anywhere(path) || cwd.is_empty() {
        normalize(path)
    } else {
        normalize(&format!("{}/{path}", cwd.trim_end_matches('/')))
    }
}

/// Which files a report shows, from `include` and `omit` patterns.
#[derive(Clone, Debug, Default)]
pub struct FileFilter {
    include: Option<Matcher>,
    omit: Option<Matcher>,
    cwd: String,
    relative_files: bool,
}

impl FileFilter {
    /// `cwd` is the normalised directory the report is made in;
    /// `relative_files` is coverage.py's `[run] relative_files`, which
    /// decides whether names are matched as they are (relative) or made
    /// absolute first.
    pub fn new(
        include: &[String],
        omit: &[String],
        cwd: &str,
        relative_files: bool,
    ) -> Result<FileFilter> {
        let build = |patterns: &[String]| -> Result<Option<Matcher>> {
            if patterns.is_empty() {
                Ok(None)
            } else {
                Matcher::new(patterns, cwd).map(Some)
            }
        };
        Ok(FileFilter {
            include: build(include)?,
            omit: build(omit)?,
            cwd: cwd.to_string(),
            relative_files,
        })
    }

    /// Whether the combined file `name` is reported.
    pub fn keeps(&self, name: &str) -> bool {
        if self.include.is_none() && self.omit.is_none() {
            return true;
        }
        // Patterns are NFC (crate::pathglob); so must the name be.
        let name = crate::names::nfc(name);
        let target = if self.relative_files || is_absolute_anywhere(&name) {
            name.into_owned()
        } else {
            absolute(&name, &self.cwd)
        };
        if let Some(include) = &self.include {
            if !include.matches(&target) {
                return false;
            }
        }
        !self.omit.as_ref().is_some_and(|omit| omit.matches(&target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn keeps(omit: &[&str], name: &str, relative_files: bool) -> bool {
        FileFilter::new(&[], &pats(omit), "/work/proj", relative_files)
            .unwrap()
            .keeps(name)
    }

    #[test]
    fn omit_patterns_follow_coveragepy() {
        for rel in [false, true] {
            assert!(!keeps(&["pkg/unused.py"], "pkg/unused.py", rel));
            assert!(keeps(&["pkg/unused.py"], "pkg/used.py", rel));
            assert!(!keeps(&["unused.py"], "pkg/sub/unused.py", rel));
            assert!(!keeps(&["*/unused.py"], "pkg/unused.py", rel));
            assert!(!keeps(&["pkg/*"], "pkg/sub/deep.py", rel));
            assert!(keeps(&["pkg/*.py"], "pkg/sub/deep.py", rel));
            assert!(!keeps(&["pkg/**/deep.py"], "pkg/deep.py", rel));
            assert!(!keeps(&["pkg/[a-c]*.py"], "pkg/compat.py", rel));
            assert!(keeps(&["pkg/[^a-c]*.py"], "pkg/compat.py", rel));
            // coverage.py matches relative names with relative_files on.
            assert_eq!(keeps(&["/work/proj/pkg/*"], "pkg/a.py", rel), rel);
            assert!(!keeps(&["*/tests/*"], "/elsewhere/tests/t.py", rel));
        }
        // A pattern starting with a wildcard is not made absolute, so with
        // absolute names (relative_files off) it must match from the root.
        assert!(keeps(&["?kg/*"], "pkg/a.py", false));
        assert!(!keeps(&["?kg/*"], "pkg/a.py", true));
        assert!(keeps(&["pkg/unused.py"], "PKG/unused.py", false) != cfg!(windows));
    }

    #[test]
    fn include_then_omit() {
        let f = FileFilter::new(&pats(&["pkg/*"]), &pats(&["*/unused.py"]), "/w", false).unwrap();
        assert!(f.keeps("pkg/a.py"));
        assert!(!f.keeps("pkg/unused.py"));
        assert!(!f.keeps("tests/t.py"));
    }

    #[test]
    fn bad_patterns_use_coveragepy_words() {
        for (p, bad) in [
            ("a/***/b", "'***'"),
            ("a/b**", "'b**'"),
            ("a/**b", "'**b'"),
            ("a/**/**/x", "'**/**'"),
            ("a/[b", "'['"),
            ("a/b]", "']'"),
        ] {
            let err = FileFilter::new(&[], &pats(&[p]), "/w", false).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("File pattern can't include {bad}"),
                "{p}"
            );
        }
    }
}
