//! The coverage model every reader fills and every writer reads.
//!
//! A [`CoverageData`] is what one data file holds: where the data came from
//! ([`Source`]s) and per source file the measured lines, excluded lines,
//! branches and functions. Combining two values is [`CoverageData::merge`];
//! it is commutative and associative, so a combined file is a valid input to
//! another combine.

use std::collections::{BTreeMap, BTreeSet};

/// How the workers split the tests (pytest-xdist's `--dist` vocabulary).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// Workers ran different tests on one platform.
    Load,
    /// Every worker ran the whole suite, each on its own platform.
    Each,
    #[default]
    Unknown,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Load => "load",
            Mode::Each => "each",
            Mode::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "load" => Some(Mode::Load),
            "each" => Some(Mode::Each),
            "unknown" => Some(Mode::Unknown),
            _ => None,
        }
    }
}

/// One worker's contribution: who measured, where, and from what report.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub host: Option<String>,
    /// pytest-cov's platform description, e.g. `platform linux, python 3.12.1-final-0`.
    pub platform: Option<String>,
    pub worker: Option<String>,
    /// The directory the worker ran in; absolute paths under it become relative.
    pub root: Option<String>,
    pub mode: Mode,
    pub labels: BTreeMap<String, String>,
    /// When the worker's data file was written (RFC 3339, UTC).
    pub created: Option<String>,
    /// The report format the data was converted from, e.g. `coverage.py json 3`.
    pub converted_from: Option<String>,
    /// The tool that wrote that report, e.g. `coverage.py 7.17.5`.
    pub producer: Option<String>,
}

/// Key of a coverage.py arc: source line and destination line. A negative
/// destination leaves the code object that starts at line `-to`.
pub type ArcKey = (u32, i64);

/// Key of a generic (LCOV-style) branch: line, block and branch id.
pub type BranchKey = (u32, String, String);

/// How often a branch outcome was taken. `None` is LCOV's `-`: the
/// condition was never evaluated. It counts as not taken.
pub type Taken = Option<u64>;

/// A function as LCOV and coverage.py describe it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Function {
    pub start: u32,
    pub end: Option<u32>,
    pub hits: u64,
}

/// Everything measured about one source file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileCoverage {
    /// Statement line -> hit count. The keys are the statements.
    pub lines: BTreeMap<u32, u64>,
    /// Lines excluded from measurement (e.g. `# pragma: no cover`).
    pub excluded: BTreeSet<u32>,
    /// coverage.py arcs of branch lines.
    pub arcs: BTreeMap<ArcKey, Taken>,
    /// Branches that are not arcs (LCOV `BRDA` from C, JS, Go tools).
    pub branches: BTreeMap<BranchKey, Taken>,
    pub functions: BTreeMap<String, Function>,
    /// The producer's own count of branch outcomes, when it can exceed the
    /// listed ones: coverage.py counts both exits of a `# pragma: no branch`
    /// line but lists only those that ran. The report uses the larger of
    /// this and the listed count; the unlisted outcomes count as covered.
    pub declared_branches: Option<u64>,
    /// The input only knew which lines ran, not which lines are statements
    /// (coverage.py's raw `.coverage` data): `lines` holds executed lines
    /// with hits 1, and `arcs` every executed transition, not only those of
    /// branch lines. Merged with a file whose statements are known, the
    /// known side decides: see [`FileCoverage::merge`]. `false` (known) is
    /// the default, so every other reader needs no change.
    pub statements_unknown: bool,
}

/// The content of one data file: sources plus per-file coverage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoverageData {
    /// True when the inputs measured branches (coverage.py `--branch`, LCOV `BRDA`).
    pub branch_coverage: bool,
    /// Sorted, so that merging is commutative.
    pub sources: Vec<Source>,
    /// Directory against which absolute paths in `files` are made relative
    /// when combining. Set by `record`; a combined file has none because its
    /// paths are already normalised.
    pub root: Option<String>,
    pub files: BTreeMap<String, FileCoverage>,
}

/// Sum of two hit counts that sticks at `u64::MAX` instead of wrapping.
pub fn add_hits(a: u64, b: u64) -> u64 {
    a.saturating_add(b)
}

/// Combine two branch outcomes the way lcov does: `-` + `-` = `-`, `-` + n = n.
pub fn add_taken(a: Taken, b: Taken) -> Taken {
    match (a, b) {
        (None, None) => None,
        (Some(x), None) | (None, Some(x)) => Some(x),
        (Some(x), Some(y)) => Some(x.saturating_add(y)),
    }
}

impl FileCoverage {
    /// Union `other` into `self`: hits are summed, excluded lines and
    /// branches unioned.
    ///
    /// When exactly one side's statements are unknown (see
    /// [`FileCoverage::statements_unknown`]), that side's executed lines
    /// that are not statements of the known side, and its arcs that are not
    /// branch arcs of the known side, are dropped first: the known side has
    /// the statement list (coverage.py leaves out excluded and docstring
    /// lines that the raw data can still list), the other only adds hits.
    /// The result is unknown only when both sides are.
    pub fn merge(&mut self, mut other: FileCoverage) {
        match (self.statements_unknown, other.statements_unknown) {
            (false, true) => other.restrict_to(self),
            (true, false) => {
                self.restrict_to(&other);
                self.statements_unknown = false;
            }
            _ => {}
        }
        for (line, hits) in other.lines {
            let entry = self.lines.entry(line).or_insert(0);
            *entry = add_hits(*entry, hits);
        }
        self.excluded.extend(other.excluded);
        for (key, taken) in other.arcs {
            let entry = self.arcs.entry(key).or_insert(None);
            *entry = add_taken(*entry, taken);
        }
        for (key, taken) in other.branches {
            let entry = self.branches.entry(key).or_insert(None);
            *entry = add_taken(*entry, taken);
        }
        self.declared_branches = self.declared_branches.max(other.declared_branches);
        for (name, func) in other.functions {
            match self.functions.get_mut(&name) {
                None => {
                    self.functions.insert(name, func);
                }
                Some(mine) => {
                    mine.hits = add_hits(mine.hits, func.hits);
                    // Keep the smaller start line so the result does not
                    // depend on the order of the inputs.
                    mine.start = mine.start.min(func.start);
                    mine.end = match (mine.end, func.end) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                }
            }
        }
    }

