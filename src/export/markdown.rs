//! Markdown: exactly `coverage report --format=markdown` (the table of
//! [`crate::report::markdown`], with `-m`, `--precision`, `--sort` and the
//! skip options), and a GitHub step summary: the same table under the
//! platform header as a heading.

use super::{Export, ExportContext};
use crate::analysis::Selection;
use crate::error::Result;
use crate::report::{markdown, Table};

/// `--report markdown`.
pub struct Markdown;

impl Export for Markdown {
    fn name(&self) -> &'static str {
        "Markdown"
    }

    fn render(&self, selection: &Selection, ctx: &ExportContext) -> Result<Vec<u8>> {
        let table = Table::build(selection, &ctx.report)?;
        Ok(markdown::render(&table).into_bytes())
    }
}

/// `--report github`: `## coverage: <platform>` (one platform) or
/// `## coverage` and a list of the platforms, a blank line, the table.
pub struct GithubSummary;

impl Export for GithubSummary {
    fn name(&self) -> &'static str {
        "GitHub step summary"
    }

    fn render(&self, selection: &Selection, ctx: &ExportContext) -> Result<Vec<u8>> {
        let table = Table::build(selection, &ctx.report)?;
        let mut out = heading(&ctx.platforms);
        out.push_str(&markdown::render(&table));
        Ok(out.into_bytes())
    }
}

/// The GitHub summary's heading for these platforms.
pub fn heading(platforms: &[String]) -> String {
    match platforms {
        [one] => format!("## coverage: {}\n\n", markdown::escape(one)),
        _ => {
            let mut out = String::from("## coverage\n\n");
            for p in platforms {
                out.push_str(&format!("- {}\n", markdown::escape(p)));
            }
            if !platforms.is_empty() {
                out.push('\n');
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        assert_eq!(
            heading(&["platform linux, python 3.12.1-final-0".into()]),
            "## coverage: platform linux, python 3.12.1-final-0\n\n"
        );
        assert_eq!(
            heading(&["a".into(), "b".into()]),
            "## coverage\n\n- a\n- b\n\n"
        );
    }
}
