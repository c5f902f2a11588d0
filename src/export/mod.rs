//! Exports of a (combined) [`CoverageData`]: coverage.py's `json`, `lcov`
//! and `xml` reports, CSV, and markdown (plain or as a GitHub step
//! summary). One file per format behind [`Export`]; [`write_report`]
//! renders one and writes it atomically.
//!
//! `--report KIND[:PATH]` values are parsed by [`ReportRequest::parse`].

use std::path::{Path, PathBuf};

use crate::analysis::Selection;
use crate::error::{Error, Result};
use crate::model::{CoverageData, FileCoverage};
use crate::report::ReportOptions;

pub mod cobertura;
pub mod csv;
pub mod html;
pub mod json;
pub mod lcov;
pub mod markdown;
pub mod provenance;
pub mod summary;

/// The coverage.py version whose output the coverage.py-style exports
/// reproduce; written as the version when no input names one.
pub const COVERAGEPY_VERSION: &str = "7.17.5";

/// What every export may need besides the data.
#[derive(Clone, Debug)]
pub struct ExportContext {
    /// The table options (precision for display strings; skip, sort and
    /// `-m` for the tables).
    pub report: ReportOptions,
    /// The distinct platform descriptions (for the GitHub summary header).
    pub platforms: Vec<String>,
    /// The directory the report is about: the Cobertura `<source>` for
    /// relative file names. coverage.py uses its current directory.
    pub source_dir: String,
    /// The time of the report, milliseconds since the epoch.
    pub now_ms: u128,
    /// The `version` written into JSON `meta` and the XML root
    /// ([`provenance::export_version`]).
    pub version: String,
    /// `--report html`: folder, title, where the sources are.
    pub html: html::HtmlOptions,
    /// The producers to name in the exports, when the data is not all one
    /// coverage.py version's ([`provenance::list_producers`]).
    pub producers: Option<Vec<String>>,
}

impl ExportContext {
    /// A context for `data` at the current time and directory.
    pub fn new(data: &CoverageData, report: ReportOptions) -> ExportContext {
        let source_dir = std::env::current_dir()
            .map(|d| crate::paths::normalize(&d.to_string_lossy()))
            .unwrap_or_else(|_| ".".to_string());
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        ExportContext {
            report,
            platforms: data.platforms(),
            source_dir,
            now_ms,
            version: provenance::export_version(data),
            producers: provenance::list_producers(data),
            html: html::HtmlOptions::default(),
        }
    }
}

/// Is this file's data coverage.py's? A file with arcs or regions, or
/// whose name ends in `.py`/`.pyw`, and no generic branches. The LCOV and
/// XML exports write such files as coverage.py does (hits 0/1, arcs), and
/// other files with their producers' counts and branch ids.
pub fn is_python(name: &str, file: &FileCoverage) -> bool {
    file.branches.is_empty()
        && (!file.arcs.is_empty()
            || !file.regions.is_empty()
            || name.ends_with(".py")
            || name.ends_with(".pyw"))
}

/// The interface of every export.
pub trait Export {
    /// The name in the stderr note: `Wrote <name> report to <path>`.
    fn name(&self) -> &'static str;
    /// The bytes of the report of the selected files.
    fn render(&self, selection: &Selection, ctx: &ExportContext) -> Result<Vec<u8>>;
}

/// The report kinds of `--report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// coverage.py's `coverage json`.
    Json,
    /// LCOV tracefile.
    Lcov,
    /// coverage.py's Cobertura XML.
    Xml,
    /// The table as CSV.
    Csv,
    /// The table as markdown.
    Markdown,
    /// The markdown table as a GitHub step summary.
    Github,
    /// A folder: `htmlcov/index.html` and a page per file.
    Html,
    /// The native summary as JSON (`report::summary`).
    Summary,
}

impl ReportKind {
    /// Every kind, in `--help` order.
    pub const ALL: [ReportKind; 8] = [
        ReportKind::Json,
        ReportKind::Lcov,
        ReportKind::Xml,
        ReportKind::Csv,
        ReportKind::Markdown,
        ReportKind::Github,
        ReportKind::Html,
        ReportKind::Summary,
    ];

    /// The kind as `--report` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Json => "json",
            ReportKind::Lcov => "lcov",
            ReportKind::Xml => "xml",
            ReportKind::Csv => "csv",
            ReportKind::Markdown => "markdown",
            ReportKind::Github => "github",
            ReportKind::Html => "html",
            ReportKind::Summary => "summary",
        }
    }

    /// pytest-cov's default file names (and `coverage.md`, `coverage.csv`).
    /// The GitHub summary has none: `$GITHUB_STEP_SUMMARY` or stdout.
    pub fn default_path(self) -> Option<&'static str> {
        match self {
            ReportKind::Json => Some("coverage.json"),
            ReportKind::Lcov => Some("coverage.lcov"),
            ReportKind::Xml => Some("coverage.xml"),
            ReportKind::Csv => Some("coverage.csv"),
            ReportKind::Markdown => Some("coverage.md"),
            ReportKind::Github => None,
            ReportKind::Html => Some(html::DEFAULT_DIRECTORY),
            ReportKind::Summary => Some("coverage-summary.json"),
        }
    }

    /// The renderer of this kind.
    pub fn exporter(self) -> Box<dyn Export> {
        match self {
            ReportKind::Json => Box::new(json::Json),
            ReportKind::Lcov => Box::new(lcov::Lcov),
            ReportKind::Xml => Box::new(cobertura::Cobertura),
            ReportKind::Csv => Box::new(csv::Csv),
            ReportKind::Markdown => Box::new(markdown::Markdown),
            ReportKind::Github => Box::new(markdown::GithubSummary),
            ReportKind::Html => Box::new(html::Html),
            ReportKind::Summary => Box::new(summary::SummaryJson),
        }
    }
}

