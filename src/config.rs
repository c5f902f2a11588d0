//! Configuration files: coverage.py's own settings, found and read the way
//! coverage.py 7.17.5 finds and reads them, and covmerge's settings for
//! what coverage.py has no key for.
//!
//! # coverage.py's file
//!
//! [`load_coverage_config`] tries, in the current directory and in this
//! order, and uses the first file that counts:
//!
//! 1. the `--rcfile` file, else `$COVERAGE_RCFILE`, else `.coveragerc`;
//!    a file given explicitly must be readable;
//! 2. `.coveragerc.toml`;
//! 3. `setup.cfg`, only if it has coverage.py settings in `[coverage:*]`
//!    sections;
//! 4. `tox.ini`, likewise;
//! 5. `pyproject.toml`, only if it has settings in `[tool.coverage.*]`.
//!
//! A file of coverage.py's own (1 and 2) counts as soon as it exists, even
//! empty, and may use `[report]` or `[coverage:report]` (TOML: `[report]` or
//! `[tool.coverage.report]`). A `.toml` extension selects TOML.
//!
//! INI files are read as Python's `configparser` reads them with
//! coverage.py's options: no `%` interpolation, keys case-insensitive,
//! `key = value` or `key: value`, values continued on more-indented lines,
//! whole-line `#`/`;` comments (no inline comments), `[DEFAULT]` keys seen
//! in every section, duplicate sections or keys are errors. In every string
//! value `$VAR`, `${VAR}`, `${VAR-default}`, `${VAR?}` and `$$` are replaced
//! from the environment, as coverage.py does. Booleans are `1/yes/true/on`
//! and `0/no/false/off` in INI, `true`/`false` in TOML; lists are comma- or
//! line-separated in INI and arrays of strings in TOML.
//!
//! Options coverage.py does not know give a warning (coverage.py's
//! wording); options it knows but covmerge has no use for (`[run] branch`,
//! `[html] ...`) are silently ignored; a bad value of an option covmerge
//! uses is an error naming the file, section and key.
//!
//! # covmerge's file
//!
//! [`load_covmerge_config`] reads `covmerge.toml` (top-level keys), else
//! `[tool.covmerge]` in `pyproject.toml`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::report::header::HeaderStyle;
use crate::report::sort::py_repr;

/// How to look up an environment variable (`std::env::var` in the binary;
/// a map in tests).
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The `[report]` settings covmerge uses. `None` means "not in the file".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportSettings {
    pub fail_under: Option<f64>,
    pub precision: Option<usize>,
    pub show_missing: Option<bool>,
    pub skip_covered: Option<bool>,
    pub skip_empty: Option<bool>,
    pub sort: Option<String>,
    /// `text`, `markdown` or `total` (checked where it is used).
    pub format: Option<String>,
    pub include: Option<Vec<String>>,
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
    pub report: ReportSettings,
    /// `[json] output`, `[lcov] output`, `[xml] output` (`~` expanded).
    pub json_output: Option<String>,
    pub lcov_output: Option<String>,
    pub xml_output: Option<String>,
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

// ---------------------------------------------------------------------------
// Finding the file.

/// Read coverage.py's configuration for a report made in `dir`.
///
/// `rcfile` is `--rcfile`; without it `$COVERAGE_RCFILE` is used, as
/// coverage.py does. Warnings (unknown options) go to `warn`.
pub fn load_coverage_config(
    dir: &Path,
    rcfile: Option<&Path>,
    env: EnvLookup,
    warn: &mut dyn FnMut(String),
) -> Result<CoverageConfig> {
    let from_env = env("COVERAGE_RCFILE").filter(|s| !s.is_empty());
    let mut specified = rcfile
        .map(Path::to_path_buf)
        .or_else(|| from_env.map(PathBuf::from));
    // coverage.py treats an explicit ".coveragerc" as "the default".
    if specified.as_deref() == Some(Path::new(".coveragerc")) {
        specified = None;
    }
    let first = specified
        .clone()
        .unwrap_or_else(|| PathBuf::from(".coveragerc"));
    let candidates = [
        (first, true, specified.is_some()),
        (PathBuf::from(".coveragerc.toml"), true, false),
        (PathBuf::from("setup.cfg"), false, false),
        (PathBuf::from("tox.ini"), false, false),
        (PathBuf::from("pyproject.toml"), false, false),
    ];
    for (name, our_file, must_read) in candidates {
        let full = if name.is_absolute() {
            name.clone()
        } else {
            dir.join(&name)
        };
        match read_coverage_file(&full, &name, our_file, env, warn)? {
            Some(config) => return Ok(config),
            None if must_read => {
                return Err(Error::Usage(format!(
                    "Couldn't read {} as a config file",
                    py_repr(&name.to_string_lossy())
                )))
            }
            None => {}
        }
    }
    Ok(CoverageConfig::default())
}

/// Read one file as coverage.py's configuration (`our_file`: a file of
/// coverage.py's own, whose plain `[report]` sections count too). `None`
/// when the file cannot be read or, not being ours, has no coverage.py
/// settings.
pub fn read_coverage_file(
    path: &Path,
    shown: &Path,
    our_file: bool,
    env: EnvLookup,
    warn: &mut dyn FnMut(String),
) -> Result<Option<CoverageConfig>> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(None);
    };
    let text = decode(&bytes, shown)?;
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
    for (section, options) in KNOWN_OPTIONS {
        let Some(real) = doc.real_section(section) else {
            continue;
        };
        let present = doc.options(&real);
        for option in &present {
            if options.contains(&option.as_str()) {
                any_set = true;
            } else {
                warn(format!(
                    "Unrecognized option '[{real}] {option}=' in config file {}",
                    shown.display()
                ));
            }
        }
    }
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
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
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

