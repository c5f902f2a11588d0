//! Go coverage profiles (`go test -coverprofile`, `go tool covdata
//! textfmt`): a `mode: set|count|atomic` line, then one block per line,
//! `<file>:<startLine>.<startCol>,<endLine>.<endCol> <numStmt> <count>`.
//!
//! - **File names** are Go import paths joined with the file name
//!   (`example.com/covdemo/calc/calc.go`), kept exactly as written; see
//!   [`IMPORT_PATHS`]. They are mapped to checkout paths at combine time with
//!   `--map` or `[paths]`.
//! - **Duplicate blocks** (same file and range; `-coverpkg` makes one per
//!   test binary) are folded first, as Go's own parser does (docs/INPUTS.md
//!   §4.1): counts summed (saturating) in `count`/`atomic` mode, OR-ed in
//!   `set` mode. Blocks with different `numStmt` for one range mean different
//!   sources: the file is refused, as Go refuses it (`inconsistent NumStmt`).
//! - **Blocks to lines** (docs/INPUTS.md §4.2): every line from `startLine` to
//!   `endLine` of a block with statements is a statement, and its hit count
//!   is the **maximum** count of the blocks that span it (not the sum, which
//!   would count one execution once per block touching the line). Blocks
//!   with no statements make no lines. Go defines no branches.
//! - Repeated `mode:` lines (profiles concatenated by hand) are accepted when
//!   they repeat the first mode; a different mode is a warning and the file
//!   is read in the weaker mode (`set` wins; counts become 0/1).

use std::collections::BTreeMap;
use std::path::Path;

use super::{parse_count, Diagnostics, InputFormat};
use crate::error::{Error, Result};
use crate::model::{CoverageData, FileCoverage, Source};

/// How Go names files: by import path, not by location on disk. Readers
/// keep these names; `--map example.com/mod=.` (or a `[paths]` rule) turns
/// them into checkout-relative paths when combining.
pub const IMPORT_PATHS: &str =
    "Go coverprofile file names are import paths (module path + package \
                                directory + file), kept as written; map them with --map or [paths]";

/// The Go coverprofile reader.
pub struct Go;

/// A block spanning more lines than this is garbage.
const MAX_BLOCK_LINES: u32 = 1_000_000;

/// Lines all blocks may span together: a block line of ~40 bytes spans a
/// few lines, a function's block a few hundred.
const BLOCK_LINES_PER_BYTE: u64 = 4;
const BLOCK_LINES_FLOOR: u64 = 1 << 20;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Set,
    Count,
    Atomic,
}

impl Mode {
    fn parse(text: &str) -> Option<Mode> {
        match text.trim() {
            "set" => Some(Mode::Set),
            "count" => Some(Mode::Count),
            "atomic" => Some(Mode::Atomic),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Mode::Set => "set",
            Mode::Count => "count",
            Mode::Atomic => "atomic",
        }
    }
}

/// (file, startLine, startCol, endLine, endCol).
type BlockKey = (String, u32, u32, u32, u32);

impl InputFormat for Go {
    fn name(&self) -> &'static str {
        "go coverprofile"
    }

    fn detect(&self, text: &str) -> bool {
        let first = text.lines().map(str::trim).find(|l| !l.is_empty());
        first
            .and_then(|l| l.strip_prefix("mode:"))
            .and_then(Mode::parse)
            .is_some()
    }

    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
        let mut mode: Option<Mode> = None;
        let mut blocks: BTreeMap<BlockKey, (u32, u64, usize)> = BTreeMap::new();

        for (index, raw) in text.split('\n').enumerate() {
            let lineno = index + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() {
                continue;
            }
            if let Some(rest) = line.trim().strip_prefix("mode:") {
                let Some(m) = Mode::parse(rest) else {
                    return Err(Error::parse(
                        path,
                        Some(lineno),
                        format!(
                            "unknown mode {:?} (expected set, count or atomic)",
                            rest.trim()
                        ),
                    ));
                };
                match mode {
                    None => mode = Some(m),
                    Some(first) if first == m => {}
                    Some(first) => {
                        diag.warn(
                            Some(lineno),
                            format!(
                                "mode {} after mode {}: profiles of different modes were \
                                 concatenated; counts are read as set (0/1)",
                                m.as_str(),
                                first.as_str()
                            ),
                        );
                        mode = Some(Mode::Set);
                    }
                }
                continue;
            }
            if mode.is_none() {
                return Err(Error::parse(
                    path,
                    Some(lineno),
                    "a Go coverage profile starts with a mode: line",
                ));
            }
            let (key, stmts, count) = match parse_block(line) {
                Ok(b) => b,
                Err(msg) => {
                    diag.warn(
                        Some(lineno),
                        format!("{msg}, ignored: {}", super::clip(line)),
                    );
                    continue;
                }
            };
            let (count, note) = count;
            if let Some(note) = note {
                diag.warn(Some(lineno), note);
            }
            if key.1 == 0 {
                diag.warn(Some(lineno), "block starts on line 0, dropped");
                continue;
            }
            if key.3 < key.1 || key.3 - key.1 > MAX_BLOCK_LINES {
                diag.warn(
                    Some(lineno),
                    format!("block range {}-{} is not plausible, ignored", key.1, key.3),
                );
                continue;
            }
            match blocks.get_mut(&key) {
                None => {
                    blocks.insert(key, (stmts, count, lineno));
                }
                Some((first_stmts, total, first_line)) => {
                    if *first_stmts != stmts {
                        return Err(Error::parse(
                            path,
                            Some(lineno),
                            format!(
                                "inconsistent NumStmt: {} here, {} on line {} for the same block \
                                 of {} (the profiles come from different sources)",
                                stmts, first_stmts, first_line, key.0
                            ),
                        ));
                    }
                    *total = total.saturating_add(count);
                }
            }
        }
        let Some(mode) = mode else {
            return Err(Error::parse(path, None, "no mode: line"));
        };

        let mut data = CoverageData::default();
        let mut budget = super::Budget::new(text.len(), BLOCK_LINES_PER_BYTE, BLOCK_LINES_FLOOR);
        for ((name, start, start_col, end, end_col), (stmts, count, lineno)) in blocks {
            if stmts == 0 {
                continue;
            }
            // A block line is a few bytes whatever lines it spans.
            budget
                .take(u64::from(end - start) + 1)
                .map_err(|m| Error::parse(path, Some(lineno), format!("block ranges: {m}")))?;
            let count = if mode == Mode::Set {
                count.min(1)
            } else {
                count
            };
            let file: &mut FileCoverage = data.files.entry(name).or_default();
            file.statement_blocks
                .insert((start, start_col, end, end_col), (stmts, count));
            for line in start..=end {
                let hits = file.lines.entry(line).or_insert(0);
                *hits = (*hits).max(count);
            }
        }
        data.sources.push(Source {
            converted_from: Some(format!("go coverprofile ({})", mode.as_str())),
            ..Default::default()
        });
        Ok(data)
    }
}

