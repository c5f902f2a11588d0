//! coverage.py's file-path globs, one implementation for both places
//! coverage.py uses them: `[paths]` patterns (a matching prefix,
//! case-insensitive) and `include`/`omit` (the whole name; case-sensitive
//! except on Windows).
//!
//! The syntax (coverage.py 7.17.5, `files.py`):
//! - A pattern without any `/` or `\` matches that name in any directory
//!   (`unused.py` is read as `**/unused.py`).
//! - `/` matches either separator, `*` any run of characters but a
//!   separator, `?` one such character, `[a-f]` a character class, a
//!   leading `*/` or any `**/` any directories or none, and a trailing `/*`
//!   (or `/**`) *everything* below, at any depth.
//! - `***`, `x**`, `**x`, `**/**` and a lone `[` or `]` are errors.

use crate::error::{Error, Result};
use crate::report::sort::py_repr;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    /// `(.*[/\\])?`: any directories ending in a separator, or nothing.
    AnyDirs,
    /// `[/\\].*`: a separator and then anything at all.
    SepRest,
    Sep,
    Star,
    One,
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
    Literal(char),
}

/// One compiled glob pattern.
#[derive(Clone, Debug)]
pub struct Glob {
    tokens: Vec<Token>,
    case_insensitive: bool,
}

impl Glob {
    /// Compile `pattern`. Errors are coverage.py's words
    /// (`File pattern can't include '***'`).
    pub fn new(pattern: &str, case_insensitive: bool) -> Result<Glob> {
        let mut text = pattern.replace('\\', "/");
        if !text.contains('/') {
            text = format!("**/{text}");
        }
        let chars: Vec<char> = text.chars().collect();
        let mut tokens = Vec::new();
        let mut pos = 0;
        let refuse = |bad: &[char]| {
            let bad: String = bad.iter().collect();
            Error::Usage(format!("File pattern can't include {}", py_repr(&bad)))
        };
        while pos < chars.len() {
            let rest = &chars[pos..];
            let stars = rest.iter().take_while(|c| **c == '*').count();
            if stars >= 3 {
                return Err(refuse(&rest[..stars]));
            }
            // `[^/]+\*\*+`: something other than a separator glued before `**`.
            if let Some(end) = glued_before_double_star(rest) {
                return Err(refuse(&rest[..end]));
            }
            if stars == 2 {
                // `\*\*+[^/]+`: `**` glued before something.
                let glued = rest[2..].iter().take_while(|c| **c != '/').count();
                if glued > 0 {
                    return Err(refuse(&rest[..2 + glued]));
                }
                if rest[2..].starts_with(&['/', '*', '*']) {
                    return Err(refuse(&rest[..5]));
                }
            }
            if pos == 0 && stars > 0 && rest.get(stars) == Some(&'/') {
                tokens.push(Token::AnyDirs);
                pos += stars + 1;
                continue;
            }
            if rest[0] == '/' && rest.len() > 1 && rest[1..].iter().all(|c| *c == '*') {
                tokens.push(Token::SepRest);
                pos = chars.len();
                continue;
            }
            if stars == 2 && rest.get(2) == Some(&'/') {
                tokens.push(Token::AnyDirs);
                pos += 3;
                continue;
            }
            match rest[0] {
                '/' => tokens.push(Token::Sep),
                '*' => tokens.push(Token::Star),
                '?' => tokens.push(Token::One),
                '[' => match rest.iter().position(|c| *c == ']') {
                    Some(close) if close > 1 => {
                        tokens.push(class(&rest[1..close]));
                        pos += close + 1;
                        continue;
                    }
                    _ => return Err(refuse(&rest[..1])),
                },
                ']' => return Err(refuse(&rest[..1])),
                c => tokens.push(Token::Literal(c)),
            }
            pos += 1;
        }
        Ok(Glob {
            tokens,
            case_insensitive,
        })
    }

    /// Does the whole of `name` match (`include`/`omit`)?
    pub fn matches_whole(&self, name: &[char]) -> bool {
        self.match_from(0, name, 0, true).is_some()
    }

    /// The end of the prefix of `name` that matches (`[paths]`), found in
    /// the order Python's `re.match` tries: greedy first.
    pub fn match_prefix(&self, name: &[char]) -> Option<usize> {
        self.match_from(0, name, 0, false)
    }

