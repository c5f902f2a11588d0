//! The HTML report (`--report html`) on the real each-mode golden data
//! (testdata/golden/each-branch: coverage.py on CPython 3.11.7 and 3.12.1,
//! sources in testdata/project).
//!
//! - The index shows the table's rows and numbers, in its order, with the
//!   same options; the per-platform columns are each worker's own
//!   coverage.py numbers.
//! - A file page marks a line run on only one interpreter with that
//!   interpreter: expected from the workers' own `executed_lines`.
//! - Hostile names, sources and platforms cannot add markup; missing and
//!   changed sources are said; the folder is replaced whole and never
//!   when it is not a report.
//! - In headless Chromium (skipped with a message when it is not
//!   installed): the rendered DOM has the table's numbers and the marks,
//!   the script runs from `file://`, and no request leaves the folder
//!   (Chromium's NetLog; a control page with a remote image proves the
//!   check sees requests).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::tempdir;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workers_dir() -> PathBuf {
    repo().join("testdata/golden/each-branch/workers")
}

fn covmerge(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = common::covmerge()
        .args(args)
        .current_dir(cwd)
        .env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("COVERAGE_RCFILE")
        .output()
        .expect("covmerge runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

struct Worker {
    platform: String,
    report: serde_json::Value,
}

fn workers() -> Vec<Worker> {
    ["gw0", "gw1"]
        .iter()
        .map(|id| {
            let dir = workers_dir().join(id);
            let env = std::fs::read_to_string(dir.join("worker.env")).unwrap();
            let platform = env
                .lines()
                .find_map(|l| l.strip_prefix("PLATFORM="))
                .unwrap()
                .to_string();
            let text = std::fs::read_to_string(dir.join("coverage.json")).unwrap();
            Worker {
                platform,
                report: serde_json::from_str(&text).unwrap(),
            }
        })
        .collect()
}

/// Record both workers into `dir/data` as `covmerge record` does on a
/// worker whose checkout is testdata/project (so source hashes are kept).
fn record(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    for id in ["gw0", "gw1"] {
        let w = workers_dir().join(id);
        let env = std::fs::read_to_string(w.join("worker.env")).unwrap();
        let get = |k: &str| {
            env.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .unwrap()
                .to_string()
        };
        let (code, _, err) = covmerge(
            dir,
            &[
                "record",
                "-q",
                "--data-dir",
                data.to_str().unwrap(),
                "--host",
                &get("HOST"),
                "--platform",
                &get("PLATFORM"),
                "--worker",
                &get("WORKER"),
                "--mode",
                "each",
                "--root",
                repo().join("testdata/project").to_str().unwrap(),
                w.join("coverage.json").to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    data
}

/// Combine `data` with `extra` options and an HTML report in `dir/htmlcov`
/// (sources from testdata/project); returns the table printed and the folder.
fn report(dir: &Path, data: &Path, extra: &[&str]) -> (String, PathBuf) {
    let out = dir.join("htmlcov");
    let mut args = vec![
        "combine",
        "--header",
        "none",
        data.to_str().unwrap(),
        "--report",
    ];
    let target = format!("html:{}", out.display());
    args.push(&target);
    let root = repo().join("testdata/project");
    args.extend(["--source-root", root.to_str().unwrap()]);
    args.extend(extra);
    let (code, table, err) = covmerge(dir, &args);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "Wrote HTML report to {}",
            out.join("index.html").display()
        )),
        "{err}"
    );
    (table, out)
}

/// The text of each cell of each `<tr>` whose tag starts with `open`
/// (tags stripped, entities of the escaper undone).
fn rows(html: &str, open: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(open) {
        let row = &rest[at..];
        let end = row.find("</tr>").expect("row ends");
        let mut cells = Vec::new();
        let mut r = &row[..end];
        while let Some(td) = r.find("<td") {
            let cell = &r[td..];
            let start = cell.find('>').unwrap() + 1;
            let stop = cell.find("</td>").unwrap();
            cells.push(text(&cell[start..stop]));
            r = &cell[stop..];
        }
        out.push(cells);
        rest = &row[end..];
    }
    out
}

fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The table's rows as words: name, numbers, cover and the Missing text.
fn table_rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .filter(|l| !l.starts_with("Name") && !l.starts_with('-') && !l.trim().is_empty())
        .filter(|l| !l.contains("skipped"))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let cover = words.iter().position(|w| w.ends_with('%')).unwrap();
            let mut row: Vec<String> = words[..=cover].iter().map(|w| w.to_string()).collect();
            row.push(words[cover + 1..].join(" "));
            row
        })
        .collect()
}

