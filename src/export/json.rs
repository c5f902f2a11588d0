//! coverage.py's `coverage json` report, format 3, byte for byte as
//! coverage.py 7.17.5 writes it (`json.dump` without indent: `", "` and
//! `": "` separators, ASCII-only strings, no trailing newline).
//!
//! Differences: `meta.timestamp` is the UTC time (coverage.py writes local
//! time) and `meta.version` is the coverage.py version of the inputs, or
//! `covmerge <version>` with a `meta.producers` list when the inputs were
//! not all coverage.py's ([`super::provenance`]). `show_contexts` is always false.
//! Files without region data (from LCOV) get function regions rebuilt from
//! their LCOV functions and a single `""` class region
//! ([`crate::analysis::regions::regions`]).

use std::fmt::Write as _;

use super::{Export, ExportContext};
use crate::analysis::numbers::display_percent;
use crate::analysis::regions::regions;
use crate::analysis::{FileAnalysis, Numbers, Selection};
use crate::error::Result;
use crate::model::RegionKind;
use crate::pyfmt::{py_float_repr, py_str};

/// `--report json`.
pub struct Json;

impl Export for Json {
    fn name(&self) -> &'static str {
        "JSON"
    }

    fn render(&self, selection: &Selection, ctx: &ExportContext) -> Result<Vec<u8>> {
        Ok(render(selection, ctx).into_bytes())
    }
}

/// The report of `selection`, as a string.
pub fn render(selection: &Selection, ctx: &ExportContext) -> String {
    let branches = selection.branch_coverage();
    let precision = ctx.report.precision;
    let mut out = String::new();
    out.push_str("{\"meta\": {\"format\": 3, \"version\": ");
    out.push_str(&py_str(&ctx.version));
    out.push_str(", \"timestamp\": ");
    out.push_str(&py_str(&iso_timestamp(ctx.now_ms)));
    let _ = write!(
        out,
        ", \"branch_coverage\": {}, \"show_contexts\": false",
        py_bool(branches)
    );
    // Not coverage.py's key: only when the data is not one coverage.py's.
    if let Some(producers) = &ctx.producers {
        out.push_str(", \"producers\": [");
        for (i, p) in producers.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&py_str(p));
        }
        out.push(']');
    }
    out.push_str("}, \"files\": {");
    for (i, f) in selection.files.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&py_str(f.name));
        out.push_str(": ");
        body(&mut out, &f.analysis, branches, precision, None);
        for (kind, plural) in [
            (RegionKind::Function, "functions"),
            (RegionKind::Class, "classes"),
        ] {
            let _ = write!(out, ", \"{plural}\": {{");
            for (j, region) in regions(f.file, kind).iter().enumerate() {
                if j > 0 {
                    out.push_str(", ");
                }
                let narrowed = f.analysis.narrow(&region.lines, region.declared_branches);
                out.push_str(&py_str(&region.name));
                out.push_str(": ");
                body(
                    &mut out,
                    &narrowed,
                    branches,
                    precision,
                    Some(region.start_line),
                );
                out.push('}');
            }
            out.push('}');
        }
        out.push('}');
    }
    out.push_str("}, \"totals\": ");
    summary(&mut out, &selection.total, branches, precision);
    out.push('}');
    out
}

/// The keys a file and a region share, without the closing brace.
fn body(out: &mut String, a: &FileAnalysis, branches: bool, precision: usize, start: Option<u32>) {
    out.push_str("{\"executed_lines\": ");
    int_list(out, &a.executed);
    out.push_str(", \"summary\": ");
    summary(out, &a.numbers, branches, precision);
    out.push_str(", \"missing_lines\": ");
    int_list(out, &a.missing);
    out.push_str(", \"excluded_lines\": ");
    int_list(out, &a.excluded);
    if let Some(start) = start {
        let _ = write!(out, ", \"start_line\": {start}");
    }
    if branches {
        out.push_str(", \"executed_branches\": ");
        arc_list(out, &a.executed_arcs);
        out.push_str(", \"missing_branches\": ");
        arc_list(out, &a.missing_arcs);
    }
}

fn summary(out: &mut String, n: &Numbers, branches: bool, precision: usize) {
    let pc_statements = percent(n.executed(), n.statements);
    let _ = write!(
        out,
        "{{\"covered_lines\": {}, \"num_statements\": {}, \"percent_covered\": {}, \
         \"percent_covered_display\": \"{}\", \"missing_lines\": {}, \"excluded_lines\": {}, \
         \"percent_statements_covered\": {}, \"percent_statements_covered_display\": \"{}\"",
        n.executed(),
        n.statements,
        py_float_repr(n.percent_covered()),
        n.display_covered(precision),
        n.missing,
        n.excluded,
        py_float_repr(pc_statements),
        display_percent(pc_statements, precision),
    );
    if branches {
        let pc_branches = percent(n.executed_branches(), n.branches);
        let _ = write!(
            out,
            ", \"num_branches\": {}, \"num_partial_branches\": {}, \"covered_branches\": {}, \
             \"missing_branches\": {}, \"percent_branches_covered\": {}, \
             \"percent_branches_covered_display\": \"{}\"",
            n.branches,
            n.partial_branches,
            n.executed_branches(),
            n.missing_branches,
            py_float_repr(pc_branches),
            display_percent(pc_branches, precision),
        );
    }
    out.push('}');
}

/// coverage.py's `Numbers._percent`: 100.0 when there is nothing to cover.
fn percent(numerator: usize, denominator: usize) -> f64 {
    if denominator > 0 {
        (100.0 * numerator as f64) / denominator as f64
    } else {
        100.0
    }
}

fn int_list<'a>(out: &mut String, items: impl IntoIterator<Item = &'a u32>) {
    out.push('[');
    for (i, n) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{n}");
    }
    out.push(']');
}

fn arc_list(out: &mut String, arcs: &std::collections::BTreeMap<u32, Vec<i64>>) {
    out.push('[');
    let mut first = true;
    for (from, tos) in arcs {
        for to in tos {
            if !first {
                out.push_str(", ");
            }
            first = false;
            let _ = write!(out, "[{from}, {to}]");
        }
    }
    out.push(']');
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// Python's `datetime.isoformat()` of a UTC time: microseconds left out
/// when they are 0.
fn iso_timestamp(ms: u128) -> String {
    let secs = (ms / 1000) as u64;
    let micros = (ms % 1000) * 1000;
    let base = crate::output::rfc3339(secs);
    let base = base.trim_end_matches('Z');
    if micros == 0 {
        base.to_string()
    } else {
        format!("{base}.{micros:06}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(iso_timestamp(1_795_651_200_000), "2026-11-26T00:00:00");
        assert_eq!(
            iso_timestamp(1_795_651_200_125),
            "2026-11-26T00:00:00.125000"
        );
    }
}
