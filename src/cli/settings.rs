//! What `combine` and `report` will do, resolved once from the command
//! line over the coverage.py configuration file over covmerge's own
//! settings over the defaults. The pipeline in `cli/combine.rs` only reads
//! a [`Settings`].

use std::path::{Path, PathBuf};

use super::combine::{CombineExtras, CommonArgs};
use super::print_warning;
use crate::attribution::Dimension;
use crate::combine::CombineOptions;
use crate::config::{
    load_coverage_config, load_covmerge_config, process_env, CoverageConfig, CovmergeConfig,
    Expected, HeaderStyle,
};
use crate::error::{Error, Result};
use crate::export::{html, ReportKind, ReportRequest};
use crate::filter::FileFilter;
use crate::paths::{read_paths_config, PathAliases, PathMapper};
use crate::report::groups::GroupTableFormat;
use crate::report::{parse_fail_under, ReportOptions, TableFormat};

/// Which per-group view replaces the table, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    /// `--by-platform`: a cover column per group, in this layout.
    Table(GroupTableFormat),
    /// `--platform-diff`, or `--only-on GROUP` when given.
    Diff(Option<String>),
}

/// What the run expects to have contributed (`--expect-*`, or covmerge's
/// `expect_workers` / `expect_platforms`).
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    /// At least this many distinct workers.
    pub workers: Option<usize>,
    /// Every one of these platforms (descriptions or slugs).
    pub platforms: Vec<String>,
    /// At least this many platforms (`expect_platforms = N`).
    pub platform_count: Option<usize>,
}

/// Everything the pipeline needs, resolved.
pub struct Settings {
    /// The coverage.py configuration file that counted, if any.
    pub config_file: Option<PathBuf>,
    /// covmerge's own settings file, if any.
    pub own_file: Option<PathBuf>,
    /// The inputs to search (default: `data_dir`, else `covmerge-data`).
    pub inputs: Vec<String>,
    /// How to read and union the inputs.
    pub combine: CombineOptions,
    /// The table options, include/omit among them.
    pub report: ReportOptions,
    /// `--fail-under` / `[report] fail_under`.
    pub fail_under: Option<f64>,
    /// The platform header's look and width.
    pub header: HeaderStyle,
    /// The header width (`--width`, `width`, `$COLUMNS`, the terminal, 80).
    pub width: usize,
    /// A per-group view instead of the table.
    pub view: Option<View>,
    /// What the views group by.
    pub dimension: Dimension,
    /// The `--report` exports (or covmerge's `exports`), with their paths.
    pub exports: Vec<ReportRequest>,
    /// `--expect-workers` / `--expect-platforms`.
    pub expect: Expectations,
    /// `--python` / `python`: the interpreter that analyses raw data.
    pub python: Option<PathBuf>,
    /// `--report html`'s folder, title and sources (`[html]`, `--source-root`).
    pub html: crate::export::html::HtmlOptions,
}

