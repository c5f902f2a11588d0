//! `covmerge run` in a real CI job: a loop over interpreters where one
//! fails fast, cancellation by SIGINT/SIGTERM (to covmerge's process group
//! or to covmerge alone), covmerge itself killed, and the checks made
//! before the tests start (the `--python` probe, the data directory).
//!
//! The "interpreters" are small shell scripts that answer the probe as
//! Python does and "run the tests" by writing a real coverage.py JSON
//! report (testdata/samples), so that no Python is needed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::tempdir;

fn sample_report() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/samples/coveragepy/coverage.json")
}

struct Out {
    code: i32,
    stderr: String,
}

/// covmerge in `dir`, stdin closed (as in CI), killed after 60 s.
fn covmerge_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = common::covmerge();
    cmd.args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env_remove("COVERAGE_RCFILE")
        .env_remove("COVMERGE_PROBE_TIMEOUT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn finish(child: Child, what: &str) -> Out {
    let mut child = child;
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("{what} did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Out {
        code: out.status.code().unwrap_or(-1),
        stderr,
    }
}

fn covmerge_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = covmerge_cmd(dir, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    finish(cmd.spawn().expect("covmerge runs"), &format!("{args:?}"))
}

fn write_script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A fake interpreter: answers covmerge's probe and the recipe's tag
/// question like Python `version`, and runs `tests` with `-m pytest`.
fn fake_python(dir: &Path, name: &str, version: &str, tests: &str) -> PathBuf {
    let path = dir.join(name);
    let tag: String = version.split('.').take(2).collect();
    write_script(
        &path,
        &format!(
            "if [ \"$1\" = -c ]; then\n  case \"$2\" in\n    *sys.platform*) echo 'platform linux, python {version}-final-0' ;;\n    *) echo py{tag} ;;\n  esac\n  exit 0\nfi\n{tests}\n"
        ),
    );
    path
}

fn data_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn interpreter_loop_with_a_fast_failing_second_run_records_nothing_stale() {
    let dir = tempdir("loop");
    let report = sample_report();
    let writes = format!("cp '{}' coverage.json; exit 0", report.display());
    let py311 = fake_python(&dir, "py311", "3.11.7", &writes);
    // pytest missing: fails at once, writes no report.
    let py312 = fake_python(
        &dir,
        "py312",
        "3.12.1",
        "echo 'No module named pytest' >&2; exit 1",
    );
    // The Makefile recipe of docs/CI.md, as the shell runs it.
    let recipe = format!(
        r#"COVMERGE='{covmerge}'; PYTHONS='{a} {b}'; DATA_DIR=covmerge-data
rm -rf "$DATA_DIR"
status=0
for py in $PYTHONS; do
  tag=$("$py" -c 'import sys; print("py%d%d" % sys.version_info[:2])') || {{ status=1; continue; }}
  "$COVMERGE" run -q --python "$py" --worker "$tag" --mode each --data-dir "$DATA_DIR" \
    --report coverage.json -- "$py" -m pytest -q --cov=pkg --cov-report=json --cov-fail-under=0 tests || status=1
done
"$COVMERGE" combine -q --header none --expect-workers 2 "$DATA_DIR" || exit $?
exit $status
"#,
        covmerge = env!("CARGO_BIN_EXE_covmerge"),
        a = py311.display(),
        b = py312.display(),
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &recipe])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = finish(cmd.spawn().unwrap(), "the loop");
    // Only the first interpreter's data was recorded; the second run
    // names the report left by the first and records nothing.
    let files = data_files(&dir.join("covmerge-data"));
    assert_eq!(files.len(), 1, "{files:?}\n{}", out.stderr);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.contains(".linux-py3.11.7.py311."), "{name}");
    assert!(
        out.stderr.contains(
            "covmerge: warning: coverage.json: left from an earlier run (this command did not change it), not recorded"
        ),
        "{}",
        out.stderr
    );
    // The combine step sees one worker of two and fails the job.
    assert!(
        out.stderr
            .contains("expected data from 2 workers, but only 1 contributed"),
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
}

/// A test command that, on SIGINT or SIGTERM, takes a moment, writes its
/// report, logs the signal and exits 128+N, as pytest does on Ctrl-C.
fn trapping_command(dir: &Path) -> Vec<String> {
    let script = dir.join("tests.sh");
    let report = sample_report();
    write_script(
        &script,
        &format!(
            "on() {{ sleep 0.2; cp '{}' coverage.json; echo \"$1\" >> signals.log; exit $2; }}\ntrap 'on INT 130' INT\ntrap 'on TERM 143' TERM\necho $$ > command.pid\nwhile :; do sleep 0.02; done\n",
            report.display()
        ),
    );
    vec![script.display().to_string()]
}

