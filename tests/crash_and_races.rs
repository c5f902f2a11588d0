//! Crash safety and concurrency: writers killed at random points never
//! leave a partial file where combine looks; many concurrent `record`s
//! never clash on names or make a running combine read half a file;
//! `--delete-inputs` deletes only what the durable output holds.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod common;
use common::tempdir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample(rel: &str) -> PathBuf {
    root().join("testdata/samples").join(rel)
}

fn bin() -> Command {
    let mut c = common::covmerge();
    c.env_remove("COLUMNS").env_remove("GITHUB_STEP_SUMMARY");
    c
}

fn combine(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .arg("combine")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A small deterministic generator (xorshift), seeded from the clock and
/// printed, so a failure can be replayed with COVMERGE_SEED.
struct Rng(u64);
impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("COVMERGE_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("seed {seed} (COVMERGE_SEED={seed} replays)");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn big_lcov(path: &Path, files: u32, lines: u32) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for f in 0..files {
        writeln!(w, "SF:src/f{f}.c").unwrap();
        for l in 1..=lines {
            writeln!(w, "DA:{l},{}", (l + f) % 4).unwrap();
        }
        writeln!(w, "end_of_record").unwrap();
    }
}

fn manifest(dir: &Path, name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
}

/// Every input combine found was complete: nothing was rejected.
fn assert_nothing_rejected(m: &serde_json::Value, what: &str) {
    assert_eq!(m["summary"]["rejected"], 0, "{what}: {m:#}");
}

#[test]
fn killed_writers_never_leave_a_partial_file() {
    let dir = tempdir("kill");
    let report = dir.join("big.info");
    big_lcov(&report, 200, 1000); // 200k DA lines, a few MB of output
    let data = dir.join("data");
    let mut rng = Rng::new();
    let mut finished = 0;
    for i in 0..24 {
        let mut child = bin()
            .args(["record", "-q", "--data-dir"])
            .arg(&data)
            .args(["--host", "h", "--platform", "platform linux", "--worker"])
            .arg(format!("w{i}"))
            .arg(&report)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(400)));
        if child.try_wait().unwrap().is_some() {
            finished += 1;
        } else {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
        }
    }
    // Also kill combine -o while it writes its output.
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    for _ in 0..6 {
        let mut child = bin()
            .args(["combine", "-q", "--header", "none", "-o"])
            .arg(out.join("all.covmerge.json"))
            .arg(&report)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(600)));
        let _ = child.kill();
        child.wait().unwrap();
    }
    eprintln!("{finished} of 24 record runs finished before the kill");
    if data.exists() {
        let (code, _, stderr) =
            combine(&dir, &["--header", "none", "--manifest", "m.json", "data"]);
        let names = std::fs::read_dir(&data).unwrap().count();
        if code == 0 {
            assert_nothing_rejected(&manifest(&dir, "m.json"), "after kills");
        } else {
            assert!(stderr.is_empty() || names > 0, "{stderr}");
        }
    }
    // The killed combine's output is whole or absent.
    let all = out.join("all.covmerge.json");
    if all.exists() {
        let (code, _, stderr) = combine(
            &dir,
            &["--strict", "--header", "none", all.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{stderr}");
    }
    for entry in std::fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_string_lossy();
        assert!(
            name == "all.covmerge.json" || name.starts_with('.'),
            "{name}"
        );
    }
}

