//! Raw coverage.py data where "the nearest statement above" is not
//! coverage.py's rule: real pytest-cov workers (`testdata/rawdata-exact/`,
//! `testdata/rawdata-exact-regen.sh`) whose tracer recorded the first
//! instruction of excluded multi-line statements on their continuation
//! lines. With the source, covmerge maps lines and arcs with the source's
//! multi-line map and prints what `coverage combine` + `coverage report -m`
//! print; without it, the old rule and one warning. And the LCOV export's
//! function end lines against the real `coverage lcov` of the same run.

mod common;

use std::path::{Path, PathBuf};

fn data() -> PathBuf {
    common::testdata("rawdata-exact")
}

fn input(rel: &str) -> String {
    data().join(rel).to_string_lossy().into_owned()
}

fn expected(rel: &str) -> String {
    std::fs::read_to_string(data().join(rel)).unwrap()
}

/// A combine job's checkout: the sources and the `[paths]` configuration.
fn checkout(tag: &str) -> PathBuf {
    let dir = common::tempdir(tag);
    let pkg = dir.join("exactpkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for name in ["__init__.py", "choose.py"] {
        std::fs::copy(data().join("project/exactpkg").join(name), pkg.join(name)).unwrap();
    }
    std::fs::copy(data().join("coveragerc"), dir.join(".coveragerc")).unwrap();
    dir
}

fn report(dir: &Path, extra: &[&str]) -> common::Run {
    let (raw, json) = (
        input("workers/wA/raw.coverage"),
        input("workers/wB/coverage.json"),
    );
    let mut args = vec!["report", "-m", "--header", "none"];
    args.extend_from_slice(extra);
    args.extend([raw.as_str(), json.as_str()]);
    common::run(dir, &args)
}

const WARNING: &str = "have approximate numbers";

#[test]
fn with_the_source_raw_lines_are_mapped_as_coverage_py_maps_them() {
    let dir = checkout("exact-source");
    let out = report(&dir, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, expected("expected/report-m.txt"));
    assert!(!out.stderr.contains(WARNING), "{}", out.stderr);
    // The same from another directory with --source-root.
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::copy(dir.join(".coveragerc"), elsewhere.join(".coveragerc")).unwrap();
    let root = dir.to_string_lossy().into_owned();
    let out = report(&elsewhere, &["--source-root", &root]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, expected("expected/report-m.txt"));
    assert!(!out.stderr.contains(WARNING), "{}", out.stderr);
}

