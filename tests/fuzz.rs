//! Random-input harness for every reader (stable toolchain, proptest):
//! arbitrary bytes, and structure-aware mutations of the real samples
//! (byte flips, cuts, splices of lines from other samples, numbers
//! replaced by edge values, brackets and record keys inserted). Each input
//! goes to the reader directly (not through detection, so every reader
//! sees every input), and whatever it reads goes through the rest of the
//! pipeline: path normalisation, the table with Missing, every export,
//! and a data file round trip. A panic anywhere is a failure; the input
//! is saved under target/fuzz-crashes/.
//!
//! `cargo test` runs a short smoke run (about a second per reader);
//! `make fuzz` (FUZZ_SECONDS=60 by default) runs each reader that long
//! and prints how many inputs it survived.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use covmerge::formats::{self, Diagnostics, InputFormat};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn samples() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/samples");
    let mut out = Vec::new();
    for sub in [
        "lcov",
        "coveragepy",
        "cobertura",
        "jacoco",
        "go",
        "istanbul",
        "gcov-json",
        "gcovr-json",
    ] {
        let mut names: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e != "txt"))
            .collect();
        names.sort();
        for p in names {
            out.push(std::fs::read(p).unwrap());
        }
    }
    // A covmerge data file of each sample, for the native reader.
    let natives: Vec<Vec<u8>> = out
        .iter()
        .filter_map(|b| formats::parse(Path::new("s"), b).ok())
        .map(|p| formats::native::to_string(&p.data).into_bytes())
        .collect();
    out.extend(natives);
    // A coverage.py SQLite data file (binary) from the golden data.
    let raw = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/golden/load-branch/workers/gw0/raw.coverage");
    out.push(std::fs::read(raw).unwrap());
    out
}

const TOKENS: &[&str] = &[
    "0",
    "-1",
    "4294967295",
    "4294967296",
    "2147483648",
    "18446744073709551615",
    "18446744073709551616",
    "1e308",
    "-1e400",
    "1.5",
    "NaN",
    "nan",
    "inf",
    "-",
    "\"",
    "\\",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "null",
    "true",
    "[[",
    "]]",
    "\r\n",
    "\n",
    "\u{FEFF}",
    "\u{0}",
    "\u{FFFD}",
    "\\u0000",
    "\\ud800",
    "DA:",
    "BRDA:",
    "FN:",
    "FNDA:",
    "FNL:",
    "FNA:",
    "SF:",
    "end_of_record\n",
    "TN:\n",
    "BRF:",
    "jump to line ",
    "exit the module",
    "return from function '",
    "\"lines\":",
    "\"arcs\":",
    "\"regions\":",
    "\"functions\":",
    "\"executed_lines\":",
    "\"missing_branches\":",
    "\"source_hashes\":",
    "\"covmerge\":",
    "\"format\":",
    // Built to expand: ranges, counts and repeats a reader might multiply.
    "1000000",
    "4294967295.1",
    ",1000000.9 1 1\n",
    "[1,4000000000]",
    "[1,1000000],[1,1000000],[1,1000000]",
    "(2048/4096)",
    "condition-coverage=\"50% (4096/4096)\" ",
    "\"covered_by\":{\"p\":{\"lines\":[[1,1000000]]}},",
    "C:\\",
    "\\\\srv\\",
    "../",
    "/",
];

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize),
    Delete(usize, usize),
    Insert(usize, usize),
    Duplicate(usize, usize),
    SpliceLine(usize, usize, usize),
    Number(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        any::<usize>().prop_map(Mutation::Cut),
        (any::<usize>(), 0usize..64).prop_map(|(a, b)| Mutation::Delete(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), 0usize..200).prop_map(|(a, b)| Mutation::Duplicate(a, b)),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(a, b, c)| Mutation::SpliceLine(a, b, c)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Number(a, b)),
    ]
}