#[test]
fn concurrent_writers_and_a_looping_combine() {
    let dir = tempdir("conc");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let report = sample("lcov/gcc-geninfo-run1.info");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let combiner = {
        let (dir, stop) = (dir.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut runs = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || runs == 0 {
                let name = format!("m{runs}.json");
                let (code, _, stderr) = combine(
                    &dir,
                    &["-q", "--header", "none", "--manifest", &name, "data"],
                );
                if code == 0 {
                    assert_nothing_rejected(&manifest(&dir, &name), &stderr);
                } else {
                    assert!(
                        stderr.is_empty(),
                        "combine failed during the writes: {stderr}"
                    );
                }
                runs += 1;
            }
            runs
        })
    };
    let writers: Vec<_> = (0..16)
        .map(|t| {
            let (data, report) = (data.clone(), report.clone());
            std::thread::spawn(move || {
                for j in 0..10 {
                    let out = bin()
                        .args([
                            "record",
                            "-q",
                            "--host",
                            "h",
                            "--platform",
                            "platform linux",
                            "--data-dir",
                        ])
                        .arg(&data)
                        .arg("--worker")
                        .arg(format!("w{t}-{j}"))
                        .arg(&report)
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let runs = combiner.join().unwrap();
    eprintln!("{runs} combines ran during the writes");
    let files: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files.len(),
        160,
        "no name clashed and no temporary file stayed: {files:?}"
    );
    let (code, _, stderr) = combine(
        &dir,
        &[
            "--strict",
            "--header",
            "none",
            "--expect-workers",
            "160",
            "--manifest",
            "final.json",
            "data",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(manifest(&dir, "final.json")["summary"]["used"], 160);
}

#[test]
fn delete_inputs_only_after_the_output_and_never_rejected_ones() {
    let dir = tempdir("delete");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(sample("lcov/gcc-geninfo-run1.info"), data.join("a.info")).unwrap();
    std::fs::copy(
        sample("lcov/gcc-geninfo-run1.info"),
        data.join("a-copy.info"),
    )
    .unwrap();
    std::fs::copy(
        sample("coveragepy/coverage.json"),
        data.join("coverage.json"),
    )
    .unwrap();
    std::fs::write(data.join("bad.info"), "junk").unwrap();

    // Without -o there is nothing durable to delete for: refused.
    let (code, _, stderr) = combine(&dir, &["--delete-inputs", "data"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("--output"), "{stderr}");
    // Expectations not met: nothing is written or deleted.
    let (code, _, stderr) = combine(
        &dir,
        &[
            "--delete-inputs",
            "-o",
            "all.covmerge.json",
            "--expect-workers",
            "5",
            "data",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("expected data from 5 workers, but only 2 contributed"),
        "{stderr}"
    );
    assert!(!dir.join("all.covmerge.json").exists());
    assert_eq!(std::fs::read_dir(&data).unwrap().count(), 4);

    let (code, before, stderr) = combine(
        &dir,
        &[
            "--header",
            "none",
            "--delete-inputs",
            "-o",
            "all.covmerge.json",
            "--manifest",
            "m.json",
            "data",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let left: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["bad.info"], "only the rejected input stays");
    let m = manifest(&dir, "m.json");
    let deleted = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["deleted"] == true)
        .count();
    assert_eq!(deleted, 3);
    // The output holds everything that was deleted.
    let (code, after, stderr) = combine(&dir, &["--header", "none", "all.covmerge.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(before, after);
}

/// A run killed after writing `-o` and deleting some inputs, then run
/// again unchanged, must not replace `-o` with the remaining inputs alone.
#[test]
fn delete_inputs_refuses_an_output_it_would_not_read() {
    let dir = tempdir("delete-again");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for i in 0..3 {
        std::fs::write(
            data.join(format!("w{i}.info")),
            format!("SF:src/w{i}.c\nDA:1,1\nend_of_record\n"),
        )
        .unwrap();
    }
    let args = ["-q", "--delete-inputs", "-o", "all.covmerge.json", "data"];
    let (code, _, stderr) = combine(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    // As if the first run had been killed before deleting w2: a new worker
    // file and one that was never deleted.
    std::fs::write(data.join("w2.info"), "SF:src/w2.c\nDA:1,1\nend_of_record\n").unwrap();
    let saved = std::fs::read(dir.join("all.covmerge.json")).unwrap();
    let (code, _, stderr) = combine(&dir, &args);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("all.covmerge.json already exists and is not one of the inputs"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(dir.join("all.covmerge.json")).unwrap(), saved);
    assert!(data.join("w2.info").exists(), "nothing is deleted");
    // Named as an input, it is combined with the rest and replaced.
    let mut again = args.to_vec();
    again.push("all.covmerge.json");
    let (code, _, stderr) = combine(&dir, &again);
    assert_eq!(code, 0, "{stderr}");
    assert!(!data.join("w2.info").exists());
    let (code, table, stderr) = combine(&dir, &["--header", "none", "all.covmerge.json"]);
    assert_eq!(code, 0, "{stderr}");
    for i in 0..3 {
        assert!(table.contains(&format!("src/w{i}.c")), "{table}");
    }
}
