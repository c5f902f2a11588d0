//! Path normalisation and coverage.py-style `[paths]` aliases.
//!
//! Every file name from every input goes through [`PathMapper::map`], which
//! makes names from different workers comparable: separators become `/`,
//! `.` and `..` are collapsed, drive letters are upper-cased, `[paths]`
//! rules are applied, and a path under the worker's root (or under the
//! directory combine runs in) becomes relative to it. Names, roots and
//! rules are compared in Unicode NFC ([`crate::names::nfc`]).

use std::borrow::Cow;
use std::path::Path;

use crate::error::{Error, Result};
use crate::names::nfc;
use crate::pathglob::Glob;
pub use crate::pathtext::is_absolute_anywhere;

/// Lexically normalise a path as written by any OS: `\` -> `/`, repeated
/// separators and `.` removed, `..` collapsed where possible, drive letter
/// upper-cased. A UNC prefix (`//server/share`) is kept.
pub fn normalize(path: &str) -> String {
    if is_normal(path) {
        // Most names already are normal: no parts split and joined again
        // (two thirds of the mapping's cost).
        return path.to_string();
    }
    normalize_parts(path)
}

/// [`normalize`] the long way: every part looked at.
fn normalize_parts(path: &str) -> String {
    let unified = path.replace('\\', "/");
    let (prefix, rest) = split_prefix(&unified);
    let absolute = !prefix.is_empty();
    let mut parts: Vec<&str> = Vec::new();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(last) if *last != ".." => {
                    parts.pop();
                }
                // `..` above the root of an absolute path stays at the root.
                _ if absolute => {}
                _ => parts.push(".."),
            },
            _ => parts.push(part),
        }
    }
    let mut out = prefix;
    out.push_str(&parts.join("/"));
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Whether [`normalize`] would return `path` unchanged: not empty, no `\\`,
/// no drive letter or UNC prefix, no empty, `.` or `..` part (so no `//`
/// and no `/` at the end, except a lone `/`). A quick check that answers
/// no for anything unusual.
fn is_normal(path: &str) -> bool {
    let b = path.as_bytes();
    if b.is_empty() || b.get(1) == Some(&b':') || b.contains(&b'\\') {
        return false;
    }
    // Each part between separators, the first of an absolute path empty.
    let mut parts = path.split('/');
    if path.starts_with('/') {
        parts.next();
    }
    parts.all(|part| !matches!(part, "" | "." | ".."))
}

/// Split off the absolute prefix: `/`, `//server/share/`, or `X:/` (drive
/// letter upper-cased). Relative paths have an empty prefix.
fn split_prefix(path: &str) -> (String, &str) {
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        let rest = &path[2..];
        let drive = (bytes[0] as char).to_ascii_uppercase();
        return (format!("{drive}:/"), rest.trim_start_matches('/'));
    }
    if let Some(rest) = path.strip_prefix("//") {
        if !rest.starts_with('/') {
            // UNC: keep server and share as part of the prefix.
            let mut pieces = rest.splitn(3, '/');
            let server = pieces.next().unwrap_or("");
            let share = pieces.next().unwrap_or("");
            let tail = pieces.next().unwrap_or("");
            return (format!("//{server}/{share}/"), tail);
        }
    }
    if let Some(rest) = path.strip_prefix('/') {
        return ("/".to_string(), rest);
    }
    (String::new(), path)
}

/// Windows paths compare case-insensitively; POSIX paths do not.
fn is_windows_style(path: &str) -> bool {
    let b = path.as_bytes();
    (b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic()) || path.starts_with("//")
}

/// If normalised `path` lies under normalised `root`, the rest of it.
pub fn strip_root(path: &str, root: &str) -> Option<String> {
    let root = root.trim_end_matches('/');
    if root.is_empty() || root == "." {
        return None;
    }
    let head = path.get(..root.len())?;
    let same = if is_windows_style(root) {
        head.eq_ignore_ascii_case(root)
    } else {
        head == root
    };
    if !same {
        return None;
    }
    let rest = path[root.len()..].strip_prefix('/')?;
    if rest.is_empty() {
        None
    } else {
        Some(rest.to_string())
    }
}