/// Index rows as the table's words: the columns up to Cover and Missing.
fn index_rows(html: &str, groups: usize) -> Vec<Vec<String>> {
    let mut all = rows(html, "<tr class=\"file\"");
    all.extend(rows(html, "<tr class=\"total\""));
    all.into_iter()
        .map(|cells| {
            let cover = cells.iter().position(|c| c.ends_with('%')).unwrap();
            let mut row = cells[..=cover].to_vec();
            row.push(cells.get(cover + 1 + groups).cloned().unwrap_or_default());
            row
        })
        .collect()
}

fn index_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("index.html")).unwrap()
}

/// The page of `name`, found through the index's link.
fn page_of(dir: &Path, index: &str, name: &str) -> String {
    let at = index.find(&format!(">{name}</a>")).expect("linked");
    let href = &index[..at];
    let start = href.rfind("href=\"").unwrap() + 6;
    let file = &href[start..href.len() - 1];
    std::fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn index_rows_are_the_tables_with_the_same_options() {
    let dir = tempdir("html-index");
    let data = record(&dir);
    for extra in [
        vec!["-m"],
        vec!["-m", "--sort=-cover", "--precision", "2"],
        vec!["-m", "--skip-covered", "--omit", "pkg/unused.py"],
        vec!["--sort", "miss", "--skip-empty"],
    ] {
        let (table, out) = report(&dir, &data, &extra);
        let index = index_of(&out);
        let expected = table_rows(&table);
        assert_eq!(index_rows(&index, 2), expected, "{extra:?}");
        assert!(expected.len() >= 5, "{extra:?}");
        for line in table.lines().filter(|l| l.contains("skipped")) {
            assert!(index.contains(line), "{line}");
        }
    }
}

#[test]
fn platform_columns_are_each_interpreters_own_coveragepy_numbers() {
    let dir = tempdir("html-groups");
    let data = record(&dir);
    let (_, out) = report(&dir, &data, &[]);
    let index = index_of(&out);
    let ws = workers();
    for cells in rows(&index, "<tr class=\"file\"") {
        let cover = cells.iter().position(|c| c.ends_with('%')).unwrap();
        for (i, w) in ws.iter().enumerate() {
            let want = &w.report["files"][&cells[0]]["summary"]["percent_covered_display"];
            assert_eq!(
                cells[cover + 1 + i],
                format!("{}%", want.as_str().unwrap()),
                "{} on {}",
                cells[0],
                w.platform
            );
        }
    }
    let total = rows(&index, "<tr class=\"total\"").remove(0);
    let cover = total.iter().position(|c| c.ends_with('%')).unwrap();
    for (i, w) in ws.iter().enumerate() {
        let want = w.report["totals"]["percent_covered_display"]
            .as_str()
            .unwrap();
        assert_eq!(total[cover + 1 + i], format!("{want}%"));
    }
    // The header: both platforms and both workers.
    for w in &ws {
        assert!(index.contains(&format!("<li>{}</li>", w.platform)));
    }
    assert!(index.contains("2 workers contributed"));
    assert!(index.contains("<td>hostA</td><td>gw0</td>"));
}

/// Lines each interpreter alone ran, from its own coverage.json.
fn only_on(file: &str) -> Vec<(String, BTreeSet<u64>)> {
    let ws = workers();
    let executed: Vec<BTreeSet<u64>> = ws
        .iter()
        .map(|w| {
            w.report["files"][file]["executed_lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect()
        })
        .collect();
    vec![
        (
            "3.11.7".to_string(),
            executed[0].difference(&executed[1]).copied().collect(),
        ),
        (
            "3.12.1".to_string(),
            executed[1].difference(&executed[0]).copied().collect(),
        ),
    ]
}

/// `line -> (classes, text of the "ran on" cell)` of a file page.
fn marks(page: &str) -> BTreeMap<u64, (String, String)> {
    let mut out = BTreeMap::new();
    let mut rest = page;
    while let Some(at) = rest.find("<tr id=\"t") {
        let row = &rest[at + 9..];
        let line: u64 = row[..row.find('"').unwrap()].parse().unwrap();
        let class_at = row.find("class=\"").unwrap() + 7;
        let classes = row[class_at..class_at + row[class_at..].find('"').unwrap()].to_string();
        let end = row.find("</tr>").unwrap();
        let g = &row[..end];
        let cell = g.find("<td class=\"g\">").map_or(String::new(), |s| {
            let c = &g[s + 14..];
            text(&c[..c.find("</td>").unwrap()])
        });
        out.insert(line, (classes, cell));
        rest = &row[end..];
    }
    out
}

#[test]
fn a_line_run_on_one_interpreter_is_marked_with_it() {
    let dir = tempdir("html-marks");
    let data = record(&dir);
    let (_, out) = report(&dir, &data, &[]);
    let index = index_of(&out);
    let mut checked = 0;
    for file in ["pkg/compat.py", "pkg/flow.py", "pkg/mod2.py"] {
        let page = page_of(&out, &index, file);
        let marks = marks(&page);
        let only = only_on(file);
        for (group, lines) in &only {
            for line in lines {
                let (classes, cell) = &marks[line];
                assert!(classes.contains("some"), "{file}:{line} {classes}");
                assert_eq!(cell, &format!("only {group}"), "{file}:{line}");
                checked += 1;
            }
        }
        // Every other line has no mark.
        for (line, (classes, cell)) in &marks {
            if only.iter().all(|(_, lines)| !lines.contains(line)) {
                assert!(!classes.split(' ').any(|c| c == "some"), "{file}:{line}");
                assert_eq!(cell, "", "{file}:{line}");
            }
        }
    }
    // compat.py has lines of each interpreter (its 3.11 and 3.12 branches).
    assert!(checked >= 10, "{checked}");
    // The source text is there, escaped, with coverage.py's marking.
    let page = page_of(&out, &index, "pkg/compat.py");
    assert!(page.contains("FLAVOUR = &quot;3.13+&quot;"));
    let m = marks(&page);
    assert!(m[&6].0.starts_with("mis"));
    assert!(m[&5].0.starts_with("par"));
    assert!(page.contains(
        "didn't jump to <span class=\"dst\" title=\"line 5 didn&#39;t jump to line 6\">"
    ));
}

#[test]
fn missing_and_changed_sources_are_said_and_lines_still_listed() {
    let dir = tempdir("html-sources");
    let data = record(&dir);
    // A checkout where compat.py was edited since the workers ran, and
    // flow.py is gone.
    let root = dir.join("checkout");
    std::fs::create_dir_all(root.join("pkg/sub")).unwrap();
    for f in ["pkg/compat.py", "pkg/mod2.py"] {
        std::fs::copy(repo().join("testdata/project").join(f), root.join(f)).unwrap();
    }
    let compat = root.join("pkg/compat.py");
    let mut text = std::fs::read_to_string(&compat).unwrap();
    text.push_str("# edited\n");
    std::fs::write(&compat, text).unwrap();
    let out = dir.join("h");
    let (code, _, err) = covmerge(
        &dir,
        &[
            "combine",
            "-q",
            data.to_str().unwrap(),
            "--report",
            &format!("html:{}", out.display()),
            "--source-root",
            root.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let index = index_of(&out);
    let changed = page_of(&out, &index, "pkg/compat.py");
    assert!(
        changed.contains("is not the code that was measured"),
        "{changed}"
    );
    assert!(!changed.contains("FLAVOUR"));
    let missing = page_of(&out, &index, "pkg/flow.py");
    assert!(missing.contains("Source not shown: no file"));
    // Without text the measured lines are still listed and marked.
    let m = marks(&missing);
    assert_eq!(m.keys().filter(|l| m[l].0.starts_with("mis")).count(), 3);
    let same = page_of(&out, &index, "pkg/mod2.py");
    assert!(!same.contains("Source not shown"));
}

#[test]
fn input_text_cannot_add_markup() {
    let dir = tempdir("html-hostile");
    let evil_name = "x\"><img src=http:a>\u{202e}<script>alert(1)</script>.py";
    // The `/` of `</script>` makes it a folder and a file.
    std::fs::create_dir_all(dir.join(evil_name).parent().unwrap()).unwrap();
    std::fs::write(
        dir.join(evil_name),
        "a = '</td><script>alert(2)</script>'\nb = \"<!--\"\n",
    )
    .unwrap();
    let lcov = format!("SF:{evil_name}\nDA:1,1\nDA:2,0\nend_of_record\n");
    std::fs::write(dir.join("evil.lcov"), lcov).unwrap();
    let (code, _, err) = covmerge(
        &dir,
        &[
            "record",
            "-q",
            "--data-dir",
            "data",
            "--platform",
            "platform <b onmouseover=alert(3)>x</b>",
            "--host",
            "<i>h</i>",
            "evil.lcov",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = covmerge(
        &dir,
        &[
            "combine",
            "-q",
            "data",
            "--report",
            "html",
            "--precision",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let mut pages = 0;
    for entry in std::fs::read_dir(dir.join("htmlcov")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        pages += 1;
        let html = std::fs::read_to_string(&path).unwrap();
        // Our one script tag, no other; no element from the inputs.
        assert_eq!(html.matches("<script").count(), 1, "{}", path.display());
        for bad in ["<img", "<b ", "<i>", "<!--", "\u{202e}"] {
            assert!(!html.contains(bad), "{bad} in {}", path.display());
        }
    }
    assert_eq!(pages, 2);
    let index = index_of(&dir.join("htmlcov"));
    assert!(index.contains("&lt;script&gt;alert(1)&lt;/script&gt;.py"));
    assert!(index.contains("&lt;b onmouseover=alert(3)&gt;x&lt;/b&gt;"));
    let page = page_of(&dir.join("htmlcov"), &index, &text_escaped(evil_name));
    assert!(page.contains("&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
}

/// `name` as the escaper writes it (the bidi override shown as text).
fn text_escaped(name: &str) -> String {
    name.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\u{202e}', "<span class=\"ctl\">\\u{202e}</span>")
}

#[test]
fn the_folder_is_replaced_whole_and_never_a_foreign_one() {
    let dir = tempdir("html-folder");
    let data = record(&dir);
    let out = dir.join("htmlcov");
    // Someone's folder of their own: refused, untouched.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let target = format!("html:{}", out.display());
    let args = ["combine", "-q", data.to_str().unwrap(), "--report", &target];
    let (code, _, err) = covmerge(&dir, &args);
    assert_eq!(code, 1);
    assert!(err.contains("is not an HTML coverage report"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(!out.join("index.html").exists());
    // coverage.py's own htmlcov is a report too: replaced.
    std::fs::write(out.join(".gitignore"), "# Created by coverage.py\n*\n").unwrap();
    let (code, _, err) = covmerge(&dir, &args);
    assert_eq!(code, 0, "{err}");
    assert!(!out.join("notes.txt").exists());
    // A previous report of ours is replaced, nothing left behind.
    let (code, _, err) = covmerge(&dir, &args);
    assert_eq!(code, 0, "{err}");
    std::fs::write(out.join("stale.html"), "old").unwrap();
    let (code, _, err) = covmerge(&dir, &args);
    assert_eq!(code, 0, "{err}");
    assert!(!out.join("stale.html").exists());
    assert!(out.join("index.html").exists());
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains(".tmp-") && !n.contains(".old-")),
        "{names:?}"
    );
    // A file in the way, and stdout, are errors.
    std::fs::write(dir.join("afile"), "x").unwrap();
    let (code, _, err) = covmerge(
        &dir,
        &[
            "combine",
            "-q",
            data.to_str().unwrap(),
            "--report",
            "html:afile",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("afile: exists and is not a folder"), "{err}");
    let (code, _, err) = covmerge(
        &dir,
        &[
            "combine",
            "-q",
            data.to_str().unwrap(),
            "--report",
            "html:-",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("cannot go to stdout"), "{err}");
}

#[test]
fn html_directory_and_title_come_from_coveragepy_config() {
    let dir = tempdir("html-config");
    let data = record(&dir);
    std::fs::write(
        dir.join(".coveragerc"),
        "[html]\ndirectory = reports/cov\ntitle = My <project>\n",
    )
    .unwrap();
    let (code, _, err) = covmerge(
        &dir,
        &["combine", "-q", data.to_str().unwrap(), "--report", "html"],
    );
    assert_eq!(code, 0, "{err}");
    let index = index_of(&dir.join("reports/cov"));
    assert!(index.contains("<title>My &lt;project&gt;</title>"));
    assert!(!dir.join("htmlcov").exists());
    // A PATH on the command line wins.
    let (code, _, err) = covmerge(
        &dir,
        &[
            "combine",
            "-q",
            data.to_str().unwrap(),
            "--report",
            "html:here",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(dir.join("here/index.html").exists());
}

#[test]
fn exports_setting_html_keeps_the_attribution() {
    let dir = tempdir("html-exports-setting");
    let data = record(&dir);
    std::fs::write(dir.join("covmerge.toml"), "exports = [\"html:site\"]\n").unwrap();
    let root = repo().join("testdata/project");
    let (code, _, err) = covmerge(
        &dir,
        &[
            "combine",
            "-q",
            data.to_str().unwrap(),
            "--source-root",
            root.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let index = index_of(&dir.join("site"));
    let page = page_of(&dir.join("site"), &index, "pkg/compat.py");
    assert_eq!(marks(&page)[&10].1, "only 3.11.7");
}

#[test]
fn a_combined_file_keeps_the_marks_for_report() {
    let dir = tempdir("html-report-cmd");
    let data = record(&dir);
    let all = dir.join("all.covmerge.json");
    let (code, _, err) = covmerge(
        &dir,
        &[
            "combine",
            "-q",
            data.to_str().unwrap(),
            "-o",
            all.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = covmerge(
        &dir,
        &["report", "-q", all.to_str().unwrap(), "--report", "html"],
    );
    assert_eq!(code, 0, "{err}");
    let index = index_of(&dir.join("htmlcov"));
    let page = page_of(&dir.join("htmlcov"), &index, "pkg/compat.py");
    assert_eq!(marks(&page)[&10].1, "only 3.11.7");
}

// ---------------------------------------------------------------------------
// In a real browser.

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The DOM after load (scripts run) and the URLs the page itself asked
/// the network for (NetLog requests whose isolation key is the file://
/// page; Chromium's own background requests have other keys).
fn render(browser: &Path, work: &Path, url: &str) -> (String, Vec<String>) {
    let profile = tempdir("html-chromium-profile");
    let netlog = work.join(format!("netlog-{}.json", common_token()));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish in 120 s for {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = reader.join().unwrap();
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&netlog).expect("netlog written"))
            .expect("netlog is JSON");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].clone();
    let mut urls = Vec::new();
    for e in log["events"].as_array().unwrap() {
        let p = &e["params"];
        let from_page = p["network_isolation_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("file://"));
        if e["type"] == start_job && from_page {
            urls.push(p["url"].as_str().unwrap_or("").to_string());
        }
    }
    let _ = std::fs::remove_dir_all(&profile);
    (dom, urls)
}

fn common_token() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

#[test]
fn in_chromium_the_numbers_marks_and_script_work_and_nothing_leaves_the_folder() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED: the HTML browser test needs Chromium (apt-get install -y chromium, \
             or CHROMIUM=/path/to/chrome); it is not installed here"
        );
        return;
    };
    let dir = tempdir("html-browser");
    let data = record(&dir);
    let (table, out) = report(&dir, &data, &["-m"]);

    // The check sees a request when there is one.
    let control = dir.join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><p>control</p><img src=\"http://127.0.0.1:9/leak.png\">",
    )
    .unwrap();
    let (_, urls) = render(&browser, &dir, &file_url(&control));
    assert!(
        urls.iter().any(|u| u.contains("127.0.0.1:9/leak.png")),
        "the NetLog check saw no request from the control page: {urls:?}"
    );

    let (dom, urls) = render(&browser, &dir, &file_url(&out.join("index.html")));
    assert_eq!(urls, Vec::<String>::new(), "requests left the folder");
    assert_eq!(index_rows(&dom, 2), table_rows(&table));
    // The script ran (from file://, under the page's CSP): the filter is shown.
    assert!(dom.contains("<label>Filter by name:"), "script did not run");

    let index = index_of(&out);
    let page_href = {
        let at = index.find(">pkg/compat.py</a>").unwrap();
        let before = &index[..at];
        let s = before.rfind("href=\"").unwrap() + 6;
        before[s..before.len() - 1].to_string()
    };
    let page_url = file_url(&out.join(&page_href));
    let (dom, urls) = render(&browser, &dir, &page_url);
    assert_eq!(urls, Vec::<String>::new(), "requests left the folder");
    let m = marks(&dom);
    let only = only_on("pkg/compat.py");
    for (group, lines) in &only {
        assert!(!lines.is_empty());
        for line in lines {
            assert_eq!(m[line].1, format!("only {group}"), "line {line}");
        }
    }
    // One interpreter's view (`#view=1`: 3.12.1): what only 3.11.7 ran
    // shows as not run, what 3.12.1 ran does not.
    let (dom, _) = render(&browser, &dir, &format!("{page_url}#view=1"));
    let m = marks(&dom);
    for line in &only[0].1 {
        assert!(m[line].0.contains("gmis"), "line {line}: {}", m[line].0);
    }
    for line in &only[1].1 {
        assert!(!m[line].0.contains("gmis"), "line {line}: {}", m[line].0);
    }
    // Line 7 ran on both; 3.12.1 never took 7->10: partial in its view.
    assert!(m[&7].0.contains("gpar"), "line 7: {}", m[&7].0);
    assert!(!m[&8].0.contains("gpar"), "line 8: {}", m[&8].0);
}