/// Mutate one of `own` (the reader's samples); lines are spliced in from
/// any of `samples`.
fn apply(own: &[Vec<u8>], samples: &[Vec<u8>], base: usize, muts: &[Mutation]) -> Vec<u8> {
    let mut b = own[base % own.len()].clone();
    for m in muts {
        let at = |x: usize, b: &Vec<u8>| if b.is_empty() { 0 } else { x % (b.len() + 1) };
        match *m {
            Mutation::Flip(i, v) if !b.is_empty() => {
                let i = i % b.len();
                b[i] ^= v;
            }
            Mutation::Flip(..) => {}
            Mutation::Cut(i) => {
                let i = at(i, &b);
                b.truncate(i);
            }
            Mutation::Delete(i, n) => {
                let i = at(i, &b);
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
            Mutation::Insert(i, t) => {
                let i = at(i, &b);
                let tok = TOKENS[t % TOKENS.len()].as_bytes();
                b.splice(i..i, tok.iter().copied());
            }
            Mutation::Duplicate(i, n) => {
                let i = at(i, &b);
                let end = (i + n).min(b.len());
                let chunk = b[i..end].to_vec();
                b.splice(end..end, chunk);
            }
            Mutation::SpliceLine(i, s, l) => {
                let other = &samples[s % samples.len()];
                let lines: Vec<&[u8]> = other.split(|c| *c == b'\n').collect();
                let line = lines[l % lines.len()];
                let i = at(i, &b);
                let mut ins = line.to_vec();
                ins.push(b'\n');
                b.splice(i..i, ins);
            }
            Mutation::Number(i, t) => {
                // Replace the digits run at or after i with an edge value.
                let start = (at(i, &b)..b.len()).find(|&k| b[k].is_ascii_digit());
                if let Some(start) = start {
                    let end = (start..b.len())
                        .find(|&k| !b[k].is_ascii_digit())
                        .unwrap_or(b.len());
                    let nums = [
                        "0",
                        "-1",
                        "4294967295",
                        "4294967296",
                        "2147483648",
                        "18446744073709551615",
                        "18446744073709551616",
                        "1.5",
                        "1e999",
                    ];
                    b.splice(start..end, nums[t % nums.len()].bytes());
                }
            }
        }
    }
    b
}

fn input() -> impl Strategy<Value = (usize, Vec<Mutation>, Option<Vec<u8>>)> {
    (
        any::<usize>(),
        prop::collection::vec(mutation(), 1..5),
        prop::option::weighted(0.1, prop::collection::vec(any::<u8>(), 0..400)),
    )
}

/// Read `bytes` with `reader` and push the result through the pipeline.
/// True when the reader accepted the input.
fn exercise(reader: &dyn InputFormat, bytes: &[u8]) -> bool {
    let path = Path::new("fuzz/input");
    let mut diag = Diagnostics::default();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return false;
    }
    let text = formats::decode(bytes, &mut diag);
    let _ = reader.detect(&text);
    let _ = reader.detect_bytes(bytes);
    // read_bytes: binary readers parse the bytes, text readers decode them.
    let Ok(data) = reader.read_bytes(path, bytes, &mut diag) else {
        return false;
    };
    assert_bounded(bytes.len(), &data);
    let data = covmerge::combine::normalize_paths(data, &Default::default(), |_, _, _| {});
    let text = formats::native::to_string(&data);
    let back = formats::parse(Path::new("rt.covmerge.json"), text.as_bytes())
        .unwrap_or_else(|e| panic!("a data file we wrote does not read back: {e}"));
    assert_eq!(back.data.files, data.files, "data file round trip");
    let options = covmerge::report::ReportOptions {
        show_missing: true,
        ..Default::default()
    };
    let selection = covmerge::analysis::Selection::all(&data);
    if let Ok(table) = covmerge::report::Table::build(&selection, &options) {
        let _ = table.render(covmerge::report::TableFormat::Text);
        let _ = table.render(covmerge::report::TableFormat::Markdown);
    }
    let ctx = covmerge::export::ExportContext::new(&data, options);
    for kind in covmerge::export::ReportKind::ALL {
        let _ = kind.exporter().render(&selection, &ctx);
    }
    true
}

/// Entries a read made: lines, arcs, branches and attributed lines.
fn entries(data: &covmerge::model::CoverageData) -> u64 {
    let mut n = 0u64;
    for f in data.files.values() {
        n += (f.lines.len() + f.arcs.len() + f.branches.len() + f.excluded.len()) as u64;
        n += f
            .covered_by
            .values()
            .map(|g| g.lines.len() as u64)
            .sum::<u64>();
    }
    n
}

/// Every reader's output stays within a constant times its input (the
/// budgets of docs/RELIABILITY.md: at most 32 entries a byte plus a floor
/// of 2^20 per kind, with room for the explicit records).
fn assert_bounded(len: usize, data: &covmerge::model::CoverageData) {
    let bound = 64 * len as u64 + (4 << 20);
    let n = entries(data);
    assert!(n <= bound, "{n} entries from {len} bytes (bound {bound})");
}

