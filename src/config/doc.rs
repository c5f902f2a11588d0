//! The two file syntaxes, INI and TOML, behind one interface.

use std::path::Path;

use super::ini::Ini;
use crate::error::{Error, Result};

pub(super) enum Doc {
    Ini { ini: Ini, our_file: bool },
    Toml { table: toml::Table, our_file: bool },
}

impl Doc {
    pub(super) fn parse(text: &str, shown: &Path, our_file: bool) -> Result<Doc> {
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
    pub(super) fn real_section(&self, section: &str) -> Option<String> {
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

    pub(super) fn options(&self, real: &str) -> Vec<String> {
        match self {
            Doc::Ini { ini, .. } => ini.options(real),
            Doc::Toml { table, .. } => toml_section(table, real)
                .and_then(|v| v.as_table())
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default(),
        }
    }

    pub(super) fn value(&self, real: &str, option: &str) -> Option<Raw<'_>> {
        match self {
            Doc::Ini { ini, .. } => ini.get(real, option).map(Raw::Ini),
            Doc::Toml { table, .. } => toml_section(table, real)
                .and_then(|v| v.as_table())
                .and_then(|t| t.get(option))
                .map(Raw::Toml),
        }
    }
}

pub(super) fn toml_section<'a>(table: &'a toml::Table, dotted: &str) -> Option<&'a toml::Value> {
    let mut parts = dotted.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
}

pub(super) enum Raw<'a> {
    Ini(&'a str),
    Toml(&'a toml::Value),
}