type Parsed = (BlockKey, u32, (u64, Option<String>));

/// Parse one block line from the right, as Go does (a Windows path holds a
/// `:`): count, numStmt, then `file:L1.C1,L2.C2`.
fn parse_block(line: &str) -> std::result::Result<Parsed, String> {
    let line = line.trim_end();
    let (rest, count_text) = line.rsplit_once(' ').ok_or("not a coverage block")?;
    let (rest, stmts_text) = rest.rsplit_once(' ').ok_or("not a coverage block")?;
    let (file, range) = rest.rsplit_once(':').ok_or("no file:range")?;
    let (from, to) = range.split_once(',').ok_or("bad range")?;
    let pos = |p: &str| -> std::result::Result<(u32, u32), String> {
        let (l, c) = p
            .split_once('.')
            .ok_or_else(|| format!("bad position {p:?}"))?;
        Ok((
            l.parse().map_err(|_| format!("bad line {l:?}"))?,
            c.parse().map_err(|_| format!("bad column {c:?}"))?,
        ))
    };
    let (l1, c1) = pos(from)?;
    let (l2, c2) = pos(to)?;
    let stmts: u32 = stmts_text
        .parse()
        .map_err(|_| format!("bad statement count {stmts_text:?}"))?;
    let count = parse_count(count_text)?;
    if file.is_empty() {
        return Err("empty file name".into());
    }
    Ok(((file.to_string(), l1, c1, l2, c2), stmts, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (CoverageData, Diagnostics) {
        let mut diag = Diagnostics::default();
        let data = Go.read(Path::new("c.out"), text, &mut diag).unwrap();
        (data, diag)
    }

    #[test]
    fn blocks_to_lines_take_the_max_and_duplicates_sum() {
        let text = "mode: count\r\nm/a.go:4.29,5.11 1 2\r\nm/a.go:5.11,7.3 1 1\r\n\
                    m/a.go:16.23,16.34 1 5\nm/a.go:16.34,16.44 1 4\nm/a.go:20.19,20.32 1 0\n\
                    m/a.go:4.29,5.11 1 3\nm/a.go:30.1,30.2 0 9\n";
        assert!(Go.detect(text));
        let (data, diag) = read(text);
        assert!(diag.warnings.is_empty(), "{:?}", diag.warnings);
        let f = &data.files["m/a.go"];
        assert_eq!(
            f.lines,
            [(4, 5), (5, 5), (6, 1), (7, 1), (16, 5), (20, 0)]
                .into_iter()
                .collect()
        );
        assert!(!data.branch_coverage);
    }

    #[test]
    fn set_mode_windows_paths_and_dirty_lines() {
        let text = "mode: set\nC:/src/m/a.go:1.1,2.2 1 1\nC:/src/m/a.go:1.1,2.2 1 1\n\
                    garbage\nx.go:0.1,0.5 1 1\nx.go:3.1,3.5 1 -1\nmode: set\n";
        let (data, diag) = read(text);
        assert_eq!(data.files["C:/src/m/a.go"].lines[&1], 1);
        assert_eq!(data.files["x.go"].lines[&3], 0);
        assert_eq!(diag.warnings.len(), 3, "{:?}", diag.warnings);
        assert_eq!(diag.warnings[0].line, Some(4));
    }

    #[test]
    fn inconsistent_numstmt_and_missing_mode_are_errors() {
        let err = Go
            .read(
                Path::new("c.out"),
                "mode: count\na.go:1.1,2.2 1 1\na.go:1.1,2.2 2 1\n",
                &mut Diagnostics::default(),
            )
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.out:3: inconsistent NumStmt"), "{err}");
        assert!(!Go.detect("a.go:1.1,2.2 1 1\n"));
        assert!(!Go.detect("mode: weird\n"));
    }
}
