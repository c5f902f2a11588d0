//! Worker-side checks made before a test run starts: asking the Python
//! interpreter for its platform description, and making sure the data
//! directory can be written. Both run before `covmerge run` starts the
//! tests, so that a bad `--python` or `--data-dir` does not cost a whole
//! test run.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::child::{Bounds, Finished};
use crate::error::{Error, Result};

/// How long the interpreter may take to answer, unless
/// `COVMERGE_PROBE_TIMEOUT` (seconds) says otherwise. A cold interpreter on
/// a busy CI machine starts in well under a second.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

/// The most the probe reads of what the interpreter prints (each stream).
pub const PROBE_OUTPUT_LIMIT: usize = 4096;

const PROBE_CODE: &str = "import sys; print('platform %s, python %s.%s.%s-%s-%s' % ((sys.platform,) + tuple(sys.version_info[:5])))";

/// The time limit: `COVMERGE_PROBE_TIMEOUT` if it is a positive number of
/// seconds, else [`PROBE_TIMEOUT`].
pub fn probe_timeout() -> Duration {
    std::env::var("COVMERGE_PROBE_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(PROBE_TIMEOUT)
}

/// The platform description pytest-cov would print for the Python at
/// `python` (`platform linux, python 3.11.7-final-0`), asked with a time
/// limit; at most [`PROBE_OUTPUT_LIMIT`] bytes are read, and the answer
/// must be one printable line.
pub fn probe_python(python: &Path, timeout: Duration) -> Result<String> {
    let bounds = Bounds {
        timeout,
        stdout: PROBE_OUTPUT_LIMIT as u64,
        // A long traceback is cut, not an error of its own.
        stderr: PROBE_OUTPUT_LIMIT as u64,
        linger: timeout,
    };
    let finished = crate::child::run(Command::new(python).args(["-c", PROBE_CODE]), None, bounds)
        .map_err(|e| Error::io(python, e))?;
    let failed = |why: String| {
        Error::Other(format!(
            "{}: probing the interpreter failed{why}",
            python.display()
        ))
    };
    let (status, out, err) = match finished {
        Finished::Exited {
            status,
            stdout,
            stderr,
        } => (status, stdout, stderr),
        Finished::TooMuchOutput => {
            return Err(failed(format!(
                ": the interpreter printed more than {PROBE_OUTPUT_LIMIT} bytes"
            )))
        }
        Finished::TimedOut | Finished::OutputHeldOpen => {
            return Err(failed(format!(
                ": the interpreter did not answer within {}",
                seconds(timeout)
            )))
        }
    };
    if !status.success() {
        return Err(failed(format!(
            " ({status}): {}",
            excerpt(String::from_utf8_lossy(&err).trim())
        )));
    }
    one_line(&out).ok_or_else(|| {
        Error::Other(format!(
            "{}: unexpected answer from the interpreter: {} (expected one line like 'platform linux, python 3.12.1-final-0')",
            python.display(),
            excerpt(&String::from_utf8_lossy(&out))
        ))
    })
}

/// The answer if it is one printable line starting `platform `.
fn one_line(out: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(out).ok()?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    let printable = !text.chars().any(char::is_control);
    (printable && text.starts_with("platform ") && text.len() > "platform ".len())
        .then(|| text.to_string())
}

/// At most 200 characters of `text`, escaped so that no control
/// character reaches the terminal.
fn excerpt(text: &str) -> String {
    let count = text.chars().count();
    let shown: String = text.chars().take(200).collect();
    let mut out = format!("{shown:?}");
    if count > 200 {
        out.push_str(&format!(" (and {} more characters)", count - 200));
    }
    out
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

/// Create `dir` if needed and check that a file can be created in it:
/// a hidden file, removed at once (combine never reads hidden names).
pub fn check_writable_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let probe = dir.join(format!(
        ".covmerge-write-check.{}",
        crate::output::unique_token()
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| {
            Error::Other(format!(
                "{}: the data directory is not writable: {e}",
                dir.display()
            ))
        })?;
    std::fs::remove_file(&probe).map_err(|e| Error::io(&probe, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_must_be_one_printable_platform_line() {
        let ok = "platform linux, python 3.12.1-final-0";
        assert_eq!(one_line(format!("{ok}\n").as_bytes()).as_deref(), Some(ok));
        assert_eq!(
            one_line(format!("{ok}\r\n").as_bytes()).as_deref(),
            Some(ok)
        );
        for bad in [
            "platform linux\nplatform darwin\n",
            "platform linux\x1b[31m\n",
            "platform \n",
            "Python 3.12.1\n",
            "platform linux\n\n",
            "",
        ] {
            assert_eq!(one_line(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(one_line(b"platform \xff\n"), None);
        let long = "x".repeat(500);
        let e = excerpt(&format!("\x1b]0;{long}"));
        assert!(e.starts_with("\"\\u{1b}]0;xxx"), "{e}");
        assert!(e.ends_with("(and 304 more characters)"), "{e}");
    }
}
