//! Reading a configuration file the way inputs are read: only regular
//! files, never more than [`MAX_CONFIG_BYTES`], and every read error named.
//!
//! coverage.py opens whatever the name points at: a FIFO blocks forever and
//! `/dev/zero` is read until memory runs out. It skips a directory (and an
//! unreadable file) silently. covmerge skips a directory, FIFO, socket or
//! device with a warning when it was only looked for, refuses it when it
//! was named (`--rcfile`, `$COVERAGE_RCFILE`, `--paths`), and makes any
//! other read error an error naming the file.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The largest configuration file read. Real ones are kilobytes; this
/// leaves room for generated `[paths]` sections of 100 000+ entries.
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// What looking for a configuration file found.
pub(super) enum Found {
    /// Nothing by that name.
    Absent,
    /// Something that is not a regular file; the reason says what.
    NotAFile(&'static str),
    /// The file's bytes.
    Bytes(Vec<u8>),
}

/// Read `path` (`shown` in messages) if it is a regular file.
pub(super) fn read_config(path: &Path, shown: &Path) -> Result<Found> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if is_absent(&e) => return Ok(Found::Absent),
        Err(e) => return Err(Error::io(shown, e)),
    };
    if let Some(what) = not_a_file(&meta) {
        return Ok(Found::NotAFile(what));
    }
    let mut file = open_nonblocking(path).map_err(|e| Error::io(shown, e))?;
    // The name may have been swapped for something else since the check.
    let meta = file.metadata().map_err(|e| Error::io(shown, e))?;
    if let Some(what) = not_a_file(&meta) {
        return Ok(Found::NotAFile(what));
    }
    let mut bytes = Vec::new();
    (&mut file)
        .take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(shown, e))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(Error::parse(
            shown,
            None,
            format!(
                "larger than {} MiB; not read as a configuration file",
                MAX_CONFIG_BYTES >> 20
            ),
        ));
    }
    Ok(Found::Bytes(bytes))
}

/// A file that must be there (`--paths FILE`): absent or not a regular
/// file is an error naming it.
pub(super) fn read_required(path: &Path) -> Result<Vec<u8>> {
    match read_config(path, path)? {
        Found::Bytes(bytes) => Ok(bytes),
        Found::NotAFile(what) => Err(Error::parse(path, None, format!("{what}; not read"))),
        Found::Absent => Err(Error::io(
            path,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        )),
    }
}

fn is_absent(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

fn not_a_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    if meta.is_file() {
        None
    } else if meta.is_dir() {
        Some("a directory")
    } else {
        Some("not a regular file (a pipe, socket or device)")
    }
}

/// Opening a FIFO for reading waits for a writer; non-blocking it does not
/// (and a regular file ignores the flag).
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Warnings about one configuration file, at most [`MAX_WARNINGS`] of
/// them, then one line counting the rest (as for input files).
pub(super) struct Capped<'a> {
    warn: &'a mut dyn FnMut(String),
    file: &'a Path,
    count: usize,
}

/// The most warnings shown for one configuration file.
pub const MAX_WARNINGS: usize = 20;

impl<'a> Capped<'a> {
    pub(super) fn new(file: &'a Path, warn: &'a mut dyn FnMut(String)) -> Self {
        Capped {
            warn,
            file,
            count: 0,
        }
    }

    pub(super) fn push(&mut self, message: String) {
        self.count += 1;
        if self.count <= MAX_WARNINGS {
            (self.warn)(message);
        }
    }
}

impl Drop for Capped<'_> {
    fn drop(&mut self) {
        if self.count > MAX_WARNINGS {
            (self.warn)(format!(
                "{}: {} more warnings not shown",
                self.file.display(),
                self.count - MAX_WARNINGS
            ));
        }
    }
}
