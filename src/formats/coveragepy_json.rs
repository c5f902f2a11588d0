//! coverage.py's JSON report (`coverage json`, formats 1 to 3).
//!
//! The report lists executed and missing lines (together the statements),
//! excluded lines and, in branch mode, executed and missing arcs of branch
//! lines. Lines are executed or not, so hits are 0 or 1.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{json_error, Diagnostics, FileRecords, InputFormat, StreamEnd};
use crate::error::Result;
mod fast;
mod scan;

use crate::model::{
    CoverageData, FileCoverage, Function, Region as ModelRegion, RegionKind, Source,
};

/// The coverage.py JSON report reader.
pub struct CoveragePyJson;

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    meta: Meta,
    #[serde(deserialize_with = "super::entries")]
    files: Vec<(String, File)>,
}

#[derive(Deserialize, Default)]
pub(super) struct Meta {
    pub(super) format: Option<u32>,
    pub(super) version: Option<String>,
    pub(super) branch_coverage: Option<bool>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    executed_lines: Vec<i64>,
    #[serde(default)]
    missing_lines: Vec<i64>,
    #[serde(default)]
    excluded_lines: Vec<i64>,
    executed_branches: Option<Vec<(i64, i64)>>,
    missing_branches: Option<Vec<(i64, i64)>>,
    #[serde(default)]
    functions: BTreeMap<String, Region>,
    #[serde(default)]
    classes: BTreeMap<String, Region>,
    summary: Option<Summary>,
}

#[derive(Deserialize)]
pub(super) struct Summary {
    /// u32: a bigger count is no real file's, and summing such counts
    /// overflowed the report totals (found by fuzzing).
    pub(super) num_branches: Option<u32>,
}

#[derive(Deserialize)]
struct Region {
    #[serde(default)]
    executed_lines: Vec<i64>,
    #[serde(default)]
    missing_lines: Vec<i64>,
    #[serde(default)]
    excluded_lines: Vec<i64>,
    start_line: Option<i64>,
    executed_branches: Option<Vec<(i64, i64)>>,
    missing_branches: Option<Vec<(i64, i64)>>,
    summary: Option<Summary>,
}

impl Region {
    /// The model's region: its measured lines, and its own branch count
    /// when it exceeds the listed arcs (`# pragma: no branch`).
    fn to_model(&self) -> ModelRegion {
        let lines = self
            .executed_lines
            .iter()
            .chain(&self.missing_lines)
            .chain(&self.excluded_lines)
            .filter_map(|n| u32::try_from(*n).ok().filter(|l| *l > 0))
            .collect();
        let listed = self.executed_branches.as_ref().map_or(0, Vec::len)
            + self.missing_branches.as_ref().map_or(0, Vec::len);
        let start_line = self
            .start_line
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(1);
        ModelRegion {
            start_line,
            lines,
            declared_branches: self
                .summary
                .as_ref()
                .and_then(|s| s.num_branches)
                .map(u64::from)
                .filter(|n| *n as usize > listed),
        }
    }
}

impl InputFormat for CoveragePyJson {
    fn name(&self) -> &'static str {
        "coverage.py json"
    }

    fn detect(&self, text: &str) -> bool {
        let head = super::head(text);
        match head.strip_prefix('{') {
            Some(rest) => {
                let rest = rest.trim_start();
                rest.starts_with("\"meta\"") || rest.starts_with("\"files\"")
            }
            None => false,
        }
    }

    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
        super::collect_stream(self, path, text, diag)
    }

    fn streams(&self) -> bool {
        true
    }

    fn stream(
        &self,
        path: &Path,
        text: &str,
        diag: &mut Diagnostics,
        on_file: &mut dyn FnMut(&mut FileRecords),
    ) -> Result<StreamEnd> {
        let mut seen = std::collections::HashSet::new();
        let mut repeated = Vec::new();
        let report = read_files(path, text, diag, &mut |records| {
            if !seen.insert(records.name.to_string()) {
                repeated.push(records.name.to_string());
            }
            on_file(records);
        });
        for name in repeated {
            diag.warn(None, format!("{name} is listed more than once; merged"));
        }
        report.map(|report| StreamEnd {
            branch_coverage: report.branch_coverage,
            sources: vec![report.source],
        })
    }
}

/// What a report says about itself.
pub struct JsonReport {
    /// Whether the report measured branches.
    pub branch_coverage: bool,
    /// Who wrote it (coverage.py's version).
    pub source: Source,
}

