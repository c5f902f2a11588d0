//! `--format summary` / `--report summary` against the real tools' own
//! summaries of the same data: `lcov --summary`, gcovr's `--json-summary`
//! and `go tool cover -func`, stored in `testdata/summary/` by
//! `testdata/summary-regen.sh` (cases.tsv names the outputs and the
//! inputs covmerge reads).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// `(found, hit, percent text)` of one measure.
type Measure = (u64, u64, Option<String>);

/// covmerge's JSON summary and text view of `inputs` (paths under testdata/).
fn covmerge_summary(inputs: &[&str]) -> (Value, String) {
    let dir = common::tempdir("summary");
    let json_path = dir.join("summary.json");
    let out = common::covmerge()
        .current_dir(testdata())
        .args([
            "report",
            "--no-config",
            "-q",
            "--format",
            "summary",
            "--report",
        ])
        .arg(format!("summary:{}", json_path.display()))
        .args(inputs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{inputs:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (json, String::from_utf8(out.stdout).unwrap())
}

fn measure(v: &Value) -> Measure {
    (
        v["found"].as_u64().unwrap(),
        v["hit"].as_u64().unwrap(),
        v["percent"].as_f64().map(|p| format!("{p:.1}")),
    )
}

fn cases() -> Vec<(String, String, Vec<String>)> {
    let text = std::fs::read_to_string(testdata().join("summary/cases.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let inputs = f[2].split(' ').map(str::to_string).collect();
            (f[0].to_string(), f[1].to_string(), inputs)
        })
        .collect()
}

/// `  lines......: 84.4% (27 of 32 lines)` -> (32, 27, "84.4").
fn lcov_line(text: &str, key: &str) -> Measure {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(key))
        .unwrap_or_else(|| panic!("no {key} in {text}"));
    let rest = line.split_once(':').unwrap().1.trim();
    if rest.starts_with("no data found") {
        return (0, 0, None);
    }
    let (pc, counts) = rest.split_once(' ').unwrap();
    let nums: Vec<u64> = counts
        .trim_matches(|c| c == '(' || c == ')')
        .split(' ')
        .filter_map(|w| w.parse().ok())
        .collect();
    (nums[1], nums[0], Some(pc.trim_end_matches('%').to_string()))
}

#[test]
fn every_case_has_a_stored_output() {
    let cases = cases();
    for tool in ["lcov", "gcovr", "go"] {
        assert!(
            cases.iter().any(|(t, _, _)| t == tool),
            "no {tool} case in cases.tsv"
        );
    }
}

#[test]
fn matches_lcov_summary() {
    for (tool, expected, inputs) in cases() {
        if tool != "lcov" {
            continue;
        }
        let text = std::fs::read_to_string(testdata().join("summary").join(&expected)).unwrap();
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let (json, table) = covmerge_summary(&inputs);
        let total = &json["total"];
        for (key, ours) in [
            ("lines", "lines"),
            ("functions", "functions"),
            ("branches", "branches"),
        ] {
            let theirs = lcov_line(&text, key);
            assert_eq!(measure(&total[ours]), theirs, "{expected}: {key}");
            // The text view shows the same percent as lcov.
            if let Some(pc) = &theirs.2 {
                let last = table.lines().last().unwrap();
                assert!(last.contains(&format!("{pc}%")), "{expected}: {last}");
            }
        }
    }
}

#[test]
fn matches_gcovr_json_summary_per_file_and_total() {
    for (tool, expected, inputs) in cases() {
        if tool != "gcovr" {
            continue;
        }
        let theirs: Value = serde_json::from_str(
            &std::fs::read_to_string(testdata().join("summary").join(&expected)).unwrap(),
        )
        .unwrap();
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let (ours, _) = covmerge_summary(&inputs);
        let gcovr = |v: &Value, kind: &str| -> Measure {
            (
                v[format!("{kind}_total")].as_u64().unwrap(),
                v[format!("{kind}_covered")].as_u64().unwrap(),
                v[format!("{kind}_percent")]
                    .as_f64()
                    .map(|p| format!("{p:.1}")),
            )
        };
        for (kind, key) in [
            ("line", "lines"),
            ("function", "functions"),
            ("branch", "branches"),
        ] {
            assert_eq!(
                measure(&ours["total"][key]),
                gcovr(&theirs, kind),
                "{expected}: total {key}"
            );
            let files = theirs["files"].as_array().unwrap();
            assert_eq!(files.len(), ours["files"].as_array().unwrap().len());
            for file in files {
                let name = file["filename"].as_str().unwrap();
                let mine = ours["files"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["name"].as_str().unwrap().ends_with(name))
                    .unwrap_or_else(|| panic!("{expected}: no {name} in {ours}"));
                assert_eq!(
                    measure(&mine[key]),
                    gcovr(file, kind),
                    "{expected}: {name} {key}"
                );
            }
        }
    }
}

#[test]
fn matches_go_tool_cover_func_total() {
    let mut seen = 0;
    for (tool, expected, inputs) in cases() {
        if tool != "go" {
            continue;
        }
        let text = std::fs::read_to_string(testdata().join("summary").join(&expected)).unwrap();
        // total:	(statements)	90.6%
        let total = text
            .lines()
            .find(|l| l.starts_with("total:"))
            .and_then(|l| l.split_whitespace().last())
            .unwrap()
            .trim_end_matches('%')
            .to_string();
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let (json, table) = covmerge_summary(&inputs);
        let stmts = measure(&json["total"]["statements"]);
        assert_eq!(stmts.2.as_deref(), Some(total.as_str()), "{expected}");
        let last = table.lines().last().unwrap();
        assert!(last.ends_with(&format!("{total}%")), "{expected}: {last}");
        // Lines are not what Go counts: the line percent differs here.
        seen += 1;
    }
    assert!(seen >= 4);
}

#[test]
fn include_and_omit_select_the_same_files_as_the_table() {
    let dir = common::tempdir("summary-omit");
    let json_path = dir.join("s.json");
    let out = common::covmerge()
        .current_dir(testdata())
        .args(["report", "--no-config", "-q", "--format", "summary"])
        .args(["--omit", "*/report/*", "--report"])
        .arg(format!("summary:{}", json_path.display()))
        .arg("samples/regen/go/cover-count.out")
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let names: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["example.com/covdemo/calc/calc.go"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("report.go"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn go_statements_survive_record_and_combine() {
    // The usual flow: record on the worker, combine later. The data file
    // must keep Go's blocks, or the statement numbers would be lost.
    let dir = common::tempdir("summary-record");
    let bin = env!("CARGO_BIN_EXE_covmerge");
    let profile = testdata().join("samples/regen/go/cover-count-coverpkg.out");
    let status = Command::new(bin)
        .args([
            "record",
            "-q",
            "--no-config",
            "--worker",
            "w1",
            "--data-dir",
        ])
        .arg(dir.join("data"))
        .arg(&profile)
        .status()
        .unwrap();
    assert!(status.success());
    let out = Command::new(bin)
        .args(["combine", "--no-config", "-q", "--format", "summary"])
        .arg(dir.join("data"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let expected =
        std::fs::read_to_string(testdata().join("summary/go-cover-count-coverpkg.func.txt"))
            .unwrap();
    let total = expected
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap();
    assert!(text.lines().last().unwrap().ends_with(total), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exports_name_the_producers_when_the_data_is_not_coveragepys() {
    let dir = common::tempdir("provenance");
    let (json, xml) = (dir.join("c.json"), dir.join("c.xml"));
    let out = common::covmerge()
        .current_dir(testdata())
        .args(["report", "--no-config", "-q", "--report"])
        .arg(format!("json:{}", json.display()))
        .arg("--report")
        .arg(format!("xml:{}", xml.display()))
        .args([
            "samples/regen/gcc/run1.gcovr.json",
            "samples/regen/gcc/run2.info",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let meta: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let version = format!("covmerge {}", env!("CARGO_PKG_VERSION"));
    assert_eq!(meta["meta"]["version"], version.as_str());
    assert_eq!(
        meta["meta"]["producers"],
        serde_json::json!(["gcovr", "lcov"])
    );
    let xml = std::fs::read_to_string(&xml).unwrap();
    assert!(xml.contains(&format!("version=\"{version}\"")), "{xml}");
    assert!(
        xml.contains("<!-- Generated by covmerge ") && xml.contains(" from: gcovr, lcov -->"),
        "{xml}"
    );
    assert!(!xml.contains("Generated by coverage.py"), "{xml}");

    // coverage.py's own data keeps coverage.py's version and no extra key.
    let out = common::covmerge()
        .current_dir(testdata())
        .args(["report", "--no-config", "-q", "--report"])
        .arg(format!("json:{}", json.display()))
        .arg("samples/regen/coveragepy/coverage.json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let meta: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(meta["meta"]["version"], "7.17.5");
    assert!(meta["meta"].get("producers").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn matches_lcov_list_per_file() {
    let mut seen = 0;
    for (tool, expected, inputs) in cases() {
        if tool != "lcov-list" {
            continue;
        }
        let text = std::fs::read_to_string(testdata().join("summary").join(&expected)).unwrap();
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let (json, _) = covmerge_summary(&inputs);
        let files = json["files"].as_array().unwrap();
        // `shapes.c    |68.8%     16|75.0%     4|60.0%     10`
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.contains('|') && !l.starts_with(' ') && !l.starts_with("Filename"))
            .collect();
        assert_eq!(rows.len(), files.len(), "{expected}: {text}");
        for row in rows {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let mine = files
                .iter()
                .find(|f| {
                    let name = f["name"].as_str().unwrap();
                    name == cells[0] || name.ends_with(&format!("/{}", cells[0]))
                })
                .unwrap_or_else(|| panic!("{expected}: no {} in {json}", cells[0]));
            for (cell, key) in cells[1..].iter().zip(["lines", "functions", "branches"]) {
                let (rate, num) = cell.split_once(char::is_whitespace).unwrap();
                let (found, _, percent) = measure(&mine[key]);
                assert_eq!(found, num.trim().parse::<u64>().unwrap(), "{row}: {key}");
                // lcov --list drops the decimal of 100% to fit its column.
                let rate = rate.trim_end_matches('%');
                let rate = if rate == "100" { "100.0" } else { rate };
                assert_eq!(percent.as_deref(), Some(rate), "{row}: {key}");
            }
            seen += 1;
        }
    }
    assert!(seen >= 2, "the lcov --list case has one file per row");
}

/// gcovr's `13,20,23-25` -> [13, 20, 23, 24, 25].
fn expand(ranges: &str) -> Vec<u64> {
    let mut out = Vec::new();
    for part in ranges.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => out.extend(a.parse::<u64>().unwrap()..=b.parse().unwrap()),
            None => out.push(part.parse().unwrap()),
        }
    }
    out
}

#[test]
fn missing_lists_match_gcovr_text_reports() {
    let mut seen = 0;
    for (tool, expected, inputs) in cases() {
        let (list_key, measure_key) = match tool.as_str() {
            "gcovr-txt" => ("missing_lines", "lines"),
            "gcovr-txt-branch" => ("missing_branch_lines", "branches"),
            _ => continue,
        };
        let text = std::fs::read_to_string(testdata().join("summary").join(&expected)).unwrap();
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let (json, table) = covmerge_summary(&inputs);
        // The rows between the rule under the `File ...` header and the next rule.
        let body: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("File "))
            .skip(2)
            .take_while(|l| !l.starts_with("---"))
            .collect();
        assert!(!body.is_empty(), "{expected}");
        for row in body {
            let cells: Vec<&str> = row.split_whitespace().collect();
            let mine = json["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| {
                    let name = f["name"].as_str().unwrap();
                    name == cells[0] || name.ends_with(&format!("/{}", cells[0]))
                })
                .unwrap_or_else(|| panic!("{expected}: no {} in {json}", cells[0]));
            let (found, hit, _) = measure(&mine[measure_key]);
            assert_eq!(
                (found.to_string(), hit.to_string()),
                (cells[1].to_string(), cells[2].to_string()),
                "{expected}: {row}"
            );
            let theirs = expand(cells.get(4).copied().unwrap_or(""));
            let ours: Vec<u64> = mine[list_key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            assert_eq!(ours, theirs, "{expected}: {row}");
            seen += 1;
        }
        assert!(table.contains("TOTAL"));
    }
    assert!(seen >= 4);
}

#[test]
fn show_missing_lists_them_in_the_text_view() {
    let out = common::covmerge()
        .current_dir(testdata())
        .args(["report", "--no-config", "-q", "--format", "summary", "-m"])
        .args(["--map", "/tmp/covmerge-summary/c-multi=src"])
        .args(["summary/c-multi/job1.info", "summary/c-multi/job2.info"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("src/shapes.c"))
        .unwrap();
    assert!(
        row.ends_with("   13, 20, 23, 26, 28   12, 19, 21"),
        "{text}"
    );
    assert!(text
        .lines()
        .next()
        .unwrap()
        .ends_with("Missing lines        Missing branches"));
}
