//! The one place the HTML report reaches into the table and the analysis:
//! the rows come from [`Table::build`] over the run's one
//! [`crate::analysis::Selection`], each with that selection's analysis of
//! the file, so the pages show the table's numbers.

use crate::analysis::{FileAnalysis, Numbers, Selection as Analysed};
use crate::error::Result;
use crate::model::{FileCoverage, GroupCoverage};
use crate::report::{ReportOptions, Table};

/// One file of the report: a row of the table.
pub struct Selected<'a> {
    /// The name as the data has it (the table shows it with control
    /// characters as `?`).
    pub name: &'a str,
    /// Its coverage (attribution, hit counts).
    pub file: &'a FileCoverage,
    /// Its analysis, the one every output reads.
    pub analysis: &'a FileAnalysis,
    /// The table row's numbers: the index and the page show these.
    pub numbers: Numbers,
    /// The Missing column text of the table.
    pub missing: String,
}

/// What the report shows: the table (rows, total, skips, sort) and, in the
/// table's order, the shown files. `kept` is every file the table's TOTAL
/// counts (include/omit applied, skips not), for per-group totals.
pub struct Selection<'a> {
    /// The table as the text report lays it out.
    pub table: Table,
    /// The shown files, in the table's order.
    pub files: Vec<Selected<'a>>,
    /// Every selected file, shown or skipped, with its analysis.
    pub kept: Vec<(&'a FileCoverage, &'a FileAnalysis)>,
}

/// The table's rows of `analysed`, each with its file and analysis.
pub fn select<'a>(analysed: &'a Analysed<'a>, options: &ReportOptions) -> Result<Selection<'a>> {
    // The Missing text is always wanted on the pages, whatever `-m` says.
    let mut opts = options.clone();
    opts.show_missing = true;
    let mut table = Table::build(analysed, &opts)?;
    // Rows carry the display name; map it back to the selected file. Two
    // names differing only in control characters would show the same row
    // text; they are taken in order.
    let mut by_display: std::collections::HashMap<
        String,
        Vec<&'a crate::analysis::SelectedFile<'a>>,
    > = Default::default();
    for f in analysed.files.iter().rev() {
        by_display
            .entry(crate::report::display_name(f.name))
            .or_default()
            .push(f);
    }
    let mut files = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let f = by_display
            .get_mut(&row.name)
            .and_then(Vec::pop)
            .expect("every table row is a selected file");
        files.push(Selected {
            name: f.name,
            file: f.file,
            analysis: &f.analysis,
            numbers: row.numbers,
            missing: row.missing.clone(),
        });
    }
    table.show_missing = options.show_missing;
    Ok(Selection {
        table,
        files,
        kept: analysed
            .files
            .iter()
            .map(|f| (f.file, &f.analysis))
            .collect(),
    })
}

/// What one group alone covered in `file`, whose analysis is `analysis`
/// (the views' numbers).
pub fn group_numbers(
    file: &FileCoverage,
    analysis: &FileAnalysis,
    group: Option<&GroupCoverage>,
) -> Numbers {
    analysis.group_numbers(file, group)
}