/// One `pattern -> result` rule.
#[derive(Clone, Debug)]
struct Rule {
    original: String,
    glob: Glob,
    result: String,
}

/// An ordered list of `[paths]` rules, with coverage.py's glob syntax.
#[derive(Clone, Debug, Default)]
pub struct PathAliases {
    rules: Vec<Rule>,
}

/// The outcome of mapping one path.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapping {
    /// The path as written.
    pub path: String,
    /// The rule's pattern as the user wrote it.
    pub rule: String,
}

impl PathAliases {
    /// No rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Build rules from `[paths]` entries: in each entry the first value is
    /// the canonical result and every later value a pattern mapping to it.
    pub fn from_entries(entries: &[(String, Vec<String>)]) -> Result<Self> {
        let mut aliases = PathAliases::default();
        for (name, values) in entries {
            let Some((result, patterns)) = values.split_first() else {
                continue;
            };
            for pattern in patterns {
                aliases
                    .add(pattern, result)
                    .map_err(|e| Error::Usage(format!("[paths] {name}: {e}")))?;
            }
        }
        Ok(aliases)
    }

    /// Add one rule. Errors are coverage.py's: a pattern must not end with
    /// a wildcard, a result must not contain one.
    pub fn add(&mut self, pattern: &str, result: &str) -> std::result::Result<(), String> {
        let original = pattern.to_string();
        let mut pattern = pattern.replace('\\', "/");
        if pattern.len() > 1 {
            pattern = pattern.trim_end_matches('/').to_string();
        }
        if pattern.ends_with('*') {
            return Err(format!(
                "pattern {original:?}: Pattern must not end with wildcards."
            ));
        }
        if result.contains('*') || result.contains('?') {
            return Err(format!(
                "Result path must not contain wildcards: {result:?}"
            ));
        }
        if !pattern.ends_with('/') {
            pattern.push('/');
        }
        // coverage.py matches [paths] patterns case-insensitively always.
        let glob = Glob::new(&pattern, true).map_err(|e| format!("pattern {original:?}: {e}"))?;
        let mut result = normalize(&nfc(result));
        if result == "." {
            result.clear();
        } else {
            result.push('/');
        }
        self.rules.push(Rule {
            original,
            glob,
            result,
        });
        Ok(())
    }

    /// Map a normalised path. Rules are tried in order; the first whose
    /// result exists (relative to the current directory) wins. When the
    /// sources are not here at all, the first matching rule wins: combine
    /// usually runs where the workers' checkouts do not exist.
    ///
    /// With only one matching rule the answer is that rule's whatever
    /// exists, so the file system is asked only when a second rule matches
    /// (a `stat` per name per input was a tenth of a large combine).
    pub fn map(&self, path: &str) -> Option<Mapping> {
        let path = nfc(path);
        let mut matches = self
            .rules
            .iter()
            .filter_map(|rule| rule.glob.match_prefix(&path).map(|end| (rule, end)));
        let mapping = |(rule, end): (&Rule, usize)| Mapping {
            path: format!("{}{}", rule.result, &path[end..]),
            rule: rule.original.clone(),
        };
        let first = mapping(matches.next()?);
        let Some(second) = matches.next() else {
            return Some(first);
        };
        if Path::new(&first.path).exists() {
            return Some(first);
        }
        for m in std::iter::once(second).chain(matches) {
            let mapped = mapping(m);
            if Path::new(&mapped.path).exists() {
                return Some(mapped);
            }
        }
        Some(first)
    }

    /// How many rules match the normalised `path` (the file system is
    /// asked which one wins only when it is more than one).
    fn matching_rules(&self, path: &str) -> usize {
        let path = nfc(path);
        let rules = self.rules.iter();
        rules
            .filter(|r| r.glob.match_prefix(&path).is_some())
            .count()
    }

