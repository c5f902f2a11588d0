//! One page per file: the source with line numbers and coverage.py's HTML
//! marking (run, missing, excluded, partial with the missing branch
//! destinations), and per line which groups ran it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::seam::group_numbers;
use super::source::{self, Source};
use super::{esc, esc_attr, head, Report};
use crate::analysis::FileAnalysis;
use crate::model::FileCoverage;

/// More groups than this get a "k of N" mark instead of names.
const MAX_NAMED: usize = 4;

/// The page's head: navigation, the file's numbers, per-group numbers and
/// the view toggle, the Missing text.
fn page_header(r: &Report, i: usize) -> String {
    let f = &r.selection.files[i];
    let file = f.file;
    let precision = r.selection.table.precision;
    let n = &f.numbers;
    let pc = format!("{}%", n.display_covered(precision));
    let mut o = head(&format!("{}: {} {pc}", r.title, f.name));
    o.push_str("<body class=\"file\">\n<header>\n<nav>");
    let _ = write!(o, "<a id=\"up\" href=\"index.html\">&#8593; index</a>");
    if i > 0 {
        let _ = write!(
            o,
            " <a id=\"prev\" href=\"{}\">&#8592; previous file</a>",
            r.pages[i - 1]
        );
    }
    if i + 1 < r.pages.len() {
        let _ = write!(
            o,
            " <a id=\"next\" href=\"{}\">next file &#8594;</a>",
            r.pages[i + 1]
        );
    }
    o.push_str("</nav>\n");
    let _ = writeln!(
        o,
        "<h1>Coverage for <b>{}</b>: <span class=\"pc\">{pc}</span></h1>",
        esc(f.name)
    );
    let _ = write!(
        o,
        "<p class=\"stats\"><span class=\"key run\">{} run</span> \
         <span class=\"key mis\">{} missing</span> <span class=\"key exc\">{} excluded</span>",
        n.executed(),
        n.missing,
        n.excluded
    );
    if r.selection.table.branches {
        let _ = write!(
            o,
            " <span class=\"key par\">{} partial</span> <span class=\"nums\">{} branches, {} missing</span>",
            n.partial_branches, n.branches, n.missing_branches
        );
    }
    o.push_str("</p>\n");

    // Per-group numbers and the view toggle (the script unhides it).
    let groups = &r.groups;
    if !groups.names.is_empty() {
        o.push_str("<p class=\"groups\">");
        for (short, full) in groups.short.iter().zip(&groups.names) {
            let g = group_numbers(file, f.analysis, file.covered_by.get(full));
            let _ = write!(
                o,
                "<span class=\"g\" title=\"{}\">{}: {}%</span> ",
                esc_attr(full),
                esc(short),
                g.display_covered(precision)
            );
        }
        o.push_str("</p>\n<p class=\"tools\"><label hidden>Show the view of: <select id=\"view\"><option value=\"\">all (the union)</option>");
        for (gi, (short, full)) in groups.short.iter().zip(&groups.names).enumerate() {
            let _ = write!(
                o,
                "<option value=\"{gi}\" title=\"{}\">{}</option>",
                esc_attr(full),
                esc(short)
            );
        }
        o.push_str("</select></label></p>\n");
    }
    if !f.missing.is_empty() {
        let _ = writeln!(o, "<p class=\"missing\">Missing: {}</p>", esc(&f.missing));
    }

    o
}

/// The source text when it is here and is what the workers ran; otherwise
/// a notice on the page, and the measured lines are shown without text.
fn source_text(o: &mut String, r: &Report, f: &super::seam::Selected) -> Option<Vec<String>> {
    let file = f.file;
    let last_line = file
        .lines
        .keys()
        .chain(file.excluded.iter())
        .copied()
        .max()
        .unwrap_or(0);
    let root = r.ctx.html.source_root.as_deref();
    let text = match source::load(root, f.name, &file.source_hashes, last_line) {
        Source::Text(lines) => Some(lines),
        Source::Missing(path) => {
            let _ = writeln!(
                o,
                "<p class=\"notice\">Source not shown: no file {} here{}. The marks below are the measured lines.</p>",
                esc(&path.to_string_lossy()),
                if root.is_none() { " (see --source-root)" } else { "" }
            );
            None
        }
        Source::Changed { path, why } => {
            let _ = writeln!(
                o,
                "<p class=\"notice\">Source not shown: {} is not the code that was measured: {}. \
                 The marks below are the measured lines.</p>",
                esc(&path.to_string_lossy()),
                esc(&why)
            );
            None
        }
    };
    if file.source_hashes.len() > 1 {
        let _ = writeln!(
            o,
            "<p class=\"notice\">The workers ran {} different versions of this file.</p>",
            file.source_hashes.len()
        );
    }
    text
}

