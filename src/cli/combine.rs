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
use std::path::{Path, PathBuf};

use clap::Args;

use super::{exit, print_error, print_warning, Verbosity};
use crate::combine::{combine_files, CombineOptions, Combined, InputStatus};
use crate::config::{
    load_coverage_config, load_covmerge_config, process_env, CoverageConfig, CovmergeConfig,
};
use crate::error::{Error, Result};
use crate::export::{write_report, ExportContext, ReportRequest};
use crate::filter::FileFilter;
use crate::manifest::ManifestInfo;
use crate::paths::{read_paths_config, PathAliases, PathMapper};
use crate::report::groups::{self, GroupTableFormat};
use crate::report::header::{self, HeaderStyle};
use crate::report::{check_fail_under, parse_fail_under, ReportOptions, Table, TableFormat};

pub const AFTER_HELP: &str = "\
Examples:
  covmerge combine                                  # everything under covmerge-data/ (or data_dir)
  covmerge combine 'artifacts/*/' -m --fail-under 80
  covmerge combine --rcfile ci/.coveragerc reports/ # [paths], [report] settings from that file
  covmerge combine --omit 'tests/*,*/conftest.py' --sort=-cover
  covmerge combine --report xml --report json:cov.json --report github
  covmerge combine --by-platform                    # cover per platform (each mode)
  covmerge combine --platform-diff                  # what only some platforms cover
  covmerge combine shards/ -o all.covmerge.json     # write the combined data for a later combine

Configuration: coverage.py's file is found as coverage.py finds it (--rcfile, $COVERAGE_RCFILE,
.coveragerc, .coveragerc.toml, setup.cfg, tox.ini, pyproject.toml); covmerge's own settings come
from covmerge.toml or [tool.covmerge] in pyproject.toml. Command-line options win; --no-config
reads neither file.";

#[derive(Args, Debug)]
pub struct CombineArgs {
    /// Data directories (searched recursively), files or glob patterns [default: data_dir, or covmerge-data]
    pub inputs: Vec<String>,
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
    pub output: Option<PathBuf>,
    pub manifest: Option<PathBuf>,
    pub expect_workers: Option<usize>,
    pub expect_platforms: Vec<String>,
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
    /// Table format: text, markdown or total (--by-platform also: csv, json) [default: text]
    #[arg(long)]
    pub format: Option<String>,
    /// Platform header: default, pytest-cov or none [default: default for text, none otherwise]
    #[arg(long, value_name = "STYLE")]
    pub header: Option<String>,
    /// Width of the header lines [default: $COLUMNS, the terminal, or 80]
    #[arg(long)]
    pub width: Option<usize>,
    /// Also write a report (repeatable): json, lcov, xml, csv, markdown or github, optionally :PATH
    /// [default paths: coverage.json, coverage.lcov, coverage.xml, coverage.csv, coverage.md;
    /// github appends to $GITHUB_STEP_SUMMARY, else PATH or stdout; PATH - is stdout]
    #[arg(long = "report", value_name = "KIND[:PATH]")]
    pub reports: Vec<String>,
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
    /// Explain on stderr how every input path was mapped
    #[arg(long)]
    pub debug_paths: bool,
    #[command(flatten)]
    pub verbosity: Verbosity,
}

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

/// Both configuration files, or defaults with `--no-config`.
fn load_configs(args: &CommonArgs) -> Result<(CoverageConfig, CovmergeConfig)> {
    if args.no_config {
        return Ok(Default::default());
    }
    let here = Path::new(".");
    let warn = &mut |w: String| print_warning(&w);
    let coverage = load_coverage_config(here, args.rcfile.as_deref(), &process_env, warn)?;
    let own = load_covmerge_config(here, warn)?;
    Ok((coverage, own))
}

