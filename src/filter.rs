//! `include` / `omit` file patterns, matched as coverage.py's reporting
//! matches them (`[report] include`, `[report] omit`, `--include`, `--omit`).
//!
//! coverage.py's rules (7.17.5, `files.py`):
//! - A pattern without any `/` or `\` matches that name in any directory
//!   (`unused.py` is read as `**/unused.py`).
//! - `/` matches either separator, `*` any run of characters but a
//!   separator, `?` one such character, `[a-f]` a character class, a
//!   leading `*/` or any `**/` any directories or none, and a trailing `/*`
//!   (or `/**`) *everything* below, at any depth. The whole name must match.
//! - A pattern that does not start with `*` or `?` is also tried made
//!   absolute against the current directory; coverage.py matches the
//!   absolute file name (or the relative one with `[run] relative_files`),
//!   so `pkg/unused.py` omits `pkg/unused.py` either way.
//! - `***`, `x**`, `**x`, `**/**` and a lone `[` or `]` are errors.
//! - Matching is case-sensitive except on Windows.

use crate::error::{Error, Result};
use crate::paths::{is_absolute_anywhere, normalize};
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
struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    fn new(pattern: &str) -> Result<Glob> {
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
        Ok(Glob { tokens })
    }

    fn matches(&self, name: &[char]) -> bool {
        full_match(&self.tokens, name, 0)
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

fn same(a: char, b: char) -> bool {
    if cfg!(windows) {
        a == b || a.to_lowercase().eq(b.to_lowercase())
    } else {
        a == b
    }
}

fn full_match(tokens: &[Token], s: &[char], si: usize) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return si == s.len();
    };
    match token {
        Token::AnyDirs => {
            (si..s.len()).any(|j| is_sep(s[j]) && full_match(rest, s, j + 1))
                || full_match(rest, s, si)
        }
        Token::SepRest => {
            si < s.len() && is_sep(s[si]) && !s[si + 1..].contains(&'\n') && rest.is_empty()
        }
        Token::Sep => si < s.len() && is_sep(s[si]) && full_match(rest, s, si + 1),
        Token::Star => {
            let mut j = si;
            loop {
                if full_match(rest, s, j) {
                    return true;
                }
                if j >= s.len() || is_sep(s[j]) {
                    return false;
                }
                j += 1;
            }
        }
        Token::One => si < s.len() && !is_sep(s[si]) && full_match(rest, s, si + 1),
        Token::Class { negated, items } => {
            let Some(&c) = s.get(si) else {
                return false;
            };
            let folded: Vec<char> = if cfg!(windows) {
                c.to_lowercase()
                    .chain(c.to_uppercase())
                    .chain([c])
                    .collect()
            } else {
                vec![c]
            };
            let inside = items
                .iter()
                .any(|(a, b)| folded.iter().any(|x| (*a..=*b).contains(x)));
            inside != *negated && full_match(rest, s, si + 1)
        }
        Token::Literal(l) => si < s.len() && same(s[si], *l) && full_match(rest, s, si + 1),
    }
}

/// A list of patterns; a name matches if any pattern matches it.
#[derive(Clone, Debug, Default)]
struct Matcher {
    globs: Vec<Glob>,
}

impl Matcher {
    /// coverage.py's `prep_patterns` + `GlobMatcher`.
    fn new(patterns: &[String], cwd: &str) -> Result<Matcher> {
        let mut globs = Vec::new();
        for p in patterns {
            globs.push(Glob::new(p)?);
            if !p.starts_with(['*', '?']) {
                globs.push(Glob::new(&absolute(p, cwd))?);
            }
        }
        Ok(Matcher { globs })
    }

    fn matches(&self, name: &str) -> bool {
        let chars: Vec<char> = name.chars().collect();
        self.globs.iter().any(|g| g.matches(&chars))
    }
}

fn absolute(path: &str, cwd: &str) -> String {
    if is_absolute_anywhere(path) || cwd.is_empty() {
        normalize(path)
    } else {
        normalize(&format!("{}/{path}", cwd.trim_end_matches('/')))
    }
}

