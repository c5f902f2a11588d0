//! The native summary (`--format summary`, `--report summary`): lines,
//! functions and branches counted separately, per file and in total, as
//! `lcov --summary`/`lcov --list` and gcovr's summaries count them, and,
//! for Go data, statements as `go tool cover -func` counts them.
//!
//! The coverage.py table mixes statements and branches into one Cover
//! column; users of the other ecosystems' tools expect each measure on its
//! own. Counting rules (each checked against the real tools in
//! `tests/summary.rs`):
//!
//! - lines: found = statement lines, hit = those with a count above 0
//!   (lcov `LF`/`LH`, gcovr `line_total`/`line_covered`);
//! - functions: found = functions, hit = those entered (lcov `FNF`/`FNH`).
//!   coverage.py data has no function records: its function regions
//!   count, hit when one of their statements ran;
//! - branches: found = branch outcomes, hit = outcomes taken (lcov
//!   `BRF`/`BRH`); coverage.py arcs are counted as in its table;
//! - statements (Go only): the sum of the blocks' statement counts, hit
//!   when the block ran, as `go tool cover -func` sums its `total`.
//!
//! Percentages are `hit * 100 / found` shown with one decimal (or
//! `--precision`), never 0 when something was hit nor 100 when something
//! was missed (lcov's rule); no percentage (`-`, JSON `null`) when nothing
//! was found.

use std::fmt::Write as _;

use super::ReportOptions;
use crate::analysis::numbers::display_percent;
use crate::analysis::{FileAnalysis, Selection};
use crate::model::{FileCoverage, RegionKind};

/// The decimals shown: lcov and gcovr show one; `--precision` can ask for more.
pub fn precision(requested: usize) -> usize {
    requested.max(1)
}

/// Found and hit of one measure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// How many there are.
    pub found: u64,
    /// How many were hit.
    pub hit: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.found = self.found.saturating_add(other.found);
        self.hit = self.hit.saturating_add(other.hit);
    }

    /// The unrounded percentage; `None` when nothing was found.
    pub fn percent(&self) -> Option<f64> {
        (self.found > 0).then(|| (self.hit as f64 * 100.0) / self.found as f64)
    }

    /// The shown percentage (lcov's rule), or `-`.
    pub fn display(&self, precision: usize) -> String {
        match self.percent() {
            Some(pc) => display_percent(pc, precision),
            None => "-".to_string(),
        }
    }
}

/// The measures of one file or of the total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Measures {
    /// Statement lines.
    pub lines: Counts,
    /// Functions.
    pub functions: Counts,
    /// Branch outcomes.
    pub branches: Counts,
    /// Go statements; `None` for files from other formats.
    pub statements: Option<Counts>,
}

impl Measures {
    /// The measures of `file`, whose analysis is `analysis`.
    pub fn of(file: &FileCoverage, analysis: &FileAnalysis) -> Measures {
        let numbers = &analysis.numbers;
        let lines = Counts {
            found: numbers.statements as u64,
            hit: numbers.executed() as u64,
        };
        let functions = if !file.functions.is_empty() {
            Counts {
                found: file.functions.len() as u64,
                hit: file.functions.values().filter(|f| f.hits > 0).count() as u64,
            }
        } else {
            // coverage.py's function regions; "" is the code outside them.
            let mut c = Counts::default();
            for ((kind, name), region) in &file.regions {
                if *kind != RegionKind::Function || name.is_empty() {
                    continue;
                }
                c.found += 1;
                if region
                    .lines
                    .iter()
                    .any(|l| file.lines.get(l).is_some_and(|h| *h > 0))
                {
                    c.hit += 1;
                }
            }
            c
        };
        let branches = Counts {
            found: numbers.branches as u64,
            hit: numbers.executed_branches() as u64,
        };
        let statements = (!file.statement_blocks.is_empty()).then(|| {
            let mut c = Counts::default();
            for (stmts, count) in file.statement_blocks.values() {
                c.found = c.found.saturating_add(u64::from(*stmts));
                if *count > 0 {
                    c.hit = c.hit.saturating_add(u64::from(*stmts));
                }
            }
            c
        });
        Measures {
            lines,
            functions,
            branches,
            statements,
        }
    }

    fn add(&mut self, other: &Measures) {
        self.lines.add(other.lines);
        self.functions.add(other.functions);
        self.branches.add(other.branches);
        if let Some(s) = other.statements {
            self.statements.get_or_insert_with(Counts::default).add(s);
        }
    }
}

/// What was missed in one file, as gcovr's text report lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Missed {
    /// Statement lines that never ran.
    pub lines: Vec<u32>,
    /// Lines with a branch outcome never taken (whether the line ran or
    /// not), gcovr's `--txt-metric branch` Missing column.
    pub branch_lines: Vec<u32>,
}

