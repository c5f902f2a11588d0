//! Function and class regions of a file, for coverage.py's JSON report
//! (`functions`, `classes`) and the LCOV `FN` records.

use std::collections::BTreeSet;

use crate::model::{FileCoverage, Region, RegionKind};

/// A region ready to report: its name, start line and lines.
#[derive(Clone, Debug)]
pub struct NamedRegion {
    /// The region's qualified name (`""` for the rest of the file).
    pub name: String,
    /// Its `def`/`class` line.
    pub start_line: u32,
    /// The statement and excluded lines it holds.
    pub lines: BTreeSet<u32>,
    /// Its own branch count when it lists fewer outcomes.
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

/// Each line goes to the innermost function whose `(start, end]` holds
/// it: one sweep over the lines with a stack of open functions, so
/// thousands of functions cost `O((lines + functions) log functions)`.
fn functions_as_regions(file: &FileCoverage, all: &BTreeSet<u32>) -> Vec<NamedRegion> {
    let mut ranges: Vec<(u32, u32, &String)> = file
        .functions
        .iter()
        .filter_map(|(name, f)| f.end.map(|end| (f.start, end, name)))
        .collect();
    // By start, then name: among equal starts the last (greatest name) is
    // the innermost, as before.
    ranges.sort();
    let mut out: Vec<NamedRegion> = ranges
        .iter()
        .map(|(start, _, name)| NamedRegion {
            name: (*name).clone(),
            start_line: *start,
            lines: BTreeSet::new(),
            declared_branches: None,
        })
        .collect();
    let mut next = 0;
    let mut open: Vec<usize> = Vec::new();
    for &line in all {
        while next < ranges.len() && ranges[next].0 < line {
            open.push(next);
            next += 1;
        }
        while open.last().is_some_and(|&i| ranges[i].1 < line) {
            open.pop();
        }
        if let Some(&i) = open.last() {
            out[i].lines.insert(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Function;

    #[test]
    fn lcov_functions_become_regions() {
        let mut f = FileCoverage::default();
        for l in [3, 6, 7, 8, 9, 10, 11, 19, 22, 25, 26, 27, 28] {
            f.lines.insert(l, 1);
        }
        f.functions.insert(
            "clamp".into(),
            Function {
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

    #[test]
    fn nested_functions_take_their_own_lines() {
        let mut f = FileCoverage::default();
        for l in 1..=20 {
            f.lines.insert(l, 1);
        }
        for (name, start, end) in [("outer", 1, 20), ("inner", 5, 8), ("later", 10, 12)] {
            let func = Function {
                start,
                end: Some(end),
                hits: 1,
            };
            f.functions.insert(name.into(), func);
        }
        let r = regions(&f, RegionKind::Function);
        let lines = |n: &str| r.iter().find(|x| x.name == n).unwrap().lines.clone();
        assert_eq!(lines("inner"), (6..=8).collect());
        assert_eq!(lines("later"), (11..=12).collect());
        let outer: BTreeSet<u32> = (2..=5).chain(9..=10).chain(13..=20).collect();
        assert_eq!(lines("outer"), outer);
    }

    #[test]
    fn many_functions_are_not_quadratic() {
        // 200,000 one-line functions over 400,000 lines: a quadratic
        // assignment would take minutes; the sweep takes milliseconds.
        let mut f = FileCoverage::default();
        for i in 0..200_000u32 {
            f.lines.insert(2 * i + 1, 1);
            f.lines.insert(2 * i + 2, 1);
            let func = Function {
                start: 2 * i + 1,
                end: Some(2 * i + 2),
                hits: 1,
            };
            f.functions.insert(format!("f{i}"), func);
        }
        let r = regions(&f, RegionKind::Function);
        assert_eq!(r.len(), 200_001);
        assert!(r.iter().take(200_000).all(|x| x.lines.len() == 1));
    }
}
