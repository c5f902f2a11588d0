//! Cobertura XML (`coverage-04.dtd` and its many loose variants), as
//! written by coverage.py (`coverage xml`), gcovr (`--cobertura`),
//! Istanbul (nyc/jest/c8 `cobertura` reporter), cargo-tarpaulin,
//! cargo-llvm-cov and gocover-cobertura.
//!
//! What is read (formats.md §2; every attribute but `line/@number` and
//! `line/@hits` is optional, summaries and rates are ignored):
//!
//! - **File names.** `class/@filename`. When the report has exactly one
//!   `<source>` and the file name is relative, the name is the source root
//!   joined with it (`/ci/w1/py/shapes` + `core.py` =
//!   `/ci/w1/py/shapes/core.py`), so that the usual root and `[paths]`
//!   rules apply to it as to any absolute path. With no `<source>`, a `.`
//!   source, several sources (which one holds the file is only known on the
//!   worker's disk) or an absolute file name, the name is kept as written.
//! - **Lines.** `<class><lines><line number hits>`: statements with their
//!   hit counts. Lines under `<method>` are only used when the class has no
//!   lines of its own: gcovr and Cobertura proper repeat them there, and
//!   Istanbul puts the function's declaration line there with the function's
//!   call count, not the line's.
//! - **Several `<class>` elements for one file** (gcovr's methods, Java inner
//!   classes, gocover-cobertura's one class per receiver type) are merged as
//!   repeated LCOV records are: line hits summed.
//! - **Branches.** `condition-coverage="50% (1/2)"`: `a` of `b` outcomes
//!   were taken. They become `b` generic branches `(line, "0", i)` for
//!   `i` in `0..b`, taken 1 for `i < a`, else 0. The outcomes are not named
//!   by the format, so two inputs that each took 1 of 2 merge to 1 of 2 (the
//!   conservative lower bound `max(a1, a2)` of formats.md §2.4), never to a
//!   count that could be too high. coverage.py's `missing-branches="8,exit"`
//!   names the missed destinations but not the taken ones, and mixing named
//!   arcs with anonymous taken outcomes would count an outcome twice when two
//!   inputs are merged, so it is not used.
//! - **Functions.** `<method name hits?>`: start = its first line, end = its
//!   last line (when it has more than one), hits = `method/@hits`
//!   (Istanbul) or else the hit count of its first line.

use std::collections::BTreeMap;
use std::path::Path;

use super::xml::{root_element, Node, XmlReader};
use super::{line_number, parse_count, Diagnostics, InputFormat};
use crate::error::{Error, Result};
use crate::model::{add_hits, add_taken, BranchId, CoverageData, FileCoverage, Function, Source};

pub struct Cobertura;

/// More outcomes than this on one line is garbage, not a real branch.
const MAX_OUTCOMES_PER_LINE: u64 = 4096;

