//! The launcher behind `covmerge run`: which reports the test command
//! wrote, and running the command as a wrapper such as `time` or `timeout`
//! does.
//!
//! **Freshness by identity.** Before the command starts, each `--report`
//! path's state is noted: absent, or size, modification time, change time,
//! device and inode. Afterwards a report counts as this run's only if it
//! appeared or any of these changed. Clocks are never compared, so a report
//! left by an earlier run is never taken for a new one, whatever its time
//! (a clock skewed into the future included). The user's file is never
//! renamed or deleted to find out. (Windows: size and modification time.)
//!
//! **Signals.** While the command runs, SIGINT, SIGTERM and SIGHUP do not
//! stop covmerge: they are passed on to the command and covmerge waits for
//! it to end, then records what it wrote and exits with its status.
//! Without a terminal on stdin (CI), the command runs in a process group of
//! its own and every signal is passed to that group exactly once, whether
//! it was sent to covmerge alone or to covmerge's group. With a terminal,
//! the command stays in covmerge's group so that it can use the terminal;
//! the terminal's own signals (Ctrl-C, hang-up) already reach it, so only
//! signals sent by a process are passed on. Once the command has ended, a
//! first signal is ignored (it may be the same Ctrl-C arriving late) and a
//! second one ends covmerge as it normally would.
//!
//! **The command never outlives covmerge.** On Linux the command gets
//! SIGKILL when covmerge dies (`PR_SET_PDEATHSIG`), even by SIGKILL. Other
//! Unix systems have no such call: there a SIGKILLed covmerge leaves the
//! command running (any catchable signal is still passed on first).
//! Windows has no signals to forward; the console delivers Ctrl-C to the
//! command and covmerge alike.

use std::path::Path;
use std::process::{Command, ExitStatus};

/// A report path's identity before the command ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportState(Option<Identity>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Identity {
    len: u64,
    modified: Option<std::time::SystemTime>,
    /// Device, inode, change time (seconds, nanoseconds): a rewrite in the
    /// same clock tick with the same size still changes the change time
    /// where the file system keeps nanoseconds, and a replaced file has a
    /// new inode.
    #[cfg(unix)]
    unix: (u64, u64, i64, i64),
}

/// What became of a report path while the command ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Created or changed by this run: recorded.
    Fresh,
    /// There before and not changed: left from an earlier run.
    Unchanged,
    /// Not there after the run.
    Missing,
}

impl ReportState {
    /// Note the state of `path` now (an unreadable path counts as absent).
    pub fn of(path: &Path) -> ReportState {
        ReportState(std::fs::metadata(path).ok().map(|m| identity(&m)))
    }

    /// Compare with the state of `path` now.
    pub fn freshness(&self, path: &Path) -> Freshness {
        match (&self.0, ReportState::of(path).0) {
            (_, None) => Freshness::Missing,
            (Some(before), Some(now)) if *before == now => Freshness::Unchanged,
            _ => Freshness::Fresh,
        }
    }
}

fn identity(meta: &std::fs::Metadata) -> Identity {
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;
    Identity {
        len: meta.len(),
        modified: meta.modified().ok(),
        #[cfg(unix)]
        unix: (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec()),
    }
}

/// How the command ended.
#[derive(Debug)]
pub struct Finished {
    /// The command's exit status as the system reported it.
    pub status: ExitStatus,
    /// The status to exit with: the command's code, or 128+N when signal N
    /// ended it.
    pub code: i32,
    /// The signals passed on to the command, in order.
    pub forwarded: Vec<i32>,
}

/// Run `command` (program and arguments) to its end as described in the
/// module documentation. An error means it could not be started.
pub fn run_command(command: &[String]) -> std::io::Result<Finished> {
    let Some((program, args)) = command.split_first() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "no command",
        ));
    };
    let mut cmd = Command::new(program);
    cmd.args(args);
    #[cfg(unix)]
    return unix::run(cmd);
    #[cfg(not(unix))]
    {
        let status = cmd.status()?;
        Ok(Finished {
            status,
            code: exit_code(&status),
            forwarded: Vec::new(),
        })
    }
}

/// The command's exit code, or 128+N for signal N (as shells report it).
pub fn exit_code(status: &ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    1
}

#[cfg(unix)]
mod unix {
    use std::io::IsTerminal;
    use std::os::unix::process::CommandExt;
    use std::process::Command;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::exfiltrator::origin::WithOrigin;
    use signal_hook::iterator::SignalsInfo;
    use signal_hook::low_level::siginfo::Cause;

    use super::{exit_code, Finished};

