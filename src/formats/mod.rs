//! Input and output formats, one module each, behind [`InputFormat`].
//!
//! A reader turns a file's text into [`CoverageData`] with the paths as the
//! file wrote them; path normalisation happens later, in [`crate::paths`].
//! The format is detected from the content, never from the file name.

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::CoverageData;

pub mod coveragepy_json;
pub mod lcov;
pub mod native;

/// Something a reader wants the user to know that does not stop the read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub line: Option<usize>,
    pub message: String,
}

/// The warnings of one read. Only the first [`Diagnostics::LIMIT`] are
/// kept, so a file with millions of bad lines cannot exhaust memory or
/// flood the terminal; the rest are counted in `suppressed`.
#[derive(Default, Debug)]
pub struct Diagnostics {
    pub warnings: Vec<Warning>,
    pub suppressed: usize,
}

impl Diagnostics {
    pub const LIMIT: usize = 20;

    pub fn warn(&mut self, line: Option<usize>, message: impl Into<String>) {
        if self.warnings.len() >= Self::LIMIT {
            self.suppressed += 1;
            return;
        }
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }

    /// The warnings as `path:line: message` texts, with a last line
    /// counting the ones left out.
    pub fn messages(&self, path: &Path) -> Vec<String> {
        let mut out: Vec<String> = self
            .warnings
            .iter()
            .map(|w| match w.line {
                Some(line) => format!("{}:{}: {}", path.display(), line, w.message),
                None => format!("{}: {}", path.display(), w.message),
            })
            .collect();
        if self.suppressed > 0 {
            out.push(format!(
                "{}: {} more warnings not shown",
                path.display(),
                self.suppressed
            ));
        }
        out
    }
}

/// The interface every input format implements.
pub trait InputFormat: Sync {
    /// The name users see, e.g. in `converted_from`.
    fn name(&self) -> &'static str;
    /// Does this text look like this format? Cheap: looks at the start only.
    fn detect(&self, text: &str) -> bool;
    /// Parse the whole text. `path` is only used in messages.
    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData>;
}

/// All readers, most specific first.
pub const READERS: &[&dyn InputFormat] = &[
    &native::Native,
    &coveragepy_json::CoveragePyJson,
    &lcov::Lcov,
];

/// A parsed input together with what read it.
pub struct Parsed {
    pub format: &'static str,
    pub data: CoverageData,
    pub diagnostics: Diagnostics,
}

/// Decode bytes as UTF-8 text without a BOM. Invalid bytes are replaced
/// (with a warning) so that one odd path does not lose a whole file.
pub fn decode<'a>(bytes: &'a [u8], diag: &mut Diagnostics) -> std::borrow::Cow<'a, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(err) => {
            diag.warn(
                None,
                format!(
                    "not valid UTF-8 (first bad byte at offset {}); bad bytes were replaced with U+FFFD",
                    err.valid_up_to()
                ),
            );
            String::from_utf8_lossy(bytes)
        }
    }
}

/// Detect the format of `bytes` and read them.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed> {
    let mut diagnostics = Diagnostics::default();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::parse(path, None, "file is empty"));
    }
    let text = decode(bytes, &mut diagnostics);
    let reader = READERS
        .iter()
        .find(|r| r.detect(&text))
        .ok_or_else(|| Error::UnknownFormat {
            path: path.to_path_buf(),
        })?;
    let data = reader.read(path, &text, &mut diagnostics)?;
    Ok(Parsed {
        format: reader.name(),
        data,
        diagnostics,
    })
}

/// Read and parse a file.
pub fn read_file(path: &Path) -> Result<Parsed> {
    let bytes = read_input_bytes(path)?;
    parse(path, &bytes)
}

/// Read an input's bytes. Only regular files (or links to them) are read:
/// a FIFO would block forever and `/dev/zero` would never end.
pub fn read_input_bytes(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a pipe, socket or device)"
        };
        return Err(Error::parse(path, None, format!("{what}; not read")));
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// The first non-whitespace bytes of `text`, for cheap detection.
pub(crate) fn head(text: &str) -> &str {
    let trimmed = text.trim_start();
    let end = trimmed
        .char_indices()
        .nth(4096)
        .map(|(i, _)| i)
        .unwrap_or(trimmed.len());
    &trimmed[..end]
}

/// Deserialize a JSON object as its list of entries, keeping repeated
/// keys (serde's maps would silently keep only the last one).
pub(crate) fn entries<'de, D, V>(deserializer: D) -> std::result::Result<Vec<(String, V)>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: serde::Deserialize<'de>,
{
    struct Entries<V>(std::marker::PhantomData<V>);
    impl<'de, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Entries<V> {
        type Value = Vec<(String, V)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry::<String, V>()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Entries(std::marker::PhantomData))
}

/// Where a serde_json error happened, for messages.
pub(crate) fn json_error(path: &Path, err: serde_json::Error) -> Error {
    let line = if err.line() > 0 {
        Some(err.line())
    } else {
        None
    };
    let mut message = err.to_string();
    // serde_json appends " at line L column C"; we print the line ourselves.
    if let Some(pos) = message.rfind(" at line ") {
        let column = err.column();
        message.truncate(pos);
        message = format!("{message} (column {column})");
    }
    Error::parse(path, line, format!("invalid JSON: {message}"))
}
