//! Bad inputs, made from the real samples in testdata/samples: every one
//! is named in a clear message (with its line where there is one), skipped
//! by default and fatal with --strict; never a panic, never a hang.
//! docs/RELIABILITY.md has the table of these cases and their outcomes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use covmerge::formats;

mod common;
use common::tempdir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(root().join("testdata/samples").join(rel)).unwrap()
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run covmerge in `dir` through `sh` (so a memory limit can be set with
/// `ulimit -v`), failing the test if it runs longer than `limit`: a hang
/// is a bug, not a slow test.
fn run(dir: &Path, args: &[&str], limit: Duration, ulimit_kb: Option<u64>) -> Out {
    let script = match ulimit_kb {
        Some(kb) => format!("ulimit -v {kb}; exec \"$0\" \"$@\""),
        None => "exec \"$0\" \"$@\"".to_string(),
    };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_covmerge"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    // Read the pipes on threads so a big output cannot block the child.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t1 = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut s).ok();
        s
    });
    let t2 = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("covmerge {args:?} did not finish within {limit:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&t1.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t2.join().unwrap()).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "covmerge panicked on {args:?}:\n{stderr}"
    );
    Out {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

fn covmerge(dir: &Path, args: &[&str]) -> Out {
    run(dir, args, Duration::from_secs(120), None)
}

/// What must happen to one bad input.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Rejected; the message contains this text.
    Rejected(&'static str),
    /// Read, with a warning containing this text (e.g. `name:LINE:`).
    Warned(&'static str),
}

struct Case {
    name: String,
    bytes: Vec<u8>,
    expect: Expect,
}

fn case(name: &str, bytes: impl Into<Vec<u8>>, expect: Expect) -> Case {
    Case {
        name: name.to_string(),
        bytes: bytes.into(),
        expect,
    }
}

fn replace(text: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(text.to_vec()).unwrap();
    assert!(text.contains(from), "{from:?} not in sample");
    text.replacen(from, to, 1).into_bytes()
}

/// The table of bad inputs (docs/RELIABILITY.md lists the same).
fn cases() -> Vec<Case> {
    use Expect::*;
    let json = sample("coveragepy/coverage.json");
    let lcov = sample("lcov/gcc-geninfo-run1.info");
    let native = {
        let parsed = formats::parse(Path::new("x"), &json).unwrap();
        formats::native::to_string(&parsed.data).into_bytes()
    };
    let mut deep = b"{\"files\": {\"a.py\": {\"contexts\": ".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    let mut deep_native = b"{\"covmerge\": 1, \"files\": ".to_vec();
    deep_native.extend(std::iter::repeat_n(b'{', 5_000));
    let lcov_text = |body: &str| format!("TN:\nSF:/src/a.c\n{body}\nend_of_record\n").into_bytes();
    vec![
        case("coverage-empty.json", "", Rejected("file is empty")),
        case("coverage-blank.json", " \n\r\n\t", Rejected("file is empty")),
        case("coverage-cut.json", &json[..json.len() / 2], Rejected("invalid JSON")),
        case("cut.covmerge.json", &native[..native.len() * 2 / 3], Rejected("invalid JSON")),
        case(
            "cut.info",
            &lcov[..lcov.len() - 20],
            Warned("has no end_of_record; the file may be truncated"),
        ),
        case(
            "junk.lcov",
            vec![0u8, 159, 146, 150, 255, 0, 7, 13, 10, 200],
            Rejected("not a coverage file covmerge can read"),
        ),
        case(
            "future.covmerge.json",
            replace(&native, "{\"covmerge\":1", "{\"covmerge\":2"),
            Rejected("covmerge data format version 2 is not supported"),
        ),
        case(
            "zero.covmerge.json",
            replace(&native, "{\"covmerge\":1", "{\"covmerge\":0"),
            Rejected("version 0 is not supported"),
        ),
        case(
            "negversion.covmerge.json",
            replace(&native, "{\"covmerge\":1", "{\"covmerge\":-1"),
            Rejected("invalid value: integer `-1`"),
        ),
        case(
            "coverage-format4.json",
            replace(&json, "\"format\": 3", "\"format\": 4"),
            Rejected("coverage.py JSON format 4 is not supported"),
        ),
        case(
            "coverage-other.json",
            "{\"name\": \"package\", \"version\": \"1.0\"}",
            Rejected("not a coverage file"),
        ),
        case("coverage-array.json", "[1, 2, 3]", Rejected("not a coverage file")),
        case(
            "coverage-files-number.json",
            "{\"files\": 3}",
            Rejected("invalid type: integer `3`, expected an object"),
        ),
        case(
            "coverage-nofiles.json",
            "{\"meta\": {\"format\": 3}}",
            Rejected("missing field `files`"),
        ),
        case(
            "line0.info",
            lcov_text("DA:1,1\nDA:0,5"),
            Warned("line0.info:4: line number 0 ignored"),
        ),
        case(
            "lineneg.info",
            lcov_text("DA:1,1\nDA:-3,5"),
            Warned("lineneg.info:4: bad line number \"-3\""),
        ),
        case(
            "line2p32.info",
            lcov_text("DA:1,1\nDA:4294967296,1"),
            Warned("line2p32.info:4: bad line number \"4294967296\""),
        ),
        case(
            "line-huge.info",
            lcov_text("DA:1,1\nDA:99999999999999999999999,1"),
            Warned("line-huge.info:4: bad line number"),
        ),
        case(
            "coverage-lines.json",
            replace(&json, "\"executed_lines\": [1,", "\"executed_lines\": [0, -5, 4294967296, 1,"),
            Warned("line number 0 is out of range, ignored"),
        ),
        case(
            "coverage-line-float.json",
            replace(&json, "\"executed_lines\": [1,", "\"executed_lines\": [1.5, 1,"),
            Rejected("invalid type: floating point `1.5`"),
        ),
        case(
            "coverage-line-2p64.json",
            replace(&json, "\"executed_lines\": [1,", "\"executed_lines\": [18446744073709551616, 1,"),
            Rejected("invalid JSON"),
        ),
        case(
            "line0.covmerge.json",
            replace(&native, "\"lines\":[[1,", "\"lines\":[[0,1],[1,"),
            Rejected("line number 0"),
        ),
        case(
            "lineneg.covmerge.json",
            replace(&native, "\"lines\":[[1,", "\"lines\":[[-1,1],[1,"),
            Rejected("invalid value: integer `-1`, expected u32"),
        ),
        case(
            "line2p32.covmerge.json",
            replace(&native, "\"lines\":[[1,", "\"lines\":[[4294967296,1],[1,"),
            Rejected("invalid value: integer `4294967296`, expected u32"),
        ),
        case(
            "countneg.info",
            lcov_text("DA:1,-5\nBRDA:1,0,0,-2"),
            Warned("countneg.info:3: negative count -5 read as 0"),
        ),
        case(
            "countfloat.info",
            lcov_text("DA:1,2.5e3"),
            Warned("countfloat.info:3: count 2.5e3 read as 2500"),
        ),
        case(
            "countbig.info",
            lcov_text("DA:1,18446744073709551616"),
            Warned("countbig.info:3: count 18446744073709551616 is above 2^64-1"),
        ),
        case(
            "countnan.info",
            lcov_text("DA:1,1\nDA:2,nan"),
            Warned("countnan.info:4: bad count \"nan\""),
        ),
        case(
            "countneg.covmerge.json",
            replace(&native, "\"lines\":[[1,", "\"lines\":[[2,-1],[1,"),
            Rejected("invalid value: integer `-1`, expected u64"),
        ),
        case(
            "countfloat.covmerge.json",
            replace(&native, "\"lines\":[[1,", "\"lines\":[[2,1.5],[1,"),
            Rejected("invalid type: floating point `1.5`"),
        ),
        case(
            "countbig.covmerge.json",
            replace(&native, "\"lines\":[[1,", "\"lines\":[[2,18446744073709551616],[1,"),
            Rejected("invalid JSON"),
        ),
        // serde_json skips an unknown field's value without recursing, so
        // 100 000 brackets there cost nothing; the file is then cut.
        case("coverage-deep.json", deep, Rejected("invalid JSON")),
        // Typed fields stop at the first wrong type, before any depth.
        case("deep.covmerge.json", deep_native, Rejected("invalid JSON: key must be a string")),
        case(
            "coverage-dupkey.json",
            replace(
                &json,
                "\"files\": {",
                "\"files\": {\"dup.py\": {\"executed_lines\": [1]}, \"dup.py\": {\"missing_lines\": [2]}, ",
            ),
            Warned("dup.py is listed more than once; merged"),
        ),
        case(
            "nonutf8.info",
            {
                let mut v = b"SF:/src/caf\xe9.c\nDA:1,1\nend_of_record\n".to_vec();
                v.extend_from_slice(&lcov);
                v
            },
            Warned("not valid UTF-8 (first bad byte at offset 11)"),
        ),
    ]
}

/// Expected outcome of `name` as the manifest shows it.
fn check_manifest_entry(manifest: &serde_json::Value, case: &Case, dir: &Path) {
    let path = dir.join(&case.name);
    let entry = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == path.to_string_lossy().as_ref())
        .unwrap_or_else(|| panic!("{} not in the manifest", case.name));
    let status = entry["status"].as_str().unwrap();
    match case.expect {
        Expect::Rejected(text) => {
            assert!(status.starts_with("rejected: "), "{}: {status}", case.name);
            assert!(status.contains(&case.name), "{}: {status}", case.name);
            assert!(status.contains(text), "{}: {status}", case.name);
        }
        Expect::Warned(_) => assert_eq!(status, "used", "{}", case.name),
    }
}

#[test]
fn every_bad_input_is_named_skipped_and_fatal_with_strict() {
    let dir = tempdir("table");
    std::fs::write(
        dir.join("coverage-good.json"),
        sample("coveragepy/coverage.json"),
    )
    .unwrap();
    let cases = cases();
    for c in &cases {
        std::fs::write(dir.join(&c.name), &c.bytes).unwrap();
    }
    let d = dir.to_str().unwrap();
    let out = covmerge(
        &dir,
        &["combine", "--header", "none", "--manifest", "m.json", d],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("TOTAL"), "{}", out.stdout);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("m.json")).unwrap()).unwrap();
    for c in &cases {
        check_manifest_entry(&manifest, c, &dir);
        let text = match c.expect {
            Expect::Rejected(t) | Expect::Warned(t) => t,
        };
        let named = out
            .stderr
            .lines()
            .any(|l| l.contains(&c.name) && l.contains(text));
        assert!(
            named,
            "{}: no message with {text:?} in\n{}",
            c.name, out.stderr
        );
        // The summary line names every rejected file.
        if matches!(c.expect, Expect::Rejected(_)) {
            let summary = out
                .stderr
                .lines()
                .find(|l| l.starts_with("Combined"))
                .unwrap();
            assert!(summary.contains(&c.name), "{summary}");
        }
    }
    // Each is fatal with --strict, with the file named.
    for c in &cases {
        let one = dir.join(&c.name);
        let strict = covmerge(&dir, &["combine", "--strict", one.to_str().unwrap()]);
        assert_eq!(strict.code, 1, "{}: {}", c.name, strict.stderr);
        assert!(
            strict.stderr.contains("covmerge: error:") && strict.stderr.contains(&c.name),
            "{}: {}",
            c.name,
            strict.stderr
        );
    }
}

