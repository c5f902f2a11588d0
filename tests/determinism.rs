//! The combined result does not depend on the number of threads or on the
//! order of the inputs: the table, the `-o` data file and the JSON and LCOV
//! exports are byte-identical (JSON `meta.timestamp` aside) for
//! RAYON_NUM_THREADS=1, 2 and 8 and for inputs copied under shuffled names.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod common;
use common::tempdir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// xorshift64*, as in bench/gen_corpus.rs: deterministic and dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

/// One module's shape: statement lines and two-way branches (line, then, else).
struct Module {
    statements: Vec<u32>,
    branches: Vec<(u32, u32, u32)>,
}

fn modules(rng: &mut Rng, count: usize) -> Vec<Module> {
    (0..count)
        .map(|_| {
            let mut statements = Vec::new();
            let mut branches = Vec::new();
            let mut line = 0;
            for _ in 0..(3 + rng.below(6)) {
                line += 1;
                statements.push(line); // def
                line += 1;
                let cond = line;
                statements.push(line);
                line += 1;
                let body = line;
                statements.push(line);
                line += 1 + rng.below(3) as u32; // blank lines or comments
                statements.push(line);
                branches.push((cond, body, line));
                line += 1;
            }
            Module {
                statements,
                branches,
            }
        })
        .collect()
}

/// Per-worker LCOV and coverage.py JSON reports with per-worker path
/// prefixes (so every path needs the `--map` rule), some with functions,
/// and one byte-identical duplicate of each format.
fn write_corpus(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mods = modules(&mut rng, 24);
    let (mut lcovs, mut jsons) = (Vec::new(), Vec::new());
    for w in 0..20 {
        let prefix = format!("/ci/host{}/w{w}/proj/src/pkg", w % 3);
        let mut lcov = String::new();
        let mut json = String::from(
            "{\"meta\": {\"format\": 3, \"version\": \"7.17.5\", \"timestamp\": \"2026-01-01T00:00:00\", \
             \"branch_coverage\": true, \"show_contexts\": false}, \"files\": {",
        );
        let mut first = true;
        for (i, m) in mods.iter().enumerate() {
            if rng.below(3) == 0 {
                continue;
            }
            let path = format!("{prefix}/mod{i:02}.py");
            let hits: Vec<u64> = m
                .statements
                .iter()
                .map(|_| {
                    if rng.below(2) == 0 {
                        0
                    } else {
                        1 + rng.below(9)
                    }
                })
                .collect();
            let hit = |l: u32| {
                m.statements
                    .iter()
                    .position(|&s| s == l)
                    .is_some_and(|k| hits[k] > 0)
            };
            if w % 2 == 0 {
                writeln!(lcov, "TN:worker{w}").unwrap();
            }
            writeln!(lcov, "SF:{path}").unwrap();
            if w % 4 == 0 {
                for (b, (cond, _, _)) in m.branches.iter().enumerate() {
                    writeln!(lcov, "FN:{},f{b}", cond - 1).unwrap();
                    writeln!(lcov, "FNDA:{},f{b}", hits[0]).unwrap();
                }
            }
            for (k, l) in m.statements.iter().enumerate() {
                writeln!(lcov, "DA:{l},{}", hits[k]).unwrap();
            }
            let (mut exec_arcs, mut miss_arcs) = (Vec::new(), Vec::new());
            for (b, &(cond, t, f)) in m.branches.iter().enumerate() {
                for (k, target) in [(0, t), (1, f)] {
                    let count = match (hit(cond), hit(target)) {
                        (true, true) => (1 + rng.below(5)).to_string(),
                        (true, false) => "0".to_string(),
                        _ => "-".to_string(),
                    };
                    writeln!(lcov, "BRDA:{cond},{b},{k},{count}").unwrap();
                    if hit(cond) && hit(target) {
                        exec_arcs.push(format!("[{cond}, {target}]"));
                    } else {
                        miss_arcs.push(format!("[{cond}, {target}]"));
                    }
                }
            }
            writeln!(lcov, "end_of_record").unwrap();

            let executed: Vec<String> = m
                .statements
                .iter()
                .filter(|&&l| hit(l))
                .map(|l| l.to_string())
                .collect();
            let missing: Vec<String> = m
                .statements
                .iter()
                .filter(|&&l| !hit(l))
                .map(|l| l.to_string())
                .collect();
            if !first {
                json.push_str(", ");
            }
            first = false;
            write!(
                json,
                "\"{path}\": {{\"executed_lines\": [{}], \"summary\": {{}}, \"missing_lines\": [{}], \
                 \"excluded_lines\": [], \"executed_branches\": [{}], \"missing_branches\": [{}]}}",
                executed.join(", "),
                missing.join(", "),
                exec_arcs.join(", "),
                miss_arcs.join(", ")
            )
            .unwrap();
        }
        json.push_str("}, \"totals\": {}}");
        let lcov_path = dir.join(format!("lcov/w{w:02}.info"));
        let json_path = dir.join(format!("json/coverage-w{w:02}.json"));
        std::fs::create_dir_all(lcov_path.parent().unwrap()).unwrap();
        std::fs::create_dir_all(json_path.parent().unwrap()).unwrap();
        std::fs::write(&lcov_path, &lcov).unwrap();
        std::fs::write(&json_path, &json).unwrap();
        if w == 7 {
            // A re-uploaded shard: counted once whichever copy comes first.
            let dup_lcov = dir.join("lcov/w07-retry.info");
            let dup_json = dir.join("json/coverage-w07-retry.json");
            std::fs::write(&dup_lcov, &lcov).unwrap();
            std::fs::write(&dup_json, &json).unwrap();
            lcovs.push(dup_lcov);
            jsons.push(dup_json);
        }
        lcovs.push(lcov_path);
        jsons.push(json_path);
    }
    (lcovs, jsons)
}

