//! `covmerge combine [DIR|FILE|GLOB ...]`
//!
//! Examples:
//!   covmerge combine                       # everything under covmerge-data/
//!   covmerge combine 'artifacts/*/' -m --fail-under 80
//!   covmerge combine --paths .coveragerc --header pytest-cov reports/
//!   covmerge combine --report xml --report json:cov.json --report github

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{exit, print_error, print_warning};
use crate::combine::{combine_files, CombineOptions, Combined, InputStatus};
use crate::error::{Error, Result};
use crate::export::{write_report, ExportContext, ReportRequest};
use crate::manifest::ManifestInfo;
use crate::paths::{read_paths_config, PathAliases, PathMapper};
use crate::report::header::{self, HeaderStyle};
use crate::report::{check_fail_under, ReportOptions, Table, TableFormat};

#[derive(Args, Debug)]
pub struct CombineArgs {
    /// Data directories (searched recursively), files or glob patterns
    #[arg(default_value = "covmerge-data")]
    pub inputs: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Also write the combined data as a covmerge data file
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
    /// A coverage.py config file whose [paths] section maps worker paths (.coveragerc, setup.cfg, tox.ini, pyproject.toml)
    #[arg(long, value_name = "FILE")]
    pub paths: Option<PathBuf>,
    /// A [paths] rule PATTERN=CANONICAL (repeatable; applied after --paths rules)
    #[arg(long = "map", value_name = "PATTERN=CANONICAL")]
    pub maps: Vec<String>,
    /// Show line numbers of statements and branches that were not run
    #[arg(short = 'm', long)]
    pub show_missing: bool,
    /// Number of digits after the decimal point in percentages
    #[arg(long, default_value_t = 0)]
    pub precision: usize,
    /// Skip files with 100% coverage
    #[arg(long)]
    pub skip_covered: bool,
    /// Skip files with no code
    #[arg(long)]
    pub skip_empty: bool,
    /// Sort by name, stmts, miss, branch, brpart or cover; prefix - to reverse
    #[arg(long, allow_hyphen_values = true, value_name = "COLUMN")]
    pub sort: Option<String>,
    /// Exit with status 2 if the total coverage is less than MIN
    #[arg(long, value_name = "MIN", allow_hyphen_values = true)]
    pub fail_under: Option<String>,
    /// Table format: text, markdown or total
    #[arg(long, default_value = "text")]
    pub format: String,
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
    /// Treat unreadable inputs and reader warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Explain on stderr how every input path was mapped
    #[arg(long)]
    pub debug_paths: bool,
    /// No summary line on stderr
    #[arg(short, long)]
    pub quiet: bool,
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

fn mapper(args: &CommonArgs) -> Result<PathMapper> {
    let mut entries = match &args.paths {
        Some(file) => read_paths_config(file)?,
        None => Vec::new(),
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

/// Combine `inputs`, print the table, write the `--report`s and, with
/// `output`, the combined data file. Shared by `combine` and `report`.
pub fn execute(inputs: &[String], args: &CommonArgs, extras: &CombineExtras) -> Result<i32> {
    let output = extras.output.as_deref();
    let requests = args
        .reports
        .iter()
        .map(|r| ReportRequest::parse(r))
        .collect::<Result<Vec<_>>>()?;
    let format = TableFormat::parse(&args.format)?;
    let style = match &args.header {
        Some(text) => HeaderStyle::parse(text).ok_or_else(|| {
            Error::Usage(format!(
                "--header {text:?}: expected default, pytest-cov or none"
            ))
        })?,
        None if format == TableFormat::Text => HeaderStyle::Default,
        None => HeaderStyle::None,
    };
    let options = CombineOptions {
        mapper: mapper(args)?,
        strict: args.strict,
        debug_paths: args.debug_paths,
    };
    let report_options = ReportOptions {
        format,
        show_missing: args.show_missing,
        precision: args.precision,
        skip_covered: args.skip_covered,
        skip_empty: args.skip_empty,
        sort: args.sort.clone(),
    };

    let found = crate::discover::find(inputs)?;
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
    if !args.quiet {
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
    if let Err(text) = crate::manifest::check_expectations(
        &combined,
        extras.expect_workers,
        &extras.expect_platforms,
    ) {
        write_manifest(&[], Some(&text))?;
        print_error(&text);
        return Ok(exit::ERROR);
    }
    let mut deleted = Vec::new();
    if let Some(out) = output {
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
            if !args.quiet {
                eprintln!("{note}");
            }
        }
    }
    let width = header::resolve_width(args.width);
    let mut out = header::render(&combined.data.platforms(), style, width);
    out.push_str(&table.render(format));
    let mut code = exit::OK;
    if let Some(min) = &args.fail_under {
        let verdict = check_fail_under(&table.total, min, args.precision)?;
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
