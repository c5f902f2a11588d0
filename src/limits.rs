//! Numbers from the command line, the configuration and the environment,
//! checked where they come in (docs/RELIABILITY.md lists every range).

use std::path::Path;

use crate::error::{Error, Result};

/// Digits after the decimal point. coverage.py takes any number, but past
/// this a percentage only shows the binary expansion of a double, and
/// Rust's formatter panics at 65,536.
pub const MAX_PRECISION: usize = 100;

/// Width of the header lines and views. `$COLUMNS` beyond it is ignored
/// (as an unset one is); `--width` or `width` beyond it is an error.
pub const MAX_WIDTH: usize = 10_000;

/// Where a setting came from, for messages: the flag, else the file's key.
fn origin(flag: &str, flag_set: bool, file: Option<&Path>, key: &str) -> String {
    match file {
        Some(file) if !flag_set => format!("{}: {key}", file.display()),
        _ => flag.to_string(),
    }
}

/// The precision: `--precision` over coverage.py's `[report] precision`
/// (read from `file`), checked.
pub fn precision(
    flag: Option<usize>,
    setting: Option<usize>,
    file: Option<&Path>,
) -> Result<usize> {
    match flag.or(setting) {
        Some(p) if p > MAX_PRECISION => Err(Error::Usage(format!(
            "{} {p}: expected a number of digits from 0 to {MAX_PRECISION}",
            origin("--precision", flag.is_some(), file, "[report] precision =")
        ))),
        p => Ok(p.unwrap_or(0)),
    }
}

/// The width: `--width` over covmerge's `width` setting (from `file`), checked.
pub fn width(
    flag: Option<usize>,
    setting: Option<usize>,
    file: Option<&Path>,
) -> Result<Option<usize>> {
    match flag.or(setting) {
        Some(w) if w > MAX_WIDTH => Err(Error::Usage(format!(
            "{} {w}: expected a width of at most {MAX_WIDTH} columns",
            origin("--width", flag.is_some(), file, "width =")
        ))),
        w => Ok(w),
    }
}

/// `$COLUMNS` as a width, if it is one: a number from 1 to [`MAX_WIDTH`].
pub fn columns_env(text: &str) -> Option<usize> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|c| (1..=MAX_WIDTH).contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(precision(Some(100), None, None).unwrap(), 100);
        assert_eq!(precision(None, None, None).unwrap(), 0);
        let e = precision(Some(65536), Some(1), None).unwrap_err();
        assert!(e.to_string().contains("--precision 65536"), "{e}");
        let e = precision(None, Some(65536), Some(Path::new(".coveragerc"))).unwrap_err();
        assert!(
            e.to_string()
                .contains(".coveragerc: [report] precision = 65536"),
            "{e}"
        );
        assert!(width(Some(100_000_000_000), None, None).is_err());
        assert_eq!(width(None, Some(100), None).unwrap(), Some(100));
        assert_eq!(columns_env("120"), Some(120));
        assert_eq!(columns_env("100000000000"), None);
        assert_eq!(columns_env("0"), None);
    }
}
