//! Istanbul `coverage-final.json` (nyc, jest, c8, babel-plugin-istanbul;
//! also nyc's raw `.nyc_output/*.json` and `nyc merge` output, which have
//! the same shape).
//!
//! A JSON object keyed by file path; each value has `statementMap`/`s`,
//! `fnMap`/`f` and `branchMap`/`b` (docs/INPUTS.md §5.1). The file name is the
//! object's `path` (falling back to its key), kept as written.
//!
//! - **Lines** follow Istanbul's own `getLineCoverage` (docs/INPUTS.md §5.2),
//!   so they equal what its lcov and cobertura reporters print: each
//!   statement counts on its **start line**, and a line's hits are the
//!   **maximum** of the statements starting there.
//! - **Branches**: every entry of `b[id]` is a generic branch
//!   `(line, location, index)` with `line` = start line of the branch's
//!   `loc` (falling back to its `line`, then its first location) and
//!   `location` its first location (what `nyc merge` matches branches by;
//!   c8 numbers `branchMap` afresh in every run, so ids do not match).
//!   Where each branch is (`branch_locs`) is kept for `nyc merge`'s
//!   container rule; once merged, branches are numbered in source order
//!   (docs/BRANCHES.md), which is nyc's own numbering, so the JSON and the
//!   LCOV of one nyc run still meet.
//! - **Functions**: `fnMap[id].name`, start = `decl` start line (falling back
//!   to `loc`, then `line`), end = `loc` end line, hits = `f[id]`. A name
//!   that repeats with another start line gets `@<start>` appended.
//! - `all: true` files (nyc `--all` placeholders) have zero counts and are
//!   read like any other file: summing zeros lets real data win.
//!
//! Lines and functions merge by line and name; branches by location, as
//! istanbul-lib-coverage does (checked against `nyc merge` in
//! tests/readers.rs and tests/producers.rs).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{json_count, json_error, Diagnostics, InputFormat};
use crate::error::Result;
use crate::model::branches::{located_block, IstanbulLoc};
use crate::model::{add_taken, BranchId, CoverageData, FileCoverage, Function, Source};

/// The Istanbul `coverage-final.json` reader.
pub struct Istanbul;

/// First keys of the other JSON formats; an Istanbul file's keys are paths.
const OTHER_JSON_KEYS: &[&str] = &[
    "\"meta\"",
    "\"files\"",
    "\"covmerge\"",
    "\"gcovr/format_version\"",
    "\"gcc_version\"",
    "\"format_version\"",
];

#[derive(Deserialize, Default)]
struct Pos {
    line: Option<i64>,
    column: Option<Value>,
}

impl Range {
    /// (start line, start column, end line, end column); a missing or
    /// non-numeric part is -1.
    fn span(&self) -> crate::model::branches::Span {
        let col = |p: &Pos| p.column.as_ref().and_then(Value::as_i64).unwrap_or(-1);
        (
            self.start.line.unwrap_or(-1),
            col(&self.start),
            self.end.line.unwrap_or(-1),
            col(&self.end),
        )
    }
}

#[derive(Deserialize, Default)]
struct Range {
    #[serde(default)]
    start: Pos,
    #[serde(default)]
    end: Pos,
}

#[derive(Deserialize)]
struct FnEntry {
    name: Option<String>,
    decl: Option<Range>,
    loc: Option<Range>,
    line: Option<i64>,
}

#[derive(Deserialize)]
struct BranchEntry {
    loc: Option<Range>,
    #[serde(default)]
    locations: Vec<Range>,
    line: Option<i64>,
}

#[derive(Deserialize)]
struct FileCov {
    path: Option<String>,
    #[serde(default, rename = "statementMap")]
    statement_map: BTreeMap<String, Range>,
    #[serde(default)]
    s: BTreeMap<String, Value>,
    #[serde(default, rename = "fnMap")]
    fn_map: BTreeMap<String, FnEntry>,
    #[serde(default)]
    f: BTreeMap<String, Value>,
    #[serde(default, rename = "branchMap")]
    branch_map: BTreeMap<String, BranchEntry>,
    #[serde(default)]
    b: BTreeMap<String, Vec<Value>>,
}

impl InputFormat for Istanbul {
    fn name(&self) -> &'static str {
        "istanbul json"
    }

    fn detect(&self, text: &str) -> bool {
        let head = super::head(text);
        let Some(rest) = head.strip_prefix('{') else {
            return false;
        };
        let rest = rest.trim_start();
        rest.starts_with('"')
            && !OTHER_JSON_KEYS.iter().any(|k| rest.starts_with(k))
            && text.contains("\"statementMap\"")
    }

    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
        let report: BTreeMap<String, FileCov> =
            serde_json::from_str(text).map_err(|e| json_error(path, e))?;
        let mut data = CoverageData::default();
        for (key, raw) in report {
            let name = raw.path.clone().unwrap_or(key);
            let file = read_file(&name, raw, diag);
            data.branch_coverage |= !file.branches.is_empty();
            match data.files.get_mut(&name) {
                Some(existing) => existing.merge(file),
                None => {
                    data.files.insert(name, file);
                }
            }
        }
        data.sources.push(Source {
            converted_from: Some("istanbul json".to_string()),
            ..Default::default()
        });
        Ok(data)
    }
}

