//! Messages of issue 13: `--debug-paths` lines are `debug:`, not warnings;
//! a directory search says which files it passed over by name and how to
//! read them; a gcov JSON without branch data says `-b` was missing, once.

mod common;

use std::path::{Path, PathBuf};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

fn covmerge(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = common::covmerge()
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn debug_paths_explains_without_the_word_warning() {
    let (code, _, err) = covmerge(
        &testdata(),
        &[
            "combine",
            "--no-config",
            "--debug-paths",
            "--map",
            "example.com/covdemo=src",
            "samples/regen/go/cover-set.out",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let debug: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("covmerge: debug: "))
        .collect();
    assert!(
        debug
            .iter()
            .any(|l| l.starts_with("covmerge: debug: paths ")),
        "{err}"
    );
    assert!(
        debug
            .iter()
            .any(|l| l.contains("path example.com/covdemo/calc/calc.go -> src/calc/calc.go")),
        "{err}"
    );
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn a_directory_search_names_the_files_it_passed_over() {
    let dir = common::tempdir("passed-over");
    let samples = testdata().join("samples");
    std::fs::copy(
        samples.join("regen/coveragepy/coverage.json"),
        dir.join("worker1.json"),
    )
    .unwrap();
    std::fs::copy(
        samples.join("cobertura/gcovr-merged.xml"),
        dir.join("w2-report.xml"),
    )
    .unwrap();
    std::fs::write(dir.join(".hidden"), "x").unwrap();
    let (code, out, err) = covmerge(&dir, &["combine", "--no-config", "."]);
    assert_eq!(code, 1);
    assert_eq!(out, "No data to combine\n");
    assert!(
        err.contains("passed over 2 files whose names do not look like coverage data: ./w2-report.xml, ./worker1.json; to read them, name them on the command line or match them with a glob"),
        "{err}"
    );
    assert!(!err.contains(".hidden"), "{err}");
    // Even -q says it when nothing else was found.
    let (_, _, err) = covmerge(&dir, &["combine", "--no-config", "-q", "."]);
    assert!(err.contains("passed over 2 files"), "{err}");

    // The advice works: a glob reads them.
    let (code, out, err) = covmerge(&dir, &["combine", "--no-config", "./*"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("TOTAL"), "{out}");
    assert!(!err.contains("passed over"), "{err}");

    // Many files: the first few, and how many more; -q leaves it out
    // when there is data.
    for i in 0..7 {
        std::fs::write(dir.join(format!("notes{i}.txt")), "x").unwrap();
    }
    std::fs::copy(
        samples.join("regen/coveragepy/coverage.json"),
        dir.join("coverage.json"),
    )
    .unwrap();
    let (code, _, err) = covmerge(&dir, &["combine", "--no-config", "."]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("passed over 9 files"), "{err}");
    assert!(err.contains(", and 4 more;"), "{err}");
    let (_, _, err) = covmerge(&dir, &["combine", "--no-config", "-q", "."]);
    assert!(!err.contains("passed over"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gcov_json_without_branch_data_says_b_was_missing_once() {
    // The sample was written by `gcov --json-format` without -b.
    let (code, _, err) = covmerge(
        &testdata(),
        &["combine", "--no-config", "samples/gcov-json/calc.gcov.json"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("gcov was run without -b").count(), 1, "{err}");
    // With -b there is no such note.
    let (code, _, err) = covmerge(
        &testdata(),
        &[
            "combine",
            "--no-config",
            "samples/regen/gcc/calc.gcov.json.gz",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("without -b"), "{err}");
}
