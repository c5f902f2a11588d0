//! `covmerge combine [DIR|FILE|GLOB ...]`
//!
//! Examples:
//!   covmerge combine                       # everything under covmerge-data/
//!   covmerge combine 'artifacts/*/' -m --fail-under 80
//!   covmerge combine --rcfile ci/coveragerc --header pytest-cov reports/
//!   covmerge combine --report xml --report json:cov.json --report github
//!
//! Settings come from, in order of precedence: the command line, the
//! coverage.py configuration file (`--rcfile`, `.coveragerc`, `setup.cfg`,
//! `tox.ini`, `pyproject.toml`: see `crate::config`), covmerge's own file
//! (`covmerge.toml` or `[tool.covmerge]`), then the defaults.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::progress::Progress;
use super::settings::{Expectations, Settings, View};
use super::{exit, print_error, print_warning, Verbosity};
use crate::analysis::Selection;
use crate::combine::{combine_files, Combined, InputStatus};
use crate::error::{Error, Result};
use crate::export::{write_report, ExportContext};
use crate::manifest::ManifestInfo;
use crate::report::groups;
use crate::report::header;
use crate::report::{check_fail_under, Table, TableFormat};

/// The examples at the end of `covmerge combine --help`.
pub const AFTER_HELP: &str = "\
Examples:
  covmerge combine                                  # everything under covmerge-data/ (or data_dir)
  covmerge combine 'artifacts/*/' -m --fail-under 80
  covmerge combine --rcfile ci/.coveragerc reports/ # [paths], [report] settings from that file
  covmerge combine --omit 'tests/*,*/conftest.py' --sort=-cover
  covmerge combine --report xml --report json:cov.json --report github
  covmerge combine --format summary -m artifacts/   # lines, functions, branches apart (lcov, gcovr, go style)
  covmerge combine --by-platform                    # cover per platform (each mode)
  covmerge combine --platform-diff                  # what only some platforms cover
  covmerge combine shards/ -o all.covmerge.json     # write the combined data for a later combine

Configuration: coverage.py's file is found as coverage.py finds it (--rcfile, $COVERAGE_RCFILE,
.coveragerc, .coveragerc.toml, setup.cfg, tox.ini, pyproject.toml); covmerge's own settings come
from covmerge.toml or [tool.covmerge] in pyproject.toml. Command-line options win; --no-config
reads neither file.";

/// `covmerge combine`'s arguments.
#[derive(Args, Debug)]
pub struct CombineArgs {
    /// Data directories (searched recursively), files or glob patterns [default: data_dir, or covmerge-data]
    pub inputs: Vec<String>,
    /// The options `combine` shares with `report`.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Also write the combined data as a covmerge data file (before include/omit)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write a JSON manifest of every input found: hash, worker, status, contribution
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Fail (exit 1) unless at least N distinct workers contributed data
    #[arg(long, value_name = "N")]
    pub expect_workers: Option<usize>,
    /// Fail (exit 1) unless every listed platform contributed (comma-separated
    /// descriptions or slugs, e.g. "platform linux, python 3.12.1-final-0,win32-py3.13.0"; repeatable)
    #[arg(long, value_name = "LIST")]
    pub expect_platforms: Vec<String>,
    /// After the -o file is durably written, delete the inputs that were combined
    /// (used or duplicate; never rejected ones)
    #[arg(long, requires = "output")]
    pub delete_inputs: bool,
}

/// The options only `combine` has, beyond writing `-o`.
#[derive(Debug, Default)]
pub struct CombineExtras {
    /// `-o`: the combined data file.
    pub output: Option<PathBuf>,
    /// `--manifest`.
    pub manifest: Option<PathBuf>,
    /// `--expect-workers`.
    pub expect_workers: Option<usize>,
    /// `--expect-platforms`, split into descriptions or slugs.
    pub expect_platforms: Vec<String>,
    /// `--delete-inputs`.
    pub delete_inputs: bool,
}

