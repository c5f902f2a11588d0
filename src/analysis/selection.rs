//! The files to report, chosen once (coverage.py's `get_analysis_to_report`):
//! include/omit applied, each file analysed, the TOTAL summed. The table,
//! every export and every view render a [`Selection`]; none of them walks
//! the data or filters on its own. Per-reporter rules that coverage.py has
//! (the table's `--skip-covered`, `skip_empty` in the table, LCOV and XML)
//! are the [`SelectedFile`] predicates below, so they too are decided once.
//!
//! Files whose statements no input gave (coverage.py raw data that was
//! not analysed) have no numbers: they are left out and listed in
//! [`Selection::unknown`], so no output claims coverage that is not known.
//!
//! The combined data file (`-o`) is written from the data, not from a
//! selection: it stays unfiltered.

use rayon::prelude::*;

use super::{FileAnalysis, Numbers};
use crate::filter::FileFilter;
use crate::model::{CoverageData, FileCoverage};

/// One file to report and its analysis.
#[derive(Clone, Debug)]
pub struct SelectedFile<'a> {
    /// The file name as the combined data has it.
    pub name: &'a str,
    /// Its coverage.
    pub file: &'a FileCoverage,
    /// Its numbers, computed once.
    pub analysis: FileAnalysis,
}

impl SelectedFile<'_> {
    /// No statements (`skip_empty` leaves it out of the table, LCOV, XML).
    pub fn is_empty(&self) -> bool {
        self.analysis.numbers.statements == 0
    }

    /// Nothing missed: no missing statement, no partial branch
    /// (`--skip-covered`).
    pub fn is_fully_covered(&self) -> bool {
        let n = &self.analysis.numbers;
        n.missing == 0 && n.partial_branches == 0
    }
}

/// The files to report, in name order, with the TOTAL over all of them.
#[derive(Clone, Debug)]
pub struct Selection<'a> {
    /// The combined data the files come from (sources, platforms, mode).
    pub data: &'a CoverageData,
    /// The files include/omit kept, sorted by name.
    pub files: Vec<SelectedFile<'a>>,
    /// Sums over `files` (skipped rows count too, as in coverage.py).
    pub total: Numbers,
    /// Files include/omit kept whose statements are unknown (raw
    /// coverage.py data only): not reported, no numbers, in name order.
    pub unknown: Vec<String>,
}

impl<'a> Selection<'a> {
    /// Keep the files `filter` lets through and analyse each (in parallel).
    pub fn new(data: &'a CoverageData, filter: &FileFilter) -> Selection<'a> {
        let (unknown, kept): (Vec<_>, Vec<_>) = data
            .files
            .iter()
            .filter(|(name, _)| filter.keeps(name))
            .partition(|(_, file)| file.statements_unknown);
        let unknown = unknown.into_iter().map(|(name, _)| name.clone()).collect();
        let files: Vec<SelectedFile<'a>> = kept
            .into_par_iter()
            .map(|(name, file)| SelectedFile {
                name,
                file,
                analysis: FileAnalysis::of(file),
            })
            .collect();
        let mut total = Numbers::default();
        for f in &files {
            total += f.analysis.numbers;
        }
        Selection {
            data,
            files,
            total,
            unknown,
        }
    }

    /// Every file of `data`, unfiltered.
    pub fn all(data: &'a CoverageData) -> Selection<'a> {
        Selection::new(data, &FileFilter::default())
    }

    /// True when there is nothing to report (coverage.py's "No data to report.").
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether the inputs measured branches.
    pub fn branch_coverage(&self) -> bool {
        self.data.branch_coverage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_without_statements_known_are_left_out_and_named() {
        let mut data = CoverageData::default();
        data.files.insert("a.py".into(), FileCoverage::default());
        let raw = FileCoverage {
            statements_unknown: true,
            lines: [(1, 1)].into_iter().collect(),
            ..Default::default()
        };
        data.files.insert("b.py".into(), raw);
        let selection = Selection::all(&data);
        assert_eq!(selection.unknown, vec!["b.py".to_string()]);
        let shown: Vec<&str> = selection.files.iter().map(|f| f.name).collect();
        assert_eq!(shown, vec!["a.py"]);
        assert_eq!(selection.total.statements, 0);
    }
}
