//! The index page: the table's rows and numbers in the table's order, a
//! cover column per group beside the union, the platforms and the
//! workers that contributed.

use std::fmt::Write;

use super::seam::group_numbers;
use super::{esc, esc_attr, head, Report};
use crate::analysis::Numbers;
use crate::report::Table;

pub(crate) fn render(r: &Report) -> String {
    let table = &r.selection.table;
    let mut o = head(&r.title);
    o.push_str("<body class=\"index\">\n<header>\n");
    let _ = writeln!(
        o,
        "<h1>{}: <span class=\"pc\">{}</span></h1>",
        esc(&r.title),
        pc(&table.total, table)
    );
    platforms(&mut o, &r.ctx.platforms);
    workers(&mut o, r);
    legend(&mut o, r);
    o.push_str(
        "<p class=\"tools\"><label hidden>Filter by name: <input id=\"filter\" type=\"search\" \
         autocomplete=\"off\"></label></p>\n</header>\n<main>\n",
    );
    o.push_str("<table id=\"files\" class=\"files\">\n");
    header_row(&mut o, r);
    file_rows(&mut o, r);
    total_row(&mut o, r);
    o.push_str("</table>\n");
    if table.skipped_covered > 0 {
        let _ = writeln!(
            o,
            "<p class=\"skipped\">{} skipped due to complete coverage.</p>",
            plural(table.skipped_covered, "file")
        );
    }
    if table.skipped_empty > 0 {
        let _ = writeln!(
            o,
            "<p class=\"skipped\">{} skipped.</p>",
            plural(table.skipped_empty, "empty file")
        );
    }
    o.push_str("</main>\n");
    footer(&mut o, r);
    o.push_str("</body>\n</html>\n");
    o
}

/// A cover percentage as the table shows it.
fn pc(n: &Numbers, table: &Table) -> String {
    format!("{}%", n.display_covered(table.precision))
}

/// The table's columns, a cover column per group, then Missing.
fn header_row(o: &mut String, r: &Report) {
    let table = &r.selection.table;
    o.push_str("<thead><tr><th class=\"name\" data-type=\"s\">Name</th>");
    let mut cols = vec!["Stmts", "Miss"];
    if table.branches {
        cols.extend(["Branch", "BrPart"]);
    }
    for c in &cols {
        let _ = write!(o, "<th class=\"num\">{c}</th>");
    }
    o.push_str("<th class=\"num pc\">Cover</th>");
    for (short, full) in r.groups.short.iter().zip(&r.groups.names) {
        let _ = write!(
            o,
            "<th class=\"num grp\" title=\"{}\">{}</th>",
            esc_attr(full),
            esc(short)
        );
    }
    if table.show_missing {
        o.push_str("<th class=\"missing\" data-type=\"s\">Missing</th>");
    }
    o.push_str("</tr></thead>\n");
}

/// A row's number cells and its cover cell (sortable by `data-v`).
fn number_cells(o: &mut String, n: &Numbers, table: &Table) {
    let mut values = vec![n.statements, n.missing];
    if table.branches {
        values.extend([n.branches, n.partial_branches]);
    }
    for v in values {
        let _ = write!(o, "<td class=\"num\" data-v=\"{v}\">{v}</td>");
    }
    let _ = write!(
        o,
        "<td class=\"num pc\" data-v=\"{}\">{}</td>",
        n.percent_covered(),
        pc(n, table)
    );
}

/// A group's cover cell.
fn group_cell(o: &mut String, n: &Numbers, table: &Table) {
    let _ = write!(
        o,
        "<td class=\"num grp\" data-v=\"{}\">{}</td>",
        n.percent_covered(),
        pc(n, table)
    );
}