/// Parse a report and hand over each file as it is converted: by the byte
/// scanner ([`scan`]) when it accepts the text, else by the serde visitors
/// ([`fast`]) when they do, otherwise by the derive-based reader below, which gives the exact serde messages for
/// whatever the fast one refused (and accepts what serde's derive accepts).
pub fn read_files(
    path: &Path,
    text: &str,
    diag: &mut Diagnostics,
    on_file: &mut dyn FnMut(&mut FileRecords),
) -> Result<JsonReport> {
    if let Some(report) = scan::read(text) {
        return report.hand_over(path, diag, on_file);
    }
    match fast::read(text) {
        Ok(report) => report.hand_over(path, diag, on_file),
        Err(_) => read_files_derive(path, text, diag, on_file),
    }
}

/// The reference reader: the whole report deserialized by serde's derive,
/// then converted file by file.
fn read_files_derive(
    path: &Path,
    text: &str,
    diag: &mut Diagnostics,
    on_file: &mut dyn FnMut(&mut FileRecords),
) -> Result<JsonReport> {
    let report: Report = serde_json::from_str(text).map_err(|e| json_error(path, e))?;
    let format = check_format(path, &report.meta)?;
    let mut branch_coverage = report.meta.branch_coverage.unwrap_or(false);
    for (name, raw) in report.files {
        let mut file = FileCoverage::default();
        let line = |n: i64, what: &str, diag: &mut Diagnostics| -> Option<u32> {
            match u32::try_from(n) {
                Ok(l) if l > 0 => Some(l),
                _ => {
                    diag.warn(
                        None,
                        format!("{name}: {what} line number {n} is out of range, ignored"),
                    );
                    None
                }
            }
        };
        // Collected flat and built in bulk: inserting line by line into
        // the tree was the reader's main cost on large reports.
        let executed: Vec<(u32, u64)> = raw
            .executed_lines
            .into_iter()
            .filter_map(|n| line(n, "executed", diag).map(|l| (l, 1)))
            .collect();
        let missing: Vec<(u32, u64)> = raw
            .missing_lines
            .into_iter()
            .filter_map(|n| line(n, "missing", diag).map(|l| (l, 0)))
            .collect();
        let lines = sorted_union(executed, missing, |a, b| a.max(b));
        for n in raw.excluded_lines {
            if let Some(l) = line(n, "excluded", diag) {
                file.excluded.insert(l);
            }
        }
        let has_branch_lists = raw.executed_branches.is_some() || raw.missing_branches.is_some();
        branch_coverage |= has_branch_lists;
        let executed = raw.executed_branches.unwrap_or_default();
        let missing = raw.missing_branches.unwrap_or_default();
        let mut arc_list = |list: Vec<(i64, i64)>, taken: u64| -> Vec<((u32, i64), Option<u64>)> {
            list.into_iter()
                .filter_map(|(from, to)| {
                    line(from, "branch source", diag).map(|l| ((l, to), Some(taken)))
                })
                .collect()
        };
        let executed = arc_list(executed, 1);
        let missing = arc_list(missing, 0);
        let arcs = sorted_union(executed, missing, |a, b| a.max(b));
        file.declared_branches = raw
            .summary
            .and_then(|s| s.num_branches)
            .map(u64::from)
            .filter(|n| *n as usize > arcs.len());
        for (kind, regions) in [
            (RegionKind::Function, &raw.functions),
            (RegionKind::Class, &raw.classes),
        ] {
            for (rname, region) in regions {
                file.regions
                    .insert((kind, rname.clone()), region.to_model());
            }
        }
        for (fname, region) in raw.functions {
            if fname.is_empty() {
                continue; // the part of the module outside any function
            }
            let all = region.executed_lines.iter().chain(&region.missing_lines);
            let first = all.clone().copied().min();
            let last = all.copied().max();
            let start = region
                .start_line
                .or(first)
                .and_then(|n| u32::try_from(n).ok());
            if let Some(start) = start.filter(|s| *s > 0) {
                file.functions.insert(
                    fname,
                    Function {
                        start,
                        end: last.and_then(|n| u32::try_from(n).ok()),
                        hits: u64::from(!region.executed_lines.is_empty()),
                    },
                );
            }
        }
        on_file(&mut FileRecords {
            name: name.into(),
            lines,
            arcs,
            file: Some(file),
            ..Default::default()
        });
    }
    Ok(JsonReport {
        branch_coverage,
        source: Source {
            converted_from: Some(format!("coverage.py json {format}")),
            producer: report.meta.version.map(|v| format!("coverage.py {v}")),
            ..Default::default()
        },
    })
}

