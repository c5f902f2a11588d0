//! Golden tests: covmerge must print exactly what the real coverage.py and
//! pytest-cov printed for the same data. The inputs and expected outputs
//! under testdata/golden/ were produced by testdata/regen.sh from real runs;
//! nothing here is written by hand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;
use common::tempdir;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/golden")
}

fn scenarios() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("testdata/golden exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("workers").is_dir() && p.join("expected/cases.tsv").is_file())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 4,
        "expected the golden scenarios, found {dirs:?}"
    );
    dirs
}

fn workers(scenario: &Path) -> Vec<(PathBuf, BTreeMap<String, String>)> {
    let out = common::golden_workers(scenario);
    assert!(
        out.len() >= 2,
        "{}: expected several workers",
        scenario.display()
    );
    out
}

struct Case {
    name: String,
    exit: i32,
    args: Vec<String>,
}

fn cases(scenario: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(scenario.join("expected/cases.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            Case {
                name: parts.next().unwrap().to_string(),
                exit: parts.next().unwrap().parse().unwrap(),
                args: parts
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect()
}

/// Record every worker's `report` file into a fresh shared directory.
fn record_workers(scenario: &Path, report: &str) -> PathBuf {
    common::record_golden_workers(scenario, report)
}

/// Run every case of every scenario on the inputs `prepare` gives, and
/// compare stdout and exit status with coverage.py's.
fn check_cases(prepare: impl Fn(&Path) -> Vec<String>) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for scenario in scenarios() {
        let inputs = prepare(&scenario);
        for case in cases(&scenario) {
            let mut args: Vec<&str> = vec!["combine", "--header", "none", "-q"];
            args.extend(inputs.iter().map(String::as_str));
            args.extend(case.args.iter().map(String::as_str));
            let common::Run {
                code,
                stdout,
                stderr,
            } = common::run(&common::root(), &args);
            let expected_path = scenario.join(format!("expected/{}.stdout", case.name));
            let expected = std::fs::read_to_string(&expected_path).unwrap();
            checked += 1;
            if code != case.exit || stdout != expected {
                failures.push(format!(
                    "{} / {} (covmerge {}):\nexit {code} (expected {})\n--- expected\n{expected}--- got\n{stdout}--- stderr\n{stderr}",
                    scenario.file_name().unwrap().to_string_lossy(),
                    case.name,
                    args.join(" "),
                    case.exit
                ));
            }
        }
    }
    assert!(checked >= 60, "only {checked} cases ran");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn recorded_coveragepy_json_matches_coverage_report() {
    check_cases(|scenario| {
        vec![record_workers(scenario, "coverage.json")
            .display()
            .to_string()]
    });
}

#[test]
fn recorded_coveragepy_lcov_matches_coverage_report() {
    check_cases(|scenario| {
        vec![record_workers(scenario, "coverage.lcov")
            .display()
            .to_string()]
    });
}

#[test]
fn raw_absolute_json_with_paths_rules_matches_coverage_report() {
    // No record step and no roots: only the user's [paths] rules, the very
    // file coverage.py combined with, make the workers' names agree.
    check_cases(|scenario| {
        let mut args = vec![
            "--paths".to_string(),
            scenario.join("paths.coveragerc").display().to_string(),
        ];
        for (dir, _) in workers(scenario) {
            args.push(dir.join("coverage-abs.json").display().to_string());
        }
        args
    });
}

#[test]
fn combining_a_combined_file_gives_the_same_report() {
    check_cases(|scenario| {
        let data = record_workers(scenario, "coverage.json");
        let combined = tempdir("combined").join("all.covmerge.json");
        let common::Run {
            code,
            stdout: _,
            stderr,
        } = common::run(
            &common::root(),
            &[
                "combine",
                "-q",
                data.to_str().unwrap(),
                "-o",
                combined.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        vec![combined.display().to_string()]
    });
}

#[test]
fn pytest_cov_sections_match_byte_for_byte() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for scenario in scenarios() {
        let data = record_workers(&scenario, "coverage.json");
        for width in ["80", "90"] {
            let expected_path = scenario.join(format!("expected/pytest-cov-{width}.txt"));
            let Ok(expected) = std::fs::read_to_string(&expected_path) else {
                continue;
            };
            let mut args = vec![
                "combine",
                "-q",
                "--header",
                "pytest-cov",
                "--width",
                width,
                data.to_str().unwrap(),
            ];
            if expected.contains("   Missing\n") {
                args.push("-m");
            }
            let common::Run {
                code,
                stdout,
                stderr,
            } = common::run(&common::root(), &args);
            checked += 1;
            if code != 0 || stdout != expected {
                failures.push(format!(
                    "{} at width {width}: exit {code}\n--- expected\n{expected}--- got\n{stdout}--- stderr\n{stderr}",
                    scenario.display()
                ));
            }
        }
    }
    assert!(checked >= 8, "only {checked} pytest-cov sections found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
