//! One analysis behind every output.
//!
//! [`FileAnalysis`] computes, once per file, what coverage.py's `Analysis`
//! computes: statements, executed, missing and excluded lines, branch lines
//! with their exit counts, executed and missing arcs, and the [`Numbers`].
//! It narrows to a subset of lines (a function or class region), returning
//! the same type, and counts what one attribution group covered from it,
//! so the table, every export and every view read the same numbers.
//!
//! [`Selection`] picks the files to report once (include/omit) and holds
//! each file's analysis and the TOTAL; every output renders from it.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{FileCoverage, GroupCoverage};

pub mod lines;
pub mod numbers;
pub mod regions;
pub mod selection;

pub use numbers::Numbers;
pub use selection::{SelectedFile, Selection};

/// The analysis of a file, or of a part of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileAnalysis {
    /// Statement lines.
    pub statements: BTreeSet<u32>,
    /// Statements that ran.
    pub executed: BTreeSet<u32>,
    /// Statements that did not run.
    pub missing: BTreeSet<u32>,
    /// Excluded lines that are not a statement in any input.
    pub excluded: BTreeSet<u32>,
    /// Executed arcs of branch lines, by source line, destinations sorted.
    pub executed_arcs: BTreeMap<u32, Vec<i64>>,
    /// Missing arcs of branch lines (coverage.py's `missing_branch_arcs`).
    pub missing_arcs: BTreeMap<u32, Vec<i64>>,
    /// Exit count of every arc branch line (coverage.py's `exit_counts`).
    pub exits: BTreeMap<u32, usize>,
    /// Generic (non-arc: LCOV `BRDA`, Cobertura, JaCoCo) branch outcomes per
    /// line: (outcomes, taken).
    pub line_branches: BTreeMap<u32, (usize, usize)>,
    /// The counts: the table's row, the exports' summaries.
    pub numbers: Numbers,
}

impl FileAnalysis {
    /// The whole file.
    ///
    /// Without a statement list (coverage.py raw data alone), arcs are every
    /// executed transition, not branch outcomes: they are not counted.
    /// Outcomes the producer counts but never lists (`declared_branches`,
    /// coverage.py's `# pragma: no branch` exits) are never missing: a line
    /// with a single listed arc gets one of them, in line order (which gives
    /// coverage.py's per-line exit counts for the usual two-way branch), and
    /// any rest only raises the file's branch count.
    pub fn of(file: &FileCoverage) -> FileAnalysis {
        // Collected from sorted iterators: the sets are built in bulk.
        let lines_where = |ran: bool| file.lines.iter().filter(move |(_, h)| (**h > 0) == ran);
        let mut a = FileAnalysis {
            statements: file.lines.keys().copied().collect(),
            executed: lines_where(true).map(|(l, _)| *l).collect(),
            missing: lines_where(false).map(|(l, _)| *l).collect(),
            excluded: file.excluded_only().collect(),
            ..Default::default()
        };
        if !file.statements_unknown {
            for ((line, to), taken) in &file.arcs {
                *a.exits.entry(*line).or_default() += 1;
                let list = if taken.unwrap_or(0) > 0 {
                    &mut a.executed_arcs
                } else {
                    &mut a.missing_arcs
                };
                list.entry(*line).or_default().push(*to);
            }
        }
        for ((line, _, _), taken) in &file.branches {
            let entry = a.line_branches.entry(*line).or_default();
            entry.0 += 1;
            entry.1 += usize::from(taken.unwrap_or(0) > 0);
        }
        let listed = a.exits.values().sum::<usize>() + file.branches.len();
        let mut unlisted = usize::try_from(file.declared_branches.unwrap_or(0))
            .unwrap_or(usize::MAX)
            .saturating_sub(listed);
        for count in a.exits.values_mut() {
            if unlisted == 0 {
                break;
            }
            if *count == 1 {
                *count += 1;
                unlisted -= 1;
            }
        }
        a.numbers = a.count(unlisted);
        a
    }

