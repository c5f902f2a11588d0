//! gcc's native JSON intermediate format (`gcov --json-format`, gcc 9 and
//! later; `format_version` "1" with gcc 12, later versions add keys and are
//! read the same way). gcov writes it gzip-compressed as
//! `<file>.gcov.json.gz`; compressed input is decompressed by
//! [`super::parse`] before detection, so both forms are read.
//!
//! - **File names**: `files[].file` as the compiler saw it. A relative name
//!   is joined to `current_working_directory` (the directory gcov ran in),
//!   as geninfo does when it writes `SF:`, so the same run read from gcov's
//!   JSON and from lcov's tracefile gives the same name.
//! - **Lines**: `lines[]` `line_number` / `count`. A line listed more than
//!   once (one entry per function instance, e.g. C++ templates) is summed.
//! - **Branches**: `lines[].branches[i]` becomes the generic branch
//!   `(line, "0", i)` with its `count`, as geninfo (lcov 1.x) writes `BRDA`
//!   from this format: `i` restarts at 0 in each entry of a repeated line,
//!   and the entries' outcomes are summed as lcov sums repeated `BRDA`
//!   records (docs/BRANCHES.md). An entry with `unexecuted_block` and count
//!   0 has outcomes `-` (never evaluated), as geninfo writes them.
//! - **Functions**: `demangled_name` (else `name`), `start_line`, `end_line`,
//!   `execution_count`.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{json_count, json_error, Diagnostics, InputFormat};
use crate::error::Result;
use crate::model::{add_hits, add_taken, BranchId, CoverageData, FileCoverage, Function, Source};

/// The `gcov --json-format` reader.
pub struct GcovJson;

/// The note for a report with no branch data at all.
pub const NO_BRANCHES: &str = "no branch data: gcov was run without -b \
    (--branch-probabilities), or the code has no branches; run `gcov -b --json-format` \
    to measure branches";

#[derive(Deserialize)]
struct Report {
    gcc_version: Option<String>,
    format_version: Option<Value>,
    current_working_directory: Option<String>,
    #[serde(default)]
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    file: String,
    #[serde(default)]
    lines: Vec<Line>,
    #[serde(default)]
    functions: Vec<Func>,
}

#[derive(Deserialize)]
struct Line {
    line_number: i64,
    count: Value,
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    unexecuted_block: bool,
}

#[derive(Deserialize)]
struct Branch {
    count: Value,
}

#[derive(Deserialize)]
struct Func {
    name: Option<String>,
    demangled_name: Option<String>,
    start_line: Option<i64>,
    end_line: Option<i64>,
    execution_count: Option<Value>,
}

impl InputFormat for GcovJson {
    fn name(&self) -> &'static str {
        "gcov json"
    }

    fn detect(&self, text: &str) -> bool {
        let head = super::head(text);
        head.starts_with('{') && head.contains("\"gcc_version\"")
    }

    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
        let report: Report = serde_json::from_str(text).map_err(|e| json_error(path, e))?;
        let mut data = CoverageData::default();
        let cwd = report.current_working_directory.as_deref();
        for raw in report.files {
            let name = match cwd {
                Some(dir)
                    if !crate::pathtext::is_absolute_anywhere(&raw.file) && !dir.is_empty() =>
                {
                    crate::pathtext::join(dir, &raw.file)
                }
                _ => raw.file.clone(),
            };
            let mut file = FileCoverage::default();
            for line in raw.lines {
                let Some(number) = positive_line(line.line_number) else {
                    diag.warn(
                        None,
                        format!("{name}: line {} does not exist, dropped", line.line_number),
                    );
                    continue;
                };
                let hits = counted(&name, number, &line.count, diag);
                let entry = file.lines.entry(number).or_insert(0);
                *entry = add_hits(*entry, hits);
                let unexecuted = line.unexecuted_block && hits == 0;
                for (index, branch) in line.branches.into_iter().enumerate() {
                    let taken = counted(&name, number, &branch.count, diag);
                    let key = (number, BranchId::Num(0), BranchId::Num(index as u32));
                    let slot = file.branches.entry(key).or_insert(None);
                    *slot = add_taken(*slot, (!unexecuted).then_some(taken));
                }
            }
            for func in raw.functions {
                let Some(fname) = func.demangled_name.or(func.name).filter(|n| !n.is_empty())
                else {
                    continue;
                };
                let Some(start) = func.start_line.and_then(positive_line) else {
                    continue;
                };
                let hits = func
                    .execution_count
                    .as_ref()
                    .map(|c| counted(&name, start, c, diag))
                    .unwrap_or(0);
                let end = func
                    .end_line
                    .and_then(positive_line)
                    .filter(|e| *e >= start);
                let mut one = FileCoverage::default();
                one.functions.insert(fname, Function { start, end, hits });
                file.merge(one);
            }
            data.branch_coverage |= !file.branches.is_empty();
            match data.files.get_mut(&name) {
                Some(existing) => existing.merge(file),
                None => {
                    data.files.insert(name, file);
                }
            }
        }
        // gcc writes every `branches` list empty unless gcov ran with -b:
        // say so once per report, not once per line.
        if !data.branch_coverage && data.files.values().any(|f| !f.lines.is_empty()) {
            diag.warn(None, NO_BRANCHES);
        }
        let version = match report.format_version {
            Some(Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => "?".to_string(),
        };
        data.sources.push(Source {
            converted_from: Some(format!("gcov json {version}")),
            producer: report.gcc_version.map(|v| format!("gcc {v}")),
            ..Default::default()
        });
        Ok(data)
    }
}

