//! Worker-side checks made before a test run starts: asking the Python
//! interpreter for its platform description, and making sure the data
//! directory can be written. Both run before `covmerge run` starts the
//! tests, so that a bad `--python` or `--data-dir` does not cost a whole
//! test run.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
    let mut child = Command::new(python)
        .args(["-c", PROBE_CODE])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(python, e))?;
    let (tx, rx) = mpsc::channel();
    let stdout = child
        .stdout
        .take()
        .map(|s| read_limited(s, 0, false, tx.clone()));
    // A long traceback is cut, not an error of its own.
    let stderr = child.stderr.take().map(|s| read_limited(s, 1, true, tx));
    let deadline = Instant::now() + timeout;
    let mut outputs: [Option<Vec<u8>>; 2] = [None, None];
    let mut status = None;
    // Wait for the exit and both streams, the time limit, or too much output.
    let failure = loop {
        while let Ok((which, bytes)) = rx.try_recv() {
            outputs[which] = Some(bytes);
        }
        if outputs[0]
            .as_ref()
            .is_some_and(|b| b.len() > PROBE_OUTPUT_LIMIT)
        {
            break Some(format!(
                "the interpreter printed more than {PROBE_OUTPUT_LIMIT} bytes"
            ));
        }
        if status.is_none() {
            status = child.try_wait().map_err(|e| Error::io(python, e))?;
        }
        if status.is_some() && outputs.iter().all(Option::is_some) {
            break None;
        }
        if Instant::now() >= deadline {
            break Some(format!(
                "the interpreter did not answer within {}",
                seconds(timeout)
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(why) = failure {
        // A stuck or chatty interpreter is stopped, not waited for.
        if status.is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
        drop((stdout, stderr));
        return Err(Error::Other(format!(
            "{}: probing the interpreter failed: {why}",
            python.display()
        )));
    }
    let status = status.expect("the loop ends with a status");
    let [out, err] = outputs.map(Option::unwrap_or_default);
    if !status.success() {
        return Err(Error::Other(format!(
            "{}: probing the interpreter failed ({status}): {}",
            python.display(),
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

/// Read at most one byte more than the limit from `stream` in a thread
/// (then, with `drain`, discard the rest until the stream ends, so that the
/// writer never blocks), and send what was kept; the caller never blocks.
fn read_limited(
    mut stream: impl Read + Send + 'static,
    which: usize,
    drain: bool,
    tx: mpsc::Sender<(usize, Vec<u8>)>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = (&mut stream)
            .take(PROBE_OUTPUT_LIMIT as u64 + 1)
            .read_to_end(&mut bytes);
        if drain {
            let _ = std::io::copy(&mut stream, &mut std::io::sink());
        }
        let _ = tx.send((which, bytes));
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
