//! Configuration files, compared with the real coverage.py: covmerge
//! combine reading the same rcfile / setup.cfg / pyproject.toml that
//! `coverage report` read (testdata/regen.sh, `expected/config-cases.tsv`)
//! must print the same bytes and exit with the same status, fail-under
//! message included.

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

/// The shared runner (tests/common): environment cleaned.
use common::{run as covmerge_in, Run as Out};

/// Recorded data files (names made relative by the recorded roots).
fn recorded(scenario: &Path) -> PathBuf {
    common::record_golden_workers(scenario, "coverage.json")
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
        common::golden_workers(scenario)
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
    for (w, _) in common::golden_workers(&scenario) {
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
    for (w, env) in common::golden_workers(&scenario) {
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

/// covmerge in `dir` with extra environment, killed after 60 s so that a
/// configuration file that blocks fails the test instead of hanging it.
fn covmerge_limited(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = common::covmerge();
    cmd.args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env_remove("COVERAGE_RCFILE")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("covmerge runs");
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("covmerge {args:?} did not finish in 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let out = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[test]
fn named_special_files_are_refused_with_their_name() {
    let data = recorded(&golden_dir().join("load"));
    let data = data.to_str().unwrap();
    let dir = tempdir("special-named");
    mkfifo(&dir.join("fifo.rc"));
    std::fs::create_dir(dir.join("rcdir")).unwrap();
    let zero_rc =
        "Couldn't read '/dev/zero' as a config file: not a regular file (a pipe, socket or device)";
    let fifo_rc =
        "Couldn't read 'fifo.rc' as a config file: not a regular file (a pipe, socket or device)";
    for (args, env, message) in [
        (vec!["--rcfile", "/dev/zero"], vec![], zero_rc),
        (vec![], vec![("COVERAGE_RCFILE", "/dev/zero")], zero_rc),
        (vec!["--rcfile", "fifo.rc"], vec![], fifo_rc),
        (vec![], vec![("COVERAGE_RCFILE", "fifo.rc")], fifo_rc),
        (
            vec!["--rcfile", "rcdir"],
            vec![],
            "Couldn't read 'rcdir' as a config file: a directory",
        ),
        (
            vec!["--paths", "/dev/zero"],
            vec![],
            "/dev/zero: not a regular file (a pipe, socket or device); not read",
        ),
        (
            vec!["--paths", "fifo.rc"],
            vec![],
            "fifo.rc: not a regular file (a pipe, socket or device); not read",
        ),
    ] {
        let mut argv = vec!["combine", "-q"];
        argv.extend(&args);
        argv.push(data);
        let out = covmerge_limited(&dir, &argv, &env);
        assert_eq!(
            (out.code, out.stderr.as_str()),
            (1, format!("covmerge: error: {message}\n").as_str()),
            "{args:?} {env:?}"
        );
    }
}

#[test]
fn found_special_files_are_skipped_with_a_warning() {
    let scenario = golden_dir().join("load");
    let data = recorded(&scenario);
    let data = data.to_str().unwrap();
    let expected = std::fs::read_to_string(scenario.join("expected/report.stdout")).unwrap();
    let fifo = "not a regular file (a pipe, socket or device); skipped";
    for (name, kind) in [
        (".coveragerc", "fifo"),
        (".coveragerc", "zero"),
        (".coveragerc.toml", "fifo"),
        ("setup.cfg", "dir"),
        ("tox.ini", "fifo"),
        ("pyproject.toml", "fifo"),
        ("pyproject.toml", "zero"),
        ("covmerge.toml", "fifo"),
        ("covmerge.toml", "zero"),
    ] {
        let dir = tempdir("special-found");
        let path = dir.join(name);
        match kind {
            "fifo" => mkfifo(&path),
            "zero" => std::os::unix::fs::symlink("/dev/zero", &path).unwrap(),
            _ => std::fs::create_dir(&path).unwrap(),
        }
        let what = if kind == "dir" {
            "a directory; skipped"
        } else {
            fifo
        };
        let out = covmerge_limited(&dir, &["combine", "-q", "--header", "none", data], &[]);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, expected.as_str()),
            "{name} {kind}: {}",
            out.stderr
        );
        // pyproject.toml is looked for twice: coverage.py's and covmerge's settings.
        let line = format!("covmerge: warning: {name}: {what}\n");
        assert!(out.stderr.contains(&line), "{name} {kind}: {}", out.stderr);
        assert!(
            out.stderr.lines().all(|l| l == line.trim_end()),
            "{}",
            out.stderr
        );
        // record and run look for data_dir in covmerge.toml / pyproject.toml.
        let report = scenario.join("workers");
        let report = std::fs::read_dir(report).unwrap().next().unwrap().unwrap();
        let report = report.path().join("coverage.json");
        let out = covmerge_limited(&dir, &["record", "-q", report.to_str().unwrap()], &[]);
        assert_eq!(out.code, 0, "{name} {kind}: {}", out.stderr);
    }
}

#[test]
fn read_errors_and_oversized_files_are_errors_naming_the_file() {
    let data = recorded(&golden_dir().join("load"));
    let data = data.to_str().unwrap();
    // A link to itself cannot be read: before, it was skipped silently.
    for name in [
        ".coveragerc",
        "setup.cfg",
        "pyproject.toml",
        "covmerge.toml",
    ] {
        let dir = tempdir("loop");
        std::os::unix::fs::symlink(name, dir.join(name)).unwrap();
        let out = covmerge_limited(&dir, &["combine", "-q", data], &[]);
        assert_eq!(out.code, 1, "{name}: {}", out.stderr);
        assert!(
            out.stderr.starts_with(&format!(
                "covmerge: error: {name}: Too many levels of symbolic links"
            )),
            "{name}: {}",
            out.stderr
        );
    }
    // Larger than the limit: refused, not read to the end.
    let dir = tempdir("huge");
    let file = std::fs::File::create(dir.join(".coveragerc")).unwrap();
    file.set_len(covmerge::config::MAX_CONFIG_BYTES + 1)
        .unwrap();
    let out = covmerge_limited(&dir, &["combine", "-q", data], &[]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            1,
            "covmerge: error: .coveragerc: larger than 16 MiB; not read as a configuration file\n"
        )
    );
}

#[test]
fn configuration_warnings_are_capped_per_file() {
    let data = recorded(&golden_dir().join("load"));
    let dir = tempdir("many-warnings");
    let mut text = String::from("[report]\n");
    for i in 0..50 {
        text.push_str(&format!("unknown_{i} = 1\n"));
    }
    std::fs::write(dir.join(".coveragerc"), &text).unwrap();
    let mut toml = String::new();
    for i in 0..30 {
        toml.push_str(&format!("unknown_{i} = 1\n"));
    }
    std::fs::write(dir.join("covmerge.toml"), &toml).unwrap();
    let out = covmerge_limited(&dir, &["combine", "-q", data.to_str().unwrap()], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    let max = covmerge::config::MAX_WARNINGS;
    assert_eq!(lines.len(), 2 * (max + 1), "{}", out.stderr);
    assert_eq!(
        lines[max],
        format!(
            "covmerge: warning: .coveragerc: {} more warnings not shown",
            50 - max
        )
    );
    assert_eq!(
        lines[2 * max + 1],
        format!(
            "covmerge: warning: covmerge.toml: {} more warnings not shown",
            30 - max
        )
    );
}

/// `[paths]` with `n` entries of two patterns each.
fn paths_section(n: usize) -> String {
    let mut text = String::from("[paths]\n");
    for i in 0..n {
        text.push_str(&format!("src{i} =\n    src{i}/\n    */build{i}/src{i}/\n"));
    }
    text
}

#[test]
fn a_100k_entry_paths_section_is_read_in_linear_time() {
    let dir = tempdir("big-paths");
    let read = |n: usize| {
        std::fs::write(dir.join(".coveragerc"), paths_section(n)).unwrap();
        let start = std::time::Instant::now();
        let config =
            covmerge::config::load_coverage_config(&dir, None, &|_| None, &mut |w| panic!("{w}"))
                .unwrap();
        let took = start.elapsed();
        assert_eq!(config.paths.len(), n);
        let last = &config.paths[n - 1];
        assert_eq!(last.0, format!("src{}", n - 1));
        assert_eq!(last.1.len(), 2);
        took
    };
    // The fastest of three reads: a busy machine only ever adds time.
    let fastest = |n: usize| (0..3).map(|_| read(n)).min().unwrap();
    let small = fastest(10_000);
    let big = fastest(100_000);
    eprintln!("[paths] of 10k entries: {small:?}, 100k entries: {big:?}");
    // The quadratic reader took 3.3 s for 20k entries and minutes for 100k
    // (coverage.py: 2.4 s). Wall-clock bounds flake on a shared machine, so
    // the bound is generous (a debug build reads 100k entries in well under
    // a second) and the main check is the growth: 10 times the entries may
    // cost at most 30 times the time (a quadratic reader: 100 times).
    assert!(big < std::time::Duration::from_secs(10), "{big:?}");
    assert!(
        big < small * 30 + std::time::Duration::from_millis(200),
        "10k: {small:?}, 100k: {big:?}"
    );
}
