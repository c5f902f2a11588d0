//! coverage.py's settings, read from one file.

use std::path::{Path, PathBuf};

use super::doc::Doc;
use super::file::{read_config, read_required, Capped, Found};
use super::values::Reader;
use super::vars::expand_user;
use super::{decode, EnvLookup};
use crate::error::Result;

/// The `[report]` settings covmerge uses. `None` means "not in the file".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportSettings {
    /// `[report] fail_under`.
    pub fail_under: Option<f64>,
    /// `[report] precision`.
    pub precision: Option<usize>,
    /// `[report] show_missing`.
    pub show_missing: Option<bool>,
    /// `[report] skip_covered`.
    pub skip_covered: Option<bool>,
    /// `[report] skip_empty`.
    pub skip_empty: Option<bool>,
    /// `[report] sort`.
    pub sort: Option<String>,
    /// `text`, `markdown` or `total` (checked where it is used).
    pub format: Option<String>,
    /// `[report] include`.
    pub include: Option<Vec<String>>,
    /// `[report] omit`.
    pub omit: Option<Vec<String>>,
}

/// The coverage.py settings covmerge uses, from one configuration file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CoverageConfig {
    /// The file the settings came from, as it was named; `None` when no
    /// file counted.
    pub file: Option<PathBuf>,
    /// `[paths]`: (entry name, values) in file order; the first value of
    /// each entry is the canonical path.
    pub paths: Vec<(String, Vec<String>)>,
    /// `[run] relative_files`.
    pub relative_files: bool,
    /// The `[report]` settings.
    pub report: ReportSettings,
    /// `[json] output`, `[lcov] output`, `[xml] output` (`~` expanded).
    pub json_output: Option<String>,
    /// `[lcov] output` (`~` expanded).
    pub lcov_output: Option<String>,
    /// `[xml] output` (`~` expanded).
    pub xml_output: Option<String>,
    /// `[html] directory` (`~` expanded).
    pub html_directory: Option<String>,
    /// `[html] title`.
    pub html_title: Option<String>,
}

impl CoverageConfig {
    /// `[json] output`, or coverage.py's default `coverage.json`.
    pub fn json_output(&self) -> &str {
        self.json_output.as_deref().unwrap_or("coverage.json")
    }

    /// `[lcov] output`, or coverage.py's default `coverage.lcov`.
    pub fn lcov_output(&self) -> &str {
        self.lcov_output.as_deref().unwrap_or("coverage.lcov")
    }

    /// `[xml] output`, or coverage.py's default `coverage.xml`.
    pub fn xml_output(&self) -> &str {
        self.xml_output.as_deref().unwrap_or("coverage.xml")
    }
}

/// Every option coverage.py 7.17.5 reads from its sections; anything else
/// in these sections draws coverage.py's "Unrecognized option" warning.
const KNOWN_OPTIONS: &[(&str, &[&str])] = &[
    (
        "run",
        &[
            "branch",
            "command_line",
            "concurrency",
            "context",
            "core",
            "cover_pylib",
            "data_file",
            "debug",
            "debug_file",
            "disable_warnings",
            "dynamic_context",
            "parallel",
            "patch",
            "plugins",
            "relative_files",
            "include",
            "omit",
            "sigterm",
            "source",
            "source_pkgs",
            "source_dirs",
            "timid",
            "_crash",
        ],
    ),
    (
        "report",
        &[
            "exclude_lines",
            "exclude_also",
            "fail_under",
            "format",
            "ignore_errors",
            "include_namespace_packages",
            "partial_branches_always",
            "partial_branches",
            "partial_also",
            "precision",
            "contexts",
            "include",
            "omit",
            "show_missing",
            "skip_covered",
            "skip_empty",
            "sort",
        ],
    ),
    (
        "html",
        &[
            "extra_css",
            "directory",
            "skip_covered",
            "skip_empty",
            "title",
            "show_contexts",
        ],
    ),
    ("xml", &["output", "package_depth"]),
    ("json", &["output", "pretty_print", "show_contexts"]),
    ("lcov", &["output", "line_checksums"]),
];