fn line_of(
    name: &str,
    what: &str,
    candidates: &[Option<i64>],
    diag: &mut Diagnostics,
) -> Option<u32> {
    let Some(n) = candidates.iter().flatten().next().copied() else {
        diag.warn(None, format!("{name}: {what} has no line, ignored"));
        return None;
    };
    match u32::try_from(n) {
        Ok(l) if l > 0 => Some(l),
        _ => {
            diag.warn(
                None,
                format!("{name}: {what} is on line {n}, which does not exist; dropped"),
            );
            None
        }
    }
}

fn count(name: &str, what: &str, value: Option<&Value>, diag: &mut Diagnostics) -> u64 {
    match value.map(json_count) {
        Some(Ok((n, None))) => n,
        Some(Ok((n, Some(note)))) => {
            diag.warn(None, format!("{name}: {what}: {note}"));
            n
        }
        Some(Err(msg)) => {
            diag.warn(None, format!("{name}: {what}: {msg}; taken as 0"));
            0
        }
        None => {
            diag.warn(None, format!("{name}: {what} has no count; taken as 0"));
            0
        }
    }
}

fn read_file(name: &str, raw: FileCov, diag: &mut Diagnostics) -> FileCoverage {
    let mut file = FileCoverage::default();
    for (id, range) in &raw.statement_map {
        let what = format!("statement {id}");
        let Some(line) = line_of(name, &what, &[range.start.line], diag) else {
            continue;
        };
        let hits = count(name, &what, raw.s.get(id), diag);
        let entry = file.lines.entry(line).or_insert(0);
        *entry = (*entry).max(hits);
    }
    for (id, entry) in &raw.branch_map {
        let what = format!("branch {id}");
        let first = entry.locations.first().and_then(|r| r.start.line);
        let loc = entry.loc.as_ref().and_then(|r| r.start.line);
        let Some(line) = line_of(name, &what, &[loc, entry.line, first], diag) else {
            continue;
        };
        let Some(counts) = raw.b.get(id) else {
            diag.warn(None, format!("{name}: {what} has no counts in b; ignored"));
            continue;
        };
        // Keyed by location, as nyc merge matches branches (docs/BRANCHES.md).
        let key_range = entry.locations.first().or(entry.loc.as_ref());
        let span_range = entry.loc.as_ref().or(entry.locations.first());
        let (block, located) = match (key_range, span_range) {
            (Some(k), Some(s)) => {
                let loc = IstanbulLoc {
                    key: k.span(),
                    span: s.span(),
                };
                (located_block(loc.key), Some(loc))
            }
            _ => (BranchId::from(id.as_str()), None),
        };
        if let Some(loc) = located {
            let slot = file.branch_locs.entry((line, block.clone())).or_insert(loc);
            *slot = (*slot).min(loc);
        }
        for (index, value) in counts.iter().enumerate() {
            let taken = count(name, &format!("{what}[{index}]"), Some(value), diag);
            let key = (line, block.clone(), BranchId::Num(index as u32));
            let slot = file.branches.entry(key).or_insert(None);
            *slot = add_taken(*slot, Some(taken));
        }
    }
    for (id, entry) in &raw.fn_map {
        let what = format!("function {id}");
        let decl = entry.decl.as_ref().and_then(|r| r.start.line);
        let loc = entry.loc.as_ref().and_then(|r| r.start.line);
        let Some(start) = line_of(name, &what, &[decl, loc, entry.line], diag) else {
            continue;
        };
        let end = entry
            .loc
            .as_ref()
            .and_then(|r| r.end.line)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|e| *e >= start);
        let hits = count(name, &what, raw.f.get(id), diag);
        let mut fname = entry
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("(anonymous_{id})"));
        if file.functions.get(&fname).is_some_and(|f| f.start != start) {
            fname = format!("{fname}@{start}");
        }
        let mut one = FileCoverage::default();
        one.functions.insert(fname, Function { start, end, hits });
        file.merge(one);
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"/w/js/calc.js": {"path":"/w/js/calc.js",
      "statementMap":{"0":{"start":{"line":4,"column":2},"end":{"line":8,"column":3}},
                      "1":{"start":{"line":12,"column":15},"end":{"line":12,"column":27}},
                      "2":{"start":{"line":12,"column":22},"end":{"line":12,"column":27}}},
      "fnMap":{"0":{"name":"classify","decl":{"start":{"line":3,"column":9},"end":{"line":3,"column":17}},
                    "loc":{"start":{"line":3,"column":21},"end":{"line":10,"column":1}},"line":3}},
      "branchMap":{"1":{"loc":{"start":{"line":6,"column":9},"end":{"line":8,"column":3}},"type":"if",
          "locations":[{"start":{"line":6,"column":9},"end":{"line":8,"column":3}},{"start":{},"end":{}}],"line":6}},
      "s":{"0":2,"1":1,"2":0},"f":{"0":2},"b":{"1":[0,1]},
      "_coverageSchema":"x","hash":"y"}}"#;

    /// c8 (V8 block ranges): w1 saw an `if` take its consequent once,
    /// w2 reports only the enclosing function range (so the consequent ran
    /// as often as the function there, twice): nyc merge gives 3.
    #[test]
    fn a_range_one_input_lacks_gets_its_container_hits() {
        let c8 = |branches: &str, b: &str| {
            format!(
                r#"{{"/w/a.js": {{"path":"/w/a.js","statementMap":{{}},"s":{{}},"fnMap":{{}},"f":{{}},
                   "branchMap":{{{branches}}},"b":{{{b}}}}}}}"#
            )
        };
        let func = r#""0":{"loc":{"start":{"line":1,"column":0},"end":{"line":9,"column":1}},"type":"branch","locations":[{"start":{"line":1,"column":0},"end":{"line":9,"column":1}}],"line":1}"#;
        let cons = r#""1":{"loc":{"start":{"line":3,"column":4},"end":{"line":5,"column":5}},"type":"branch","locations":[{"start":{"line":3,"column":4},"end":{"line":5,"column":5}}],"line":3}"#;
        let w1 = c8(&format!("{func},{cons}"), r#""0":[1],"1":[1]"#);
        let w2 = c8(func, r#""0":[2]"#);
        let read = |t: &str| {
            Istanbul
                .read(Path::new("c8.json"), t, &mut Diagnostics::default())
                .unwrap()
                .files
                .remove("/w/a.js")
                .unwrap()
        };
        let (a, b) = (read(&w1), read(&w2));
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab, ba);
        crate::model::branches::resolve(&mut ab);
        assert_eq!(ab.branches[&(1, 0.into(), 0.into())], Some(3));
        assert_eq!(ab.branches[&(3, 1.into(), 0.into())], Some(3));
    }

    #[test]
    fn reads_statements_branches_functions() {
        assert!(Istanbul.detect(SAMPLE));
        let mut diag = Diagnostics::default();
        let data = Istanbul
            .read(Path::new("c.json"), SAMPLE, &mut diag)
            .unwrap();
        assert!(diag.warnings.is_empty(), "{:?}", diag.warnings);
        let f = &data.files["/w/js/calc.js"];
        // Two statements start on line 12: the max counts.
        assert_eq!(f.lines, [(4, 2), (12, 1)].into_iter().collect());
        // Keyed by the first location until resolved, then numbered.
        let block = crate::model::branches::located_block((6, 9, 8, 3));
        assert_eq!(f.branches[&(6, block.clone(), 0.into())], Some(0));
        assert_eq!(f.branches[&(6, block, 1.into())], Some(1));
        let mut resolved = f.clone();
        crate::model::branches::resolve(&mut resolved);
        assert_eq!(resolved.branches[&(6, 0.into(), 1.into())], Some(1));
        assert!(resolved.branch_locs.is_empty());
        assert_eq!(
            f.functions["classify"],
            Function {
                start: 3,
                end: Some(10),
                hits: 2
            }
        );
        assert!(data.branch_coverage);
    }

    #[test]
    fn does_not_take_other_json() {
        assert!(!Istanbul.detect(r#"{"meta": {}, "files": {"statementMap": 1}}"#));
        assert!(!Istanbul.detect(r#"{"files": {}}"#));
        assert!(!Istanbul.detect(r#"{"covmerge": 1, "files": {"statementMap": {}}}"#));
        assert!(!Istanbul.detect(r#"{"name": "pkg", "version": "1"}"#));
        assert!(!Istanbul.detect("[1, 2]"));
    }

    #[test]
    fn dirty_counts_and_lines_warn() {
        let text = r#"{"a.js": {"statementMap":{"0":{"start":{"line":0},"end":{}},
            "1":{"start":{"line":2},"end":{}},"2":{"start":{"line":3},"end":{}}},
            "s":{"1":-5,"2":1e30},"b":{},"branchMap":{"0":{"locations":[]}}}}"#;
        let mut diag = Diagnostics::default();
        let data = Istanbul.read(Path::new("c.json"), text, &mut diag).unwrap();
        assert_eq!(
            data.files["a.js"].lines,
            [(2, 0), (3, u64::MAX)].into_iter().collect()
        );
        assert_eq!(diag.warnings.len(), 4, "{:?}", diag.warnings);
    }

    #[test]
    fn bad_json_is_an_error_with_a_line() {
        let err = Istanbul
            .read(
                Path::new("c.json"),
                "{\"a.js\": {\n\"s\": [}",
                &mut Diagnostics::default(),
            )
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.json:2:"), "{err}");
    }
}
