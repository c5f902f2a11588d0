//! `--report html[:DIR]`: a folder with an index page (the table's rows
//! and numbers, a cover column per platform or `--by` group) and one page
//! per file (the source with run, missing, excluded and partial lines
//! marked, and which groups ran each line).
//!
//! Pages are written by a small writer of our own (format strings; every
//! text from an input goes through [`esc`]), in parallel, into a hidden
//! sibling folder that is renamed into place when complete. CSS and
//! script are files in the folder: no network, works from `file://`, and
//! readable without the script (it only sorts, filters and toggles).
//! `docs/HTML.md` says what each colour and mark means.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Export, ExportContext};
use crate::analysis::Selection;
use crate::error::{Error, Result};
use crate::model::CoverageData;
use crate::report::groups::Groups;

mod index;
mod page;
pub mod seam;
pub mod source;

/// coverage.py's default `[html] directory`.
pub const DEFAULT_DIRECTORY: &str = "htmlcov";

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("covmerge.js");
/// Written into the folder, as coverage.py does; also how an existing
/// folder is recognised as a report that may be replaced.
const GITIGNORE: &str = "# Created by covmerge\n*\n";

/// The HTML report's own settings.
#[derive(Clone, Debug, Default)]
pub struct HtmlOptions {
    /// `[html] directory`: the folder when `--report html` names none.
    pub directory: Option<PathBuf>,
    /// `[html] title` (coverage.py's default: "Coverage report").
    pub title: Option<String>,
    /// `--source-root`: where sources are read (default: the current directory).
    pub source_root: Option<PathBuf>,
}

impl HtmlOptions {
    /// `[html] directory` and `title` from coverage.py's configuration.
    pub fn from_config(
        config: &crate::config::CoverageConfig,
        source_root: Option<PathBuf>,
    ) -> HtmlOptions {
        HtmlOptions {
            directory: config.html_directory.as_ref().map(PathBuf::from),
            title: config.html_title.clone(),
            source_root,
        }
    }
}

/// Whether an HTML report is asked for: the combine then keeps the
/// attribution (`covered_by`), which the pages show.
pub fn wanted(requests: &[super::ReportRequest]) -> bool {
    requests.iter().any(|r| r.kind == super::ReportKind::Html)
}

/// The export entry for `ReportKind::Html`: `render` gives the index page
/// alone; [`write`] writes the whole folder.
pub struct Html;

impl Export for Html {
    fn name(&self) -> &'static str {
        "HTML"
    }

    fn render(&self, selection: &Selection, ctx: &ExportContext) -> Result<Vec<u8>> {
        let report = Report::new(selection, ctx)?;
        Ok(index::render(&report).into_bytes())
    }
}

/// Everything the pages share.
pub(crate) struct Report<'a> {
    pub data: &'a CoverageData,
    pub ctx: &'a ExportContext,
    pub selection: seam::Selection<'a>,
    pub groups: Groups,
    /// The page file name of each selected file, in table order.
    pub pages: Vec<String>,
    pub title: String,
}

impl<'a> Report<'a> {
    fn new(analysed: &'a Selection<'a>, ctx: &'a ExportContext) -> Result<Report<'a>> {
        let data = analysed.data;
        let selection = seam::select(analysed, &ctx.report)?;
        let pages = selection.files.iter().map(|f| page_name(f.name)).collect();
        // One group is the union again: no columns, no marks.
        let mut groups = Groups::of(data);
        if groups.names.len() < 2 {
            groups.names.clear();
            groups.short.clear();
        }
        Ok(Report {
            data,
            ctx,
            selection,
            groups,
            pages,
            title: ctx
                .html
                .title
                .clone()
                .unwrap_or_else(|| "Coverage report".to_string()),
        })
    }
}

/// Write the report into `dir`: built in a hidden sibling, then renamed
/// into place, so `dir` is always a whole report (the old or the new one).
/// An existing `dir` is replaced only when it is a report (covmerge's or
/// coverage.py's) or empty.
pub fn write(selection: &Selection, ctx: &ExportContext, dir: &Path) -> Result<()> {
    let report = Report::new(selection, ctx)?;
    check_replaceable(dir)?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let base = dir.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::Usage(format!(
            "--report html:{}: not a folder name",
            dir.display()
        ))
    })?;
    let token = crate::output::unique_token();
    let tmp = parent.join(format!(".{base}.tmp-{token}"));
    let built = build(&report, &tmp);
    if let Err(e) = built {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let old = parent.join(format!(".{base}.old-{token}"));
    let had_old = match std::fs::rename(dir, &old) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(Error::io(dir, e));
        }
    };
    if let Err(e) = std::fs::rename(&tmp, dir) {
        if had_old {
            let _ = std::fs::rename(&old, dir);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(Error::io(dir, e));
    }
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(&parent) {
        let _ = d.sync_all();
    }
    if had_old {
        remove_old(&old);
    }
    Ok(())
}

