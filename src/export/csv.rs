//! CSV (via the `csv` crate): one row per file as in the table, then
//! TOTAL. Columns `Name, Stmts, Miss, [Branch, BrPart], Cover, Missing`:
//! Branch and BrPart only in branch mode, as in the table; Cover is the
//! table's percent string without `%` (honours `--precision`); Missing is
//! the `-m` text (empty on TOTAL). Rows follow `--sort`, `--skip-covered`
//! and `--skip-empty` like the table.

use super::{Export, ExportContext};
use crate::analysis::Selection;
use crate::error::{Error, Result};
use crate::report::{ReportOptions, Table};

/// `--report csv`.
pub struct Csv;

impl Export for Csv {
    fn name(&self) -> &'static str {
        "CSV"
    }

    fn render(&self, selection: &Selection, ctx: &ExportContext) -> Result<Vec<u8>> {
        let options = ReportOptions {
            show_missing: true,
            ..ctx.report.clone()
        };
        let table = Table::build(selection, &options)?;
        let mut writer = ::csv::Writer::from_writer(Vec::new());
        let mut header = vec!["Name", "Stmts", "Miss"];
        if table.branches {
            header.extend(["Branch", "BrPart"]);
        }
        header.extend(["Cover", "Missing"]);
        let err = |e: ::csv::Error| Error::Other(format!("writing CSV: {e}"));
        writer.write_record(&header).map_err(err)?;
        let rows = table
            .rows
            .iter()
            .map(|r| (r.name.as_str(), &r.numbers, r.missing.as_str()))
            .chain(std::iter::once(("TOTAL", &table.total, "")));
        for (name, n, missing) in rows {
            let mut record = vec![
                name.to_string(),
                n.statements.to_string(),
                n.missing.to_string(),
            ];
            if table.branches {
                record.push(n.branches.to_string());
                record.push(n.partial_branches.to_string());
            }
            record.push(n.display_covered(table.precision));
            record.push(missing.to_string());
            writer.write_record(&record).map_err(err)?;
        }
        writer
            .into_inner()
            .map_err(|e| Error::Other(format!("writing CSV: {e}")))
    }
}
