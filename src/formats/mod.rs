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

/// The warnings of one read.
#[derive(Default, Debug)]
pub struct Diagnostics {
    pub warnings: Vec<Warning>,
}

impl Diagnostics {
    pub fn warn(&mut self, line: Option<usize>, message: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
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
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse(path, &bytes)
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