/// One row per shown file, in the table's order, linked to its page.
fn file_rows(o: &mut String, r: &Report) {
    let table = &r.selection.table;
    o.push_str("<tbody>\n");
    for (i, f) in r.selection.files.iter().enumerate() {
        let _ = write!(
            o,
            "<tr class=\"file\"><td class=\"name\"><a href=\"{}\">{}</a></td>",
            r.pages[i],
            esc(f.name)
        );
        number_cells(o, &f.numbers, table);
        for g in &r.groups.names {
            let numbers = group_numbers(f.file, f.analysis, f.file.covered_by.get(g));
            group_cell(o, &numbers, table);
        }
        if table.show_missing {
            let _ = write!(o, "<td class=\"missing\">{}</td>", esc(&f.missing));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n");
}

/// The TOTAL row; each group's total counts every file the TOTAL counts,
/// shown or skipped.
fn total_row(o: &mut String, r: &Report) {
    let table = &r.selection.table;
    o.push_str("<tfoot><tr class=\"total\"><td class=\"name\">TOTAL</td>");
    number_cells(o, &table.total, table);
    for g in &r.groups.names {
        let mut total = Numbers::default();
        for (file, analysis) in &r.selection.kept {
            total += group_numbers(file, analysis, file.covered_by.get(g));
        }
        group_cell(o, &total, table);
    }
    if table.show_missing {
        o.push_str("<td class=\"missing\"></td>");
    }
    o.push_str("</tr></tfoot>\n");
}

fn plural(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// pytest-cov's header, as a list.
fn platforms(o: &mut String, platforms: &[String]) {
    match platforms {
        [] => {}
        [one] => {
            let _ = writeln!(o, "<p class=\"platforms\">coverage: {}</p>", esc(one));
        }
        many => {
            o.push_str("<p class=\"platforms\">coverage:</p>\n<ul class=\"platforms\">\n");
            for p in many {
                let _ = writeln!(o, "<li>{}</li>", esc(p));
            }
            o.push_str("</ul>\n");
        }
    }
}

fn workers(o: &mut String, r: &Report) {
    let sources = &r.data.sources;
    if sources.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<details class=\"workers\"><summary>{} contributed</summary>\n\
         <table class=\"workers\"><thead><tr><th>Host</th><th>Worker</th><th>Platform</th>\
         <th>Mode</th><th>Recorded</th><th>From</th></tr></thead><tbody>",
        plural(sources.len(), "worker")
    );
    let opt = |v: &Option<String>| esc(v.as_deref().unwrap_or("-"));
    for s in sources {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            opt(&s.host),
            opt(&s.worker),
            opt(&s.platform),
            s.mode.as_str(),
            opt(&s.created),
            opt(&s.producer)
        );
    }
    o.push_str("</tbody></table></details>\n");
}

/// Which column is which group, when the headings are shortened.
fn legend(o: &mut String, r: &Report) {
    if r.groups.names.is_empty() {
        return;
    }
    let dimension = r.data.attribution.as_deref().unwrap_or("platform");
    let _ = write!(
        o,
        "<p class=\"legend\">Cover per {}, beside the union (Cover):",
        esc(dimension)
    );
    for (short, full) in r.groups.short.iter().zip(&r.groups.names) {
        if short == full {
            let _ = write!(o, " <span class=\"g\">{}</span>", esc(full));
        } else {
            let _ = write!(
                o,
                " <span class=\"g\"><b>{}</b> = {}</span>",
                esc(short),
                esc(full)
            );
        }
    }
    o.push_str("</p>\n");
}

pub(crate) fn footer(o: &mut String, r: &Report) {
    let secs = (r.ctx.now_ms / 1000) as u64;
    let _ = writeln!(
        o,
        "<footer>Created by covmerge {} at {}. Keys: <kbd>/</kbd> filter on the index; \
         <kbd>j</kbd>/<kbd>k</kbd> next/previous missing, partial or partly run line, \
         <kbd>[</kbd>/<kbd>]</kbd> previous/next file, <kbd>u</kbd> index on a file page.</footer>",
        env!("CARGO_PKG_VERSION"),
        crate::output::rfc3339(secs)
    );
}