/// UTF-8, with an optional byte order mark (Python's `utf-8-sig`).
fn decode(bytes: &[u8], shown: &Path) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec())
        .map_err(|_| Error::parse(shown, None, "Couldn't read config file: not UTF-8"))
}

// ---------------------------------------------------------------------------
// The two file syntaxes behind one interface.

enum Doc {
    Ini { ini: Ini, our_file: bool },
    Toml { table: toml::Table, our_file: bool },
}

impl Doc {
    fn parse(text: &str, shown: &Path, our_file: bool) -> Result<Doc> {
        if shown.extension().is_some_and(|e| e == "toml") {
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
                Error::parse(
                    shown,
                    None,
                    format!("Couldn't read config file: invalid TOML: {}", e.message()),
                )
            })?;
            Ok(Doc::Toml { table, our_file })
        } else {
            Ok(Doc::Ini {
                ini: Ini::parse(text, shown)?,
                our_file,
            })
        }
    }

    /// The name of the section that holds `section`'s settings, if any:
    /// `coverage:report` before `report` in INI, `tool.coverage.report`
    /// before `report` in TOML (the plain names only in our own files).
    fn real_section(&self, section: &str) -> Option<String> {
        match self {
            Doc::Ini { ini, our_file } => {
                let mut names = vec![format!("coverage:{section}")];
                if *our_file {
                    names.push(section.to_string());
                }
                names.into_iter().find(|n| ini.section(n).is_some())
            }
            Doc::Toml { table, our_file } => {
                let mut names = vec![format!("tool.coverage.{section}")];
                if *our_file {
                    names.push(section.to_string());
                }
                names.into_iter().find(|n| toml_section(table, n).is_some())
            }
        }
    }

    fn options(&self, real: &str) -> Vec<String> {
        match self {
            Doc::Ini { ini, .. } => ini.options(real),
            Doc::Toml { table, .. } => toml_section(table, real)
                .and_then(|v| v.as_table())
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default(),
        }
    }

    fn value(&self, real: &str, option: &str) -> Option<Raw<'_>> {
        match self {
            Doc::Ini { ini, .. } => ini.get(real, option).map(Raw::Ini),
            Doc::Toml { table, .. } => toml_section(table, real)
                .and_then(|v| v.as_table())
                .and_then(|t| t.get(option))
                .map(Raw::Toml),
        }
    }
}

fn toml_section<'a>(table: &'a toml::Table, dotted: &str) -> Option<&'a toml::Value> {
    let mut parts = dotted.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
}

enum Raw<'a> {
    Ini(&'a str),
    Toml(&'a toml::Value),
}

/// Typed reads of one file's values, with errors naming file and key.
struct Reader<'a> {
    doc: &'a Doc,
    file: &'a Path,
    env: EnvLookup<'a>,
}

