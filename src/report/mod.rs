//! The coverage table, byte for byte as coverage.py's `coverage report`
//! prints it, and the pytest-cov style platform header above it.
//!
//! [`Table::build`] turns a [`Selection`] (the files and numbers every
//! output shares) into rows: skipping, sorting, the Missing text; `text`,
//! `markdown` and `total` only lay it out.

use crate::error::{Error, Result};

pub mod groups;
pub mod header;
pub mod markdown;
pub mod sort;
pub mod summary;
pub mod text;

use crate::analysis::{Numbers, Selection};

/// How the table is laid out (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TableFormat {
    /// coverage.py's text table.
    #[default]
    Text,
    /// coverage.py's markdown table.
    Markdown,
    /// Only the total percentage.
    Total,
    /// Lines, functions, branches (and Go statements) separately (`summary.rs`).
    Summary,
}

impl TableFormat {
    /// `--format` / `[report] format`, with coverage.py's error text.
    pub fn parse(text: &str) -> Result<TableFormat> {
        match text {
            "text" => Ok(TableFormat::Text),
            "markdown" => Ok(TableFormat::Markdown),
            "total" => Ok(TableFormat::Total),
            "summary" => Ok(TableFormat::Summary),
            other => Err(Error::Usage(format!(
                "Unknown report format choice: '{other}'"
            ))),
        }
    }
}

/// The `coverage report` options covmerge supports.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    /// `--format`.
    pub format: TableFormat,
    /// `-m`: the Missing column.
    pub show_missing: bool,
    /// Decimals of the percentages.
    pub precision: usize,
    /// `--skip-covered`.
    pub skip_covered: bool,
    /// `--skip-empty`.
    pub skip_empty: bool,
    /// `name`, `stmts`, `miss`, `branch`, `brpart` or `cover`, optionally
    /// prefixed with `+` or `-`.
    pub sort: Option<String>,
    /// `include` / `omit`: files left out are not in the table nor in the
    /// TOTAL, as in coverage.py.
    pub filter: crate::filter::FileFilter,
}

/// One shown row.
#[derive(Clone, Debug)]
pub struct Row {
    /// The file name, control characters shown as `?`.
    pub name: String,
    /// Its numbers.
    pub numbers: Numbers,
    /// The Missing text (empty without `-m`).
    pub missing: String,
}

/// Everything a layout needs.
#[derive(Clone, Debug)]
pub struct Table {
    /// Whether the Branch and BrPart columns are shown.
    pub branches: bool,
    /// Whether the Missing column is shown.
    pub show_missing: bool,
    /// Decimals of the percentages.
    pub precision: usize,
    /// The shown rows, sorted.
    pub rows: Vec<Row>,
    /// Sums over every file, including skipped ones.
    pub total: Numbers,
    /// Rows left out by `--skip-covered`.
    pub skipped_covered: usize,
    /// Rows left out by `--skip-empty`.
    pub skipped_empty: usize,
}

impl Table {
    /// The rows of `selection`: skipped as `options` say, sorted, with
    /// the Missing text when `-m` asks for it. The TOTAL is the
    /// selection's (skipped files count).
    pub fn build(selection: &Selection, options: &ReportOptions) -> Result<Table> {
        let branches = selection.branch_coverage();
        let mut rows = Vec::new();
        let mut skipped_covered = 0;
        let mut skipped_empty = 0;
        for f in &selection.files {
            // coverage.py tests skip-covered before skip-empty.
            if options.skip_covered && f.is_fully_covered() {
                skipped_covered += 1;
                continue;
            }
            if options.skip_empty && f.is_empty() {
                skipped_empty += 1;
                continue;
            }
            let missing = if options.show_missing {
                f.analysis.missing_text()
            } else {
                String::new()
            };
            rows.push(Row {
                name: display_name(f.name),
                numbers: f.analysis.numbers,
                missing,
            });
        }
        sort::sort_rows(&mut rows, options.sort.as_deref(), branches)?;
        Ok(Table {
            branches,
            show_missing: options.show_missing,
            precision: options.precision,
            rows,
            total: selection.total,
            skipped_covered,
            skipped_empty,
        })
    }

