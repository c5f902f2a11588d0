//! Every real sample in testdata/samples/ (written by the real tools named
//! in testdata/samples/SOURCES.md) is read, and the numbers are checked
//! against what the producing tool itself reported for the same run: its
//! own summary counters, another format written by the same run, or the
//! tool's own merge of the same inputs.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use covmerge::analysis::FileAnalysis;
use covmerge::formats::{self, Parsed};
use covmerge::model::{CoverageData, FileCoverage};

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/samples")
        .join(rel)
}

/// The warnings, less the note that a gcov JSON sample written without
/// `-b` has no branch data (that sample is kept as gcov wrote it).
fn unexpected(diag: &formats::Diagnostics) -> Vec<&formats::Warning> {
    diag.warnings
        .iter()
        .filter(|w| w.message != covmerge::formats::gcov_json::NO_BRANCHES)
        .collect()
}

fn read(rel: &str) -> Parsed {
    let mut parsed = formats::read_file(&sample(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    // As combine does before any analysis (count-only branches).
    parsed.data.resolve_branches();
    assert!(
        unexpected(&parsed.diagnostics).is_empty(),
        "{rel}: {:?}",
        parsed.diagnostics.warnings
    );
    parsed
}

/// (statements, covered statements, branch outcomes, covered outcomes).
fn totals(file: &FileCoverage) -> (usize, usize, usize, usize) {
    let n = FileAnalysis::of(file).numbers;
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

// ----------------------------------------------------------------------- Go

#[test]
fn go_profiles_in_the_three_modes() {
    let set = read("go/cover-set.out");
    let count = read("go/cover-count.out");
    assert_eq!(set.format, "go coverprofile");
    let calc = "example.com/covdemo/calc/calc.go";
    let report = "example.com/covdemo/report/report.go";
    // Same blocks, so the same statements; set hits are count hits capped at 1.
    for name in [calc, report] {
        let s = &set.data.files[name];
        let c = &count.data.files[name];
        assert_eq!(
            s.lines.keys().collect::<Vec<_>>(),
            c.lines.keys().collect::<Vec<_>>()
        );
        for (line, hits) in &c.lines {
            assert_eq!(s.lines[line], (*hits).min(1), "{name}:{line}");
        }
    }
    let c = &count.data.files[calc];
    // The one-line loop on line 16: blocks of counts 2, 5 and 4 -> max 5.
    assert_eq!(c.lines[&16], 5);
    // Line 20's only block never ran.
    assert_eq!(c.lines[&20], 0);
    assert_eq!(
        c.lines.keys().copied().collect::<Vec<_>>(),
        [4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 20]
    );
}

#[test]
fn go_coverpkg_duplicates_are_summed_like_go_tool_cover() {
    // -coverpkg: every block twice (once per test binary). go tool cover
    // -func summed them and printed 91.7% (11 of 12 statements); per binary
    // calc alone was 10 of 11 blocks' statements covered and report 0 of 1.
    let both = read("go/cover-count-coverpkg.out");
    let single = read("go/cover-count.out");
    let calc = "example.com/covdemo/calc/calc.go";
    let report = "example.com/covdemo/report/report.go";
    let b = &both.data.files[calc];
    let s = &single.data.files[calc];
    assert_eq!(
        b.lines.keys().collect::<Vec<_>>(),
        s.lines.keys().collect::<Vec<_>>()
    );
    // Line 4's block ran twice in the calc tests and once in the report tests.
    assert_eq!(b.lines[&4], 3);
    // Lines 7-9: the 7.19,9.3 block ran only in the report test binary.
    assert_eq!(s.lines[&8], 0);
    assert_eq!(b.lines[&8], 1);
    assert_eq!(both.data.files[report].lines[&6], 1);
    // Line 20 is the only line no binary ran, as go tool cover's 11/12 says.
    let missed: Vec<u32> = both
        .data
        .files
        .values()
        .flat_map(|f| f.lines.iter().filter(|(_, h)| **h == 0).map(|(l, _)| *l))
        .collect();
    assert_eq!(missed, [20]);
}

// ----------------------------------------------------------------- Istanbul

#[test]
fn istanbul_run1_plus_run2_equals_nyc_merge_and_its_lcov() {
    let mut merged = read("istanbul/nyc-run1-coverage-final.json").data;
    assert_eq!(
        read("istanbul/nyc-run1-coverage-final.json").format,
        "istanbul json"
    );
    merged.merge(read("istanbul/nyc-run2-coverage-final.json").data);
    let nyc = read("istanbul/nyc-merged-coverage.json").data;
    let name = "/ci/worker01/js/calc.js";
    assert_eq!(merged.files[name], nyc.files[name]);
    // nyc's lcov and cobertura reporters, run on the same merged data.
    let lcov = read("lcov/nyc-merged-lcov.info").data;
    let l = &lcov.files["calc.js"];
    let m = &merged.files[name];
    assert_eq!(m.lines, l.lines);
    assert_eq!(m.branches, l.branches);
    let fns = |f: &FileCoverage| -> BTreeMap<String, (u32, u64)> {
        f.functions
            .iter()
            .map(|(n, f)| (n.clone(), (f.start, f.hits)))
            .collect()
    };
    assert_eq!(fns(m), fns(l));
    // LF:12 LH:12 BRF:10 BRH:8
    assert_eq!(totals(m), (12, 12, 10, 8));
}

#[test]
fn istanbul_c8_matches_its_lcov() {
    let c8 = read("istanbul/c8-coverage-final.json").data;
    let lcov = read("lcov/c8-lcov.info").data;
    let j = &c8.files["/ci/worker01/js/calc.js"];
    let l = &lcov.files["calc.js"];
    // Every source line is a statement (blank ones too), as c8 writes DA.
    assert_eq!(j.lines, l.lines);
    assert_eq!(j.lines.len(), 24);
    // c8's LCOV keeps c8's per-run branch ids; the JSON's are numbered by
    // location (docs/BRANCHES.md): the same outcomes per line.
    let per_line = |f: &FileCoverage| -> BTreeMap<u32, Vec<Option<u64>>> {
        let mut m: BTreeMap<u32, Vec<Option<u64>>> = BTreeMap::new();
        for ((line, _, _), t) in &f.branches {
            m.entry(*line).or_default().push(*t);
        }
        m.values_mut().for_each(|v| v.sort());
        m
    };
    assert_eq!(per_line(j), per_line(l));
}

// ------------------------------------------------------ coverage.py SQLite

const RAW1: &str = "coveragepy/.coverage.vm.pid16141.XMg3fdZx.HZjmW2IUQN0h";
const RAW2: &str = "coveragepy/.coverage.vm.pid16145.XudCdJmx.HB6HV9geSFfh";

/// The raw files name files absolutely; the reports ran in /ci/worker01/py.
fn relative_to_py(data: CoverageData) -> CoverageData {
    let mapper = covmerge::paths::PathMapper {
        cwd: Some("/ci/worker01/py".to_string()),
        ..Default::default()
    };
    covmerge::combine::normalize_paths(data, &mapper, |_, _, _| {})
}

#[test]
fn coveragepy_raw_data_gives_what_ran() {
    let run1 = read(RAW1);
    assert_eq!(run1.format, "coverage.py data");
    assert_eq!(
        run1.data.sources[0].producer.as_deref(),
        Some("coverage.py 7.17.5")
    );
    assert!(run1.data.branch_coverage);
    let mut raw = relative_to_py(run1.data);
    raw.merge(relative_to_py(read(RAW2).data));
    let core = &raw.files["shapes/core.py"];
    assert!(core.statements_unknown);
    assert!(raw.files["shapes/__init__.py"].lines.is_empty());
    // What `coverage combine` + `coverage json` of these two files reported.
    let json = read("coveragepy/coverage.json").data;
    let j = &json.files["shapes/core.py"];
    let executed: Vec<u32> = j
        .lines
        .iter()
        .filter(|(_, h)| **h > 0)
        .map(|(l, _)| *l)
        .collect();
    // Line 19 ran but is excluded (`# pragma: no cover`): raw data lists it.
    let mut raw_lines: Vec<u32> = core.lines.keys().copied().collect();
    assert!(raw_lines.contains(&19));
    raw_lines.retain(|l| *l != 19);
    assert_eq!(raw_lines, executed);
    let executed_arcs: Vec<(u32, i64)> = j
        .arcs
        .iter()
        .filter(|(_, t)| t.unwrap_or(0) > 0)
        .map(|(a, _)| *a)
        .collect();
    let raw_branch_arcs: Vec<(u32, i64)> = core
        .arcs
        .keys()
        .filter(|a| j.arcs.contains_key(a))
        .copied()
        .collect();
    assert_eq!(raw_branch_arcs, executed_arcs);
    // Alone, the file reports its executed lines and no branches.
    let alone = FileAnalysis::of(core);
    assert_eq!(alone.numbers.branches, 0);
    assert_eq!(alone.numbers.missing, 0);
}

#[test]
fn coveragepy_raw_data_takes_statements_from_a_report() {
    // Worker A uploaded only raw data, worker B a JSON report (here the
    // combined report of the same runs): the table is coverage.py's own.
    let mut data = relative_to_py(read(RAW1).data);
    data.merge(read("coveragepy/coverage.json").data);
    data.merge(relative_to_py(read(RAW2).data));
    let core = &data.files["shapes/core.py"];
    assert!(!core.statements_unknown);
    assert!(!core.lines.contains_key(&19));
    let a = FileAnalysis::of(core);
    // report-m.txt: 20 statements, 4 missed, 8 branches, 3 partial.
    assert_eq!(
        (
            a.numbers.statements,
            a.numbers.missing,
            a.numbers.branches,
            a.numbers.partial_branches
        ),
        (20, 4, 8, 3)
    );
    assert_eq!(a.missing_text(), "8, 14, 17, 27, 31->exit");
    assert!(!data.files["shapes/__init__.py"].statements_unknown);
}

#[test]
fn coveragepy_raw_data_plus_json_prints_coveragepy_report_byte_for_byte() {
    let dir = sample("coveragepy");
    let out = common::covmerge()
        .current_dir(&dir)
        .args([
            "combine",
            "-m",
            "--header",
            "none",
            "--map",
            "/ci/worker01/py/shapes=shapes",
            RAW1.trim_start_matches("coveragepy/"),
            "coverage.json",
            RAW2.trim_start_matches("coveragepy/"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read_to_string(dir.join("report-m.txt")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

// ------------------------------------------------------- gcov / gcovr JSON

#[test]
fn gcov_json_matches_geninfo_of_the_same_run() {
    // gcc 12.2 `gcov --json-format` of run 1, and lcov 1.16's geninfo
    // capture of the same .gcda data.
    let gcov = read("gcov-json/calc.gcov.json");
    assert_eq!(gcov.format, "gcov json");
    assert_eq!(gcov.data.sources[0].producer.as_deref(), Some("gcc 12.2.0"));
    let lcov = read("lcov/gcc-geninfo-run1.info");
    let name = "/ci/worker01/c/calc.c";
    let g = &gcov.data.files[name];
    let l = &lcov.data.files[name];
    assert_eq!(g.lines, l.lines);
    let fns = |f: &FileCoverage| -> Vec<(String, u32, u64)> {
        f.functions
            .iter()
            .map(|(n, f)| (n.clone(), f.start, f.hits))
            .collect()
    };
    assert_eq!(fns(g), fns(l));
}

#[test]
fn gcovr_json_runs_merge_like_gcovr_add_tracefile() {
    let mut merged = read("gcovr-json/run1.gcovr.json").data;
    merged.merge(read("gcovr-json/run2.gcovr.json").data);
    let m = &merged.files["calc.c"];
    // gcovr --add-tracefile run1 --add-tracefile run2, written as LCOV and
    // Cobertura (lines-covered=17/17, branches-covered=11/14).
    let lcov = read("lcov/gcovr-merged.info").data;
    let l = &lcov.files["/ci/worker01/c/calc.c"];
    assert_eq!(m.lines, l.lines);
    assert_eq!(totals(m), (17, 17, 14, 11));
    assert_eq!(totals(m), totals(l));
    let fns = |f: &FileCoverage| -> Vec<(String, u32, u64)> {
        f.functions
            .iter()
            .map(|(n, f)| (n.clone(), f.start, f.hits))
            .collect()
    };
    assert_eq!(fns(m), fns(l));
    // lcov -a of geninfo's captures of the same runs agrees on every line.
    let lcov_a = read("lcov/gcc-lcov-add-merged.info").data;
    assert_eq!(m.lines, lcov_a.files["/ci/worker01/c/calc.c"].lines);
}

// --------------------------------------------------------------- discovery

#[test]
fn a_directory_search_finds_and_reads_every_sample() {
    let root = sample("");
    let found = covmerge::discover::find_inputs(&[root.to_string_lossy().into_owned()]).unwrap();
    let rel: Vec<String> = found
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let expected = [
        "cobertura/coveragepy.xml",
        "cobertura/gcovr-merged.xml",
        "cobertura/nyc-merged-cobertura.xml",
        "coveragepy/.coverage.vm.pid16141.XMg3fdZx.HZjmW2IUQN0h",
        "coveragepy/.coverage.vm.pid16145.XudCdJmx.HB6HV9geSFfh",
        "coveragepy/coverage.json",
        "gcov-json/calc.gcov.json",
        "gcovr-json/run1.gcovr.json",
        "gcovr-json/run2.gcovr.json",
        "go/cover-count-coverpkg.out",
        "go/cover-count.out",
        "go/cover-set.out",
        "istanbul/c8-coverage-final.json",
        "istanbul/nyc-merged-coverage.json",
        "istanbul/nyc-run1-coverage-final.json",
        "istanbul/nyc-run2-coverage-final.json",
        "jacoco/jacoco-merged.xml",
        "jacoco/jacoco-run1.xml",
    ];
    for e in expected {
        assert!(rel.iter().any(|r| r == e), "{e} not found in {rel:?}");
    }
    assert!(rel
        .iter()
        .all(|r| !r.ends_with(".txt") && !r.ends_with(".md")));
    for (path, rel) in found.iter().zip(&rel) {
        let parsed = formats::read_file(path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(
            unexpected(&parsed.diagnostics).is_empty(),
            "{rel}: {:?}",
            parsed.diagnostics.warnings
        );
        assert!(!parsed.data.files.is_empty(), "{rel}");
    }
}

// --------------------------------------------------------------- robustness

fn all_samples() -> Vec<PathBuf> {
    let root = sample("");
    covmerge::discover::find_inputs(&[root.to_string_lossy().into_owned()]).unwrap()
}

#[test]
fn crlf_and_bom_read_the_same_as_the_original() {
    for path in all_samples() {
        let bytes = std::fs::read(&path).unwrap();
        if bytes.starts_with(b"SQLite format 3\0") || bytes.starts_with(&[0x1f, 0x8b]) {
            continue; // binary
        }
        let original = formats::parse(&path, &bytes).unwrap().data;
        let text = String::from_utf8(bytes).unwrap();
        let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
        let bom = format!("\u{feff}{crlf}");
        for variant in [crlf, bom] {
            let parsed = formats::parse(&path, variant.as_bytes())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                unexpected(&parsed.diagnostics).is_empty(),
                "{}: {:?}",
                path.display(),
                parsed.diagnostics.warnings
            );
            assert_eq!(parsed.data, original, "{}", path.display());
        }
    }
}

#[test]
fn truncated_and_corrupted_samples_never_panic() {
    for path in all_samples() {
        let bytes = std::fs::read(&path).unwrap();
        let step = (bytes.len() / 101).max(1);
        for cut in (1..bytes.len()).step_by(step) {
            // Either a clean result or an error naming the file; no panic.
            if let Err(e) = formats::parse(&path, &bytes[..cut]) {
                assert!(e.to_string().starts_with(&*path.to_string_lossy()), "{e}");
            }
            let mut flipped = bytes.clone();
            flipped[cut] ^= 0x5a;
            let _ = formats::parse(&path, &flipped);
        }
    }
}

// ------------------------------------- regenerated by testdata/formats-regen.sh
// Same programs, same tools, run again by the script (tool versions in
// testdata/samples/regen/VERSIONS.txt); paths are under /tmp/covmerge-formats.

#[test]
fn regen_coveragepy_raw_runs_plus_json_print_the_real_report() {
    let dir = sample("regen/coveragepy");
    let out = common::covmerge()
        .current_dir(&dir)
        .args([
            "combine",
            "-m",
            "--header",
            "none",
            "--map",
            "/tmp/covmerge-formats/py/shapes=shapes",
            ".coverage.run1",
            ".coverage.run2",
            "coverage.json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read_to_string(dir.join("report-m.txt")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    // The XML and LCOV of the same data agree with the JSON line by line.
    let json = read("regen/coveragepy/coverage.json").data;
    let xml = read("regen/coveragepy/coverage.xml").data;
    let lcov = read("regen/coveragepy/coverage.lcov").data;
    let j = &json.files["shapes/core.py"];
    assert_eq!(
        j.lines,
        xml.files["/tmp/covmerge-formats/py/shapes/core.py"].lines
    );
    assert_eq!(j.lines, lcov.files["shapes/core.py"].lines);
}

#[test]
fn regen_gcc_gzipped_gcov_json_gcovr_and_lcov_agree() {
    let name = "/tmp/covmerge-formats/c/calc.c";
    // gcov's own gzip-compressed JSON of run 1 against lcov's capture of it.
    let gcov = read("regen/gcc/calc.gcov.json.gz");
    assert_eq!(gcov.format, "gcov json");
    let run1 = read("regen/gcc/run1.info").data;
    assert_eq!(gcov.data.files[name].lines, run1.files[name].lines);
    // gcov --branch-counts data: the same branch outcomes as geninfo's BRDA,
    // except that geninfo writes '-' (never evaluated) where gcov says 0.
    assert_eq!(totals(&gcov.data.files[name]), totals(&run1.files[name]));
    // gcovr run1 + run2 read and merged = gcovr --add-tracefile of them.
    let mut gcovr = read("regen/gcc/run1.gcovr.json").data;
    gcovr.merge(read("regen/gcc/run2.gcovr.json").data);
    let merged_lcov = read("regen/gcc/merged.gcovr.info").data;
    let merged_xml = read("regen/gcc/merged.gcovr.cobertura.xml").data;
    let g = &gcovr.files["calc.c"];
    assert_eq!(g.lines, merged_lcov.files[name].lines);
    assert_eq!(g.lines, merged_xml.files[name].lines);
    assert_eq!(totals(g), totals(&merged_lcov.files[name]));
    assert_eq!(totals(g), totals(&merged_xml.files[name]));
    // lcov run1.info + run2.info read and merged = lcov -a of them.
    let mut lcov = read("regen/gcc/run1.info").data;
    lcov.merge(read("regen/gcc/run2.info").data);
    let lcov_a = read("regen/gcc/merged.info").data;
    assert_eq!(lcov.files[name].lines, lcov_a.files[name].lines);
    assert_eq!(lcov.files[name].lines, g.lines);
}

#[test]
fn regen_istanbul_runs_merge_like_nyc() {
    let name = "/tmp/covmerge-formats/js/calc.js";
    let mut runs = read("regen/istanbul/run1-coverage-final.json").data;
    runs.merge(read("regen/istanbul/run2-coverage-final.json").data);
    let merged = read("regen/istanbul/merged-coverage-final.json").data;
    assert_eq!(runs.files[name], merged.files[name]);
    let lcov = read("regen/istanbul/merged-lcov.info").data;
    assert_eq!(runs.files[name].lines, lcov.files["calc.js"].lines);
    assert_eq!(runs.files[name].branches, lcov.files["calc.js"].branches);
    let xml = read("regen/istanbul/merged-cobertura-coverage.xml").data;
    assert_eq!(runs.files[name].lines, xml.files[name].lines);
}

#[test]
fn regen_go_modes_agree() {
    let count = read("regen/go/cover-count.out").data;
    let atomic = read("regen/go/cover-atomic.out").data;
    let set = read("regen/go/cover-set.out").data;
    assert_eq!(count.files, atomic.files);
    for (name, c) in &count.files {
        let s = &set.files[name];
        assert_eq!(
            s.lines,
            c.lines.iter().map(|(l, h)| (*l, (*h).min(1))).collect()
        );
    }
    // go tool cover -func on the -coverpkg profile: 91.7% of statements,
    // with only `unused` (line 20) at 0%.
    let func = std::fs::read_to_string(sample("regen/go/cover-count-coverpkg.func.txt")).unwrap();
    assert!(func.contains("(statements)\t91.7%"), "{func}");
    let both = read("regen/go/cover-count-coverpkg.out").data;
    let missed: Vec<(String, u32)> = both
        .files
        .iter()
        .flat_map(|(n, f)| {
            f.lines
                .iter()
                .filter(|(_, h)| **h == 0)
                .map(move |(l, _)| (n.clone(), *l))
        })
        .collect();
    assert_eq!(
        missed,
        [("example.com/covdemo/calc/calc.go".to_string(), 20)]
    );
}
