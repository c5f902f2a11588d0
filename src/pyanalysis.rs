//! coverage.py's own analysis of raw data, through the user's interpreter.
//!
//! A raw `.coverage` file says which lines and arcs ran, not which lines are
//! statements, which are excluded, or which arcs a branch line can take:
//! coverage.py learns that from the source with the interpreter that runs it
//! (bytecode line tables, its AST parser, the exclusion regexes of the
//! configuration). Rather than reimplement that analysis (it changes with
//! every Python release), covmerge hands the measured lines and arcs to that
//! interpreter's coverage.py (`pyanalysis.py`, public API only: it writes
//! them into a `CoverageData` and asks `json_report` for the report) and
//! reads the answer as any coverage.py JSON report. The result is what
//! `coverage combine` + `coverage report` print for the same data.
//!
//! Used on the worker (`record --python PY` on raw data files) and at
//! combine time (`combine --python PY` for raw files that no other input
//! gives statements for). A file whose statements stay unknown is left out
//! of the table and the total by [`unknown_files`]' caller, never shown as
//! covered.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::child::Finished;
use crate::error::{Error, Result};
use crate::model::{CoverageData, FileCoverage};

/// The script run by the interpreter (`python -c`).
const SCRIPT: &str = include_str!("pyanalysis.py");

/// Time limit for one interpreter call (a group of files). Analysing a
/// file takes milliseconds; a hang (a plugin waiting on the network, a
/// broken interpreter) must not stall CI.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The time limit: `COVMERGE_PYTHON_TIMEOUT` seconds if set (a positive
/// number), else [`DEFAULT_TIMEOUT`].
pub fn timeout() -> Result<Duration> {
    match std::env::var("COVMERGE_PYTHON_TIMEOUT") {
        Err(_) => Ok(DEFAULT_TIMEOUT),
        Ok(text) => match text.trim().parse::<f64>() {
            Ok(secs) if secs > 0.0 && secs.is_finite() => Ok(Duration::from_secs_f64(secs)),
            _ => Err(Error::Usage(format!(
                "COVMERGE_PYTHON_TIMEOUT={}: expected a positive number of seconds",
                shown(&text)
            ))),
        },
    }
}

/// Sources larger than this are not analysed.
const MAX_SOURCE: u64 = 64 << 20;

/// The most JSON one call may print: far above any real report of a
/// group of files, low enough that a runaway child cannot exhaust memory.
const MAX_OUTPUT: u64 = 512 << 20;

/// What to run and where.
#[derive(Clone, Debug)]
pub struct Interpreter {
    /// The Python executable (`--python`, or `python` in covmerge.toml).
    pub python: PathBuf,
    /// coverage.py's configuration file as covmerge found it (for
    /// `exclude_lines`, `partial_branches` and the like).
    pub rcfile: Option<PathBuf>,
    /// Without `rcfile`: let coverage.py look for its configuration in
    /// `dir` as it would itself (the worker side), rather than read none.
    pub find_config: bool,
    /// The directory relative file names are under (combine's working
    /// directory, the worker's root); the interpreter runs there.
    pub dir: PathBuf,
    /// The time limit per call.
    pub timeout: Duration,
}

/// What [`resolve`] did.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Files now analysed.
    pub analysed: usize,
    /// Files still unknown, with the reason (name -> why).
    pub skipped: BTreeMap<String, String>,
    /// The coverage.py version that analysed them.
    pub coverage_version: Option<String>,
}

