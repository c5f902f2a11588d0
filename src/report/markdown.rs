//! The markdown table (`coverage report --format=markdown`).

use super::{ljust, rjust, Table};

/// coverage.py escapes ASCII punctuation other than `. , / -`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_punctuation() && !matches!(c, '.' | ',' | '/' | '-') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The table as `coverage report --format=markdown` prints it.
pub fn render(table: &Table) -> String {
    let precision = table.precision;
    let total_pc = table.total.display_covered(precision);
    let names: Vec<String> = table.rows.iter().map(|r| escape(&r.name)).collect();
    let name_width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max("**TOTAL**".len())
        + 1;
    let cover_width = (total_pc.len() + 6).max(7);

    let mut number_headers = vec!["Stmts", "Miss"];
    if table.branches {
        number_headers.extend(["Branch", "BrPart"]);
    }
    let mut header = format!("| {}|", ljust("Name", name_width));
    let mut cells = vec![format!("{} |", "-".repeat(name_width))];
    for h in &number_headers {
        let cell = format!("{} |", rjust(h, 9));
        cells.push(format!("{}: |", "-".repeat(cell.len() - 4)));
        header.push_str(&cell);
    }
    let cover_cell = format!("{} |", rjust("Cover", cover_width));
    cells.push(format!("{}: |", "-".repeat(cover_width + 2 - 4)));
    header.push_str(&cover_cell);
    if table.show_missing {
        header.push_str(&format!("{} |", rjust("Missing", 10)));
        cells.push(format!("{}: |", "-".repeat(12 - 4)));
    }
    let rule = format!("|{}", cells.join(" "));

    let mut out = String::new();
    out.push_str(header.trim_end());
    out.push('\n');
    out.push_str(rule.trim_end());
    out.push('\n');
    for (row, name) in table.rows.iter().zip(&names) {
        let n = &row.numbers;
        let mut line = format!("| {}|", ljust(name, name_width));
        let mut values = vec![n.statements, n.missing];
        if table.branches {
            values.extend([n.branches, n.partial_branches]);
        }
        for v in values {
            line.push_str(&format!("{} |", rjust(&escape(&v.to_string()), 9)));
        }
        let pc = escape(&n.display_covered(precision));
        line.push_str(&format!("{}% |", rjust(&pc, cover_width - 1)));
        if table.show_missing {
            line.push_str(&format!("{} |", rjust(&escape(&row.missing), 10)));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let t = &table.total;
    let mut line = format!("|{} |", ljust(" **TOTAL**", name_width));
    let mut values = vec![t.statements, t.missing];
    if table.branches {
        values.extend([t.branches, t.partial_branches]);
    }
    for v in values {
        line.push_str(&format!("{} |", rjust(&format!(" **{v}**"), 9)));
    }
    line.push_str(&format!(
        "{} |",
        rjust(&format!(" **{}%**", escape(&total_pc)), cover_width)
    ));
    if table.show_missing {
        line.push_str(&format!("{} |", rjust("", 10)));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out.push_str(&table.end_lines());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_coveragepy() {
        assert_eq!(escape("pkg/__init__.py"), r"pkg/\_\_init\_\_.py");
        assert_eq!(escape("2->4, 8"), r"2-\>4, 8");
    }
}