    /// One line per rule, for `--debug-paths`.
    pub fn describe(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|r| format!("rule: {:?} -> {:?}", r.original, r.result))
            .collect()
    }
}

/// Read `[paths]` entries from a coverage.py configuration file: INI
/// (`.coveragerc`: `[paths]`; `setup.cfg`/`tox.ini`: `[coverage:paths]`) or
/// TOML (`pyproject.toml`: `[tool.coverage.paths]`, or a plain `[paths]`),
/// with the same reader as the rest of the configuration
/// ([`crate::config`]).
pub fn read_paths_config(path: &Path) -> Result<Vec<(String, Vec<String>)>> {
    crate::config::read_paths_file(path, &crate::config::process_env)
}

/// Directories [`PathMapper::map_cached`] has mapped, per worker root:
/// each directory's canonical prefix and rule, or `None` when its files
/// must be mapped one by one. One entry per root and directory name seen,
/// so it grows no faster than the inputs.
#[derive(Default)]
pub struct MappedDirs {
    /// Keyed by the root, `""` for none: an empty root strips nothing, as
    /// no root does.
    roots: std::collections::HashMap<String, DirCache, foldhash::fast::RandomState>,
}

impl MappedDirs {
    /// The directories mapped for inputs whose worker ran in `root`.
    pub fn under(&mut self, root: Option<&str>) -> &mut DirCache {
        let key = root.unwrap_or("");
        if !self.roots.contains_key(key) {
            let cache = DirCache {
                root: root.map(str::to_string),
                dirs: Default::default(),
            };
            self.roots.insert(key.to_string(), cache);
        }
        self.roots.get_mut(key).expect("inserted above")
    }
}

/// The directories mapped under one worker root (see [`MappedDirs`]).
pub struct DirCache {
    root: Option<String>,
    dirs: std::collections::HashMap<
        String,
        Option<(String, Option<String>)>,
        foldhash::fast::RandomState,
    >,
}

/// The file name mapped in a directory's place to learn its mapping: plain
/// ASCII with no dot or separator, which no step of [`PathMapper::map`]
/// treats specially.
const PROBE: &str = "x";

/// Turns any input path into the name used in the combined result.
#[derive(Clone, Debug, Default)]
pub struct PathMapper {
    /// The `[paths]` rules.
    pub aliases: PathAliases,
    /// The directory combine runs in, normalised; paths under it become
    /// relative, as coverage.py's report names do.
    pub cwd: Option<String>,
}