    /// Keep only the lines that are statements of `known` and the arcs
    /// that are arcs of `known`.
    fn restrict_to(&mut self, known: &FileCoverage) {
        self.lines.retain(|line, _| known.lines.contains_key(line));
        self.arcs.retain(|arc, _| known.arcs.contains_key(arc));
    }

    /// Lines that are excluded and not a statement in any input.
    pub fn excluded_only(&self) -> impl Iterator<Item = u32> + '_ {
        self.excluded
            .iter()
            .copied()
            .filter(|line| !self.lines.contains_key(line))
    }

    pub fn has_branches(&self) -> bool {
        !self.arcs.is_empty() || !self.branches.is_empty()
    }
}

impl CoverageData {
    /// Union `other` into `self`. Both must already use the same path
    /// names (see [`crate::paths`]).
    pub fn merge(&mut self, other: CoverageData) {
        self.branch_coverage |= other.branch_coverage;
        self.sources.extend(other.sources);
        self.sources.sort();
        if self.root != other.root {
            self.root = None;
        }
        for (name, file) in other.files {
            match self.files.get_mut(&name) {
                Some(mine) => mine.merge(file),
                None => {
                    self.files.insert(name, file);
                }
            }
        }
    }

    /// The distinct platform descriptions of the sources, sorted.
    pub fn platforms(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self
            .sources
            .iter()
            .filter_map(|s| s.platform.as_ref())
            .collect();
        set.into_iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(lines: &[(u32, u64)], arcs: &[((u32, i64), Taken)]) -> FileCoverage {
        FileCoverage {
            lines: lines.iter().copied().collect(),
            arcs: arcs.iter().copied().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn merge_sums_hits_and_unions_statements() {
        let mut a = file(&[(1, 1), (2, 0)], &[((1, 2), Some(0))]);
        let b = file(&[(2, 3), (5, 0)], &[((1, 2), Some(2)), ((1, -1), None)]);
        a.merge(b);
        assert_eq!(a.lines, [(1, 1), (2, 3), (5, 0)].into_iter().collect());
        assert_eq!(a.arcs[&(1, 2)], Some(2));
        assert_eq!(a.arcs[&(1, -1)], None);
    }

    #[test]
    fn hits_saturate() {
        let mut a = file(&[(1, u64::MAX - 1)], &[((1, 2), Some(u64::MAX))]);
        a.merge(file(&[(1, 5)], &[((1, 2), Some(7))]));
        assert_eq!(a.lines[&1], u64::MAX);
        assert_eq!(a.arcs[&(1, 2)], Some(u64::MAX));
    }

    #[test]
    fn excluded_in_one_input_but_statement_in_another_is_a_statement() {
        let mut a = file(&[(1, 1)], &[]);
        a.excluded.insert(3);
        a.merge(file(&[(3, 0)], &[]));
        assert!(a.lines.contains_key(&3));
        assert_eq!(a.excluded_only().count(), 0);
    }

    #[test]
    fn known_statements_decide_over_unknown_ones() {
        // coverage.py JSON (known): statements 1, 2, 4; arcs of branch line 2.
        let known = file(
            &[(1, 1), (2, 1), (4, 0)],
            &[((2, 4), Some(0)), ((2, -1), Some(1))],
        );
        // raw .coverage data (unknown): executed lines and all transitions,
        // including line 3 (excluded) and the non-branch arc 1->2.
        let mut raw = file(
            &[(1, 1), (2, 1), (3, 1), (4, 1)],
            &[((1, 2), Some(1)), ((2, 4), Some(1))],
        );
        raw.statements_unknown = true;
        let mut a = known.clone();
        a.merge(raw.clone());
        let mut b = raw.clone();
        b.merge(known.clone());
        assert_eq!(a, b);
        assert!(!a.statements_unknown);
        assert_eq!(a.lines, [(1, 2), (2, 2), (4, 1)].into_iter().collect());
        assert_eq!(
            a.arcs,
            [((2, 4), Some(1)), ((2, -1), Some(1))]
                .into_iter()
                .collect()
        );
        // Two unknown sides stay unknown and union.
        let mut c = raw.clone();
        let mut other = file(&[(7, 1)], &[]);
        other.statements_unknown = true;
        c.merge(other);
        assert!(c.statements_unknown);
        assert_eq!(c.lines.len(), 5);
        // Grouping does not matter: (raw + raw) + known = raw + (raw + known).
        let mut left = raw.clone();
        left.merge(raw.clone());
        left.merge(known.clone());
        let mut right = known.clone();
        right.merge(raw.clone());
        let mut right2 = raw.clone();
        right2.merge(right);
        assert_eq!(left, right2);
    }

    #[test]
    fn merge_is_commutative() {
        let a = file(&[(1, 1), (4, 0)], &[((4, 5), Some(1))]);
        let b = file(&[(4, 2)], &[((4, 6), None)]);
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab, ba);
    }
}