/// The options `combine` and `report` share.
#[derive(Args, Debug)]
pub struct CommonArgs {
    /// coverage.py configuration file to read instead of looking for one [default: $COVERAGE_RCFILE, .coveragerc, ...]
    #[arg(long, value_name = "FILE")]
    pub rcfile: Option<PathBuf>,
    /// Read no configuration file (neither coverage.py's nor covmerge's)
    #[arg(long, conflicts_with = "rcfile")]
    pub no_config: bool,
    /// Take the [paths] rules from this file instead (.coveragerc, setup.cfg, tox.ini, pyproject.toml)
    #[arg(long, value_name = "FILE")]
    pub paths: Option<PathBuf>,
    /// A [paths] rule PATTERN=CANONICAL (repeatable; applied after the file's rules)
    #[arg(long = "map", value_name = "PATTERN=CANONICAL")]
    pub maps: Vec<String>,
    /// Report only files matching these patterns (comma-separated, coverage.py globs)
    #[arg(long, value_name = "PAT,...", value_delimiter = ',')]
    pub include: Vec<String>,
    /// Leave out files matching these patterns (comma-separated, coverage.py globs)
    #[arg(long, value_name = "PAT,...", value_delimiter = ',')]
    pub omit: Vec<String>,
    /// Show line numbers of statements and branches that were not run
    #[arg(short = 'm', long)]
    pub show_missing: bool,
    /// Number of digits after the decimal point in percentages [default: 0]
    #[arg(long)]
    pub precision: Option<usize>,
    /// Skip files with 100% coverage
    #[arg(long)]
    pub skip_covered: bool,
    /// Do not skip files with 100% coverage (overrides the configuration file)
    #[arg(long, conflicts_with = "skip_covered")]
    pub no_skip_covered: bool,
    /// Skip files with no code
    #[arg(long)]
    pub skip_empty: bool,
    /// Sort by name, stmts, miss, branch, brpart or cover; prefix - to reverse
    #[arg(long, allow_hyphen_values = true, value_name = "COLUMN")]
    pub sort: Option<String>,
    /// Exit with status 2 if the total coverage is less than MIN
    #[arg(long, value_name = "MIN", allow_hyphen_values = true)]
    pub fail_under: Option<String>,
    /// Table format: text, markdown, total or summary (lines, functions, branches apart; --by-platform also: csv, json) [default: text]
    #[arg(long)]
    pub format: Option<String>,
    /// Platform header: default, pytest-cov or none [default: default for text, none otherwise]
    #[arg(long, value_name = "STYLE")]
    pub header: Option<String>,
    /// Width of the header lines [default: $COLUMNS, the terminal, or 80]
    #[arg(long)]
    pub width: Option<usize>,
    /// Also write a report (repeatable): json, lcov, xml, csv, markdown, github, html or summary, optionally :PATH
    /// [default paths: coverage.json, coverage.lcov, coverage.xml, coverage.csv, coverage.md, htmlcov/, coverage-summary.json;
    /// github appends to $GITHUB_STEP_SUMMARY, else PATH or stdout; PATH - is stdout]
    #[arg(long = "report", value_name = "KIND[:PATH]")]
    pub reports: Vec<String>,
    /// Where Python sources are read (file names as mapped): the HTML report, raw .coverage lines inside multi-line statements, LCOV function ends [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub source_root: Option<PathBuf>,
    /// Instead of the table: one row per file with the cover of each platform (see --by) and of the union
    #[arg(long)]
    pub by_platform: bool,
    /// Instead of the table: lines and branches covered on some platforms but not all
    #[arg(long)]
    pub platform_diff: bool,
    /// Instead of the table: what only this platform (full or short name) covers
    #[arg(long, value_name = "PLATFORM")]
    pub only_on: Option<String>,
    /// What --by-platform, --platform-diff and --only-on group by: platform, worker or label:KEY
    #[arg(long, value_name = "DIMENSION", default_value = "platform")]
    pub by: String,
    /// Treat unreadable inputs and reader warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Interpreter whose coverage.py analyses raw .coverage data (sources must be present) [default: python in covmerge.toml]
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Explain on stderr how every input path was mapped
    #[arg(long)]
    pub debug_paths: bool,
    /// `-q` / `-v`.
    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// Run `covmerge combine`; returns the exit status.
pub fn run(args: CombineArgs) -> i32 {
    let extras = CombineExtras {
        output: args.output,
        manifest: args.manifest,
        expect_workers: args.expect_workers,
        expect_platforms: crate::manifest::parse_platform_list(&args.expect_platforms),
        delete_inputs: args.delete_inputs,
    };
    match execute(&args.inputs, &args.common, &extras) {
        Ok(code) => code,
        Err(e) => {
            print_error(&e);
            exit::ERROR
        }
    }
}

/// Combine `inputs`, print the table (or a per-platform view), write the
/// `--report`s and, with `-o`, the combined data file. Shared by `combine`
/// and `report`.
pub fn execute(inputs: &[String], args: &CommonArgs, extras: &CombineExtras) -> Result<i32> {
    let settings = Settings::resolve(inputs, args, extras)?;
    let verbosity = args.verbosity;
    if verbosity.verbose {
        say_config_files(&settings, args.no_config);
    }
    if settings.combine.debug_paths {
        // As coverage.py's --debug=pathmap: the rules first, then each mapping.
        for rule in settings.combine.mapper.aliases.describe() {
            super::print_debug(&format!("paths {rule}"));
        }
    }
    // Held until the run ends: no other combine writes this -o meanwhile.
    let lock = extras
        .output
        .as_deref()
        .map(crate::guard::OutputLock::acquire)
        .transpose()?;
    let found = find_inputs(&settings, extras, verbosity)?;
    if let (Some(out), true) = (extras.output.as_deref(), extras.delete_inputs) {
        crate::guard::check_output_is_read(out, &found.inputs)?;
    }
    if found.inputs.is_empty() {
        println!("No data to combine");
        return Ok(exit::ERROR);
    }
    let mut combined = gather(&found, &settings, extras, verbosity)?;
    let outputs = Outputs {
        extras,
        leftovers: &found.leftovers,
        combined: &combined,
        lock: lock.as_ref(),
    };
    if combined.count(|s| *s == InputStatus::Used) == 0 {
        outputs.manifest(&[], Some("no usable data files"))?;
        println!("No usable data files");
        return Ok(exit::ERROR);
    }
    let unmet = check_expectations(&combined, &settings.expect);
    if let Err(text) = &unmet {
        outputs.manifest(&[], Some(text))?;
        print_error(text);
        // A per-platform view still shows what did arrive, with the
        // missing platforms listed, and then fails.
        if settings.view.is_none() {
            return Ok(exit::ERROR);
        }
    }
    let deleted = outputs.combined_file()?;
    outputs.manifest(&deleted, None)?;
    // After -o (which keeps count-only branch records for later merges):
    // one branch identity per line, by the rules of docs/BRANCHES.md.
    for w in
        crate::model::branches::warnings(&combined.data.resolve_branches(), &combined.branch_inputs)
    {
        print_warning(&w);
    }
    // The exact data is written; what follows is for people and logs.
    crate::sanitize::for_display(&mut combined.data);
    // The files to report and their numbers, chosen once for the table,
    // every export and every view.
    let selection = Selection::new(&combined.data, &settings.report.filter);
    let code = report(&combined, &selection, &settings, verbosity);
    // The process ends next. Freeing the model and the analysis node by
    // node took 2% of an LCOV combine's instructions, all on one core
    // after the parallel part; the memory goes back with the process.
    std::mem::forget(selection);
    std::mem::forget(combined);
    let code = code?;
    Ok(if unmet.is_err() { exit::ERROR } else { code })
}

/// Find the inputs, say what was left behind or passed over, and refuse
/// outputs that would replace another output or an input.
fn find_inputs(
    settings: &Settings,
    extras: &CombineExtras,
    verbosity: Verbosity,
) -> Result<crate::discover::Found> {
    let found = crate::discover::find(&settings.inputs)?;
    for leftover in &found.leftovers {
        print_warning(&format!(
            "{}: temporary file left by an interrupted writer; ignored",
            leftover.display()
        ));
    }
    if let Some(note) = crate::discover::passed_over_note(&found.passed_over) {
        // Not a warning: most directories hold other files. Shown unless -q,
        // and always when nothing else was found.
        if !verbosity.quiet || found.inputs.is_empty() {
            eprintln!("covmerge: {note}");
        }
    }
    let planned = crate::guard::planned_outputs(
        extras.output.as_deref(),
        extras.manifest.as_deref(),
        &settings.exports,
    );
    crate::guard::check_outputs(&planned, &found.inputs)?;
    Ok(found)
}

/// Read and union the inputs (with a progress line), then have raw
/// coverage.py data analysed when an interpreter was given. A failed
/// combine (`--strict`) still writes the manifest.
fn gather(
    found: &crate::discover::Found,
    settings: &Settings,
    extras: &CombineExtras,
    verbosity: Verbosity,
) -> Result<Combined> {
    let progress = Progress::start(settings.combine.progress.clone(), found.inputs.len());
    let combined = combine_files(&found.inputs, &settings.combine, &mut |w| {
        progress.finish();
        super::print_warning_or_debug(w)
    });
    progress.finish();
    // Raw data put onto statements without the source: said once.
    let combined = combined.and_then(|c| {
        let strict = settings.combine.strict;
        (settings.combine.sources).warn_approximate(&c.data, strict, &mut |w| print_warning(w))?;
        Ok(c)
    });
    let mut combined = crate::manifest::on_failure(
        combined,
        extras.manifest.as_deref(),
        &found.inputs,
        &found.leftovers,
        extras.output.as_deref(),
    )?;
    crate::pyanalysis::resolve_for_combine(
        &mut combined.data,
        settings.python.as_deref(),
        settings.config_file.as_deref(),
        verbosity.verbose,
        &mut |w| print_warning(w),
    )?;
    say_inputs(&combined, verbosity);
    Ok(combined)
}

/// Select once, write the exports, print the header and the table (or the
/// view, or the summary) and the fail-under verdict; the exit status.
fn report(
    combined: &Combined,
    selection: &Selection,
    settings: &Settings,
    verbosity: Verbosity,
) -> Result<i32> {
    if let Some(note) = crate::pyanalysis::unknown_note(&selection.unknown) {
        if settings.combine.strict {
            return Err(Error::Other(format!("{note} (--strict)")));
        }
        print_warning(&note);
    }
    let table = Table::build(selection, &settings.report)?;
    if table.is_empty() {
        println!("No data to report.");
        return Ok(exit::ERROR);
    }
    write_exports(selection, settings, verbosity)?;
    let mut out = header::render(&combined.data.platforms(), settings.header, settings.width);
    if let Some(view) = &settings.view {
        let missing = crate::manifest::missing_platforms(combined, &settings.expect.platforms);
        out.push_str(&render_view(selection, settings, view, &missing)?);
        print_stdout(&out);
        return Ok(exit::OK);
    }
    if settings.report.format == TableFormat::Summary {
        let summary = crate::report::summary::Summary::build(selection, &settings.report);
        let precision = crate::report::summary::precision(settings.report.precision);
        out.push_str(&summary.render_text(precision));
    } else {
        out.push_str(&table.render(settings.report.format));
    }
    // As coverage.py: the report first, then the fail-under verdict (or
    // the error about an impossible fail_under).
    let verdict = settings
        .fail_under
        .map(|min| check_fail_under(&table.total, min, settings.report.precision))
        .transpose();
    let mut code = exit::OK;
    if let Ok(Some(verdict)) = &verdict {
        if verdict.failed {
            out.push_str(&verdict.message);
            out.push('\n');
            code = exit::FAIL_UNDER;
        } else if !selection.unknown.is_empty() {
            // A total that leaves files out cannot pass the gate.
            out.push_str(&crate::pyanalysis::fail_under_refusal(&selection.unknown));
            out.push('\n');
            code = exit::FAIL_UNDER;
        }
    }
    print_stdout(&out);
    verdict?;
    Ok(code)
}

/// `-v`: which configuration files counted.
fn say_config_files(settings: &Settings, no_config: bool) {
    match &settings.config_file {
        Some(f) => eprintln!("covmerge: coverage.py settings from {}", f.display()),
        None if !no_config => eprintln!("covmerge: no coverage.py configuration file"),
        None => {}
    }
    if let Some(f) = &settings.own_file {
        eprintln!("covmerge: covmerge settings from {}", f.display());
    }
}

/// `-v`: what happened to every input; then the summary line unless `-q`.
fn say_inputs(combined: &Combined, verbosity: Verbosity) {
    if verbosity.verbose {
        for input in &combined.inputs {
            let what = match &input.status {
                InputStatus::Used => format!("used ({})", input.format.unwrap_or("?")),
                InputStatus::Duplicate { of } => format!("duplicate of {}", of.display()),
                InputStatus::Rejected { reason } => format!("rejected: {reason}"),
            };
            let line = format!("covmerge: {}: {what}", input.path.display());
            eprintln!("{}", crate::sanitize::line(&line));
        }
    }
    if !verbosity.quiet {
        for note in &combined.notes {
            eprintln!("covmerge: {note}");
        }
        eprintln!("{}", crate::sanitize::line(&combined.summary()));
    }
}

/// `--expect-workers` / `--expect-platforms` (names or a count).
fn check_expectations(
    combined: &Combined,
    expect: &Expectations,
) -> std::result::Result<(), String> {
    crate::manifest::check_expectations(combined, expect.workers, &expect.platforms)?;
    let platforms = combined.data.platforms();
    match expect.platform_count {
        Some(n) if platforms.len() < n => Err(format!(
            "expected data from {n} platforms (expect_platforms), but only {} contributed: {}",
            platforms.len(),
            platforms.join("; ")
        )),
        _ => Ok(()),
    }
}

/// The files `combine` writes besides the table: `-o` and the manifest.
struct Outputs<'a> {
    extras: &'a CombineExtras,
    leftovers: &'a [PathBuf],
    combined: &'a Combined,
    /// The lock on `-o`, held since before the inputs were found.
    lock: Option<&'a crate::guard::OutputLock>,
}

