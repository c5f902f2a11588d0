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
use crate::pyfmt::py_repr;

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

/// One compiled glob pattern: coverage.py's tokens turned into a regular
/// expression, as coverage.py does, but for the `regex` crate, whose
/// matching time is linear in the name whatever the pattern (a
/// backtracking matcher takes exponential time on `**/a/**/a/**/b.py`
/// against a deep path).
#[derive(Clone, Debug)]
pub struct Glob {
    /// The regex for the tokens, without anchors or flags.
    rx: String,
    case_insensitive: bool,
    /// The literal characters (and separators) every match starts with:
    /// a name that does not start with them is turned down without the
    /// regex, which is then never compiled. `[paths]` sections list many
    /// rules (100,000 in a stress test) and a compile costs ~70 µs, so
    /// rules are compiled only when a name gets past this check.
    leading: Vec<Token>,
    /// The longest run of ASCII literal characters in the pattern: a match
    /// contains it (in any ASCII case when case-insensitive), so an
    /// ASCII name without it is turned down the same way (`host7` in
    /// `*/host7/src/`, where no leading literal helps).
    required: Option<String>,
    /// `^(?:rx)`: a prefix match, leftmost-first like Python's `re.match`.
    prefix: std::sync::OnceLock<Option<regex::Regex>>,
    /// `^(?:rx)\z`: the whole name.
    whole: std::sync::OnceLock<Option<regex::Regex>>,
}

impl Glob {
    /// Read `pattern` (compared in Unicode NFC, as every name is; see
    /// [`crate::names`]). Errors are coverage.py's words
    /// (`File pattern can't include '***'`).
    pub fn new(pattern: &str, case_insensitive: bool) -> Result<Glob> {
        // Far past any real path (Linux's PATH_MAX). The regex crate's
        // compile time grows faster than linearly with a pattern's length
        // (300,000 `?` take minutes), and within this length its default
        // size limit is never reached, so a compile cannot fail.
        if pattern.chars().count() > MAX_PATTERN_CHARS {
            return Err(Error::Usage(format!(
                "File pattern {} is longer than {MAX_PATTERN_CHARS} characters",
                shown(pattern)
            )));
        }
        let tokens = tokenize(&crate::names::nfc(pattern))?;
        let rx: String = tokens.iter().map(Token::regex).collect();
        let leading = tokens
            .iter()
            .take_while(|t| matches!(t, Token::Sep | Token::Literal(_)))
            .cloned()
            .collect();
        let required = longest_ascii_run(&tokens);
        Ok(Glob {
            rx,
            case_insensitive,
            leading,
            required: (!required.is_empty()).then_some(required),
            prefix: std::sync::OnceLock::new(),
            whole: std::sync::OnceLock::new(),
        })
    }

    /// Does the whole of `name` match (`include`/`omit`)?
    pub fn matches_whole(&self, name: &str) -> bool {
        self.may_match(name)
            && self
                .compiled(&self.whole, "\\z")
                .is_some_and(|r| r.is_match(name))
    }

    /// The end (a byte offset) of the prefix of `name` that matches
    /// (`[paths]`), the one Python's `re.match` finds: greedy first.
    pub fn match_prefix(&self, name: &str) -> Option<usize> {
        if !self.may_match(name) {
            return None;
        }
        self.compiled(&self.prefix, "")?.find(name).map(|m| m.end())
    }

    fn compiled<'a>(
        &self,
        cell: &'a std::sync::OnceLock<Option<regex::Regex>>,
        end: &str,
    ) -> Option<&'a regex::Regex> {
        cell.get_or_init(|| {
            let flags = if self.case_insensitive { "(?i)" } else { "" };
            // Cannot fail within MAX_PATTERN_CHARS (see `new` and the
            // test of the longest patterns); if it did, nothing matches.
            regex::Regex::new(&format!("{flags}^(?:{}){end}", self.rx)).ok()
        })
        .as_ref()
    }

    /// False when `name` cannot match: it does not start with the literal
    /// characters every match starts with. Only decides on ASCII, where
    /// case-insensitive means ASCII case; otherwise leaves it to the regex
    /// (Unicode case folding pairs `s` with `ſ` and `k` with the Kelvin sign).
    fn may_match(&self, name: &str) -> bool {
        let mut chars = name.chars();
        for token in &self.leading {
            let Some(c) = chars.next() else {
                return false;
            };
            let same = match token {
                Token::Sep => c == '/' || c == '\\',
                Token::Literal(l) if c == *l => true,
                Token::Literal(l) if !c.is_ascii() || !l.is_ascii() => return true,
                Token::Literal(l) => self.case_insensitive && c.eq_ignore_ascii_case(l),
                _ => return true,
            };
            if !same {
                return false;
            }
        }
        match &self.required {
            Some(needle) if name.is_ascii() => {
                if self.case_insensitive {
                    name.as_bytes()
                        .windows(needle.len())
                        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
                } else {
                    name.contains(needle.as_str())
                }
            }
            _ => true,
        }
    }
}