/// What every row of one page needs.
struct Rows<'a> {
    r: &'a Report<'a>,
    file: &'a FileCoverage,
    a: &'a FileAnalysis,
    text: Option<&'a [String]>,
    hits: bool,
    /// Generic (LCOV) branches by line: (label, taken).
    generic: BTreeMap<u32, Vec<(String, bool)>>,
}

impl<'a> Rows<'a> {
    fn new(
        r: &'a Report<'a>,
        file: &'a FileCoverage,
        a: &'a FileAnalysis,
        text: Option<&'a [String]>,
        hits: bool,
    ) -> Rows<'a> {
        let mut generic: BTreeMap<u32, Vec<(String, bool)>> = BTreeMap::new();
        for ((line, block, branch), taken) in &file.branches {
            generic
                .entry(*line)
                .or_default()
                .push((format!("{block}/{branch}"), taken.unwrap_or(0) > 0));
        }
        Rows {
            r,
            file,
            a,
            text,
            hits,
            generic,
        }
    }

    /// Every line of the source, or the measured lines without it.
    fn line_numbers(&self) -> Vec<u32> {
        match self.text {
            Some(t) => (1..=t.len() as u32).collect(),
            None => self
                .file
                .lines
                .keys()
                .chain(self.file.excluded.iter())
                .copied()
                .collect::<BTreeSet<u32>>()
                .into_iter()
                .collect(),
        }
    }

    /// The groups that ran `line`.
    fn covering(&self, line: u32) -> Vec<usize> {
        (self.r.groups.names.iter().enumerate())
            .filter(|(_, g)| {
                self.file
                    .covered_by
                    .get(*g)
                    .is_some_and(|c| c.lines.contains(&line))
            })
            .map(|(gi, _)| gi)
            .collect()
    }

    /// One `<tr>`: number, hits, text, group marks, branch notes.
    fn row(&self, o: &mut String, line: u32) {
        let (file, a, text, hits) = (self.file, self.a, self.text, self.hits);
        let generic = &self.generic;
        let missing_dsts = a.missing_arcs.get(&line);
        let generic_missing: Vec<&String> = generic
            .get(&line)
            .map(|v| v.iter().filter(|(_, t)| !t).map(|(l, _)| l).collect())
            .unwrap_or_default();
        let status = if a.missing.contains(&line) {
            "mis"
        } else if a.executed.contains(&line) {
            if missing_dsts.is_some() || !generic_missing.is_empty() {
                "par"
            } else {
                "run"
            }
        } else if a.excluded.contains(&line) {
            "exc"
        } else {
            "pln"
        };
        let mut classes = status.to_string();
        let mut data_g = String::new();
        let ran = status == "run" || status == "par";
        let line_groups = if ran { self.covering(line) } else { Vec::new() };
        let marks = self.group_marks(&line_groups, ran, &mut classes, &mut data_g);
        let annot = self.branch_notes(line, status, &line_groups, &mut classes, &mut data_g);
        let _ = write!(
            o,
            "<tr id=\"t{line}\" class=\"{classes}\"{data_g}><td class=\"n\"><a href=\"#t{line}\">{line}</a></td>"
        );
        if hits {
            match file.lines.get(&line) {
                Some(h) => {
                    let _ = write!(o, "<td class=\"hits\">{h}</td>");
                }
                None => o.push_str("<td class=\"hits\"></td>"),
            }
        }
        let code = text
            .as_ref()
            .and_then(|t| t.get(line as usize - 1))
            .map(|s| esc(s))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "<td class=\"t\">{code}</td><td class=\"g\">{marks}</td><td class=\"a\">{annot}</td></tr>"
        );
    }
    /// The "only 3.11.7" mark of a line that only some groups ran.
    fn group_marks(
        &self,
        line_groups: &[usize],
        ran: bool,
        classes: &mut String,
        data_g: &mut String,
    ) -> String {
        let groups = &self.r.groups;
        let all_groups = groups.names.len();
        let mut marks = String::new();
        if all_groups > 0 && ran {
            let by = line_groups.to_vec();
            if by.len() < all_groups {
                classes.push_str(" some");
                *data_g = format!(
                    " data-g=\"{}\"",
                    by.iter()
                        .map(|g| g.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                let names: Vec<&str> = by.iter().map(|g| groups.short[*g].as_str()).collect();
                let full: Vec<&str> = by.iter().map(|g| groups.names[*g].as_str()).collect();
                let shown = if by.is_empty() {
                    "no group".to_string()
                } else if by.len() <= MAX_NAMED {
                    format!("only {}", names.join(", "))
                } else {
                    format!("{} of {all_groups}", by.len())
                };
                let _ = write!(
                    marks,
                    "<span class=\"only\" title=\"run only on: {}\">{}</span>",
                    esc_attr(&full.join("; ")),
                    esc(&shown)
                );
            }
        }
        marks
    }

    /// A partial line's missed destinations, and the outcomes only some
    /// groups took.
    fn branch_notes(
        &self,
        line: u32,
        status: &str,
        line_groups: &[usize],
        classes: &mut String,
        data_g: &mut String,
    ) -> String {
        let (file, a, groups) = (self.file, self.a, &self.r.groups);
        let all_groups = groups.names.len();
        let missing_dsts = a.missing_arcs.get(&line);
        let generic_missing: Vec<&String> = (self.generic.get(&line))
            .map(|v| v.iter().filter(|(_, t)| !t).map(|(l, _)| l).collect())
            .unwrap_or_default();
        let mut annot = String::new();
        if status == "par" {
            let mut parts: Vec<String> = Vec::new();
            for to in missing_dsts.into_iter().flatten() {
                let (short, long) = destination(line, *to);
                parts.push(format!(
                    "<span class=\"dst\" title=\"{}\">{}</span>",
                    esc_attr(&long),
                    short
                ));
            }
            for label in &generic_missing {
                parts.push(format!(
                    "<span class=\"dst\" title=\"branch {} of line {line} was never taken\">branch {} not taken</span>",
                    esc_attr(label),
                    esc(label)
                ));
            }
            let _ = write!(annot, "didn't jump to {}", parts.join(", "));
        }
        // Branch outcomes taken on some groups only.
        if all_groups > 1 {
            if let Some(dsts) = a.executed_arcs.get(&line) {
                let mut some: Vec<String> = Vec::new();
                // Groups that ran the line but not all its taken outcomes:
                // partial in that group's view.
                let mut partial_for: BTreeSet<usize> = BTreeSet::new();
                for to in dsts {
                    let ids: Vec<usize> = (0..all_groups)
                        .filter(|gi| {
                            file.covered_by
                                .get(&groups.names[*gi])
                                .is_some_and(|c| c.arcs.contains(&(line, *to)))
                        })
                        .collect();
                    let by: Vec<&str> = ids.iter().map(|gi| groups.short[*gi].as_str()).collect();
                    // An arc taken by every group that ran its line says
                    // nothing the line's own mark does not.
                    if ids != line_groups {
                        partial_for.extend(line_groups.iter().filter(|g| !ids.contains(g)));
                        let who = if by.len() <= MAX_NAMED {
                            by.join(", ")
                        } else {
                            format!("{} of {all_groups}", by.len())
                        };
                        some.push(format!(
                            "<span class=\"somebr\">&#8594; {} only on {}</span>",
                            dest_text(*to),
                            esc(&who)
                        ));
                    }
                }
                if !some.is_empty() {
                    if !annot.is_empty() {
                        annot.push_str("; ");
                    }
                    annot.push_str(&some.join(", "));
                    if !classes.contains("some") {
                        classes.push_str(" somebr");
                    }
                }
                if !partial_for.is_empty() {
                    let list: Vec<String> = partial_for.iter().map(|g| g.to_string()).collect();
                    let _ = write!(data_g, " data-gp=\"{}\"", list.join(" "));
                }
            }
        }
        annot
    }
}

pub(crate) fn render(r: &Report, i: usize) -> String {
    let f = &r.selection.files[i];
    let file = f.file;
    let a = f.analysis;
    let mut o = page_header(r, i);
    let text = source_text(&mut o, r, f);
    let hits = file.lines.values().any(|h| *h > 1);
    o.push_str("</header>\n<main>\n<table class=\"src\">\n<thead><tr><th class=\"n\">line</th>");
    if hits {
        o.push_str("<th class=\"hits\">hits</th>");
    }
    o.push_str("<th class=\"t\">source</th><th class=\"g\">ran on</th><th class=\"a\">branches</th></tr></thead>\n<tbody>\n");

    let rows = Rows::new(r, file, a, text.as_deref(), hits);
    for line in rows.line_numbers() {
        rows.row(&mut o, line);
    }
    o.push_str("</tbody>\n</table>\n</main>\n");
    super::index::footer(&mut o, r);
    o.push_str("</body>\n</html>\n");
    o
}

/// A missing arc's destination: short text and coverage.py-like words.
fn destination(from: u32, to: i64) -> (String, String) {
    if to < 0 {
        (
            "exit".to_string(),
            format!(
                "line {from} didn't exit the code object that starts on line {}",
                -to
            ),
        )
    } else {
        (
            format!("<a href=\"#t{to}\">{to}</a>"),
            format!("line {from} didn't jump to line {to}"),
        )
    }
}

fn dest_text(to: i64) -> String {
    if to < 0 {
        "exit".to_string()
    } else {
        to.to_string()
    }
}