/// Inputs built to expand, one or more per reader: each ends as an error
/// or as data within the bound, quickly (a fuzz run would time out).
#[test]
fn expanding_inputs_stay_within_their_budget() {
    let mut go = String::from("mode: count\n");
    for i in 0..50 {
        go.push_str(&format!("m/f{i}.go:1.1,1000000.2 1 1\n"));
    }
    let ranges = vec!["[1,1000000]"; 200].join(",");
    let stmts: Vec<String> = (1..=3000).map(|l| format!("[{l},1]")).collect();
    let native = format!(
        "{{\"covmerge\":1,\"files\":{{\"a.py\":{{\"lines\":[{}],\"covered_by\":\
         {{\"p\":{{\"lines\":[{ranges}]}},\"q\":{{\"lines\":[{ranges}]}}}}}}}}}}",
        stmts.join(",")
    );
    let mut xml =
        String::from("<coverage><packages><package><classes><class filename=\"a.py\"><lines>");
    for n in 1..=2000 {
        xml.push_str(&format!(
            "<line number=\"{n}\" hits=\"1\" condition-coverage=\"50% (2048/4096)\"/>"
        ));
    }
    xml.push_str("</lines></class></classes></package></packages></coverage>");
    let mut bomb = Vec::new();
    {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b' '; 1 << 20]).unwrap();
        let member = gz.finish().unwrap();
        for _ in 0..200 {
            bomb.extend_from_slice(&member);
        }
    }
    for (what, bytes) in [
        ("go", go.into_bytes()),
        ("native", native.into_bytes()),
        ("cobertura", xml.into_bytes()),
    ] {
        let mut accepted = false;
        for reader in formats::READERS {
            let mut diag = Diagnostics::default();
            if let Ok(data) = reader.read_bytes(Path::new(what), &bytes, &mut diag) {
                assert_bounded(bytes.len(), &data);
                accepted = true;
            }
        }
        eprintln!(
            "{what}: {} bytes, accepted by some reader: {accepted}",
            bytes.len()
        );
    }
    // 200 MiB of blanks in 200 KB: refused once past the inflate limit.
    let err = formats::parse(Path::new("a.gcov.json.gz"), &bomb)
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("decompresses to more than"),
        "{err}"
    );
}

/// Fuzz each reader for `per_reader`; returns (reader, inputs survived,
/// inputs the reader accepted and the whole pipeline processed).
fn fuzz(per_reader: Duration) -> Vec<(&'static str, u64, u64)> {
    let samples = samples();
    let crash_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-crashes");
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("fuzz seed {seed} (FUZZ_SEED={seed} replays)");
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut counts = Vec::new();
    let mut crashes = Vec::new();
    for reader in formats::READERS {
        let mut runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
        );
        let strategy = input();
        // Mostly the reader's own samples, sometimes any (cross-format).
        let own: Vec<Vec<u8>> = samples
            .iter()
            .filter(|b| reader.detect_bytes(b) || reader.detect(&String::from_utf8_lossy(b)))
            .cloned()
            .collect();
        let start = Instant::now();
        let mut n = 0u64;
        let mut accepted = 0u64;
        while start.elapsed() < per_reader {
            let (base, muts, raw) = strategy.new_tree(&mut runner).unwrap().current();
            let pool = if base % 8 == 0 || own.is_empty() {
                &samples
            } else {
                &own
            };
            let bytes = raw.unwrap_or_else(|| apply(pool, &samples, base / 8, &muts));
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                exercise(*reader, &bytes)
            }));
            n += 1;
            accepted += u64::from(matches!(result, Ok(true)));
            if result.is_err() {
                std::fs::create_dir_all(&crash_dir).unwrap();
                let file = crash_dir.join(format!("{}-{n}.bin", reader.name().replace(' ', "_")));
                std::fs::write(&file, &bytes).unwrap();
                crashes.push(file);
                if crashes.len() > 10 {
                    break;
                }
            }
        }
        counts.push((reader.name(), n, accepted));
    }
    assert!(crashes.is_empty(), "panics; inputs saved: {crashes:?}");
    counts
}

#[test]
fn fuzz_every_reader() {
    let seconds: f64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let counts = fuzz(Duration::from_secs_f64(seconds));
    for (reader, n, accepted) in &counts {
        println!(
            "fuzz: {reader}: survived {n} inputs in {seconds}s ({accepted} read and taken through the pipeline)"
        );
        assert!(*n > 0);
    }
}

/// Inputs that once panicked stay fixed (none yet: add them here).
#[test]
fn mutations_apply_to_every_sample() {
    let s = samples();
    assert!(s.len() >= 20, "{}", s.len());
    let out = apply(&s, &s, 3, &[Mutation::Number(0, 3), Mutation::Cut(50)]);
    assert!(out.len() <= 50 + 10);
}

/// Inputs the fuzzer found that once panicked (saved crashes are replayed
/// too, when present under target/fuzz-crashes/).
#[test]
fn former_crashes_stay_fixed() {
    // coverage.py JSON whose summary declares 2^64-1 branches: the report
    // totals overflowed (report/numbers.rs, export/cobertura.rs). Now the
    // readers take declared counts as u32 and the totals saturate.
    let json = br#"{"meta": {"format": 3, "branch_coverage": true}, "files": {
        "a.py": {"executed_lines": [1], "missing_lines": [2], "executed_branches": [[1, 2]],
                 "missing_branches": [], "summary": {"num_branches": 18446744073709551615}},
        "b.py": {"executed_lines": [1], "missing_lines": [], "executed_branches": [[1, -1]],
                 "missing_branches": [], "summary": {"num_branches": 18446744073709551615}}}}"#;
    for reader in formats::READERS {
        exercise(*reader, json);
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-crashes");
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let bytes = std::fs::read(e.path()).unwrap();
            for reader in formats::READERS {
                exercise(*reader, &bytes);
            }
        }
    }
}
