//! The arithmetic of a coverage report: counts per file and for the total,
//! the percent covered, and how coverage.py displays it.

/// Counts for one file or a total, as coverage.py's `Numbers`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Numbers {
    /// Files counted (1 for a file, N for a total).
    pub files: usize,
    /// Statements.
    pub statements: usize,
    /// Statements that did not run.
    pub missing: usize,
    /// Excluded lines that are not statements.
    pub excluded: usize,
    /// Branch outcomes (listed and declared).
    pub branches: usize,
    /// Branch outcomes not taken.
    pub missing_branches: usize,
    /// Missing branch outcomes whose source line was executed (BrPart).
    pub partial_branches: usize,
}

impl std::ops::AddAssign for Numbers {
    fn add_assign(&mut self, o: Numbers) {
        // Saturating: a producer's declared branch count (coverage.py
        // `num_branches`, LCOV `BRF`) can be any u64 (found by fuzzing).
        self.files = self.files.saturating_add(o.files);
        self.statements = self.statements.saturating_add(o.statements);
        self.missing = self.missing.saturating_add(o.missing);
        self.excluded = self.excluded.saturating_add(o.excluded);
        self.branches = self.branches.saturating_add(o.branches);
        self.missing_branches = self.missing_branches.saturating_add(o.missing_branches);
        self.partial_branches = self.partial_branches.saturating_add(o.partial_branches);
    }
}

impl Numbers {
    /// Statements that ran.
    pub fn executed(&self) -> usize {
        self.statements.saturating_sub(self.missing)
    }

    /// Branch outcomes taken.
    pub fn executed_branches(&self) -> usize {
        self.branches.saturating_sub(self.missing_branches)
    }

    /// Percent covered, statements and branches together; 100 when there is
    /// nothing to cover. Computed in the same order as coverage.py so the
    /// float is bit-identical.
    pub fn percent_covered(&self) -> f64 {
        let denominator = self.statements.saturating_add(self.branches);
        if denominator == 0 {
            return 100.0;
        }
        let numerator = self.executed().saturating_add(self.executed_branches());
        (100.0 * numerator as f64) / denominator as f64
    }

    /// The percent as the table shows it, with `precision` decimals.
    pub fn display_covered(&self, precision: usize) -> String {
        display_percent(self.percent_covered(), precision)
    }
}

/// coverage.py's `display_covered`: never show 0 unless nothing is covered,
/// never 100 unless everything is; otherwise round half to even on the
/// exact binary value, which is what Rust's `{:.*}` does.
pub fn display_percent(pc: f64, precision: usize) -> String {
    let near0 = 10f64.powi(-(precision as i32));
    let pc = if pc > 0.0 && pc < near0 {
        near0
    } else if pc > 100.0 - near0 && pc < 100.0 {
        100.0 - near0
    } else {
        pc
    };
    format!("{pc:.precision$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_coveragepy_table() {
        // (numerator, denominator, precision, shown), from the spec's verified values.
        let cases = [
            (1, 8, 0, "12"),
            (7, 8, 0, "88"),
            (1, 40, 0, "2"),
            (9, 40, 0, "22"),
            (1, 200, 0, "1"),
            (199, 200, 0, "99"),
            (1999, 2000, 1, "99.9"),
            (1, 16, 1, "6.2"),
            (3, 16, 1, "18.8"),
            (1, 1000, 2, "0.10"),
            (2, 3, 2, "66.67"),
            (0, 5, 0, "0"),
            (5, 5, 0, "100"),
        ];
        for (num, den, p, shown) in cases {
            let pc = (100.0 * num as f64) / den as f64;
            assert_eq!(display_percent(pc, p), shown, "{num}/{den} p={p}");
        }
        assert_eq!(Numbers::default().display_covered(0), "100");
    }

    #[test]
    fn percent_counts_branches() {
        // branchy.py: 11 statements, 1 missing, 6 branches, 2 missing -> 82.
        let n = Numbers {
            statements: 11,
            missing: 1,
            branches: 6,
            missing_branches: 2,
            ..Default::default()
        };
        assert_eq!(n.display_covered(0), "82");
    }
}
