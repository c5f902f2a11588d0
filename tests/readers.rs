//! Every real sample in testdata/samples/ (written by the real tools named
//! in testdata/samples/SOURCES.md) is read, and the numbers are checked
//! against what the producing tool itself reported for the same run: its
//! own summary counters, another format written by the same run, or the
//! tool's own merge of the same inputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use covmerge::formats::{self, Parsed};
use covmerge::model::{CoverageData, FileCoverage};
use covmerge::report::analysis::Analysis;

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/samples")
        .join(rel)
}

fn read(rel: &str) -> Parsed {
    let parsed = formats::read_file(&sample(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert!(
        parsed.diagnostics.warnings.is_empty(),
        "{rel}: {:?}",
        parsed.diagnostics.warnings
    );
    parsed
}

/// (statements, covered statements, branch outcomes, covered outcomes).
fn totals(file: &FileCoverage) -> (usize, usize, usize, usize) {
    let n = Analysis::new(file).numbers;
    (
        n.statements,
        n.statements - n.missing,
        n.branches,
        n.branches - n.missing_branches,
    )
}

fn only_file(data: &CoverageData) -> (&String, &FileCoverage) {
    assert_eq!(data.files.len(), 1, "{:?}", data.files.keys());
    data.files.iter().next().unwrap()
}

fn line_hits(file: &FileCoverage) -> BTreeMap<u32, u64> {
    file.lines.clone()
}

// ---------------------------------------------------------------- Cobertura

#[test]
fn cobertura_gcovr_matches_its_summary_and_its_lcov() {
    // gcovr 8.8, merge of run1 + run2: lines-valid=17 lines-covered=17
    // branches-valid=14 branches-covered=11.
    let parsed = read("cobertura/gcovr-merged.xml");
    assert_eq!(parsed.format, "cobertura");
    assert_eq!(
        parsed.data.sources[0].producer.as_deref(),
        Some("gcovr 8.8")
    );
    let (name, file) = only_file(&parsed.data);
    assert_eq!(name, "/ci/worker01/c/calc.c");
    assert_eq!(totals(file), (17, 17, 14, 11));
    assert_eq!(file.functions.len(), 3);
    assert_eq!(file.functions["classify"].hits, 3);
    // The same run's LCOV (gcovr's writer) and lcov -a of the same two runs.
    let lcov = read("lcov/gcovr-merged.info");
    assert_eq!(
        line_hits(file),
        line_hits(&lcov.data.files["/ci/worker01/c/calc.c"])
    );
    let lcov_a = read("lcov/gcc-lcov-add-merged.info");
    assert_eq!(
        line_hits(file),
        line_hits(&lcov_a.data.files["/ci/worker01/c/calc.c"])
    );
}

#[test]
fn cobertura_coveragepy_matches_its_summary_and_its_json() {
    // coverage.py 7.17.5: lines-valid=20 lines-covered=16 branches-valid=8
    // branches-covered=5.
    let parsed = read("cobertura/coveragepy.xml");
    let data = &parsed.data;
    assert!(data.branch_coverage);
    assert_eq!(data.files.len(), 2);
    let core = &data.files["/ci/worker01/py/shapes/core.py"];
    assert_eq!(totals(core), (20, 16, 8, 5));
    assert!(data.files["/ci/worker01/py/shapes/__init__.py"]
        .lines
        .is_empty());
    let json = read("coveragepy/coverage.json");
    assert_eq!(
        line_hits(core),
        line_hits(&json.data.files["shapes/core.py"])
    );
}

#[test]
fn cobertura_istanbul_matches_its_summary_and_its_lcov() {
    // nyc 18: lines-valid=12 lines-covered=12 branches-valid=10 branches-covered=8.
    let parsed = read("cobertura/nyc-merged-cobertura.xml");
    let file = &parsed.data.files["/ci/worker01/js/calc.js"];
    assert_eq!(totals(file), (12, 12, 10, 8));
    // Method lines give functions, not line hits (line 12 ran twice, the
    // anonymous function on it never).
    assert_eq!(file.lines[&12], 2);
    assert_eq!(file.functions["(anonymous_1)"].hits, 0);
    assert_eq!(file.functions["classify"].hits, 3);
    let lcov = read("lcov/nyc-merged-lcov.info");
    assert_eq!(line_hits(file), line_hits(&lcov.data.files["calc.js"]));
}

// ------------------------------------------------------------------- JaCoCo

#[test]
fn jacoco_matches_its_counters() {
    // run1: LINE missed=4 covered=6, BRANCH missed=5 covered=3.
    let run1 = read("jacoco/jacoco-run1.xml");
    assert_eq!(run1.format, "jacoco");
    let (name, file) = only_file(&run1.data);
    assert_eq!(name, "demo/Calc.java");
    assert_eq!(totals(file), (10, 6, 8, 3));
    // merged.exec: LINE missed=3 covered=7, BRANCH missed=4 covered=4.
    let merged = read("jacoco/jacoco-merged.xml");
    assert_eq!(totals(only_file(&merged.data).1), (10, 7, 8, 4));
}
