//! One name per file across operating systems.
//!
//! - Unicode: macOS file systems hand back decomposed names (`cafe\u{301}.py`),
//!   Linux and Windows composed ones (`café.py`). Every file name, root,
//!   `[paths]` pattern, `--map` rule and include/omit pattern is compared in
//!   NFC ([`nfc`]), so both are one file and a rule typed either way matches.
//! - Case: Windows and macOS file systems ignore case, so a worker there may
//!   report `Pkg\Compat.py` for the `pkg/compat.py` a Linux worker reports.
//!   [`unify_case`] merges names that differ only in case when a spelling
//!   comes only from case-insensitive workers, under the spelling a
//!   case-sensitive worker used, and says so; two spellings that both come
//!   from case-sensitive workers are different files there, and are kept
//!   apart with a warning.
//!
//! A worker counts as case-insensitive when its recorded platform is
//! Windows or macOS (`platform win32, ...`, `platform darwin, ...`, or
//! `platform cygwin`), or when the name it wrote has a Windows shape (a
//! drive letter, a backslash, a UNC prefix).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::model::{FileCoverage, Source};

/// `text` in Unicode NFC; borrowed when it already is (all ASCII names).
pub fn nfc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// Is a platform description one of a case-insensitive file system
/// (pytest-cov's `platform win32, python 3.12.1-final-0`, covmerge's
/// `platform darwin`)?
pub fn platform_ignores_case(platform: &str) -> bool {
    let os = platform
        .strip_prefix("platform ")
        .unwrap_or(platform)
        .split([',', ' '])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    os == "win32"
        || os == "windows"
        || os == "cygwin"
        || os == "msys"
        || os == "darwin"
        || os == "macos"
}

/// Does a name as a producer wrote it have a Windows shape: a drive letter,
/// a backslash or a UNC prefix?
pub fn windows_shaped(raw: &str) -> bool {
    let b = raw.as_bytes();
    raw.contains('\\')
        || raw.starts_with("//")
        || (b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic())
}

/// Where the spellings of combined names came from: per name, whether a
/// case-sensitive worker wrote it, and which platforms did, for messages.
///
/// Noted for every file of every input, so kept small: names by a 64-bit
/// hash (no copy of the name), platforms as bits into a table of labels.
/// Two names sharing a hash share their origins; the only effect is that a
/// case variant might be kept apart with a warning instead of merged (the
/// odds are about 1 in 10^10 for 100,000 names).
#[derive(Clone, Debug, Default)]
pub struct NameOrigins {
    /// By [`name_key`]. The map's own hash of the keys is seeded per
    /// process: the keys' seed is fixed, so names could be crafted to
    /// crowd one bucket of a fixed-seed map.
    names: HashMap<u64, Origin, foldhash::fast::RandomState>,
    /// Platform labels (`platform win32, python 3.12.1-final-0`, several
    /// joined with `; ` for a combined file, or `unknown platform`).
    labels: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Origin {
    /// Some worker on a case-sensitive platform wrote this spelling.
    sensitive: bool,
    /// Bit i: `labels[i]` wrote it; the top bit: a label past the 63rd.
    platforms: u64,
}

const MORE_PLATFORMS: u64 = 1 << 63;

/// The name's 64-bit key. foldhash's quality variant with a fixed seed:
/// the same key on every thread (their notes are absorbed into one), at a
/// fifth of SipHash's cost, which was 1% of an LCOV combine. Neither is
/// proof against names crafted to collide; a collision only keeps a case
/// variant apart.
fn name_key(name: &str) -> u64 {
    use std::hash::BuildHasher;
    const KEYS: foldhash::quality::FixedState =
        foldhash::quality::FixedState::with_seed(0x6e61_6d65_6f72_6967);
    KEYS.hash_one(name)
}

/// How an input spelled one file, as [`NameOrigins`] keeps it: the key of
/// the combined name and whether the raw name was Windows-shaped. Taken
/// per file record without copying either name.
#[derive(Clone, Copy, Debug)]
pub struct Spelling {
    key: u64,
    windows_shaped: bool,
}

impl Spelling {
    /// `raw`, as an input wrote it, combined as `name`.
    pub fn of(raw: &str, name: &str) -> Self {
        Spelling {
            key: name_key(name),
            windows_shaped: windows_shaped(raw),
        }
    }
}

impl NameOrigins {
    /// Note how one input spelled its files (taken as it was read; a name
    /// spelled more than once counts once) and the workers it describes.
    pub fn note(&mut self, spellings: impl IntoIterator<Item = Spelling>, sources: &[Source]) {
        let platforms: Vec<&str> = sources
            .iter()
            .filter_map(|s| s.platform.as_deref())
            .collect();
        // A combined data file lists several workers; its names are already
        // one spelling per file, so any case-sensitive worker in it vouches.
        let platform_insensitive =
            !platforms.is_empty() && platforms.iter().all(|p| platform_ignores_case(p));
        let label = if platforms.is_empty() {
            "unknown platform".to_string()
        } else {
            platforms.join("; ")
        };
        let bit = self.label_bit(label);
        for spelling in spellings {
            let origin = self.names.entry(spelling.key).or_default();
            origin.sensitive |= !(platform_insensitive || spelling.windows_shaped);
            origin.platforms |= bit;
        }
    }

