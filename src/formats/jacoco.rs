//! JaCoCo XML reports (`report.dtd` 1.0/1.1; also gcovr `--jacoco`).
//!
//! `<package name="org/example"><sourcefile name="Foo.java"><line nr mi ci
//! mb cb/>`: the file is `org/example/Foo.java` (package path, `/`, source
//! file name; the report does not name the source root, so the name is
//! relative and `--paths`/`--map` place it). A line with instructions
//! (`mi + ci > 0`) is a statement. JaCoCo records no execution counts, only
//! how many bytecode instructions of the line ran (`ci`), which is not a hit
//! count, so a line's hits are 1 when `ci > 0` (JaCoCo's own rule for a
//! covered line) and 0 otherwise. Its `mb + cb` branches are a count-only
//! [`crate::model::branches::BranchCount`] (`cb` of `mb + cb` taken); like
//! Cobertura's, merging two reports gives the lower bound `max(cb1, cb2)`
//! (docs/BRANCHES.md). `<class>`/`<method>` elements and all
//! `<counter>` summaries are ignored; groups (multi-module reports) may nest.

use std::path::Path;

use super::xml::{root_element, Node, XmlReader};
use super::{line_number, parse_count, Diagnostics, InputFormat};
use crate::error::{Error, Result};
use crate::model::{add_hits, CoverageData, FileCoverage, Source};

/// The JaCoCo XML reader.
pub struct Jacoco;

/// More branches than this on one line is garbage.
const MAX_BRANCHES_PER_LINE: u64 = 4096;

/// Branch outcomes a whole report may claim (as Cobertura's): a `<line>`
/// is ~40 bytes and real ones claim 2 to 8.
const OUTCOMES_PER_BYTE: u64 = 1;