/// The longest run of ASCII `Literal` tokens, as written.
fn longest_ascii_run(tokens: &[Token]) -> String {
    let mut best = String::new();
    let mut run = String::new();
    for token in tokens.iter().chain([&Token::Sep]) {
        match token {
            Token::Literal(c) if c.is_ascii() => run.push(*c),
            _ => {
                if run.len() > best.len() {
                    best = std::mem::take(&mut run);
                }
                run.clear();
            }
        }
    }
    best
}

const MAX_PATTERN_CHARS: usize = 4096;

/// A pattern for a message: quoted, and cut after 60 characters.
fn shown(pattern: &str) -> String {
    match pattern.char_indices().nth(60) {
        Some((end, _)) => format!("{}...", py_repr(&pattern[..end])),
        None => py_repr(pattern),
    }
}

/// coverage.py's `_glob_to_regex` tokenizer, with its error texts.
fn tokenize(pattern: &str) -> Result<Vec<Token>> {
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
                    tokens.push(class(&rest[1..close]).map_err(|range| {
                        // coverage.py stops with Python's re.error here.
                        Error::Usage(format!(
                            "File pattern {}: bad character range {range}",
                            py_repr(pattern)
                        ))
                    })?);
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
    Ok(tokens)
}

impl Token {
    /// The token as `regex` syntax: coverage.py's regex for it.
    fn regex(&self) -> String {
        match self {
            Token::AnyDirs => r"(?:.*[/\\])?".to_string(),
            Token::SepRest => r"[/\\].*".to_string(),
            Token::Sep => r"[/\\]".to_string(),
            Token::Star => r"[^/\\]*".to_string(),
            Token::One => r"[^/\\]".to_string(),
            Token::Literal(c) => regex::escape(c.encode_utf8(&mut [0; 4])),
            Token::Class { negated, items } => {
                // Every item escaped: `regex` gives `&&`, `--`, `~~` and
                // `[` meanings inside classes that Python's `re` does not.
                let body: String = items
                    .iter()
                    .map(|(a, b)| {
                        let (a, b) = (a.to_string(), b.to_string());
                        format!("{}-{}", regex::escape(&a), regex::escape(&b))
                    })
                    .collect();
                format!("[{}{body}]", if *negated { "^" } else { "" })
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

/// A `[...]` class from its body; a reversed range (`z-a`) is an error.
fn class(body: &[char]) -> std::result::Result<Token, String> {
    let (negated, body) = match body.first() {
        Some('^') if body.len() > 1 => (true, &body[1..]),
        _ => (false, body),
    };
    let mut items = Vec::new();
    let mut k = 0;
    while k < body.len() {
        if k + 2 < body.len() && body[k + 1] == '-' {
            if body[k] > body[k + 2] {
                return Err(format!("{}-{}", body[k], body[k + 2]));
            }
            items.push((body[k], body[k + 2]));
            k += 3;
        } else {
            items.push((body[k], body[k]));
            k += 1;
        }
    }
    Ok(Token::Class { negated, items })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_matches_are_greedy_like_python() {
        let g = Glob::new("*/src/", true).unwrap();
        assert_eq!(g.match_prefix("/a/src/b/src/x.py"), Some(13));
        assert_eq!(g.match_prefix("SRC/x.py"), Some(4));
        assert_eq!(g.match_prefix("/a/lib/x.py"), None);
        let sensitive = Glob::new("*/src/", false).unwrap();
        assert_eq!(sensitive.match_prefix("SRC/x.py"), None);
    }

    #[test]
    fn whole_matches_need_the_whole_name() {
        let g = Glob::new("pkg/*.py", false).unwrap();
        assert!(g.matches_whole("pkg/a.py"));
        assert!(!g.matches_whole("pkg/sub/a.py"));
        assert!(Glob::new("pkg/*", false)
            .unwrap()
            .matches_whole("pkg/sub/a.py"));
        assert!(Glob::new("a.py", false).unwrap().matches_whole("x/y/a.py"));
    }

    /// Run `f` on another thread; fail if it takes longer than `limit`
    /// (so that a return of exponential matching fails instead of hanging).
    fn within<T: Send + 'static>(
        limit: std::time::Duration,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(f()));
        rx.recv_timeout(limit)
            .expect("glob matching took too long: it must be linear in the name")
    }

    #[test]
    fn nested_double_stars_match_deep_paths_in_linear_time() {
        // A backtracking matcher tries every way to split 120 directories
        // among five `**/`: tens of seconds for a name that cannot match.
        let deep = format!("{}c.py", "a/".repeat(120));
        let hit = format!("{}b.py", "a/".repeat(120));
        // `within` bounds the time (a backtracking matcher takes tens of
        // seconds); no tighter wall-clock bound, which would flake on a
        // busy machine.
        let (miss_whole, hit_whole, miss_prefix, hit_prefix) =
            within(std::time::Duration::from_secs(10), move || {
                let omit = Glob::new("**/a/**/a/**/a/**/a/**/a/**/b.py", false).unwrap();
                let rule = Glob::new("*/a/**/a/**/a/**/a/**/a/**/b/", true).unwrap();
                (
                    omit.matches_whole(&deep),
                    omit.matches_whole(&hit),
                    rule.match_prefix(&deep),
                    rule.match_prefix(&format!("{hit}/")),
                )
            });
        assert!(!miss_whole);
        assert!(hit_whole);
        assert_eq!(miss_prefix, None);
        assert_eq!(hit_prefix, None, "b.py is not the directory b/");
    }

    #[test]
    fn patterns_and_names_meet_in_nfc() {
        let composed = Glob::new("pkg/caf\u{e9}.py", false).unwrap();
        let decomposed = Glob::new("pkg/cafe\u{301}.py", false).unwrap();
        // Names reach globs in NFC (crate::paths, crate::filter).
        for g in [&composed, &decomposed] {
            assert!(g.matches_whole("pkg/caf\u{e9}.py"));
        }
        let rule = Glob::new("/Users/ren\u{e9}e/proj/", true).unwrap();
        assert_eq!(rule.match_prefix("/Users/REN\u{c9}E/proj/a.py"), Some(19));
    }

    #[test]
    fn classes_and_literals_are_escaped_for_the_regex() {
        let g = Glob::new("a/[.-]x(1)+.py", false).unwrap();
        assert!(g.matches_whole("a/.x(1)+.py"));
        assert!(g.matches_whole("a/-x(1)+.py"));
        assert!(!g.matches_whole("a/_x(1)+.py"));
        assert!(!g.matches_whole("a/.x11.py"));
        let reversed = Glob::new("a/[z-a].py", false).unwrap_err();
        assert_eq!(
            reversed.to_string(),
            "File pattern 'a/[z-a].py': bad character range z-a"
        );
        let insensitive = Glob::new("a/[a-c]b.py", true).unwrap();
        assert!(insensitive.matches_whole("A/BB.PY"));
    }

    /// What the real coverage.py said for each pattern and name
    /// (`testdata/globs-regen.sh`): the same errors, the same prefix ends,
    /// the same whole-name answers, case-sensitive and not.
    #[test]
    fn agrees_with_coveragepy_on_every_recorded_case() {
        let text = include_str!("../testdata/globs/cases.json");
        let data: serde_json::Value = serde_json::from_str(text).unwrap();
        let names: Vec<&str> = data["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        let mut checked = 0;
        let mut wrong = Vec::new();
        for case in data["cases"].as_array().unwrap() {
            let pattern = case["pattern"].as_str().unwrap();
            if let Some(error) = case["error"].as_str() {
                for ci in [false, true] {
                    let err = Glob::new(pattern, ci).unwrap_err();
                    assert_eq!(err.to_string(), error, "{pattern:?}");
                }
                continue;
            }
            if case["re_error"].is_string() {
                assert!(Glob::new(pattern, true).is_err(), "{pattern:?}");
                continue;
            }
            // coverage.py compares code points; covmerge compares NFC (a
            // decomposed pattern is the composed one here, by design).
            if crate::names::nfc(pattern) != pattern {
                continue;
            }
            let prefix = Glob::new(pattern, true).unwrap();
            let whole = Glob::new(pattern, false).unwrap();
            let whole_ci = &prefix;
            let ends = case["prefix"].as_array().unwrap();
            let bits = |key: &str| -> Vec<bool> {
                case[key]
                    .as_str()
                    .unwrap()
                    .chars()
                    .map(|c| c == '1')
                    .collect()
            };
            let (expect_whole, expect_whole_ci) = (bits("whole"), bits("whole_ci"));
            for (i, name) in names.iter().enumerate() {
                // One known difference: Python's `re` folds U+0130 (İ) to
                // `i` by its simple lowercase; `regex` uses Unicode case
                // folding, which has no such pair. (So did covmerge before.)
                if (pattern.contains('\u{130}') || name.contains('\u{130}'))
                    && pattern.to_lowercase().contains('i')
                {
                    checked += 1;
                    continue;
                }
                let end = prefix
                    .match_prefix(name)
                    .map(|b| name[..b].chars().count() as u64);
                if end != ends[i].as_u64() {
                    wrong.push(format!("prefix {pattern:?} {name:?}: {end:?}"));
                }
                if whole.matches_whole(name) != expect_whole[i] {
                    wrong.push(format!("whole {pattern:?} {name:?}"));
                }
                if whole_ci.matches_whole(name) != expect_whole_ci[i] {
                    wrong.push(format!("whole_ci {pattern:?} {name:?}"));
                }
                checked += 1;
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert!(checked > 2000, "only {checked} cases");
    }

    #[test]
    fn names_without_the_leading_literal_are_turned_down_before_any_compile() {
        let g = Glob::new("/ci/HOST7/w*/proj/", true).unwrap();
        assert_eq!(g.match_prefix("/ci/host8/w1/proj/a.py"), None);
        assert!(g.prefix.get().is_none(), "no regex was needed");
        let anywhere = Glob::new("*/Host7/src/", true).unwrap();
        assert_eq!(anywhere.match_prefix("/ci/host8/src/a.py"), None);
        assert!(!anywhere.matches_whole("/ci/host8/src/"));
        assert!(anywhere.prefix.get().is_none() && anywhere.whole.get().is_none());
        assert_eq!(anywhere.match_prefix("/ci/HOST7/src/a.py"), Some(14));
        let sensitive = Glob::new("*/Host7/*", false).unwrap();
        assert!(!sensitive.matches_whole("/ci/host7/a.py"));
        assert!(sensitive.matches_whole("/ci/Host7/a.py"));
        assert_eq!(g.match_prefix("\\CI\\host7\\w1\\proj\\a.py"), Some(18));
        // Unicode case folding is the regex's business.
        let k = Glob::new("/k/", true).unwrap();
        assert_eq!(k.match_prefix("/\u{212a}/a.py"), Some(5));
        let sensitive = Glob::new("/ci/", false).unwrap();
        assert!(!sensitive.matches_whole("/CI/"));
    }

    #[test]
    fn a_pattern_too_long_is_an_error_not_a_hang() {
        // The longest patterns of the costliest tokens still compile.
        for unit in ["?", "[^a]", "**/a/", "\u{e9}", "[a-z]"] {
            let n = (MAX_PATTERN_CHARS - 4) / unit.chars().count();
            let longest = format!("pkg/{}", unit.repeat(n));
            let g = Glob::new(&longest, true).unwrap();
            let start = std::time::Instant::now();
            assert!(g.compiled(&g.prefix, "").is_some(), "{unit}");
            assert!(g.compiled(&g.whole, "\\z").is_some(), "{unit}");
            assert!(start.elapsed() < std::time::Duration::from_secs(30));
        }
        let huge = format!("pkg/{}", "?".repeat(300_000));
        let err = Glob::new(&huge, true).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "File pattern 'pkg/{}'... is longer than 4096 characters",
                "?".repeat(56)
            )
        );
    }
}