    fn label_bit(&mut self, label: String) -> u64 {
        let index = match self.labels.iter().position(|l| *l == label) {
            Some(i) => i,
            None => {
                self.labels.push(label);
                self.labels.len() - 1
            }
        };
        if index < 63 {
            1 << index
        } else {
            MORE_PLATFORMS
        }
    }

    /// Union with the origins another thread noted.
    pub fn absorb(&mut self, other: NameOrigins) {
        // Their label bits, as bits of this table.
        let mut remap = [0u64; 64];
        for (i, label) in other.labels.into_iter().enumerate().take(63) {
            remap[i] = self.label_bit(label);
        }
        remap[63] = MORE_PLATFORMS;
        for (key, theirs) in other.names {
            let mine = self.names.entry(key).or_default();
            mine.sensitive |= theirs.sensitive;
            for (i, bit) in remap.iter().enumerate() {
                if theirs.platforms & (1 << i) != 0 {
                    mine.platforms |= bit;
                }
            }
        }
    }

    fn get(&self, name: &str) -> Option<&Origin> {
        self.names.get(&name_key(name))
    }

    /// The platforms that wrote `name`, for messages.
    fn platforms_of(&self, name: &str) -> String {
        let Some(origin) = self.get(name) else {
            return "unknown platform".to_string();
        };
        let mut out: Vec<&str> = (0..63)
            .filter(|i| origin.platforms & (1 << i) != 0)
            .filter_map(|i| self.labels.get(i).map(String::as_str))
            .collect();
        out.sort_unstable();
        if origin.platforms & MORE_PLATFORMS != 0 {
            out.push("other platforms");
        }
        out.join(" | ")
    }
}

/// What [`unify_case`] did or found, for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseMessage {
    /// Spellings from case-insensitive workers merged into `into`.
    Merged {
        /// The spellings merged.
        from: Vec<String>,
        /// The spelling kept.
        into: String,
        /// Per spelling in `from`, the platforms that wrote it.
        seen_on: Vec<String>,
    },
    /// Spellings from case-sensitive workers that differ only in case: kept
    /// apart (on those workers they are different files).
    Conflict {
        /// The spellings.
        names: Vec<String>,
        /// Per name, the platforms that wrote it.
        seen_on: Vec<String>,
    },
}