impl Reader<'_> {
    fn raw(&self, section: &str, option: &str) -> Option<(String, Raw<'_>)> {
        let real = self.doc.real_section(section)?;
        let raw = self.doc.value(&real, option)?;
        Some((real, raw))
    }

    fn bad(&self, real: &str, option: &str, what: String) -> Error {
        Error::Usage(format!(
            "{}: [{real}] {option}: {what}",
            self.file.display()
        ))
    }

    fn subst(&self, real: &str, option: &str, text: &str) -> Result<String> {
        substitute_variables(text, self.env).map_err(|e| self.bad(real, option, e))
    }

    /// A single value as text (TOML strings only), variables substituted.
    fn text(&self, real: &str, option: &str, raw: &Raw) -> Result<Option<String>> {
        match raw {
            Raw::Ini(s) => self.subst(real, option, s).map(Some),
            Raw::Toml(toml::Value::String(s)) => self.subst(real, option, s).map(Some),
            Raw::Toml(_) => Ok(None),
        }
    }

    fn string(&self, section: &str, option: &str) -> Result<Option<String>> {
        let Some((real, raw)) = self.raw(section, option) else {
            return Ok(None);
        };
        match self.text(&real, option, &raw)? {
            Some(s) => Ok(Some(s)),
            None => Err(self.bad(&real, option, format!("{} is not a string", shown(&raw)))),
        }
    }

    fn file(&self, section: &str, option: &str) -> Result<Option<String>> {
        Ok(self
            .string(section, option)?
            .map(|s| expand_user(&s, self.env)))
    }

    fn boolean(&self, section: &str, option: &str) -> Result<Option<bool>> {
        let Some((real, raw)) = self.raw(section, option) else {
            return Ok(None);
        };
        let parsed = match &raw {
            Raw::Toml(toml::Value::Boolean(b)) => Some(*b),
            Raw::Ini(_) => {
                let s = self.text(&real, option, &raw)?.unwrap_or_default();
                match s.to_lowercase().as_str() {
                    "1" | "yes" | "true" | "on" => Some(true),
                    "0" | "no" | "false" | "off" => Some(false),
                    _ => None,
                }
            }
            Raw::Toml(toml::Value::String(_)) => match self.text(&real, option, &raw)?.as_deref() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            },
            Raw::Toml(_) => None,
        };
        parsed
            .map(Some)
            .ok_or_else(|| self.bad(&real, option, format!("{} is not a boolean", shown(&raw))))
    }

    fn integer(&self, section: &str, option: &str) -> Result<Option<usize>> {
        let Some((real, raw)) = self.raw(section, option) else {
            return Ok(None);
        };
        let parsed = match &raw {
            Raw::Toml(toml::Value::Integer(i)) => usize::try_from(*i).ok(),
            Raw::Toml(toml::Value::String(_)) | Raw::Ini(_) => self
                .text(&real, option, &raw)?
                .and_then(|s| parse_python_int(&s))
                .and_then(|i| usize::try_from(i).ok()),
            Raw::Toml(_) => None,
        };
        parsed.map(Some).ok_or_else(|| {
            self.bad(
                &real,
                option,
                format!("{} is not a non-negative integer", shown(&raw)),
            )
        })
    }

    fn float(&self, section: &str, option: &str) -> Result<Option<f64>> {
        let Some((real, raw)) = self.raw(section, option) else {
            return Ok(None);
        };
        let parsed = match &raw {
            Raw::Toml(toml::Value::Integer(i)) => Some(*i as f64),
            Raw::Toml(toml::Value::Float(f)) => Some(*f),
            Raw::Toml(toml::Value::String(_)) | Raw::Ini(_) => self
                .text(&real, option, &raw)?
                .and_then(|s| parse_python_float(&s)),
            Raw::Toml(_) => None,
        };
        parsed
            .map(Some)
            .ok_or_else(|| self.bad(&real, option, format!("{} is not a number", shown(&raw))))
    }

    fn list(&self, section: &str, option: &str) -> Result<Option<Vec<String>>> {
        let Some((real, raw)) = self.raw(section, option) else {
            return Ok(None);
        };
        match &raw {
            Raw::Ini(s) => {
                let s = self.subst(&real, option, s)?;
                Ok(Some(
                    s.split('\n')
                        .flat_map(|line| line.split(','))
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                        .collect(),
                ))
            }
            Raw::Toml(toml::Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    let Some(s) = item.as_str() else {
                        return Err(self.bad(
                            &real,
                            option,
                            format!("{} is not a list of strings", shown(&raw)),
                        ));
                    };
                    out.push(self.subst(&real, option, s)?);
                }
                Ok(Some(out))
            }
            Raw::Toml(_) => Err(self.bad(&real, option, format!("{} is not a list", shown(&raw)))),
        }
    }
}

/// A value as the user wrote it, for messages: `'x'` for text.
fn shown(raw: &Raw) -> String {
    match raw {
        Raw::Ini(s) => py_repr(s),
        Raw::Toml(toml::Value::String(s)) => py_repr(s),
        Raw::Toml(v) => v.to_string(),
    }
}

/// Python's `int()` of a string: optional sign, digits, single `_`
/// between digits, surrounding whitespace.
fn parse_python_int(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let n: i64 = digits.replace('_', "").parse().ok()?;
    Some(if neg { -n } else { n })
}