/// One `--report KIND[:PATH]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRequest {
    /// What to write.
    pub kind: ReportKind,
    /// `None`: the default path. `-` is stdout.
    pub path: Option<PathBuf>,
}

impl ReportRequest {
    /// `json`, `json:cov.json`, `xml:C:\out\coverage.xml`, `lcov:-`.
    pub fn parse(text: &str) -> Result<ReportRequest> {
        let (kind_text, path) = match text.split_once(':') {
            Some((k, p)) => (k, Some(p)),
            None => (text, None),
        };
        let kind = ReportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == kind_text)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--report {text:?}: expected KIND[:PATH] with KIND one of json, lcov, xml, csv, markdown, github, html, summary"
                ))
            })?;
        match path {
            Some("") => Err(Error::Usage(format!("--report {text:?}: empty path"))),
            Some(p) => Ok(ReportRequest {
                kind,
                path: Some(PathBuf::from(p)),
            }),
            None => Ok(ReportRequest { kind, path: None }),
        }
    }
}

/// Where a report went, for the stderr note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    /// `Wrote JSON report to cov.json`.
    File {
        /// The report's name.
        name: &'static str,
        /// The file written.
        path: PathBuf,
    },
    /// Appended to `$GITHUB_STEP_SUMMARY`.
    Appended {
        /// The report's name.
        name: &'static str,
        /// The summary file appended to.
        path: PathBuf,
    },
    /// Written to standard output.
    Stdout,
}

impl Written {
    /// coverage.py's note (`Wrote JSON report to coverage.json`); `None`
    /// for stdout.
    pub fn note(&self) -> Option<String> {
        match self {
            Written::File { name, path } => {
                Some(format!("Wrote {name} report to {}", path.display()))
            }
            Written::Appended { name, path } => {
                Some(format!("Appended {name} to {}", path.display()))
            }
            Written::Stdout => None,
        }
    }
}

/// Render and write one report. Files are written atomically; the GitHub
/// summary is appended to `github_summary` (`$GITHUB_STEP_SUMMARY`) when
/// given, as GitHub expects.
pub fn write_report(
    selection: &Selection,
    ctx: &ExportContext,
    request: &ReportRequest,
    github_summary: Option<&Path>,
) -> Result<Written> {
    let exporter = request.kind.exporter();
    if request.kind == ReportKind::Html {
        // A folder, not a byte stream: `[html] directory` when no PATH.
        let dir = match (&request.path, &ctx.html.directory) {
            (Some(p), _) if p.as_os_str() == "-" => {
                return Err(Error::Usage(
                    "--report html:-: the HTML report is a folder, it cannot go to stdout".into(),
                ))
            }
            (Some(p), _) | (None, Some(p)) => p.clone(),
            (None, None) => PathBuf::from(html::DEFAULT_DIRECTORY),
        };
        html::write(selection, ctx, &dir)?;
        // coverage.py's note names the index page.
        return Ok(Written::File {
            name: exporter.name(),
            path: dir.join("index.html"),
        });
    }
    let bytes = exporter.render(selection, ctx)?;
    if request.kind == ReportKind::Github {
        if let Some(target) = github_summary {
            append(target, &bytes)?;
            return Ok(Written::Appended {
                name: exporter.name(),
                path: target.to_path_buf(),
            });
        }
    }
    let path = match (&request.path, request.kind.default_path()) {
        (Some(p), _) => p.clone(),
        (None, Some(d)) => PathBuf::from(d),
        (None, None) => PathBuf::from("-"),
    };
    if path.as_os_str() == "-" {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("<stdout>", e))?;
        return Ok(Written::Stdout);
    }
    crate::output::write_atomic(&path, &bytes)?;
    Ok(Written::File {
        name: exporter.name(),
        path,
    })
}

fn append(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_requests() {
        assert_eq!(
            ReportRequest::parse("json").unwrap(),
            ReportRequest {
                kind: ReportKind::Json,
                path: None
            }
        );
        let r = ReportRequest::parse(r"xml:C:\out\coverage.xml").unwrap();
        assert_eq!(r.kind, ReportKind::Xml);
        assert_eq!(r.path.unwrap(), PathBuf::from(r"C:\out\coverage.xml"));
        assert_eq!(
            ReportRequest::parse("html:out/h").unwrap().kind,
            ReportKind::Html
        );
        assert!(ReportRequest::parse("htm").is_err());
        assert!(ReportRequest::parse("lcov:").is_err());
    }
}
