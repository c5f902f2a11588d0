//! Cobertura XML as coverage.py's `coverage xml` (7.17.5) writes it:
//! minidom's `toprettyxml()` layout (tab indents, `<?xml version="1.0" ?>`,
//! attributes in coverage.py's order, empty elements as `<x/>`), packages
//! by directory (dotted, `.` for the top), classes per file, rates as
//! `%.4g` clamped away from 0 and 1, `condition-coverage` and
//! `missing-branches` on branch lines.
//!
//! Written by hand rather than with an XML crate: the output is a fixed,
//! small shape and must match minidom's whitespace byte for byte.
//!
//! Differences: `timestamp` is now; `version` is the inputs' coverage.py
//! version; `<source>` is [`ExportContext::source_dir`] (coverage.py: its
//! current directory). Non-Python files (see [`super::is_python`])
//! keep real hit counts and get `condition-coverage` from their generic
//! branches.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Export, ExportContext};
use crate::analysis::{SelectedFile, Selection};
use crate::error::Result;
use crate::pyfmt::human_cmp;

/// `--report xml`.
pub struct Cobertura;

const DTD_URL: &str =
    "https://raw.githubusercontent.com/cobertura/web/master/htdocs/xml/coverage-04.dtd";

impl Export for Cobertura {
    fn name(&self) -> &'static str {
        "XML"
    }

    fn render(&self, selection: &Selection, ctx: &ExportContext) -> Result<Vec<u8>> {
        Ok(render(selection, ctx).into_bytes())
    }
}

/// One `<class>`: a file, its line rates and one `<line>` per statement.
fn class_xml(f: &SelectedFile, class_name: &str, rel_name: &str, has_arcs: bool) -> String {
    let (file, a) = (f.file, &f.analysis);
    let n = &a.numbers;
    let python = super::is_python(f.name, file);
    let mut xml = String::new();
    let branch_rate = if has_arcs {
        rate(n.executed_branches(), n.branches)
    } else {
        "0".into()
    };
    let _ = writeln!(
        xml,
        "\t\t\t\t<class name=\"{}\" filename=\"{}\" complexity=\"0\" line-rate=\"{}\" branch-rate=\"{branch_rate}\">",
        attr(class_name),
        attr(rel_name),
        rate(n.executed(), n.statements),
    );
    xml.push_str("\t\t\t\t\t<methods/>\n");
    if a.statements.is_empty() {
        xml.push_str("\t\t\t\t\t<lines/>\n");
        xml.push_str("\t\t\t\t</class>\n");
        return xml;
    }
    let stats = a.branch_stats();
    xml.push_str("\t\t\t\t\t<lines>\n");
    for (line, hits) in &file.lines {
        // coverage.py writes executed or not; other producers' counts stay.
        let hits = if python { u64::from(*hits > 0) } else { *hits };
        let _ = write!(xml, "\t\t\t\t\t\t<line number=\"{line}\" hits=\"{hits}\"");
        if has_arcs {
            let stat = stats
                .get(line)
                .or_else(|| a.line_branches.get(line))
                .copied();
            if let Some((total, taken)) = stat {
                let _ = write!(
                    xml,
                    " branch=\"true\" condition-coverage=\"{}% ({taken}/{total})\"",
                    100 * taken / total.max(1)
                );
            }
            if let Some(missing) = a.missing_arcs.get(line) {
                let text: Vec<String> = missing
                    .iter()
                    .map(|b| {
                        if *b < 0 {
                            "exit".to_string()
                        } else {
                            b.to_string()
                        }
                    })
                    .collect();
                let _ = write!(xml, " missing-branches=\"{}\"", text.join(","));
            }
        }
        xml.push_str("/>\n");
    }
    xml.push_str("\t\t\t\t\t</lines>\n");
    xml.push_str("\t\t\t\t</class>\n");
    xml
}

/// The `<packages>` element, and the totals (lines, hits, branches,
/// branch hits) of the root element.
fn packages_xml(packages: &BTreeMap<String, Package>, has_arcs: bool) -> (String, [usize; 4]) {
    let mut body = String::new();
    let (mut lnum, mut lhits, mut bnum, mut bhits) = (0, 0, 0, 0);
    let mut names: Vec<&String> = packages.keys().collect();
    names.sort_by(|a, b| human_cmp(a, b).then(a.cmp(b)));
    if names.is_empty() {
        body.push_str("\t<packages/>\n");
    } else {
        body.push_str("\t<packages>\n");
        for name in names {
            let p = &packages[name];
            let _ = writeln!(
                body,
                "\t\t<package name=\"{}\" line-rate=\"{}\" branch-rate=\"{}\" complexity=\"0\">",
                attr(name),
                rate(p.hits, p.lines),
                if has_arcs {
                    rate(p.br_hits, p.branches)
                } else {
                    "0".into()
                }
            );
            body.push_str("\t\t\t<classes>\n");
            let mut classes: Vec<&(String, String)> = p.classes.iter().collect();
            classes.sort_by(|a, b| human_cmp(&a.0, &b.0).then(a.0.cmp(&b.0)));
            for (_, xml) in classes {
                body.push_str(xml);
            }
            body.push_str("\t\t\t</classes>\n");
            body.push_str("\t\t</package>\n");
            lnum += p.lines;
            lhits += p.hits;
            bnum += p.branches;
            bhits += p.br_hits;
        }
        body.push_str("\t</packages>\n");
    }

    (body, [lnum, lhits, bnum, bhits])
}