impl Settings {
    /// Read the configuration files (unless `--no-config`) and resolve
    /// every option.
    pub fn resolve(
        inputs: &[String],
        args: &CommonArgs,
        extras: &CombineExtras,
    ) -> Result<Settings> {
        let (config, own) = load_configs(args)?;
        let dimension = Dimension::parse(&args.by)?;
        let view = view(args);
        let group_format = match &view {
            Some(View::Table(format)) => *format,
            _ => GroupTableFormat::Text,
        };
        // --format csv/json only lay out the --by-platform table.
        let table_format = match args.format.as_deref() {
            Some("csv" | "json") if args.by_platform => None,
            other => other,
        };
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| d.to_str().map(crate::paths::normalize))
            .unwrap_or_default();
        let (report, fail_under) = report_options(args, &config, &cwd, table_format)?;
        let header = header_style(args, &own, report.format, group_format)?;
        let mapper = mapper(args, &config)?;
        let exports = exports(args, &own, &config)?;
        let combine = CombineOptions {
            mapper,
            strict: args.strict,
            debug_paths: args.debug_paths,
            // Attribution costs time and memory: keep it when a view or the
            // HTML report shows it, or when writing a combined file later
            // combines may need.
            attribution: (view.is_some() || extras.output.is_some() || html::wanted(&exports))
                .then(|| dimension.clone()),
            // --delete-inputs deletes a file only if it still has these bytes.
            content_hashes: extras.manifest.is_some() || extras.delete_inputs,
            sources: crate::pysource::Sources::new(args.source_root.clone()).into(),
            ..Default::default()
        };
        let inputs = if inputs.is_empty() {
            let dir = own
                .data_dir
                .clone()
                .unwrap_or_else(|| "covmerge-data".into());
            vec![dir.to_string_lossy().into_owned()]
        } else {
            inputs.to_vec()
        };
        Ok(Settings {
            html: html::HtmlOptions::from_config(&config, args.source_root.clone()),
            exports,
            expect: expectations(extras, &own),
            python: args.python.clone().or_else(|| own.python.clone()),
            width: super::terminal_width(crate::limits::width(
                args.width,
                own.width,
                own.file.as_deref(),
            )?),
            config_file: config.file,
            own_file: own.file,
            inputs,
            combine,
            report,
            fail_under,
            header,
            view,
            dimension,
        })
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

fn view(args: &CommonArgs) -> Option<View> {
    if args.by_platform {
        let format = match args.format.as_deref() {
            Some("csv") => GroupTableFormat::Csv,
            Some("json") => GroupTableFormat::Json,
            Some("markdown") => GroupTableFormat::Markdown,
            _ => GroupTableFormat::Text,
        };
        Some(View::Table(format))
    } else if args.platform_diff || args.only_on.is_some() {
        Some(View::Diff(args.only_on.clone()))
    } else {
        None
    }
}

/// `[paths]` from the configuration (or `--paths FILE`), then `--map`.
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

/// Only a text layout gets a header by default: markdown, CSV and JSON are
/// read by programs.
fn header_style(
    args: &CommonArgs,
    own: &CovmergeConfig,
    format: TableFormat,
    group_format: GroupTableFormat,
) -> Result<HeaderStyle> {
    if let Some(text) = args.header.as_deref() {
        return HeaderStyle::parse(text).ok_or_else(|| {
            Error::Usage(format!(
                "--header {text:?}: expected default, pytest-cov or none"
            ))
        });
    }
    Ok(match own.header {
        Some(style) => style,
        None if format == TableFormat::Text && group_format == GroupTableFormat::Text => {
            HeaderStyle::Default
        }
        None => HeaderStyle::None,
    })
}

/// The command line's `--report`, else covmerge's `exports`. A request
/// without a path takes coverage.py's `[json]`/`[lcov]`/`[xml] output`.
fn exports(
    args: &CommonArgs,
    own: &CovmergeConfig,
    config: &CoverageConfig,
) -> Result<Vec<ReportRequest>> {
    let kinds = if args.reports.is_empty() {
        &own.exports
    } else {
        &args.reports
    };
    kinds
        .iter()
        .map(|text| {
            let mut request = ReportRequest::parse(text)?;
            if request.path.is_none() {
                request.path = match request.kind {
                    ReportKind::Json => config.json_output.clone(),
                    ReportKind::Lcov => config.lcov_output.clone(),
                    ReportKind::Xml => config.xml_output.clone(),
                    _ => None,
                }
                .map(PathBuf::from);
            }
            Ok(request)
        })
        .collect()
}

/// `--expect-*` over covmerge's settings.
fn expectations(extras: &CombineExtras, own: &CovmergeConfig) -> Expectations {
    let workers = extras.expect_workers.or(match &own.expect_workers {
        Some(Expected::Count(n)) => Some(*n),
        Some(Expected::Names(names)) => Some(names.len()),
        None => None,
    });
    let (platforms, platform_count) = match &own.expect_platforms {
        _ if !extras.expect_platforms.is_empty() => (extras.expect_platforms.clone(), None),
        Some(Expected::Names(names)) => (names.clone(), None),
        Some(Expected::Count(n)) => (Vec::new(), Some(*n)),
        None => (Vec::new(), None),
    };
    Expectations {
        workers,
        platforms,
        platform_count,
    }
}

/// The table options: the command line over `[report]` over the defaults.
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
    let fail_under = match &args.fail_under {
        Some(text) => Some(parse_fail_under(text)?),
        None => rep.fail_under,
    };
    let options = ReportOptions {
        format,
        show_missing: args.show_missing || rep.show_missing.unwrap_or(false),
        precision: crate::limits::precision(args.precision, rep.precision, config.file.as_deref())?,
        skip_covered: if args.no_skip_covered {
            false
        } else {
            args.skip_covered || rep.skip_covered.unwrap_or(false)
        },
        skip_empty: args.skip_empty || rep.skip_empty.unwrap_or(false),
        sort: args.sort.clone().or_else(|| rep.sort.clone()),
        filter: file_filter(args, config, cwd)?,
    };
    Ok((options, fail_under))
}

/// include/omit: the flag's patterns when given, else the file's; a bad
/// pattern names where it came from (`--omit: ...` or
/// `.coveragerc: [report] omit: ...`).
fn file_filter(args: &CommonArgs, config: &CoverageConfig, cwd: &str) -> Result<FileFilter> {
    let rep = &config.report;
    let pick = |flag: &[String], file: &Option<Vec<String>>, key: &str| {
        let flag: Vec<String> = flag.iter().filter(|p| !p.is_empty()).cloned().collect();
        match (&config.file, flag.is_empty()) {
            (Some(path), true) => (
                file.clone().unwrap_or_default(),
                format!("{}: [report] {key}", path.display()),
            ),
            _ => (flag, format!("--{key}")),
        }
    };
    let (include, include_origin) = pick(&args.include, &rep.include, "include");
    let (omit, omit_origin) = pick(&args.omit, &rep.omit, "omit");
    let relative = config.relative_files;
    // Each list on its own first, so an error names the list at fault.
    FileFilter::new(&include, &[], cwd, relative)
        .map_err(|e| Error::Usage(format!("{include_origin}: {e}")))?;
    FileFilter::new(&[], &omit, cwd, relative)
        .map_err(|e| Error::Usage(format!("{omit_origin}: {e}")))?;
    FileFilter::new(&include, &omit, cwd, relative)
}