/// Read one file as coverage.py's configuration (`our_file`: a file of
/// coverage.py's own, whose plain `[report]` sections count too). `None`
/// when there is no such file, when it is not a regular file (with a
/// warning), or when, not being ours, it has no coverage.py settings. A
/// file that cannot be read is an error naming it.
pub fn read_coverage_file(
    path: &Path,
    shown: &Path,
    our_file: bool,
    env: EnvLookup,
    warn: &mut dyn FnMut(String),
) -> Result<Option<CoverageConfig>> {
    match read_config(path, shown)? {
        Found::Absent => Ok(None),
        Found::NotAFile(what) => {
            warn(format!("{}: {what}; skipped", shown.display()));
            Ok(None)
        }
        Found::Bytes(bytes) => parse_coverage_file(&bytes, shown, our_file, env, warn),
    }
}

/// [`read_coverage_file`] on bytes already read.
pub(super) fn parse_coverage_file(
    bytes: &[u8],
    shown: &Path,
    our_file: bool,
    env: EnvLookup,
    warn: &mut dyn FnMut(String),
) -> Result<Option<CoverageConfig>> {
    let text = decode(bytes, shown)?;
    let doc = Doc::parse(&text, shown, our_file)?;
    let reader = Reader {
        doc: &doc,
        file: shown,
        env,
    };
    let mut config = CoverageConfig {
        file: Some(shown.to_path_buf()),
        ..Default::default()
    };
    let mut any_set = false;
    let mut warnings = Capped::new(shown, warn);
    for (section, options) in KNOWN_OPTIONS {
        let Some(real) = doc.real_section(section) else {
            continue;
        };
        let present = doc.options(&real);
        for option in &present {
            if options.contains(&option.as_str()) {
                any_set = true;
            } else {
                warnings.push(format!(
                    "Unrecognized option '[{real}] {option}=' in config file {}",
                    shown.display()
                ));
            }
        }
    }
    drop(warnings);
    let r = &reader;
    config.relative_files = r.boolean("run", "relative_files")?.unwrap_or(false);
    let rep = &mut config.report;
    rep.fail_under = r.float("report", "fail_under")?;
    rep.precision = r.integer("report", "precision")?;
    rep.show_missing = r.boolean("report", "show_missing")?;
    rep.skip_covered = r.boolean("report", "skip_covered")?;
    rep.skip_empty = r.boolean("report", "skip_empty")?;
    rep.sort = r.string("report", "sort")?;
    rep.format = r.string("report", "format")?;
    rep.include = r.list("report", "include")?;
    rep.omit = r.list("report", "omit")?;
    config.json_output = r.file("json", "output")?;
    config.lcov_output = r.file("lcov", "output")?;
    config.xml_output = r.file("xml", "output")?;
    config.html_directory = r.file("html", "directory")?;
    config.html_title = r.string("html", "title")?;
    if let Some(real) = doc.real_section("paths") {
        for option in doc.options(&real) {
            let values = r.list("paths", &option)?.unwrap_or_default();
            config
                .paths
                .push((option, values.iter().map(|v| expand_user(v, env)).collect()));
            any_set = true;
        }
    }
    if our_file || any_set {
        Ok(Some(config))
    } else {
        Ok(None)
    }
}

/// Only the `[paths]` entries of a file (`--paths FILE`): coverage.py's own
/// sections and the `coverage:`/`tool.coverage.` ones are both looked at.
pub fn read_paths_file(path: &Path, env: EnvLookup) -> Result<Vec<(String, Vec<String>)>> {
    let bytes = read_required(path)?;
    let text = decode(&bytes, path)?;
    let doc = Doc::parse(&text, path, true)?;
    let reader = Reader {
        doc: &doc,
        file: path,
        env,
    };
    let mut entries = Vec::new();
    if let Some(real) = doc.real_section("paths") {
        for option in doc.options(&real) {
            let values = reader.list("paths", &option)?.unwrap_or_default();
            entries.push((option, values.iter().map(|v| expand_user(v, env)).collect()));
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{env_of, tempdir};
    use super::*;

    #[test]
    fn paths_file_reads_both_section_spellings() {
        let dir = tempdir("paths");
        let ini = dir.join("setup.cfg");
        std::fs::write(&ini, "[coverage:paths]\nsource =\n    src/\n    */src/\n").unwrap();
        let env = env_of(&[]);
        assert_eq!(
            read_paths_file(&ini, &env).unwrap(),
            vec![(
                "source".to_string(),
                vec!["src/".to_string(), "*/src/".to_string()]
            )]
        );
        let toml = dir.join("p.toml");
        std::fs::write(&toml, "[paths]\nsource = [\"src/\", \"*/src/\"]\n").unwrap();
        assert_eq!(read_paths_file(&toml, &env).unwrap().len(), 1);
    }
}
