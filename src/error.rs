//! One error type for the library. Every error that comes from outside
//! (a file, a flag, a config value) says where it came from.

use std::fmt;
use std::path::{Path, PathBuf};

/// Every error covmerge reports; each names the file it is about.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file's content is not what its format promises.
    Parse {
        /// The file.
        path: PathBuf,
        /// The line, where there is one.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A file whose format we could not recognise.
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A bad option or configuration value; the text says which.
    Usage(String),
    /// Anything else worth telling the user, already worded.
    Other(String),
}

/// covmerge's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A content error in `path`, at `line` when known.
    pub fn parse(path: impl AsRef<Path>, line: Option<usize>, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.as_ref().to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            Error::Parse {
                path,
                line: Some(line),
                message,
            } => write!(f, "{}:{}: {}", path.display(), line, message),
            Error::Parse {
                path,
                line: None,
                message,
            } => write!(f, "{}: {}", path.display(), message),
            Error::UnknownFormat { path } => write!(
                f,
                "{}: not a coverage file covmerge can read (expected a covmerge data file, coverage.py JSON or data, LCOV, Cobertura or JaCoCo XML, a Go coverprofile, Istanbul, gcov or gcovr JSON)",
                path.display()
            ),
            Error::Usage(msg) | Error::Other(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
