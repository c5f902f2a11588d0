//! Row order (`--sort`), as coverage.py sorts its report.

use std::cmp::Ordering;

use super::Row;
use crate::error::{Error, Result};

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

/// coverage.py's "human" order: digit runs compare as numbers.
pub fn human_cmp(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (chunks(a), chunks(b));
    for (x, y) in pa.iter().zip(&pb) {
        let ord = match (x, y) {
            (Chunk::Digits(x), Chunk::Digits(y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            (Chunk::Text(x), Chunk::Text(y)) => x.cmp(y),
            // Python would raise comparing int with str; split() never
            // puts them at the same index, but be total anyway.
            (Chunk::Digits(_), Chunk::Text(_)) => Ordering::Less,
            (Chunk::Text(_), Chunk::Digits(_)) => Ordering::Greater,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    pa.len().cmp(&pb.len())
}

#[derive(Debug)]
enum Chunk<'a> {
    Text(&'a str),
    Digits(&'a str),
}

/// Python's `re.split(r"(\d+)", s)`: text and digit runs alternate,
/// starting and ending with (possibly empty) text.
fn chunks(s: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_digits = false;
    for (i, c) in s.char_indices() {
        let digit = c.is_ascii_digit();
        if digit != in_digits {
            out.push(if in_digits {
                Chunk::Digits(&s[start..i])
            } else {
                Chunk::Text(&s[start..i])
            });
            start = i;
            in_digits = digit;
        }
    }
    out.push(if in_digits {
        Chunk::Digits(&s[start..])
    } else {
        Chunk::Text(&s[start..])
    });
    if in_digits {
        out.push(Chunk::Text(""));
    }
    out
}

/// Python's `repr()` of a string, for messages that copy coverage.py's.
pub fn py_repr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_order_compares_numbers() {
        let mut names = vec!["mod10.py", "mod9.py", "Mod1.py", "mod9a.py", "a/b.py"];
        names.sort_by(|a, b| human_cmp(a, b));
        assert_eq!(
            names,
            vec!["Mod1.py", "a/b.py", "mod9.py", "mod9a.py", "mod10.py"]
        );
    }

    #[test]
    fn bad_sort_key_message() {
        let err = sort_rows(&mut [], Some("bogus"), false).unwrap_err();
        assert_eq!(err.to_string(), "Invalid sorting option: 'bogus'");
        assert!(sort_rows(&mut [], Some("branch"), false).is_err());
        assert!(sort_rows(&mut [], Some("-BrPart"), true).is_ok());
    }
}
