//! `--report summary[:PATH]`: the native summary as JSON (lines, functions,
//! branches and Go statements, found/hit/percent per file and in total).
//! The numbers are [`crate::report::summary`]'s; this only writes them.

use super::{Export, ExportContext};
use crate::analysis::Selection;
use crate::error::Result;
use crate::report::summary::Summary;

/// `--report summary`.
pub struct SummaryJson;

impl Export for SummaryJson {
    fn name(&self) -> &'static str {
        "summary JSON"
    }

    fn render(&self, selection: &Selection, ctx: &ExportContext) -> Result<Vec<u8>> {
        let summary = Summary::build(selection, &ctx.report);
        Ok(summary
            .render_json(
                crate::report::summary::precision(ctx.report.precision),
                &super::provenance::producers(selection.data),
            )
            .into_bytes())
    }
}