/// Every prefix of a real sample (every 97th byte for the JSON, every
/// byte of the small LCOV and data files) is either rejected with the file
/// named or read with a warning; never a panic. The only silent case is an
/// LCOV cut right after an `end_of_record` line, which is a valid file.
#[test]
fn truncated_samples_are_rejected_or_warned_never_a_panic() {
    let json = sample("coveragepy/coverage.json");
    let native = formats::native::to_string(&formats::parse(Path::new("x"), &json).unwrap().data)
        .into_bytes();
    let mut checked = 0;
    for (name, bytes, step) in [
        ("cut.json", json.clone(), 97),
        ("cut.covmerge.json", native, 97),
        ("cut.info", sample("lcov/gcc-geninfo-run2-checksum.info"), 1),
        ("cut.info", sample("lcov/lcov2.5-add-merged.info"), 1),
        ("cut.info", sample("lcov/coveragepy.lcov"), 1),
    ] {
        let path = Path::new("w/").join(name);
        for cut in (1..bytes.len()).step_by(step) {
            let prefix = &bytes[..cut];
            checked += 1;
            match formats::parse(&path, prefix) {
                Err(e) => {
                    let text = e.to_string();
                    assert!(text.starts_with("w/cut"), "{text}");
                }
                Ok(parsed) => {
                    let whole_json = bytes[cut..].iter().all(u8::is_ascii_whitespace);
                    let at_record_end = String::from_utf8_lossy(prefix)
                        .trim_end()
                        .ends_with("end_of_record");
                    assert!(
                        !parsed.diagnostics.warnings.is_empty() || whole_json || at_record_end,
                        "{name} cut at {cut} was read without a warning"
                    );
                    // The rest of the pipeline copes with what was read.
                    let table = covmerge::report::Table::build(
                        &covmerge::analysis::Selection::all(&parsed.data),
                        &covmerge::report::ReportOptions {
                            show_missing: true,
                            ..Default::default()
                        },
                    );
                    if let Ok(table) = table {
                        let _ = table.render(covmerge::report::TableFormat::Text);
                    }
                }
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn crlf_and_bom_give_the_same_table() {
    let dir = tempdir("crlf");
    let lcov = sample("lcov/gcc-geninfo-run1.info");
    let json = sample("coveragepy/coverage.json");
    let crlf = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace('\n', "\r\n")
            .into_bytes()
    };
    let bom = |b: &[u8]| [b"\xEF\xBB\xBF".as_slice(), b].concat();
    let variants: [(&str, Vec<u8>, Vec<u8>); 2] = [
        ("a.info", lcov.clone(), bom(&crlf(&lcov))),
        ("coverage-a.json", json.clone(), bom(&crlf(&json))),
    ];
    for (name, plain, odd) in variants {
        std::fs::write(dir.join(name), &plain).unwrap();
        std::fs::write(dir.join(format!("odd-{name}")), &odd).unwrap();
        let a = covmerge(
            &dir,
            &["combine", "-q", "-m", "--header", "none", "--strict", name],
        );
        let oddname = format!("odd-{name}");
        let b = covmerge(
            &dir,
            &[
                "combine", "-q", "-m", "--header", "none", "--strict", &oddname,
            ],
        );
        assert_eq!(a.code, 0, "{}", a.stderr);
        assert_eq!(b.code, 0, "{}", b.stderr);
        assert_eq!(a.stdout, b.stdout);
        assert!(!b.stdout.contains('\r'));
    }
}

#[test]
fn duplicate_records_of_one_file_are_summed() {
    let dir = tempdir("dups");
    let text = "SF:a.c\nDA:1,1\nDA:2,0\nend_of_record\nSF:a.c\nDA:2,3\nDA:3,0\nend_of_record\n";
    std::fs::write(dir.join("d.info"), text).unwrap();
    let out = covmerge(
        &dir,
        &["combine", "--strict", "-o", "all.covmerge.json", "d.info"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let data = std::fs::read_to_string(dir.join("all.covmerge.json")).unwrap();
    assert!(data.contains("\"lines\":[[1,1],[2,3],[3,0]]"), "{data}");
}

#[test]
fn dotdot_windows_and_unc_paths_are_normalised_not_a_panic() {
    let dir = tempdir("paths");
    let text = "SF:../../outside/a.c\nDA:1,1\nend_of_record\n\
                SF:/../../../etc/b.c\nDA:1,1\nend_of_record\n\
                SF:C:\\work\\proj\\..\\proj\\c.c\nDA:1,1\nend_of_record\n\
                SF:c:/work/proj/c.c\nDA:2,0\nend_of_record\n\
                SF:\\\\server\\share\\proj\\d.c\nDA:1,1\nend_of_record\n\
                SF:..\nDA:1,1\nend_of_record\n\
                SF:\nDA:1,1\nend_of_record\n";
    std::fs::write(dir.join("p.info"), text).unwrap();
    let out = covmerge(
        &dir,
        &[
            "combine",
            "-m",
            "--header",
            "none",
            "--report",
            "json:o.json",
            "--report",
            "xml:o.xml",
            "--report",
            "lcov:o.lcov",
            "p.info",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The two spellings of C:\work\proj\c.c are one file with 2 statements.
    let row = out
        .stdout
        .lines()
        .find(|l| l.contains("C:/work/proj/c.c"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(row.split_whitespace().nth(1) == Some("2"), "{row}");
    assert!(out.stdout.contains("../../outside/a.c"), "{}", out.stdout);
    assert!(
        out.stdout.contains("//server/share/proj/d.c"),
        "{}",
        out.stdout
    );
}

#[test]
fn symlink_loops_leftover_temporaries_and_special_files() {
    let dir = tempdir("loops");
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(
        data.join("sub/coverage.json"),
        sample("coveragepy/coverage.json"),
    )
    .unwrap();
    std::os::unix::fs::symlink("..", data.join("sub/up")).unwrap();
    std::os::unix::fs::symlink(".", data.join("self")).unwrap();
    std::os::unix::fs::symlink("loop.info", data.join("loop.info")).unwrap();
    std::os::unix::fs::symlink("missing.info", data.join("dangling.info")).unwrap();
    // A killed writer's temporary file, and a FIFO with a candidate name.
    std::fs::write(
        data.join(".h.linux.gw0.1.covmerge.json.tmp-9f3"),
        "{\"covmerge\":1,\"sou",
    )
    .unwrap();
    // Old enough not to be a writer still at work (see discover::IN_PROGRESS_SECONDS).
    std::fs::File::options()
        .write(true)
        .open(data.join(".h.linux.gw0.1.covmerge.json.tmp-9f3"))
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    let fifo = data.join("coverage-fifo.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());

    let out = run(
        &dir,
        &[
            "combine",
            "--header",
            "none",
            "data",
            "data/coverage-fifo.json",
            "data/**/*.json",
        ],
        Duration::from_secs(60),
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("loop.info") && out.stderr.contains("symbolic links"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("dangling.info"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("coverage-fifo.json: not a regular file"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("tmp-9f3: temporary file left by an interrupted writer; ignored"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.starts_with("covmerge: warning") || out.stderr.contains("Combined 1 file"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("shapes/core.py"));
}

/// Tests run as root in CI, and root reads a chmod 000 file. So the
/// unreadable file is read by covmerge running as `nobody` (setpriv), which
/// is how a mis-permissioned artifact really looks; when neither root nor
/// setpriv is available, chmod alone is enough.
#[test]
fn unreadable_file_is_named_and_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir("perm");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let good = dir.join("coverage-good.json");
    std::fs::write(&good, sample("coveragepy/coverage.json")).unwrap();
    std::fs::set_permissions(&good, std::fs::Permissions::from_mode(0o644)).unwrap();
    let secret = dir.join("coverage-secret.json");
    std::fs::write(&secret, sample("coveragepy/coverage.json")).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
        c.arg(env!("CARGO_BIN_EXE_covmerge"));
        c
    } else {
        common::covmerge()
    };
    let out = cmd
        .args(["combine", "--header", "none", dir.to_str().unwrap()])
        .current_dir(&dir)
        .output();
    let Ok(out) = out else {
        eprintln!("setpriv is not available; skipped");
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if is_root && stderr.contains("setpriv") {
        eprintln!("setpriv failed ({stderr}); skipped");
        return;
    }
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("coverage-secret.json: Permission denied"),
        "{stderr}"
    );
    assert!(stderr.contains("1 file rejected"), "{stderr}");
}

fn big_lcov(path: &Path, lines: u32) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    w.write_all(b"TN:\nSF:big.c\n").unwrap();
    for i in 1..=lines {
        writeln!(w, "DA:{i},{}", i % 3).unwrap();
    }
    w.write_all(b"end_of_record\n").unwrap();
}

/// 10 million DA lines: read in bounded time and memory.
#[test]
fn ten_million_line_lcov() {
    let dir = tempdir("big");
    big_lcov(&dir.join("big.info"), 10_000_000);
    let start = Instant::now();
    let out = run(
        &dir,
        &["combine", "--header", "none", "big.info"],
        Duration::from_secs(300),
        Some(6_000_000),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("10000000"), "{}", out.stdout);
    eprintln!("10M-line LCOV combined in {:?}", start.elapsed());
    std::fs::remove_dir_all(&dir).ok();
}

/// A statement at line 2^31 (and at 2^32-1) must not make covmerge
/// allocate per line number: it runs under a 1 GB address-space limit,
/// far below the 16 GB a dense table up to 2^31 would need.
#[test]
fn a_statement_at_line_two_to_the_31_needs_no_huge_allocation() {
    let dir = tempdir("sparse");
    std::fs::write(
        dir.join("s.info"),
        "SF:s.c\nDA:1,1\nDA:2147483648,0\nDA:4294967295,1\nBRDA:4294967295,0,0,1\nFN:4294967295,f\nFNDA:1,f\nend_of_record\n",
    )
    .unwrap();
    let out = run(
        &dir,
        &[
            "combine",
            "-m",
            "--header",
            "none",
            "-o",
            "o.covmerge.json",
            "--report",
            "json:o.json",
            "--report",
            "lcov:o.lcov",
            "--report",
            "xml:o.xml",
            "s.info",
        ],
        Duration::from_secs(60),
        Some(1_000_000),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("2147483648"), "{}", out.stdout);
    // And the combined file reads back.
    let again = run(
        &dir,
        &["combine", "-m", "--header", "none", "o.covmerge.json"],
        Duration::from_secs(60),
        Some(1_000_000),
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn non_utf8_file_names_are_found_and_named() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempdir("names");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.info");
    std::fs::write(dir.join(name), sample("lcov/gcc-geninfo-run1.info")).unwrap();
    std::fs::write(
        dir.join(std::ffi::OsStr::from_bytes(b"bad\xff.info")),
        "junk",
    )
    .unwrap();
    let out = covmerge(
        &dir,
        &["combine", "--header", "none", "--manifest", "m.json", "."],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("bad\u{FFFD}.info"), "{}", out.stderr);
    assert!(
        out.stderr.contains("Combined 1 file, 1 file rejected"),
        "{}",
        out.stderr
    );
    let m = std::fs::read_to_string(dir.join("m.json")).unwrap();
    assert!(m.contains("caf\u{FFFD}.info"), "{m}");
}