/// Analyse every file of `data` whose statements are unknown and whose
/// source is readable under `interp.dir` (and, where the workers recorded
/// a content hash, has that content), replacing its measured lines and
/// arcs with coverage.py's report of them. One interpreter call per group
/// of files, the groups run in parallel. A failed call (no coverage.py,
/// timeout, bad output) is an error naming the interpreter: the user asked
/// for the analysis.
pub fn resolve(data: &mut CoverageData, interp: &Interpreter) -> Result<Resolved> {
    let mut resolved = Resolved::default();
    let todo = analysable(data, interp, &mut resolved.skipped);
    if todo.is_empty() {
        return Ok(resolved);
    }
    let branch = data.branch_coverage
        || todo
            .iter()
            .any(|(name, _)| !data.files[name].arcs.is_empty());
    let groups = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(todo.len());
    let per_group = todo.len().div_ceil(groups);
    let chunks: Vec<&[(String, PathBuf)]> = todo.chunks(per_group).collect();
    let requests: Vec<Vec<u8>> = chunks
        .iter()
        .map(|chunk| request(data, chunk, branch, interp))
        .collect();
    let answers: Vec<Result<Answer>> = std::thread::scope(|scope| {
        let handles: Vec<_> = requests
            .iter()
            .map(|req| scope.spawn(move || call(interp, req)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Other("analysis thread failed".into())))
            })
            .collect()
    });
    for (chunk, answer) in chunks.iter().zip(answers) {
        let mut answer = answer?;
        for (name, path) in chunk.iter() {
            let key = path.to_string_lossy();
            let Some(known) = answer.files.remove(key.as_ref()) else {
                resolved.skipped.insert(
                    name.clone(),
                    format!(
                        "coverage.py could not analyse {} (not Python source?)",
                        shown(path)
                    ),
                );
                continue;
            };
            take_analysis(data.files.get_mut(name).expect("listed above"), known);
            resolved.analysed += 1;
        }
        resolved.coverage_version = Some(answer.version);
    }
    if branch {
        data.branch_coverage = true;
    }
    Ok(resolved)
}

/// The files of `data` whose statements are unknown and whose source is
/// here (a regular file, not huge, with the content the workers recorded
/// where they recorded a hash), with their absolute paths; why each other
/// one cannot be analysed goes into `skipped`.
fn analysable(
    data: &CoverageData,
    interp: &Interpreter,
    skipped: &mut BTreeMap<String, String>,
) -> Vec<(String, PathBuf)> {
    let mut todo = Vec::new();
    for (name, file) in data.files.iter().filter(|(_, f)| f.statements_unknown) {
        let path = if crate::pathtext::is_absolute_anywhere(name) {
            PathBuf::from(name)
        } else {
            interp.dir.join(name)
        };
        // Only regular files (a FIFO would hang the interpreter), and not
        // huge ones: no real Python module is anywhere near this.
        let why = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() && m.len() <= MAX_SOURCE => None,
            Ok(m) if m.is_file() => Some(format!(
                "{} is larger than {} MiB",
                shown(&path),
                MAX_SOURCE >> 20
            )),
            _ => Some(format!("no source at {}", shown(&path))),
        };
        let why = why.or_else(|| {
            let dir = interp.dir.to_string_lossy();
            let here = crate::hashing::source_hash(&dir, name);
            let differs = !file.source_hashes.is_empty()
                && !here.is_some_and(|h| file.source_hashes.contains_key(&h));
            differs.then(|| {
                format!(
                    "the source at {} differs from what the workers ran (content hash)",
                    shown(&path)
                )
            })
        });
        match why {
            Some(why) => {
                skipped.insert(name.clone(), why);
            }
            None => todo.push((name.clone(), absolute(&path))),
        }
    }
    todo
}

/// Put coverage.py's analysis of a file in place of its raw lines and arcs;
/// the per-platform parts are mapped onto the statements alike.
fn take_analysis(file: &mut FileCoverage, known: FileCoverage) {
    file.lines = known.lines;
    file.excluded = known.excluded;
    file.arcs = known.arcs;
    file.declared_branches = known.declared_branches;
    file.regions = known.regions;
    file.functions = known.functions;
    file.statements_unknown = false;
    let groups = std::mem::take(&mut file.covered_by);
    file.covered_by = groups
        .into_iter()
        .map(|(name, group)| (name, file.map_group(group)))
        .collect();
}

/// The note for files left out of the report because only raw
/// coverage.py data measured them (`Selection::unknown`); `None` when
/// there are none.
pub fn unknown_note(names: &[String]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    const LISTED: usize = 10;
    let mut list: Vec<String> = names.iter().take(LISTED).map(shown).collect();
    if names.len() > LISTED {
        list.push(format!("and {} more", names.len() - LISTED));
    }
    Some(format!(
        "{} file(s) not reported: only coverage.py raw data (.coverage) measured them, which \
         says what ran but not which lines are statements, so their numbers are unknown: {}. \
         They are left out of the table and the total; pass --python PATH (or set python in \
         covmerge.toml) with coverage.py installed and the sources present to analyse them, or \
         add a coverage.py JSON or LCOV report of the same files",
        names.len(),
        list.join(", ")
    ))
}

/// The `--fail-under` verdict when some files' numbers are unknown: the
/// total leaves them out, so it cannot prove the threshold.
pub fn fail_under_refusal(unknown: &[String]) -> String {
    format!(
        "Coverage failure: the total leaves out {} file(s) whose numbers are unknown (raw \
         coverage.py data without analysis), so --fail-under cannot pass",
        unknown.len()
    )
}