/// Python's `float()` of a string, for the forms people write.
fn parse_python_float(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    s.replace('_', "").parse().ok()
}

/// coverage.py's `substitute_variables`: `$VAR`, `${VAR}`, `${VAR-default}`,
/// `${VAR?}` (an error when VAR is not set) and `$$`. An unset variable
/// without a default becomes empty.
pub fn substitute_variables(text: &str, env: EnvLookup) -> std::result::Result<String, String> {
    let chars: Vec<char> = text.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        if next == Some('$') {
            out.push('$');
            i += 2;
            continue;
        }
        if next.is_some_and(word) {
            let end = (i + 1..chars.len())
                .find(|&k| !word(chars[k]))
                .unwrap_or(chars.len());
            let name: String = chars[i + 1..end].iter().collect();
            out.push_str(&env(&name).unwrap_or_default());
            i = end;
            continue;
        }
        if next == Some('{') {
            let start = i + 2;
            let end = (start..chars.len())
                .find(|&k| !word(chars[k]))
                .unwrap_or(chars.len());
            if end > start {
                let name: String = chars[start..end].iter().collect();
                match chars.get(end) {
                    Some('}') => {
                        out.push_str(&env(&name).unwrap_or_default());
                        i = end + 1;
                        continue;
                    }
                    Some('?') if chars.get(end + 1) == Some(&'}') => {
                        match env(&name) {
                            Some(v) => out.push_str(&v),
                            None => {
                                return Err(format!(
                                    "Variable {name} is undefined: {}",
                                    py_repr(text)
                                ))
                            }
                        }
                        i = end + 2;
                        continue;
                    }
                    Some('-') => {
                        if let Some(close) = (end + 1..chars.len()).find(|&k| chars[k] == '}') {
                            let default: String = chars[end + 1..close].iter().collect();
                            out.push_str(&env(&name).unwrap_or(default));
                            i = close + 1;
                            continue;
                        }
                    }
                    _ => {}
                }
            }
        }
        out.push('$');
        i += 1;
    }
    Ok(out)
}

/// Python's `os.path.expanduser` for `~` and `~/...` (`~user` is kept).
fn expand_user(path: &str, env: EnvLookup) -> String {
    if path == "~" || path.starts_with("~/") {
        if let Some(home) = env("HOME").filter(|h| !h.is_empty()) {
            let home = if home == "/" {
                ""
            } else {
                home.trim_end_matches('/')
            };
            return format!("{home}{}", &path[1..]);
        }
    }
    path.to_string()
}

// ---------------------------------------------------------------------------
// configparser.

/// One INI file as Python's `configparser.ConfigParser(interpolation=None)`
/// reads it.
#[derive(Debug, Default)]
struct Ini {
    defaults: Vec<(String, String)>,
    sections: Vec<(String, Vec<(String, String)>)>,
}

