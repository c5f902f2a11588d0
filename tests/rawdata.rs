//! Raw coverage.py data files (`.coverage`) as a drop-in for `coverage
//! combine`: the real files of two pytest-cov + xdist workers (Python 3.11
//! and 3.12) in `testdata/rawdata/`, and what the real `coverage combine` +
//! `coverage report` printed for them (`testdata/rawdata-regen.sh`).
//!
//! The tests that need coverage.py read the interpreter from
//! `COVMERGE_TEST_PYTHON` (coverage==7.17.5 installed; the combine side), and
//! for the worker side from `COVMERGE_TEST_PYTHON_3_11` and
//! `COVMERGE_TEST_PYTHON_3_12` (each worker's own Python version). Without
//! them they skip with a message saying so.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data() -> PathBuf {
    repo().join("testdata/rawdata")
}

fn raw(worker: &str) -> String {
    data()
        .join(format!("workers/{worker}/raw.coverage"))
        .to_string_lossy()
        .into_owned()
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(data().join("expected").join(name)).unwrap()
}

/// The shared runner (tests/common): environment cleaned.
use common::run as covmerge_in;

/// A combine job's checkout: the sources and the `[paths]` configuration.
fn checkout(tag: &str) -> PathBuf {
    let dir = common::tempdir(tag);
    copy_dir(&data().join("project/mlpkg"), &dir.join("mlpkg"));
    std::fs::copy(data().join("coveragerc"), dir.join(".coveragerc")).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The interpreter in `var` if it has coverage.py 7.17.5 (and, when asked,
/// the given Python version); else a message and `None`.
fn python(var: &str, version: Option<&str>) -> Option<PathBuf> {
    let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) else {
        eprintln!(
            "SKIPPED: set {var} to a Python{} with coverage==7.17.5 installed to run this test \
             (eval \"$(bash testdata/rawdata-pythons.sh)\" sets it up)",
            version.map(|v| format!(" {v}")).unwrap_or_default()
        );
        return None;
    };
    let out = Command::new(&path)
        .args([
            "-c",
            "import sys, coverage; print('%d.%d.%d' % sys.version_info[:3], coverage.__version__)",
        ])
        .output();
    let text = match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => panic!("{var}={path:?} cannot import coverage"),
    };
    let (py, cov) = text.split_once(' ').unwrap();
    assert_eq!(
        cov, "7.17.5",
        "{var}: coverage.py {cov}, the expected files need 7.17.5"
    );
    // Line tables (what the analysis depends on) change between minor
    // versions, not patch releases.
    let minor = |v: &str| v.rsplit_once('.').map(|(m, _)| m.to_string());
    if let Some(want) = version {
        if minor(py) != minor(want) {
            eprintln!("SKIPPED: {var} is Python {py}; this worker ran {want}");
            return None;
        }
    }
    Some(PathBuf::from(path))
}

fn worker_python_version(worker: &str) -> String {
    let env = std::fs::read_to_string(data().join(format!("workers/{worker}/worker.env"))).unwrap();
    env.lines()
        .find_map(|l| l.strip_prefix("PYTHON="))
        .unwrap()
        .to_string()
}

fn worker_root(worker: &str) -> String {
    let env = std::fs::read_to_string(data().join(format!("workers/{worker}/worker.env"))).unwrap();
    env.lines()
        .find_map(|l| l.strip_prefix("ROOT="))
        .unwrap()
        .to_string()
}