/// `record --python`: analyse the worker's raw data where it ran, with
/// the worker's own coverage.py configuration (coverage.py finds it in
/// `root`, or through `$COVERAGE_RCFILE`). Returns warnings for files that
/// could not be analysed (they stay unknown for combine to try).
pub fn resolve_for_worker(
    data: &mut CoverageData,
    python: &Path,
    root: &str,
) -> Result<Vec<String>> {
    if !data.files.values().any(|f| f.statements_unknown) {
        return Ok(Vec::new());
    }
    let dir = if Path::new(root).is_dir() {
        PathBuf::from(root)
    } else {
        std::env::current_dir().map_err(|e| Error::io(".", e))?
    };
    let interp = Interpreter {
        python: python.to_path_buf(),
        rcfile: None,
        find_config: true,
        dir,
        timeout: timeout()?,
    };
    let resolved = resolve(data, &interp)?;
    let mut warnings = Vec::new();
    skipped_warnings(&resolved, &mut |w| warnings.push(w.to_string()));
    Ok(warnings)
}

/// One warning per file not analysed, the first few only: a wrong
/// directory would otherwise print one line per file of the project.
fn skipped_warnings(resolved: &Resolved, warn: &mut dyn FnMut(&str)) {
    const SHOWN: usize = 10;
    for (name, why) in resolved.skipped.iter().take(SHOWN) {
        warn(&format!("{}: not analysed: {why}", shown(name)));
    }
    if resolved.skipped.len() > SHOWN {
        warn(&format!(
            "and {} more files not analysed",
            resolved.skipped.len() - SHOWN
        ));
    }
}