impl Ini {
    fn section(&self, name: &str) -> Option<&Vec<(String, String)>> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, options)| options)
    }

    /// The section's keys, then `[DEFAULT]` keys it does not override.
    fn options(&self, name: &str) -> Vec<String> {
        let Some(own) = self.section(name) else {
            return Vec::new();
        };
        let mut out: Vec<String> = own.iter().map(|(k, _)| k.clone()).collect();
        for (k, _) in &self.defaults {
            if !out.contains(k) {
                out.push(k.clone());
            }
        }
        out
    }

    fn get(&self, section: &str, option: &str) -> Option<&str> {
        let own = self.section(section)?;
        own.iter()
            .chain(self.defaults.iter())
            .find(|(k, _)| k == option)
            .map(|(_, v)| v.as_str())
    }

    fn parse(text: &str, shown: &Path) -> Result<Ini> {
        let err = |line: usize, msg: String| Error::parse(shown, Some(line), msg);
        let mut ini = Ini::default();
        // Values are built as lists of lines and joined at the end.
        let mut raw: Vec<(String, RawOptions)> = Vec::new();
        let mut defaults: RawOptions = Vec::new();
        // Which section receives options: None before any header,
        // Some(None) for [DEFAULT], Some(Some(i)) for raw[i].
        let mut current: Option<Option<usize>> = None;
        let mut option: Option<String> = None;
        let mut indent_level = 0usize;
        let mut seen_sections: Vec<String> = Vec::new();
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        for (index, line) in text.split('\n').enumerate() {
            let lineno = index + 1;
            let stripped = line.trim();
            let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
            if stripped.is_empty() || is_comment {
                if !is_comment {
                    if let (Some(sect), Some(opt)) = (current, &option) {
                        let options = match sect {
                            None => &mut defaults,
                            Some(i) => &mut raw[i].1,
                        };
                        if let Some((_, lines)) = options.iter_mut().find(|(k, _)| k == opt) {
                            lines.push(String::new());
                        }
                    }
                }
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            if let (Some(sect), Some(opt), true) = (current, &option, indent > indent_level) {
                let options = match sect {
                    None => &mut defaults,
                    Some(i) => &mut raw[i].1,
                };
                if let Some((_, lines)) = options.iter_mut().find(|(k, _)| k == opt) {
                    lines.push(stripped.to_string());
                }
                continue;
            }
            indent_level = indent;
            if let Some(header) = section_header(stripped) {
                if seen_sections.iter().any(|s| s == header) {
                    return Err(err(
                        lineno,
                        format!("section {} already exists", py_repr(header)),
                    ));
                }
                seen_sections.push(header.to_string());
                current = Some(if header == "DEFAULT" {
                    None
                } else {
                    raw.push((header.to_string(), Vec::new()));
                    Some(raw.len() - 1)
                });
                option = None;
                continue;
            }
            let Some(sect) = current else {
                return Err(err(lineno, "File contains no section headers.".into()));
            };
            let Some(split) = stripped.find(['=', ':']) else {
                return Err(err(
                    lineno,
                    format!("Source contains parsing errors: {}", py_repr(line)),
                ));
            };
            let key = stripped[..split].trim_end().to_lowercase();
            if key.is_empty() {
                return Err(err(
                    lineno,
                    format!("Source contains parsing errors: {}", py_repr(line)),
                ));
            }
            let value = stripped[split + 1..].trim().to_string();
            let options = match sect {
                None => &mut defaults,
                Some(i) => &mut raw[i].1,
            };
            if options.iter().any(|(k, _)| *k == key) {
                let name = match sect {
                    None => "DEFAULT".to_string(),
                    Some(i) => raw[i].0.clone(),
                };
                return Err(err(
                    lineno,
                    format!(
                        "option {} in section {} already exists",
                        py_repr(&key),
                        py_repr(&name)
                    ),
                ));
            }
            let options = match sect {
                None => &mut defaults,
                Some(i) => &mut raw[i].1,
            };
            options.push((key.clone(), vec![value]));
            option = Some(key);
        }
        let join = |lines: Vec<String>| lines.join("\n").trim_end().to_string();
        ini.defaults = defaults.into_iter().map(|(k, v)| (k, join(v))).collect();
        ini.sections = raw
            .into_iter()
            .map(|(name, options)| {
                (
                    name,
                    options.into_iter().map(|(k, v)| (k, join(v))).collect(),
                )
            })
            .collect();
        Ok(ini)
    }
}

/// Options of one section while reading: key and value lines.
type RawOptions = Vec<(String, Vec<String>)>;

/// configparser's `\[(?P<header>.+)\]` matched at the start of a stripped
/// line: everything between the first `[` and the last `]`.
fn section_header(stripped: &str) -> Option<&str> {
    let body = stripped.strip_prefix('[')?;
    let close = body.rfind(']')?;
    (close > 0).then(|| &body[..close])
}

// ---------------------------------------------------------------------------
// covmerge's own settings.

/// An expectation about the inputs: a number, or the names that must all
/// be present (worker ids, platform descriptions).
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    Count(usize),
    Names(Vec<String>),
}

/// covmerge's settings: `covmerge.toml`, or `[tool.covmerge]` in
/// `pyproject.toml`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CovmergeConfig {
    /// The file the settings came from, if any.
    pub file: Option<PathBuf>,
    /// `data_dir`: where `record`/`run` write and `combine` reads by default.
    pub data_dir: Option<PathBuf>,
    /// `header`: `default`, `pytest-cov` or `none`.
    pub header: Option<HeaderStyle>,
    /// `width`: the width of the header lines.
    pub width: Option<usize>,
    /// `expect_workers`: how many workers (or which) must have contributed.
    pub expect_workers: Option<Expected>,
    /// `expect_platforms`: how many platforms (or which) must have contributed.
    pub expect_platforms: Option<Expected>,
    /// `exports`: the exports to write after combining, e.g. `["json", "lcov"]`.
    pub exports: Vec<String>,
}

const COVMERGE_KEYS: &[&str] = &[
    "data_dir",
    "header",
    "width",
    "expect_workers",
    "expect_platforms",
    "exports",
];

