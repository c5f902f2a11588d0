//! A careless or hostile CI environment (docs/RELIABILITY.md, "Hostile
//! environments"): outputs that would replace inputs, combines
//! racing on one output, strings that try to write into the log, numbers
//! out of range, inputs built to expand. Costly inputs run the binary as a
//! child and read its peak memory and CPU time from the kernel (wait4),
//! so the budgets are asserted without wall-clock thresholds (Unix only).
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;
use common::tempdir;

fn sample(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/samples")
        .join(rel)
}

fn bin() -> Command {
    let mut c = common::covmerge();
    c.env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("COVERAGE_RCFILE");
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// Peak resident memory in MiB and user + system CPU seconds.
    peak_mib: f64,
    cpu: f64,
}

/// Run covmerge in `dir` and measure it.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out_path = dir.join(format!(".stdout-{}", std::process::id()));
    let err_path = dir.join(format!(".stderr-{}", std::process::id()));
    let mut cmd = bin();
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    // Reaped by wait4 below, which also gives its resource usage.
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().unwrap();
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        panic!(
            "covmerge {args:?} died of signal {}",
            libc::WTERMSIG(status)
        );
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let r = Run {
        code,
        stdout: std::fs::read_to_string(&out_path).unwrap(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
        peak_mib: usage.ru_maxrss as f64 / 1024.0,
        cpu: secs(usage.ru_utime) + secs(usage.ru_stime),
    };
    let _ = std::fs::remove_file(out_path);
    let _ = std::fs::remove_file(err_path);
    r
}