#[derive(Default)]
struct Package {
    classes: Vec<(String, String)>, // (rel_name, xml)
    hits: usize,
    lines: usize,
    br_hits: usize,
    branches: usize,
}

/// coverage.py's `rate`: "1" when all (or nothing) is hit, "0" when none,
/// else `%.4g` of the fraction clamped to [0.0001, 0.9999].
pub fn rate(hit: usize, num: usize) -> String {
    if num == 0 || hit == num {
        return "1".into();
    }
    if hit == 0 {
        return "0".into();
    }
    let frac = (hit as f64 / num as f64).clamp(0.0001, 0.9999);
    // %.4g in this range is fixed notation with 4 significant digits,
    // trailing zeros removed.
    let exp = frac.log10().floor() as i32;
    let decimals = (3 - exp).max(0) as usize;
    let text = format!("{frac:.decimals$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// minidom's attribute escaping.
fn attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
        .replace('>', "&gt;")
}

fn text_node(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// coverage.py's `neutralize_control`: control characters become `?`.
fn neutralize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The report of `selection`, as a string.
pub fn render(selection: &Selection, ctx: &ExportContext) -> String {
    let has_arcs = selection.branch_coverage();
    let mut sources: Vec<String> = Vec::new();
    let mut packages: BTreeMap<String, Package> = BTreeMap::new();
    for f in &selection.files {
        if ctx.report.skip_empty && f.is_empty() {
            continue;
        }
        let name = f.name.replace('\\', "/");
        let source = if crate::paths::is_absolute_anywhere(&name) {
            String::new()
        } else {
            ctx.source_dir.trim_end_matches('/').to_string()
        };
        if !sources.contains(&source) {
            sources.push(source);
        }
        let rel_name = neutralize(&name);
        let dirname = match rel_name.rfind('/') {
            Some(i) if i > 0 => &rel_name[..i],
            Some(_) => "/",
            None => ".",
        };
        let class_name = if dirname == "." {
            rel_name.clone()
        } else {
            rel_name[dirname.len()..]
                .trim_start_matches('/')
                .to_string()
        };
        let package = packages.entry(dirname.replace('/', ".")).or_default();
        let n = &f.analysis.numbers;
        let (branches, br_hits) = if has_arcs {
            (n.branches, n.executed_branches())
        } else {
            (0, 0)
        };
        let xml = class_xml(f, &class_name, &rel_name, has_arcs);
        package.classes.push((rel_name, xml));
        package.hits += n.executed();
        package.lines += n.statements;
        package.br_hits += br_hits;
        package.branches += branches;
    }

    let (body, [lnum, lhits, bnum, bhits]) = packages_xml(&packages, has_arcs);

    let mut out = String::from("<?xml version=\"1.0\" ?>\n");
    let _ = write!(
        out,
        "<coverage version=\"{}\" timestamp=\"{}\" lines-valid=\"{lnum}\" lines-covered=\"{lhits}\" line-rate=\"{}\"",
        attr(&ctx.version),
        ctx.now_ms,
        rate(lhits, lnum)
    );
    if has_arcs {
        let _ = write!(
            out,
            " branches-valid=\"{bnum}\" branches-covered=\"{bhits}\" branch-rate=\"{}\"",
            rate(bhits, bnum)
        );
    } else {
        out.push_str(" branches-covered=\"0\" branches-valid=\"0\" branch-rate=\"0\"");
    }
    out.push_str(" complexity=\"0\">\n");
    match &ctx.producers {
        Some(producers) => {
            let _ = writeln!(
                out,
                "\t<!-- Generated by covmerge {} from: {} -->",
                env!("CARGO_PKG_VERSION"),
                super::provenance::comment_text(&producers.join(", "))
            );
        }
        None => {
            let _ = writeln!(
                out,
                "\t<!-- Generated by coverage.py: https://coverage.readthedocs.io/en/{} -->",
                ctx.version
            );
        }
    }
    let _ = writeln!(out, "\t<!-- Based on {DTD_URL} -->");
    sources.sort_by(|a, b| human_cmp(a, b).then(a.cmp(b)));
    if sources.is_empty() {
        out.push_str("\t<sources/>\n");
    } else {
        out.push_str("\t<sources>\n");
        for s in &sources {
            let _ = writeln!(out, "\t\t<source>{}</source>", text_node(&neutralize(s)));
        }
        out.push_str("\t</sources>\n");
    }
    out.push_str(&body);
    out.push_str("</coverage>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_like_coveragepy() {
        assert_eq!(rate(0, 0), "1");
        assert_eq!(rate(3, 3), "1");
        assert_eq!(rate(0, 3), "0");
        assert_eq!(rate(22, 29), "0.7586");
        assert_eq!(rate(1, 2), "0.5");
        assert_eq!(rate(1, 100_000), "0.0001");
        assert_eq!(rate(99_999, 100_000), "0.9999");
        assert_eq!(rate(1, 3), "0.3333");
        assert_eq!(rate(2, 3), "0.6667");
        assert_eq!(rate(1, 1000), "0.001");
    }
}