/// Copy `inputs` into a fresh directory under names that sort in a
/// shuffled order (some in a subdirectory), keeping each extension and
/// the `coverage` prefix that JSON discovery needs.
fn shuffled_copy(inputs: &[PathBuf], dir: &Path, seed: u64) {
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    Rng(seed | 1).shuffle(&mut order);
    for (pos, &i) in order.iter().enumerate() {
        let src = &inputs[i];
        let name = src.file_name().unwrap().to_str().unwrap();
        let ext = name.rsplit('.').next().unwrap();
        let sub = if pos % 3 == 0 { "nested/" } else { "" };
        let dst = dir.join(format!("{sub}coverage-{pos:03}-x{seed}.{ext}"));
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(src, dst).unwrap();
    }
}

/// Everything a combine writes: stdout and the contents of the outputs.
#[derive(Debug, PartialEq)]
struct Outputs {
    table: String,
    data_file: Vec<u8>,
    json: String,
    lcov: Vec<u8>,
}

fn combine(inputs: &Path, threads: usize, out: &Path, extra: &[&str]) -> Outputs {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).unwrap();
    let data = out.join("combined.covmerge.json");
    let json = out.join("coverage.json");
    let lcov = out.join("coverage.lcov");
    let result = common::command(&root())
        .arg("combine")
        .arg(inputs)
        .args(["-m", "--width", "100", "--map", "*/proj/src/=src/"])
        .args(extra)
        .arg("-o")
        .arg(&data)
        .arg("--report")
        .arg(format!("json:{}", json.display()))
        .arg("--report")
        .arg(format!("lcov:{}", lcov.display()))
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("covmerge runs");
    assert!(
        result.status.success(),
        "covmerge combine {} failed: {}",
        inputs.display(),
        String::from_utf8_lossy(&result.stderr)
    );
    let table = String::from_utf8(result.stdout).unwrap();
    assert!(table.contains("TOTAL"), "no table:\n{table}");
    Outputs {
        table,
        data_file: std::fs::read(&data).unwrap(),
        json: mask_timestamp(&std::fs::read_to_string(&json).unwrap()),
        lcov: std::fs::read(&lcov).unwrap(),
    }
}