    pub(super) fn run(mut cmd: Command) -> std::io::Result<Finished> {
        let terminal = std::io::stdin().is_terminal();
        // Registered before the command starts: no window in which a
        // signal would still kill covmerge alone.
        let signals = SignalsInfo::<WithOrigin>::new([SIGINT, SIGTERM, SIGHUP])?;
        if !terminal {
            cmd.process_group(0);
        }
        die_with_parent(&mut cmd);
        let mut child = cmd.spawn()?;
        let pid = child.id() as libc::pid_t;
        let target = if terminal { pid } else { -pid };
        let ended = Arc::new(AtomicBool::new(false));
        let forwarded = Arc::new(Mutex::new(Vec::new()));
        forward(signals, target, terminal, ended.clone(), forwarded.clone());
        wait_exited(pid)?;
        // The command is a zombie now: its pid and group cannot be reused,
        // so a signal forwarded meanwhile went nowhere else.
        ended.store(true, Ordering::SeqCst);
        let status = child.wait()?;
        let forwarded = forwarded.lock().map(|f| f.clone()).unwrap_or_default();
        Ok(Finished {
            status,
            code: exit_code(&status),
            forwarded,
        })
    }

    /// Pass signals on to `target` (a pid, or a process group as -pgid)
    /// until the command has ended; after that, the second signal ends
    /// covmerge the way it would have without a handler.
    fn forward(
        mut signals: SignalsInfo<WithOrigin>,
        target: libc::pid_t,
        terminal: bool,
        ended: Arc<AtomicBool>,
        forwarded: Arc<Mutex<Vec<i32>>>,
    ) {
        std::thread::spawn(move || {
            let mut after_end = 0;
            for origin in signals.forever() {
                if ended.load(Ordering::SeqCst) {
                    after_end += 1;
                    if after_end >= 2 {
                        let _ = signal_hook::low_level::emulate_default_handler(origin.signal);
                    }
                    continue;
                }
                // The terminal sends to its whole foreground group, which
                // the command shares with covmerge in that case.
                if terminal && origin.cause == Cause::Kernel {
                    continue;
                }
                // SAFETY: kill has no memory effects; target is the
                // command's pid or group, which cannot be reused before it
                // is reaped (after `ended` is set).
                unsafe { libc::kill(target, origin.signal) };
                if let Ok(mut f) = forwarded.lock() {
                    f.push(origin.signal);
                }
            }
        });
    }

    /// Wait until the command has exited, without reaping it.
    fn wait_exited(pid: libc::pid_t) -> std::io::Result<()> {
        loop {
            // SAFETY: siginfo_t is plain data, zeroed is a valid value, and
            // waitid only writes into it.
            let rc = unsafe {
                let mut info: libc::siginfo_t = std::mem::zeroed();
                libc::waitid(
                    libc::P_PID,
                    pid as libc::id_t,
                    &mut info,
                    libc::WEXITED | libc::WNOWAIT,
                )
            };
            if rc == 0 {
                return Ok(());
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// On Linux, the command gets SIGKILL if covmerge dies first.
    #[cfg(target_os = "linux")]
    fn die_with_parent(cmd: &mut Command) {
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: the closure runs in the child between fork and exec and
        // only makes async-signal-safe calls (prctl, getppid), allocating
        // nothing. The death signal follows the thread that spawned the
        // command, which is the one that waits for it.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                // covmerge died before the call: no signal would come.
                if libc::getppid() != parent {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn die_with_parent(_cmd: &mut Command) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_is_by_identity_not_by_clock() {
        let dir = std::env::temp_dir().join(format!(
            "covmerge-launch-{}-{}",
            std::process::id(),
            crate::output::unique_token()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let report = dir.join("r.json");
        let absent = ReportState::of(&report);
        assert_eq!(absent.freshness(&report), Freshness::Missing);
        std::fs::write(&report, "{}").unwrap();
        assert_eq!(absent.freshness(&report), Freshness::Fresh);
        // A time in the future does not make an untouched file new.
        let future = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
        let f = std::fs::File::options().write(true).open(&report).unwrap();
        f.set_modified(future).unwrap();
        drop(f);
        let before = ReportState::of(&report);
        assert_eq!(before.freshness(&report), Freshness::Unchanged);
        // Rewritten with the same size, then its time set back: still new
        // (the change time moved; file times tick every few milliseconds).
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::fs::write(&report, "[]").unwrap();
        let f = std::fs::File::options().write(true).open(&report).unwrap();
        f.set_modified(future).unwrap();
        drop(f);
        assert_eq!(before.freshness(&report), Freshness::Fresh);
        std::fs::remove_file(&report).unwrap();
        assert_eq!(before.freshness(&report), Freshness::Missing);
    }
}