fn wait_for(path: &Path) -> String {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.ends_with('\n') {
                return text.trim().to_string();
            }
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no {path:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// True while `pid` exists and is not a zombie (a killed process whose
/// reaper has not collected it yet is gone for every purpose here).
fn alive(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        }
        Err(_) => false,
    }
}

fn send(pid: i32, signal: i32) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

/// Start `covmerge run` of the trapping command, optionally as the leader
/// of a process group of its own (as a CI runner's job is).
fn start_run(dir: &Path, own_group: bool) -> (Child, String) {
    let mut args = vec![
        "run",
        "-v",
        "--platform",
        "platform linux, python 3.12.1-final-0",
        "--report",
        "coverage.json",
        "--",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    args.extend(trapping_command(dir));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = covmerge_cmd(dir, &argv);
    if own_group {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let child = cmd.spawn().unwrap();
    let command_pid = wait_for(&dir.join("command.pid"));
    (child, command_pid)
}

fn check_cancelled(dir: &Path, out: Out, command_pid: &str, signal: &str, code: i32) {
    assert_eq!(out.code, code, "{}", out.stderr);
    // Passed on exactly once (the log cannot show a merged second copy).
    let number = code - 128;
    let passed = format!("covmerge: passed signal {number} on to the command\n");
    assert_eq!(out.stderr.matches(&passed).count(), 1, "{}", out.stderr);
    // The command got the signal exactly once, and had written its report.
    let log = std::fs::read_to_string(dir.join("signals.log")).unwrap();
    assert_eq!(log, format!("{signal}\n"));
    let files = data_files(&dir.join("covmerge-data"));
    assert_eq!(files.len(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("covmerge: recorded 2 source files"),
        "{}",
        out.stderr
    );
    assert!(!alive(command_pid), "the command outlived covmerge");
}

#[test]
fn a_signal_to_covmerge_alone_is_passed_on_and_the_report_recorded() {
    for (signal, name, code) in [(2, "INT", 130), (15, "TERM", 143)] {
        let dir = tempdir("signal-alone");
        let (child, command_pid) = start_run(&dir, false);
        send(child.id() as i32, signal);
        let out = finish(child, "run");
        check_cancelled(&dir, out, &command_pid, name, code);
    }
}

#[test]
fn a_signal_to_the_process_group_reaches_the_command_once() {
    for (signal, name, code) in [(2, "INT", 130), (15, "TERM", 143)] {
        let dir = tempdir("signal-group");
        let (child, command_pid) = start_run(&dir, true);
        // A CI cancel: the whole job's process group.
        send(-(child.id() as i32), signal);
        let out = finish(child, "run");
        check_cancelled(&dir, out, &command_pid, name, code);
    }
}

#[test]
fn a_command_ended_by_a_signal_gives_128_plus_n_and_its_report_is_kept() {
    let dir = tempdir("killed-command");
    let script = format!(
        "cp '{}' coverage.json; kill -TERM $$",
        sample_report().display()
    );
    let out = covmerge_in(
        &dir,
        &[
            "run",
            "--platform",
            "platform linux",
            "--report",
            "coverage.json",
            "--",
            "sh",
            "-c",
            &script,
        ],
        &[],
    );
    assert_eq!(out.code, 143, "{}", out.stderr);
    assert_eq!(data_files(&dir.join("covmerge-data")).len(), 1);
}

#[test]
fn the_command_never_outlives_a_killed_covmerge() {
    let dir = tempdir("sigkill");
    let (mut child, command_pid) = start_run(&dir, false);
    assert!(alive(&command_pid));
    child.kill().unwrap(); // SIGKILL: covmerge cannot pass anything on.
    child.wait().unwrap();
    let start = Instant::now();
    while alive(&command_pid) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the command {command_pid} still runs after covmerge was killed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_bad_interpreter_is_found_before_the_tests_run() {
    let dir = tempdir("probe");
    let cases: [(&str, &str, &str); 5] = [
        ("hangs", "sleep 30", "probing the interpreter failed: the interpreter did not answer within 0.5 s"),
        (
            "floods",
            "exec yes platform",
            "probing the interpreter failed: the interpreter printed more than 4096 bytes",
        ),
        (
            "two-lines",
            "printf 'platform linux, python 3.12.1-final-0\\nplatform darwin\\n'",
            "unexpected answer from the interpreter: \"platform linux, python 3.12.1-final-0\\nplatform darwin\\n\"",
        ),
        (
            "escapes",
            "printf 'platform \\033]0;owned\\007linux\\n'",
            "unexpected answer from the interpreter: \"platform \\u{1b}]0;owned\\u{7}linux\\n\"",
        ),
        (
            "fails",
            "yes 'Traceback' | head -c 100000 >&2; exit 1",
            "probing the interpreter failed (exit status: 1): \"Traceback\\nTraceback",
        ),
    ];
    for (name, body, message) in cases {
        let python = dir.join(name);
        write_script(&python, &format!("{body}\n"));
        let started = Instant::now();
        let out = covmerge_in(
            &dir,
            &[
                "run",
                "--python",
                python.to_str().unwrap(),
                "--report",
                "coverage.json",
                "--",
                "touch",
                "tests-ran",
            ],
            &[("COVMERGE_PROBE_TIMEOUT", "0.5")],
        );
        assert_eq!(out.code, 1, "{name}: {}", out.stderr);
        assert!(
            out.stderr.contains(message),
            "{name}: expected {message:?} in\n{}",
            out.stderr
        );
        // Bounded: the message is short and carries no control character.
        assert!(
            out.stderr.len() < 1000,
            "{name}: {} bytes",
            out.stderr.len()
        );
        assert!(
            !out.stderr
                .trim_end()
                .chars()
                .any(|c| c.is_control() && c != '\n'),
            "{name}: {:?}",
            out.stderr
        );
        assert!(started.elapsed() < Duration::from_secs(20), "{name}");
        assert!(!dir.join("tests-ran").exists(), "{name}: the tests ran");
    }
}

#[test]
fn an_unwritable_data_dir_is_found_before_the_tests_run() {
    let dir = tempdir("data-dir");
    std::fs::write(dir.join("a-file"), "").unwrap();
    let out = covmerge_in(
        &dir,
        &[
            "run",
            "--platform",
            "platform linux",
            "--data-dir",
            "a-file/data",
            "--report",
            "coverage.json",
            "--",
            "touch",
            "tests-ran",
        ],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("a-file/data"), "{}", out.stderr);
    assert!(!dir.join("tests-ran").exists());
    // A directory that exists is checked by creating (and removing) a
    // hidden file in it: nothing is left behind.
    std::fs::create_dir(dir.join("data")).unwrap();
    let out = covmerge_in(
        &dir,
        &[
            "run",
            "--platform",
            "platform linux",
            "--data-dir",
            "data",
            "--report",
            "coverage.json",
            "--",
            "touch",
            "tests-ran",
        ],
        &[],
    );
    assert_eq!(out.code, 1, "no report: {}", out.stderr);
    assert!(dir.join("tests-ran").exists());
    assert_eq!(data_files(&dir.join("data")), Vec::<PathBuf>::new());
}

#[test]
fn ctrl_c_at_a_terminal_reaches_the_command_once() {
    // `script` (util-linux) gives the run a terminal; ^C written to it is
    // the terminal's own SIGINT to its foreground process group.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` command to make a terminal");
        return;
    }
    let dir = tempdir("terminal");
    // Counts every SIGINT; a busy loop (no external command to wait for)
    // notices each one at once, so a second copy would be logged too.
    let script = dir.join("tests.sh");
    write_script(
        &script,
        &format!(
            "n=0\ntrap 'echo INT >> signals.log; n=$((n+1))' INT\necho $$ > command.pid\nwhile [ $n -eq 0 ]; do :; done\ni=0; while [ $i -lt 50000 ]; do i=$((i+1)); done\ncp '{}' coverage.json\nexit 130\n",
            sample_report().display()
        ),
    );
    let command = script.display().to_string();
    // `exec`: no shell stays between the terminal and covmerge. A shell
    // left waiting (dash, when $SHELL is unset) is in the same process
    // group, takes the ^C itself and dies before it could report anything;
    // `script -e` hands back covmerge's own exit status instead.
    let line = format!(
        "exec '{}' run -v --platform 'platform linux' --report coverage.json -- {command}",
        env!("CARGO_BIN_EXE_covmerge")
    );
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let command_pid = wait_for(&dir.join("command.pid"));
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\x03").unwrap();
    stdin.flush().unwrap();
    // Keep the terminal open until the run is over.
    let start = Instant::now();
    while alive(&command_pid) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "^C did not stop the command"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{text}");
    // The terminal's SIGINT reached the command directly; covmerge must
    // not send it a second one. (Two copies sent microseconds apart are
    // usually merged by the kernel, so the log alone cannot tell.)
    assert!(!text.contains("passed signal"), "{text}");
    assert!(text.contains("covmerge: recorded 2 source files"), "{text}");
    let log = std::fs::read_to_string(dir.join("signals.log")).unwrap();
    assert_eq!(log, "INT\n", "the command got ^C more than once");
    drop(stdin);
}