/// JSON `meta.timestamp` is the time of the run: the one field allowed to differ.
fn mask_timestamp(json: &str) -> String {
    let key = "\"timestamp\": \"";
    match json.find(key) {
        Some(at) => {
            let start = at + key.len();
            let end = start + json[start..].find('"').unwrap();
            format!("{}TIMESTAMP{}", &json[..start], &json[end..])
        }
        None => json.to_string(),
    }
}

fn check_deterministic(tag: &str, inputs: &[PathBuf], extra: &[&str]) -> Outputs {
    let work = tempdir(tag);
    let outs = work.join("out");
    let original = work.join("original");
    for (k, src) in inputs.iter().enumerate() {
        let name = src.file_name().unwrap().to_str().unwrap();
        let dir = original.join(format!("{k:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(src, dir.join(name)).unwrap();
    }
    let baseline = combine(&original, 1, &outs, extra);
    for threads in [2, 8] {
        let other = combine(&original, threads, &outs, extra);
        assert_eq!(
            baseline, other,
            "{tag}: RAYON_NUM_THREADS={threads} differs from 1"
        );
    }
    for seed in [3u64, 17, 2024] {
        let dir = work.join(format!("shuffled-{seed}"));
        shuffled_copy(inputs, &dir, seed);
        for threads in [1, 8] {
            let other = combine(&dir, threads, &outs, extra);
            assert_eq!(
                baseline, other,
                "{tag}: shuffled order (seed {seed}, {threads} threads) differs"
            );
        }
    }
    std::fs::remove_dir_all(&work).unwrap();
    baseline
}

/// The generated modules all show up, merged across the worker prefixes.
fn assert_merged(out: &Outputs) {
    for i in 0..24 {
        assert!(
            out.table.contains(&format!("src/pkg/mod{i:02}.py")),
            "mod{i:02} missing:\n{}",
            out.table
        );
    }
    assert!(
        !out.table.contains("/ci/host"),
        "unmapped paths:\n{}",
        out.table
    );
}

#[test]
fn lcov_combine_is_independent_of_threads_and_input_order() {
    let work = tempdir("lcov-corpus");
    let (mut lcovs, _) = write_corpus(&work);
    // Real producers' tracefiles too: C, JavaScript, coverage.py, with
    // functions, checksums, block/branch ids and test names.
    let samples = root().join("testdata/samples/lcov");
    for name in [
        "gcc-geninfo-run1.info",
        "gcc-geninfo-run2-checksum.info",
        "clang-llvm-cov-merged.info",
        "nyc-merged-lcov.info",
        "c8-lcov.info",
        "gcovr-merged.info",
    ] {
        lcovs.push(samples.join(name));
    }
    let out = check_deterministic("lcov", &lcovs, &[]);
    assert_merged(&out);
    assert!(out.lcov.starts_with(b"SF:") || out.lcov.starts_with(b"TN:"));
    std::fs::remove_dir_all(&work).unwrap();
}

#[test]
fn json_combine_is_independent_of_threads_and_input_order() {
    let work = tempdir("json-corpus");
    let (_, mut jsons) = write_corpus(&work);
    // Real coverage.py reports (with function and class regions) of two
    // workers, recorded as covmerge data files with different platforms so
    // that the header lists both ("each" mode).
    let recorded = work.join("recorded");
    for (worker, platform) in [
        ("gw0", "platform linux, python 3.11.7-final-0"),
        ("gw1", "platform linux, python 3.12.1-final-0"),
    ] {
        let report = root().join(format!(
            "testdata/golden/each-branch/workers/{worker}/coverage.json"
        ));
        let result = common::command(&root())
            .args(["record", "--data-dir"])
            .arg(&recorded)
            .args(["--host", "ci", "--worker", worker, "--platform", platform])
            .args(["--mode", "each"])
            .arg(&report)
            .output()
            .expect("covmerge record runs");
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
    for entry in std::fs::read_dir(&recorded).unwrap() {
        jsons.push(entry.unwrap().path());
    }
    let out = check_deterministic("json", &jsons, &[]);
    assert_merged(&out);
    assert!(out.table.contains("python 3.11.7") && out.table.contains("python 3.12.1"));
    assert!(
        out.json.contains("\"functions\""),
        "no regions in the JSON export"
    );
    std::fs::remove_dir_all(&work).unwrap();
}
