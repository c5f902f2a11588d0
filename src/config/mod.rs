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
//! `[html] extra_css`) are silently ignored; a bad value of an option covmerge
//! uses is an error naming the file, section and key.
//!
//! # covmerge's file
//!
//! [`load_covmerge_config`] reads `covmerge.toml` (top-level keys), else
//! `[tool.covmerge]` in `pyproject.toml`.
//!
//! # Where things are
//!
//! | file | concern |
//! | --- | --- |
//! | `lookup.rs` | which file counts, in coverage.py's order |
//! | `file.rs` | reading a file: regular files only, a size limit, warnings capped |
//! | `coverage.rs` | coverage.py's settings read from one file; `--paths FILE` |
//! | `doc.rs` | INI and TOML behind one interface |
//! | `ini.rs` | configparser's INI syntax |
//! | `values.rs` | typed values: booleans, numbers, lists, file names |
//! | `vars.rs` | `$VAR` substitution and `~` |
//! | `covmerge.rs` | covmerge's own settings |

mod coverage;
mod covmerge;
mod doc;
mod file;
mod ini;
mod lookup;
mod values;
mod vars;

pub use coverage::{read_coverage_file, read_paths_file, CoverageConfig, ReportSettings};
pub use covmerge::{load_covmerge_config, CovmergeConfig, Expected, HeaderStyle};
pub use file::{MAX_CONFIG_BYTES, MAX_WARNINGS};
pub use lookup::load_coverage_config;
pub use vars::substitute_variables;

use std::path::Path;

use crate::error::{Error, Result};

/// How to look up an environment variable (`std::env::var` in the binary;
/// a map in tests).
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// UTF-8, with an optional byte order mark (Python's `utf-8-sig`).
fn decode(bytes: &[u8], shown: &Path) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec())
        .map_err(|_| Error::parse(shown, None, "Couldn't read config file: not UTF-8"))
}

#[cfg(test)]
pub(crate) mod testing {
    use std::collections::HashMap;
    use std::path::PathBuf;

    pub(crate) fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    pub(crate) fn tempdir(tag: &str) -> PathBuf {
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
}