impl PathMapper {
    /// A mapper with these rules.
    pub fn new(aliases: PathAliases) -> Self {
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| d.to_str().map(|d| normalize(&nfc(d))));
        PathMapper { aliases, cwd }
    }

    /// [`PathMapper::map`] with the cache's root, by way of `raw`'s directory: the
    /// files of one directory are mapped once, not once per input (most
    /// workers write the same directories). Every step of `map` treats a
    /// plain ASCII file name after the last separator as an opaque last
    /// part: NFC composes nothing across a `/`, normalising keeps a part
    /// that is not `.`, `..` or drive-like (`C:a`, when the whole directory
    /// is mapped away), a `[paths]` pattern ends in a separator so
    /// its match ends inside the directory, and a root is stripped only up
    /// to a separator. So the name maps as a stand-in name in the same
    /// directory does, with its own name put back. A directory where two
    /// rules match (the file system decides, per name) or whose stand-in
    /// does not come back at the end is mapped name by name.
    ///
    /// The rule is borrowed from the cache when it can be: the caller
    /// needs it only for `--debug-paths`, and copying it cost an
    /// allocation per file per input.
    pub fn map_cached<'c>(
        &self,
        raw: &str,
        cache: &'c mut DirCache,
    ) -> (String, Option<Cow<'c, str>>) {
        let root = cache.root.as_deref();
        let owned = |(name, rule): (String, Option<String>)| (name, rule.map(Cow::Owned));
        let Some(split) = raw.rfind(['/', '\\']) else {
            return owned(self.map(raw, root));
        };
        let (dir, base) = raw.split_at(split + 1);
        // A name like `C:a` reads as a drive when mapping leaves it first.
        let special = base.is_empty() || base == "." || base == ".." || base.get(1..2) == Some(":");
        if special || !base.is_ascii() {
            return owned(self.map(raw, root));
        }
        if !cache.dirs.contains_key(dir) {
            let entry = self.map_dir(dir, root);
            cache.dirs.insert(dir.to_string(), entry);
        }
        match &cache.dirs[dir] {
            Some((prefix, rule)) => {
                let mut name = String::with_capacity(prefix.len() + base.len());
                name.push_str(prefix);
                name.push_str(base);
                (name, rule.as_deref().map(Cow::Borrowed))
            }
            None => owned(self.map(raw, cache.root.as_deref())),
        }
    }

    /// The canonical prefix and rule of the files in `dir` (which ends in
    /// a separator), if they can be had from one stand-in name.
    fn map_dir(&self, dir: &str, root: Option<&str>) -> Option<(String, Option<String>)> {
        let probe = format!("{dir}{PROBE}");
        if self.aliases.matching_rules(&normalize(&nfc(&probe))) > 1 {
            return None;
        }
        let (mapped, rule) = self.map(&probe, root);
        let prefix = mapped.strip_suffix(PROBE)?;
        (prefix.is_empty() || prefix.ends_with('/')).then(|| (prefix.to_string(), rule))
    }

    /// The canonical name of `raw` from an input whose worker ran in `root`,
    /// and the rule that produced it, if any.
    pub fn map(&self, raw: &str, root: Option<&str>) -> (String, Option<String>) {
        let path = normalize(&nfc(raw));
        let (path, rule) = match self.aliases.map(&path) {
            Some(m) => (normalize(&m.path), Some(m.rule)),
            None => {
                let under_root = root.and_then(|r| strip_root(&path, &normalize(&nfc(r))));
                (under_root.unwrap_or(path), None)
            }
        };
        let relative = self.cwd.as_deref().and_then(|cwd| strip_root(&path, cwd));
        (relative.unwrap_or(path), rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_handles_every_os() {
        assert_eq!(
            normalize(r"C:\Users\me\proj\.\pkg\..\pkg\a.py"),
            "C:/Users/me/proj/pkg/a.py"
        );
        assert_eq!(normalize("c:/x//y/"), "C:/x/y");
        assert_eq!(normalize("./pkg/a.py"), "pkg/a.py");
        assert_eq!(normalize("../up/a.py"), "../up/a.py");
        assert_eq!(normalize("/a/../../b"), "/b");
        assert_eq!(
            normalize(r"\\server\share\dir\a.py"),
            "//server/share/dir/a.py"
        );
        assert_eq!(normalize("pkg\\sub\\m.py"), "pkg/sub/m.py");
    }

    /// A path of 1 to `most` parts drawn from `alphabet` by a fixed-seed
    /// generator (`most` a power of two up to 16).
    fn random_path(seed: &mut u64, alphabet: &[&str], most: u64) -> String {
        let next = |seed: &mut u64| {
            *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            *seed
        };
        let parts = next(seed) >> (64 - most.trailing_zeros());
        (0..=parts)
            .map(|_| alphabet[(next(seed) >> 33) as usize % alphabet.len()])
            .collect()
    }

    /// The quick check never changes what `normalize` returns: random
    /// paths over the bytes that matter, against the full algorithm.
    #[test]
    fn normal_paths_are_returned_as_they_are() {
        let alphabet = ["/", "/", "a", "b", ".", "..", "\\", "C:", ":", "é"];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut checked = 0;
        for _ in 0..20_000 {
            let path = random_path(&mut seed, &alphabet, 8);
            if is_normal(&path) {
                checked += 1;
                assert_eq!(normalize_parts(&path), path, "{path:?}");
            }
            assert_eq!(normalize(&path), normalize_parts(&path), "{path:?}");
        }
        assert!(checked > 1000, "{checked}");
        for path in [
            "/", "a", "/a/b.py", "a/b", "C:/a", "//s/h/a", "a/", "./a", "a/../b",
        ] {
            assert_eq!(normalize(path), normalize_parts(path), "{path:?}");
        }
    }

    /// Mapping by way of the directory gives what mapping each name does:
    /// random paths over the parts that matter (separators of both kinds,
    /// `.`, `..`, drive letters, UNC, non-ASCII, the stand-in name itself),
    /// under rule sets with one, two and no matching rules, with and
    /// without a current directory to strip and under several worker
    /// roots, each path mapped twice so that the second answer comes from
    /// the cache.
    #[test]
    fn mapping_by_directory_is_mapping_by_name() {
        let alphabet = [
            "/", "/", "\\", "a", "B", "x", "src", "proj", ".", "..", "C:", "é", "e\u{301}", "//",
            "w1", "py",
        ];
        let rule_sets: [&[(&str, &str)]; 4] = [
            &[],
            &[("*/proj/src/", "src/")],
            &[("*/src/", "src/"), ("/a/", "lib/")],
            &[("C:/proj/", "p/"), ("**/x/", ".")],
        ];
        // Worker roots, one per input in turn: none, empty (strips
        // nothing), Unix, Windows (case-insensitive) and ones that stop
        // inside a name or at the stand-in name.
        let roots = [
            None,
            Some(""),
            Some("/a/proj"),
            Some("C:/Proj/"),
            Some("/a/pro"),
            Some("/x"),
            Some("src/x"),
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let (mut cached, mut stripped) = (0, 0);
        for rules in rule_sets {
            for cwd in [None, Some("/a/proj"), Some("C:/proj")] {
                let mapper = PathMapper {
                    aliases: aliases(rules),
                    cwd: cwd.map(str::to_string),
                };
                let mut dirs = MappedDirs::default();
                for i in 0..3_000 {
                    let root = roots[i % roots.len()];
                    let mut path = random_path(&mut seed, &alphabet, 16);
                    if let Some(root) = root.filter(|_| i % 3 != 0) {
                        path = format!("{root}{path}");
                    }
                    let expected = mapper.map(&path, root);
                    stripped += usize::from(expected != mapper.map(&path, None));
                    let mut cached_map = |path: &str| {
                        let (name, rule) = mapper.map_cached(path, dirs.under(root));
                        (name, rule.map(Cow::into_owned))
                    };
                    assert_eq!(cached_map(&path), expected, "{path:?} under {root:?}");
                    assert_eq!(cached_map(&path), expected, "{path:?} under {root:?}");
                }
                let under_roots = dirs.roots.values().flat_map(|c| c.dirs.values());
                cached += under_roots.filter(|d| d.is_some()).count();
            }
        }
        assert!(cached > 1000, "{cached}");
        assert!(stripped > 1000, "{stripped}");
    }

    #[test]
    fn strip_root_is_case_insensitive_only_on_windows_paths() {
        assert_eq!(
            strip_root("C:/Work/Proj/pkg/a.py", "c:/work/proj"),
            Some("pkg/a.py".into())
        );
        assert_eq!(strip_root("/Work/proj/a.py", "/work/proj"), None);
        assert_eq!(strip_root("/work/project/a.py", "/work/proj"), None);
        assert_eq!(
            strip_root("/work/proj/a.py", "/work/proj/"),
            Some("a.py".into())
        );
    }

    fn aliases(rules: &[(&str, &str)]) -> PathAliases {
        let mut a = PathAliases::default();
        for (p, r) in rules {
            a.add(p, r).unwrap();
        }
        a
    }

    #[test]
    fn aliases_follow_coveragepy_globs() {
        let a = aliases(&[("*/src/", "src/")]);
        for p in [
            "/home/runner/work/proj/proj/src/pkg/mathy.py",
            "C:/Users/runneradmin/work/proj/proj/src/pkg/mathy.py",
            "/Users/RUNNER/work/proj/proj/SRC/pkg/mathy.py",
            "src/pkg/mathy.py",
        ] {
            assert_eq!(a.map(p).unwrap().path, "src/pkg/mathy.py", "{p}");
        }
        let b = aliases(&[("/ci/*/checkout", "proj"), ("/x/**/lib", "lib")]);
        assert_eq!(b.map("/ci/w1/checkout/a.py").unwrap().path, "proj/a.py");
        assert!(b.map("/ci/w1/w2/checkout/a.py").is_none());
        assert_eq!(b.map("/x/a/b/lib/m.py").unwrap().path, "lib/m.py");
        assert_eq!(b.map("/x/lib/m.py").unwrap().path, "lib/m.py");
        let c = aliases(&[("/w/job[0-9]/", "j/")]);
        assert_eq!(c.map("/w/job7/a.py").unwrap().path, "j/a.py");
        assert!(c.map("/w/jobx/a.py").is_none());
    }

    /// Of several matching rules the first whose result exists wins, else
    /// the first; a lone matching rule wins whether its result exists or
    /// not. (Tests run in the crate root, where `src/paths.rs` exists.)
    #[test]
    fn the_first_existing_result_wins_among_matches() {
        let two = aliases(&[("/w/a/", "nowhere/"), ("/w/", "src/")]);
        assert_eq!(two.map("/w/a/paths.rs").unwrap().path, "nowhere/paths.rs");
        assert_eq!(two.map("/w/paths.rs").unwrap().path, "src/paths.rs");
        let exists_first = aliases(&[("/w/", "src/"), ("/w/", "nowhere/")]);
        assert_eq!(exists_first.map("/w/paths.rs").unwrap().rule, "/w/");
        assert_eq!(
            exists_first.map("/w/paths.rs").unwrap().path,
            "src/paths.rs"
        );
        let second_exists = aliases(&[("*/w/", "nowhere/"), ("/x/w/", "src/")]);
        let m = second_exists.map("/x/w/paths.rs").unwrap();
        assert_eq!(
            (m.path.as_str(), m.rule.as_str()),
            ("src/paths.rs", "/x/w/")
        );
        let neither = aliases(&[("*/w/", "nowhere/"), ("/x/w/", "nothere/")]);
        let m = neither.map("/x/w/paths.rs").unwrap();
        assert_eq!(
            (m.path.as_str(), m.rule.as_str()),
            ("nowhere/paths.rs", "*/w/")
        );
        let lone = aliases(&[("/x/w/", "nothere/")]);
        assert_eq!(lone.map("/x/w/paths.rs").unwrap().path, "nothere/paths.rs");
        assert!(lone.map("/y/paths.rs").is_none());
    }

    #[test]
    fn bad_patterns_are_refused() {
        let mut a = PathAliases::default();
        assert!(a.add("/x/*", "y").is_err());
        assert!(a.add("/x/a**/", "y").is_err());
        assert!(a.add("/x/[ab/", "y").is_err());
        assert!(a.add("/x/", "y*").is_err());
    }

    #[test]
    fn mapper_prefers_rules_then_root_then_cwd() {
        let mapper = PathMapper {
            aliases: aliases(&[("*/site-packages/", "src/")]),
            cwd: Some("/here".into()),
        };
        assert_eq!(
            mapper.map("/v/lib/site-packages/pkg/a.py", None).0,
            "src/pkg/a.py"
        );
        assert_eq!(
            mapper.map(r"D:\w\proj\pkg\a.py", Some(r"d:\w\proj")).0,
            "pkg/a.py"
        );
        assert_eq!(mapper.map("/here/pkg/a.py", None).0, "pkg/a.py");
        assert_eq!(mapper.map("/else/pkg/a.py", None).0, "/else/pkg/a.py");
    }
}
