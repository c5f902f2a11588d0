//! Row order (`--sort`), as coverage.py sorts its report.

use std::cmp::Ordering;

use super::Row;
use crate::error::{Error, Result};
use crate::pyfmt::{human_cmp, py_repr};

/// Sort rows in place. `None` sorts by name.
pub fn sort_rows(rows: &mut [Row], sort: Option<&str>, branches: bool) -> Result<()> {
    let original = sort.unwrap_or("name");
    let lower = original.to_lowercase();
    let (reverse, key) = match lower.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, lower.strip_prefix('+').unwrap_or(&lower).to_string()),
    };
    let invalid = || Error::Usage(format!("Invalid sorting option: {}", py_repr(original)));
    let column: fn(&Row) -> f64 = match key.as_str() {
        "name" => {
            rows.sort_by(|a, b| {
                let ord = human_cmp(&a.name, &b.name).then_with(|| a.name.cmp(&b.name));
                if reverse {
                    ord.reverse()
                } else {
                    ord
                }
            });
            return Ok(());
        }
        "stmts" => |r| r.numbers.statements as f64,
        "miss" => |r| r.numbers.missing as f64,
        "cover" => |r| r.numbers.percent_covered(),
        "branch" if branches => |r| r.numbers.branches as f64,
        "brpart" if branches => |r| r.numbers.partial_branches as f64,
        _ => return Err(invalid()),
    };
    rows.sort_by(|a, b| {
        let ord = column(a)
            .partial_cmp(&column(b))
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.name.cmp(&b.name));
        if reverse {
            ord.reverse()
        } else {
            ord
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_sort_key_message() {
        let err = sort_rows(&mut [], Some("bogus"), false).unwrap_err();
        assert_eq!(err.to_string(), "Invalid sorting option: 'bogus'");
        assert!(sort_rows(&mut [], Some("branch"), false).is_err());
        assert!(sort_rows(&mut [], Some("-BrPart"), true).is_ok());
    }
}