/// `combine`/`report`: analyse the files that are still unknown with
/// `python` (when given), in the current directory, with coverage.py's
/// configuration file `rcfile` (as covmerge found it). Files that cannot be
/// analysed (no source, a different source) are named through `warn` and
/// stay unknown.
pub fn resolve_for_combine(
    data: &mut CoverageData,
    python: Option<&Path>,
    rcfile: Option<&Path>,
    verbose: bool,
    warn: &mut dyn FnMut(&str),
) -> Result<()> {
    let Some(python) = python else {
        return Ok(());
    };
    if !data.files.values().any(|f| f.statements_unknown) {
        return Ok(());
    }
    let dir = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let interp = Interpreter {
        python: python.to_path_buf(),
        rcfile: rcfile.map(Path::to_path_buf),
        find_config: false,
        dir,
        timeout: timeout()?,
    };
    let start = Instant::now();
    let resolved = resolve(data, &interp)?;
    skipped_warnings(&resolved, warn);
    if verbose {
        eprintln!(
            "covmerge: coverage.py {} analysed {} raw file(s) in {:.2} s",
            resolved.coverage_version.as_deref().unwrap_or("?"),
            resolved.analysed,
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Text from an input (a file name) as it may reach a terminal: control
/// characters escaped.
pub fn shown(text: impl AsRef<Path>) -> String {
    let text = text.as_ref().to_string_lossy();
    if !text.chars().any(char::is_control) {
        return text.into_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The request for one group: each file's measured lines and arcs, under
/// the absolute path the interpreter reads the source from.
fn request(
    data: &CoverageData,
    chunk: &[(String, PathBuf)],
    branch: bool,
    interp: &Interpreter,
) -> Vec<u8> {
    let files: Vec<serde_json::Value> = chunk
        .iter()
        .map(|(name, path)| {
            let file = &data.files[name];
            let lines: Vec<u32> = file.lines.keys().copied().collect();
            let mut arcs: Vec<(i64, i64)> =
                file.arcs.keys().map(|k| (i64::from(k.0), k.1)).collect();
            // The raw reader keeps only arcs that start on a line; a line
            // reached only by entering a code object is given an entry arc
            // again, so that coverage.py sees it executed.
            let mut ends = std::collections::BTreeSet::new();
            for (a, b) in &arcs {
                ends.insert(*a);
                ends.insert(*b);
            }
            for line in &lines {
                let l = i64::from(*line);
                if !ends.contains(&l) {
                    arcs.push((-l, l));
                }
            }
            serde_json::json!({
                "path": path.to_string_lossy(),
                "lines": lines,
                "arcs": arcs,
            })
        })
        .collect();
    let rcfile = match &interp.rcfile {
        Some(p) => serde_json::Value::String(absolute(p).to_string_lossy().into_owned()),
        None => serde_json::Value::Bool(interp.find_config),
    };
    serde_json::to_vec(&serde_json::json!({
        "branch": branch,
        "rcfile": rcfile,
        "files": files,
    }))
    .expect("a JSON value serialises")
}

/// The analysis of one request: coverage.py's version, and each file it
/// analysed (keyed by the path asked) as covmerge's reader of coverage.py
/// JSON reports reads it.
struct Answer {
    version: String,
    files: std::collections::BTreeMap<String, FileCoverage>,
}

/// Run the script once with `request` on stdin: bounded time, bounded
/// output, the child killed on timeout.
fn call(interp: &Interpreter, request: &[u8]) -> Result<Answer> {
    let python = shown(&interp.python);
    let bounds = crate::child::Bounds {
        timeout: interp.timeout,
        stdout: MAX_OUTPUT,
        stderr: 64 << 10,
        linger: Duration::from_secs(3),
    };
    let mut command = Command::new(&interp.python);
    command.arg("-c").arg(SCRIPT).current_dir(&interp.dir);
    let finished = crate::child::run(&mut command, Some(request.to_vec()), bounds)
        .map_err(|e| Error::Other(format!("--python {python}: cannot run it: {e}")))?;
    let failed = |why: String| Error::Other(format!("--python {python}: {why}"));
    let (status, out, err) = match finished {
        Finished::Exited {
            status,
            stdout,
            stderr,
        } => (status, stdout, stderr),
        Finished::TooMuchOutput => {
            return Err(failed(format!(
                "the analysis printed more than {} MiB; killed",
                MAX_OUTPUT >> 20
            )))
        }
        Finished::TimedOut => {
            return Err(failed(format!(
                "coverage.py's analysis did not finish within {} s; killed \
                 (COVMERGE_PYTHON_TIMEOUT sets the limit)",
                interp.timeout.as_secs_f64()
            )))
        }
        Finished::OutputHeldOpen => {
            return Err(failed(
                "the analysis exited but its output did not end (a process it started holds \
                 it open)"
                    .into(),
            ))
        }
    };
    if !status.success() {
        let err = String::from_utf8_lossy(&err);
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let hint = if last.contains("No module named 'coverage'") {
            " (install coverage.py into that interpreter's environment)"
        } else {
            ""
        };
        return Err(failed(format!(
            "coverage.py's analysis failed ({status}): {}{hint}",
            shown(last)
        )));
    }
    parse_answer(&out, &interp.python).map_err(|why| {
        failed(format!(
            "unexpected output from coverage.py's analysis: {why}"
        ))
    })
}

/// The analysis script's answer, a coverage.py JSON report, read in one
/// pass by covmerge's reader of those (no JSON tree, no copy per file).
fn parse_answer(out: &[u8], python: &Path) -> std::result::Result<Answer, String> {
    let label = PathBuf::from(format!("{} (coverage.py analysis)", python.display()));
    let parsed = crate::formats::parse(&label, out).map_err(|e| e.to_string())?;
    if parsed.format != "coverage.py json" {
        return Err(format!(
            "read as {}, not a coverage.py JSON report",
            parsed.format
        ));
    }
    let version = (parsed.data.sources.iter())
        .find_map(|s| s.producer.as_deref()?.strip_prefix("coverage.py "))
        .ok_or("no coverage version")?
        .to_string();
    Ok(Answer {
        version,
        files: parsed.data.files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_files_are_named_with_the_fix() {
        let note = unknown_note(&["b\x1b.py".to_string()]).unwrap();
        assert!(note.contains("b\\u{1b}.py"), "{note}");
        assert!(note.contains("--python"), "{note}");
        assert_eq!(unknown_note(&[]), None);
    }

    #[test]
    fn a_missing_interpreter_is_an_error_naming_it() {
        let mut data = CoverageData::default();
        let raw = FileCoverage {
            statements_unknown: true,
            ..Default::default()
        };
        data.files.insert("src/pyanalysis.rs".into(), raw);
        let interp = Interpreter {
            python: PathBuf::from("/nonexistent/python"),
            rcfile: None,
            find_config: false,
            dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            timeout: DEFAULT_TIMEOUT,
        };
        let e = resolve(&mut data, &interp).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/python"), "{e}");
        assert!(data.files["src/pyanalysis.rs"].statements_unknown);
    }
}
