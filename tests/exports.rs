//! Exports against the real coverage.py: `coverage json`, `coverage lcov`
//! and `coverage xml` of the combined golden data (testdata/regen.sh saved
//! them as expected/coverage.{json,lcov,xml}) must equal covmerge's exports
//! of the same workers byte for byte, with only these parts masked:
//!
//! - JSON: the value of `meta.timestamp` (the time of the run).
//! - XML: the value of the root's `timestamp` attribute, and the text of
//!   `<source>` (coverage.py's current directory, under the regen dir).
//! - LCOV: nothing.
//!
//! `meta.version` and the XML `version` are not masked: covmerge writes
//! the coverage.py version the workers recorded.

use std::path::{Path, PathBuf};

mod common;
use common::tempdir;

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/golden")
}

const SCENARIOS: [&str; 4] = ["load", "load-branch", "each", "each-branch"];

/// Record both workers' `report` files of `scenario` into a data dir.
fn record(scenario: &str, report: &str) -> PathBuf {
    common::record_golden_workers(&golden().join(scenario), report)
}

/// Combine `inputs` in a fresh directory with `--report` for json, lcov
/// and xml; returns that directory.
fn export(inputs: &[&Path], extra: &[&str]) -> PathBuf {
    let out = tempdir("out");
    let mut args = vec!["combine", "--header", "none"];
    let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    args.extend(inputs.iter().map(String::as_str));
    args.extend([
        "--report",
        "json",
        "--report",
        "lcov",
        "--report",
        "xml:coverage.xml",
    ]);
    args.extend(extra);
    let common::Run {
        code,
        stdout: _,
        stderr: err,
    } = common::run(&out, &args);
    assert_eq!(code, 0, "{err}");
    for (kind, file) in [
        ("JSON", "coverage.json"),
        ("LCOV", "coverage.lcov"),
        ("XML", "coverage.xml"),
    ] {
        assert!(
            err.contains(&format!("Wrote {kind} report to {file}\n")),
            "{err}"
        );
    }
    out
}

fn mask_json(text: &str) -> String {
    let start = text.find("\"timestamp\": \"").expect("a timestamp") + 14;
    let end = start + text[start..].find('"').unwrap();
    format!("{}TIMESTAMP{}", &text[..start], &text[end..])
}

