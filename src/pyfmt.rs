//! Python's spellings, for output that must match coverage.py's byte for
//! byte: `repr()` of strings and floats, `json.dumps` strings, and
//! coverage.py's "human" file-name order.

use std::cmp::Ordering;
use std::fmt::Write as _;

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

/// Python's `repr()` of a float: the shortest round-trip digits, fixed
/// notation for exponents -4..16 (`70.0`, `73.91304347826087`), otherwise
/// `1e+16` / `1.5e-05`.
pub fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let sci = format!("{:e}", x.abs()); // "7.391304347826087e1"
    let (mantissa, exp) = sci.split_once('e').expect("LowerExp has an exponent");
    let exp: i32 = exp.parse().expect("exponent is a number");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let body = if exp >= 0 {
            let point = exp as usize + 1;
            if digits.len() <= point {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        };
        format!("{sign}{body}")
    } else {
        let mantissa = if digits.len() == 1 {
            digits
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{esign}{:02}", exp.abs())
    }
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii`):
/// everything outside printable ASCII as `\uXXXX`, lower-case hex.
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
    out
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
    fn float_repr_matches_python() {
        for (x, want) in [
            (73.91304347826087, "73.91304347826087"),
            (70.0, "70.0"),
            (100.0, "100.0"),
            (0.5, "0.5"),
            (63.1578947368421, "63.1578947368421"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000015, "1.5e-05"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.0, "0.0"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(py_float_repr(x), want, "{x}");
        }
    }

    #[test]
    fn strings_are_ascii_like_python() {
        assert_eq!(py_str("pkg/a.py"), "\"pkg/a.py\"");
        assert_eq!(
            py_str("é\"\\\u{1F600}"),
            "\"\\u00e9\\\"\\\\\\ud83d\\ude00\""
        );
        assert_eq!(py_str("\u{7f}"), "\"\\u007f\"");
    }
}
