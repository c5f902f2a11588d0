//! The logical-line scanner (src/pysource.rs) against coverage.py's own
//! multi-line maps (its PythonParser, coverage 7.17.5, on Python 3.11 and
//! 3.12) of real files: standard-library modules, the project's testdata
//! sources and hand-written tricky cases (`testdata/pysource/`, made by
//! `testdata/pysource-regen.sh`). Then random and mutated bytes: never a
//! panic, and time linear in the input. Last, the LCOV export of
//! coverage.py's JSON report of those files, which reads the sources for
//! what the JSON does not say, against coverage.py's own LCOV report.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use covmerge::pysource::scan;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(path, expected)`: `Some((lines, spans))`, or `None` where coverage.py
/// could not parse the file.
type Expected = Option<(u32, Vec<(u32, u32)>)>;

fn golden(version: &str) -> Vec<(String, Expected)> {
    let text =
        std::fs::read_to_string(root().join(format!("testdata/pysource/maps-{version}.txt")))
            .unwrap();
    text.lines()
        .map(|line| {
            let (path, rest) = line.split_once(": ").unwrap();
            if rest.starts_with("error") {
                return (path.to_string(), None);
            }
            let rest = rest.strip_prefix("lines ").unwrap();
            let (lines, spans) = rest.split_once(" spans").unwrap();
            let spans = spans
                .split_whitespace()
                .map(|s| {
                    let (a, b) = s.split_once('-').unwrap();
                    (a.parse().unwrap(), b.parse().unwrap())
                })
                .collect();
            (path.to_string(), Some((lines.parse().unwrap(), spans)))
        })
        .collect()
}

#[test]
fn the_scanner_gives_coverage_pys_multi_line_map_on_3_11_and_3_12() {
    let mut compared = 0;
    let mut multi = 0;
    for version in ["3.11", "3.12"] {
        let files = golden(version);
        assert!(files.len() >= 40, "{version}: only {} files", files.len());
        for (path, expected) in files {
            let bytes = std::fs::read(root().join(&path)).unwrap();
            let got = scan(&bytes);
            let Some((lines, spans)) = expected else {
                // coverage.py could not parse it; the scanner may or may not
                // (it does not check grammar), but it must not panic.
                continue;
            };
            let map = got.unwrap_or_else(|e| panic!("{version} {path}: {e}"));
            assert_eq!(map.spans(), spans.as_slice(), "{version} {path}");
            assert_eq!(map.line_count(), lines, "{version} {path}");
            compared += 1;
            multi += spans.len();
        }
    }
    assert!(
        compared >= 95 && multi > 1000,
        "{compared} files, {multi} spans"
    );
}

#[test]
fn the_first_and_last_line_of_each_statement() {
    let bytes = std::fs::read(root().join("testdata/pysource/tricky.py")).unwrap();
    let map = scan(&bytes).unwrap();
    let (lines, spans) = golden("3.12")
        .into_iter()
        .find(|(p, _)| p == "testdata/pysource/tricky.py")
        .unwrap()
        .1
        .unwrap();
    for line in 1..=lines {
        let span = spans.iter().find(|(a, b)| (*a..=*b).contains(&line));
        let (first, last) = span.copied().unwrap_or((line, line));
        assert_eq!(
            (map.first_line(line), map.last_line(line)),
            (first, last),
            "line {line}"
        );
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = root().join("testdata/pysource");
    let mut out = Vec::new();
    for sub in [dir.clone(), dir.join("corpus")] {
        let mut names: Vec<_> = std::fs::read_dir(sub)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
            .collect();
        names.sort();
        out.extend(names.into_iter().map(|p| std::fs::read(p).unwrap()));
    }
    out
}

const TOKENS: &[&[u8]] = &[
    b"'",
    b"\"",
    b"'''",
    b"\"\"\"",
    b"f'",
    b"rf\"",
    b"{",
    b"}",
    b"(",
    b")",
    b"[",
    b"]",
    b"\\",
    b"\\\n",
    b"\n",
    b"\r",
    b"\r\n",
    b"#",
    b":",
    b"{{",
    b"}}",
    b"\\N{",
    b"\0",
    b"\xEF\xBB\xBF",
    b"\xff",
];

/// A mutation of a corpus file: bytes flipped, cut, tokens inserted.
fn mutated(corpus: &[Vec<u8>]) -> impl Strategy<Value = Vec<u8>> + '_ {
    (
        0..corpus.len(),
        proptest::collection::vec((any::<usize>(), 0..TOKENS.len() + 2, any::<u8>()), 1..8),
    )
        .prop_map(move |(i, edits)| {
            let mut b = corpus[i].clone();
            for (at, what, byte) in edits {
                let at = at % (b.len() + 1);
                match what {
                    w if w < TOKENS.len() => {
                        b.splice(at..at, TOKENS[w].iter().copied());
                    }
                    w if w == TOKENS.len() => b.truncate(at),
                    _ => {
                        if at < b.len() {
                            b[at] = byte;
                        }
                    }
                }
            }
            b
        })
}

