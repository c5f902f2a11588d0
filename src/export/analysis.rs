//! coverage.py's per-file analysis, as its `json`, `lcov` and `xml`
//! reporters see it: statements, executed and missing lines, branch lines
//! with their exit counts, executed and missing arcs, for a whole file or
//! narrowed to the lines of one function or class region.
//!
//! The file-level numbers are the table's ([`crate::report::analysis`]);
//! this adds what the exports need per line and per region.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{FileCoverage, Region, RegionKind};
use crate::report::numbers::Numbers;

/// The analysis of a file or of one region of it.
#[derive(Clone, Debug, Default)]
pub struct PyAnalysis {
    pub statements: BTreeSet<u32>,
    pub executed: BTreeSet<u32>,
    pub missing: BTreeSet<u32>,
    pub excluded: BTreeSet<u32>,
    /// Executed arcs of branch lines, by source line, destinations sorted.
    pub executed_arcs: BTreeMap<u32, Vec<i64>>,
    /// Missing arcs of branch lines (coverage.py's `missing_branch_arcs`).
    pub missing_arcs: BTreeMap<u32, Vec<i64>>,
    /// Exit count of every branch line (coverage.py's `exit_counts` > 1).
    pub exits: BTreeMap<u32, usize>,
    pub numbers: Numbers,
}

/// Exit counts per branch line. coverage.py's JSON and LCOV list only arcs
/// of branch lines, and a branch line has at least two exits, so a line
/// with a single listed arc has unlisted ones (`# pragma: no branch`):
/// the file's unlisted outcomes (`declared_branches`) are given to those
/// lines, one each, in line order. Any rest is known only as a count.
fn exit_counts(file: &FileCoverage) -> (BTreeMap<u32, usize>, usize) {
    let mut exits: BTreeMap<u32, usize> = BTreeMap::new();
    for (line, _) in file.arcs.keys() {
        *exits.entry(*line).or_default() += 1;
    }
    let listed = file.arcs.len() + file.branches.len();
    let mut unlisted = (file.declared_branches.unwrap_or(0) as usize).saturating_sub(listed);
    for count in exits.values_mut() {
        if unlisted == 0 {
            break;
        }
        if *count == 1 {
            *count += 1;
            unlisted -= 1;
        }
    }
    (exits, unlisted)
}

impl PyAnalysis {
    /// The whole file. Its numbers equal the table's for the same file.
    pub fn file(file: &FileCoverage) -> PyAnalysis {
        let (exits, unassigned) = exit_counts(file);
        let mut a = Self::build(file, &exits, None);
        a.numbers.branches += unassigned;
        a
    }

    /// Only the lines in `lines` (coverage.py's `AnalysisNarrower`): arcs
    /// count for the region of their source line. `declared` is the
    /// region's own branch count when it lists fewer arcs.
    pub fn narrow(file: &FileCoverage, lines: &BTreeSet<u32>, declared: Option<u64>) -> PyAnalysis {
        let (exits, _) = exit_counts(file);
        let mut a = Self::build(file, &exits, Some(lines));
        a.numbers.branches = a.numbers.branches.max(declared.unwrap_or(0) as usize);
        a
    }

    fn build(
        file: &FileCoverage,
        exits: &BTreeMap<u32, usize>,
        only: Option<&BTreeSet<u32>>,
    ) -> PyAnalysis {
        let keep = |line: &u32| only.is_none_or(|set| set.contains(line));
        let mut a = PyAnalysis::default();
        for (line, hits) in &file.lines {
            if !keep(line) {
                continue;
            }
            a.statements.insert(*line);
            if *hits > 0 {
                a.executed.insert(*line);
            } else {
                a.missing.insert(*line);
            }
        }
        a.excluded = file.excluded_only().filter(|l| keep(l)).collect();
        let mut missing_branches = 0;
        let mut partial = 0;
        for ((line, to), taken) in &file.arcs {
            if !keep(line) {
                continue;
            }
            if taken.unwrap_or(0) > 0 {
                a.executed_arcs.entry(*line).or_default().push(*to);
            } else {
                a.missing_arcs.entry(*line).or_default().push(*to);
                missing_branches += 1;
                if !a.missing.contains(line) {
                    partial += 1;
                }
            }
        }
        a.exits = exits
            .iter()
            .filter(|(l, _)| keep(l))
            .map(|(l, n)| (*l, *n))
            .collect();
        let mut branches: usize = a.exits.values().sum();
        // Generic (non-arc) branches count like the table counts them.
        for ((line, _, _), taken) in &file.branches {
            if !keep(line) {
                continue;
            }
            branches += 1;
            if taken.unwrap_or(0) == 0 {
                missing_branches += 1;
                if !a.missing.contains(line) {
                    partial += 1;
                }
            }
        }
        a.numbers = Numbers {
            files: 1,
            statements: a.statements.len(),
            missing: a.missing.len(),
            excluded: a.excluded.len(),
            branches,
            missing_branches,
            partial_branches: partial,
        };
        a
    }