/// Read covmerge's settings for a run in `dir`: `covmerge.toml`, else
/// `[tool.covmerge]` in `pyproject.toml`, else defaults.
pub fn load_covmerge_config(dir: &Path, warn: &mut dyn FnMut(String)) -> Result<CovmergeConfig> {
    for name in ["covmerge.toml", "pyproject.toml"] {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            continue;
        };
        let shown = Path::new(name);
        let text = decode(&bytes, shown)?;
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            Error::parse(shown, None, format!("invalid TOML: {}", e.message()))
        })?;
        let (section, table) = if name == "covmerge.toml" {
            ("covmerge.toml".to_string(), table)
        } else {
            match toml_section(&table, "tool.covmerge") {
                Some(toml::Value::Table(t)) => ("tool.covmerge".to_string(), t.clone()),
                Some(_) => {
                    return Err(Error::Usage(format!(
                        "{name}: [tool.covmerge] must be a table"
                    )))
                }
                None => continue,
            }
        };
        return covmerge_from_table(shown, &section, &table, warn).map(|mut c| {
            c.file = Some(shown.to_path_buf());
            c
        });
    }
    Ok(CovmergeConfig::default())
}

fn covmerge_from_table(
    file: &Path,
    section: &str,
    table: &toml::Table,
    warn: &mut dyn FnMut(String),
) -> Result<CovmergeConfig> {
    let bad = |key: &str, v: &toml::Value, what: &str| {
        let where_ = if section.ends_with(".toml") {
            String::new()
        } else {
            format!("[{section}] ")
        };
        Error::Usage(format!("{}: {where_}{key}: {v} {what}", file.display()))
    };
    let mut config = CovmergeConfig::default();
    for (key, value) in table {
        match key.as_str() {
            "data_dir" => match value.as_str() {
                Some(s) if !s.is_empty() => config.data_dir = Some(PathBuf::from(s)),
                _ => return Err(bad(key, value, "is not a directory name")),
            },
            "header" => {
                config.header =
                    Some(value.as_str().and_then(HeaderStyle::parse).ok_or_else(|| {
                        bad(key, value, "is not one of default, pytest-cov, none")
                    })?)
            }
            "width" => match value.as_integer() {
                Some(w) if w > 0 => config.width = usize::try_from(w).ok(),
                _ => return Err(bad(key, value, "is not a positive integer")),
            },
            "expect_workers" | "expect_platforms" => {
                let expected = match value {
                    toml::Value::Integer(n) if *n > 0 => Expected::Count(*n as usize),
                    toml::Value::Array(items) if !items.is_empty() => Expected::Names(
                        items
                            .iter()
                            .map(|i| i.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| {
                                bad(key, value, "is not a positive integer or a list of strings")
                            })?,
                    ),
                    _ => {
                        return Err(bad(
                            key,
                            value,
                            "is not a positive integer or a list of strings",
                        ))
                    }
                };
                if key == "expect_workers" {
                    config.expect_workers = Some(expected);
                } else {
                    config.expect_platforms = Some(expected);
                }
            }
            "exports" => {
                config.exports = value
                    .as_array()
                    .and_then(|items| {
                        items
                            .iter()
                            .map(|i| i.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| bad(key, value, "is not a list of strings"))?;
            }
            other => {
                debug_assert!(!COVMERGE_KEYS.contains(&other));
                warn(format!(
                    "unknown setting {other:?} in {}{} ignored (known: {})",
                    file.display(),
                    if section.ends_with(".toml") {
                        String::new()
                    } else {
                        format!(" [{section}]")
                    },
                    COVMERGE_KEYS.join(", ")
                ));
            }
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "covmerge-config-{tag}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn load(dir: &Path, rcfile: Option<&str>) -> (Result<CoverageConfig>, Vec<String>) {
        let env = env_of(&[("HOME", "/home/me"), ("PROJ", "proj")]);
        let mut warnings = Vec::new();
        let r = load_coverage_config(dir, rcfile.map(Path::new), &env, &mut |w| warnings.push(w));
        (r, warnings)
    }

    #[test]
    fn configparser_multiline_comments_and_defaults() {
        let text = "[DEFAULT]\nshared = yes\n\n[report]\nomit =\n    pkg/a.py,  pkg/b.py\n    # a comment\n\n    pkg/c.py\nSHOW_MISSING: True\nsort = -Cover\n[paths]\nsource =\n    src/\n    */src/\n    C:\\a\\src\\\nother = lib/\n  */lib/\n";
        let ini = Ini::parse(text, Path::new("x.cfg")).unwrap();
        assert_eq!(
            ini.get("report", "omit"),
            Some("\npkg/a.py,  pkg/b.py\n\npkg/c.py")
        );
        assert_eq!(ini.get("report", "show_missing"), Some("True"));
        assert_eq!(ini.get("report", "shared"), Some("yes"));
        assert_eq!(ini.options("paths"), vec!["source", "other", "shared"]);
        assert_eq!(ini.get("paths", "other"), Some("lib/\n*/lib/"));
        let err = Ini::parse("[a]\nx = 1\n[a]\n", Path::new("x.cfg")).unwrap_err();
        assert_eq!(err.to_string(), "x.cfg:3: section 'a' already exists");
        let err = Ini::parse("[a]\nx = 1\nX = 2\n", Path::new("x.cfg")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.cfg:3: option 'x' in section 'a' already exists"
        );
        assert!(Ini::parse("x = 1\n", Path::new("x.cfg")).is_err());
        assert!(Ini::parse("[a]\njunk\n", Path::new("x.cfg")).is_err());
        // No inline comments, no % interpolation.
        let ini = Ini::parse("[r]\nprecision = 2 # two\np = 50%\n", Path::new("x")).unwrap();
        assert_eq!(ini.get("r", "precision"), Some("2 # two"));
        assert_eq!(ini.get("r", "p"), Some("50%"));
    }

    #[test]
    fn variables_are_substituted_as_coveragepy_does() {
        let env = env_of(&[("A", "x"), ("EMPTY", "")]);
        let s = |t: &str| substitute_variables(t, &env);
        assert_eq!(
            s("$A/${A}/$$/${B-def}/${A-def}/$B/$").unwrap(),
            "x/x/$/def/x//$"
        );
        assert_eq!(s("${EMPTY?}").unwrap(), "");
        assert_eq!(s("${B?}").unwrap_err(), "Variable B is undefined: '${B?}'");
    }

    #[test]
    fn lookup_order_and_which_files_count() {
        let dir = tempdir("order");
        // setup.cfg without coverage sections does not count; tox.ini does.
        std::fs::write(dir.join("setup.cfg"), "[metadata]\nname = x\n").unwrap();
        std::fs::write(dir.join("tox.ini"), "[coverage:report]\nprecision = 1\n").unwrap();
        std::fs::write(
            dir.join("pyproject.toml"),
            "[tool.coverage.report]\nprecision = 3\n",
        )
        .unwrap();
        let (c, _) = load(&dir, None);
        let c = c.unwrap();
        assert_eq!(c.file.as_deref(), Some(Path::new("tox.ini")));
        assert_eq!(c.report.precision, Some(1));
        // In tox.ini a plain [report] section is not coverage.py's.
        std::fs::write(dir.join("tox.ini"), "[report]\nprecision = 1\n").unwrap();
        let (c, _) = load(&dir, None);
        assert_eq!(c.unwrap().report.precision, Some(3));
        // An empty .coveragerc counts, and hides everything else.
        std::fs::write(dir.join(".coveragerc"), "").unwrap();
        let (c, _) = load(&dir, None);
        let c = c.unwrap();
        assert_eq!(c.file.as_deref(), Some(Path::new(".coveragerc")));
        assert_eq!(c.report.precision, None);
        // .coveragerc.toml comes before setup.cfg but after .coveragerc.
        std::fs::remove_file(dir.join(".coveragerc")).unwrap();
        std::fs::write(dir.join(".coveragerc.toml"), "[report]\nprecision = 4\n").unwrap();
        let (c, _) = load(&dir, None);
        assert_eq!(c.unwrap().report.precision, Some(4));
        // An explicit file must exist.
        let (c, _) = load(&dir, Some("nope.cfg"));
        assert_eq!(
            c.unwrap_err().to_string(),
            "Couldn't read 'nope.cfg' as a config file"
        );
    }

    #[test]
    fn values_types_and_errors() {
        let dir = tempdir("values");
        let rc = dir.join("rc");
        std::fs::write(
            &rc,
            "[run]\nrelative_files = on\nbranch = True\n[report]\nfail_under = 80.5\nprecision = 2\nshow_missing = yes\nskip_covered = 0\nomit = pkg/unused.py, */tests/*\nsort = Cover\nbogus = 1\n[json]\noutput = ~/out/$PROJ.json\n[lcov]\noutput = cov.lcov\n[html]\ndirectory = h\n",
        )
        .unwrap();
        let (c, warnings) = load(&dir, Some(rc.to_str().unwrap()));
        let c = c.unwrap();
        assert!(c.relative_files);
        assert_eq!(c.report.fail_under, Some(80.5));
        assert_eq!(c.report.precision, Some(2));
        assert_eq!(c.report.show_missing, Some(true));
        assert_eq!(c.report.skip_covered, Some(false));
        assert_eq!(c.report.skip_empty, None);
        assert_eq!(c.report.sort.as_deref(), Some("Cover"));
        assert_eq!(
            c.report.omit,
            Some(vec!["pkg/unused.py".to_string(), "*/tests/*".to_string()])
        );
        assert_eq!(c.json_output(), "/home/me/out/proj.json");
        assert_eq!(c.lcov_output(), "cov.lcov");
        assert_eq!(c.xml_output(), "coverage.xml");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("Unrecognized option '[report] bogus=' in config file"));

        for (text, message) in [
            (
                "[report]\nprecision = x\n",
                "[report] precision: 'x' is not a non-negative integer",
            ),
            (
                "[report]\nshow_missing = maybe\n",
                "[report] show_missing: 'maybe' is not a boolean",
            ),
            (
                "[coverage:report]\nfail_under = lots\n",
                "[coverage:report] fail_under: 'lots' is not a number",
            ),
        ] {
            std::fs::write(&rc, text).unwrap();
            let (c, _) = load(&dir, Some(rc.to_str().unwrap()));
            assert_eq!(
                c.unwrap_err().to_string(),
                format!("{}: {message}", rc.display())
            );
        }
    }

    #[test]
    fn toml_forms() {
        let dir = tempdir("toml");
        std::fs::write(
            dir.join("pyproject.toml"),
            "[tool.coverage.run]\nrelative_files = true\n[tool.coverage.report]\nfail_under = 80\nprecision = \"2\"\nskip_covered = \"true\"\nomit = [\"pkg/unused.py\"]\n[tool.coverage.paths]\nsource = [\"src/\", \"*/src/\"]\n[tool.coverage.xml]\noutput = \"cobertura.xml\"\n",
        )
        .unwrap();
        let (c, _) = load(&dir, None);
        let c = c.unwrap();
        assert_eq!(c.file.as_deref(), Some(Path::new("pyproject.toml")));
        assert!(c.relative_files);
        assert_eq!(c.report.fail_under, Some(80.0));
        assert_eq!(c.report.precision, Some(2));
        assert_eq!(c.report.skip_covered, Some(true));
        assert_eq!(c.report.omit, Some(vec!["pkg/unused.py".to_string()]));
        assert_eq!(
            c.paths,
            vec![(
                "source".to_string(),
                vec!["src/".to_string(), "*/src/".to_string()]
            )]
        );
        assert_eq!(c.xml_output(), "cobertura.xml");
        std::fs::write(
            dir.join("pyproject.toml"),
            "[tool.coverage.report]\nomit = \"pkg/unused.py\"\nskip_covered = \"yes\"\n",
        )
        .unwrap();
        let (c, _) = load(&dir, None);
        assert_eq!(
            c.unwrap_err().to_string(),
            "pyproject.toml: [tool.coverage.report] skip_covered: 'yes' is not a boolean"
        );
        // Plain [report] in an auto-found pyproject.toml is not coverage.py's.
        std::fs::write(dir.join("pyproject.toml"), "[report]\nprecision = 2\n").unwrap();
        let (c, _) = load(&dir, None);
        assert_eq!(c.unwrap(), CoverageConfig::default());
    }

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

    #[test]
    fn covmerge_settings() {
        let dir = tempdir("own");
        std::fs::write(
            dir.join("pyproject.toml"),
            "[tool.covmerge]\ndata_dir = \"cov-data\"\nheader = \"pytest-cov\"\nwidth = 100\nexpect_workers = 4\nexpect_platforms = [\"platform linux, python 3.12.1-final-0\"]\nexports = [\"json\", \"lcov\"]\ncolour = true\n",
        )
        .unwrap();
        let mut warnings = Vec::new();
        let c = load_covmerge_config(&dir, &mut |w| warnings.push(w)).unwrap();
        assert_eq!(c.data_dir, Some(PathBuf::from("cov-data")));
        assert_eq!(c.header, Some(HeaderStyle::PytestCov));
        assert_eq!(c.width, Some(100));
        assert_eq!(c.expect_workers, Some(Expected::Count(4)));
        assert_eq!(
            c.expect_platforms,
            Some(Expected::Names(vec![
                "platform linux, python 3.12.1-final-0".into()
            ]))
        );
        assert_eq!(c.exports, vec!["json", "lcov"]);
        assert_eq!(warnings.len(), 1);
        // covmerge.toml wins over pyproject.toml.
        std::fs::write(dir.join("covmerge.toml"), "width = 0\n").unwrap();
        let err = load_covmerge_config(&dir, &mut |_| {}).unwrap_err();
        assert_eq!(
            err.to_string(),
            "covmerge.toml: width: 0 is not a positive integer"
        );
    }
}
