//! Helpers shared by the integration tests: one way to run covmerge, and
//! the fixtures.

#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory under the system temp dir, unique to this process,
/// call and tag.
pub fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "covmerge-test-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The repository root (where `cargo test` runs).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's `testdata/` directory, or a path under it.
pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

/// Environment variables that change what covmerge prints or reads: a
/// test must not inherit them from the shell or CI that runs it.
pub const CLEARED_ENV: &[&str] = &[
    "COLUMNS",
    "LINES",
    "COVERAGE_RCFILE",
    "COVERAGE_FILE",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_ACTIONS",
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "TERM",
    "RAYON_NUM_THREADS",
];

/// The covmerge binary under test: `COVMERGE_TEST_BIN` (to run the suite
/// against another build, e.g. to show a test fails on older code), else
/// the one cargo built.
pub fn binary() -> PathBuf {
    std::env::var_os("COVMERGE_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_covmerge")))
}

/// A covmerge command with the inherited environment cleaned (the working
/// directory is the caller's to set).
pub fn covmerge() -> Command {
    let mut cmd = Command::new(binary());
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    cmd
}

/// A covmerge command in `dir` with the inherited environment cleaned.
pub fn command(dir: &Path) -> Command {
    let mut cmd = covmerge();
    cmd.current_dir(dir);
    cmd
}

/// What a finished run printed.
#[derive(Debug)]
pub struct Run {
    /// The exit status (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Run covmerge in `dir` with `args` and wait for it.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    command(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", binary().display()))
        .into()
}

/// A golden scenario's workers (`testdata/golden/<scenario>/workers/*`),
/// sorted, each with the variables of its `worker.env` (HOST, PLATFORM,
/// ROOT, WORKER, MODE).
pub fn golden_workers(
    scenario: &Path,
) -> Vec<(PathBuf, std::collections::BTreeMap<String, String>)> {
    let mut out: Vec<_> = std::fs::read_dir(scenario.join("workers"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("worker.env").is_file())
        .map(|p| {
            let env = std::fs::read_to_string(p.join("worker.env")).unwrap();
            let vars = env
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            (p, vars)
        })
        .collect();
    out.sort();
    out
}

/// `covmerge record` every worker's `report` file of a golden scenario,
/// with its recorded metadata, into a fresh data directory.
pub fn record_golden_workers(scenario: &Path, report: &str) -> PathBuf {
    let data_dir = tempdir("data");
    for (dir, env) in golden_workers(scenario) {
        let path = dir.join(report);
        let out = run(
            &data_dir,
            &[
                "record",
                "-q",
                "--no-config",
                "--data-dir",
                data_dir.to_str().unwrap(),
                "--host",
                &env["HOST"],
                "--platform",
                &env["PLATFORM"],
                "--root",
                &env["ROOT"],
                "--worker",
                &env["WORKER"],
                "--mode",
                &env["MODE"],
                path.to_str().unwrap(),
            ],
        );
        assert_eq!(out.code, 0, "record {}: {}", path.display(), out.stderr);
    }
    data_dir
}