    /// coverage.py's `branch_stats`: per branch line (exits, taken exits).
    pub fn branch_stats(&self) -> BTreeMap<u32, (usize, usize)> {
        self.exits
            .iter()
            .map(|(line, exits)| {
                let missing = self.missing_arcs.get(line).map_or(0, Vec::len);
                (*line, (*exits, exits.saturating_sub(missing)))
            })
            .collect()
    }
}

/// A region ready to report: its name, start line and lines.
#[derive(Clone, Debug)]
pub struct NamedRegion {
    pub name: String,
    pub start_line: u32,
    pub lines: BTreeSet<u32>,
    pub declared_branches: Option<u64>,
}

/// The regions of `kind`, in coverage.py's order (by start line), then the
/// `""` region of every known line outside them. A file whose inputs had no
/// regions of this kind: functions are rebuilt from the file's functions
/// when they have end lines (LCOV `FN:start,end,name`), each line going
/// to the innermost function whose `(start, end]` holds it; otherwise there
/// is only `""`, which is what coverage.py writes for a file with no
/// functions or classes.
pub fn regions(file: &FileCoverage, kind: RegionKind) -> Vec<NamedRegion> {
    let all: BTreeSet<u32> = file
        .lines
        .keys()
        .copied()
        .chain(file.excluded.iter().copied())
        .collect();
    let mut named: Vec<NamedRegion> = file
        .regions
        .iter()
        .filter(|((k, name), _)| *k == kind && !name.is_empty())
        .map(
            |((_, name), r): (&(RegionKind, String), &Region)| NamedRegion {
                name: name.clone(),
                start_line: r.start_line,
                lines: r.lines.clone(),
                declared_branches: r.declared_branches,
            },
        )
        .collect();
    let have_kind = file.regions.keys().any(|(k, _)| *k == kind);
    if !have_kind && kind == RegionKind::Function {
        named = functions_as_regions(file, &all);
    }
    named.sort_by(|a, b| a.start_line.cmp(&b.start_line).then(a.name.cmp(&b.name)));
    let inside: BTreeSet<u32> = named.iter().flat_map(|r| r.lines.iter().copied()).collect();
    let outside: BTreeSet<u32> = all.difference(&inside).copied().collect();
    let start_line = file
        .regions
        .get(&(kind, String::new()))
        .map_or(1, |r| r.start_line);
    named.push(NamedRegion {
        name: String::new(),
        start_line,
        lines: outside,
        declared_branches: None,
    });
    named
}

fn functions_as_regions(file: &FileCoverage, all: &BTreeSet<u32>) -> Vec<NamedRegion> {
    let ranges: Vec<(&String, u32, u32)> = file
        .functions
        .iter()
        .filter_map(|(name, f)| f.end.map(|end| (name, f.start, end)))
        .collect();
    let mut out: Vec<NamedRegion> = ranges
        .iter()
        .map(|(name, start, _)| NamedRegion {
            name: (*name).clone(),
            start_line: *start,
            lines: BTreeSet::new(),
            declared_branches: None,
        })
        .collect();
    for line in all {
        let innermost = ranges
            .iter()
            .enumerate()
            .filter(|(_, (_, start, end))| start < line && line <= end)
            .max_by_key(|(_, (_, start, _))| *start);
        if let Some((i, _)) = innermost {
            out[i].lines.insert(*line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::analysis::Analysis;

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
    fn file_numbers_equal_the_table() {
        let f = pragma_file();
        let a = PyAnalysis::file(&f);
        assert_eq!(a.numbers, Analysis::new(&f).numbers);
        assert_eq!(a.branch_stats()[&26], (2, 2));
        assert_eq!(a.branch_stats()[&9], (2, 1));
    }

    #[test]
    fn narrowing_keeps_arcs_of_the_region_lines() {
        let f = pragma_file();
        let lines: BTreeSet<u32> = (26..=28).collect();
        let a = PyAnalysis::narrow(&f, &lines, None);
        assert_eq!(a.numbers.statements, 3);
        assert_eq!(a.numbers.branches, 2);
        assert_eq!(a.numbers.missing_branches, 0);
    }

    #[test]
    fn lcov_functions_become_regions() {
        let mut f = pragma_file();
        f.functions.insert(
            "clamp".into(),
            crate::model::Function {
                start: 6,
                end: Some(11),
                hits: 1,
            },
        );
        let r = regions(&f, RegionKind::Function);
        assert_eq!(r[0].name, "clamp");
        assert_eq!(r[0].lines, (7..=11).collect());
        assert_eq!(r[1].name, "");
        assert!(r[1].lines.contains(&6));
        let classes = regions(&f, RegionKind::Class);
        assert_eq!(classes.len(), 1);
        assert_eq!(classes[0].lines.len(), 13);
    }
}