impl InputFormat for Cobertura {
    fn name(&self) -> &'static str {
        "cobertura"
    }

    fn detect(&self, text: &str) -> bool {
        root_element(text) == Some("coverage")
    }

    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
        let mut reader = XmlReader::new(path, text);
        let mut stack: Vec<String> = Vec::new();
        let mut sources: Vec<String> = Vec::new();
        let mut source_text: Option<String> = None;
        let mut class: Option<Class> = None;
        let mut method: Option<Method> = None;
        let mut classes: Vec<Class> = Vec::new();
        let mut producer: Option<String> = None;
        let mut saw_root = false;
        let mut any_branch = false;

        while let Some((node, line)) = reader.next(diag)? {
            match node {
                Node::Open(e, empty) => {
                    if stack.is_empty() {
                        if e.name != "coverage" {
                            return Err(reader.error(
                                line,
                                format!("the root element is <{}>, not <coverage>", e.name),
                            ));
                        }
                        saw_root = true;
                        // gcovr says "gcovr 8.8"; coverage.py and Istanbul
                        // write a bare number that does not name the tool.
                        producer = e
                            .attr("version")
                            .filter(|v| v.starts_with(|c: char| c.is_ascii_alphabetic()))
                            .map(str::to_string);
                    }
                    let parent = stack.last().map(String::as_str);
                    let grandparent = stack.len().checked_sub(2).map(|i| stack[i].as_str());
                    match e.name.as_str() {
                        "source" if !empty => source_text = Some(String::new()),
                        "class" => match e.attr("filename") {
                            Some(name) if !name.trim().is_empty() => {
                                class = Some(Class::new(name.to_string()));
                            }
                            _ => {
                                diag.warn(Some(line), "<class> without a filename, ignored");
                                class = None;
                            }
                        },
                        "method" if class.is_some() => {
                            method = Some(Method {
                                name: e.attr("name").unwrap_or("").to_string(),
                                hits: e.attr("hits").map(str::to_string),
                                lines: BTreeMap::new(),
                                line,
                            });
                        }
                        "line" if parent == Some("lines") => {
                            let Some(parsed) = parse_line(&e, line, diag) else {
                                // skipped with a warning
                                if !empty {
                                    stack.push(e.name);
                                }
                                continue;
                            };
                            any_branch |= parsed.outcomes.is_some_and(|(_, b)| b > 0);
                            match grandparent {
                                Some("class") => {
                                    if let Some(c) = class.as_mut() {
                                        c.add_line(&parsed, false);
                                    }
                                }
                                Some("method") => {
                                    if let Some(m) = method.as_mut() {
                                        m.lines.entry(parsed.number).or_insert(parsed.hits);
                                    }
                                    if let Some(c) = class.as_mut() {
                                        c.add_line(&parsed, true);
                                    }
                                }
                                _ => {}
                            }
                        }
                        _ => {}
                    }
                    if !empty {
                        stack.push(e.name);
                    }
                }
                Node::Close(name) => {
                    stack.pop();
                    match name.as_str() {
                        "source" => {
                            if let Some(s) = source_text.take() {
                                let s = s.trim();
                                if !s.is_empty() {
                                    sources.push(s.to_string());
                                }
                            }
                        }
                        "method" => {
                            if let (Some(m), Some(c)) = (method.take(), class.as_mut()) {
                                c.add_method(m, diag);
                            }
                        }
                        "class" => classes.extend(class.take()),
                        _ => {}
                    }
                }
                Node::Text(t) => {
                    if let Some(s) = source_text.as_mut() {
                        s.push_str(&t);
                    }
                }
            }
        }
        if !saw_root {
            return Err(Error::parse(path, None, "no <coverage> element"));
        }

        let root = match sources.as_slice() {
            [one] if one != "." => Some(one.as_str()),
            [] | [_] => None,
            many => {
                diag.warn(
                    None,
                    format!(
                        "{} <source> roots; file names are kept relative as the report wrote \
                         them (map them with --paths or --map)",
                        many.len()
                    ),
                );
                None
            }
        };
        let mut data = CoverageData {
            branch_coverage: any_branch,
            ..Default::default()
        };
        for c in classes {
            let name = match root {
                Some(root) if !is_absolute(&c.filename) => join(root, &c.filename),
                _ => c.filename.clone(),
            };
            let file = c.finish();
            match data.files.get_mut(&name) {
                Some(existing) => existing.merge(file),
                None => {
                    data.files.insert(name, file);
                }
            }
        }
        data.sources.push(Source {
            converted_from: Some("cobertura".to_string()),
            producer,
            ..Default::default()
        });
        Ok(data)
    }
}

struct LineRecord {
    number: u32,
    hits: u64,
    /// (covered, total) outcomes from `condition-coverage`.
    outcomes: Option<(u64, u64)>,
}