    /// Only the lines in `lines` (coverage.py's `AnalysisNarrower`): arcs
    /// and branches count for the region of their source line. `declared`
    /// is the region's own branch count when it lists fewer outcomes.
    /// Costs `O(|lines| log n)`, so narrowing to every region of a file is
    /// not quadratic.
    pub fn narrow(&self, lines: &BTreeSet<u32>, declared: Option<u64>) -> FileAnalysis {
        fn keep<T: Clone>(from: &BTreeMap<u32, T>, lines: &BTreeSet<u32>) -> BTreeMap<u32, T> {
            if from.len() < lines.len() {
                from.iter()
                    .filter(|(l, _)| lines.contains(l))
                    .map(|(l, v)| (*l, v.clone()))
                    .collect()
            } else {
                lines
                    .iter()
                    .filter_map(|l| from.get(l).map(|v| (*l, v.clone())))
                    .collect()
            }
        }
        let within = |set: &BTreeSet<u32>| -> BTreeSet<u32> {
            if set.len() < lines.len() {
                set.intersection(lines).copied().collect()
            } else {
                lines.iter().filter(|l| set.contains(l)).copied().collect()
            }
        };
        let mut a = FileAnalysis {
            statements: within(&self.statements),
            executed: within(&self.executed),
            missing: within(&self.missing),
            excluded: within(&self.excluded),
            executed_arcs: keep(&self.executed_arcs, lines),
            missing_arcs: keep(&self.missing_arcs, lines),
            exits: keep(&self.exits, lines),
            line_branches: keep(&self.line_branches, lines),
            numbers: Numbers::default(),
        };
        a.numbers = a.count(0);
        let declared = usize::try_from(declared.unwrap_or(0)).unwrap_or(usize::MAX);
        a.numbers.branches = a.numbers.branches.max(declared);
        a
    }

    /// The numbers of `file` as one attribution group alone covered it,
    /// from `self`, the analysis of the whole `file`: the statements and
    /// branch outcomes are the union's (the source is the same
    /// everywhere), only what ran differs. `None`: the group covered
    /// nothing here. Counted without building the group's analysis (a
    /// view per worker makes one per file and worker); the rule for
    /// missing and partial branches is `missed_branches`, as for
    /// every analysis.
    pub fn group_numbers(&self, file: &FileCoverage, group: Option<&GroupCoverage>) -> Numbers {
        let empty = GroupCoverage::default();
        let g = group.unwrap_or(&empty);
        let ran = self.statements.intersection(&g.lines).count();
        let line_missing = |line: &u32| self.statements.contains(line) && !g.lines.contains(line);
        // Per branch line, the outcomes the group did not take; arcs only
        // where they are branches (see `of`).
        let arcs = (!file.statements_unknown).then_some(&file.arcs);
        let missed_arcs = arcs.into_iter().flat_map(|arcs| arcs.keys());
        let missed_arcs = per_line(missed_arcs.map(|k| (k.0, !g.arcs.contains(k))));
        let missed_lines = per_line(file.branches.keys().map(|k| (k.0, !g.branches.contains(k))));
        let (missing_branches, partial_branches) =
            missed_branches(missed_arcs.chain(missed_lines), line_missing);
        Numbers {
            missing: self.statements.len() - ran,
            missing_branches,
            partial_branches,
            ..self.numbers
        }
    }

    /// The counts of what this analysis holds, plus `unlisted` outcomes
    /// known only as a number (never missing).
    fn count(&self, unlisted: usize) -> Numbers {
        let arcs = self.missing_arcs.iter().map(|(l, tos)| (*l, tos.len()));
        let lines =
            (self.line_branches.iter()).map(|(l, (outcomes, taken))| (*l, outcomes - taken));
        let (missing_branches, partial) =
            missed_branches(arcs.chain(lines), |line| self.missing.contains(line));
        let branches = self.exits.values().sum::<usize>()
            + self.line_branches.values().map(|(n, _)| n).sum::<usize>();
        Numbers {
            files: 1,
            statements: self.statements.len(),
            missing: self.missing.len(),
            excluded: self.excluded.len(),
            branches: branches.saturating_add(unlisted),
            missing_branches,
            partial_branches: partial,
        }
    }

    /// coverage.py's `branch_stats`: per arc branch line (exits, taken exits).
    pub fn branch_stats(&self) -> BTreeMap<u32, (usize, usize)> {
        self.exits
            .iter()
            .map(|(line, exits)| {
                let missing = self.missing_arcs.get(line).map_or(0, Vec::len);
                (*line, (*exits, exits.saturating_sub(missing)))
            })
            .collect()
    }