fn mapper(args: &CommonArgs, config: &CoverageConfig) -> Result<PathMapper> {
    let mut entries = match &args.paths {
        Some(file) => read_paths_config(file)?,
        None => config.paths.clone(),
    };
    for (i, map) in args.maps.iter().enumerate() {
        let (pattern, canonical) = map
            .rsplit_once('=')
            .ok_or_else(|| Error::Usage(format!("--map {map:?}: expected PATTERN=CANONICAL")))?;
        entries.push((
            format!("--map #{}", i + 1),
            vec![canonical.to_string(), pattern.to_string()],
        ));
    }
    Ok(PathMapper::new(PathAliases::from_entries(&entries)?))
}

/// The command line over the configuration files over the defaults.
fn report_options(
    args: &CommonArgs,
    config: &CoverageConfig,
    cwd: &str,
    format_text: Option<&str>,
) -> Result<(ReportOptions, Option<f64>)> {
    let rep = &config.report;
    let format = match format_text.or(rep.format.as_deref()) {
        Some(text) => TableFormat::parse(text)?,
        None => TableFormat::Text,
    };
    let pick = |flag: &Vec<String>, file: &Option<Vec<String>>| -> Vec<String> {
        let flag: Vec<String> = flag.iter().filter(|p| !p.is_empty()).cloned().collect();
        if flag.is_empty() {
            file.clone().unwrap_or_default()
        } else {
            flag
        }
    };
    let include = pick(&args.include, &rep.include);
    let omit = pick(&args.omit, &rep.omit);
    let fail_under = match &args.fail_under {
        Some(text) => Some(parse_fail_under(text)?),
        None => rep.fail_under,
    };
    let options = ReportOptions {
        format,
        show_missing: args.show_missing || rep.show_missing.unwrap_or(false),
        precision: args.precision.or(rep.precision).unwrap_or(0),
        skip_covered: if args.no_skip_covered {
            false
        } else {
            args.skip_covered || rep.skip_covered.unwrap_or(false)
        },
        skip_empty: args.skip_empty || rep.skip_empty.unwrap_or(false),
        sort: args.sort.clone().or_else(|| rep.sort.clone()),
        filter: FileFilter::new(&include, &omit, cwd, config.relative_files).map_err(|e| {
            // Say where the bad pattern came from: the flag or the file.
            let key = if FileFilter::new(&include, &[], cwd, false).is_err() {
                "include"
            } else {
                "omit"
            };
            let from_flag = if key == "include" {
                !args.include.is_empty()
            } else {
                !args.omit.is_empty()
            };
            match (&config.file, from_flag) {
                (Some(file), false) => {
                    Error::Usage(format!("{}: [report] {key}: {e}", file.display()))
                }
                _ => Error::Usage(format!("--{key}: {e}")),
            }
        })?,
    };
    Ok((options, fail_under))
}