fn parse_line(e: &super::xml::Element, line: usize, diag: &mut Diagnostics) -> Option<LineRecord> {
    let Some(number_text) = e.attr("number") else {
        diag.warn(Some(line), "<line> without a number, ignored");
        return None;
    };
    let number = match line_number(number_text) {
        Ok(Some(n)) => n,
        Ok(None) => {
            diag.warn(
                Some(line),
                "<line number=\"0\">: line 0 does not exist, dropped",
            );
            return None;
        }
        Err(msg) => {
            diag.warn(Some(line), format!("{msg}, ignored"));
            return None;
        }
    };
    let hits = match e.attr("hits").map(parse_count) {
        Some(Ok((hits, note))) => {
            if let Some(note) = note {
                diag.warn(Some(line), format!("line {number}: {note}"));
            }
            hits
        }
        Some(Err(msg)) => {
            diag.warn(Some(line), format!("line {number}: {msg}, line ignored"));
            return None;
        }
        None => {
            diag.warn(Some(line), format!("line {number} has no hits, ignored"));
            return None;
        }
    };
    let outcomes = match e.attr("condition-coverage") {
        None => None,
        Some(text) => {
            match parse_condition_coverage(text) {
                Some((a, b)) => {
                    let b = if b > MAX_OUTCOMES_PER_LINE {
                        diag.warn(
                        Some(line),
                        format!("line {number}: {b} branch outcomes is not plausible; branches ignored"),
                    );
                        0
                    } else {
                        b
                    };
                    if a > b {
                        diag.warn(
                        Some(line),
                        format!("line {number}: condition-coverage {text:?} covers more than it has; clamped"),
                    );
                    }
                    Some((a.min(b), b))
                }
                None => {
                    diag.warn(
                        Some(line),
                        format!("line {number}: bad condition-coverage {text:?}, branches ignored"),
                    );
                    None
                }
            }
        }
    };
    Some(LineRecord {
        number,
        hits,
        outcomes,
    })
}

