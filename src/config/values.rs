//! Typed values of one file: strings, file names, booleans, numbers and
//! lists, with errors naming the file, section and key.

use std::path::Path;

use super::doc::{Doc, Raw};
use super::vars::{expand_user, substitute_variables};
use super::EnvLookup;
use crate::error::{Error, Result};
use crate::pyfmt::py_repr;

/// Typed reads of one file's values, with errors naming file and key.
pub(super) struct Reader<'a> {
    pub(super) doc: &'a Doc,
    pub(super) file: &'a Path,
    pub(super) env: EnvLookup<'a>,
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

    pub(super) fn string(&self, section: &str, option: &str) -> Result<Option<String>> {
        let Some((real, raw)) = self.raw(section, option) else {
            return Ok(None);
        };
        match self.text(&real, option, &raw)? {
            Some(s) => Ok(Some(s)),
            None => Err(self.bad(&real, option, format!("{} is not a string", shown(&raw)))),
        }
    }

    pub(super) fn file(&self, section: &str, option: &str) -> Result<Option<String>> {
        Ok(self
            .string(section, option)?
            .map(|s| expand_user(&s, self.env)))
    }

    pub(super) fn boolean(&self, section: &str, option: &str) -> Result<Option<bool>> {
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

    pub(super) fn integer(&self, section: &str, option: &str) -> Result<Option<usize>> {
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

    pub(super) fn float(&self, section: &str, option: &str) -> Result<Option<f64>> {
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

    pub(super) fn list(&self, section: &str, option: &str) -> Result<Option<Vec<String>>> {
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
