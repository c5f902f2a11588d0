//! Input and output formats, one module each, behind [`InputFormat`].
//!
//! A reader turns a file's text into [`CoverageData`] with the paths as the
//! file wrote them; path normalisation happens later, in [`crate::paths`].
//! The format is detected from the content, never from the file name.

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::CoverageData;

pub mod cobertura;
pub mod coveragepy_json;
pub mod coveragepy_sqlite;
pub mod gcov_json;
pub mod gcovr_json;
pub mod go;
pub mod istanbul;
pub mod jacoco;
pub mod lcov;
pub mod native;
mod xml;

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
    /// Binary formats only: does this content look like this format?
    /// Checked on the raw bytes, before they are decoded as text. Text
    /// formats keep the default (`false`).
    fn detect_bytes(&self, _bytes: &[u8]) -> bool {
        false
    }
    /// Binary formats only: parse the raw bytes. Called only when
    /// [`InputFormat::detect_bytes`] said yes; the default decodes the bytes
    /// as text and calls [`InputFormat::read`].
    fn read_bytes(
        &self,
        path: &Path,
        bytes: &[u8],
        diag: &mut Diagnostics,
    ) -> Result<CoverageData> {
        let text = decode(bytes, diag);
        self.read(path, &text, diag)
    }
}

/// All readers, most specific first.
pub const READERS: &[&dyn InputFormat] = &[
    &native::Native,
    &gcov_json::GcovJson,
    &gcovr_json::GcovrJson,
    &coveragepy_json::CoveragePyJson,
    &coveragepy_sqlite::CoveragePySqlite,
    &lcov::Lcov,
    &cobertura::Cobertura,
    &jacoco::Jacoco,
    &go::Go,
    &istanbul::Istanbul,
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

/// The largest decompressed size of a gzip input (a gzip bomb stops here).
pub const MAX_GUNZIPPED: u64 = 1 << 30;

/// Detect the format of `bytes` and read them. Gzip-compressed input
/// (gcov writes `*.gcov.json.gz`) is decompressed first.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let unzipped = gunzip(path, bytes)?;
        if unzipped.starts_with(&[0x1f, 0x8b]) {
            return Err(Error::parse(path, None, "gzip inside gzip is not read"));
        }
        return parse(path, &unzipped);
    }
    let mut diagnostics = Diagnostics::default();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::parse(path, None, "file is empty"));
    }
    if let Some(reader) = READERS.iter().find(|r| r.detect_bytes(bytes)) {
        let data = reader.read_bytes(path, bytes, &mut diagnostics)?;
        return Ok(Parsed {
            format: reader.name(),
            data,
            diagnostics,
        });
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

fn gunzip(path: &Path, bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_GUNZIPPED + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::parse(path, None, format!("bad gzip data: {e}")))?;
    if out.len() as u64 > MAX_GUNZIPPED {
        return Err(Error::parse(
            path,
            None,
            format!("decompresses to more than {MAX_GUNZIPPED} bytes; not read"),
        ));
    }
    Ok(out)
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

/// A hit count written as text by a tool that may write dirty numbers
/// (formats.md rule 0.2): an unsigned integer is taken as is; a negative
/// number becomes 0, a float is truncated, anything beyond `u64::MAX`
/// saturates. The second value says what was changed, for a warning.
pub(crate) fn parse_count(text: &str) -> std::result::Result<(u64, Option<String>), String> {
    let text = text.trim();
    if let Ok(n) = text.parse::<u64>() {
        return Ok((n, None));
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(if text.starts_with('-') {
            (0, Some(format!("negative count {text} read as 0")))
        } else {
            (
                u64::MAX,
                Some(format!("count {text} is above 2^64-1, read as 2^64-1")),
            )
        });
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_nan() => Err(format!("bad count {text:?}")),
        Ok(x) => {
            // A count written as a float (lcov's Perl does) is worth a note
            // even when its value is a whole number.
            let (n, note) = count_from_f64(x, text);
            Ok((
                n,
                note.or_else(|| Some(format!("count {text} read as {n}"))),
            ))
        }
        Err(_) => Err(format!("bad count {text:?}")),
    }
}

/// A JSON number used as a count, with the same rules as [`parse_count`].
pub(crate) fn json_count(
    value: &serde_json::Value,
) -> std::result::Result<(u64, Option<String>), String> {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok((u, None))
            } else if let Some(i) = n.as_i64() {
                Ok((0, Some(format!("negative count {i} read as 0"))))
            } else {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if x.is_nan() {
                    return Err(format!("bad count {n}"));
                }
                Ok(count_from_f64(x, &n.to_string()))
            }
        }
        other => Err(format!(
            "count is not a number: {}",
            clip(&other.to_string())
        )),
    }
}

fn count_from_f64(x: f64, text: &str) -> (u64, Option<String>) {
    if x <= 0.0 {
        let note = (x < 0.0).then(|| format!("negative count {text} read as 0"));
        (0, note)
    } else if x >= u64::MAX as f64 {
        (
            u64::MAX,
            Some(format!("count {text} is above 2^64-1, read as 2^64-1")),
        )
    } else if x.fract() != 0.0 {
        (x as u64, Some(format!("count {text} read as {}", x as u64)))
    } else {
        (x as u64, None)
    }
}

/// A 1-based line number from a count-like value: `Ok(None)` for 0 (to be
/// dropped with a warning by the caller), an error otherwise.
pub(crate) fn line_number(text: &str) -> std::result::Result<Option<u32>, String> {
    let t = text.trim();
    match t.parse::<u32>() {
        Ok(0) => Ok(None),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(format!("bad line number {t:?}")),
    }
}

/// At most 80 characters of `text`, for messages.
pub(crate) fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirty_counts() {
        assert_eq!(parse_count("12").unwrap(), (12, None));
        assert_eq!(parse_count("-3").unwrap().0, 0);
        assert!(parse_count("-3").unwrap().1.is_some());
        assert_eq!(parse_count("1.5e1").unwrap().0, 15);
        assert_eq!(parse_count("99999999999999999999999").unwrap().0, u64::MAX);
        assert_eq!(parse_count("1e300").unwrap().0, u64::MAX);
        assert!(parse_count("x").is_err());
        assert!(parse_count("NaN").is_err());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"mode: set\na.go:1.1,2.2 1 1\n").unwrap();
        let parsed = parse(Path::new("c.out.gz"), &gz.finish().unwrap()).unwrap();
        assert_eq!(parsed.format, "go coverprofile");
        assert!(parse(Path::new("x.gz"), &[0x1f, 0x8b, 1, 2]).is_err());
        assert_eq!(json_count(&serde_json::json!(-2)).unwrap().0, 0);
        assert_eq!(json_count(&serde_json::json!(2.5)).unwrap().0, 2);
        assert!(json_count(&serde_json::json!("3")).is_err());
        assert_eq!(line_number("0").unwrap(), None);
        assert!(line_number("-1").is_err());
    }
}