fn positive_line(n: i64) -> Option<u32> {
    u32::try_from(n).ok().filter(|l| *l > 0)
}

/// A count, with a warning for dirty values (taken as 0 when unusable).
pub(crate) fn counted(name: &str, line: u32, value: &Value, diag: &mut Diagnostics) -> u64 {
    match json_count(value) {
        Ok((n, None)) => n,
        Ok((n, Some(note))) => {
            diag.warn(None, format!("{name}:{line}: {note}"));
            n
        }
        Err(msg) => {
            diag.warn(None, format!("{name}:{line}: {msg}; taken as 0"));
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_branches_functions() {
        let text = r#"{"gcc_version": "12.2.0", "files": [{"file": "calc.c",
          "lines": [{"line_number": 6, "count": 3, "branches": [{"count": 1, "fallthrough": true, "throw": false},
                                                               {"count": 2, "fallthrough": false, "throw": false}]},
                    {"line_number": 6, "count": 1, "branches": [{"count": 0}]},
                    {"line_number": 0, "count": 1},
                    {"line_number": 7, "count": -2}],
          "functions": [{"name": "_Z1fv", "demangled_name": "f()", "start_line": 4, "end_line": 11,
                         "execution_count": 3}]}],
          "format_version": "1", "current_working_directory": "/w/c", "data_file": "calc.c"}"#;
        assert!(GcovJson.detect(text));
        let mut diag = Diagnostics::default();
        let data = GcovJson
            .read(Path::new("c.gcov.json"), text, &mut diag)
            .unwrap();
        let f = &data.files["/w/c/calc.c"];
        assert_eq!(f.lines, [(6, 4), (7, 0)].into_iter().collect());
        // The second entry of line 6 restarts at 0 and is summed, as geninfo + lcov do.
        assert_eq!(f.branches.len(), 2);
        assert_eq!(f.branches[&(6, "0".into(), "0".into())], Some(1));
        assert_eq!(f.branches[&(6, "0".into(), "1".into())], Some(2));
        assert_eq!(f.functions["f()"].end, Some(11));
        assert_eq!(diag.warnings.len(), 2, "{:?}", diag.warnings);
        assert_eq!(
            data.sources[0].converted_from.as_deref(),
            Some("gcov json 1")
        );
    }

    #[test]
    fn a_report_without_branch_data_says_b_was_missing_once() {
        let text = r#"{"gcc_version": "12.2.0", "format_version": "1", "files": [
          {"file": "a.c", "lines": [{"line_number": 1, "count": 1, "branches": []},
                                    {"line_number": 2, "count": 0, "branches": []}]},
          {"file": "b.c", "lines": [{"line_number": 1, "count": 1, "branches": []}]}]}"#;
        let mut diag = Diagnostics::default();
        GcovJson
            .read(Path::new("x.gcov.json"), text, &mut diag)
            .unwrap();
        let notes: Vec<_> = diag.messages(Path::new("x.gcov.json"));
        assert_eq!(notes, [format!("x.gcov.json: {NO_BRANCHES}")]);
        assert!(NO_BRANCHES.contains("-b"));
    }
}
