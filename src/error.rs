//! One error type for the library. Every error that comes from outside
//! (a file, a flag, a config value) says where it came from.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum Error {
    /// Reading or writing a file failed.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file's content is not what its format promises.
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// A file whose format we could not recognise.
    UnknownFormat { path: PathBuf },
    /// A bad option or configuration value; the text says which.
    Usage(String),
    /// Anything else worth telling the user, already worded.
    Other(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

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