fn record(dir: &Path, data: &str, host: &str, platform: &str, worker: &str, report: &Path) {
    let r = run(
        dir,
        &[
            "record",
            "-q",
            "--data-dir",
            data,
            "--host",
            host,
            "--platform",
            platform,
            "--worker",
            worker,
            report.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------- outputs

#[test]
fn outputs_that_would_replace_an_input_or_each_other_are_refused() {
    let dir = tempdir("hostile-paths");
    record(
        &dir,
        "data",
        "h",
        "platform linux",
        "w1",
        &sample("coveragepy/coverage.json"),
    );
    let input = format!("data/{}", names(&dir.join("data"))[0]);
    let before = std::fs::read(dir.join(&input)).unwrap();
    let lcov_input = format!("lcov:{input}");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["-o", "all.json", "--manifest", "all.json"],
            "-o all.json and --manifest all.json are the same file",
        ),
        (vec!["--manifest", &input], "--manifest"),
        (
            vec!["--report", "json:x/../all.json", "-o", "all.json"],
            "same file",
        ),
        (vec!["--report", &lcov_input], "also an input"),
    ];
    for (args, expect) in cases {
        let mut full = vec!["combine", "data", "--delete-inputs"];
        if !args.contains(&"-o") {
            full.truncate(2);
        }
        full.extend(args.iter().copied());
        std::fs::create_dir_all(dir.join("x")).unwrap();
        let r = run(&dir, &full, &[]);
        assert_eq!(r.code, 1, "{full:?}: {}", r.stderr);
        assert!(r.stderr.contains(expect), "{full:?}: {}", r.stderr);
        assert_eq!(std::fs::read(dir.join(&input)).unwrap(), before, "{full:?}");
        assert!(!dir.join("all.json").exists(), "{full:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_manifest_is_written_when_strict_fails() {
    let dir = tempdir("hostile-strict");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(
        sample("coveragepy/coverage.json"),
        dir.join("data/coverage.json"),
    )
    .unwrap();
    std::fs::write(dir.join("data/bad.info"), "junk\n").unwrap();
    let r = run(
        &dir,
        &[
            "combine",
            "--strict",
            "--manifest",
            "m.json",
            "-o",
            "all.json",
            "data",
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("m.json")).unwrap()).unwrap();
    let exp = m["summary"]["expectations"].as_str().unwrap();
    assert!(exp.contains("bad.info"), "{exp}");
    assert_eq!(m["inputs"].as_array().unwrap().len(), 2);
    assert!(!dir.join("all.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Two combines with `--delete-inputs` on one `-o` while workers keep
/// arriving: every worker's data must end up in the output or still be in
/// the data directory. Before the lock, the slower combine renamed its
/// output over the faster one's after that one had deleted a worker the
/// slower one never read.
#[test]
fn racing_combines_on_one_output_never_lose_a_worker() {
    let dir = tempdir("hostile-race");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let lcov = |i: usize| format!("TN:\nSF:src/w{i}.c\nDA:1,1\nend_of_record\n");
    let mut written = 0;
    for round in 0..6 {
        for _ in 0..3 {
            std::fs::write(dir.join(format!("data/w{written}.info")), lcov(written)).unwrap();
            written += 1;
        }
        let spawn = || {
            bin()
                .args(["combine", "-q", "--header", "none", "--delete-inputs", "-o"])
                .args(["out/all.covmerge.json", "data", "out/all.covmerge.json"])
                .current_dir(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        if round == 0 {
            // The first round has no output yet to read back.
            let r = run(
                &dir,
                &[
                    "combine",
                    "-q",
                    "--delete-inputs",
                    "-o",
                    "out/all.covmerge.json",
                    "data",
                ],
                &[],
            );
            assert_eq!(r.code, 0, "{}", r.stderr);
            continue;
        }
        let a = spawn();
        // One more worker arrives between the two combines.
        std::fs::write(dir.join(format!("data/w{written}.info")), lcov(written)).unwrap();
        written += 1;
        let b = spawn();
        let a = a.wait_with_output().unwrap();
        let b = b.wait_with_output().unwrap();
        for o in [&a, &b] {
            if !o.status.success() {
                let err = String::from_utf8_lossy(&o.stderr);
                assert!(err.contains("another covmerge combine"), "{err}");
            }
        }
        // Every worker is in the output or still waiting in data/.
        let r = run(
            &dir,
            &["report", "-q", "--header", "none", "out/all.covmerge.json"],
            &[],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let waiting = names(&dir.join("data"));
        for i in 0..written {
            let in_output = r.stdout.contains(&format!("src/w{i}.c "));
            let still_there = waiting.contains(&format!("w{i}.info"));
            assert!(in_output || still_there, "worker {i} lost in round {round}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// While another process holds the output's lock, combine fails at once
/// and touches nothing (deterministic: the test holds the lock itself).
#[test]
fn a_combine_that_finds_the_output_locked_fails_and_deletes_nothing() {
    let dir = tempdir("hostile-locked");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/w.info"), "SF:a.c\nDA:1,1\nend_of_record\n").unwrap();
    let lock = std::fs::File::create(dir.join(".all.covmerge.json.covmerge-lock")).unwrap();
    lock.try_lock().unwrap();
    let r = run(
        &dir,
        &[
            "combine",
            "--delete-inputs",
            "-o",
            "all.covmerge.json",
            "data",
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("another covmerge combine is writing"),
        "{}",
        r.stderr
    );
    assert!(dir.join("data/w.info").exists());
    assert!(!dir.join("all.covmerge.json").exists());
    drop(lock);
    let r = run(
        &dir,
        &[
            "combine",
            "-q",
            "--delete-inputs",
            "-o",
            "all.covmerge.json",
            "data",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!dir.join("data/w.info").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A combine killed while it holds the lock leaves nothing that blocks the
/// next one (the kernel drops the lock with the process).
#[test]
fn a_killed_combine_does_not_block_the_next() {
    let dir = tempdir("hostile-kill");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    for i in 0..200 {
        std::fs::write(
            dir.join(format!("data/w{i}.info")),
            format!("SF:src/w{i}.c\nDA:1,1\nend_of_record\n"),
        )
        .unwrap();
    }
    for delay in [0u64, 5, 20, 60] {
        let mut child = bin()
            .args([
                "combine",
                "-q",
                "--delete-inputs",
                "-o",
                "all.covmerge.json",
                "data",
            ])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
    }
    let mut args = vec![
        "combine",
        "-q",
        "--delete-inputs",
        "-o",
        "all.covmerge.json",
        "data",
    ];
    // A killed run may have written the output (and deleted inputs) first.
    if dir.join("all.covmerge.json").exists() {
        args.push("all.covmerge.json");
    }
    let r = run(&dir, &args, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &dir,
        &["report", "-q", "--header", "none", "all.covmerge.json"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("TOTAL"), "{}", r.stdout);
    let left = names(&dir.join("data"));
    for i in 0..200 {
        assert!(
            r.stdout.contains(&format!("src/w{i}.c ")) || left.contains(&format!("w{i}.info")),
            "worker {i} lost"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// ----------------------------------------------------------- injection

#[test]
fn strings_from_inputs_cannot_start_a_log_line_or_an_escape() {
    let dir = tempdir("hostile-inject");
    let platform = "platform linux\n::warning file=app.js::pwned\x1b[2J";
    record(
        &dir,
        "data",
        "host\r::error::x",
        platform,
        "gw0\x07",
        &sample("coveragepy/coverage.json"),
    );
    std::fs::write(
        dir.join("data/evil.info"),
        "SF:src/a\n::warning file=x::y.c\nDA:1,1\nend_of_record\nSF:src/b\x1b]0;t\x07.c\nDA:1,1\nDA:0,1\nend_of_record\n",
    )
    .unwrap();
    let views: &[&[&str]] = &[
        &["combine", "data", "-m", "-v", "--manifest", "m.json"],
        &["combine", "data", "--by-platform"],
        &["combine", "data", "--by", "worker", "--platform-diff"],
        &[
            "combine",
            "data",
            "--format",
            "markdown",
            "--header",
            "pytest-cov",
        ],
        &["combine", "data", "--expect-platforms", "nowhere"],
    ];
    for args in views {
        let r = run(&dir, args, &[]);
        for (what, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
            for line in text.lines() {
                assert!(
                    !line.trim_start().starts_with("::"),
                    "{args:?} {what}: {line:?}"
                );
            }
            assert!(
                !text.contains('\x1b') && !text.contains('\r') && !text.contains('\x07'),
                "{args:?} {what}: {text:?}"
            );
        }
    }
    // The manifest keeps the exact strings (JSON escapes them).
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("m.json")).unwrap()).unwrap();
    assert!(m["summary"]["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == platform));
    std::fs::remove_dir_all(&dir).unwrap();
}

// -------------------------------------------------------------- numbers

#[test]
fn precision_and_width_out_of_range_are_errors_not_crashes() {
    let dir = tempdir("hostile-numbers");
    std::fs::copy(
        sample("coveragepy/coverage.json"),
        dir.join("coverage.json"),
    )
    .unwrap();
    let r = run(
        &dir,
        &["combine", "coverage.json", "--precision", "65536"],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--precision 65536"), "{}", r.stderr);
    std::fs::write(dir.join(".coveragerc"), "[report]\nprecision = 65536\n").unwrap();
    let r = run(&dir, &["combine", "coverage.json"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(".coveragerc: [report] precision = 65536"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(dir.join(".coveragerc")).unwrap();
    let r = run(
        &dir,
        &["combine", "coverage.json", "--width", "100000000000"],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--width 100000000000"), "{}", r.stderr);
    let r = run(
        &dir,
        &["combine", "coverage.json"],
        &[("COLUMNS", "100000000000")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.peak_mib < 100.0, "{} MiB", r.peak_mib);
    let r = run(
        &dir,
        &["combine", "coverage.json", "--precision", "100"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------- names

#[test]
fn a_very_long_worker_id_is_recorded_with_a_short_name() {
    let dir = tempdir("hostile-names");
    let worker = "w".repeat(170);
    let host = "h".repeat(250);
    record(
        &dir,
        "data",
        &host,
        "platform linux",
        &worker,
        &sample("coveragepy/coverage.json"),
    );
    let files = names(&dir.join("data"));
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].len() < 200, "{}", files[0]);
    let r = run(
        &dir,
        &["combine", "data", "--manifest", "m.json", "-q"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = std::fs::read_to_string(dir.join("m.json")).unwrap();
    assert!(m.contains(&worker) && m.contains(&host));
    // `run`, as the issue found it: the test command (here one that writes
    // the report), then the record.
    let report = sample("coveragepy/coverage.json");
    let r = run(
        &dir,
        &[
            "run",
            "-q",
            "--data-dir",
            "ran",
            "--worker",
            &worker,
            "--report",
            "coverage.json",
            "--",
            "cp",
            report.to_str().unwrap(),
            "coverage.json",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(names(&dir.join("ran")).len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

// -------------------------------------------------------------- budgets

/// Each input is a few hundred bytes to a few hundred KB built to expand.
/// covmerge must end with a result or an error naming the file, within
/// the documented budget: here, well under 200 MiB and 10 CPU seconds in
/// a debug build (before the budgets: 375 MB to several GB, 13 to 44 s).
fn assert_bounded(dir: &Path, file: &str, what: &str) -> Run {
    let r = run(dir, &["combine", "--header", "none", file], &[]);
    eprintln!(
        "{what}: exit {}, {:.1} MiB peak, {:.2} s CPU",
        r.code, r.peak_mib, r.cpu
    );
    assert!(r.peak_mib < 200.0, "{what}: {:.0} MiB peak", r.peak_mib);
    assert!(r.cpu < 10.0, "{what}: {:.1} s CPU", r.cpu);
    if r.code != 0 {
        assert!(r.stderr.contains(file), "{what}: {}", r.stderr);
    }
    r
}

#[test]
fn go_blocks_spanning_a_million_lines_are_charged_to_the_budget() {
    let dir = tempdir("hostile-go");
    let mut text = String::from("mode: count\n");
    for i in 0..10 {
        text.push_str(&format!("example.com/m/f{i}.go:1.1,1000000.2 1 1\n"));
    }
    std::fs::write(dir.join("cover.out"), &text).unwrap();
    let r = assert_bounded(&dir, "cover.out", "go blocks");
    assert!(r.stderr.contains("expands to more than"), "{}", r.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn repeated_covered_by_ranges_cost_once() {
    let dir = tempdir("hostile-native");
    let ranges = vec!["[1,1000000]"; 60].join(",");
    let lines: Vec<String> = (1..=2000).map(|l| format!("[{l},1]")).collect();
    let text = format!(
        "{{\"covmerge\":1,\"sources\":[{{\"host\":\"h\",\"platform\":\"p\",\"worker\":\"w\"}}],\
         \"attribution\":\"platform\",\"files\":{{\"a.py\":{{\"lines\":[{}],\
         \"covered_by\":{{\"p\":{{\"lines\":[{ranges}]}}}}}}}}}}",
        lines.join(",")
    );
    std::fs::write(dir.join("x.covmerge.json"), &text).unwrap();
    let r = assert_bounded(&dir, "x.covmerge.json", "covered_by ranges");
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_gzip_bomb_stops_at_its_limit() {
    use std::io::Write;
    let dir = tempdir("hostile-gzip");
    // 1,024 gzip members of 1 MiB each: a 1 GiB file in ~1 MB.
    let member = |data: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    };
    let mut bytes = member(b"{\"gcc_version\": \"13\", \"files\": [], \"pad\": \"");
    let zeros = member(&vec![b'0'; 1 << 20]);
    for _ in 0..1024 {
        bytes.extend_from_slice(&zeros);
    }
    assert!(bytes.len() < 2 << 20);
    std::fs::write(dir.join("a.gcov.json.gz"), &bytes).unwrap();
    let r = assert_bounded(&dir, "a.gcov.json.gz", "gzip bomb");
    assert!(
        r.stderr.contains("decompresses to more than"),
        "{}",
        r.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_sparse_two_gib_file_is_refused_unread() {
    let dir = tempdir("hostile-sparse");
    let f = std::fs::File::create(dir.join("coverage.json")).unwrap();
    f.set_len(2 << 30).unwrap();
    let r = assert_bounded(&dir, "coverage.json", "sparse file");
    assert!(
        r.stderr.contains("not a coverage file covmerge can read"),
        "{}",
        r.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cobertura_condition_coverage_is_charged_to_the_budget() {
    let dir = tempdir("hostile-cobertura");
    let mut text = String::from(
        "<?xml version=\"1.0\" ?>\n<coverage><packages><package name=\"p\"><classes>\
         <class name=\"a\" filename=\"a.py\"><lines>\n",
    );
    for n in 1..=3000 {
        text.push_str(&format!(
            "<line number=\"{n}\" hits=\"1\" branch=\"true\" condition-coverage=\"50% (2048/4096)\"/>\n"
        ));
    }
    text.push_str("</lines></class></classes></package></packages></coverage>\n");
    std::fs::write(dir.join("coverage.xml"), &text).unwrap();
    let r = assert_bounded(&dir, "coverage.xml", "condition-coverage");
    assert!(r.stderr.contains("expands to more than"), "{}", r.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn jacoco_branch_counts_are_charged_to_the_budget() {
    let dir = tempdir("hostile-jacoco");
    let mut text = String::from(
        "<?xml version=\"1.0\"?><!DOCTYPE report PUBLIC \"-//JACOCO//DTD Report 1.1//EN\" \
         \"report.dtd\"><report name=\"r\"><package name=\"p\"><sourcefile name=\"A.java\">",
    );
    for n in 1..=3000 {
        text.push_str(&format!(
            "<line nr=\"{n}\" mi=\"0\" ci=\"1\" mb=\"2048\" cb=\"2048\"/>"
        ));
    }
    text.push_str("</sourcefile></package></report>");
    std::fs::write(dir.join("jacoco.xml"), &text).unwrap();
    let r = assert_bounded(&dir, "jacoco.xml", "jacoco branch counts");
    assert!(r.stderr.contains("expands to more than"), "{}", r.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sqlite_with_computed_columns_or_views_is_refused() {
    let dir = tempdir("hostile-sqlite");
    let build = |name: &str, line_bits: &str| {
        let path = dir.join(name);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "create table coverage_schema (version integer);
             insert into coverage_schema values (7);
             create table file (id integer primary key, path text);
             insert into file values (1, 'a.py');
             {line_bits}"
        ))
        .unwrap();
    };
    build(
        ".coverage.virtual",
        "create table line_bits (file_id integer, context_id integer, \
         numbits blob generated always as (zeroblob(1000000000)) virtual);
         insert into line_bits (file_id, context_id) values (1, 1);",
    );
    build(
        ".coverage.view",
        "create view line_bits as with recursive n(i) as (select 1 union all \
         select i + 1 from n where i < 100000000) select 1 as file_id, x'ff' as numbits from n;",
    );
    for name in [".coverage.virtual", ".coverage.view"] {
        let r = assert_bounded(&dir, name, name);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains("line_bits"), "{}", r.stderr);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
