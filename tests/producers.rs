//! Merges across producers against each producer's own merge of the same
//! inputs. The inputs and expected outputs in testdata/producers/ come from
//! real runs of the real tools (testdata/producers-regen.sh); see
//! docs/BRANCHES.md for the branch identity of each reader.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use covmerge::analysis::FileAnalysis;
use covmerge::model::CoverageData;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/producers")
        .join(rel)
}

fn expected(rel: &str) -> String {
    std::fs::read_to_string(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `covmerge report --header none ARGS...` with the coverage.py workers'
/// directory mapped to `.`: (stdout, stderr).
fn report(args: &[&str], inputs: &[&str]) -> (String, String) {
    let mut cmd = common::covmerge();
    cmd.args(["report", "--no-config", "--header", "none"])
        .args(["--map", "/tmp/covmerge-producers/py=."])
        .args(args)
        .args(inputs.iter().map(|i| data(i)))
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let out = cmd.output().expect("covmerge runs");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{inputs:?}: {stdout}{stderr}");
    (stdout, stderr)
}

// ---------------------------------------------------------------- coverage.py

#[test]
fn coveragepy_cobertura_workers_merge_as_coverage_combine() {
    // Three workers, one test file each; `coverage combine` + `report -m`.
    let (out, err) = report(
        &["-m"],
        &[
            "coveragepy/w1.xml",
            "coveragepy/w2.xml",
            "coveragepy/w3.xml",
        ],
    );
    assert_eq!(out, expected("coveragepy/combined-report-m.txt"));
    assert!(!err.contains("warning"), "{err}");
    let (out, _) = report(
        &[],
        &[
            "coveragepy/w1.xml",
            "coveragepy/w2.xml",
            "coveragepy/w3.xml",
        ],
    );
    assert_eq!(out, expected("coveragepy/combined-report.txt"));
}

#[test]
fn one_coveragepy_cobertura_prints_its_own_report() {
    for w in ["w1", "w2", "w3"] {
        let (out, _) = report(&["-m"], &[&format!("coveragepy/{w}.xml")]);
        assert_eq!(
            out,
            expected(&format!("coveragepy/{w}-report-m.txt")),
            "{w}"
        );
    }
}

#[test]
fn coveragepy_json_and_its_cobertura_are_not_doubled() {
    // The same worker's JSON and XML: the JSON's numbers, no warning.
    for w in ["w1", "w2", "w3"] {
        let json = format!("coveragepy/{w}.json");
        let xml = format!("coveragepy/{w}.xml");
        let (out, err) = report(&["-m"], &[&json, &xml]);
        assert_eq!(
            out,
            expected(&format!("coveragepy/{w}-report-m.txt")),
            "{w}"
        );
        assert!(!err.contains("warning"), "{err}");
    }
    // One worker's JSON, the others' XML; and every JSON plus the combined XML.
    let (out, _) = report(
        &["-m"],
        &[
            "coveragepy/w1.json",
            "coveragepy/w2.xml",
            "coveragepy/w3.xml",
        ],
    );
    assert_eq!(out, expected("coveragepy/combined-report-m.txt"));
    let (out, _) = report(
        &["-m"],
        &[
            "coveragepy/w1.json",
            "coveragepy/w2.json",
            "coveragepy/w3.json",
            "coveragepy/combined.xml",
        ],
    );
    assert_eq!(out, expected("coveragepy/combined-report-m.txt"));
}

#[test]
fn coveragepy_raw_data_with_cobertura_of_other_workers() {
    // Raw data lists only the arcs that ran; the XML's branch lines count
    // the rest. Before: the raw worker's arcs were dropped (no named arcs
    // to keep them by), and 15 partial branches showed instead of 5.
    for inputs in [
        [
            "coveragepy/w1.coverage",
            "coveragepy/w2.xml",
            "coveragepy/w3.xml",
        ],
        [
            "coveragepy/w1.coverage",
            "coveragepy/w2.coverage",
            "coveragepy/w3.xml",
        ],
    ] {
        let (out, _) = report(&["-m"], &inputs);
        assert_eq!(
            out,
            expected("coveragepy/combined-report-m.txt"),
            "{inputs:?}"
        );
    }
}

#[test]
fn a_combined_data_file_keeps_cobertura_branches_exact() {
    // Two levels: w1 + w2 -> -o, then that + w3 (in both orders).
    let dir = common::tempdir("producers-two-level");
    let level1 = dir.join("level1.covmerge.json");
    let status = common::covmerge()
        .args(["combine", "-q", "--no-config", "--header", "none"])
        .args(["--map", "/tmp/covmerge-producers/py=."])
        .arg("-o")
        .arg(&level1)
        .arg(data("coveragepy/w1.xml"))
        .arg(data("coveragepy/w2.xml"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let text = std::fs::read_to_string(&level1).unwrap();
    assert!(text.contains("\"arc_lines\""), "{text}");
    let level1 = level1.to_str().unwrap();
    let w3 = data("coveragepy/w3.xml");
    let w3 = w3.to_str().unwrap();
    for inputs in [[level1, w3], [w3, level1]] {
        let out = common::covmerge()
            .args(["report", "--no-config", "--header", "none", "-m"])
            .args(["--map", "/tmp/covmerge-producers/py=."])
            .args(inputs)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            expected("coveragepy/combined-report-m.txt")
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// covmerge's LCOV export of `inputs` (paths as given, run in `dir`).
fn lcov_export(dir: &Path, inputs: &[PathBuf]) -> String {
    let out_file = dir.join("export.lcov");
    let out = common::covmerge()
        .args(["combine", "-q", "--no-config", "--header", "none"])
        .arg("--report")
        .arg(format!("lcov:{}", out_file.display()))
        .args(inputs)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{inputs:?}: {out:?}");
    std::fs::read_to_string(&out_file).unwrap()
}

#[test]
fn coveragepy_lcov_exits_keep_their_words_and_merge_as_coverage_combine() {
    // Exits named every way coverage.py's LCOV names them: a nested
    // function's (`return from function 'render_progress'`, FN-named
    // `Progress.render.render_progress`), `except from function`, a class
    // body's (`exit class 'Config'`, which no LCOV record locates), the
    // module's. Before: the nested one became `exit the module`, and the
    // class exit made the whole file a C-style record with hit counts 2.
    let dir = common::tempdir("producers-pyexits");
    let w = |n: &str| data(&format!("pyexits/{n}"));
    let combined = expected("pyexits/combined.lcov");
    for inputs in [
        [w("w1.lcov"), w("w2.lcov")],
        [w("w1.lcov"), w("w2.json")],
        [w("w1.json"), w("w2.lcov")],
    ] {
        assert_eq!(lcov_export(&dir, &inputs), combined, "{inputs:?}");
    }
    // One worker's LCOV comes back byte for byte.
    for one in ["w1.lcov", "w2.lcov"] {
        assert_eq!(
            lcov_export(&dir, &[w(one)]),
            expected(&format!("pyexits/{one}"))
        );
    }
    // Through a combined data file, then with a JSON worker (the class
    // exit meets its located twin from the JSON: one outcome, not two).
    let level1 = dir.join("level1.covmerge.json");
    let out = common::covmerge()
        .args(["combine", "-q", "--no-config", "--header", "none", "-o"])
        .arg(&level1)
        .arg(w("w1.lcov"))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(lcov_export(&dir, &[level1, w("w2.json")]), combined);
    let (table, _) = report(&["-m"], &["pyexits/w1.lcov", "pyexits/w2.json"]);
    assert_eq!(table, expected("pyexits/combined-report-m.txt"));
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------- per-file numbers

/// (lines, lines hit, branches, branches hit, functions, functions hit).
type Numbers = (usize, usize, usize, usize, usize, usize);

/// covmerge's merge of `inputs` (file names reduced to their base name,
/// as the producers name one file differently), per file.
fn merged_numbers(inputs: &[&str]) -> BTreeMap<String, Numbers> {
    let paths: Vec<PathBuf> = inputs.iter().map(|rel| data(rel)).collect();
    let paths: Vec<&str> = paths.iter().map(|p| p.to_str().unwrap()).collect();
    merged_numbers_abs(&paths)
}

fn merged_numbers_abs(inputs: &[&str]) -> BTreeMap<String, Numbers> {
    let mut all = CoverageData::default();
    for rel in inputs {
        let parsed = covmerge::formats::read_file(Path::new(rel)).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            parsed.diagnostics.warnings.is_empty(),
            "{rel}: {:?}",
            parsed.diagnostics.warnings
        );
        let mut one = parsed.data;
        one.files = std::mem::take(&mut one.files)
            .into_iter()
            .map(|(name, f)| (name.rsplit('/').next().unwrap().to_string(), f))
            .collect();
        all.merge(one);
    }
    all.resolve_branches();
    all.files
        .iter()
        .map(|(name, f)| {
            let n = FileAnalysis::of(f).numbers;
            let fns = f.functions.len();
            let fns_hit = f.functions.values().filter(|x| x.hits > 0).count();
            (
                name.clone(),
                (
                    n.statements,
                    n.statements - n.missing,
                    n.branches,
                    n.branches - n.missing_branches,
                    fns,
                    fns_hit,
                ),
            )
        })
        .collect()
}

/// `lcov --summary`'s "(H of F lines|functions|branches)".
fn lcov_summary(rel: &str) -> Numbers {
    let text = expected(rel);
    let pick = |what: &str| -> (usize, usize) {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(what))
            .unwrap_or_else(|| panic!("{rel}: no {what}"));
        let inner = line.split_once('(').unwrap().1;
        let mut words = inner.split_whitespace();
        let hit = words.next().unwrap().parse().unwrap();
        words.next(); // "of"
        let found = words.next().unwrap().parse().unwrap();
        (found, hit)
    };
    let (l, lh) = pick("lines");
    let (f, fh) = pick("functions");
    let (b, bh) = pick("branches");
    (l, lh, b, bh, f, fh)
}

#[test]
fn gcc_family_single_producers_equal_lcov_add_and_gcovr_add() {
    let want = lcov_summary("gcc/lcov-merged.summary.txt");
    assert_eq!(want, (31, 28, 31, 26, 4, 4));
    // gcovr's own merge of its JSON says the same.
    assert_eq!(lcov_summary("gcc/gcovr-merged.summary.txt"), want);
    for set in [
        ["gcc/w1.info", "gcc/w2.info", "gcc/w3.info"],
        [
            "gcc/w1.gcovr.json",
            "gcc/w2.gcovr.json",
            "gcc/w3.gcovr.json",
        ],
        [
            "gcc/w1.gcov.json.gz",
            "gcc/w2.gcov.json.gz",
            "gcc/w3.gcov.json.gz",
        ],
    ] {
        assert_eq!(merged_numbers(&set)["stats.c"], want, "{set:?}");
    }
}

#[test]
fn gcc_family_mixed_producers_equal_lcov_add_not_a_double_count() {
    // gcovr JSON numbers a line's branches with gcc's block ids; read as
    // lcov numbers them, a gcovr input meets a geninfo input of the same
    // run (before: 47 branches for these inputs).
    let want = lcov_summary("gcc/lcov-merged.summary.txt");
    for set in [
        ["gcc/w1.info", "gcc/w2.gcovr.json", "gcc/w3.gcov.json.gz"],
        ["gcc/w1.gcovr.json", "gcc/w2.info", "gcc/w3.info"],
        ["gcc/w1.gcov.json.gz", "gcc/w2.gcovr.json", "gcc/w3.info"],
    ] {
        assert_eq!(merged_numbers(&set)["stats.c"], want, "{set:?}");
    }
    // `lcov -a` itself double counts gcovr's LCOV (block = gcc block id)
    // next to geninfo's (block 0): docs/BRANCHES.md.
    let native_mixed = lcov_summary("gcc/lcov-mixed-w1gcovr-w2.summary.txt");
    assert_eq!(native_mixed.2, 47);
    let ours = merged_numbers(&["gcc/w1.gcovr.json", "gcc/w2.info"])["stats.c"];
    assert_eq!(ours.2, 31);
}

#[test]
fn count_only_cobertura_never_adds_to_named_branches() {
    // gcovr's Cobertura says only "a of b" per line. Alone, three workers
    // merge to the documented lower bound; next to named outcomes of the
    // same lines they are never added (31 branches, not 62).
    let want = lcov_summary("gcc/lcov-merged.summary.txt");
    let alone = merged_numbers(&["gcc/w1.gcovr.xml", "gcc/w2.gcovr.xml", "gcc/w3.gcovr.xml"]);
    let (found, hit) = (alone["stats.c"].2, alone["stats.c"].3);
    assert_eq!(found, want.2);
    assert!(hit <= want.3, "a lower bound: {hit} > {}", want.3);
    let mixed = merged_numbers(&["gcc/w1.info", "gcc/w2.gcovr.xml", "gcc/w3.info"]);
    assert_eq!(mixed["stats.c"].2, want.2);
    assert!(mixed["stats.c"].3 <= want.3);
    // With every worker's named outcomes present, the count adds nothing.
    let all = merged_numbers(&[
        "gcc/w1.info",
        "gcc/w2.info",
        "gcc/w3.info",
        "gcc/w2.gcovr.xml",
    ]);
    assert_eq!(all["stats.c"], want);
    // And the user is told, with the file, both inputs and the lines.
    let out = common::covmerge()
        .args(["report", "--no-config", "--header", "none"])
        .args(["--map", "/tmp/covmerge-producers/c=."])
        .arg("testdata/producers/gcc/w1.info")
        .arg("testdata/producers/gcc/w3.info")
        .arg("testdata/producers/gcc/w2.gcovr.xml")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "stats.c: branch outcomes known only by count (Cobertura or JaCoCo) \
             (testdata/producers/gcc/w2.gcovr.xml) met named outcomes \
             (testdata/producers/gcc/w1.info and 1 more) on line(s) "
        ) && err.contains("kept, not added to"),
        "{err}"
    );
}

// ---------------------------------------------------------------- Istanbul

/// nyc's `text-summary` (statements, branches, functions, lines), all files.
fn nyc_summary(rel: &str) -> BTreeMap<&'static str, (usize, usize)> {
    let text = expected(rel);
    let mut out = BTreeMap::new();
    for what in ["Statements", "Branches", "Functions", "Lines"] {
        let line = text.lines().find(|l| l.starts_with(what)).unwrap();
        let inner = line.split_once('(').unwrap().1.split_once(')').unwrap().0;
        let (hit, found) = inner.split_once('/').unwrap();
        out.insert(
            what,
            (found.trim().parse().unwrap(), hit.trim().parse().unwrap()),
        );
    }
    out
}

fn totals(per_file: &BTreeMap<String, Numbers>) -> Numbers {
    per_file.values().fold((0, 0, 0, 0, 0, 0), |a, n| {
        (
            a.0 + n.0,
            a.1 + n.1,
            a.2 + n.2,
            a.3 + n.3,
            a.4 + n.4,
            a.5 + n.5,
        )
    })
}

#[test]
fn nyc_workers_equal_nyc_merge() {
    let want = nyc_summary("istanbul/nyc-merged.summary.txt");
    for set in [
        vec!["istanbul/nyc-w1.json", "istanbul/nyc-w2.json"],
        vec!["istanbul/nyc-merged.json"],
        // One worker's JSON and the other's LCOV: nyc numbers branches
        // the same way in both.
        vec!["istanbul/nyc-w1.json", "istanbul/nyc-w2.info"],
    ] {
        let got = totals(&merged_numbers(&set));
        assert_eq!((got.0, got.1), want["Lines"], "{set:?}");
        assert_eq!((got.2, got.3), want["Branches"], "{set:?}");
        assert_eq!((got.4, got.5), want["Functions"], "{set:?}");
    }
}

// ---------------------------------------------------------------- LCOV export

#[test]
fn lcov_export_of_c_and_js_is_read_alike_by_lcov_1_and_2() {
    // lcov 1.x reads `FN:start,name` only (it takes `end,name` of the lcov
    // 2 form as the name and counts the function twice); lcov 2.x reads
    // both. Exports of C (mixed gcc family) and JS data use the common form
    // and re-read to the native merge's numbers.
    let dir = common::tempdir("producers-lcov-export");
    let cases: [(&[&str], Numbers); 2] = [
        (
            &["gcc/w1.info", "gcc/w2.gcovr.json", "gcc/w3.gcov.json.gz"],
            lcov_summary("gcc/lcov-merged.summary.txt"),
        ),
        (&["istanbul/nyc-w1.json", "istanbul/nyc-w2.json"], {
            let s = nyc_summary("istanbul/nyc-merged.summary.txt");
            let (l, f, b) = (s["Lines"], s["Functions"], s["Branches"]);
            (l.0, l.1, b.0, b.1, f.0, f.1)
        }),
    ];
    for (i, (inputs, want)) in cases.into_iter().enumerate() {
        let out = dir.join(format!("export{i}.info"));
        let status = common::covmerge()
            .args(["report", "-q", "--no-config", "--header", "none"])
            .args(["--map", "/tmp/covmerge-producers/c=."])
            .arg("--report")
            .arg(format!("lcov:{}", out.display()))
            .args(inputs.iter().map(|i| data(i)))
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        let text = std::fs::read_to_string(&out).unwrap();
        let fns: Vec<&str> = text.lines().filter(|l| l.starts_with("FN:")).collect();
        assert!(!fns.is_empty());
        for line in &fns {
            let (start, name) = line[3..].split_once(',').unwrap();
            assert!(start.parse::<u32>().is_ok(), "{line}");
            assert!(
                !name
                    .split(',')
                    .next()
                    .unwrap()
                    .bytes()
                    .all(|b| b.is_ascii_digit()),
                "lcov 1.x would read an end line as the name: {line}"
            );
        }
        let rel = out.to_str().unwrap();
        let back = totals(&merged_numbers_abs(&[rel]));
        assert_eq!(back, want, "{inputs:?}");
        // The installed lcov (Debian's is 1.x) reads the same numbers, and
        // so does an lcov 2.x named by COVMERGE_LCOV2 (its `bin/lcov`; no
        // package registry here has it, see docs/BRANCHES.md).
        let mut readers = vec![(
            Command::new("lcov"),
            ["--rc", "lcov_branch_coverage=1"],
            "lcov 1.x",
        )];
        if let Some(lcov2) = std::env::var_os("COVMERGE_LCOV2") {
            let mut perl = Command::new("perl");
            perl.arg(lcov2);
            readers.push((perl, ["--rc", "branch_coverage=1"], "lcov 2.x"));
        }
        for (mut lcov, rc, which) in readers {
            let Ok(o) = lcov.args(["--summary", rel]).args(rc).output() else {
                // CI installs lcov and requires this check (.ci/run).
                assert!(
                    std::env::var_os("COVMERGE_REQUIRE_LCOV").is_none(),
                    "{which} is not installed, and COVMERGE_REQUIRE_LCOV is set"
                );
                eprintln!("{which} not installed: its reading of the export is not checked");
                continue;
            };
            let summary = String::from_utf8_lossy(&o.stdout).into_owned()
                + &String::from_utf8_lossy(&o.stderr);
            for expect in [
                format!("({} of {} lines)", want.1, want.0),
                format!("({} of {} functions)", want.5, want.4),
                format!("({} of {} branches)", want.3, want.2),
            ] {
                assert!(summary.contains(&expect), "{which}: {expect}: {summary}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_manifest_says_which_files_branch_numbers_are_a_bound() {
    let dir = common::tempdir("producers-manifest");
    let run = |inputs: &[&str]| -> serde_json::Value {
        let manifest = dir.join("manifest.json");
        let out = common::covmerge()
            .args(["combine", "-q", "--no-config", "--header", "none"])
            .args(["--map", "/tmp/covmerge-producers/c=."])
            .arg("--manifest")
            .arg(&manifest)
            .args(inputs.iter().map(|i| data(i)))
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = std::fs::read_to_string(&manifest).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["branch_numbers"].clone()
    };
    let exact = run(&["gcc/w1.info", "gcc/w2.gcovr.json"]);
    assert_eq!(exact["exact_files"], 1);
    assert_eq!(exact["bound_files"], serde_json::json!([]));
    // gcovr's XML proves more ran on some lines than w1's tracefile had.
    let bound = run(&["gcc/w1.info", "gcc/w2.gcovr.xml"]);
    assert_eq!(bound["bound_files"], serde_json::json!(["stats.c"]));
    // coverage.py's XML is exact.
    let py = run(&["coveragepy/w1.xml", "coveragepy/w2.xml"]);
    assert_eq!(py["bound_files"], serde_json::json!([]));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn c8_workers_equal_nyc_merge_not_lcov_add() {
    // c8 numbers its branch map afresh in every run; covmerge matches
    // branches by location and gives a range one run lacks its container's
    // hits, as nyc merge does.
    let want = nyc_summary("istanbul/c8-nyc-merged.summary.txt");
    for set in [
        vec!["istanbul/c8-w1.json", "istanbul/c8-w2.json"],
        vec!["istanbul/c8-w2.json", "istanbul/c8-w1.json"],
        vec!["istanbul/c8-nyc-merged.json"],
    ] {
        let got = totals(&merged_numbers(&set));
        assert_eq!((got.0, got.1), want["Lines"], "{set:?}");
        assert_eq!((got.2, got.3), want["Branches"], "{set:?}");
        assert_eq!((got.4, got.5), want["Functions"], "{set:?}");
    }
    assert_eq!(want["Branches"], (19, 17));
    // lcov -a keys c8's tracefiles by c8's per-run ids: wrong.
    let lcov_add = lcov_summary("istanbul/c8-lcov-add.summary.txt");
    assert_eq!((lcov_add.2, lcov_add.3), (18, 10));
}

#[test]
fn per_platform_views_of_coveragepy_cobertura_match_each_workers_own_report() {
    // Each worker's XML recorded with its own platform: every column of
    // --by-platform is that worker's own coverage.py total, `all` the
    // combined one.
    let dir = common::tempdir("producers-by-platform");
    let bin = env!("CARGO_BIN_EXE_covmerge");
    for w in ["w1", "w2", "w3"] {
        let out = Command::new(bin)
            .args(["record", "-q", "--no-config", "--worker", w])
            .args(["--platform", &format!("platform {w}")])
            .arg("--data-dir")
            .arg(&dir)
            .arg(data(&format!("coveragepy/{w}.xml")))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let out = Command::new(bin)
        .args([
            "combine",
            "-q",
            "--no-config",
            "--header",
            "none",
            "--by-platform",
        ])
        .args(["--map", "/tmp/covmerge-producers/py=."])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let total = |report: &str| -> String {
        let line = report.lines().find(|l| l.starts_with("TOTAL")).unwrap();
        line.split_whitespace().last().unwrap().to_string()
    };
    let row: Vec<&str> = text
        .lines()
        .find(|l| l.trim_start().starts_with("TOTAL"))
        .unwrap_or_else(|| panic!("{text}"))
        .split_whitespace()
        .skip(1)
        .collect();
    let mut want: Vec<String> = ["w1", "w2", "w3"]
        .iter()
        .map(|w| total(&expected(&format!("coveragepy/{w}-report-m.txt"))))
        .collect();
    want.push(total(&expected("coveragepy/combined-report-m.txt")));
    assert_eq!(row, want, "{text}");
    std::fs::remove_dir_all(&dir).ok();
}