/// Combine `inputs`, print the table (or a per-platform view), write the
/// `--report`s and, with `output`, the combined data file. Shared by
/// `combine` and `report`.
pub fn execute(inputs: &[String], args: &CommonArgs, extras: &CombineExtras) -> Result<i32> {
    let output = extras.output.as_deref();
    let verbose = args.verbosity.verbose;
    let quiet = args.verbosity.quiet;
    let (config, own) = load_configs(args)?;
    if verbose {
        match &config.file {
            Some(f) => eprintln!("covmerge: coverage.py settings from {}", f.display()),
            None if !args.no_config => eprintln!("covmerge: no coverage.py configuration file"),
            None => {}
        }
        if let Some(f) = &own.file {
            eprintln!("covmerge: covmerge settings from {}", f.display());
        }
    }
    let view = args.by_platform || args.platform_diff || args.only_on.is_some();
    let dimension = crate::attribution::Dimension::parse(&args.by)?;
    let group_format = match args.format.as_deref() {
        Some("csv") if args.by_platform => GroupTableFormat::Csv,
        Some("json") if args.by_platform => GroupTableFormat::Json,
        Some("markdown") => GroupTableFormat::Markdown,
        _ => GroupTableFormat::Text,
    };
    let format_text = match args.format.as_deref() {
        Some("csv" | "json") if args.by_platform => Some("text"),
        other => other,
    };
    // The command line's --report, else covmerge's `exports` setting.
    let report_kinds = if args.reports.is_empty() {
        &own.exports
    } else {
        &args.reports
    };
    let requests = report_kinds
        .iter()
        .map(|r| ReportRequest::parse(r))
        .collect::<Result<Vec<_>>>()?;
    // Likewise --expect-workers / --expect-platforms over the settings.
    use crate::config::Expected;
    let expect_workers = extras.expect_workers.or(match &own.expect_workers {
        Some(Expected::Count(n)) => Some(*n),
        Some(Expected::Names(names)) => Some(names.len()),
        None => None,
    });
    let (expect_platforms, expect_platform_count) = match &own.expect_platforms {
        _ if !extras.expect_platforms.is_empty() => (extras.expect_platforms.clone(), None),
        Some(Expected::Names(names)) => (names.clone(), None),
        Some(Expected::Count(n)) => (Vec::new(), Some(*n)),
        None => (Vec::new(), None),
    };
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.to_str().map(crate::paths::normalize))
        .unwrap_or_default();
    let (report_options, fail_under) = report_options(args, &config, &cwd, format_text)?;
    let format = report_options.format;
    let style = match args.header.as_deref() {
        Some(text) => HeaderStyle::parse(text).ok_or_else(|| {
            Error::Usage(format!(
                "--header {text:?}: expected default, pytest-cov or none"
            ))
        })?,
        None => match own.header {
            Some(style) => style,
            None if format == TableFormat::Text => HeaderStyle::Default,
            None => HeaderStyle::None,
        },
    };
    let mapper = mapper(args, &config)?;
    if args.debug_paths {
        // As coverage.py's --debug=pathmap: the rules first, then each mapping.
        for rule in mapper.aliases.describe() {
            print_warning(&format!("paths {rule}"));
        }
    }
    let options = CombineOptions {
        mapper,
        strict: args.strict,
        debug_paths: args.debug_paths,
        // Attribution costs time and memory: keep it when a view needs it,
        // or when writing a combined file that later combines may need.
        attribution: (view || output.is_some()).then(|| dimension.clone()),
        content_hashes: extras.manifest.is_some(),
    };

    let inputs = if inputs.is_empty() {
        let dir = own
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("covmerge-data"));
        vec![dir.to_string_lossy().into_owned()]
    } else {
        inputs.to_vec()
    };
    let found = crate::discover::find(&inputs)?;
    for leftover in &found.leftovers {
        print_warning(&format!(
            "{}: temporary file left by an interrupted writer; ignored",
            leftover.display()
        ));
    }
    let inputs = found.inputs;
    if inputs.is_empty() {
        println!("No data to combine");
        return Ok(exit::ERROR);
    }
    let combined = combine_files(&inputs, &options, &mut |w| print_warning(w))?;
    if verbose {
        for input in &combined.inputs {
            let what = match &input.status {
                InputStatus::Used => format!("used ({})", input.format.unwrap_or("?")),
                InputStatus::Duplicate { of } => format!("duplicate of {}", of.display()),
                InputStatus::Rejected { reason } => format!("rejected: {reason}"),
            };
            eprintln!("covmerge: {}: {what}", input.path.display());
        }
    }
    if !quiet {
        eprintln!("{}", combined.summary());
    }
    let write_manifest = |deleted: &[PathBuf], failure: Option<&str>| -> Result<()> {
        if let Some(path) = &extras.manifest {
            let info = ManifestInfo {
                output,
                leftovers: &found.leftovers,
                deleted,
                expectation_failure: failure,
            };
            let text = crate::manifest::render(&combined, &info);
            crate::output::write_atomic(path, text.as_bytes())?;
        }
        Ok(())
    };
    if combined.count(|s| *s == InputStatus::Used) == 0 {
        write_manifest(&[], Some("no usable data files"))?;
        println!("No usable data files");
        return Ok(exit::ERROR);
    }
    let mut expectation_failed = false;
    let checked = crate::manifest::check_expectations(&combined, expect_workers, &expect_platforms)
        .and_then(|()| match expect_platform_count {
            Some(n) if combined.data.platforms().len() < n => Err(format!(
                "expected data from {n} platforms (expect_platforms), but only {} contributed: {}",
                combined.data.platforms().len(),
                combined.data.platforms().join("; ")
            )),
            _ => Ok(()),
        });
    if let Err(text) = checked {
        write_manifest(&[], Some(&text))?;
        print_error(&text);
        // A per-platform view still shows what did arrive, with the
        // missing platforms listed, and then fails.
        if !view {
            return Ok(exit::ERROR);
        }
        expectation_failed = true;
    }
    let missing_platforms = crate::manifest::missing_platforms(&combined, &expect_platforms);
    let mut deleted = Vec::new();
    if let Some(out) = output {
        // Like record's data directory: `-o shards/job-3.covmerge.json`
        // should not need a mkdir first.
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let text = crate::formats::native::to_string(&combined.data);
        // Synced and renamed into place: durable before any input goes.
        crate::output::write_atomic(out, text.as_bytes())?;
        if extras.delete_inputs {
            deleted = delete_inputs(&combined, out);
        }
    }
    write_manifest(&deleted, None)?;

    let table = Table::build(&combined.data, &report_options)?;
    if table.is_empty() {
        println!("No data to report.");
        return Ok(exit::ERROR);
    }
    let ctx = ExportContext::new(&combined.data, report_options.clone());
    let github_summary = std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    for request in &requests {
        let written = write_report(&combined.data, &ctx, request, github_summary.as_deref())?;
        if let Some(note) = written.note() {
            if !quiet {
                eprintln!("{note}");
            }
        }
    }
    let width = header::resolve_width(args.width.or(own.width));
    let mut out = header::render(&combined.data.platforms(), style, width);
    if view {
        if let Some(why) = groups::not_meaningful(&combined.data, &dimension.name()) {
            out.push_str(&why);
        } else if args.by_platform {
            out.push_str(&groups::table(
                &combined.data,
                report_options.precision,
                group_format,
                width,
                &missing_platforms,
            )?);
        } else {
            out.push_str(&groups::diff(
                &combined.data,
                args.only_on.as_deref(),
                &missing_platforms,
            )?);
        }
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(out.as_bytes());
        let _ = stdout.flush();
        return Ok(if expectation_failed {
            exit::ERROR
        } else {
            exit::OK
        });
    }
    out.push_str(&table.render(format));
    let mut code = exit::OK;
    // As coverage.py: the report first, then the fail-under verdict (or
    // the error about an impossible fail_under).
    let verdict =
        fail_under.map(|min| check_fail_under(&table.total, min, report_options.precision));
    if let Some(Ok(verdict)) = &verdict {
        if verdict.failed {
            out.push_str(&verdict.message);
            out.push('\n');
            code = exit::FAIL_UNDER;
        }
    }
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    if let Some(Err(e)) = verdict {
        return Err(e);
    }
    Ok(code)
}

/// Delete the inputs that went into `output` (used ones and duplicates of
/// them, as `coverage combine` does), never a rejected input and never
/// `output` itself. Failures are warnings: the combined data is safe.
fn delete_inputs(combined: &Combined, output: &Path) -> Vec<PathBuf> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    let mut deleted = Vec::new();
    for input in &combined.inputs {
        if matches!(input.status, InputStatus::Rejected { .. }) || same(&input.path, output) {
            continue;
        }
        match std::fs::remove_file(&input.path) {
            Ok(()) => deleted.push(input.path.clone()),
            Err(e) => print_warning(&format!("{}: could not delete: {e}", input.path.display())),
        }
    }
    deleted
}