#[test]
fn the_data_has_arc_ends_inside_multi_line_statements() {
    // Otherwise the tests below would prove nothing about the mapping.
    let conn = rusqlite::Connection::open_with_flags(
        raw("wA"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let arcs: Vec<(i64, i64)> = conn
        .prepare(
            "select fromno, tono from arc join file on file.id = arc.file_id \
             where file.path like '%/mlpkg/shapes.py'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // `result = (\n a\n * a\n)` on lines 6-9: the tracer enters at line 7.
    assert!(arcs.contains(&(5, 7)), "{arcs:?}");
}

#[test]
fn without_an_interpreter_raw_data_gives_no_numbers() {
    let dir = checkout("raw-refused");
    let (a, b) = (raw("wA"), raw("wB"));
    let out = covmerge_in(&dir, &["report", "-m", "--header", "none", &a, &b]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "No data to report.\n");
    assert!(!out.stdout.contains('%'));
    for name in ["mlpkg/shapes.py", "mlpkg/parse.py", "--python"] {
        assert!(out.stderr.contains(name), "{}", out.stderr);
    }
    // --fail-under cannot pass on unknown numbers, not even at 0.
    let out = covmerge_in(&dir, &["report", "--fail-under", "0", &a, &b]);
    assert_ne!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // --python where the sources are not: each file named, still no numbers.
    let empty = common::tempdir("raw-no-sources");
    std::fs::copy(data().join("coveragerc"), empty.join(".coveragerc")).unwrap();
    let out = covmerge_in(&empty, &["report", "--python", "python3", &a, &b]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "No data to report.\n");
    assert!(
        out.stderr
            .contains("mlpkg/shapes.py: not analysed: no source at"),
        "{}",
        out.stderr
    );
    // --strict: an error, not a table.
    let out = covmerge_in(&dir, &["report", "--strict", &a, &b]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("error:") && out.stderr.contains("--strict"));
    assert!(!out.stdout.contains('%'));
}

#[test]
fn unknown_files_are_left_out_of_the_table_and_the_total() {
    // Worker wB's JSON report without parse.py: parse.py is known only
    // from raw data, the other files from the report.
    let dir = checkout("raw-partial");
    let text = std::fs::read_to_string(data().join("workers/wB/coverage.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["files"]
        .as_object_mut()
        .unwrap()
        .remove("mlpkg/parse.py")
        .unwrap();
    let partial = dir.join("wB-partial.json");
    std::fs::write(&partial, json.to_string()).unwrap();
    let partial = partial.to_string_lossy().into_owned();
    let a = raw("wA");
    let out = covmerge_in(&dir, &["report", "-m", "--header", "none", &a, &partial]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("parse.py"), "{}", out.stdout);
    // The total is the other files' alone: expected minus parse.py's row.
    let want = expected("report-m.txt");
    let rows: Vec<&str> = want.lines().filter(|l| !l.contains("parse.py")).collect();
    let table: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(table[..table.len() - 1], rows[..rows.len() - 1]);
    assert!(table
        .last()
        .unwrap()
        .starts_with("TOTAL                  32      4     16      2"));
    assert!(
        out.stderr.contains("1 file(s) not reported"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("mlpkg/parse.py"), "{}", out.stderr);
    // The total leaves a file out, so a threshold it would meet still fails.
    let out = covmerge_in(&dir, &["report", "--fail-under", "50", &a, &partial]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("cannot pass"), "{}", out.stdout);
}

#[test]
fn a_report_of_another_worker_maps_raw_lines_onto_statements() {
    // No interpreter: the statements come from the other worker's
    // coverage.py JSON report. Arc ends on continuation lines count for
    // their statement, as in coverage.py's report.
    let dir = checkout("raw-json");
    for (rawside, known) in [("wA", "wB"), ("wB", "wA")] {
        let json = data().join(format!("workers/{known}/coverage.json"));
        let out = covmerge_in(
            &dir,
            &[
                "report",
                "-m",
                "--header",
                "none",
                &raw(rawside),
                json.to_str().unwrap(),
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(
            out.stdout,
            expected("report-m.txt"),
            "raw {rawside} + JSON {known}"
        );
    }
}

#[test]
fn combine_time_analysis_matches_coverage_combine_and_report() {
    let Some(py) = python("COVMERGE_TEST_PYTHON", None) else {
        return;
    };
    let py = py.to_string_lossy().into_owned();
    let dir = checkout("raw-python");
    let (a, b) = (raw("wA"), raw("wB"));
    for (args, want) in [
        (vec!["-m"], "report-m.txt"),
        (vec![], "report.txt"),
        (
            vec!["-m", "--skip-covered", "--precision=2"],
            "report-skip-covered-precision2.txt",
        ),
    ] {
        let mut argv = vec!["report", "--header", "none", "--python", &py];
        argv.extend(args);
        argv.extend([a.as_str(), b.as_str()]);
        let out = covmerge_in(&dir, &argv);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout, expected(want), "{argv:?}");
        assert!(!out.stderr.contains("not reported"), "{}", out.stderr);
    }
    // The JSON export is `coverage json`'s (but for meta.timestamp).
    let out = covmerge_in(
        &dir,
        &[
            "report",
            "-q",
            "--python",
            &py,
            "--report",
            "json:out.json",
            &a,
            &b,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let read = |p: &Path| -> serde_json::Value {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        v["meta"].as_object_mut().unwrap().remove("timestamp");
        v
    };
    assert_eq!(
        read(&dir.join("out.json")),
        read(&data().join("expected/coverage.json"))
    );
    // Sources reached through a symbolic link (coverage.py names files
    // with links resolved; the analysis must still find their data).
    #[cfg(unix)]
    {
        let linked = common::tempdir("raw-python-link");
        std::os::unix::fs::symlink(dir.join("mlpkg"), linked.join("mlpkg")).unwrap();
        std::fs::copy(dir.join(".coveragerc"), linked.join(".coveragerc")).unwrap();
        let out = covmerge_in(
            &linked,
            &["report", "-m", "--header", "none", "--python", &py, &a, &b],
        );
        assert_eq!(out.stdout, expected("report-m.txt"), "{}", out.stderr);
    }
    // `python` in covmerge.toml does the same.
    std::fs::write(
        dir.join("covmerge.toml"),
        format!("python = {}\n", serde_json::Value::String(py.clone())),
    )
    .unwrap();
    let out = covmerge_in(&dir, &["report", "-m", "--header", "none", &a, &b]);
    assert_eq!(out.stdout, expected("report-m.txt"), "{}", out.stderr);
    std::fs::remove_file(dir.join("covmerge.toml")).unwrap();

    // -o keeps the raw measurements, so a later combine can still analyse.
    let kept = dir.join("kept.covmerge.json");
    let kept = kept.to_str().unwrap();
    let out = covmerge_in(&dir, &["combine", "-o", kept, &a, &b]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let out = covmerge_in(
        &dir,
        &["report", "-m", "--header", "none", "--python", &py, kept],
    );
    assert_eq!(out.stdout, expected("report-m.txt"), "{}", out.stderr);

    // A source that differs from what the workers ran is not analysed.
    let recorded = common::tempdir("raw-hash");
    let worker = relocated_worker("wA", &recorded);
    let data_dir = recorded.join("shared");
    let out = covmerge_in(
        &worker,
        &[
            "record",
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--root",
            worker.to_str().unwrap(),
            "raw.coverage",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let shapes = dir.join("mlpkg/shapes.py");
    let mut text = std::fs::read_to_string(&shapes).unwrap();
    text.push_str("\n# edited after the run\n");
    std::fs::write(&shapes, text).unwrap();
    let out = covmerge_in(
        &dir,
        &["report", "--python", &py, data_dir.to_str().unwrap()],
    );
    assert!(
        out.stderr
            .contains("mlpkg/shapes.py: not analysed: the source at"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("shapes.py"), "{}", out.stdout);
    assert!(out.stdout.contains("parse.py"), "{}", out.stdout);
}

#[test]
fn the_golden_workers_raw_data_matches_coverage_combine_too() {
    // testdata/golden: workers on Python 3.11, 3.12 and 3.13 of the main
    // test project, statement and branch mode, combined by the real
    // coverage.py 7.17.5 (`coverage combine` + `coverage report -m`).
    let Some(py) = python("COVMERGE_TEST_PYTHON", None) else {
        return;
    };
    let dir = common::tempdir("raw-golden");
    copy_dir(&repo().join("testdata/project/pkg"), &dir.join("pkg"));
    for scenario in ["each", "each-branch", "each3-branch", "load", "load-branch"] {
        let golden = repo().join("testdata/golden").join(scenario);
        let rc = golden.join("paths.coveragerc");
        let mut args: Vec<String> = [
            "report",
            "-m",
            "--header",
            "none",
            "--rcfile",
            rc.to_str().unwrap(),
            "--python",
            py.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec();
        let mut workers: Vec<PathBuf> = std::fs::read_dir(golden.join("workers"))
            .unwrap()
            .map(|e| e.unwrap().path().join("raw.coverage"))
            .collect();
        workers.sort();
        assert!(workers.len() >= 2, "{scenario}");
        args.extend(workers.iter().map(|w| w.to_string_lossy().into_owned()));
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = covmerge_in(&dir, &argv);
        assert_eq!(out.code, 0, "{scenario}: {}", out.stderr);
        let want = std::fs::read_to_string(golden.join("expected/report-m.stdout")).unwrap();
        assert_eq!(out.stdout, want, "{scenario}");
    }
}

/// A worker's checkout at a new root, with its raw data file naming the
/// sources there (the paths rewritten in the SQLite file, as if the worker
/// had run in that directory).
fn relocated_worker(worker: &str, under: &Path) -> PathBuf {
    let root = under.join(worker).join("proj");
    copy_dir(&data().join("project"), &root);
    let file = root.join("raw.coverage");
    std::fs::copy(raw(worker), &file).unwrap();
    let conn = rusqlite::Connection::open(&file).unwrap();
    let old = worker_root(worker);
    let changed = conn
        .execute(
            "update file set path = ?1 || substr(path, ?2)",
            rusqlite::params![root.to_str().unwrap(), old.len() as i64 + 1],
        )
        .unwrap();
    assert!(changed > 0);
    drop(conn);
    root
}

#[test]
fn worker_side_analysis_needs_nothing_at_combine_time() {
    let mut pythons = Vec::new();
    for worker in ["wA", "wB"] {
        let version = worker_python_version(worker);
        let var = format!(
            "COVMERGE_TEST_PYTHON_{}",
            version.rsplit_once('.').unwrap().0.replace('.', "_")
        );
        match python(&var, Some(&version)) {
            Some(py) => pythons.push((worker, py)),
            None => return,
        }
    }
    let base = common::tempdir("raw-worker");
    let shared = base.join("shared");
    for (worker, py) in &pythons {
        let root = relocated_worker(worker, &base);
        let common = [
            "--python",
            py.to_str().unwrap(),
            "--worker",
            worker,
            "--root",
            root.to_str().unwrap(),
            "--data-dir",
            shared.to_str().unwrap(),
        ];
        // wA records the file the test run left; wB wraps the run.
        let mut argv = vec![if *worker == "wA" { "record" } else { "run" }];
        argv.extend(common);
        if *worker == "wA" {
            argv.push("raw.coverage");
        } else {
            argv.extend([
                "--report",
                ".coverage",
                "--",
                "cp",
                "raw.coverage",
                ".coverage",
            ]);
        }
        let out = covmerge_in(&root, &argv);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(!out.stderr.contains("warning"), "{}", out.stderr);
        // The sources are gone after the job.
        std::fs::remove_dir_all(root.join("mlpkg")).unwrap();
    }
    // The combine job: no sources, no interpreter, no configuration.
    let job = common::tempdir("raw-worker-combine");
    let out = covmerge_in(
        &job,
        &["report", "-m", "--header", "none", shared.to_str().unwrap()],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, expected("report-m.txt"));
    assert!(!out.stderr.contains("not reported"), "{}", out.stderr);
}

/// A stand-in interpreter: a shell script with `body`.
#[cfg(unix)]
fn fake_python(dir: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

#[cfg(unix)]
#[test]
fn a_broken_interpreter_is_a_clear_error_and_the_inputs_stay() {
    let dir = checkout("raw-broken");
    let a = dir.join("a.coverage");
    std::fs::copy(raw("wA"), &a).unwrap();
    let before = std::fs::read(&a).unwrap();
    let a = a.to_string_lossy().into_owned();
    let cases = [
        (
            "no-coverage",
            "echo \"ModuleNotFoundError: No module named 'coverage'\" >&2; exit 1",
            "install coverage.py",
        ),
        ("garbage", "echo 'not json'", "unexpected output"),
        ("hangs", "exec sleep 10", "did not finish within 1 s"),
        // The child exits but leaves a process holding its output open.
        ("holds-pipe", "sleep 10 & exit 0", "did not end"),
    ];
    for (name, body, says) in cases {
        let py = fake_python(&dir, name, body);
        let start = std::time::Instant::now();
        let out = common::covmerge()
            .args(["report", "--python", &py, &a])
            .current_dir(&dir)
            .env("COVMERGE_PYTHON_TIMEOUT", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(&py) && stderr.contains(says),
            "{name}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{name}");
        assert!(
            start.elapsed().as_secs() < 15,
            "{name} took {:?}",
            start.elapsed()
        );
    }
    assert_eq!(std::fs::read(dir.join("a.coverage")).unwrap(), before);
    // A bad limit is named.
    let out = common::covmerge()
        .args(["report", "--python", "python3", &a])
        .current_dir(&dir)
        .env("COVMERGE_PYTHON_TIMEOUT", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("COVMERGE_PYTHON_TIMEOUT=soon"));
}

/// Record `input` of `worker` (raw data or its JSON report) into `shared`
/// with that worker's platform.
fn record_as(dir: &Path, worker: &str, input: &str, shared: &Path) {
    let version = worker_python_version(worker);
    let platform = format!("platform linux, python {version}-final-0");
    let root = worker_root(worker);
    let out = covmerge_in(
        dir,
        &[
            "record",
            "--platform",
            &platform,
            "--worker",
            worker,
            "--root",
            &root,
            "--data-dir",
            shared.to_str().unwrap(),
            input,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}

fn views(dir: &Path, shared: &Path, extra: &[&str]) -> (String, String) {
    let mut by = vec!["combine", "--by-platform"];
    by.extend(extra);
    by.push(shared.to_str().unwrap());
    let mut diff = vec!["combine", "--platform-diff"];
    diff.extend(extra);
    diff.push(shared.to_str().unwrap());
    let (a, b) = (covmerge_in(dir, &by), covmerge_in(dir, &diff));
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(b.code, 0, "{}", b.stderr);
    (a.stdout, b.stdout)
}

#[test]
fn per_platform_views_of_raw_data_match_those_of_the_reports() {
    // Reference: both workers' own coverage.py JSON reports.
    let dir = checkout("raw-views");
    let json = |w: &str| {
        data()
            .join(format!("workers/{w}/coverage.json"))
            .to_string_lossy()
            .into_owned()
    };
    let reports = dir.join("reports");
    record_as(&dir, "wA", &json("wA"), &reports);
    record_as(&dir, "wB", &json("wB"), &reports);
    let want = views(&dir, &reports, &[]);
    assert!(want.0.contains("78%"), "{}", want.0);
    // Worker wA's raw data with wB's report: wA's lines and arcs on
    // continuation lines count for their statements in its column too.
    let mixed = dir.join("mixed");
    record_as(&dir, "wA", &raw("wA"), &mixed);
    record_as(&dir, "wB", &json("wB"), &mixed);
    // (Not the whole view: wB's report lists no arcs of the `# pragma: no
    // branch` line wB never ran, so wA's raw arc there has nothing to
    // count for, as in any merge of a report with raw data.)
    let (by, _) = views(&dir, &mixed, &[]);
    assert!(by.contains(" mlpkg/shapes.py        78%"), "{by}");
    assert!(by.contains(" TOTAL                  53%"), "{by}");
    // Both raw, analysed at combine time.
    let Some(py) = python("COVMERGE_TEST_PYTHON", None) else {
        return;
    };
    let raws = dir.join("raws");
    record_as(&dir, "wA", &raw("wA"), &raws);
    record_as(&dir, "wB", &raw("wB"), &raws);
    assert_eq!(
        views(&dir, &raws, &["--python", py.to_str().unwrap()]),
        want
    );
}