    /// The Missing column: runs of consecutive missing statements (`15-18`)
    /// and missing arcs whose ends were both executed (`2->4`, `8->exit`),
    /// ordered by line, as coverage.py's `format_lines`.
    pub fn missing_text(&self) -> String {
        let mut items = lines::ranges(&self.statements, &self.missing);
        for (line, exits) in &self.missing_arcs {
            if self.missing.contains(line) {
                continue;
            }
            let mut exits = exits.clone();
            exits.sort_unstable();
            for to in exits {
                let to_is_missing = u32::try_from(to).is_ok_and(|t| self.missing.contains(&t));
                if !to_is_missing {
                    items.push((*line, lines::arc_text(*line, to)));
                }
            }
        }
        lines::join(items)
    }
}

/// coverage.py's missing and partial branch counts, from the outcomes
/// not taken per branch line: all are missing, and they are partial too
/// where the line itself ran (`line_missing` says it did not).
fn missed_branches(
    missed: impl Iterator<Item = (u32, usize)>,
    line_missing: impl Fn(&u32) -> bool,
) -> (usize, usize) {
    let (mut missing, mut partial) = (0usize, 0usize);
    for (line, n) in missed {
        missing += n;
        if !line_missing(&line) {
            partial += n;
        }
    }
    (missing, partial)
}