/// The report's format number, when this covmerge reads it.
fn check_format(path: &Path, meta: &Meta) -> Result<u32> {
    let format = meta.format.unwrap_or(1);
    if !(1..=3).contains(&format) {
        return Err(crate::error::Error::parse(
                path,
                None,
                format!(
                    "coverage.py JSON format {format} is not supported (this covmerge reads formats 1 to 3)"
                ),
            ));
    }
    Ok(format)
}

/// The sorted, unique union of two lists of key-value pairs (coverage.py writes each list
/// sorted, so they are merged in one pass; anything else is sorted first).
/// A key in both lists (executed and missing both) keeps `pick` of its values.
pub(super) fn sorted_union<K: Ord + Copy, V: Copy>(
    a: Vec<(K, V)>,
    b: Vec<(K, V)>,
    pick: fn(V, V) -> V,
) -> Vec<(K, V)> {
    let sorted = |v: &Vec<(K, V)>| v.windows(2).all(|w| w[0].0 < w[1].0);
    let mut merged: Vec<(K, V)> = Vec::with_capacity(a.len() + b.len());
    if sorted(&a) && sorted(&b) {
        let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    let (k, va) = a.next().expect("peeked");
                    let (_, vb) = b.next().expect("peeked");
                    (k, pick(va, vb))
                }
                (Some(x), Some(y)) if x.0 < y.0 => a.next().expect("peeked"),
                (Some(_), Some(_)) | (None, Some(_)) => b.next().expect("peeked"),
                (Some(_), None) => a.next().expect("peeked"),
                (None, None) => break,
            };
            merged.push(next);
        }
    } else {
        merged.extend(a);
        merged.extend(b);
        crate::model::sort_and_fold(&mut merged, pick);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"meta": {"format": 3, "version": "7.17.5", "branch_coverage": true},
      "files": {"pkg/a.py": {"executed_lines": [1, 2, 4], "missing_lines": [5],
        "excluded_lines": [7], "executed_branches": [[2, 4]], "missing_branches": [[2, -1]],
        "functions": {"f": {"executed_lines": [2, 4], "missing_lines": [5], "start_line": 1},
                      "": {"executed_lines": [1], "missing_lines": []}}}}}"#;

    #[test]
    fn reads_lines_arcs_and_functions() {
        assert!(CoveragePyJson.detect(SAMPLE));
        let mut diag = Diagnostics::default();
        let data = CoveragePyJson
            .read(Path::new("c.json"), SAMPLE, &mut diag)
            .unwrap();
        assert!(data.branch_coverage);
        let f = &data.files["pkg/a.py"];
        assert_eq!(f.lines.len(), 4);
        assert_eq!(f.lines[&5], 0);
        assert_eq!(f.arcs[&(2, 4)], Some(1));
        assert_eq!(f.arcs[&(2, -1)], Some(0));
        assert_eq!(f.functions["f"].start, 1);
        assert_eq!(f.functions["f"].end, Some(5));
        let region = &f.regions[&(RegionKind::Function, "f".to_string())];
        assert_eq!(region.start_line, 1);
        assert_eq!(region.lines, [2, 4, 5].into_iter().collect());
        assert_eq!(
            f.regions[&(RegionKind::Function, String::new())].start_line,
            1
        );
        assert!(diag.warnings.is_empty());
        assert_eq!(
            data.sources[0].converted_from.as_deref(),
            Some("coverage.py json 3")
        );
    }

    #[test]
    fn truncated_json_names_file_and_line() {
        let cut = &SAMPLE[..SAMPLE.len() / 2];
        let err = CoveragePyJson
            .read(Path::new("w/c.json"), cut, &mut Diagnostics::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("w/c.json:"), "{err}");
    }
    /// What a reader hands over and says: the files as the model has them,
    /// the warnings, and the report's own facts or the error message.
    type Outcome = (
        Vec<(String, FileCoverage)>,
        Vec<Warning>,
        usize,
        std::result::Result<(bool, Source), String>,
    );

    /// A reader's signature.
    type Reader =
        fn(&Path, &str, &mut Diagnostics, &mut dyn FnMut(&mut FileRecords)) -> Result<JsonReport>;

    fn outcome(text: &str, reader: Reader) -> Outcome {
        let mut diag = Diagnostics::default();
        let mut files = Vec::new();
        let end = reader(Path::new("w/c.json"), text, &mut diag, &mut |records| {
            files.push(std::mem::take(records).into_file());
        })
        .map(|r| (r.branch_coverage, r.source))
        .map_err(|e| e.to_string());
        (files, diag.warnings, diag.suppressed, end)
    }

    /// The scanner alone.
    fn scan_only(
        path: &Path,
        text: &str,
        diag: &mut Diagnostics,
        on_file: &mut dyn FnMut(&mut FileRecords),
    ) -> Result<JsonReport> {
        match scan::read(text) {
            Some(report) => report.hand_over(path, diag, on_file),
            None => Err(crate::error::Error::Other("refused".into())),
        }
    }

    /// The serde visitors alone.
    fn fast_only(
        path: &Path,
        text: &str,
        diag: &mut Diagnostics,
        on_file: &mut dyn FnMut(&mut FileRecords),
    ) -> Result<JsonReport> {
        match fast::read(text) {
            Ok(report) => report.hand_over(path, diag, on_file),
            Err(_) => Err(crate::error::Error::Other("refused".into())),
        }
    }

    /// The reader as used, the scanner and the serde visitors (where each
    /// reads `text` itself) agree with the derive-based reader; says
    /// whether the scanner and the visitors read it.
    fn agree(text: &str) -> (bool, bool) {
        let derive = outcome(text, read_files_derive);
        assert_eq!(outcome(text, read_files), derive, "on {text}");
        let scanned = scan::read(text).is_some();
        if scanned {
            assert_eq!(outcome(text, scan_only), derive, "scanned {text}");
        }
        let visited = fast::read(text).is_ok();
        if visited {
            assert_eq!(outcome(text, fast_only), derive, "visited {text}");
        }
        (scanned, visited)
    }

    use super::super::Warning;

    #[test]
    fn fast_reader_agrees_on_the_samples() {
        let mut read = 0;
        for dir in [
            "testdata/samples/coveragepy",
            "testdata/producers",
            "testdata/golden",
        ] {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let mut stack = vec![root];
            while let Some(dir) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for entry in entries {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    let Ok(text) = std::fs::read_to_string(&path) else {
                        continue;
                    };
                    if path.extension().is_some_and(|e| e == "json") && CoveragePyJson.detect(&text)
                    {
                        let both = agree(&text);
                        assert_eq!(both, (true, true), "refused {}", path.display());
                        read += 1;
                    }
                }
            }
        }
        assert!(read >= 10, "only {read} samples found");
        assert_eq!(agree(SAMPLE), (true, true));
    }

    #[test]
    fn fast_reader_agrees_on_hostile_reports() {
        let file =
            |body: &str| format!(r#"{{"meta": {{"format": 3}}, "files": {{"a.py": {body}}}}}"#);
        // Read by the fast reader itself.
        for text in [
            file(r#"{"executed_lines": [0, -3, 4294967296, 2, 2, 1], "missing_lines": [2, -1]}"#),
            file(r#"{"executed_lines": [3, 1], "missing_lines": [2], "excluded_lines": [-5, 9]}"#),
            file(r#"{"executed_branches": [[0, 1], [2, -1], [2, -1]], "missing_branches": null}"#),
            file(r#"{"missing_branches": [[5, 6]], "summary": {"num_branches": 7}}"#),
            file(r#"{"summary": null, "executed_branches": null}"#),
            file(
                r#"{"functions": {"f": {"executed_lines": [3], "start_line": -1}, "f": {"missing_lines": [4, -2], "start_line": null}, "\u0067": {"executed_lines": [1]}, "": {}}}"#,
            ),
            file(
                r#"{"functions": {"b": {"missing_lines": [0], "executed_branches": [[1, 2]], "summary": {"num_branches": 5}}, "a": {"executed_lines": [9, 7], "excluded_lines": [8]}}, "classes": {"C": {"executed_lines": [1]}, "C": {"start_line": 4}}}"#,
            ),
            file(
                r#"{"functions": {"f\"q": {"executed_lines": [2]}, "g": {"executed_lines": [5]}}}"#,
            ),
            file(r#"{"extra": [1, {"x": null}], "executed_lines": [1]}"#),
            r#"{"files": {"a.py": {}, "a.py": {"executed_lines": [1]}}, "meta": {"format": 2}}"#
                .to_string(),
            r#"{"meta": {"format": 4}, "files": {"a.py": {"executed_lines": [-1]}}}"#.to_string(),
            r#"{"files": {"\u0061.py": {"missing_lines": [1]}}}"#.to_string(),
            format!(
                r#"{{"files": {{"a.py": {{"executed_lines": [{}]}}}}}}"#,
                (0..30)
                    .map(|i| (-i).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ] {
            let (scanned, visited) = agree(&text);
            assert!(visited, "visitors refused {text}");
            // Escapes are left to the visitors.
            assert_eq!(scanned, !text.contains('\\'), "{text}");
        }
        // Refused by the fast reader, read (or refused) by the derive-based one.
        for text in [
            file(r#"{"executed_lines": [1], "executed_lines": [2]}"#),
            file(r#"{"executed_lines": null}"#),
            file(r#"{"executed_lines": [1.5]}"#),
            file(r#"{"executed_lines": ["1"]}"#),
            file(r#"{"executed_lines": [9223372036854775808]}"#),
            file(r#"{"executed_branches": [[1, 2, 3]]}"#),
            file(r#"{"executed_branches": [[1]]}"#),
            file(r#"{"summary": {"num_branches": 4294967296}}"#),
            file(r#"{"functions": null}"#),
            file(r#"{"functions": {"f": {"start_line": 1.0}}}"#),
            file(r#"{"functions": {"f": {"start_line": 1, "start_line": 2}}}"#),
            file(r#"[[1, 2], [3]]"#),
            file("5"),
            r#"{"meta": {"format": 3}}"#.to_string(),
            r#"{"meta": null, "files": {}}"#.to_string(),
            r#"{"meta": {}, "meta": {}, "files": {}}"#.to_string(),
            r#"[{"format": 3}, {"a.py": {"executed_lines": [1]}}]"#.to_string(),
            r#"{"files": {}} x"#.to_string(),
            r#"{"files": {"a.py": {"executed_lines": [1, 2"#.to_string(),
            format!("{}{}", "[".repeat(200), "]".repeat(200)),
        ] {
            assert_eq!(agree(&text), (false, false), "read {text}");
        }
        // What the scanner checks itself: JSON's grammar in skipped values,
        // plain integers, no escapes; the rest goes on to the visitors.
        for (body, scanned) in [
            (
                r#"{"x": [1.5e-3, -0, 0.0, 1E+9, true, false, null, {"": []}]}"#,
                true,
            ),
            (
                r#"{"summary": {"percent": 35.0, "num_branches": null}}"#,
                true,
            ),
            (r#"{"x": 01}"#, false),
            (r#"{"x": 1.}"#, false),
            (r#"{"x": -}"#, false),
            (r#"{"x": .5}"#, false),
            (r#"{"x": 1e}"#, false),
            (r#"{"x": tru}"#, false),
            (r#"{"x": [1,]}"#, false),
            (r#"{"x": {"a": 1,}}"#, false),
            (r#"{"x": "tab	here"}"#, false),
            (r#"{"x": "\n"}"#, false),
            (
                r#"{"executed_lines": [0, 9223372036854775807, -9223372036854775807]}"#,
                true,
            ),
            (r#"{"executed_lines": [-0]}"#, false),
            (r#"{"executed_lines": [-9223372036854775808]}"#, false),
            (r#"{"executed_lines": [1e0]}"#, false),
            (
                r#"{"executed_branches": [[1, 2]], "summary": {"num_branches": 4294967295}}"#,
                true,
            ),
            (
                r#"{"summary": {"num_branches": 1, "num_branches": 1}}"#,
                false,
            ),
            (
                r#"{"functions": {"f": {"summary": {"num_branches": -1}}}}"#,
                false,
            ),
        ] {
            let text = file(body);
            assert_eq!(agree(&text).0, scanned, "{text}");
        }
        let deep = format!(
            r#"{{"files": {{}}, "x": {}{}}}"#,
            "[".repeat(120),
            "]".repeat(120)
        );
        assert!(!agree(&deep).0);
        // Cut anywhere, the sample gives the derive-based reader's error.
        for cut in 0..SAMPLE.len() {
            if SAMPLE.is_char_boundary(cut) {
                agree(&SAMPLE[..cut]);
            }
        }
        // One byte changed anywhere: all readers agree.
        for at in 0..SAMPLE.len() {
            for b in [
                b'-', b'0', b'9', b'"', b'\\', b'.', b',', b']', b'}', b'e', b' ', b'n',
            ] {
                let mut bytes = SAMPLE.as_bytes().to_vec();
                bytes[at] = b;
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    agree(text);
                }
            }
        }
    }
}