impl Outputs<'_> {
    /// `--manifest`, with what was deleted and why the run failed, if it did.
    fn manifest(&self, deleted: &[PathBuf], failure: Option<&str>) -> Result<()> {
        let Some(path) = &self.extras.manifest else {
            return Ok(());
        };
        let info = ManifestInfo {
            output: self.extras.output.as_deref(),
            leftovers: self.leftovers,
            deleted,
            expectation_failure: failure,
        };
        let text = crate::manifest::render(self.combined, &info);
        crate::output::write_atomic(path, text.as_bytes())
    }

    /// `-o`: the combined data (unfiltered), synced and renamed into place
    /// under the lock, unless it would replace a rejected input or another
    /// writer changed it meanwhile; then `--delete-inputs` removes the
    /// inputs still as they were read. Returns what was deleted.
    fn combined_file(&self) -> Result<Vec<PathBuf>> {
        let (Some(out), Some(lock)) = (self.extras.output.as_deref(), self.lock) else {
            return Ok(Vec::new());
        };
        let text = crate::formats::native::to_string(&self.combined.data);
        let written = crate::guard::check_output_over_inputs(self.combined, out)
            .and_then(|()| lock.write(text.as_bytes()));
        if let Err(e) = written {
            self.manifest(&[], Some(&e.to_string()))?;
            return Err(e);
        }
        Ok(if self.extras.delete_inputs {
            crate::guard::delete_inputs(self.combined, out, &mut |w| print_warning(w))
        } else {
            Vec::new()
        })
    }
}

