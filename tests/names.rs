//! One name per file across operating systems: the real golden project's
//! reports (testdata/golden, made by the real coverage.py), with one
//! worker's file names rewritten the way a macOS worker (decomposed
//! Unicode, case-insensitive file system) or a Windows worker (drive
//! letter, backslashes, any case) writes them. Combined with the Linux
//! worker, they must give coverage.py's own table for the two Linux
//! workers, byte for byte.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::tempdir;

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/golden/each-branch")
}

/// coverage.py's `coverage report -m` of the two Linux workers combined.
fn expected_table() -> String {
    std::fs::read_to_string(scenario().join("expected/report-m.stdout")).unwrap()
}

fn worker_env(worker: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(scenario().join("workers").join(worker).join("worker.env"))
        .unwrap();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn covmerge(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_covmerge"))
        .args(args)
        .env_remove("COLUMNS")
        .env_remove("COVERAGE_RCFILE")
        .output()
        .expect("covmerge runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of worker `worker`'s `report` (coverage.py JSON or LCOV) in
/// `dir`, with every file name passed through `rename`.
fn rewritten(worker: &str, report: &str, dir: &Path, rename: impl Fn(&str) -> String) -> PathBuf {
    let text =
        std::fs::read_to_string(scenario().join("workers").join(worker).join(report)).unwrap();
    let out = if report.ends_with(".json") {
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut out = text.clone();
        for name in value["files"].as_object().unwrap().keys() {
            let old = serde_json::to_string(name).unwrap();
            let new = serde_json::to_string(&rename(name)).unwrap();
            assert_eq!(out.matches(&old).count(), 1, "{name} is only a key");
            out = out.replace(&old, &new);
        }
        out
    } else {
        text.lines()
            .map(|l| match l.strip_prefix("SF:") {
                Some(name) => format!("SF:{}\n", rename(name)),
                None => format!("{l}\n"),
            })
            .collect()
    };
    assert_ne!(out, text, "the rewrite changed nothing");
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(format!("{worker}-{report}"));
    std::fs::write(&path, out).unwrap();
    path
}

/// `record` one report into `data` as the worker in `env` (with `platform`
/// and `root` replacing the recorded ones when given).
fn record(data: &Path, report: &Path, env: &BTreeMap<String, String>, platform: &str, root: &str) {
    let (code, _, stderr) = covmerge(&[
        "record",
        "--no-config",
        "--data-dir",
        data.to_str().unwrap(),
        "--host",
        &env["HOST"],
        "--platform",
        platform,
        "--root",
        root,
        "--worker",
        &env["WORKER"],
        "--mode",
        &env["MODE"],
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "record {}: {stderr}", report.display());
}

/// The Linux worker gw0 recorded as it ran.
fn record_linux_gw0(data: &Path, report: &str) {
    let env = worker_env("gw0");
    let path = scenario().join("workers/gw0").join(report);
    record(data, &path, &env, &env["PLATFORM"], &env["ROOT"]);
}

fn combine(inputs: &[&str]) -> (i32, String, String) {
    let mut args = vec!["combine", "--no-config", "--header", "none", "-m"];
    args.extend(inputs);
    covmerge(&args)
}

/// `pkg/sub/text_utils.py` -> `Pkg\Sub\Text_utils.py`: each part's first
/// letter upper-cased, as a Windows checkout can spell it.
fn windows_case(relative: &str) -> String {
    relative
        .split('/')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("\\")
}

/// The name relative to the worker's checkout (`pkg/...`).
fn relative_part(name: &str) -> &str {
    &name[name.find("pkg/").expect("a project file")..]
}

/// "Renée" typed (NFC) and as macOS file systems return it (NFD).
const COMPOSED: &str = "/Users/Ren\u{e9}e/ci/checkout/proj";
const DECOMPOSED: &str = "/Users/Rene\u{301}e/ci/checkout/proj";

#[test]
fn decomposed_macos_paths_meet_a_composed_root() {
    let work = tempdir("names-nfd-root");
    let data = work.join("data");
    record_linux_gw0(&data, "coverage.json");
    let gw1 = rewritten("gw1", "coverage-abs.json", &work, |name| {
        format!("{DECOMPOSED}/{}", relative_part(name))
    });
    let env = worker_env("gw1");
    // The root as a user types it on the command line: composed.
    record(
        &data,
        &gw1,
        &env,
        "platform darwin, python 3.12.1-final-0",
        COMPOSED,
    );
    let (code, stdout, stderr) = combine(&[data.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, expected_table(), "{stderr}");
}

#[test]
fn a_composed_map_rule_matches_decomposed_macos_paths() {
    let work = tempdir("names-nfd-rule");
    // Not under `ci/checkout/proj`, which the golden [paths] rules map.
    let gw1 = rewritten("gw1", "coverage-abs.json", &work, |name| {
        format!("/Users/Rene\u{301}e/proj/{}", relative_part(name))
    });
    let gw0 = scenario().join("workers/gw0/coverage-abs.json");
    let paths = scenario().join("paths.coveragerc");
    let rule = "/Users/Ren\u{e9}e/proj/pkg=pkg".to_string();
    let (code, stdout, stderr) = combine(&[
        "--paths",
        paths.to_str().unwrap(),
        "--map",
        &rule,
        gw0.to_str().unwrap(),
        gw1.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, expected_table(), "{stderr}");
}

#[test]
fn decomposed_and_composed_names_are_one_row() {
    // The same two reports with every name under a non-ASCII directory:
    // composed from Linux, decomposed from macOS. One row per file, and
    // the numbers of coverage.py's table.
    let work = tempdir("names-nfd-rows");
    let linux = rewritten("gw0", "coverage.lcov", &work, |name| {
        name.replacen("pkg/", "caf\u{e9}/pkg/", 1)
    });
    let mac = rewritten("gw1", "coverage.lcov", &work, |name| {
        name.replacen("pkg/", "cafe\u{301}/pkg/", 1)
    });
    let both_linux = rewritten("gw1", "coverage.lcov", &work.join("nfc"), |name| {
        name.replacen("pkg/", "caf\u{e9}/pkg/", 1)
    });
    let (code, stdout, stderr) = combine(&[linux.to_str().unwrap(), mac.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (_, composed, _) = combine(&[linux.to_str().unwrap(), both_linux.to_str().unwrap()]);
    assert_eq!(stdout, composed);
    // And that is coverage.py's table, each name under `café/`: the same
    // rows, the same numbers.
    let numbers = |table: &str| -> Vec<String> {
        table
            .lines()
            .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
            .collect()
    };
    assert_eq!(numbers(&stdout), numbers(&expected_table()), "{stdout}");
    assert!(stdout.contains("\ncaf\u{e9}/pkg/compat.py "), "{stdout}");
}

#[test]
fn windows_spellings_merge_under_the_linux_spelling_with_a_note() {
    let work = tempdir("names-windows");
    let data = work.join("data");
    record_linux_gw0(&data, "coverage.json");
    let root = r"C:\Users\runneradmin\work\proj";
    let gw1 = rewritten("gw1", "coverage-abs.json", &work, |name| {
        format!(r"{root}\{}", windows_case(relative_part(name)))
    });
    let env = worker_env("gw1");
    record(
        &data,
        &gw1,
        &env,
        "platform win32, python 3.12.1-final-0",
        root,
    );
    let (code, stdout, stderr) = combine(&[data.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, expected_table(), "{stderr}");
    assert!(
        stderr.contains(
            "covmerge: \"Pkg/Compat.py\" (from platform win32, python 3.12.1-final-0) merged \
             into \"pkg/compat.py\""
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn macos_case_variants_merge_by_the_recorded_platform() {
    // A POSIX-shaped path: only the recorded platform says case does not
    // matter there.
    let work = tempdir("names-macos-case");
    let data = work.join("data");
    record_linux_gw0(&data, "coverage.lcov");
    let root = "/Users/runner/work/proj";
    let gw1 = rewritten("gw1", "coverage.lcov", &work, |name| {
        format!("{root}/{}", name.replacen("pkg/", "PKG/", 1))
    });
    let env = worker_env("gw1");
    record(
        &data,
        &gw1,
        &env,
        "platform darwin, python 3.12.1-final-0",
        root,
    );
    let (code, stdout, stderr) = combine(&[data.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, expected_table(), "{stderr}");
    assert!(stderr.contains("merged into \"pkg/flow.py\""), "{stderr}");
}

#[test]
fn windows_shaped_names_without_a_platform_merge_too() {
    // Bare reports, no record step: the path shape alone (drive letter,
    // backslashes) says the name came from Windows.
    let work = tempdir("names-windows-bare");
    let gw1 = rewritten("gw1", "coverage-abs.json", &work, |name| {
        format!(r"D:\a\proj\{}", windows_case(relative_part(name)))
    });
    let gw0 = scenario().join("workers/gw0/coverage-abs.json");
    let paths = scenario().join("paths.coveragerc");
    let (code, stdout, stderr) = combine(&[
        "--paths",
        paths.to_str().unwrap(),
        "--map",
        r"D:\a\proj=.",
        gw0.to_str().unwrap(),
        gw1.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, expected_table(), "{stderr}");
}

#[test]
fn two_linux_spellings_stay_apart_with_a_warning() {
    let work = tempdir("names-linux-case");
    let data = work.join("data");
    record_linux_gw0(&data, "coverage.json");
    let gw1 = rewritten("gw1", "coverage.lcov", &work, |name| {
        name.replacen("pkg/compat.py", "pkg/Compat.py", 1)
    });
    let env = worker_env("gw1");
    record(&data, &gw1, &env, &env["PLATFORM"], &env["ROOT"]);
    let (code, stdout, stderr) = combine(&[data.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.to_lowercase().starts_with("pkg/compat.py "))
        .collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    assert!(
        stderr.contains(
            "covmerge: warning: \"pkg/Compat.py\" (from platform linux, python 3.12.1-final-0), \
             \"pkg/compat.py\" (from platform linux, python 3.11.7-final-0) differ only in case"
        ),
        "{stderr}"
    );
}
