//! The commands as a user runs them: record, run, combine, and what happens
//! with bad inputs.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::tempdir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample(rel: &str) -> PathBuf {
    root().join("testdata/samples").join(rel)
}

/// The shared runner (tests/common): environment cleaned.
use common::{run as covmerge_in, Run as Out};

fn covmerge(args: &[&str]) -> Out {
    covmerge_in(&root(), args)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn lcov_run1_plus_run2_equals_real_lcov_add_tracefile() {
    // gcc-lcov-add-merged.info is what the real `lcov -a run1 -a run2` wrote.
    let ours = covmerge(&[
        "combine",
        "-q",
        "-m",
        "--header",
        "none",
        s(&sample("lcov/gcc-geninfo-run1.info")),
        s(&sample("lcov/gcc-geninfo-run2-checksum.info")),
    ]);
    let theirs = covmerge(&[
        "combine",
        "-q",
        "-m",
        "--header",
        "none",
        s(&sample("lcov/gcc-lcov-add-merged.info")),
    ]);
    assert_eq!(ours.code, 0, "{}", ours.stderr);
    assert_eq!(ours.stdout, theirs.stdout);
    assert!(ours.stdout.contains("TOTAL"));
}

#[test]
fn coveragepy_sample_json_and_lcov_give_coveragepy_table() {
    let expected = std::fs::read_to_string(sample("coveragepy/report-m.txt")).unwrap();
    for input in ["coveragepy/coverage.json", "lcov/coveragepy.lcov"] {
        let out = covmerge(&["combine", "-q", "-m", "--header", "none", s(&sample(input))]);
        assert_eq!(out.stdout, expected, "{input}");
    }
}

#[test]
fn record_then_combine_prints_the_platform_header() {
    let dir = tempdir("record");
    let data = dir.join("shared");
    for (worker, platform) in [
        ("gw0", "platform linux, python 3.11.7-final-0"),
        ("gw1", "platform linux, python 3.12.1-final-0"),
    ] {
        let out = covmerge(&[
            "record",
            "--data-dir",
            s(&data),
            "--host",
            "hostA",
            "--platform",
            platform,
            "--worker",
            worker,
            "--mode",
            "each",
            s(&sample("coveragepy/coverage.json")),
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let names: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names
        .iter()
        .any(|n| n.starts_with("hostA.linux-py3.11.7.gw0.") && n.ends_with(".covmerge.json")));

    let out = covmerge(&["combine", "--width", "80", s(&data)]);
    assert_eq!(out.code, 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("{} coverage {}", "-".repeat(35), "-".repeat(35))
    );
    assert_eq!(
        lines[1],
        format!("{}platform linux, python 3.11.7-final-0", " ".repeat(21))
    );
    assert_eq!(
        lines[2],
        format!("{}platform linux, python 3.12.1-final-0", " ".repeat(21))
    );
    assert!(lines[3].starts_with("Name "));
    assert!(out.stderr.contains("Combined 2 files"), "{}", out.stderr);

    // One platform: the single-line header.
    let one = covmerge(&[
        "combine",
        "--width",
        "80",
        &format!("{}/hostA.linux-py3.11.7.*", s(&data)),
    ]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(
        one.stdout.lines().next().unwrap(),
        "_______________ coverage: platform linux, python 3.11.7-final-0 ________________"
            .replace('_', "-")
    );
}

#[test]
fn run_records_even_when_tests_fail_and_keeps_the_exit_status() {
    let dir = tempdir("run");
    let report = sample("coveragepy/coverage.json");
    let script = format!("cp '{}' coverage.json; exit 3", s(&report));
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
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    let files: Vec<_> = std::fs::read_dir(dir.join("covmerge-data"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);

    // A command that writes no report: said clearly, non-zero exit.
    let out = covmerge_in(
        &dir,
        &[
            "run",
            "--report",
            "nothing.json",
            "--",
            "sh",
            "-c",
            "exit 0",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("wrote no coverage report at nothing.json"),
        "{}",
        out.stderr
    );

    // A stale report from an earlier run is not recorded as this run's.
    let stale = dir.join("old.json");
    std::fs::copy(&report, &stale).unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let out = covmerge_in(&dir, &["run", "--report", "old.json", "--", "true"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("left from an earlier run"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_inputs_are_named_and_skipped_or_fatal_with_strict() {
    let dir = tempdir("bad");
    let good = dir.join("coverage-good.json");
    std::fs::copy(sample("coveragepy/coverage.json"), &good).unwrap();
    let text = std::fs::read_to_string(&good).unwrap();
    std::fs::write(dir.join("coverage-empty.json"), "").unwrap();
    std::fs::write(dir.join("cov-cut.json"), &text[..text.len() / 3]).unwrap();
    std::fs::write(dir.join("junk.lcov"), [0u8, 159, 146, 150, 255]).unwrap();
    std::fs::write(
        dir.join("coverage-other.json"),
        "{\"name\": \"not coverage\"}",
    )
    .unwrap();
    std::fs::write(
        dir.join("future.covmerge.json"),
        "{\"covmerge\": 7, \"files\": {}}",
    )
    .unwrap();
    std::fs::write(dir.join(".half.covmerge.json.tmp-1"), "{\"covm").unwrap();
    let before: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();

    let out = covmerge(&["combine", "--header", "none", s(&dir)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for name in [
        "coverage-empty.json",
        "cov-cut.json",
        "junk.lcov",
        "future.covmerge.json",
        "coverage-other.json",
    ] {
        assert!(
            out.stderr.contains(name),
            "{name} not named in:\n{}",
            out.stderr
        );
    }
    assert!(
        out.stderr.contains("cov-cut.json:1:"),
        "line number: {}",
        out.stderr
    );
    // A writer's leftover temporary file is never read, only reported.
    for line in out.stderr.lines().filter(|l| l.contains(".half")) {
        assert!(line.contains("interrupted writer; ignored"), "{line}");
    }
    assert!(
        out.stderr.contains("Combined 1 file, 5 files rejected"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("shapes/core.py"));

    let strict = covmerge(&["combine", "--strict", s(&dir)]);
    assert_eq!(strict.code, 1);
    assert!(
        strict.stderr.contains("covmerge: error:"),
        "{}",
        strict.stderr
    );

    // Inputs are never changed or deleted.
    for (path, bytes) in before {
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{}", path.display());
    }
}

#[test]
fn nothing_to_combine_and_duplicates() {
    let dir = tempdir("empty");
    let out = covmerge(&["combine", s(&dir)]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "No data to combine\n");

    let missing = covmerge(&["combine", s(&dir.join("nope"))]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("non-existent path"));

    let a = dir.join("a.lcov");
    let b = dir.join("b.lcov");
    std::fs::copy(sample("lcov/gcc-geninfo-run1.info"), &a).unwrap();
    std::fs::copy(sample("lcov/gcc-geninfo-run1.info"), &b).unwrap();
    let out = covmerge(&["combine", "--header", "none", s(&dir)]);
    assert_eq!(out.code, 0);
    assert!(out.stderr.contains("identical to"), "{}", out.stderr);
    assert!(
        out.stderr.contains("Combined 1 file, skipped 1 duplicate"),
        "{}",
        out.stderr
    );
    let single = covmerge(&["combine", "--header", "none", s(&a)]);
    assert_eq!(
        out.stdout, single.stdout,
        "a duplicate must not double the counts"
    );
}

#[test]
fn windows_paths_with_a_recorded_root_merge_with_posix_ones() {
    let dir = tempdir("win");
    let win = dir.join("win.lcov");
    let posix = dir.join("posix.lcov");
    std::fs::write(
        &win,
        "SF:C:\\a\\Proj\\pkg\\m.py\r\nDA:1,1\r\nDA:2,0\r\nend_of_record\r\n",
    )
    .unwrap();
    std::fs::write(
        &posix,
        "SF:/home/r/proj/pkg/m.py\nDA:1,0\nDA:2,4\nend_of_record\n",
    )
    .unwrap();
    let data = dir.join("shared");
    for (file, root, platform) in [
        (&win, "c:\\A\\proj", "platform win32"),
        (&posix, "/home/r/proj", "platform linux"),
    ] {
        let out = covmerge(&[
            "record",
            "--data-dir",
            s(&data),
            "--root",
            root,
            "--platform",
            platform,
            s(file),
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let out = covmerge(&["combine", "--header", "none", s(&data)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("\npkg/m.py       2      0   100%\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn map_option_applies_paths_rules() {
    let dir = tempdir("map");
    let a = dir.join("a.lcov");
    let b = dir.join("b.lcov");
    std::fs::write(&a, "SF:/builds/x/src/m.c\nDA:1,1\nDA:2,0\nend_of_record\n").unwrap();
    std::fs::write(
        &b,
        "SF:D:\\agent\\_work\\1\\s\\src\\m.c\nDA:2,1\nend_of_record\n",
    )
    .unwrap();
    let out = covmerge(&[
        "combine",
        "--header",
        "none",
        "--map",
        "*/src/=src/",
        s(&a),
        s(&b),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("\nsrc/m.c       2      0   100%\n"),
        "{}",
        out.stdout
    );

    let bad = covmerge(&["combine", "--map", "/x/*=y", s(&a)]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("must not end with wildcards"),
        "{}",
        bad.stderr
    );
}

#[test]
fn sort_and_format_errors_use_coveragepy_words() {
    let input = sample("coveragepy/coverage.json");
    let out = covmerge(&["combine", "-q", "--sort", "bogus", s(&input)]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Invalid sorting option: 'bogus'"));
    let out = covmerge(&["combine", "-q", "--format", "bogus", s(&input)]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Unknown report format choice: 'bogus'"));
}

#[test]
fn every_command_has_examples_and_quiet_verbose() {
    for cmd in ["record", "run", "combine", "completions", "man"] {
        let out = covmerge(&[cmd, "--help"]);
        assert_eq!(out.code, 0, "{cmd}: {}", out.stderr);
        assert!(
            out.stdout.contains("\nExamples:\n"),
            "{cmd} --help has no examples"
        );
        assert!(out.stdout.contains("-q, --quiet"), "{cmd}: no --quiet");
        assert!(out.stdout.contains("-v, --verbose"), "{cmd}: no --verbose");
    }
    let out = covmerge(&["--help"]);
    assert!(out.stdout.contains("Examples:") && out.stdout.contains("Exit status:"));
    let out = covmerge(&["combine", "-q", "-v"]);
    assert_eq!(out.code, 2, "clap usage error: {}", out.stderr);
}

#[test]
fn completions_and_man_pages_come_from_the_cli_definition() {
    for (shell, marker) in [
        ("bash", "complete -F _covmerge"),
        ("zsh", "#compdef covmerge"),
        ("fish", "complete -c covmerge"),
        ("elvish", "covmerge"),
        ("powershell", "covmerge"),
    ] {
        let out = covmerge(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}");
        // fish spells long options as `-l rcfile`.
        assert!(out.stdout.contains("rcfile"), "{shell}: no --rcfile");
    }
    let out = covmerge(&["man"]);
    assert!(out.stdout.starts_with(".ie") && out.stdout.contains(".TH covmerge 1"));
    let out = covmerge(&["man", "combine"]);
    assert!(out.stdout.contains("\\-\\-fail\\-under"), "{}", out.stdout);
    let dir = tempdir("man");
    let out = covmerge(&["man", "-q", "--dir", s(&dir)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in [
        "covmerge.1",
        "covmerge-combine.1",
        "covmerge-record.1",
        "covmerge-run.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
}

#[test]
fn clap_colour_honours_no_color() {
    let run = |envs: &[(&str, &str)]| {
        let mut cmd = common::covmerge();
        cmd.args(["combine", "--bogus"]).env_remove("NO_COLOR");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stderr).into_owned()
    };
    // Forced colour shows that clap does colour its messages...
    assert!(run(&[("CLICOLOR_FORCE", "1")]).contains('\u{1b}'));
    // ...and NO_COLOR wins even over CLICOLOR_FORCE.
    let plain = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    assert!(plain.starts_with("error: unexpected argument '--bogus'"));
}

#[test]
fn output_directory_is_created() {
    let dir = tempdir("out");
    let out_file = dir.join("shards/job-1.covmerge.json");
    let out = covmerge(&[
        "combine",
        "-q",
        s(&sample("coveragepy/coverage.json")),
        "-o",
        s(&out_file),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out_file.is_file());
}

#[test]
fn differing_sources_between_workers_are_reported_with_their_platforms() {
    let dir = tempdir("drift");
    for (w, content) in [("a", "x = 1\n"), ("b", "x = 1\r\n"), ("c", "x = 2\n")] {
        std::fs::create_dir_all(dir.join(w).join("pkg")).unwrap();
        std::fs::write(dir.join(w).join("pkg/m.py"), content).unwrap();
        std::fs::write(
            dir.join(w).join("m.info"),
            "SF:pkg/m.py\nDA:1,1\nend_of_record\n",
        )
        .unwrap();
    }
    let record = |w: &str, platform: &str| {
        let root = dir.join(w);
        let out = covmerge_in(
            &dir,
            &[
                "record",
                "-q",
                "--data-dir",
                "data",
                "--worker",
                w,
                "--platform",
                platform,
                "--root",
                s(&root),
                s(&root.join("m.info")),
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    };
    record("a", "platform linux, python 3.12.1-final-0");
    record("b", "platform win32, python 3.12.1-final-0");
    // Same content (CRLF read as LF): no warning.
    let same = covmerge_in(&dir, &["combine", "--strict", "--header", "none", "data"]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert!(!same.stderr.contains("different code"), "{}", same.stderr);
    record("c", "platform darwin, python 3.12.1-final-0");
    let out = covmerge_in(
        &dir,
        &[
            "combine",
            "--header",
            "none",
            "-o",
            "all.covmerge.json",
            "--manifest",
            "m.json",
            "data",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let warning = out
        .stderr
        .lines()
        .find(|l| l.contains("pkg/m.py: the workers ran different code"))
        .unwrap_or_else(|| panic!("{}", out.stderr));
    let (one, other) = warning.split_once(" | ").unwrap();
    let (darwin, rest) = if one.contains("darwin") {
        (one, other)
    } else {
        (other, one)
    };
    assert!(
        darwin.contains("platform darwin") && !darwin.contains("linux"),
        "{warning}"
    );
    assert!(
        rest.contains("platform linux") && rest.contains("platform win32"),
        "{warning}"
    );
    // The combined file remembers both sides, and --strict refuses it.
    let again = covmerge_in(&dir, &["combine", "--strict", "all.covmerge.json"]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("different code"), "{}", again.stderr);
    let m = std::fs::read_to_string(dir.join("m.json")).unwrap();
    assert!(
        m.contains("\"source_drift\": [\n    {\n      \"file\": \"pkg/m.py\""),
        "{m}"
    );
}

#[test]
fn python_probe_gives_pytest_covs_platform_description() {
    // The one test that uses a Python: the probe is only meaningful against
    // a real interpreter. Without one on the machine there is nothing to probe.
    let Some(python) = ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!("no python on this machine; probe not exercised");
        return;
    };
    let expected = String::from_utf8(
        Command::new(python)
            .args([
                "-c",
                "import sys; v = sys.version_info; print('platform %s, python %d.%d.%d-%s-%d' % (sys.platform, v.major, v.minor, v.micro, v.releaselevel, v.serial))",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let dir = tempdir("probe");
    let out = covmerge(&[
        "record",
        "--data-dir",
        s(&dir),
        "--python",
        python,
        s(&sample("coveragepy/coverage.json")),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = covmerge(&["combine", "-q", "--width", "80", s(&dir)]);
    let first = out.stdout.lines().next().unwrap();
    assert!(
        first.contains(&format!(" coverage: {} ", expected.trim())),
        "{first} / {expected}"
    );
    // A bad interpreter is an error before anything is run or written.
    let out = covmerge(&[
        "record",
        "--data-dir",
        s(&dir),
        "--python",
        "/nonexistent/python",
        s(&sample("coveragepy/coverage.json")),
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("/nonexistent/python"), "{}", out.stderr);
}

#[test]
fn covmerge_settings_expect_workers_and_exports() {
    let dir = tempdir("settings");
    std::fs::copy(
        sample("coveragepy/coverage.json"),
        dir.join("coverage-a.json"),
    )
    .unwrap();
    std::fs::write(
        dir.join("covmerge.toml"),
        "data_dir = \".\"\nexpect_workers = 2\nexports = [\"lcov:out.lcov\"]\n",
    )
    .unwrap();
    // One input where the settings expect two: fails with the reason.
    let out = covmerge_in(&dir, &["combine", "-q"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("expected data from 2 workers"),
        "{}",
        out.stderr
    );
    // The command line wins: expecting one passes and the export is written.
    let out = covmerge_in(&dir, &["combine", "-q", "--expect-workers", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.join("out.lcov").is_file());
}

#[test]
fn a_bad_include_or_omit_pattern_names_where_it_came_from() {
    let dir = tempdir("badglob");
    std::fs::copy(
        sample("coveragepy/coverage.json"),
        dir.join("coverage.json"),
    )
    .unwrap();
    std::fs::write(dir.join(".coveragerc"), "[report]\nomit = pkg/***/x.py\n").unwrap();
    let out = covmerge_in(&dir, &["combine", "-q", "coverage.json"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains(".coveragerc: [report] omit: File pattern can't include '***'"),
        "{}",
        out.stderr
    );
    let out = covmerge_in(
        &dir,
        &["combine", "-q", "--include", "a/[b", "coverage.json"],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("--include: File pattern can't include '['"),
        "{}",
        out.stderr
    );
}

#[test]
fn platform_and_python_together_name_the_platform_and_skip_the_probe() {
    let dir = common::tempdir("platform-python");
    let report = sample("coveragepy/coverage.json");
    // The interpreter does not exist: with --platform it is not probed, and
    // a JSON report needs no analysis, so the record succeeds.
    let out = covmerge_in(
        &dir,
        &[
            "record",
            "-q",
            "--no-config",
            "--data-dir",
            "data",
            "--platform",
            "platform win32, python 3.12.1-final-0",
            "--python",
            "/nonexistent/python3",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let combined = covmerge_in(&dir, &["combine", "-q", "--no-config", "data"]);
    assert!(
        combined
            .stdout
            .contains("coverage: platform win32, python 3.12.1-final-0"),
        "{}",
        combined.stdout
    );
}

/// The manifest counts the files an input contributed by combined name:
/// a file listed twice, or spelled two ways that map to one name, is one.
#[test]
fn the_manifest_counts_each_file_of_an_input_once() {
    let dir = tempdir("manifest-files");
    std::fs::write(
        dir.join("t.info"),
        "SF:a.c\nDA:1,1\nend_of_record\nSF:./a.c\nDA:2,0\nend_of_record\n\
         SF:b.c\nDA:1,1\nend_of_record\nSF:a.c\nDA:3,1\nend_of_record\n",
    )
    .unwrap();
    std::fs::write(dir.join("u.info"), "SF:b.c\nDA:1,1\nend_of_record\n").unwrap();
    let out = covmerge_in(
        &dir,
        &["combine", "-q", "--manifest", "m.json", "t.info", "u.info"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("m.json")).unwrap()).unwrap();
    let files: Vec<u64> = (m["inputs"].as_array().unwrap().iter())
        .map(|input| input["contributed"]["files"].as_u64().unwrap())
        .collect();
    assert_eq!(files, [2, 1], "{m}");
}