/// Per line, how many of `outcomes` (line, not taken), sorted by line,
/// were not taken.
fn per_line(outcomes: impl Iterator<Item = (u32, bool)>) -> impl Iterator<Item = (u32, usize)> {
    let mut outcomes = outcomes.peekable();
    std::iter::from_fn(move || {
        let (line, missed) = outcomes.next()?;
        let mut n = usize::from(missed);
        while let Some((_, missed)) = outcomes.next_if(|(l, _)| *l == line) {
            n += usize::from(missed);
        }
        Some((line, n))
    })
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

    fn pragma_file() -> FileCoverage {
        // pragmas.py of the golden project: line 26 is `# pragma: no branch`,
        // only 26->27 ran, coverage.py counts 6 branches.
        let mut f = FileCoverage::default();
        for l in [3, 6, 7, 8, 9, 11, 19, 22, 25, 26, 27, 28] {
            f.lines.insert(l, 1);
        }
        f.lines.insert(10, 0);
        for (from, to, taken) in [(7, 8, 1), (7, 9, 1), (9, 10, 0), (9, 11, 1), (26, 27, 1)] {
            f.arcs.insert((from, to), Some(taken));
        }
        f.declared_branches = Some(6);
        f
    }

    #[test]
    fn ranges_span_only_statements() {
        // mathy.py: statements 1,2,5,6,9..13,15,17,18,21..24; missing 15,17,18,22,23,24.
        let stmts: Vec<(u32, u64)> = [1, 2, 5, 6, 9, 10, 11, 12, 13, 15, 17, 18, 21, 22, 23, 24]
            .iter()
            .map(|&l| (l, u64::from(![15, 17, 18, 22, 23, 24].contains(&l))))
            .collect();
        let a = FileAnalysis::of(&file(&stmts, &[]));
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
        let a = FileAnalysis::of(&f);
        assert_eq!(a.missing_text(), "2->4, 8->11, 9->exit, 12->14, 12->9, 15");
        assert_eq!(a.numbers.branches, 8);
        assert_eq!(a.numbers.missing_branches, 6);
    }

    #[test]
    fn unlisted_outcomes_go_to_single_arc_lines() {
        let a = FileAnalysis::of(&pragma_file());
        assert_eq!(a.numbers.branches, 6);
        assert_eq!(a.branch_stats()[&26], (2, 2));
        assert_eq!(a.branch_stats()[&9], (2, 1));
    }

    #[test]
    fn narrowing_keeps_arcs_of_the_region_lines() {
        let whole = FileAnalysis::of(&pragma_file());
        let a = whole.narrow(&(26..=28).collect(), None);
        assert_eq!(a.numbers.statements, 3);
        assert_eq!(a.numbers.branches, 2);
        assert_eq!(a.numbers.missing_branches, 0);
        // Narrowing to every line gives the file's numbers.
        let all: BTreeSet<u32> = (0..100).collect();
        assert_eq!(whole.narrow(&all, Some(6)).numbers, whole.numbers);
    }

    #[test]
    fn raw_data_arcs_are_not_branches() {
        let mut f = file(&[(1, 1), (2, 1)], &[((1, 2), Some(1)), ((2, -1), Some(1))]);
        f.statements_unknown = true;
        let a = FileAnalysis::of(&f);
        assert_eq!(a.numbers.branches, 0);
        assert!(a.executed_arcs.is_empty());
    }

    #[test]
    fn a_group_sees_the_union_statements() {
        let f = file(
            &[(1, 1), (2, 1), (3, 0)],
            &[((1, 2), Some(1)), ((1, 3), Some(1))],
        );
        let g = GroupCoverage {
            lines: [1, 2].into_iter().collect(),
            arcs: [(1, 2)].into_iter().collect(),
            ..Default::default()
        };
        let n = FileAnalysis::of(&f).group_numbers(&f, Some(&g));
        assert_eq!(n.statements, 3);
        assert_eq!(n.missing, 1);
        assert_eq!(n.branches, 2);
        assert_eq!(n.missing_branches, 1);
        assert_eq!(n.partial_branches, 1);
        assert_eq!(FileAnalysis::of(&f).group_numbers(&f, None).missing, 3);
    }

    /// `file` as `group` alone saw it: every statement and outcome, run
    /// only where the group ran it.
    fn as_the_group_saw_it(file: &FileCoverage, g: &GroupCoverage) -> FileCoverage {
        let ran = |yes: bool| u64::from(yes);
        FileCoverage {
            lines: (file.lines.keys())
                .map(|l| (*l, ran(g.lines.contains(l))))
                .collect(),
            excluded: file.excluded.clone(),
            arcs: (file.arcs.keys())
                .map(|k| (*k, Some(ran(g.arcs.contains(k)))))
                .collect(),
            branches: (file.branches.keys())
                .map(|k| (k.clone(), Some(ran(g.branches.contains(k)))))
                .collect(),
            declared_branches: file.declared_branches,
            statements_unknown: file.statements_unknown,
            ..Default::default()
        }
    }

    /// A group's numbers are the analysis of the file as the group alone
    /// saw it, for random files (statements, excluded lines, arcs, generic
    /// branches, declared outcomes, raw data) and random groups (some of
    /// what ran, some of what is not in the file, nothing).
    #[test]
    fn group_numbers_are_the_analysis_of_what_the_group_saw() {
        use crate::model::BranchId;
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        let mut partial = 0;
        for round in 0..2_000 {
            let mut f = FileCoverage::default();
            for line in 1..=next(30) as u32 {
                match next(4) {
                    0 => drop(f.excluded.insert(line)),
                    1 => {}
                    _ => drop(f.lines.insert(line, next(3))),
                }
            }
            for _ in 0..next(12) {
                let from = next(30) as u32 + 1;
                let to = next(34) as i64 - 2;
                f.arcs
                    .insert((from, to), [None, Some(0), Some(1)][next(3) as usize]);
                let key = (from, BranchId::Num(0), BranchId::Num(next(3) as u32));
                f.branches
                    .insert(key, [None, Some(0), Some(2)][next(3) as usize]);
            }
            f.declared_branches = (next(3) == 0).then(|| next(40));
            f.statements_unknown = next(8) == 0;
            let mut g = GroupCoverage::default();
            for line in 0..=32 {
                if next(2) == 0 {
                    g.lines.insert(line);
                }
            }
            g.arcs.extend(f.arcs.keys().filter(|_| next(2) == 0));
            g.arcs.insert((next(30) as u32, 7));
            g.branches
                .extend(f.branches.keys().filter(|_| next(2) == 0).cloned());
            let (group, nothing) = ((round % 10 != 0).then_some(&g), GroupCoverage::default());
            let seen = as_the_group_saw_it(&f, group.unwrap_or(&nothing));
            let expected = FileAnalysis::of(&seen).numbers;
            let whole = FileAnalysis::of(&f);
            assert_eq!(whole.group_numbers(&f, group), expected, "{f:?} {g:?}");
            partial += usize::from(expected.partial_branches > 0);
        }
        assert!(partial > 300, "{partial}");
    }
}
