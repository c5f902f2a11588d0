//! Running a helper process (the user's Python interpreter) with a time
//! limit and bounded output: covmerge never waits on it forever, never
//! reads more than it allows, and never blocks on a pipe the child fills.
//! Used by the worker's interpreter probe and by coverage.py's analysis of
//! raw data.

use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// The limits a child runs under.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// How long the child may run before it is killed.
    pub timeout: Duration,
    /// The most bytes of standard output kept; more ends the run
    /// ([`Finished::TooMuchOutput`]).
    pub stdout: u64,
    /// The most bytes of standard error kept; the rest is read and dropped.
    pub stderr: u64,
    /// After the child exits, how long its output may take to end (a
    /// process it started may hold the pipe open).
    pub linger: Duration,
}

/// How a bounded run ended.
#[derive(Debug)]
pub enum Finished {
    /// The child exited and its output ended.
    Exited {
        /// Its exit status.
        status: ExitStatus,
        /// Its standard output (at most [`Bounds::stdout`] bytes).
        stdout: Vec<u8>,
        /// The start of its standard error (at most [`Bounds::stderr`] bytes).
        stderr: Vec<u8>,
    },
    /// Still running at the time limit; killed.
    TimedOut,
    /// Printed more than [`Bounds::stdout`] bytes; killed.
    TooMuchOutput,
    /// Exited, but its output did not end within [`Bounds::linger`].
    OutputHeldOpen,
}

/// Run `command` with `input` on its standard input (none: closed) within
/// `bounds`. Only starting the child can fail; how it ended is the answer.
pub fn run(
    command: &mut Command,
    input: Option<Vec<u8>>,
    bounds: Bounds,
) -> std::io::Result<Finished> {
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Plain threads and channels, not scoped threads: a grandchild that
    // keeps the pipes open must not keep covmerge waiting past the limits.
    if let (Some(mut stdin), Some(input)) = (child.stdin.take(), input) {
        std::thread::spawn(move || {
            // A child that exits early closes the pipe; its status says why.
            let _ = stdin.write_all(&input);
        });
    }
    let overflow = Arc::new(AtomicBool::new(false));
    let stdout = child.stdout.take().map(|s| {
        let overflow = overflow.clone();
        read_bounded(s, bounds.stdout + 1, false, move |kept| {
            if kept.len() as u64 > bounds.stdout {
                overflow.store(true, Ordering::Relaxed);
            }
        })
    });
    let stderr = child
        .stderr
        .take()
        .map(|s| read_bounded(s, bounds.stderr, true, |_| {}));
    let start = Instant::now();
    let status = loop {
        match child.try_wait()? {
            Some(status) => break status,
            None if overflow.load(Ordering::Relaxed) => {
                stop(&mut child);
                return Ok(Finished::TooMuchOutput);
            }
            None if start.elapsed() < bounds.timeout => {
                std::thread::sleep(Duration::from_millis(5))
            }
            None => {
                stop(&mut child);
                return Ok(Finished::TimedOut);
            }
        }
    };
    let until = Instant::now() + bounds.linger;
    let left = || until.saturating_duration_since(Instant::now());
    let Some(Ok(stdout)) = stdout.map(|rx| rx.recv_timeout(left())) else {
        return Ok(Finished::OutputHeldOpen);
    };
    if stdout.len() as u64 > bounds.stdout {
        return Ok(Finished::TooMuchOutput);
    }
    let stderr = stderr
        .and_then(|rx| rx.recv_timeout(left()).ok())
        .unwrap_or_default();
    Ok(Finished::Exited {
        status,
        stdout,
        stderr,
    })
}

fn stop(child: &mut std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Read at most `limit` bytes of `stream` in a thread (then, with `drain`,
/// read and drop the rest until it ends, so the writer never blocks), call
/// `seen` with them and send them.
fn read_bounded(
    mut stream: impl Read + Send + 'static,
    limit: u64,
    drain: bool,
    seen: impl FnOnce(&[u8]) + Send + 'static,
) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let _ = (&mut stream).take(limit).read_to_end(&mut kept);
        seen(&kept);
        if drain {
            let _ = std::io::copy(&mut stream, &mut std::io::sink());
        }
        let _ = tx.send(kept);
    });
    rx
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str, input: Option<&str>, bounds: Bounds) -> Finished {
        run(
            Command::new("sh").args(["-c", script]),
            input.map(|s| s.as_bytes().to_vec()),
            bounds,
        )
        .unwrap()
    }

    const BOUNDS: Bounds = Bounds {
        timeout: Duration::from_secs(20),
        stdout: 16,
        stderr: 8,
        linger: Duration::from_millis(300),
    };

    #[test]
    fn every_way_a_child_can_end() {
        match sh(
            "cat; echo oops >&2; yes e | head -c 100000 >&2",
            Some("hello"),
            BOUNDS,
        ) {
            Finished::Exited {
                status,
                stdout,
                stderr,
            } => {
                assert!(status.success());
                assert_eq!(stdout, b"hello");
                assert_eq!(stderr, b"oops\ne\ne");
            }
            other => panic!("{other:?}"),
        }
        let quick = Bounds {
            timeout: Duration::from_millis(200),
            ..BOUNDS
        };
        assert!(matches!(
            sh("exec sleep 10", None, quick),
            Finished::TimedOut
        ));
        assert!(matches!(
            sh("exec yes", None, BOUNDS),
            Finished::TooMuchOutput
        ));
        assert!(matches!(
            sh("sleep 10 & exit 0", None, BOUNDS),
            Finished::OutputHeldOpen
        ));
        match sh("exit 3", None, BOUNDS) {
            Finished::Exited { status, .. } => assert_eq!(status.code(), Some(3)),
            other => panic!("{other:?}"),
        }
    }
}