impl Missed {
    /// What `analysis` says was missed.
    pub fn of(analysis: &FileAnalysis) -> Missed {
        let mut branch_lines: std::collections::BTreeSet<u32> =
            analysis.missing_arcs.keys().copied().collect();
        branch_lines.extend(
            (analysis.line_branches.iter())
                .filter(|(_, (outcomes, taken))| taken < outcomes)
                .map(|(line, _)| *line),
        );
        Missed {
            lines: analysis.missing.iter().copied().collect(),
            branch_lines: branch_lines.into_iter().collect(),
        }
    }
}

/// Line numbers as ranges of consecutive numbers: `13, 20, 23-24`.
pub fn ranges(lines: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j + 1 < lines.len() && lines[j + 1] == lines[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            lines[i].to_string()
        } else {
            format!("{}-{}", lines[i], lines[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// The summary of the files the table would show (include/omit applied).
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Per file: name, measures, what was missed.
    pub files: Vec<(String, Measures, Missed)>,
    /// The sums.
    pub total: Measures,
    /// `-m`: the text view lists what was missed.
    pub show_missing: bool,
}

impl Summary {
    /// The summary of the selected files (the table's).
    pub fn build(selection: &Selection, options: &ReportOptions) -> Summary {
        let mut summary = Summary {
            show_missing: options.show_missing,
            ..Default::default()
        };
        for f in &selection.files {
            let m = Measures::of(f.file, &f.analysis);
            summary.total.add(&m);
            summary
                .files
                .push((f.name.to_string(), m, Missed::of(&f.analysis)));
        }
        summary
    }

    /// The text view: one row per file and a TOTAL, each measure as
    /// found, hit and percent. The Stmts columns appear only for Go data.
    pub fn render_text(&self, precision: usize) -> String {
        let stmts = self.total.statements.is_some();
        let mut header = vec!["Name".to_string()];
        let mut measures = vec!["Lines", "Functions", "Branches"];
        if stmts {
            measures.push("Stmts");
        }
        for m in &measures {
            header.extend([m.to_string(), "Hit".into(), "Cover".into()]);
        }
        let row = |name: &str, m: &Measures| -> Vec<String> {
            let mut cells = vec![printable(name)];
            let mut list = vec![m.lines, m.functions, m.branches];
            if stmts {
                list.push(m.statements.unwrap_or_default());
            }
            for (i, c) in list.iter().enumerate() {
                // A file without Go blocks has no statements of its own.
                if i == 3 && m.statements.is_none() {
                    cells.extend(["-".into(), "-".into(), "-".into()]);
                    continue;
                }
                let pc = c.display(precision);
                let pc = if pc == "-" { pc } else { format!("{pc}%") };
                cells.extend([c.found.to_string(), c.hit.to_string(), pc]);
            }
            cells
        };
        let missing_columns = |missed: Option<&Missed>| -> Vec<String> {
            match missed {
                Some(m) if self.show_missing => vec![ranges(&m.lines), ranges(&m.branch_lines)],
                None if self.show_missing => vec![String::new(), String::new()],
                _ => Vec::new(),
            }
        };
        if self.show_missing {
            header.extend(["Missing lines".into(), "Missing branches".into()]);
        }
        let mut rows: Vec<Vec<String>> = self
            .files
            .iter()
            .map(|(n, m, missed)| {
                let mut r = row(n, m);
                r.extend(missing_columns(Some(missed)));
                r
            })
            .collect();
        let mut total = row("TOTAL", &self.total);
        total.extend(missing_columns(None));
        let measure_cells = header.len() - if self.show_missing { 2 } else { 0 };
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                std::iter::once(&header)
                    .chain(rows.iter())
                    .chain(std::iter::once(&total))
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| -> String {
            let mut out = super::ljust(&cells[0], widths[0]);
            for (i, cell) in cells.iter().enumerate().skip(1) {
                if i >= measure_cells {
                    // The lists: left-aligned, the last one not padded.
                    out.push_str("   ");
                    if i + 1 == cells.len() {
                        out.push_str(cell);
                    } else {
                        out.push_str(&super::ljust(cell, widths[i]));
                    }
                    continue;
                }
                // Two spaces between measures, one within.
                out.push_str(if i % 3 == 1 { "  " } else { " " });
                out.push_str(&super::rjust(cell, widths[i]));
            }
            let trimmed = out.trim_end().len();
            out.truncate(trimmed);
            out.push('\n');
            out
        };
        let rule = "-".repeat(line(&header).chars().count() - 1) + "\n";
        let mut out = line(&header);
        out.push_str(&rule);
        for r in rows.drain(..) {
            out.push_str(&line(&r));
        }
        out.push_str(&rule);
        out.push_str(&line(&total));
        out
    }

    /// The JSON view (`--report summary`), for scripts: documented in the
    /// README (Native summary).
    pub fn render_json(&self, precision: usize, producers: &[String]) -> String {
        let mut out = String::from("{\n  \"format\": \"covmerge summary 1\",\n  \"producers\": ");
        out.push_str(&serde_json::to_string(producers).unwrap_or_default());
        out.push_str(",\n  \"files\": [");
        for (i, (name, m, missed)) in self.files.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            let _ = write!(
                out,
                "    {{\"name\": {}, {}, \"missing_lines\": {}, \"missing_branch_lines\": {}}}",
                serde_json::to_string(name).unwrap_or_default(),
                measures_json(m, precision),
                serde_json::to_string(&missed.lines).unwrap_or_default(),
                serde_json::to_string(&missed.branch_lines).unwrap_or_default()
            );
        }
        let _ = write!(
            out,
            "\n  ],\n  \"total\": {{{}}}\n}}\n",
            measures_json(&self.total, precision)
        );
        out
    }
}

fn measures_json(m: &Measures, precision: usize) -> String {
    let counts = |c: &Counts| -> String {
        let pc = match c.percent() {
            Some(pc) => display_percent(pc, precision),
            None => "null".to_string(),
        };
        format!(
            "{{\"found\": {}, \"hit\": {}, \"percent\": {pc}}}",
            c.found, c.hit
        )
    };
    let mut out = format!(
        "\"lines\": {}, \"functions\": {}, \"branches\": {}",
        counts(&m.lines),
        counts(&m.functions),
        counts(&m.branches)
    );
    if let Some(s) = &m.statements {
        let _ = write!(out, ", \"statements\": {}", counts(s));
    }
    out
}

/// Names from inputs reach the terminal without control characters.
fn printable(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BranchId, Function};

    fn c_file() -> FileCoverage {
        let mut f = FileCoverage {
            lines: [(1, 1), (2, 0), (3, 5)].into_iter().collect(),
            ..Default::default()
        };
        f.functions.insert(
            "main".into(),
            Function {
                start: 1,
                end: None,
                hits: 1,
            },
        );
        f.functions.insert(
            "unused".into(),
            Function {
                start: 2,
                end: None,
                hits: 0,
            },
        );
        for (id, taken) in [(0, Some(1)), (1, Some(0)), (2, None)] {
            f.branches
                .insert((3, BranchId::Num(0), BranchId::Num(id)), taken);
        }
        f
    }

    #[test]
    fn counts_each_measure_separately() {
        let f = c_file();
        let m = Measures::of(&f, &FileAnalysis::of(&f));
        assert_eq!(m.lines, Counts { found: 3, hit: 2 });
        assert_eq!(m.functions, Counts { found: 2, hit: 1 });
        assert_eq!(m.branches, Counts { found: 3, hit: 1 });
        assert_eq!(m.statements, None);
    }

    #[test]
    fn go_statements_count_block_statements() {
        let mut f = FileCoverage::default();
        f.statement_blocks.insert((1, 2, 3, 4), (3, 0));
        f.statement_blocks.insert((5, 2, 5, 9), (1, 7));
        let m = Measures::of(&f, &FileAnalysis::of(&f));
        assert_eq!(m.statements, Some(Counts { found: 4, hit: 1 }));
    }

    #[test]
    fn missed_lines_and_branch_lines() {
        let missed = Missed::of(&FileAnalysis::of(&c_file()));
        assert_eq!(missed.lines, [2]);
        assert_eq!(missed.branch_lines, [3]);
        assert_eq!(ranges(&[13, 20, 23, 24, 25, 28]), "13, 20, 23-25, 28");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn percent_never_rounds_to_the_ends() {
        assert_eq!(
            Counts {
                found: 2000,
                hit: 1999
            }
            .display(1),
            "99.9"
        );
        assert_eq!(
            Counts {
                found: 3000,
                hit: 1
            }
            .display(1),
            "0.1"
        );
        assert_eq!(Counts { found: 0, hit: 0 }.display(1), "-");
        assert_eq!(Counts { found: 32, hit: 27 }.display(1), "84.4");
    }

    #[test]
    fn text_and_json_views() {
        let mut data = crate::model::CoverageData::default();
        data.files.insert("calc.c".into(), c_file());
        data.files
            .insert("bad\u{1b}[31m.c".into(), FileCoverage::default());
        let s = Summary::build(&Selection::all(&data), &ReportOptions::default());
        let text = s.render_text(1);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("bad?[31m.c"), "{text}");
        assert!(text.lines().last().unwrap().starts_with("TOTAL"), "{text}");
        let json: serde_json::Value =
            serde_json::from_str(&s.render_json(1, &["lcov".to_string()])).unwrap();
        assert_eq!(json["total"]["functions"]["percent"], 50.0);
        assert_eq!(
            json["files"][0]["lines"]["percent"],
            serde_json::Value::Null
        );
        assert_eq!(json["files"][1]["branches"]["found"], 3);
    }
}