    /// Backtracking match of tokens `ti..` against `s[si..]`, greedy
    /// first; with `whole`, only a match that ends at the end counts.
    fn match_from(&self, ti: usize, s: &[char], si: usize, whole: bool) -> Option<usize> {
        let Some(token) = self.tokens.get(ti) else {
            return (!whole || si == s.len()).then_some(si);
        };
        let next = |sj: usize| self.match_from(ti + 1, s, sj, whole);
        match token {
            Token::AnyDirs => {
                // `(.*[/\\])?`: the longest prefix ending in a separator first.
                (si..s.len())
                    .rev()
                    .filter(|j| is_sep(s[*j]))
                    .find_map(|j| next(j + 1))
                    .or_else(|| next(si))
            }
            Token::SepRest => {
                // `[/\\].*`: `.` stops at a newline.
                if si >= s.len() || !is_sep(s[si]) {
                    return None;
                }
                let end = s[si + 1..]
                    .iter()
                    .position(|c| *c == '\n')
                    .map_or(s.len(), |p| si + 1 + p);
                next(end)
            }
            Token::Star => {
                let run = s[si..].iter().take_while(|c| !is_sep(**c)).count();
                (si..=si + run).rev().find_map(next)
            }
            Token::Sep => s.get(si).filter(|c| is_sep(**c)).and_then(|_| next(si + 1)),
            Token::One => s
                .get(si)
                .filter(|c| !is_sep(**c))
                .and_then(|_| next(si + 1)),
            Token::Class { negated, items } => {
                let c = *s.get(si)?;
                let inside = if self.case_insensitive {
                    c.to_lowercase()
                        .chain(c.to_uppercase())
                        .chain([c])
                        .any(|x| items.iter().any(|(a, b)| (*a..=*b).contains(&x)))
                } else {
                    items.iter().any(|(a, b)| (*a..=*b).contains(&c))
                };
                (inside != *negated).then(|| next(si + 1)).flatten()
            }
            Token::Literal(l) => {
                let c = *s.get(si)?;
                let same =
                    c == *l || (self.case_insensitive && c.to_lowercase().eq(l.to_lowercase()));
                same.then(|| next(si + 1)).flatten()
            }
        }
    }
}

/// The end of a `[^/]+\*\*+` match at the start of `rest`, if any.
fn glued_before_double_star(rest: &[char]) -> Option<usize> {
    let run = rest.iter().take_while(|c| **c != '/').count();
    let part = &rest[..run];
    // Greedy `[^/]+` then `\*\*+`: the part must contain `**` after at
    // least one other character; the match ends after that run of stars.
    let mut i = part.len();
    while i >= 3 {
        if part[i - 1] == '*' && part[i - 2] == '*' {
            let mut start = i - 2;
            while start > 0 && part[start - 1] == '*' {
                start -= 1;
            }
            if start >= 1 {
                return Some(i);
            }
            // Only stars before: `\*+` alone, handled by the other rules,
            // unless a non-star appears earlier in the part.
            return None;
        }
        i -= 1;
    }
    None
}

fn class(body: &[char]) -> Token {
    let (negated, body) = match body.first() {
        Some('^') if body.len() > 1 => (true, &body[1..]),
        _ => (false, body),
    };
    let mut items = Vec::new();
    let mut k = 0;
    while k < body.len() {
        if k + 2 < body.len() && body[k + 1] == '-' {
            items.push((body[k], body[k + 2]));
            k += 3;
        } else {
            items.push((body[k], body[k]));
            k += 1;
        }
    }
    Token::Class { negated, items }
}

fn is_sep(c: char) -> bool {
    c == '/' || c == '\\'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn prefix_matches_are_greedy_like_python() {
        let g = Glob::new("*/src/", true).unwrap();
        assert_eq!(g.match_prefix(&chars("/a/src/b/src/x.py")), Some(13));
        assert_eq!(g.match_prefix(&chars("SRC/x.py")), Some(4));
        assert_eq!(g.match_prefix(&chars("/a/lib/x.py")), None);
        let sensitive = Glob::new("*/src/", false).unwrap();
        assert_eq!(sensitive.match_prefix(&chars("SRC/x.py")), None);
    }

    #[test]
    fn whole_matches_need_the_whole_name() {
        let g = Glob::new("pkg/*.py", false).unwrap();
        assert!(g.matches_whole(&chars("pkg/a.py")));
        assert!(!g.matches_whole(&chars("pkg/sub/a.py")));
        assert!(Glob::new("pkg/*", false)
            .unwrap()
            .matches_whole(&chars("pkg/sub/a.py")));
        assert!(Glob::new("a.py", false)
            .unwrap()
            .matches_whole(&chars("x/y/a.py")));
    }
}