impl InputFormat for Jacoco {
    fn name(&self) -> &'static str {
        "jacoco"
    }

    fn detect(&self, text: &str) -> bool {
        // The root element of a JaCoCo report is <report>; its DOCTYPE
        // names JACOCO. Either is enough with the other one absent, since a
        // bare <report> root alone is too generic.
        let head = super::head(text);
        root_element(text) == Some("report")
            && (head.contains("JACOCO")
                || head.contains("<sessioninfo")
                || head.contains("<package"))
    }

    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
        let mut reader = XmlReader::new(path, text);
        let mut depth = 0usize;
        let mut packages: Vec<String> = Vec::new();
        let mut current: Option<(String, FileCoverage)> = None;
        let mut data = CoverageData::default();
        let mut saw_root = false;
        let mut budget = super::Budget::new(text.len(), OUTCOMES_PER_BYTE, 1 << 16);

        while let Some((node, line)) = reader.next(diag)? {
            match node {
                Node::Open(e, empty) => {
                    if depth == 0 {
                        if e.name != "report" {
                            return Err(reader.error(
                                line,
                                format!("the root element is <{}>, not <report>", e.name),
                            ));
                        }
                        saw_root = true;
                    }
                    match e.name.as_str() {
                        "package" => {
                            let name = e.attr("name").unwrap_or("").trim_matches('/').to_string();
                            if !empty {
                                packages.push(name);
                            }
                        }
                        "sourcefile" => {
                            let file = e.attr("name").unwrap_or("");
                            if file.is_empty() {
                                diag.warn(Some(line), "<sourcefile> without a name, ignored");
                            } else {
                                let name = match packages.last() {
                                    Some(p) if !p.is_empty() => format!("{p}/{file}"),
                                    _ => file.to_string(),
                                };
                                if !empty {
                                    current = Some((name, FileCoverage::default()));
                                }
                            }
                        }
                        "line" => {
                            if let Some((_, file)) = current.as_mut() {
                                let made = add_line(file, &e, line, diag);
                                (budget.take(made)).map_err(|m| {
                                    Error::parse(path, Some(line), format!("branch counts: {m}"))
                                })?;
                            }
                        }
                        _ => {}
                    }
                    if !empty {
                        depth += 1;
                    }
                }
                Node::Close(name) => {
                    depth = depth.saturating_sub(1);
                    match name.as_str() {
                        "package" => {
                            packages.pop();
                        }
                        "sourcefile" => {
                            if let Some((name, file)) = current.take() {
                                data.branch_coverage |= file.has_branches();
                                match data.files.get_mut(&name) {
                                    Some(existing) => existing.merge(file),
                                    None => {
                                        data.files.insert(name, file);
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Node::Text(_) => {}
            }
        }
        if !saw_root {
            return Err(Error::parse(path, None, "no <report> element"));
        }
        data.sources.push(Source {
            converted_from: Some("jacoco".to_string()),
            ..Default::default()
        });
        Ok(data)
    }
}

/// Returns the branch outcomes it made, for the budget.
fn add_line(
    file: &mut FileCoverage,
    e: &super::xml::Element,
    line: usize,
    diag: &mut Diagnostics,
) -> u64 {
    let nr = match e.attr("nr").map(line_number) {
        Some(Ok(Some(n))) => n,
        Some(Ok(None)) => {
            diag.warn(
                Some(line),
                "<line nr=\"0\">: line 0 does not exist, dropped",
            );
            return 0;
        }
        Some(Err(msg)) => {
            diag.warn(Some(line), format!("{msg}, ignored"));
            return 0;
        }
        None => {
            diag.warn(Some(line), "<line> without nr, ignored");
            return 0;
        }
    };
    let mut count = |key: &str| -> Option<u64> {
        match e.attr(key).map(parse_count) {
            None => Some(0),
            Some(Ok((n, note))) => {
                if let Some(note) = note {
                    diag.warn(Some(line), format!("line {nr}: {key}: {note}"));
                }
                Some(n)
            }
            Some(Err(msg)) => {
                diag.warn(Some(line), format!("line {nr}: {key}: {msg}, line ignored"));
                None
            }
        }
    };
    let (Some(mi), Some(ci), Some(mb), Some(cb)) =
        (count("mi"), count("ci"), count("mb"), count("cb"))
    else {
        return 0;
    };
    if mi.saturating_add(ci) > 0 {
        let entry = file.lines.entry(nr).or_insert(0);
        *entry = add_hits(*entry, u64::from(ci > 0));
    }
    let total = mb.saturating_add(cb);
    if total > MAX_BRANCHES_PER_LINE {
        diag.warn(
            Some(line),
            format!("line {nr}: {total} branches is not plausible; branches ignored"),
        );
        return 0;
    }
    // Count-only outcomes (docs/BRANCHES.md); total fits: checked above.
    if total > 0 {
        let mut one = FileCoverage::default();
        let (covered, total) = (cb as u32, total as u32);
        one.branch_counts
            .insert(nr, crate::model::branches::BranchCount { covered, total });
        file.merge(one);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_LINE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="demo"><sessioninfo id="a" start="1" dump="2"/><package name="demo"><class name="demo/Calc" sourcefilename="Calc.java"><method name="&lt;init&gt;" desc="()V" line="3"><counter type="LINE" missed="1" covered="0"/></method></class><sourcefile name="Calc.java"><line nr="3" mi="3" ci="0" mb="0" cb="0"/><line nr="5" mi="0" ci="2" mb="1" cb="1"/><line nr="9" mi="0" ci="0" mb="0" cb="0"/><counter type="LINE" missed="4" covered="6"/></sourcefile></package></report>"#;

    #[test]
    fn reads_lines_and_branches() {
        assert!(Jacoco.detect(ONE_LINE));
        let mut diag = Diagnostics::default();
        let data = Jacoco
            .read(Path::new("j.xml"), ONE_LINE, &mut diag)
            .unwrap();
        assert!(diag.warnings.is_empty());
        assert!(data.branch_coverage);
        let f = &data.files["demo/Calc.java"];
        assert_eq!(f.lines, [(3, 0), (5, 1)].into_iter().collect());
        let count = f.branch_counts[&5];
        assert_eq!((count.covered, count.total), (1, 2));
    }

    #[test]
    fn not_jacoco() {
        assert!(!Jacoco.detect("<report><foo/></report>"));
        assert!(!Jacoco.detect("<coverage/>"));
    }

    #[test]
    fn dirty_lines_warn() {
        let text = "<report name=\"x\"><package name=\"p\"><sourcefile name=\"A.java\">\
                    <line nr=\"0\" mi=\"1\" ci=\"1\"/><line nr=\"2\" mi=\"-1\" ci=\"x\"/>\
                    <line nr=\"3\" mi=\"0\" ci=\"1.5\" mb=\"99999\"/></sourcefile></package></report>";
        let mut diag = Diagnostics::default();
        let data = Jacoco.read(Path::new("j.xml"), text, &mut diag).unwrap();
        assert_eq!(data.files["p/A.java"].lines, [(3, 1)].into_iter().collect());
        assert_eq!(diag.warnings.len(), 5, "{:?}", diag.warnings);
    }
}
