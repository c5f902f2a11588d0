//! The plain-text table (`coverage report`).

use super::{ljust, rjust, Table};

/// The table as `coverage report` prints it.
pub fn render(table: &Table) -> String {
    let precision = table.precision;
    let total_pc = table.total.display_covered(precision);
    let name_width = table
        .rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(5)
        + 1;
    let row_pcs: Vec<String> = table
        .rows
        .iter()
        .map(|r| r.numbers.display_covered(precision))
        .collect();
    let cover_width = (total_pc.len() + 2)
        .max(6)
        .saturating_add(1)
        .max(row_pcs.iter().map(|p| p.len() + 2).max().unwrap_or(0));

    let mut header = ljust("Name", name_width);
    header.push_str(&rjust("Stmts", 7));
    header.push_str(&rjust("Miss", 7));
    if table.branches {
        header.push_str(&rjust("Branch", 7));
        header.push_str(&rjust("BrPart", 7));
    }
    header.push_str(&rjust("Cover", cover_width));
    if table.show_missing {
        header.push_str(&rjust("Missing", 10));
    }
    let rule = "-".repeat(header.chars().count());

    let line = |name: &str, n: &super::Numbers, pc: &str, missing: Option<&str>| -> String {
        let mut out = ljust(name, name_width);
        out.push_str(&rjust(&n.statements.to_string(), 7));
        out.push_str(&rjust(&n.missing.to_string(), 7));
        if table.branches {
            out.push_str(&rjust(&n.branches.to_string(), 7));
            out.push_str(&rjust(&n.partial_branches.to_string(), 7));
        }
        out.push_str(&rjust(pc, cover_width - 1));
        out.push('%');
        if let Some(missing) = missing {
            out.push_str("   ");
            out.push_str(&ljust(missing, 9));
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out
    };

    let mut out = String::new();
    out.push_str(header.trim_end());
    out.push('\n');
    out.push_str(&rule);
    out.push('\n');
    for (row, pc) in table.rows.iter().zip(&row_pcs) {
        let missing = table.show_missing.then_some(row.missing.as_str());
        out.push_str(&line(&row.name, &row.numbers, pc, missing));
        out.push('\n');
    }
    if !table.rows.is_empty() {
        out.push_str(&rule);
        out.push('\n');
    }
    let missing = table.show_missing.then_some("");
    out.push_str(&line("TOTAL", &table.total, &total_pc, missing));
    out.push('\n');
    out.push_str(&table.end_lines());
    out
}
