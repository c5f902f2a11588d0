//! One truth: every output of one combine reports the same files with the
//! same numbers as the table, for every kind of input, with and without
//! include/omit. Each output is parsed back (JSON totals, LCOV summaries,
//! Cobertura root attributes, CSV and markdown TOTAL rows, the
//! `--by-platform` JSON) and compared with the text table's TOTAL row.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{run, tempdir, testdata};

/// The table's TOTAL and a report's, as the table shows them.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Totals {
    files: BTreeSet<String>,
    statements: u64,
    missing: u64,
    branches: u64,
    /// Only the outputs that carry it (the table's Cover column).
    cover: Option<String>,
}

fn num(text: &str) -> u64 {
    text.trim()
        .trim_matches('*')
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

/// The text table (`--precision 2`, branch columns when `branches`).
fn table_totals(stdout: &str, branches: bool) -> Totals {
    let mut files = BTreeSet::new();
    let mut total = None;
    let mut in_rows = false;
    for line in stdout.lines() {
        if line.starts_with("Name ") {
            continue;
        }
        if line.starts_with("---") {
            in_rows = !in_rows || total.is_none();
            continue;
        }
        let cells: Vec<&str> = line.split_whitespace().collect();
        if cells.first() == Some(&"TOTAL") {
            total = Some(cells);
        } else if in_rows && cells.len() >= 4 {
            files.insert(cells[0].to_string());
        }
    }
    let t = total.unwrap_or_else(|| panic!("no TOTAL row in:\n{stdout}"));
    Totals {
        files,
        statements: num(t[1]),
        missing: num(t[2]),
        branches: if branches { num(t[3]) } else { 0 },
        cover: Some(
            t[if branches { 5 } else { 3 }]
                .trim_end_matches('%')
                .to_string(),
        ),
    }
}

fn json_totals(text: &str) -> (Totals, u64) {
    let v: serde_json::Value = serde_json::from_str(text).expect("JSON export parses");
    let t = &v["totals"];
    let files = v["files"].as_object().unwrap().keys().cloned().collect();
    let get = |k: &str| t[k].as_u64().unwrap_or(0);
    (
        Totals {
            files,
            statements: get("num_statements"),
            missing: get("missing_lines"),
            branches: get("num_branches"),
            cover: Some(t["percent_covered_display"].as_str().unwrap().to_string()),
        },
        get("missing_branches"),
    )
}

fn lcov_totals(text: &str) -> (Totals, u64) {
    let (mut files, mut lf, mut lh, mut brf, mut brh) = (BTreeSet::new(), 0, 0, 0, 0);
    for line in text.lines() {
        let (tag, value) = line.split_once(':').unwrap_or((line, ""));
        match tag {
            "SF" => {
                files.insert(value.to_string());
            }
            "LF" => lf += num(value),
            "LH" => lh += num(value),
            "BRF" => brf += num(value),
            "BRH" => brh += num(value),
            _ => {}
        }
    }
    let totals = Totals {
        files,
        statements: lf,
        missing: lf - lh,
        branches: brf,
        cover: None,
    };
    (totals, brf - brh)
}

fn attr(text: &str, name: &str) -> u64 {
    let at = text.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    num(&text[at..at + text[at..].find('"').unwrap()])
}

fn xml_totals(text: &str, branches: bool) -> (Totals, u64) {
    let files = text
        .split(" filename=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect();
    let root = &text[text.find("<coverage ").unwrap()..];
    let root = &root[..root.find('>').unwrap()];
    let (valid, covered) = (attr(root, "lines-valid"), attr(root, "lines-covered"));
    let (bvalid, bcovered) = if branches {
        (attr(root, "branches-valid"), attr(root, "branches-covered"))
    } else {
        (0, 0)
    };
    let totals = Totals {
        files,
        statements: valid,
        missing: valid - covered,
        branches: bvalid,
        cover: None,
    };
    (totals, bvalid - bcovered)
}

/// CSV or markdown: the rows' names and the TOTAL row.
fn rows_totals(
    cells_of: &dyn Fn(&str) -> Option<Vec<String>>,
    text: &str,
    branches: bool,
) -> Totals {
    let mut files = BTreeSet::new();
    let mut total = None;
    for line in text.lines().skip(1) {
        let Some(cells) = cells_of(line) else {
            continue;
        };
        if cells[0].trim_matches('*') == "TOTAL" {
            total = Some(cells);
        } else {
            files.insert(cells[0].replace("\\_", "_"));
        }
    }
    let t = total.unwrap_or_else(|| panic!("no TOTAL in:\n{text}"));
    let cover = t[if branches { 5 } else { 3 }]
        .trim_matches('*')
        .trim_end_matches('%');
    Totals {
        files,
        statements: num(&t[1]),
        missing: num(&t[2]),
        branches: if branches { num(&t[3]) } else { 0 },
        cover: Some(cover.to_string()),
    }
}

fn csv_cells(line: &str) -> Option<Vec<String>> {
    Some(line.split(',').map(str::to_string).collect())
}

fn markdown_cells(line: &str) -> Option<Vec<String>> {
    if !line.starts_with('|') || line.starts_with("| -") || line.starts_with("|-") {
        return None;
    }
    Some(
        line.trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect(),
    )
}

/// Combine `inputs` with `extra` options, write every export, and check
/// each against the table. Returns the table's totals.
fn check(name: &str, inputs: &[&Path], extra: &[&str], branches: bool) -> Totals {
    let dir = tempdir(&format!("truth-{name}"));
    let mut args: Vec<String> = [
        "combine",
        "--no-config",
        "--precision",
        "2",
        "--header",
        "none",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    for kind in ["json", "lcov", "xml", "csv", "markdown"] {
        args.push("--report".into());
        args.push(format!("{kind}:out.{kind}"));
    }
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&dir, &argv);
    assert_eq!(out.code, 0, "{name}: {}\n{}", out.stdout, out.stderr);
    let table = table_totals(&out.stdout, branches);
    let read = |kind: &str| std::fs::read_to_string(dir.join(format!("out.{kind}"))).unwrap();
    let without_cover = |t: &Totals| Totals {
        cover: None,
        ..t.clone()
    };

    let (json, json_missing_branches) = json_totals(&read("json"));
    assert_eq!(json, table, "{name}: JSON export vs table");
    let (lcov, lcov_missing_branches) = lcov_totals(&read("lcov"));
    assert_eq!(lcov, without_cover(&table), "{name}: LCOV export vs table");
    assert_eq!(
        lcov_missing_branches, json_missing_branches,
        "{name}: LCOV vs JSON"
    );
    let (xml, xml_missing_branches) = xml_totals(&read("xml"), branches);
    assert_eq!(
        xml,
        without_cover(&table),
        "{name}: Cobertura export vs table"
    );
    if branches {
        assert_eq!(
            xml_missing_branches, json_missing_branches,
            "{name}: XML vs JSON"
        );
    }
    let csv = rows_totals(&csv_cells, &read("csv"), branches);
    assert_eq!(csv, table, "{name}: CSV export vs table");
    let markdown = rows_totals(&markdown_cells, &read("markdown"), branches);
    assert_eq!(markdown, table, "{name}: markdown export vs table");
    table
}

fn each_branch(rel: &str) -> std::path::PathBuf {
    testdata(&format!("golden/each-branch/workers/{rel}"))
}

#[test]
fn coveragepy_json_reports() {
    let inputs = [
        each_branch("gw0/coverage.json"),
        each_branch("gw1/coverage.json"),
    ];
    let inputs: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
    let all = check("json", &inputs, &[], true);
    assert!(all.files.contains("pkg/unused.py"));
    let omitted = check("json-omit", &inputs, &["--omit", "pkg/unused.py"], true);
    assert!(!omitted.files.contains("pkg/unused.py"));
    assert!(omitted.statements < all.statements);
    let included = check("json-include", &inputs, &["--include", "pkg/sub/*"], true);
    assert!(included.files.iter().all(|f| f.starts_with("pkg/sub/")));
    assert!(!included.files.is_empty());
}

#[test]
fn lcov_tracefiles() {
    let inputs = [
        each_branch("gw0/coverage.lcov"),
        each_branch("gw1/coverage.lcov"),
    ];
    let inputs: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
    check("lcov", &inputs, &[], true);
    check(
        "lcov-omit",
        &inputs,
        &["--omit", "pkg/unused.py,pkg/flow.py"],
        true,
    );
    check(
        "lcov-include",
        &inputs,
        &["--include", "pkg/compat.py"],
        true,
    );
}

#[test]
fn raw_sqlite_data_alone_and_with_a_report() {
    let paths = each_branch("../paths.coveragerc");
    let paths = paths.display().to_string();
    let raw = each_branch("gw0/raw.coverage");
    // Alone: statements unknown, so no output may print a number for it.
    let dir = tempdir("truth-sqlite-alone");
    let out = run(
        &dir,
        &[
            "combine",
            "--no-config",
            "--paths",
            &paths,
            "--report",
            "json:out.json",
            raw.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("No data to report."), "{}", out.stdout);
    assert!(!out.stdout.contains('%'), "{}", out.stdout);
    assert!(
        !dir.join("out.json").exists(),
        "an export of unknown numbers"
    );
    // With another worker's JSON report, which gives the statements.
    let json = each_branch("gw1/coverage-abs.json");
    check("sqlite-json", &[&raw, &json], &["--paths", &paths], true);
    check(
        "sqlite-json-include",
        &[&raw, &json],
        &["--paths", &paths, "--include", "*/compat.py,*/flow.py"],
        true,
    );
}

#[test]
fn cobertura_and_mixed_producers() {
    let xml = testdata("samples/cobertura/coveragepy.xml");
    check("cobertura", &[&xml], &[], true);
    let mixed = [
        testdata("samples/cobertura/gcovr-merged.xml"),
        testdata("samples/lcov/gcc-geninfo-run1.info"),
        testdata("samples/lcov/c8-lcov.info"),
        testdata("samples/go/cover-count.out"),
        testdata("samples/istanbul/nyc-run1-coverage-final.json"),
        testdata("samples/coveragepy/coverage.json"),
    ];
    let mixed: Vec<&Path> = mixed.iter().map(|p| p.as_path()).collect();
    let all = check("mixed", &mixed, &[], true);
    assert!(all.files.len() >= 4, "{:?}", all.files);
    check("mixed-omit", &mixed, &["--omit", "*.js"], true);
    check("mixed-include", &mixed, &["--include", "*.go,*.py"], true);
}

#[test]
fn per_platform_view_totals_are_the_tables() {
    let dir = tempdir("truth-view");
    let data = dir.join("data");
    for worker in ["gw0", "gw1"] {
        let env = std::fs::read_to_string(each_branch(&format!("{worker}/worker.env"))).unwrap();
        let get = |key: &str| {
            env.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .unwrap()
                .to_string()
        };
        let report = each_branch(&format!("{worker}/coverage.json"));
        let out = run(
            &dir,
            &[
                "record",
                "-q",
                "--data-dir",
                data.to_str().unwrap(),
                "--platform",
                &get("PLATFORM"),
                "--worker",
                worker,
                "--mode",
                "each",
                report.to_str().unwrap(),
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let data = data.to_str().unwrap();
    let table = run(
        &dir,
        &[
            "combine",
            "-q",
            "--no-config",
            "--header",
            "none",
            "--omit",
            "pkg/unused.py",
            data,
        ],
    );
    let table = table_totals(&table.stdout, true);
    // The JSON layout is JSON: no header before it.
    let view = run(
        &dir,
        &[
            "combine",
            "-q",
            "--no-config",
            "--omit",
            "pkg/unused.py",
            "--by-platform",
            "--format",
            "json",
            data,
        ],
    );
    assert_eq!(view.code, 0, "{}", view.stderr);
    let v: serde_json::Value = serde_json::from_str(&view.stdout).unwrap_or_else(|e| {
        panic!(
            "--by-platform --format json is not JSON ({e}):\n{}",
            view.stdout
        )
    });
    let all = &v["totals"]["all"];
    assert_eq!(all["num_statements"].as_u64().unwrap(), table.statements);
    assert_eq!(all["missing_lines"].as_u64().unwrap(), table.missing);
    assert_eq!(all["num_branches"].as_u64().unwrap(), table.branches);
    assert_eq!(
        all["percent_covered_display"].as_str(),
        table.cover.as_deref()
    );
    let files: BTreeSet<String> = v["files"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(files, table.files, "the view reports the table's files");
}

/// Writing `-o` (which keeps attribution) reads the inputs as a plain
/// combine does: the same table and the same warnings. lcov's own merge
/// lists `calc.c` twice in `merged.info`; that input still counts once in
/// the warning about count-only branches meeting named ones.
#[test]
fn writing_the_combined_file_changes_no_number_or_warning() {
    let gcc = testdata("samples/regen/gcc");
    let gcc = gcc.to_str().unwrap();
    let producers = testdata("producers/gcc");
    let producers = producers.to_str().unwrap();
    for inputs in [vec![gcc], vec![producers]] {
        let dir = tempdir("one-truth-o");
        let mut plain = vec!["combine", "--no-config"];
        plain.extend(&inputs);
        let plain = run(&dir, &plain);
        let mut with_o = vec!["combine", "--no-config", "-o", "all.covmerge.json"];
        with_o.extend(&inputs);
        let with_o = run(&dir, &with_o);
        assert_eq!(plain.code, with_o.code);
        assert_eq!(plain.stdout, with_o.stdout, "{inputs:?}");
        assert_eq!(plain.stderr, with_o.stderr, "{inputs:?}");
    }
    let dir = tempdir("one-truth-twice");
    let cobertura = format!("{gcc}/merged.gcovr.cobertura.xml");
    let merged = format!("{gcc}/merged.info");
    let out = run(&dir, &["combine", "-q", "--no-config", &cobertura, &merged]);
    assert!(
        out.stderr.contains("met named outcomes (")
            && out.stderr.contains("merged.info) on line(s)"),
        "{}",
        out.stderr
    );
}