#[test]
fn random_and_mutated_bytes_never_panic() {
    let corpus = corpus();
    let seconds: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let until = Instant::now() + Duration::from_secs(seconds);
    let random = proptest::collection::vec(any::<u8>(), 0..4096);
    let mutate = mutated(&corpus);
    let mut n = 0u64;
    while Instant::now() < until {
        for bytes in [
            random.new_tree(&mut runner).unwrap().current(),
            mutate.new_tree(&mut runner).unwrap().current(),
        ] {
            // Either a map whose spans are ordered, disjoint and inside the
            // file, or an error; never a panic.
            if let Ok(map) = scan(&bytes) {
                let mut prev = 0;
                for &(a, b) in map.spans() {
                    assert!(
                        prev < a && a < b && b <= map.line_count().max(1),
                        "{bytes:?}"
                    );
                    prev = b;
                }
            }
            n += 1;
        }
    }
    assert!(n > 100, "only {n} inputs");
}

#[test]
fn time_is_linear_in_the_input() {
    // Deep nesting of every kind and long runs of one construct: ten
    // times the input may take at most about ten times as long.
    let shapes: &[(&str, &[u8], &[u8])] = &[
        ("brackets", b"x = ", b"(["),
        ("f-string fields", b"x = ", b"f'{"),
        ("triple strings", b"", b"'''a\n'''\n"),
        ("continuations", b"x = 1", b" + \\\n 1"),
        ("format specs", b"x = f'''", b"{a:{b:"),
        ("comments", b"", b"# ((( '''\n"),
    ];
    for (what, head, unit) in shapes {
        let time = |n: usize| {
            let mut b = head.to_vec();
            for _ in 0..n {
                b.extend_from_slice(unit);
            }
            // The fastest of five runs: a busy machine only ever adds time.
            (0..5)
                .map(|_| {
                    let start = Instant::now();
                    let _ = std::hint::black_box(scan(std::hint::black_box(&b)));
                    start.elapsed()
                })
                .min()
                .unwrap()
        };
        let small = time(20_000);
        let big = time(200_000);
        assert!(
            big < small * 30 + Duration::from_millis(50),
            "{what}: {small:?} for 20k, {big:?} for 200k"
        );
    }
}

/// coverage.py's JSON report of the corpus files (never run: statements,
/// function regions and branch arcs from its static analysis), exported to
/// LCOV with the sources at hand, is byte for byte `coverage lcov`'s report:
/// function end lines (nested definitions end at their header's colon) and
/// the words of exits from `with` blocks come from the source.
#[test]
fn the_lcov_export_of_a_json_report_equals_coverage_lcov() {
    let static_dir = root().join("testdata/pysource/static-3.12");
    let dir = common::tempdir("pysource-lcov");
    let out = dir.join("out.lcov");
    let input = static_dir.join("coverage.json");
    let source_root = root().join("testdata/pysource");
    let r = common::run(
        &dir,
        &[
            "combine",
            "-q",
            "--header",
            "none",
            input.to_str().unwrap(),
            "--source-root",
            source_root.to_str().unwrap(),
            "--report",
            &format!("lcov:{}", out.display()),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ours = std::fs::read_to_string(&out).unwrap();
    let theirs = std::fs::read_to_string(static_dir.join("coverage.lcov")).unwrap();
    let differing: Vec<_> = ours
        .lines()
        .zip(theirs.lines())
        .filter(|(a, b)| a != b)
        .take(5)
        .collect();
    assert!(
        ours == theirs,
        "{} lines against {}; first differences (ours, coverage.py): {differing:?}",
        ours.lines().count(),
        theirs.lines().count()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
