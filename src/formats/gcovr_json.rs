//! gcovr's JSON (`gcovr --json`, the input of `gcovr --add-tracefile`),
//! `{"gcovr/format_version": "0.15", "files": [...]}`.
//!
//! - **File names**: `files[].file`, relative to the `--root` gcovr ran
//!   with, which the file does not record; kept as written.
//! - **Lines**: `lines[]` `line_number` / `count`; a line marked
//!   `gcovr/noncode` is not a statement, one marked `gcovr/excluded` is an
//!   excluded line. A line listed more than once is summed.
//! - **Branches**: lcov's gcc-family identity (docs/BRANCHES.md): the
//!   branches of a line (repeated entries of the line merged by gcovr's key
//!   `(branchno, source_block_id, destination_block_id)`, excluded ones
//!   left out) sorted by that key become `(line, "0", ordinal)` with their
//!   `count`. gcovr's own LCOV writer numbers them so too, but writes
//!   `source_block_id` as the block, which geninfo never does: keyed by it,
//!   a gcovr input and a geninfo input of the same run would not meet.
//! - **Functions**: `demangled_name` / `name`, `lineno`, `execution_count`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::gcov_json::counted;
use super::{json_error, Diagnostics, InputFormat};
use crate::error::Result;
use crate::model::{add_hits, BranchId, CoverageData, FileCoverage, Function, Source};

/// The gcovr `--json` reader.
pub struct GcovrJson;

#[derive(Deserialize)]
struct Report {
    #[serde(rename = "gcovr/format_version")]
    format_version: Option<Value>,
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
    #[serde(default, rename = "gcovr/noncode")]
    noncode: bool,
    #[serde(default, rename = "gcovr/excluded")]
    excluded: bool,
}

#[derive(Deserialize)]
struct Branch {
    count: Value,
    branchno: Option<Value>,
    source_block_id: Option<Value>,
    destination_block_id: Option<Value>,
    #[serde(default, rename = "gcovr/excluded")]
    excluded: bool,
}

#[derive(Deserialize)]
struct Func {
    name: Option<String>,
    demangled_name: Option<String>,
    lineno: Option<i64>,
    execution_count: Option<Value>,
}

/// One part of gcovr's branch key; gcovr uses -1 for a missing one.
fn key_part(value: &Option<Value>) -> i64 {
    match value {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(-1),
        Some(Value::String(s)) => s.parse().unwrap_or(-1),
        _ => -1,
    }
}

impl InputFormat for GcovrJson {
    fn name(&self) -> &'static str {
        "gcovr json"
    }

    fn detect(&self, text: &str) -> bool {
        let head = super::head(text);
        head.starts_with('{') && head.contains("\"gcovr/format_version\"")
    }

    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
        let report: Report = serde_json::from_str(text).map_err(|e| json_error(path, e))?;
        let mut data = CoverageData::default();
        for raw in report.files {
            let name = raw.file;
            let mut file = FileCoverage::default();
            // line -> gcovr branch key -> count, numbered once all are read.
            let mut keyed: BTreeMap<u32, BTreeMap<(i64, i64, i64), u64>> = BTreeMap::new();
            for line in raw.lines {
                let Some(number) = u32::try_from(line.line_number).ok().filter(|l| *l > 0) else {
                    diag.warn(
                        None,
                        format!("{name}: line {} does not exist, dropped", line.line_number),
                    );
                    continue;
                };
                if line.excluded {
                    file.excluded.insert(number);
                    continue;
                }
                if line.noncode {
                    continue;
                }
                let hits = counted(&name, number, &line.count, diag);
                let entry = file.lines.entry(number).or_insert(0);
                *entry = add_hits(*entry, hits);
                for (i, branch) in line.branches.iter().enumerate() {
                    if branch.excluded {
                        continue;
                    }
                    let taken = counted(&name, number, &branch.count, diag);
                    let branchno = match key_part(&branch.branchno) {
                        -1 => i as i64,
                        n => n,
                    };
                    let key = (
                        branchno,
                        key_part(&branch.source_block_id),
                        key_part(&branch.destination_block_id),
                    );
                    let slot = keyed.entry(number).or_default().entry(key).or_insert(0);
                    *slot = add_hits(*slot, taken);
                }
            }
            for (number, branches) in keyed {
                for (ordinal, taken) in branches.into_values().enumerate() {
                    let key = (number, BranchId::Num(0), BranchId::Num(ordinal as u32));
                    file.branches.insert(key, Some(taken));
                }
            }
            for func in raw.functions {
                let Some(fname) = func.demangled_name.or(func.name).filter(|n| !n.is_empty())
                else {
                    continue;
                };
                let Some(start) = func
                    .lineno
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|l| *l > 0)
                else {
                    continue;
                };
                let hits = func
                    .execution_count
                    .as_ref()
                    .map(|c| counted(&name, start, c, diag))
                    .unwrap_or(0);
                let mut one = FileCoverage::default();
                one.functions.insert(
                    fname,
                    Function {
                        start,
                        end: None,
                        hits,
                    },
                );
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
        let version = match report.format_version {
            Some(Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => "?".to_string(),
        };
        data.sources.push(Source {
            converted_from: Some(format!("gcovr json {version}")),
            producer: Some("gcovr".to_string()),
            ..Default::default()
        });
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_branches_and_markers() {
        let text = r#"{"gcovr/format_version": "0.15", "files": [{"file": "calc.c", "lines": [
            {"line_number": 6, "count": 1, "branches": [{"branchno": 0, "count": 0, "source_block_id": 0},
                                                        {"branchno": 1, "count": 1, "source_block_id": 0}]},
            {"line_number": 9, "count": 0, "gcovr/excluded": true},
            {"line_number": 10, "count": 0, "gcovr/noncode": true},
            {"line_number": 11, "count": 2.5}],
          "functions": [{"name": "classify", "lineno": 4, "execution_count": 1}]}]}"#;
        assert!(GcovrJson.detect(text));
        let mut diag = Diagnostics::default();
        let data = GcovrJson
            .read(Path::new("g.json"), text, &mut diag)
            .unwrap();
        let f = &data.files["calc.c"];
        assert_eq!(f.lines, [(6, 1), (11, 2)].into_iter().collect());
        assert!(f.excluded.contains(&9));
        assert_eq!(f.branches[&(6, "0".into(), "1".into())], Some(1));
        assert_eq!(f.functions["classify"].hits, 1);
        assert_eq!(diag.warnings.len(), 1);
        assert!(data.branch_coverage);
    }
}