/// `50% (1/2)` -> (1, 2). Only the part in parentheses is trusted.
fn parse_condition_coverage(text: &str) -> Option<(u64, u64)> {
    let inner = text.split_once('(')?.1.split_once(')')?.0;
    let (a, b) = inner.split_once('/')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

struct Method {
    name: String,
    hits: Option<String>,
    lines: BTreeMap<u32, u64>,
    line: usize,
}

struct Class {
    filename: String,
    own: FileCoverage,
    from_methods: FileCoverage,
    functions: Vec<(String, Function)>,
}

impl Class {
    fn new(filename: String) -> Self {
        Class {
            filename,
            own: FileCoverage::default(),
            from_methods: FileCoverage::default(),
            functions: Vec::new(),
        }
    }

    fn add_line(&mut self, rec: &LineRecord, in_method: bool) {
        let file = if in_method {
            &mut self.from_methods
        } else {
            &mut self.own
        };
        let entry = file.lines.entry(rec.number).or_insert(0);
        *entry = add_hits(*entry, rec.hits);
        if let Some((covered, total)) = rec.outcomes {
            for i in 0..total {
                let key = (rec.number, BranchId::Num(0), BranchId::from(i.to_string()));
                let taken = Some(u64::from(i < covered));
                let entry = file.branches.entry(key).or_insert(None);
                *entry = add_taken(*entry, taken);
            }
        }
    }

    fn add_method(&mut self, m: Method, diag: &mut Diagnostics) {
        let Some((&start, &first_hits)) = m.lines.iter().next() else {
            return; // a method without lines says nothing usable
        };
        if m.name.is_empty() {
            return;
        }
        let end = m.lines.keys().next_back().copied().filter(|e| *e > start);
        let hits = match m.hits.as_deref().map(parse_count) {
            Some(Ok((h, note))) => {
                if let Some(note) = note {
                    diag.warn(Some(m.line), format!("method {}: {note}", m.name));
                }
                h
            }
            Some(Err(msg)) => {
                diag.warn(Some(m.line), format!("method {}: {msg}", m.name));
                first_hits
            }
            None => first_hits,
        };
        self.functions.push((m.name, Function { start, end, hits }));
    }

    fn finish(self) -> FileCoverage {
        let mut file = if self.own.lines.is_empty() {
            self.from_methods
        } else {
            self.own
        };
        for (name, func) in self.functions {
            let mut one = FileCoverage::default();
            one.functions.insert(name, func);
            file.merge(one);
        }
        file
    }
}

pub(crate) fn is_absolute(name: &str) -> bool {
    let b = name.as_bytes();
    name.starts_with('/')
        || name.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

pub(crate) fn join(root: &str, name: &str) -> String {
    let root = root.trim_end_matches(['/', '\\']);
    let name = name.strip_prefix("./").unwrap_or(name);
    if root.is_empty() {
        format!("/{name}")
    } else {
        format!("{root}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (CoverageData, Diagnostics) {
        let mut diag = Diagnostics::default();
        let data = Cobertura.read(Path::new("c.xml"), text, &mut diag).unwrap();
        (data, diag)
    }

    #[test]
    fn joins_the_single_source_and_reads_branches() {
        let text = r#"<?xml version="1.0" ?>
<coverage version="7.17.5"><sources><source>/w/py/shapes</source></sources>
<packages><package name="."><classes>
<class name="core.py" filename="core.py"><methods/><lines>
<line number="1" hits="1"/>
<line number="7" hits="1" branch="true" condition-coverage="50% (1/2)" missing-branches="8"/>
<line number="8" hits="0"/>
</lines></class></classes></package></packages></coverage>"#;
        assert!(Cobertura.detect(text));
        let (data, diag) = read(text);
        assert!(diag.warnings.is_empty(), "{:?}", diag.warnings);
        assert!(data.branch_coverage);
        let f = &data.files["/w/py/shapes/core.py"];
        assert_eq!(f.lines.len(), 3);
        assert_eq!(f.lines[&8], 0);
        assert_eq!(f.branches[&(7, "0".into(), "0".into())], Some(1));
        assert_eq!(f.branches[&(7, "0".into(), "1".into())], Some(0));
    }

    #[test]
    fn method_lines_are_not_counted_twice_and_classes_merge() {
        let text = r#"<!DOCTYPE coverage SYSTEM 'https://example.invalid/coverage-04.dtd'>
<coverage version="gcovr 8.8"><sources><source>/w/c</source><source>/w/d</source></sources>
<packages><package name=""><classes>
<class name="a" filename="calc.c"><methods><method name="f" signature="">
<lines><line number="4" hits="3" branch="false"/><line number="6" hits="3"/></lines>
</method></methods><lines><line number="4" hits="3"/><line number="6" hits="3"/></lines></class>
<class name="b" filename="calc.c"><methods/><lines><line number="6" hits="1"/>
<line number="9" hits="2"/></lines></class>
<class name="c" filename="only_methods.c"><methods><method name="g" hits="5">
<lines><line number="2" hits="5"/></lines></method></methods></class>
</classes></package></packages></coverage>"#;
        let (data, diag) = read(text);
        assert_eq!(diag.warnings.len(), 1, "two sources: {:?}", diag.warnings);
        let f = &data.files["calc.c"];
        assert_eq!(f.lines, [(4, 3), (6, 4), (9, 2)].into_iter().collect());
        assert_eq!(f.functions["f"].start, 4);
        assert_eq!(f.functions["f"].end, Some(6));
        assert_eq!(f.functions["f"].hits, 3);
        assert!(!data.branch_coverage);
        let g = &data.files["only_methods.c"];
        assert_eq!(g.lines[&2], 5);
        assert_eq!(g.functions["g"].hits, 5);
    }

    #[test]
    fn dirty_values_warn_and_never_panic() {
        let text =
            "\u{feff}<coverage>\r\n<packages><package><classes><class filename=\"/abs/x.c\">\
                    <lines><line number=\"0\" hits=\"1\"/>\r\n<line number=\"2\" hits=\"-4\"/>\
                    <line number=\"3\" hits=\"1e400\" condition-coverage=\"junk\"/>\
                    <line number=\"4\" hits=\"2.5\" condition-coverage=\"(3/2)\"/>\
                    <line number=\"x\" hits=\"1\"/></lines></class></classes></package>\
                    </packages></coverage>";
        let (data, diag) = read(text);
        let f = &data.files["/abs/x.c"];
        assert_eq!(
            f.lines,
            [(2, 0), (3, u64::MAX), (4, 2)].into_iter().collect()
        );
        assert_eq!(f.branches.len(), 2);
        assert!(f.branches.values().all(|t| *t == Some(1)));
        assert_eq!(diag.warnings.len(), 7, "{:?}", diag.warnings);
        assert_eq!(diag.warnings[0].line, Some(2));
        assert_eq!(diag.warnings[1].line, Some(3), "{:?}", diag.warnings);
    }

    #[test]
    fn garbage_is_an_error_with_a_line() {
        for text in [
            "<coverage>\n<packages>\n<class filename=\"a\"><lines></class>",
            "<coverage>\n<packages>\n",
            "<report/>",
        ] {
            let err = Cobertura
                .read(Path::new("bad.xml"), text, &mut Diagnostics::default())
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("bad.xml"), "{err}");
        }
    }
}