/// Remove the replaced report (its files in parallel: one at a time, a
/// thousand unlinks take seconds on a busy disk). Failures leave a hidden
/// `.DIR.old-*` folder behind, nothing worse.
fn remove_old(old: &Path) {
    if let Ok(entries) = std::fs::read_dir(old) {
        let files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.par_iter().for_each(|f| {
            let _ = std::fs::remove_file(f);
        });
    }
    let _ = std::fs::remove_dir_all(old);
}

/// Refuse to replace a folder that is not a report: `--report html:src`
/// must not delete anyone's code.
fn check_replaceable(dir: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "{}: exists and is not a folder; the HTML report is a folder",
            dir.display()
        )));
    }
    let marker = std::fs::read_to_string(dir.join(".gitignore")).unwrap_or_default();
    let ours = marker.starts_with("# Created by covmerge")
        || marker.starts_with("# Created by coverage.py");
    let empty = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .next()
        .is_none();
    if ours || empty {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{}: exists and is not an HTML coverage report (no .gitignore written by covmerge or coverage.py); \
             not replacing it: remove it or choose another folder",
            dir.display()
        )))
    }
}

fn build(report: &Report, tmp: &Path) -> Result<()> {
    std::fs::create_dir(tmp).map_err(|e| Error::io(tmp, e))?;
    let put = |name: &str, bytes: &[u8]| -> Result<PathBuf> {
        let path = tmp.join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    };
    let mut written = vec![
        put(".gitignore", GITIGNORE.as_bytes())?,
        put("style.css", STYLE.as_bytes())?,
        put("covmerge.js", SCRIPT.as_bytes())?,
    ];
    let pages: Vec<PathBuf> = report
        .selection
        .files
        .par_iter()
        .enumerate()
        .map(|(i, _)| put(&report.pages[i], page::render(report, i).as_bytes()))
        .collect::<Result<_>>()?;
    written.extend(pages);
    written.push(put("index.html", index::render(report).as_bytes())?);
    sync_all(&written)?;
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(tmp) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Sync every file before the folder is renamed, so that it is whole
/// after a crash. Many syncs at once let the file system batch them into
/// few journal commits: one at a time, a thousand pages take seconds.
fn sync_all(paths: &[PathBuf]) -> Result<()> {
    const SYNCERS: usize = 32;
    let chunk = paths.len().div_ceil(SYNCERS).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || -> Result<()> {
                    for path in part {
                        std::fs::File::open(path)
                            .and_then(|f| f.sync_all())
                            .map_err(|e| Error::io(path, e))?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(Error::Other("a sync thread panicked".into())))
        })
    })
}

/// A page name for a file: its name made safe (letters, digits, `_`),
/// shortened, plus a hash of the full name so two files never share one.
pub fn page_name(name: &str) -> String {
    let flat: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let tail: String = {
        let chars: Vec<char> = flat.chars().collect();
        chars[chars.len().saturating_sub(80)..].iter().collect()
    };
    let hash = crate::hashing::sha256_hex(name.as_bytes());
    format!("{}_{}.html", tail.trim_start_matches('_'), &hash[..12])
}

/// Text for HTML element content and quoted attribute values. Control
/// and bidirectional-override characters are shown as `\u{..}`, so an
/// input can neither add markup nor make text read differently than it is.
pub fn esc(text: &str) -> String {
    escape(text, true, |c, out| {
        out.push_str(&format!("<span class=\"ctl\">\\u{{{:x}}}</span>", c as u32))
    })
}

/// Text for an attribute value only (no markup allowed there at all).
pub fn esc_attr(text: &str) -> String {
    escape(text, false, |c, out| {
        out.push_str(&format!("\\u{{{:x}}}", c as u32))
    })
}

/// HTML's five special characters as entities; control (a tab too,
/// unless `keep_tab`) and bidirectional characters written by `control`.
fn escape(text: &str, keep_tab: bool, control: impl Fn(char, &mut String)) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' if keep_tab => out.push('\t'),
            c if c.is_control() || is_bidi(c) => control(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// Unicode's explicit directional formatting characters (the "Trojan
/// Source" ones).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// The head every page shares: no network, nothing inline.
pub(crate) fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{}</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n\
         <script src=\"covmerge.js\" defer></script>\n</head>\n",
        esc_attr(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            esc("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        assert_eq!(esc("a\u{202e}b"), "a<span class=\"ctl\">\\u{202e}</span>b");
        assert_eq!(
            esc_attr("x\"><img src=y>\u{1b}"),
            "x&quot;&gt;&lt;img src=y&gt;\\u{1b}"
        );
    }

    #[test]
    fn page_names_are_safe_and_distinct() {
        let a = page_name("pkg/a-b.py");
        let b = page_name("pkg/a_b.py");
        assert_ne!(a, b);
        assert!(a.starts_with("pkg_a_b_py_"));
        let evil = page_name("../../<x>/\u{202e}.py");
        assert!(evil
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'));
        assert!(!evil.starts_with('.'));
        assert!(page_name(&"d/".repeat(500)).len() < 100);
    }
}
