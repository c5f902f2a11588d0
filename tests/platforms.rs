//! The each-mode views on real data: two workers on CPython 3.11.7 and
//! 3.12.1 ran the whole suite (testdata/golden/each*, made by regen.sh with
//! the real coverage.py). Each worker's own coverage.json holds what
//! coverage.py reports for that interpreter alone, so the per-platform
//! columns must equal its numbers, and the platform diff must equal the
//! difference of the executed lines.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn golden(scenario: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/golden")
        .join(scenario)
}

fn covmerge(args: &[&str]) -> (i32, String, String) {
    let out = common::covmerge()
        .args(args)
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct Worker {
    platform: String,
    report: serde_json::Value,
    json: PathBuf,
}

fn workers(scenario: &str) -> Vec<Worker> {
    let mut out = Vec::new();
    let mut ids: Vec<String> = std::fs::read_dir(golden(scenario).join("workers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    for id in ids {
        let dir = golden(scenario).join("workers").join(id);
        let env = std::fs::read_to_string(dir.join("worker.env")).unwrap();
        let platform = env
            .lines()
            .find_map(|l| l.strip_prefix("PLATFORM="))
            .unwrap()
            .to_string();
        let json = dir.join("coverage.json");
        let report = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        out.push(Worker {
            platform,
            report,
            json,
        });
    }
    out
}

fn record_all(scenario: &str) -> PathBuf {
    let data = std::env::temp_dir().join(
        format!(
            "covmerge-platforms-{scenario}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        )
        .replace([' ', ':', '{', '}', ','], "_"),
    );
    for w in workers(scenario) {
        let (code, _, err) = covmerge(&[
            "record",
            "--data-dir",
            data.to_str().unwrap(),
            "--platform",
            &w.platform,
            "--mode",
            "each",
            w.json.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
    }
    data
}

#[test]
fn per_platform_columns_equal_coveragepy_per_interpreter() {
    for (scenario, columns) in [
        ("each", vec!["3.11.7", "3.12.1"]),
        ("each-branch", vec!["3.11.7", "3.12.1"]),
        ("each3-branch", vec!["3.11.7", "3.12.1", "3.13.0"]),
    ] {
        let data = record_all(scenario);
        let (code, csv, err) = covmerge(&[
            "combine",
            "-q",
            "--header",
            "none",
            "--by-platform",
            "--format",
            "csv",
            data.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let mut rows = csv
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
        let header = rows.next().unwrap();
        let mut expected_header = vec!["Name"];
        expected_header.extend(columns.iter().copied());
        expected_header.push("all");
        assert_eq!(header, expected_header, "{scenario}");
        let table: BTreeMap<String, Vec<String>> =
            rows.map(|r| (r[0].clone(), r[1..].to_vec())).collect();
        let ws = workers(scenario);
        let mut compared = 0;
        for (column, w) in ws.iter().enumerate() {
            for (name, file) in w.report["files"].as_object().unwrap() {
                let expected = file["summary"]["percent_covered_display"].as_str().unwrap();
                assert_eq!(
                    table[name][column], expected,
                    "{scenario} {name} on {}",
                    w.platform
                );
                compared += 1;
            }
            let total = w.report["totals"]["percent_covered_display"]
                .as_str()
                .unwrap();
            assert_eq!(
                table["TOTAL"][column], total,
                "{scenario} TOTAL on {}",
                w.platform
            );
        }
        assert!(compared >= 20);
        // The union column is coverage.py's combined report.
        let combined =
            std::fs::read_to_string(golden(scenario).join("expected/report.stdout")).unwrap();
        let total_line = combined.lines().find(|l| l.starts_with("TOTAL")).unwrap();
        let union = &table["TOTAL"][columns.len()];
        assert!(total_line.ends_with(&format!("{union}%")), "{total_line}");
    }
}

/// Expand `8, 19-20, 7->8` to lines {8, 19, 20} (arcs are left out).
fn expand(items: &str) -> BTreeSet<u64> {
    let mut out = BTreeSet::new();
    for item in items.split(", ") {
        if item.contains("->") {
            continue;
        }
        match item.split_once('-') {
            Some((a, b)) => out.extend(a.parse::<u64>().unwrap()..=b.parse::<u64>().unwrap()),
            None => {
                out.insert(item.parse().unwrap());
            }
        }
    }
    out
}

#[test]
fn platform_diff_equals_the_difference_of_executed_lines() {
    let data = record_all("each");
    let ws = workers("each");
    let executed = |w: &Worker, name: &str| -> BTreeSet<u64> {
        w.report["files"][name]["executed_lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect()
    };
    for (me, other, short) in [(0, 1, "3.11.7"), (1, 0, "3.12.1")] {
        let (code, text, err) = covmerge(&[
            "combine",
            "-q",
            "--header",
            "none",
            "--only-on",
            short,
            data.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let mut found: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
        for line in text.lines().filter(|l| l.contains("covered only on:")) {
            let (name, rest) = line.split_once("   ").unwrap();
            let (items, who) = rest.rsplit_once("   covered only on: ").unwrap();
            assert_eq!(who, short);
            // Ranges span statements only, as in the Missing column.
            let statements: BTreeSet<u64> = ["executed_lines", "missing_lines"]
                .iter()
                .flat_map(|k| {
                    ws[me].report["files"][name.trim()][k]
                        .as_array()
                        .unwrap()
                        .clone()
                })
                .map(|v| v.as_u64().unwrap())
                .collect();
            let lines = expand(items.trim())
                .intersection(&statements)
                .copied()
                .collect();
            found.insert(name.trim().to_string(), lines);
        }
        let mut expected: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
        for name in ws[me].report["files"].as_object().unwrap().keys() {
            let only: BTreeSet<u64> = executed(&ws[me], name)
                .difference(&executed(&ws[other], name))
                .copied()
                .collect();
            if !only.is_empty() {
                expected.insert(name.clone(), only);
            }
        }
        assert!(
            !expected.is_empty(),
            "the interpreters must differ somewhere"
        );
        assert_eq!(found, expected, "only on {short}:\n{text}");
    }
}

#[test]
fn load_mode_says_the_split_is_not_meaningful_and_offers_workers() {
    let dir = golden("load");
    let data = std::env::temp_dir().join(format!("covmerge-platforms-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    for id in ["gw0", "gw1"] {
        let w = dir.join("workers").join(id);
        let (code, _, err) = covmerge(&[
            "record",
            "--data-dir",
            data.to_str().unwrap(),
            "--platform",
            "platform linux, python 3.12.1-final-0",
            "--mode",
            "load",
            "--worker",
            id,
            "--host",
            "h",
            w.join("coverage.json").to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
    }
    let (_, text, _) = covmerge(&["combine", "-q", "--by-platform", data.to_str().unwrap()]);
    assert!(text.contains("load mode"), "{text}");
    assert!(!text.contains("TOTAL"), "{text}");
    let (code, text, _) = covmerge(&[
        "combine",
        "-q",
        "--by-platform",
        "--by",
        "worker",
        "--header",
        "none",
        data.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(
        text.contains("h/gw0") && text.contains("h/gw1") && text.contains("TOTAL"),
        "{text}"
    );
}

#[test]
fn attribution_survives_a_two_level_combine() {
    let data = record_all("each");
    let combined = data
        .join("..")
        .join(format!("two-level-{}.covmerge.json", std::process::id()));
    let (code, _, err) = covmerge(&[
        "combine",
        "-q",
        data.to_str().unwrap(),
        "-o",
        combined.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let direct = covmerge(&["combine", "-q", "--platform-diff", data.to_str().unwrap()]).1;
    let again = covmerge(&[
        "combine",
        "-q",
        "--platform-diff",
        combined.to_str().unwrap(),
    ])
    .1;
    assert_eq!(direct, again);
    assert!(direct.contains("covered only on: 3.11.7"));
}

#[test]
fn a_platform_whose_worker_did_not_report_is_listed_not_dropped() {
    // Record only the 3.11 and 3.12 workers of the three-interpreter run,
    // then expect all three platforms.
    let scenario = "each3-branch";
    let data =
        std::env::temp_dir().join(format!("covmerge-platforms-missing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    for w in workers(scenario)
        .iter()
        .filter(|w| !w.platform.contains("3.13"))
    {
        let (code, _, err) = covmerge(&[
            "record",
            "--data-dir",
            data.to_str().unwrap(),
            "--platform",
            &w.platform,
            "--mode",
            "each",
            w.json.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
    }
    let expected = "platform linux, python 3.11.7-final-0;platform linux, python 3.12.1-final-0;linux-py3.13.0";
    let (code, text, err) = covmerge(&[
        "combine",
        "-q",
        "--header",
        "none",
        "--by-platform",
        "--expect-platforms",
        expected,
        data.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "an unmet expectation fails: {text}\n{err}");
    assert!(err.contains("linux-py3.13.0"), "{err}");
    let header = text.lines().next().unwrap();
    assert!(header.contains("linux-py3.13.0 (no data)"), "{text}");
    assert!(text.contains("No data from: linux-py3.13.0"), "{text}");
    let total = text
        .lines()
        .find(|l| l.trim_start().starts_with("TOTAL"))
        .unwrap();
    assert!(total.contains(" - "), "{total}");
    // Without the missing one, the same command passes.
    let (code, _, err) = covmerge(&[
        "combine",
        "-q",
        "--by-platform",
        "--expect-platforms",
        "platform linux, python 3.11.7-final-0;platform linux, python 3.12.1-final-0",
        data.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn unattributable_data_is_named_and_fatal_with_strict() {
    // Two platforms' data without per-platform attribution (as an older or
    // hand-made combined file would have) cannot be split.
    let dir =
        std::env::temp_dir().join(format!("covmerge-platforms-unattr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("old.covmerge.json");
    std::fs::write(
        &file,
        r#"{"covmerge": 1, "sources": [{"platform": "platform linux"}, {"platform": "platform win32"}],
            "files": {"m.py": {"lines": [[1, 1], [2, 0]]}}}"#,
    )
    .unwrap();
    let (code, _, err) = covmerge(&["combine", "-q", "--by-platform", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("old.covmerge.json") && err.contains("(unattributed)"),
        "{err}"
    );
    let (code, _, err) = covmerge(&[
        "combine",
        "-q",
        "--strict",
        "--by-platform",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("old.covmerge.json"), "{err}");
}