    /// True when there is nothing to show: coverage.py's "No data to report."
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.skipped_covered == 0 && self.skipped_empty == 0
    }

    /// The lines after the table: "N files skipped due to complete coverage." etc.
    fn end_lines(&self) -> String {
        let mut out = String::new();
        if self.skipped_covered > 0 {
            out.push('\n');
            out.push_str(&format!(
                "{} skipped due to complete coverage.\n",
                plural(self.skipped_covered, "file")
            ));
        }
        if self.skipped_empty > 0 {
            out.push('\n');
            out.push_str(&format!(
                "{} skipped.\n",
                plural(self.skipped_empty, "empty file")
            ));
        }
        out
    }

    /// The table in `format`.
    pub fn render(&self, format: TableFormat) -> String {
        match format {
            TableFormat::Text => text::render(self),
            TableFormat::Markdown => markdown::render(self),
            TableFormat::Total => format!("{}\n", self.total.display_covered(self.precision)),
            // Needs the data, not the table: see `summary::Summary`.
            TableFormat::Summary => String::new(),
        }
    }
}

fn plural(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// coverage.py replaces characters that are not printable with `?`.
pub(crate) fn display_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Left-justify in a width counted in characters, as Python's `ljust`.
pub(crate) fn ljust(text: &str, width: usize) -> String {
    let len = text.chars().count();
    let mut out = String::from(text);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(len)));
    out
}

/// Right-justify in a width counted in characters, as Python's `rjust`.
pub(crate) fn rjust(text: &str, width: usize) -> String {
    let len = text.chars().count();
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(len)).collect();
    out.push_str(text);
    out
}

/// The outcome of `--fail-under`.
#[derive(Clone, Debug, PartialEq)]
pub struct FailUnder {
    /// The total was below the minimum.
    pub failed: bool,
    /// coverage.py's message.
    pub message: String,
}

/// coverage.py's `--fail-under` check. The decimals `min` needs (its
/// shortest repr, as Python's `str(float)`) raise the precision of the
/// comparison: `80.5` compares at one decimal even with precision 0.
pub fn check_fail_under(total: &Numbers, min: f64, precision: usize) -> Result<FailUnder> {
    if !(0.0..=100.0).contains(&min) {
        return Err(Error::Usage(format!(
            "fail_under={} is invalid. Must be between 0 and 100.",
            crate::pyfmt::py_float_repr(min)
        )));
    }
    let decimals = if min == min.trunc() {
        0
    } else {
        format!("{min}")
            .split_once('.')
            .map(|(_, d)| d.len())
            .unwrap_or(0)
    };
    let p = precision.max(decimals);
    let pc = total.percent_covered();
    let rounded: f64 = format!("{pc:.p$}").parse().unwrap_or(pc);
    let (failed, shown) = if min == 100.0 {
        (pc != 100.0, total.display_covered(p))
    } else {
        (rounded < min, format!("{pc:.p$}"))
    };
    Ok(FailUnder {
        failed,
        message: format!("Coverage failure: total of {shown} is less than fail-under={min:.p$}"),
    })
}

/// Parse a `--fail-under` value as coverage.py's command line does (a float).
pub fn parse_fail_under(text: &str) -> Result<f64> {
    text.trim()
        .parse()
        .map_err(|_| Error::Usage(format!("--fail-under: {text:?} is not a number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total() -> Numbers {
        // 81.818...%: 29 statements, 7 missing, 10 branches, 3 missing... use spec's branch total.
        Numbers {
            statements: 29,
            missing: 7,
            branches: 10,
            missing_branches: 3,
            ..Default::default()
        }
    }

    #[test]
    fn fail_under_rounds_like_coveragepy() {
        let t = total(); // (22 + 7) / 39 = 74.36%
        let r = check_fail_under(&t, 80.0, 0).unwrap();
        assert!(r.failed);
        assert_eq!(
            r.message,
            "Coverage failure: total of 74 is less than fail-under=80"
        );
        assert!(!check_fail_under(&t, 74.0, 0).unwrap().failed);
        let r = check_fail_under(&t, 74.37, 0).unwrap();
        assert!(r.failed);
        assert_eq!(
            r.message,
            "Coverage failure: total of 74.36 is less than fail-under=74.37"
        );
        let r = check_fail_under(&t, 100.0, 0).unwrap();
        assert_eq!(
            r.message,
            "Coverage failure: total of 74 is less than fail-under=100"
        );
        assert_eq!(
            check_fail_under(&t, 101.0, 0).unwrap_err().to_string(),
            "fail_under=101.0 is invalid. Must be between 0 and 100."
        );
        // Python's str(74.30) is "74.3": one decimal, not two.
        let r = check_fail_under(&t, 74.30, 0).unwrap();
        assert_eq!(
            r.message,
            "Coverage failure: total of 74.4 is less than fail-under=74.3"
        );
        assert!(!r.failed);
    }
}
