//! Combining many inputs into one [`CoverageData`]: read each file, skip
//! exact duplicates, normalise its paths, union it into the result.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats;
use crate::model::{CoverageData, FileCoverage};
use crate::paths::PathMapper;

/// What happened to one input.
#[derive(Clone, Debug, PartialEq)]
pub enum InputStatus {
    Used,
    /// Byte-identical to an input read before it.
    Duplicate {
        of: PathBuf,
    },
    Rejected {
        reason: String,
    },
}

#[derive(Clone, Debug)]
pub struct InputOutcome {
    pub path: PathBuf,
    pub status: InputStatus,
    pub format: Option<&'static str>,
}

#[derive(Clone, Debug, Default)]
pub struct CombineOptions {
    pub mapper: PathMapper,
    /// Any unreadable input, and any warning, is fatal.
    pub strict: bool,
    /// Report every path mapping on stderr.
    pub debug_paths: bool,
}

/// The result of a combine.
#[derive(Debug, Default)]
pub struct Combined {
    pub data: CoverageData,
    pub inputs: Vec<InputOutcome>,
}

impl Combined {
    pub fn count(&self, pred: impl Fn(&InputStatus) -> bool) -> usize {
        self.inputs.iter().filter(|i| pred(&i.status)).count()
    }

    /// `Combined 3 files, skipped 1 duplicate, 1 file rejected`.
    pub fn summary(&self) -> String {
        let used = self.count(|s| *s == InputStatus::Used);
        let dups = self.count(|s| matches!(s, InputStatus::Duplicate { .. }));
        let rejected = self.count(|s| matches!(s, InputStatus::Rejected { .. }));
        let mut out = format!("Combined {}", plural(used, "file"));
        if dups > 0 {
            out.push_str(&format!(", skipped {}", plural(dups, "duplicate")));
        }
        if rejected > 0 {
            out.push_str(&format!(", {} rejected", plural(rejected, "file")));
        }
        out
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn content_key(bytes: &[u8]) -> (u64, usize) {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    (h.finish(), bytes.len())
}

/// Rename every file of `data` through the mapper and merge the files that
/// end up with the same name.
pub fn normalize_paths(
    data: CoverageData,
    mapper: &PathMapper,
    mut on_map: impl FnMut(&str, &str, Option<&str>),
) -> CoverageData {
    let root = data.root.clone();
    let mut files: BTreeMap<String, FileCoverage> = BTreeMap::new();
    for (raw, file) in data.files {
        let (name, rule) = mapper.map(&raw, root.as_deref());
        on_map(&raw, &name, rule.as_deref());
        match files.get_mut(&name) {
            Some(existing) => existing.merge(file),
            None => {
                files.insert(name, file);
            }
        }
    }
    CoverageData {
        files,
        root: None,
        ..data
    }
}

/// Read, check and union the inputs. Warnings go to `warn` as they occur.
pub fn combine_files(
    paths: &[PathBuf],
    options: &CombineOptions,
    warn: &mut dyn FnMut(&str),
) -> Result<Combined> {
    let mut combined = Combined::default();
    let mut seen: HashMap<(u64, usize), PathBuf> = HashMap::new();
    let mut with_branches = 0usize;
    let mut without_branches = 0usize;
    let mut explained: BTreeMap<String, String> = BTreeMap::new();

    for path in paths {
        let outcome = |status, format| InputOutcome {
            path: path.clone(),
            status,
            format,
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                let err = Error::io(path, e);
                reject(&mut combined, options, warn, outcome, err)?;
                continue;
            }
        };
        let key = content_key(&bytes);
        if let Some(first) = seen.get(&key) {
            warn(&format!(
                "{}: identical to {}, counted once",
                path.display(),
                first.display()
            ));
            combined
                .inputs
                .push(outcome(InputStatus::Duplicate { of: first.clone() }, None));
            continue;
        }
        let parsed = match formats::parse(path, &bytes) {
            Ok(p) => p,
            Err(err) => {
                reject(&mut combined, options, warn, outcome, err)?;
                continue;
            }
        };
        seen.insert(key, path.clone());
        for w in &parsed.diagnostics.warnings {
            let location = match w.line {
                Some(line) => format!("{}:{}", path.display(), line),
                None => path.display().to_string(),
            };
            let text = format!("{location}: {}", w.message);
            if options.strict {
                return Err(Error::Other(format!("{text} (--strict)")));
            }
            warn(&text);
        }
        if parsed.data.branch_coverage {
            with_branches += 1;
        } else {
            without_branches += 1;
        }
        let data = normalize_paths(parsed.data, &options.mapper, |raw, name, rule| {
            if options.debug_paths && raw != name {
                let how = match rule {
                    Some(rule) => format!("{name} (rule {rule:?})"),
                    None => name.to_string(),
                };
                explained.entry(raw.to_string()).or_insert(how);
            }
        });
        combined.data.merge(data);
        combined
            .inputs
            .push(outcome(InputStatus::Used, Some(parsed.format)));
    }
    for (raw, how) in &explained {
        warn(&format!("path {raw} -> {how}"));
    }
    for (name, file) in &combined.data.files {
        if file.statements_unknown {
            let text = format!(
                "{name}: only coverage.py raw data (.coverage) measured this file, which lists \
                 executed lines but not statements; its missed lines and branches are unknown \
                 and it is shown as fully covered (add a coverage.py JSON or LCOV report of \
                 the same file from any worker to fix this)"
            );
            if options.strict {
                return Err(Error::Other(format!("{text} (--strict)")));
            }
            warn(&text);
        }
    }
    if with_branches > 0 && without_branches > 0 {
        let text = format!(
            "{with_branches} input(s) measured branches and {without_branches} did not; \
             branch columns are shown, and files only the latter measured have no branch data"
        );
        if options.strict {
            return Err(Error::Other(format!("{text} (--strict)")));
        }
        warn(&text);
    }
    Ok(combined)
}

fn reject(
    combined: &mut Combined,
    options: &CombineOptions,
    warn: &mut dyn FnMut(&str),
    outcome: impl Fn(InputStatus, Option<&'static str>) -> InputOutcome,
    err: Error,
) -> Result<()> {
    if options.strict {
        return Err(err);
    }
    warn(&format!("{err}; skipped"));
    combined.inputs.push(outcome(
        InputStatus::Rejected {
            reason: err.to_string(),
        },
        None,
    ));
    Ok(())
}

/// Convenience for tests and library users: combine without messages.
pub fn combine_quiet(paths: &[&Path], options: &CombineOptions) -> Result<Combined> {
    let owned: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    combine_files(&owned, options, &mut |_| {})
}
