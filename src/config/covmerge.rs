//! covmerge's own settings: `covmerge.toml`, or `[tool.covmerge]` in
//! `pyproject.toml`.

use std::path::{Path, PathBuf};

use super::decode;
use super::doc::toml_section;
use super::file::{read_config, Capped, Found};
use crate::error::{Error, Result};

/// An expectation about the inputs: a number, or the names that must all
/// be present (worker ids, platform descriptions).
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// A number of workers or platforms.
    Count(usize),
    /// The workers or platforms by name (the count is their number).
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
    /// `python`: the interpreter whose coverage.py analyses raw data (`--python`).
    pub python: Option<PathBuf>,
}

const COVMERGE_KEYS: &[&str] = &[
    "data_dir",
    "header",
    "width",
    "expect_workers",
    "expect_platforms",
    "exports",
    "python",
];

/// Read covmerge's settings for a run in `dir`: `covmerge.toml`, else
/// `[tool.covmerge]` in `pyproject.toml`, else defaults.
pub fn load_covmerge_config(dir: &Path, warn: &mut dyn FnMut(String)) -> Result<CovmergeConfig> {
    for name in ["covmerge.toml", "pyproject.toml"] {
        let shown = Path::new(name);
        let bytes = match read_config(&dir.join(name), shown)? {
            Found::Bytes(bytes) => bytes,
            Found::Absent => continue,
            Found::NotAFile(what) => {
                warn(format!("{name}: {what}; skipped"));
                continue;
            }
        };
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
    let mut warnings = Capped::new(file, warn);
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
            "python" => match value.as_str() {
                Some(s) if !s.is_empty() => config.python = Some(PathBuf::from(s)),
                _ => return Err(bad(key, value, "is not an interpreter path")),
            },
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
                warnings.push(format!(
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

/// Which look the header has (`--header`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HeaderStyle {
    /// `-` fill, no blank lines, as in pytest-cov's documentation.
    #[default]
    Default,
    /// pytest-cov 7.x terminal output: `_` fill, a blank line after each
    /// header line, trailing spaces kept on the centred lines.
    PytestCov,
    /// No header.
    None,
}

impl HeaderStyle {
    /// `default`, `pytest-cov` or `none`.
    pub fn parse(text: &str) -> Option<HeaderStyle> {
        match text {
            "default" => Some(HeaderStyle::Default),
            "pytest-cov" => Some(HeaderStyle::PytestCov),
            "none" => Some(HeaderStyle::None),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::tempdir;
    use super::*;

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