/// Which files a report shows, from `include` and `omit` patterns.
#[derive(Clone, Debug, Default)]
pub struct FileFilter {
    include: Option<Matcher>,
    omit: Option<Matcher>,
    cwd: String,
    relative_files: bool,
}

impl FileFilter {
    /// `cwd` is the normalised directory the report is made in;
    /// `relative_files` is coverage.py's `[run] relative_files`, which
    /// decides whether names are matched as they are (relative) or made
    /// absolute first.
    pub fn new(
        include: &[String],
        omit: &[String],
        cwd: &str,
        relative_files: bool,
    ) -> Result<FileFilter> {
        let build = |patterns: &[String]| -> Result<Option<Matcher>> {
            if patterns.is_empty() {
                Ok(None)
            } else {
                Matcher::new(patterns, cwd).map(Some)
            }
        };
        Ok(FileFilter {
            include: build(include)?,
            omit: build(omit)?,
            cwd: cwd.to_string(),
            relative_files,
        })
    }

    /// Whether the combined file `name` is reported.
    pub fn keeps(&self, name: &str) -> bool {
        if self.include.is_none() && self.omit.is_none() {
            return true;
        }
        let target = if self.relative_files || is_absolute_anywhere(name) {
            name.to_string()
        } else {
            absolute(name, &self.cwd)
        };
        if let Some(include) = &self.include {
            if !include.matches(&target) {
                return false;
            }
        }
        !self.omit.as_ref().is_some_and(|omit| omit.matches(&target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn keeps(omit: &[&str], name: &str, relative_files: bool) -> bool {
        FileFilter::new(&[], &pats(omit), "/work/proj", relative_files)
            .unwrap()
            .keeps(name)
    }

    #[test]
    fn omit_patterns_follow_coveragepy() {
        for rel in [false, true] {
            assert!(!keeps(&["pkg/unused.py"], "pkg/unused.py", rel));
            assert!(keeps(&["pkg/unused.py"], "pkg/used.py", rel));
            assert!(!keeps(&["unused.py"], "pkg/sub/unused.py", rel));
            assert!(!keeps(&["*/unused.py"], "pkg/unused.py", rel));
            assert!(!keeps(&["pkg/*"], "pkg/sub/deep.py", rel));
            assert!(keeps(&["pkg/*.py"], "pkg/sub/deep.py", rel));
            assert!(!keeps(&["pkg/**/deep.py"], "pkg/deep.py", rel));
            assert!(!keeps(&["pkg/[a-c]*.py"], "pkg/compat.py", rel));
            assert!(keeps(&["pkg/[^a-c]*.py"], "pkg/compat.py", rel));
            // coverage.py matches relative names with relative_files on.
            assert_eq!(keeps(&["/work/proj/pkg/*"], "pkg/a.py", rel), rel);
            assert!(!keeps(&["*/tests/*"], "/elsewhere/tests/t.py", rel));
        }
        // A pattern starting with a wildcard is not made absolute, so with
        // absolute names (relative_files off) it must match from the root.
        assert!(keeps(&["?kg/*"], "pkg/a.py", false));
        assert!(!keeps(&["?kg/*"], "pkg/a.py", true));
        assert!(keeps(&["pkg/unused.py"], "PKG/unused.py", false) != cfg!(windows));
    }

    #[test]
    fn include_then_omit() {
        let f = FileFilter::new(&pats(&["pkg/*"]), &pats(&["*/unused.py"]), "/w", false).unwrap();
        assert!(f.keeps("pkg/a.py"));
        assert!(!f.keeps("pkg/unused.py"));
        assert!(!f.keeps("tests/t.py"));
    }

    #[test]
    fn bad_patterns_use_coveragepy_words() {
        for (p, bad) in [
            ("a/***/b", "'***'"),
            ("a/b**", "'b**'"),
            ("a/**b", "'**b'"),
            ("a/**/**/x", "'**/**'"),
            ("a/[b", "'['"),
            ("a/b]", "']'"),
        ] {
            let err = FileFilter::new(&[], &pats(&[p]), "/w", false).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("File pattern can't include {bad}"),
                "{p}"
            );
        }
    }
}
