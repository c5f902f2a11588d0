//! Exports of a (combined) [`CoverageData`]: coverage.py's `json`, `lcov`
//! and `xml` reports, CSV, and markdown (plain or as a GitHub step
//! summary). One file per format behind [`Export`]; [`write_report`]
//! renders one and writes it atomically.
//!
//! `--report KIND[:PATH]` values are parsed by [`ReportRequest::parse`].

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::CoverageData;
use crate::report::ReportOptions;

pub mod analysis;
pub mod cobertura;
pub mod csv;
pub mod json;
pub mod lcov;
pub mod markdown;

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
    /// The `version` written into JSON `meta` and the XML root.
    pub version: String,
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
            version: coveragepy_version(data),
        }
    }
}

/// The coverage.py version the inputs were made with (the highest, when
/// they differ), else [`COVERAGEPY_VERSION`]. Exports claim the format of
/// a coverage.py version, so a tool that reads `meta.version` sees a
/// coverage.py version number, not covmerge's.
pub fn coveragepy_version(data: &CoverageData) -> String {
    data.sources
        .iter()
        .filter_map(|s| s.producer.as_deref()?.strip_prefix("coverage.py "))
        .max_by(|a, b| version_key(a).cmp(&version_key(b)).then(a.cmp(b)))
        .map(str::to_string)
        .unwrap_or_else(|| COVERAGEPY_VERSION.to_string())
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

/// The interface of every export.
pub trait Export {
    /// The name in the stderr note: `Wrote <name> report to <path>`.
    fn name(&self) -> &'static str;
    /// The bytes of the report.
    fn render(&self, data: &CoverageData, ctx: &ExportContext) -> Result<Vec<u8>>;
}

/// The report kinds of `--report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    Json,
    Lcov,
    Xml,
    Csv,
    Markdown,
    Github,
}

impl ReportKind {
    pub const ALL: [ReportKind; 6] = [
        ReportKind::Json,
        ReportKind::Lcov,
        ReportKind::Xml,
        ReportKind::Csv,
        ReportKind::Markdown,
        ReportKind::Github,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Json => "json",
            ReportKind::Lcov => "lcov",
            ReportKind::Xml => "xml",
            ReportKind::Csv => "csv",
            ReportKind::Markdown => "markdown",
            ReportKind::Github => "github",
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
        }
    }

    pub fn exporter(self) -> Box<dyn Export> {
        match self {
            ReportKind::Json => Box::new(json::Json),
            ReportKind::Lcov => Box::new(lcov::Lcov),
            ReportKind::Xml => Box::new(cobertura::Cobertura),
            ReportKind::Csv => Box::new(csv::Csv),
            ReportKind::Markdown => Box::new(markdown::Markdown),
            ReportKind::Github => Box::new(markdown::GithubSummary),
        }
    }
}

/// One `--report KIND[:PATH]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRequest {
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
                    "--report {text:?}: expected KIND[:PATH] with KIND one of json, lcov, xml, csv, markdown, github"
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
        name: &'static str,
        path: PathBuf,
    },
    /// Appended to `$GITHUB_STEP_SUMMARY`.
    Appended {
        name: &'static str,
        path: PathBuf,
    },
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
    data: &CoverageData,
    ctx: &ExportContext,
    request: &ReportRequest,
    github_summary: Option<&Path>,
) -> Result<Written> {
    let exporter = request.kind.exporter();
    let bytes = exporter.render(data, ctx)?;
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

/// Python's `repr()` of a float: the shortest round-trip digits, fixed
/// notation for exponents -4..16 (`70.0`, `73.91304347826087`), otherwise
/// `1e+16` / `1.5e-05`.
pub fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let sci = format!("{:e}", x.abs()); // "7.391304347826087e1"
    let (mantissa, exp) = sci.split_once('e').expect("LowerExp has an exponent");
    let exp: i32 = exp.parse().expect("exponent is a number");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let body = if exp >= 0 {
            let point = exp as usize + 1;
            if digits.len() <= point {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        };
        format!("{sign}{body}")
    } else {
        let mantissa = if digits.len() == 1 {
            digits
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{esign}{:02}", exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        for (x, want) in [
            (73.91304347826087, "73.91304347826087"),
            (70.0, "70.0"),
            (100.0, "100.0"),
            (0.5, "0.5"),
            (63.1578947368421, "63.1578947368421"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000015, "1.5e-05"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.0, "0.0"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(py_float_repr(x), want, "{x}");
        }
    }

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
        assert!(ReportRequest::parse("html").is_err());
        assert!(ReportRequest::parse("lcov:").is_err());
    }

    #[test]
    fn version_is_the_highest_coveragepy() {
        let mut data = CoverageData::default();
        assert_eq!(coveragepy_version(&data), COVERAGEPY_VERSION);
        for v in ["coverage.py 7.9.1", "coverage.py 7.17.5", "lcov 2.0"] {
            data.sources.push(crate::model::Source {
                producer: Some(v.into()),
                ..Default::default()
            });
        }
        assert_eq!(coveragepy_version(&data), "7.17.5");
    }
}
