//! Per-file analysis: which statements and branch outcomes were missed,
//! and the Missing column text.

use std::collections::{BTreeMap, BTreeSet};

use super::numbers::Numbers;
use crate::model::FileCoverage;

/// What a report needs to know about one file.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub numbers: Numbers,
    pub statements: Vec<u32>,
    pub missing: BTreeSet<u32>,
    /// Missing arcs by source line (coverage.py's `missing_branch_arcs`).
    pub missing_arcs: BTreeMap<u32, Vec<i64>>,
}

impl Analysis {
    pub fn new(file: &FileCoverage) -> Analysis {
        let statements: Vec<u32> = file.lines.keys().copied().collect();
        let missing: BTreeSet<u32> = file
            .lines
            .iter()
            .filter(|(_, hits)| **hits == 0)
            .map(|(line, _)| *line)
            .collect();
        let mut missing_arcs: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
        let mut branches = 0;
        let mut missing_branches = 0;
        let mut partial = 0;
        let mut count = |line: u32, taken: Option<u64>| -> bool {
            branches += 1;
            let missed = taken.unwrap_or(0) == 0;
            if missed {
                missing_branches += 1;
                if !missing.contains(&line) {
                    partial += 1;
                }
            }
            missed
        };
        // Without a statement list, arcs are every executed transition, not
        // branch outcomes: they wait for a known input and are not counted.
        let arcs = (!file.statements_unknown).then_some(&file.arcs);
        for ((line, to), taken) in arcs.into_iter().flatten() {
            if count(*line, *taken) {
                missing_arcs.entry(*line).or_default().push(*to);
            }
        }
        for ((line, _, _), taken) in &file.branches {
            count(*line, *taken);
        }
        // Outcomes the producer counts but never lists are never missing.
        let branches = branches.max(file.declared_branches.unwrap_or(0) as usize);
        let numbers = Numbers {
            files: 1,
            statements: statements.len(),
            missing: missing.len(),
            excluded: file.excluded_only().count(),
            branches,
            missing_branches,
            partial_branches: partial,
        };
        Analysis {
            numbers,
            statements,
            missing,
            missing_arcs,
        }
    }

    /// The Missing column: runs of consecutive missing statements (`15-18`)
    /// and missing arcs whose ends were both executed (`2->4`, `8->exit`),
    /// ordered by line and then text, as coverage.py's `format_lines`.
    pub fn missing_text(&self) -> String {
        let mut items: Vec<(u32, String)> = Vec::new();
        let mut run: Option<(u32, u32)> = None;
        for &stmt in &self.statements {
            if self.missing.contains(&stmt) {
                run = Some(match run {
                    Some((start, _)) => (start, stmt),
                    None => (stmt, stmt),
                });
            } else if let Some((start, end)) = run.take() {
                items.push((start, range_text(start, end)));
            }
        }
        if let Some((start, end)) = run {
            items.push((start, range_text(start, end)));
        }
        for (line, exits) in &self.missing_arcs {
            if self.missing.contains(line) {
                continue;
            }
            let mut exits = exits.clone();
            exits.sort_unstable();
            for to in exits {
                let to_is_missing = u32::try_from(to).is_ok_and(|t| self.missing.contains(&t));
                if to_is_missing {
                    continue;
                }
                let dest = if to > 0 {
                    to.to_string()
                } else {
                    "exit".to_string()
                };
                items.push((*line, format!("{line}->{dest}")));
            }
        }
        items.sort();
        items
            .into_iter()
            .map(|(_, text)| text)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn range_text(start: u32, end: u32) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(stmts: &[(u32, u64)], arcs: &[((u32, i64), Option<u64>)]) -> FileCoverage {
        FileCoverage {
            lines: stmts.iter().copied().collect(),
            arcs: arcs.iter().copied().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn ranges_span_only_statements() {
        // mathy.py: statements 1,2,5,6,9..13,15,17,18,21..24; missing 15,17,18,22,23,24.
        let stmts: Vec<(u32, u64)> = [1, 2, 5, 6, 9, 10, 11, 12, 13, 15, 17, 18, 21, 22, 23, 24]
            .iter()
            .map(|&l| (l, u64::from(![15, 17, 18, 22, 23, 24].contains(&l))))
            .collect();
        let a = Analysis::new(&file(&stmts, &[]));
        assert_eq!(a.missing_text(), "15-18, 22-24");
        assert_eq!(a.numbers.missing, 6);
    }

    #[test]
    fn arcs_are_shown_only_between_executed_lines() {
        let f = file(
            &[(2, 1), (3, 1), (4, 1), (8, 1), (9, 1), (11, 1), (15, 0)],
            &[
                ((2, 3), Some(1)),
                ((2, 4), Some(0)),
                ((8, 9), Some(1)),
                ((8, 11), Some(0)),
                ((9, 15), Some(0)),
                ((9, -1), Some(0)),
                ((12, 14), Some(0)),
                ((12, 9), Some(0)),
            ],
        );
        let a = Analysis::new(&f);
        assert_eq!(a.missing_text(), "2->4, 8->11, 9->exit, 12->14, 12->9, 15");
        assert_eq!(a.numbers.branches, 8);
        assert_eq!(a.numbers.missing_branches, 6);
    }
}