#[test]
fn without_the_source_the_old_rule_is_used_and_said_once() {
    let dir = checkout("exact-nosource");
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::copy(dir.join(".coveragerc"), elsewhere.join(".coveragerc")).unwrap();
    let out = report(&elsewhere, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The nearest statement above gets the excluded statements' lines:
    // lines 14 and 36 count as run, which they did not.
    assert_ne!(out.stdout, expected("expected/report-m.txt"));
    assert!(
        out.stdout.contains("exactpkg/choose.py        13      0"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stderr.matches(WARNING).count(), 1, "{}", out.stderr);
    for what in [
        "exactpkg/choose.py (no source at",
        "--source-root",
        "--python",
    ] {
        assert!(out.stderr.contains(what), "{what}: {}", out.stderr);
    }
    // An -o file of such a combine keeps the approximation, and says so.
    let approximate_table = out.stdout.clone();
    let (raw, json) = (
        input("workers/wA/raw.coverage"),
        input("workers/wB/coverage.json"),
    );
    let written = common::run(
        &elsewhere,
        &["combine", "-q", "-o", "all.covmerge.json", &raw, &json],
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    let again = common::run(
        &elsewhere,
        &["report", "-m", "--header", "none", "all.covmerge.json"],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, approximate_table);
    assert_eq!(again.stderr.matches(WARNING).count(), 1, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("exactpkg/choose.py (approximate in a combined data file read)"),
        "{}",
        again.stderr
    );
    // A source that is not the code that ran is not used either.
    std::fs::create_dir_all(elsewhere.join("exactpkg")).unwrap();
    std::fs::write(elsewhere.join("exactpkg/choose.py"), "x = 1\n").unwrap();
    let out = report(&elsewhere, &[]);
    assert!(
        out.stderr.contains("has 1 lines, but line"),
        "{}",
        out.stderr
    );
    // --strict: an error, no table.
    let out = report(&elsewhere, &["--strict"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(WARNING) && out.stderr.contains("--strict"));
    assert!(!out.stdout.contains('%'), "{}", out.stdout);
}

#[test]
fn lcov_function_ends_are_the_last_line_of_the_last_statement() {
    // covmerge's LCOV export of worker wA's `coverage json` against the
    // `coverage lcov` of the same run: byte for byte with the source here.
    let dir = checkout("exact-lcov");
    let json = input("workers/wA/coverage.json");
    let out = common::run(&dir, &["report", "--report", "lcov:out.lcov", &json]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lcov = std::fs::read_to_string(dir.join("out.lcov")).unwrap();
    assert_eq!(lcov, expected("workers/wA/coverage.lcov"));
    assert!(lcov.contains("FN:10,21,choose\n"), "{lcov}");
    // Without the source: the last statement's first line, as documented.
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = common::run(&elsewhere, &["report", "--report", "lcov:out.lcov", &json]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lcov = std::fs::read_to_string(elsewhere.join("out.lcov")).unwrap();
    assert!(lcov.contains("FN:10,18,choose\n"), "{lcov}");
    // --source-root finds it again.
    let root = dir.to_string_lossy().into_owned();
    let out = common::run(
        &elsewhere,
        &[
            "report",
            "--source-root",
            &root,
            "--report",
            "lcov:again.lcov",
            &json,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lcov = std::fs::read_to_string(elsewhere.join("again.lcov")).unwrap();
    assert_eq!(lcov, expected("workers/wA/coverage.lcov"));
}

#[test]
fn with_python_both_raw_files_give_coverage_pys_table_too() {
    // Mapping with the source first must not change what the user's
    // coverage.py makes of the raw data (its own map is idempotent).
    let Some(py) = std::env::var_os("COVMERGE_TEST_PYTHON").filter(|v| !v.is_empty()) else {
        eprintln!(
            "SKIPPED: set COVMERGE_TEST_PYTHON to a Python with coverage==7.17.5 \
             (eval \"$(bash testdata/rawdata-pythons.sh)\")"
        );
        return;
    };
    let dir = checkout("exact-python");
    let py = py.to_string_lossy().into_owned();
    let (a, b) = (
        input("workers/wA/raw.coverage"),
        input("workers/wB/raw.coverage"),
    );
    let out = common::run(
        &dir,
        &["report", "-m", "--header", "none", "--python", &py, &a, &b],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, expected("expected/report-m.txt"));
    assert!(!out.stderr.contains(WARNING), "{}", out.stderr);
}

/// Branch lines that end `with` bodies (`testdata/rawdata-with/`, real
/// `coverage run` on Python 3.12): the tracer goes from the body back to
/// the `with` line and on, and coverage.py reports the body's exit as going
/// straight on. One run's raw data with another run's JSON report gives
/// `coverage combine` + `coverage report -m` of both runs, byte for byte:
/// nested `with`s, a `with` in a loop or ending a function, a multi-line
/// and an `async with`, one with a `return` inside.
#[test]
fn raw_arcs_leaving_with_blocks_are_fixed_as_coverage_py_fixes_them() {
    let data = common::testdata("rawdata-with");
    let dir = common::tempdir("with-fix");
    let pkg = dir.join("withpkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for name in ["__init__.py", "w.py"] {
        std::fs::copy(data.join("project/withpkg").join(name), pkg.join(name)).unwrap();
    }
    std::fs::copy(data.join("coveragerc"), dir.join(".coveragerc")).unwrap();
    let json = data.join("runs/r1.json").to_string_lossy().into_owned();
    for other in ["r2", "r3"] {
        let raw = data
            .join(format!("runs/{other}.coverage"))
            .to_string_lossy()
            .into_owned();
        let out = common::run(&dir, &["report", "-m", "--header", "none", &raw, &json]);
        assert_eq!(out.code, 0, "{other}: {}", out.stderr);
        let expected =
            std::fs::read_to_string(data.join(format!("expected/r1+{other}.txt"))).unwrap();
        assert_eq!(out.stdout, expected, "r1 with {other}");
        assert!(!out.stderr.contains(WARNING), "{}", out.stderr);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