impl CaseMessage {
    /// The text of the note or warning. Names are shown quoted and escaped,
    /// so that no control character from an input reaches the terminal.
    pub fn text(&self) -> String {
        let quote = |names: &[String], seen_on: &[String]| {
            names
                .iter()
                .zip(seen_on)
                .map(|(n, on)| format!("{n:?} (from {})", on.escape_debug()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            CaseMessage::Merged {
                from,
                into,
                seen_on,
            } => format!(
                "{} merged into {into:?}: names that differ only in case from a \
                 case-insensitive platform (Windows, macOS) are one file",
                quote(from, seen_on)
            ),
            CaseMessage::Conflict { names, seen_on } => format!(
                "{} differ only in case and come from case-sensitive platforms, so they are \
                 kept as different files; if they are one file, map them with [paths] or --map",
                quote(names, seen_on)
            ),
        }
    }
}

/// Merge the files of `files` whose names differ only in case where a
/// spelling came only from case-insensitive workers (see the module
/// documentation). Returns what was merged and which spellings conflict.
pub fn unify_case(
    files: &mut BTreeMap<String, FileCoverage>,
    origins: &NameOrigins,
) -> Vec<CaseMessage> {
    let mut groups: HashMap<Cow<'_, str>, Vec<&str>> = HashMap::new();
    for name in files.keys() {
        groups.entry(fold(name)).or_default().push(name);
    }
    // Only the groups with several spellings, in name order, so that
    // messages come out in a stable order.
    let mut groups: Vec<Vec<String>> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|g| g.into_iter().map(str::to_string).collect())
        .collect();
    groups.sort();
    let seen_on = |names: &[String]| -> Vec<String> {
        names.iter().map(|n| origins.platforms_of(n)).collect()
    };
    let mut messages = Vec::new();
    for spellings in groups {
        let sensitive = |n: &String| origins.get(n).is_none_or(|o| o.sensitive);
        let (hard, soft): (Vec<String>, Vec<String>) = spellings.into_iter().partition(sensitive);
        let into = match hard.as_slice() {
            [one] => one.clone(),
            [] => pick(&soft),
            _ => {
                messages.push(CaseMessage::Conflict {
                    seen_on: seen_on(&hard),
                    names: hard,
                });
                // Which of them the others belong to cannot be known.
                continue;
            }
        };
        let from: Vec<String> = soft.into_iter().filter(|n| *n != into).collect();
        for name in &from {
            if let Some(file) = files.remove(name) {
                files
                    .get_mut(&into)
                    .expect("the target spelling is one of the files")
                    .merge(file);
            }
        }
        messages.push(CaseMessage::Merged {
            seen_on: seen_on(&from),
            from,
            into,
        });
    }
    messages
}

/// Among spellings that all came from case-insensitive workers: the one
/// that exists here (combine usually runs in a checkout), else the first
/// in byte order, so that the choice does not depend on input order.
fn pick(spellings: &[String]) -> String {
    spellings
        .iter()
        .find(|n| std::path::Path::new(n).exists())
        .unwrap_or(&spellings[0])
        .clone()
}

/// The key under which spellings that differ only in case meet; borrowed
/// when lower-casing changes nothing (the usual lower-case ASCII name).
fn fold(name: &str) -> Cow<'_, str> {
    let unchanged = if name.is_ascii() {
        !name.bytes().any(|b| b.is_ascii_uppercase())
    } else {
        name.chars().all(|c| c.to_lowercase().eq([c]))
    };
    if unchanged {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(name.chars().flat_map(char::to_lowercase).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spellings of (raw name, combined name) pairs.
    fn spelled<const N: usize>(names: [(&str, &str); N]) -> Vec<Spelling> {
        names
            .iter()
            .map(|(raw, name)| Spelling::of(raw, name))
            .collect()
    }

    #[test]
    fn nfc_composes_and_borrows_when_it_can() {
        assert_eq!(nfc("pkg/cafe\u{301}.py"), "pkg/café.py");
        assert!(matches!(nfc("pkg/café.py"), Cow::Borrowed(_)));
        assert!(matches!(nfc("pkg/a.py"), Cow::Borrowed(_)));
    }

    #[test]
    fn platforms_that_ignore_case() {
        for p in [
            "platform win32, python 3.12.1-final-0",
            "platform darwin, python 3.11.7-final-0",
            "platform darwin",
            "platform cygwin",
        ] {
            assert!(platform_ignores_case(p), "{p}");
        }
        for p in [
            "platform linux, python 3.12.1-final-0",
            "platform freebsd14",
        ] {
            assert!(!platform_ignores_case(p), "{p}");
        }
        assert!(windows_shaped(r"C:\w\Pkg\Compat.py"));
        assert!(windows_shaped("c:/w/pkg/compat.py"));
        assert!(windows_shaped(r"Pkg\Compat.py"));
        assert!(windows_shaped("//server/share/Pkg/Compat.py"));
        assert!(!windows_shaped("/w/Pkg/Compat.py"));
    }

    fn source(platform: &str) -> Source {
        Source {
            platform: Some(platform.to_string()),
            ..Default::default()
        }
    }

    fn files(names: &[&str]) -> BTreeMap<String, FileCoverage> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let file = FileCoverage {
                    lines: [(i as u32 + 1, 1)].into(),
                    ..Default::default()
                };
                (n.to_string(), file)
            })
            .collect()
    }

    #[test]
    fn insensitive_spellings_join_the_sensitive_one() {
        let mut origins = NameOrigins::default();
        origins.note(
            spelled([("/w/pkg/m.py", "pkg/m.py")]),
            &[source("platform linux")],
        );
        origins.note(
            spelled([("/w/Pkg/M.py", "Pkg/M.py")]),
            &[source("platform darwin")],
        );
        origins.note(spelled([(r"C:\w\PKG\m.py", "PKG/m.py")]), &[]);
        let mut all = files(&["PKG/m.py", "Pkg/M.py", "pkg/m.py"]);
        let messages = unify_case(&mut all, &origins);
        assert_eq!(all.keys().collect::<Vec<_>>(), ["pkg/m.py"]);
        assert_eq!(all["pkg/m.py"].lines.len(), 3);
        assert_eq!(
            messages,
            [CaseMessage::Merged {
                from: vec!["PKG/m.py".into(), "Pkg/M.py".into()],
                into: "pkg/m.py".into(),
                seen_on: vec!["unknown platform".into(), "platform darwin".into()],
            }]
        );
    }

    #[test]
    fn two_sensitive_spellings_stay_apart_with_a_warning() {
        let mut origins = NameOrigins::default();
        origins.note(
            spelled([("README.py", "README.py"), ("readme.py", "readme.py")]),
            &[source("platform linux")],
        );
        let mut all = files(&["README.py", "readme.py"]);
        let messages = unify_case(&mut all, &origins);
        assert_eq!(all.len(), 2);
        assert_eq!(
            messages,
            [CaseMessage::Conflict {
                names: vec!["README.py".into(), "readme.py".into()],
                seen_on: vec!["platform linux".into(), "platform linux".into()],
            }]
        );
        assert!(messages[0].text().starts_with(
            "\"README.py\" (from platform linux), \"readme.py\" (from platform linux) differ"
        ));
    }

    #[test]
    fn only_insensitive_spellings_merge_deterministically() {
        let mut origins = NameOrigins::default();
        origins.note(spelled([(r"C:\w\b\X.py", "b/X.py")]), &[]);
        origins.note(
            spelled([("/w/b/x.py", "b/x.py")]),
            &[source("platform darwin")],
        );
        let mut all = files(&["b/X.py", "b/x.py"]);
        unify_case(&mut all, &origins);
        assert_eq!(all.keys().collect::<Vec<_>>(), ["b/X.py"]);
    }

    #[test]
    fn origins_from_two_threads_keep_their_platforms() {
        let mut a = NameOrigins::default();
        a.note(spelled([("/w/x.py", "x.py")]), &[source("platform linux")]);
        a.note(
            spelled([(r"C:\w\X.py", "X.py")]),
            &[source("platform win32")],
        );
        let mut b = NameOrigins::default();
        b.note(
            spelled([(r"C:\w\X.py", "X.py")]),
            &[source("platform win32, python 3.13")],
        );
        b.note(spelled([("/w/X.py", "X.py")]), &[source("platform darwin")]);
        a.absorb(b);
        assert!(a.get("x.py").unwrap().sensitive);
        assert!(!a.get("X.py").unwrap().sensitive);
        assert_eq!(
            a.platforms_of("X.py"),
            "platform darwin | platform win32 | platform win32, python 3.13"
        );
        assert_eq!(a.platforms_of("y.py"), "unknown platform");
        // Past 63 labels, the rest are counted together.
        for i in 0..70 {
            a.note(
                spelled([("/w/z.py", "z.py")]),
                &[source(&format!("platform linux{i}"))],
            );
        }
        assert!(a
            .platforms_of("z.py")
            .ends_with("platform linux9 | other platforms"));
    }
}
