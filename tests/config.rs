//! Configuration files, compared with the real coverage.py: covmerge
//! combine reading the same rcfile / setup.cfg / pyproject.toml that
//! `coverage report` read (testdata/regen.sh, `expected/config-cases.tsv`)
//! must print the same bytes and exit with the same status, fail-under
//! message included.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::tempdir;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/golden")
}

fn scenarios() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected/config-cases.tsv").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 5, "config cases in every scenario: {dirs:?}");
    dirs
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn covmerge_in(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_covmerge"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env_remove("COVERAGE_RCFILE")
        .output()
        .expect("covmerge runs");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn workers(scenario: &Path) -> Vec<(PathBuf, BTreeMap<String, String>)> {
    let mut out: Vec<_> = std::fs::read_dir(scenario.join("workers"))
        .unwrap()
        .map(|e| e.unwrap().path())
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

/// Recorded data files (names made relative by the recorded roots).
fn recorded(scenario: &Path) -> PathBuf {
    let data = tempdir("data");
    for (dir, env) in workers(scenario) {
        let report = dir.join("coverage.json");
        let out = covmerge_in(
            &data,
            &[
                "record",
                "-q",
                "--no-config",
                "--data-dir",
                data.to_str().unwrap(),
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
                report.to_str().unwrap(),
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    data
}

struct Case {
    name: String,
    exit: i32,
    file: String,
    how: String,
    args: Vec<String>,
}

fn cases(scenario: &Path) -> Vec<Case> {
    std::fs::read_to_string(scenario.join("expected/config-cases.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.splitn(5, '\t').collect();
            Case {
                name: f[0].to_string(),
                exit: f[1].parse().unwrap(),
                file: f[2].to_string(),
                how: f[3].to_string(),
                args: f
                    .get(4)
                    .unwrap_or(&"")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect()
}

/// Run `case` in a fresh directory holding only its configuration file,
/// with `inputs`, and compare with coverage.py's output.
fn check(scenario: &Path, case: &Case, how: &str, inputs: &[String], failures: &mut Vec<String>) {
    let dir = tempdir("case");
    let mut args: Vec<String> = vec!["combine".into(), "--header".into(), "none".into()];
    args.push("-q".into());
    let source = scenario.join(&case.file);
    if how == "--rcfile" {
        std::fs::copy(&source, dir.join(&case.file)).unwrap();
        args.push("--rcfile".into());
        args.push(case.file.clone());
    } else {
        std::fs::copy(&source, dir.join(how)).unwrap();
    }
    args.extend(inputs.iter().cloned());
    args.extend(case.args.iter().cloned());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = covmerge_in(&dir, &argv);
    let expected =
        std::fs::read_to_string(scenario.join(format!("expected/{}.stdout", case.name))).unwrap();
    if out.code != case.exit || out.stdout != expected {
        failures.push(format!(
            "{} / {} ({} given as {how}; covmerge {}):\nexit {} (expected {})\n--- expected\n{expected}--- got\n{}--- stderr\n{}",
            scenario.file_name().unwrap().to_string_lossy(),
            case.name,
            case.file,
            args.join(" "),
            out.code,
            case.exit,
            out.stdout,
            out.stderr
        ));
    }
    if !out.stderr.is_empty() {
        failures.push(format!(
            "{} / {}: unexpected stderr: {}",
            scenario.display(),
            case.name,
            out.stderr
        ));
    }
}

fn run_all(inputs: impl Fn(&Path) -> Vec<String>) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for scenario in scenarios() {
        let inputs = inputs(&scenario);
        for case in cases(&scenario) {
            check(&scenario, &case, &case.how, &inputs, &mut failures);
            checked += 1;
            // The same settings in the other two syntaxes, given explicitly,
            // must give what coverage.py printed for the rcfile.
            if case.how == "--rcfile" {
                for other in ["config-setup.cfg", "config-pyproject.toml"] {
                    let same = Case {
                        file: other.to_string(),
                        name: case.name.clone(),
                        exit: case.exit,
                        how: case.how.clone(),
                        args: case.args.clone(),
                    };
                    check(&scenario, &same, "--rcfile", &inputs, &mut failures);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 36, "only {checked} config cases ran");
    assert!(
        failures.is_empty(),
        "{} of {checked} config cases differ from coverage.py:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn config_files_give_coveragepy_reports_from_recorded_data() {
    run_all(|scenario| vec![recorded(scenario).display().to_string()]);
}

#[test]
fn config_paths_section_maps_raw_absolute_reports() {
    // No record step: the [paths] section of the very same configuration
    // file makes the workers' absolute names agree.
    run_all(|scenario| {
        workers(scenario)
            .iter()
            .map(|(dir, _)| dir.join("coverage-abs.json").display().to_string())
            .collect()
    });
}

#[test]
fn no_config_ignores_the_files_and_paths_replaces_their_rules() {
    let scenario = golden_dir().join("each-branch");
    let data = recorded(&scenario);
    let dir = tempdir("noconfig");
    std::fs::copy(
        scenario.join("config-pyproject.toml"),
        dir.join("pyproject.toml"),
    )
    .unwrap();
    let report = std::fs::read_to_string(scenario.join("expected/report.stdout")).unwrap();
    let out = covmerge_in(
        &dir,
        &[
            "combine",
            "--no-config",
            "-q",
            "--header",
            "none",
            data.to_str().unwrap(),
        ],
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, report.as_str()));
    // --paths FILE supplies only [paths]: the [report] settings of that file
    // are not read from it, those of the discovered pyproject.toml are.
    let mut args = vec![
        "combine".to_string(),
        "-q".into(),
        "--header".into(),
        "none".into(),
        "--paths".into(),
        scenario.join("paths.coveragerc").display().to_string(),
    ];
    for (w, _) in workers(&scenario) {
        args.push(w.join("coverage-abs.json").display().to_string());
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = covmerge_in(&dir, &argv);
    let expected =
        std::fs::read_to_string(scenario.join("expected/config-pyproject.stdout")).unwrap();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (2, expected.as_str()),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_values_name_file_section_and_key() {
    let data = recorded(&golden_dir().join("load"));
    for (file, text, message) in [
        (
            ".coveragerc",
            "[report]\nprecision = x\n",
            ".coveragerc: [report] precision: 'x' is not a non-negative integer",
        ),
        (
            "setup.cfg",
            "[coverage:report]\nskip_covered = sometimes\n",
            "setup.cfg: [coverage:report] skip_covered: 'sometimes' is not a boolean",
        ),
        (
            "pyproject.toml",
            "[tool.coverage.report]\nfail_under = \"most\"\n",
            "pyproject.toml: [tool.coverage.report] fail_under: 'most' is not a number",
        ),
        (
            "pyproject.toml",
            "[tool.coverage.report]\nomit = \"pkg/unused.py\"\n",
            "pyproject.toml: [tool.coverage.report] omit: 'pkg/unused.py' is not a list",
        ),
        (
            "tox.ini",
            "[coverage:report]\nfail_under = 101\n",
            "fail_under=101.0 is invalid. Must be between 0 and 100.",
        ),
        (
            "covmerge.toml",
            "header = \"fancy\"\n",
            "covmerge.toml: header: \"fancy\" is not one of default, pytest-cov, none",
        ),
    ] {
        let dir = tempdir("bad");
        std::fs::write(dir.join(file), text).unwrap();
        let out = covmerge_in(&dir, &["combine", "-q", data.to_str().unwrap()]);
        assert_eq!(out.code, 1, "{file}: {}", out.stderr);
        assert_eq!(
            out.stderr,
            format!("covmerge: error: {message}\n"),
            "{file}"
        );
    }
    // An explicit --rcfile must exist; unknown options are warnings.
    let dir = tempdir("rcfile");
    let out = covmerge_in(
        &dir,
        &["combine", "--rcfile", "nope.rc", data.to_str().unwrap()],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("Couldn't read 'nope.rc' as a config file"),
        "{}",
        out.stderr
    );
    std::fs::write(dir.join(".coveragerc"), "[report]\nprecison = 2\n").unwrap();
    let out = covmerge_in(&dir, &["combine", "-q", data.to_str().unwrap()]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stderr,
        "covmerge: warning: Unrecognized option '[report] precison=' in config file .coveragerc\n"
    );
}

#[test]
fn covmerge_settings_give_data_dir_header_and_width() {
    let scenario = golden_dir().join("load");
    let dir = tempdir("own");
    std::fs::write(
        dir.join("pyproject.toml"),
        "[tool.covmerge]\ndata_dir = \"shared-cov\"\nheader = \"pytest-cov\"\nwidth = 90\nexpect_workers = 2\nexports = [\"json\"]\n",
    )
    .unwrap();
    for (w, env) in workers(&scenario) {
        let out = covmerge_in(
            &dir,
            &[
                "record",
                "-q",
                "--host",
                &env["HOST"],
                "--platform",
                &env["PLATFORM"],
                "--root",
                &env["ROOT"],
                "--worker",
                &env["WORKER"],
                w.join("coverage.json").to_str().unwrap(),
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    assert_eq!(
        std::fs::read_dir(dir.join("shared-cov")).unwrap().count(),
        2
    );
    let out = covmerge_in(&dir, &["combine", "-q"]);
    let expected = std::fs::read_to_string(scenario.join("expected/pytest-cov-90.txt")).unwrap();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, expected.as_str()),
        "{}",
        out.stderr
    );
}