/// Every `--report`, with coverage.py's `Wrote ... report to ...` notes.
fn write_exports(selection: &Selection, settings: &Settings, verbosity: Verbosity) -> Result<()> {
    let mut ctx = ExportContext::new(selection.data, settings.report.clone());
    ctx.html = settings.html.clone();
    let github_summary = std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    for request in &settings.exports {
        let written = write_report(selection, &ctx, request, github_summary.as_deref())?;
        if let Some(note) = written.note() {
            if !verbosity.quiet {
                eprintln!("{note}");
            }
        }
    }
    Ok(())
}

/// `--by-platform`, `--platform-diff` or `--only-on`, or why the split
/// means nothing here.
fn render_view(
    selection: &Selection,
    settings: &Settings,
    view: &View,
    missing: &[String],
) -> Result<String> {
    if let Some(why) = groups::not_meaningful(selection.data, &settings.dimension.name()) {
        return Ok(why);
    }
    match view {
        View::Table(format) => groups::table(
            selection,
            settings.report.precision,
            *format,
            settings.width,
            missing,
        ),
        View::Diff(only_on) => groups::diff(selection, only_on.as_deref(), missing),
    }
}

/// Print to stdout; a closed pipe (`| head`) is not an error worth a message.
/// Nothing from an input reaches the terminal raw (`sanitize::block`).
fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(crate::sanitize::block(text).as_bytes());
    let _ = stdout.flush();
}