fn mask_xml(text: &str) -> String {
    let mut out = text.to_string();
    let start = out.find(" timestamp=\"").expect("a timestamp") + 12;
    let end = start + out[start..].find('"').unwrap();
    out.replace_range(start..end, "TIMESTAMP");
    let mut masked = String::new();
    let mut rest = out.as_str();
    while let Some(i) = rest.find("<source>") {
        let j = rest[i..].find("</source>").unwrap() + i;
        masked.push_str(&rest[..i + 8]);
        masked.push_str("SOURCE");
        rest = &rest[j..];
    }
    masked.push_str(rest);
    masked
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn compare(failures: &mut Vec<String>, what: &str, expected: &str, got: &str) {
    if expected != got {
        let at = expected
            .bytes()
            .zip(got.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.len().min(got.len()));
        let from = at.saturating_sub(80);
        failures.push(format!(
            "{what}: differs at byte {at}\n--- expected ...{}\n--- got      ...{}",
            &expected[from..(at + 80).min(expected.len())],
            &got[from..(at + 80).min(got.len())]
        ));
    }
}

#[test]
fn exports_of_recorded_json_match_coveragepy_byte_for_byte() {
    let mut failures = Vec::new();
    for s in SCENARIOS {
        let data = record(s, "coverage.json");
        let out = export(&[&data], &[]);
        let exp = golden().join(s).join("expected");
        compare(
            &mut failures,
            &format!("{s} json"),
            &mask_json(&read(&exp.join("coverage.json"))),
            &mask_json(&read(&out.join("coverage.json"))),
        );
        compare(
            &mut failures,
            &format!("{s} lcov"),
            &read(&exp.join("coverage.lcov")),
            &read(&out.join("coverage.lcov")),
        );
        compare(
            &mut failures,
            &format!("{s} xml"),
            &mask_xml(&read(&exp.join("coverage.xml"))),
            &mask_xml(&read(&out.join("coverage.xml"))),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn lcov_and_xml_exports_of_recorded_lcov_match_coveragepy() {
    // coverage.py's LCOV has no regions and no excluded lines, so its JSON
    // export can differ; the LCOV and XML exports need neither.
    let mut failures = Vec::new();
    for s in SCENARIOS {
        let data = record(s, "coverage.lcov");
        let out = export(&[&data], &[]);
        let exp = golden().join(s).join("expected");
        compare(
            &mut failures,
            &format!("{s} lcov"),
            &read(&exp.join("coverage.lcov")),
            &read(&out.join("coverage.lcov")),
        );
        // An LCOV file does not name its producer, so covmerge does not
        // claim a coverage.py version: only the version and the
        // "Generated by" comment differ.
        let version = format!("covmerge {}", env!("CARGO_PKG_VERSION"));
        let got = read(&out.join("coverage.xml"))
            .replacen(&format!("version=\"{version}\""), "version=\"7.17.5\"", 1)
            .replacen(
                &format!(
                    "<!-- Generated by covmerge {} from: lcov -->",
                    env!("CARGO_PKG_VERSION")
                ),
                "<!-- Generated by coverage.py: https://coverage.readthedocs.io/en/7.17.5 -->",
                1,
            );
        compare(
            &mut failures,
            &format!("{s} xml"),
            &mask_xml(&read(&exp.join("coverage.xml"))),
            &mask_xml(&got),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn combined_data_file_gives_the_same_exports() {
    // Regions survive the data file: a two-level combine exports the same.
    for s in SCENARIOS {
        let data = record(s, "coverage.json");
        let all = tempdir("all").join("all.covmerge.json");
        let common::Run {
            code,
            stdout: _,
            stderr: err,
        } = common::run(&data, &["combine", "-q", ".", "-o", all.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let out = tempdir("report");
        let common::Run {
            code,
            stdout: _,
            stderr: err,
        } = common::run(
            &out,
            &[
                "report",
                "-q",
                all.to_str().unwrap(),
                "--report",
                "json",
                "--report",
                "lcov",
            ],
        );
        assert_eq!(code, 0, "{err}");
        let exp = golden().join(s).join("expected");
        assert_eq!(
            mask_json(&read(&out.join("coverage.json"))),
            mask_json(&read(&exp.join("coverage.json"))),
            "{s}"
        );
        assert_eq!(
            read(&out.join("coverage.lcov")),
            read(&exp.join("coverage.lcov")),
            "{s}"
        );
    }
}

#[test]
fn exports_read_back_give_the_same_table() {
    // Round trips through covmerge's own readers (JSON and LCOV): the
    // table of the export equals coverage.py's table of the combined data.
    for s in SCENARIOS {
        let data = record(s, "coverage.json");
        let out = export(&[&data], &[]);
        let exp = golden().join(s).join("expected");
        let want = read(&exp.join("report-m.stdout"));
        for file in ["coverage.json", "coverage.lcov"] {
            let common::Run {
                code,
                stdout,
                stderr: err,
            } = common::run(&out, &["report", "-q", "--header", "none", "-m", file]);
            assert_eq!(code, 0, "{s} {file}: {err}");
            assert_eq!(stdout, want, "{s} {file}");
        }
        // Cobertura keeps no arcs, only counts per line, so the Missing
        // column cannot come back; every number does.
        let common::Run {
            code,
            stdout,
            stderr: err,
        } = common::run(&out, &["report", "-q", "--header", "none", "coverage.xml"]);
        assert_eq!(code, 0, "{s} coverage.xml: {err}");
        assert_eq!(stdout, read(&exp.join("report.stdout")), "{s} coverage.xml");
        // And the JSON export of the JSON export is the same file.
        let again = tempdir("again");
        let common::Run {
            code,
            stdout: _,
            stderr: err,
        } = common::run(
            &again,
            &[
                "report",
                "-q",
                out.join("coverage.json").to_str().unwrap(),
                "--report",
                "json",
            ],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            mask_json(&read(&again.join("coverage.json"))),
            mask_json(&read(&out.join("coverage.json"))),
            "{s}"
        );
    }
}

#[test]
fn markdown_csv_and_github_reports() {
    for s in SCENARIOS {
        let data = record(s, "coverage.json");
        let out = tempdir("md");
        let summary = out.join("summary.md");
        std::fs::write(&summary, "# before\n").unwrap();
        let o = common::covmerge()
            .args([
                "combine",
                "-q",
                data.to_str().unwrap(),
                "-m",
                "--report",
                "markdown:table.md",
                "--report",
                "csv",
                "--report",
                "github",
            ])
            .current_dir(&out)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let exp = golden().join(s).join("expected");
        let table = read(&exp.join("markdown-m.stdout"));
        assert_eq!(read(&out.join("table.md")), table, "{s}");
        let github = read(&summary);
        assert!(github.starts_with("# before\n## coverage"), "{github}");
        assert!(github.ends_with(&table), "{github}");
        // CSV: the TOTAL row carries the table's TOTAL numbers.
        let csv = read(&out.join("coverage.csv"));
        let report = read(&exp.join("report.stdout"));
        let total: Vec<&str> = report.lines().last().unwrap().split_whitespace().collect();
        let mut want = total.join(",");
        want = want.trim_end_matches('%').to_string() + ",";
        assert!(
            csv.lines().last().unwrap() == want,
            "{s}: {csv}\nwant {want}"
        );
        let header = csv.lines().next().unwrap();
        if s.ends_with("branch") {
            assert_eq!(header, "Name,Stmts,Miss,Branch,BrPart,Cover,Missing");
        } else {
            assert_eq!(header, "Name,Stmts,Miss,Cover,Missing");
        }
    }
}

#[test]
fn report_to_stdout_and_bad_kinds() {
    let data = record("load", "coverage.json");
    let out = tempdir("stdout");
    let common::Run {
        code,
        stdout,
        stderr: _,
    } = common::run(
        &out,
        &[
            "report",
            "-q",
            "--header",
            "none",
            "--format",
            "total",
            data.to_str().unwrap(),
            "--report",
            "lcov:-",
        ],
    );
    assert_eq!(code, 0);
    assert!(stdout.starts_with("SF:pkg/__init__.py\n"), "{stdout}");
    let common::Run {
        code,
        stdout: _,
        stderr: err,
    } = common::run(&out, &["report", data.to_str().unwrap(), "--report", "pdf"]);
    assert_eq!(code, 1);
    assert!(err.contains("--report \"pdf\""), "{err}");
}

#[test]
fn configured_output_paths_are_the_export_defaults() {
    let dir = common::tempdir("export-paths");
    std::fs::write(
        dir.join(".coveragerc"),
        "[json]\noutput = reports/cov.json\n[lcov]\noutput = reports/cov.info\n[xml]\noutput = cov.xml\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("reports")).unwrap();
    let input = common::testdata("golden/each-branch/workers/gw0/coverage.json");
    let out = common::run(
        &dir,
        &[
            "combine",
            "-q",
            "--report",
            "json",
            "--report",
            "lcov",
            "--report",
            "xml",
            "--report",
            "csv",
            input.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for written in [
        "reports/cov.json",
        "reports/cov.info",
        "cov.xml",
        "coverage.csv",
    ] {
        assert!(dir.join(written).is_file(), "{written} not written");
    }
    assert!(!dir.join("coverage.json").exists());
}
