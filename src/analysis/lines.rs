//! Line lists as coverage.py writes them: `format_lines`' ranges of
//! statements and `a->b` arcs. The Missing column and the platform diff
//! both use these, so they read the same way.

use std::collections::BTreeSet;

/// One item of a line list: its sort position (the first line) and text.
pub type Item = (u32, String);

/// Runs of consecutive statements that are all in `lines`, as `a` or
/// `a-b`. A run spans only statements: non-statement lines between two
/// listed statements do not break it.
pub fn ranges<'a>(
    statements: impl IntoIterator<Item = &'a u32>,
    lines: &BTreeSet<u32>,
) -> Vec<Item> {
    let mut out = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    for &stmt in statements {
        if lines.contains(&stmt) {
            run = Some(match run {
                Some((start, _)) => (start, stmt),
                None => (stmt, stmt),
            });
        } else if let Some((start, end)) = run.take() {
            out.push((start, range_text(start, end)));
        }
    }
    if let Some((start, end)) = run {
        out.push((start, range_text(start, end)));
    }
    out
}

/// `2->4`, or `8->exit` for an arc that leaves the code object.
pub fn arc_text(from: u32, to: i64) -> String {
    if to > 0 {
        format!("{from}->{to}")
    } else {
        format!("{from}->exit")
    }
}

/// The items in line order (then text), joined with `, `.
pub fn join(mut items: Vec<Item>) -> String {
    items.sort();
    items
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(", ")
}

fn range_text(start: u32, end: u32) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_skip_non_statements() {
        let statements: BTreeSet<u32> = [1, 2, 5, 6, 9].into_iter().collect();
        let lines: BTreeSet<u32> = [2, 5, 9].into_iter().collect();
        assert_eq!(join(ranges(&statements, &lines)), "2-5, 9");
        assert_eq!(arc_text(3, -1), "3->exit");
    }
}
