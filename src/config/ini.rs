//! Python's configparser, as coverage.py uses it.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::pyfmt::py_repr;

/// One INI file as Python's `configparser.ConfigParser(interpolation=None)`
/// reads it. Sections and options are indexed by name, so reading and
/// looking up are linear in the file's size (a `[paths]` section may hold
/// many thousands of entries).
#[derive(Debug, Default)]
pub(super) struct Ini {
    defaults: Options<String>,
    sections: Options<Options<String>>,
}

/// Named entries in file order, with an index by name.
#[derive(Debug)]
pub(super) struct Options<V> {
    entries: Vec<(String, V)>,
    index: HashMap<String, usize>,
}

impl<V> Default for Options<V> {
    fn default() -> Self {
        Options {
            entries: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<V> Options<V> {
    fn get(&self, name: &str) -> Option<&V> {
        self.index.get(name).map(|&i| &self.entries[i].1)
    }

    fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Add an entry; the caller has checked that the name is new.
    fn push(&mut self, name: String, value: V) -> usize {
        let i = self.entries.len();
        self.index.insert(name.clone(), i);
        self.entries.push((name, value));
        i
    }

    fn map<W>(self, f: impl Fn(V) -> W) -> Options<W> {
        Options {
            entries: self.entries.into_iter().map(|(k, v)| (k, f(v))).collect(),
            index: self.index,
        }
    }
}

impl Ini {
    pub(super) fn section(&self, name: &str) -> Option<&Options<String>> {
        self.sections.get(name)
    }

    /// The section's keys, then `[DEFAULT]` keys it does not override.
    pub(super) fn options(&self, name: &str) -> Vec<String> {
        let Some(own) = self.section(name) else {
            return Vec::new();
        };
        let mut out: Vec<String> = own.entries.iter().map(|(k, _)| k.clone()).collect();
        for (k, _) in &self.defaults.entries {
            if !own.contains(k) {
                out.push(k.clone());
            }
        }
        out
    }

    pub(super) fn get(&self, section: &str, option: &str) -> Option<&str> {
        let own = self.section(section)?;
        own.get(option)
            .or_else(|| self.defaults.get(option))
            .map(String::as_str)
    }

    pub(super) fn parse(text: &str, shown: &Path) -> Result<Ini> {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut parser = Parser {
            shown,
            defaults: Options::default(),
            sections: Options::default(),
            current: None,
            option: None,
            indent_level: 0,
            default_seen: false,
        };
        for (index, line) in text.split('\n').enumerate() {
            parser.line(index + 1, line)?;
        }
        // Values were built as lists of lines; configparser joins them and
        // strips the end.
        let join = |lines: Vec<String>| lines.join("\n").trim_end().to_string();
        Ok(Ini {
            defaults: parser.defaults.map(join),
            sections: parser.sections.map(|options| options.map(join)),
        })
    }
}

/// Which section receives options.
#[derive(Clone, Copy)]
enum Target {
    Defaults,
    Section(usize),
}

/// configparser's reading loop, one line at a time.
struct Parser<'a> {
    shown: &'a Path,
    defaults: Options<Vec<String>>,
    sections: Options<Options<Vec<String>>>,
    /// None before the first section header.
    current: Option<Target>,
    /// The option that continuation lines extend (its index).
    option: Option<usize>,
    indent_level: usize,
    default_seen: bool,
}

impl Parser<'_> {
    fn err(&self, line: usize, msg: String) -> Error {
        Error::parse(self.shown, Some(line), msg)
    }

    fn target(&mut self, target: Target) -> &mut Options<Vec<String>> {
        match target {
            Target::Defaults => &mut self.defaults,
            Target::Section(i) => &mut self.sections.entries[i].1,
        }
    }

    fn name_of(&self, target: Target) -> &str {
        match target {
            Target::Defaults => "DEFAULT",
            Target::Section(i) => &self.sections.entries[i].0,
        }
    }

    /// The lines of the option being continued, if any.
    fn continued(&mut self) -> Option<&mut Vec<String>> {
        let (target, option) = (self.current?, self.option?);
        Some(&mut self.target(target).entries[option].1)
    }

    fn line(&mut self, lineno: usize, line: &str) -> Result<()> {
        let stripped = line.trim();
        let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
        if stripped.is_empty() || is_comment {
            // An empty line may be inside a value; a comment line is not.
            if !is_comment {
                if let Some(lines) = self.continued() {
                    lines.push(String::new());
                }
            }
            return Ok(());
        }
        let indent = line.len() - line.trim_start().len();
        if indent > self.indent_level {
            if let Some(lines) = self.continued() {
                lines.push(stripped.to_string());
                return Ok(());
            }
        }
        self.indent_level = indent;
        if let Some(header) = section_header(stripped) {
            return self.header(lineno, header);
        }
        self.option_line(lineno, line, stripped)
    }

    fn header(&mut self, lineno: usize, header: &str) -> Result<()> {
        let seen = if header == "DEFAULT" {
            self.default_seen
        } else {
            self.sections.contains(header)
        };
        if seen {
            return Err(self.err(
                lineno,
                format!("section {} already exists", py_repr(header)),
            ));
        }
        self.current = Some(if header == "DEFAULT" {
            self.default_seen = true;
            Target::Defaults
        } else {
            Target::Section(self.sections.push(header.to_string(), Options::default()))
        });
        self.option = None;
        Ok(())
    }

    fn option_line(&mut self, lineno: usize, line: &str, stripped: &str) -> Result<()> {
        let Some(target) = self.current else {
            return Err(self.err(lineno, "File contains no section headers.".into()));
        };
        let parse_error = || format!("Source contains parsing errors: {}", py_repr(line));
        let Some(split) = stripped.find(['=', ':']) else {
            return Err(self.err(lineno, parse_error()));
        };
        let key = stripped[..split].trim_end().to_lowercase();
        if key.is_empty() {
            return Err(self.err(lineno, parse_error()));
        }
        if self.target(target).contains(&key) {
            let msg = format!(
                "option {} in section {} already exists",
                py_repr(&key),
                py_repr(self.name_of(target))
            );
            return Err(self.err(lineno, msg));
        }
        let value = stripped[split + 1..].trim().to_string();
        self.option = Some(self.target(target).push(key, vec![value]));
        Ok(())
    }
}

/// configparser's `\[(?P<header>.+)\]` matched at the start of a stripped
/// line: everything between the first `[` and the last `]`.
fn section_header(stripped: &str) -> Option<&str> {
    let body = stripped.strip_prefix('[')?;
    let close = body.rfind(']')?;
    (close > 0).then(|| &body[..close])
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
