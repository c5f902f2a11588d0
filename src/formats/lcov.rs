//! LCOV tracefiles (`.info`), as written by geninfo/lcov 1.x and 2.x,
//! llvm-cov, gcovr, Istanbul, grcov and coverage.py.
//!
//! Stored summaries (LF/LH, BRF/BRH, FNF/FNH) are ignored: they are caches
//! and often missing or wrong; every number is recomputed from DA/BRDA/FN.
//! Repeated records of one file (lcov -a with several test names) are
//! merged. coverage.py's textual branch ids (`jump to line 6`,
//! `exit the module`) are turned back into arcs so the Missing column can
//! show `2->6` as coverage.py does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{fold_repeats, parse_count, Diagnostics, FileRecords, InputFormat, StreamEnd};
use crate::error::{Error, Result};
use crate::model::branches::UNNAMED_EXIT;
use crate::model::{
    add_hits, add_taken, BranchId, CoverageData, FileCoverage, Function, Source, Taken,
};

mod window;

/// The LCOV tracefile reader.
pub struct Lcov;

const LINE_ZERO: &str = "line number 0 ignored (lines start at 1)";

const KNOWN_KEYS: &[&str] = &[
    "TN", "SF", "KF", "VER", "FN", "FNDA", "FNF", "FNH", "FNL", "FNA", "BRDA", "BRF", "BRH", "DA",
    "LF", "LH", "MCDC", "MCF", "MCH",
];

impl InputFormat for Lcov {
    fn name(&self) -> &'static str {
        "lcov"
    }

    fn detect(&self, text: &str) -> bool {
        let first = text
            .lines()
            .map(|l| l.trim())
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        match first {
            Some(line) => ["TN:", "SF:", "KF:", "VER:"]
                .iter()
                .any(|k| line.starts_with(k)),
            None => false,
        }
    }

    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData> {
        super::collect_stream(self, path, text, diag)
    }

    fn streams(&self) -> bool {
        true
    }

    fn stream(
        &self,
        path: &Path,
        text: &str,
        diag: &mut Diagnostics,
        on_file: &mut dyn FnMut(&mut FileRecords),
    ) -> Result<StreamEnd> {
        let mut branch_coverage = false;
        let result = read_records(path, text, diag, &mut |records| {
            branch_coverage |= records.has_branches();
            on_file(records);
        });
        result.map(|()| StreamEnd {
            branch_coverage,
            sources: vec![Source {
                converted_from: Some("lcov".to_string()),
                ..Default::default()
            }],
        })
    }
}

/// Parse a tracefile and hand each record to `on_record` as it ends.
/// Errors only when there is no record at all; everything else odd is a
/// warning with its line number.
pub fn read_records(
    path: &Path,
    text: &str,
    diag: &mut Diagnostics,
    on_record: &mut dyn FnMut(&mut FileRecords),
) -> Result<()> {
    read_records_with(path, text, diag, on_record, true)
}

/// [`read_records`], with or without the window (the tests read each
/// tracefile both ways).
fn read_records_with(
    path: &Path,
    text: &str,
    diag: &mut Diagnostics,
    on_record: &mut dyn FnMut(&mut FileRecords),
    use_window: bool,
) -> Result<()> {
    let mut current: Option<Record<'_>> = None;
    let mut spare = Spare::default();
    let mut records = 0usize;
    let mut unknown_keys: BTreeSet<String> = BTreeSet::new();
    // A TN line that no SF followed (yet): at the end of the file it
    // means the file was cut after it.
    let mut dangling_tn: Option<usize> = None;

    let bytes = text.as_bytes();
    let mut lineno = 0usize;
    let mut pos = 0usize;
    // The key of the line the window stopped at last: lines with that key
    // go line by line until a line with another comes, so that a block
    // written in a way the window refuses (coverage.py's text branch ids,
    // CRLF) does not make a window per line.
    let mut window_stopped_at: Option<&[u8]> = None;
    while pos < bytes.len() {
        // Runs of plain DA, BRDA, FN and FNDA lines, 64 bytes at a time.
        if let Some(record) = current.as_mut().filter(|_| use_window) {
            let rest = &bytes[pos..];
            if window::may_read(rest) && window_stopped_at != rest.get(..3) {
                let (next, read) = window::read_run(text, pos, record);
                lineno += read;
                pos = next;
                window_stopped_at = bytes.get(pos..pos + 3);
                if pos >= bytes.len() {
                    break;
                }
            }
        }
        lineno += 1;
        // What the window left (a line it refused, the last 72 bytes), for
        // the records that make up nearly all of a file: parsed in place,
        // the parse finding the line end (no separate search per line).
        if let Some(record) = current.as_mut() {
            let rest = &bytes[pos..];
            if let Some(v) = rest.strip_prefix(b"DA:") {
                if let Some((line, hits, used)) = scan_da(v) {
                    record.lines.push((line, hits));
                    pos += 3 + used;
                    continue;
                }
            } else if let Some(v) = rest.strip_prefix(b"BRDA:") {
                if let Some((key, taken, used)) = scan_brda(v) {
                    record.numeric_branches.push((key, taken));
                    pos += 5 + used;
                    continue;
                }
            } else if let Some(v) = rest.strip_prefix(b"FN:") {
                // One per function: a fifth of geninfo's and llvm-cov's lines.
                if let Some((start, end, (from, to), used)) = scan_fn(v) {
                    let name = &text[pos + 3 + from..pos + 3 + to];
                    record.add_function(name, start, end, 0);
                    pos += 3 + used;
                    continue;
                }
            } else if let Some(v) = rest.strip_prefix(b"FNDA:") {
                if let Some((hits, (from, to), used)) = scan_fnda(v) {
                    record.add_fnda(&text[pos + 5 + from..pos + 5 + to], hits);
                    pos += 5 + used;
                    continue;
                }
            } else if let Some(v) = rest.strip_prefix(b"BRF:") {
                // Plain digits: what the careful path's `parse::<u32>` reads.
                let scanned = scan_digits(v, 0).and_then(|(n, end)| Some((n, line_end(v, end)?)));
                if let Some((n, used)) = scanned {
                    record.declared_branches = u32::try_from(n).ok().map(u64::from);
                    pos += 4 + used;
                    continue;
                }
            } else if is_ignored_summary(rest) {
                // Five lines a record; with `BRF`, `end_of_record` and
                // `SF`, the line-by-line path's trim, split and key match
                // on them cost 6% of a combine.
                pos = rest_of_line(bytes, pos).1;
                continue;
            } else if let Some(used) = rest
                .strip_prefix(b"end_of_record")
                .and_then(|r| line_end(r, 0))
            {
                if let Some(record) = current.take() {
                    records += 1;
                    spare.hand_over(record, diag, on_record);
                }
                pos += 13 + used;
                continue;
            }
        }
        // Every other line (the last may have no newline).
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let raw_line = &text[pos..end];
        pos = end + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if let Some(record) = current.as_mut() {
            if let Some(v) = line.strip_prefix("FN:") {
                // One per function in every producer's output.
                if let Ok((start, end, name)) = parse_fn(v) {
                    record.add_function(name, start, end, 0);
                    continue;
                }
            } else if let Some(v) = line.strip_prefix("FNDA:") {
                // Every producer but coverage.py writes one per function.
                if let Some((count, name)) = split_comma(v) {
                    if let Some(hits) = parse_u64(count.as_bytes()) {
                        record.add_fnda(name, hits);
                        continue;
                    }
                }
            }
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "end_of_record" || line.trim_end() == "end_of_record" {
            match current.take() {
                Some(record) => {
                    records += 1;
                    spare.hand_over(record, diag, on_record);
                }
                None => diag.warn(Some(lineno), "end_of_record without a preceding SF record"),
            }
            continue;
        }
        let Some((key, value)) = split_at_byte(line, b':') else {
            diag.warn(
                Some(lineno),
                format!("not an LCOV line, ignored: {}", clip(line)),
            );
            continue;
        };
        match key {
            "TN" if current.is_none() => dangling_tn = Some(lineno),
            "SF" | "KF" => {
                dangling_tn = None;
                if let Some(record) = current.take() {
                    diag.warn(
                        Some(lineno),
                        format!("record for {} has no end_of_record", record.name),
                    );
                    records += 1;
                    spare.hand_over(record, diag, on_record);
                }
                current = Some(Record::new(value, &mut spare));
            }
            "BRF" => {
                if let Some(record) = current.as_mut() {
                    // u32: BRF is only a hint, and an absurd one overflowed
                    // the report totals (found by fuzzing).
                    record.declared_branches = value.trim().parse::<u32>().ok().map(u64::from);
                }
            }
            "TN" | "VER" | "FNF" | "FNH" | "BRH" | "LF" | "LH" | "MCDC" | "MCF" | "MCH" => {}
            _ if !KNOWN_KEYS.contains(&key) => {
                if unknown_keys.insert(key.to_string()) {
                    diag.warn(Some(lineno), format!("unknown LCOV key {key:?}, ignored"));
                }
            }
            _ => {
                let Some(record) = current.as_mut() else {
                    diag.warn(
                        Some(lineno),
                        format!("{key} outside of an SF record, ignored"),
                    );
                    continue;
                };
                match record.add(key, value) {
                    Ok(None) => {}
                    Ok(Some(note)) => diag.warn(Some(lineno), format!("{note}: {}", clip(line))),
                    Err(message) => {
                        diag.warn(Some(lineno), format!("{message}, ignored: {}", clip(line)))
                    }
                }
            }
        }
    }
    if let Some(record) = current.take() {
        diag.warn(
            None,
            format!(
                "the last record ({}) has no end_of_record; the file may be truncated",
                record.name
            ),
        );
        records += 1;
        spare.hand_over(record, diag, on_record);
    }
    if let (Some(line), true) = (dangling_tn, records > 0) {
        diag.warn(
            Some(line),
            "a TN line with no record after it ends the file; the file may be truncated",
        );
    }
    if records == 0 {
        return Err(Error::parse(
            path,
            None,
            "no LCOV records (SF ... end_of_record)",
        ));
    }
    Ok(())
}

fn clip(line: &str) -> String {
    let mut out: String = line.chars().take(80).collect();
    if out.len() < line.len() {
        out.push('…');
    }
    out
}

/// An exit arc from coverage.py's LCOV whose target is a function we only
/// know by name until the record's FN lines are all read.
struct PendingExit<'a> {
    line: u32,
    target: ExitTarget<'a>,
    /// The BRDA text as written, kept for re-export.
    label: &'a str,
    taken: Taken,
}

/// What an exit label of coverage.py's LCOV says about the code object
/// left (its `arc_description`).
enum ExitTarget<'a> {
    /// `return from function 'f'`, `except from function 'f'`: the short
    /// name of the function.
    Function(&'a str),
    /// `jump to the function exit`: the innermost function around the line.
    Enclosing,
    /// `exit class 'C'`: a class, which LCOV has no record of.
    Class,
}

/// The lists of the record handed over last, emptied by whoever took it
/// and filled again by the next record: a tracefile's records share three
/// lists (grown to the largest record) instead of allocating three each.
#[derive(Default)]
struct Spare<'a> {
    lines: Vec<(u32, u64)>,
    numeric_branches: Vec<((u32, u32, u32), Taken)>,
    functions: Vec<(&'a str, Function)>,
}

impl<'a> Spare<'a> {
    /// Hand `record` to `on_record`, then keep its lists for the next.
    fn hand_over(
        &mut self,
        record: Record<'a>,
        diag: &mut Diagnostics,
        on_record: &mut dyn FnMut(&mut FileRecords),
    ) {
        let mut parts = record.into_parts(diag);
        on_record(&mut parts);
        self.lines = std::mem::take(&mut parts.lines);
        self.lines.clear();
        self.numeric_branches = std::mem::take(&mut parts.numeric_branches);
        self.numeric_branches.clear();
        self.functions = std::mem::take(&mut parts.functions);
        self.functions.clear();
    }

    /// A list to fill: the spare one, or a new one with room for a usual
    /// record when the last was kept.
    fn take<T>(list: &mut Vec<T>, usual: usize) -> Vec<T> {
        let mut list = std::mem::take(list);
        if list.capacity() == 0 {
            list.reserve(usual);
        }
        list
    }
}

struct Record<'a> {
    name: &'a str,
    /// Records beyond the flat lists (careful-path lines, coverage.py's
    /// text branches and exits), `None` until there is one.
    file: Option<FileCoverage>,
    /// DA records as read; sorted and summed into `file` at the end.
    lines: Vec<(u32, u64)>,
    /// Numeric BRDA records (line, block, branch, taken) as read.
    numeric_branches: Vec<((u32, u32, u32), Taken)>,
    /// FN/FNA records in the order read, repeats included, with their
    /// FNDA hits; the names borrow the tracefile's text, so reading one
    /// costs no allocation. Sorted (by the running result, or when the
    /// record ends if it must be) only once.
    functions: Vec<(&'a str, Function)>,
    /// The function the next FNDA most likely names: producers write the
    /// FNDA records in the order of their FN records (llvm-cov, nyc) or
    /// right after each one (geninfo, coverage.py).
    fnda_next: usize,
    /// FNDA records that named no function at that point (written before
    /// their FN, or unknown), resolved when the record ends.
    fn_hits: Vec<(&'a str, u64)>,
    /// lcov 2.2+ FNL groups: index -> (start, end).
    fn_groups: BTreeMap<String, (u32, Option<u32>)>,
    exits: Vec<PendingExit<'a>>,
    /// BRF, trusted only for coverage.py's records (see `finish`).
    declared_branches: Option<u64>,
}

impl<'a> Record<'a> {
    fn new(name: &'a str, spare: &mut Spare<'a>) -> Self {
        Record {
            name,
            file: None,
            lines: Spare::take(&mut spare.lines, 256),
            numeric_branches: Spare::take(&mut spare.numeric_branches, 64),
            functions: Spare::take(&mut spare.functions, 16),
            fnda_next: 0,
            fn_hits: Vec::new(),
            fn_groups: BTreeMap::new(),
            exits: Vec::new(),
            declared_branches: None,
        }
    }

    /// What goes beyond the flat lists, made when first needed.
    fn rest(&mut self) -> &mut FileCoverage {
        self.file.get_or_insert_with(FileCoverage::default)
    }

    /// Add one record line. `Ok(Some(note))` is a value that was repaired
    /// (a negative or fractional count, line 0) and deserves a warning.
    fn add(&mut self, key: &str, value: &'a str) -> std::result::Result<Option<String>, String> {
        let mut note = None;
        let mut count = |text: &str| -> std::result::Result<u64, String> {
            let (n, repaired) = parse_count(text)?;
            if repaired.is_some() && note.is_none() {
                note = repaired;
            }
            Ok(n)
        };
        match key {
            "DA" => {
                let mut fields = value.splitn(3, ',');
                let line = parse_line(fields.next())?;
                let hits = count(fields.next().ok_or("DA without a count")?)?;
                let Some(line) = line else {
                    return Ok(Some(LINE_ZERO.into()));
                };
                let entry = self.rest().lines.entry(line).or_insert(0);
                *entry = add_hits(*entry, hits);
            }
            "BRDA" => {
                let (line_text, rest) = value.split_once(',').ok_or("BRDA needs 4 fields")?;
                let (block, rest) = rest.split_once(',').ok_or("BRDA needs 4 fields")?;
                let (branch, taken_text) = rest.rsplit_once(',').ok_or("BRDA needs 4 fields")?;
                let line = parse_line(Some(line_text))?;
                let taken = match taken_text.trim() {
                    "-" => None,
                    text => Some(count(text)?),
                };
                // coverage.py up to 7.2 numbers exits from line 0 (docs/INPUTS.md
                // §2.1): a known quirk, dropped without a warning for BRDA.
                let Some(line) = line else {
                    return Ok(None);
                };
                self.add_branch(line, block, branch, taken);
            }
            "FN" => {
                let (start, end, name) = parse_fn(value)?;
                self.add_function(name, start, end, 0);
            }
            "FNDA" => {
                let (count_text, name) = value
                    .split_once(',')
                    .ok_or("FNDA needs a count and a name")?;
                let hits = count(count_text)?;
                self.add_fnda(name, hits);
            }
            "FNL" => {
                let mut fields = value.split(',');
                let index = fields
                    .next()
                    .ok_or("FNL needs an index")?
                    .trim()
                    .to_string();
                let start = parse_line(fields.next())?.unwrap_or(0);
                let end = match fields.next() {
                    Some(text) => parse_line(Some(text))?,
                    None => None,
                };
                self.fn_groups.insert(index, (start, end));
            }
            "FNA" => {
                let (index, rest) = value.split_once(',').ok_or("FNA needs 3 fields")?;
                let (count_text, name) = rest.split_once(',').ok_or("FNA needs 3 fields")?;
                let hits = count(count_text)?;
                let (start, end) = *self
                    .fn_groups
                    .get(index.trim())
                    .ok_or("FNA refers to an FNL index not seen before")?;
                self.add_function(name, start, end, hits);
            }
            _ => {}
        }
        Ok(note)
    }

    fn add_function(&mut self, name: &'a str, start: u32, end: Option<u32>, hits: u64) {
        self.functions.push((name, Function { start, end, hits }));
    }

    /// FNDA: one comparison with the expected function instead of a map
    /// lookup; anything else waits for the end of the record.
    fn add_fnda(&mut self, name: &'a str, hits: u64) {
        let named = |f: Option<&(&str, Function)>| f.is_some_and(|f| super::same_name(f.0, name));
        let at = if named(self.functions.get(self.fnda_next)) {
            self.fnda_next
        } else if named(self.functions.last()) {
            self.functions.len() - 1
        } else {
            self.fn_hits.push((name, hits));
            return;
        };
        let func = &mut self.functions[at].1;
        func.hits = add_hits(func.hits, hits);
        self.fnda_next = at + 1;
    }

    /// The functions read, sorted by name and unique ([`fold_repeats`]),
    /// then the FNDA records that found no function on the way. The names
    /// still borrow the tracefile's text.
    fn finish_functions(&mut self, diag: &mut Diagnostics) -> Vec<(&'a str, Function)> {
        let mut folded = fold_repeats(std::mem::take(&mut self.functions));
        if self.fn_hits.is_empty() {
            return folded;
        }
        let mut pending: BTreeMap<&str, u64> = BTreeMap::new();
        for (name, hits) in std::mem::take(&mut self.fn_hits) {
            let entry = pending.entry(name).or_insert(0);
            *entry = add_hits(*entry, hits);
        }
        for (name, hits) in pending {
            match folded.binary_search_by(|(n, _)| (*n).cmp(name)) {
                Ok(at) => folded[at].1.hits = add_hits(folded[at].1.hits, hits),
                Err(_) => diag.warn(
                    None,
                    format!("{}: FNDA for unknown function {name:?}, ignored", self.name),
                ),
            }
        }
        folded
    }

    fn add_branch(&mut self, line: u32, block: &str, branch: &'a str, taken: Taken) {
        if let Some(target) = branch.strip_prefix("jump to line ") {
            if let Ok(to) = target.trim().parse::<i64>() {
                let entry = self.rest().arcs.entry((line, to)).or_insert(None);
                *entry = add_taken(*entry, taken);
                return;
            }
        }
        if branch == "exit the module" {
            // The export's default words for -1: nothing to keep.
            let entry = self.rest().arcs.entry((line, -1)).or_insert(None);
            *entry = add_taken(*entry, taken);
            return;
        }
        let target = if let Some(rest) = branch
            .strip_prefix("return from function ")
            .or_else(|| branch.strip_prefix("except from function "))
        {
            Some(ExitTarget::Function(py_unquote(rest)))
        } else if branch == "jump to the function exit" {
            Some(ExitTarget::Enclosing)
        } else if branch.starts_with("exit class ") {
            Some(ExitTarget::Class)
        } else {
            None
        };
        if let Some(target) = target {
            self.exits.push(PendingExit {
                line,
                target,
                label: branch,
                taken,
            });
            return;
        }
        let entry = self
            .rest()
            .branches
            .entry((line, BranchId::parse(block.trim()), BranchId::parse(branch)))
            .or_insert(None);
        *entry = add_taken(*entry, taken);
    }

    /// The first line of the innermost function (by its FN start and end)
    /// around `line` whose short name is `name` (any name when `None`);
    /// without end lines, the nearest such function starting above it.
    fn function_around(
        functions: &[(&str, Function)],
        line: u32,
        name: Option<&str>,
    ) -> Option<u32> {
        let short = |full: &str| -> bool {
            let full = full.split_once('@').map_or(full, |(n, _)| n);
            name.is_none_or(|n| full.rsplit('.').next() == Some(n))
        };
        functions
            .iter()
            .filter(|(full, f)| {
                f.start != 0 && f.start <= line && f.end.is_none_or(|e| line <= e) && short(full)
            })
            .map(|(_, f)| f.start)
            .max()
    }

    /// Resolve what needs the whole record (FNDA names, function exits,
    /// coverage.py's BRF) and split it into its parts.
    fn into_parts(mut self, diag: &mut Diagnostics) -> FileRecords<'a> {
        // The usual record: every FNDA found its function as it came and no
        // exit needs a function's lines, so the functions go as written and
        // the running result sorts them only if it must.
        if self.fn_hits.is_empty() && self.exits.is_empty() {
            let functions = std::mem::take(&mut self.functions);
            return self.parts(functions, true);
        }
        let mut functions = self.finish_functions(diag);
        for exit in std::mem::take(&mut self.exits) {
            // coverage.py numbers an exit by the code object's first line;
            // one it cannot be found for is an unnamed exit of the line,
            // matched with a named one when inputs meet (`branches::resolve`).
            let function = match &exit.target {
                ExitTarget::Function(name) => {
                    Self::function_around(&functions, exit.line, Some(name))
                }
                ExitTarget::Enclosing => Self::function_around(&functions, exit.line, None),
                ExitTarget::Class => None,
            };
            let to = function.map_or(UNNAMED_EXIT, |start| -i64::from(start));
            let entry = self.rest().arcs.entry((exit.line, to)).or_insert(None);
            *entry = add_taken(*entry, exit.taken);
            // A located `return from function` is what the export says by
            // default; only other words are kept (one allocation each).
            let default_words = function.is_some()
                && matches!(exit.target, ExitTarget::Function(_))
                && exit.label.starts_with("return from function ");
            if !default_words {
                self.rest()
                    .exit_labels
                    .entry((exit.line, to))
                    .or_insert_with(|| exit.label.to_string());
            }
        }
        functions.retain(|(_, f)| f.start != 0);
        self.parts(functions, false)
    }

    fn parts(
        mut self,
        functions: Vec<(&'a str, Function)>,
        functions_as_read: bool,
    ) -> FileRecords<'a> {
        // Stored summaries are caches we do not trust, with one exception:
        // coverage.py's BRF also counts `# pragma: no branch` exits that it
        // lists nowhere. Its records are the ones whose branches are arcs.
        if let Some(file) = &mut self.file {
            if file.branches.is_empty() && self.numeric_branches.is_empty() && !file.arcs.is_empty()
            {
                file.declared_branches = self
                    .declared_branches
                    .filter(|n| *n as usize > file.arcs.len());
            }
        }
        FileRecords {
            name: self.name.into(),
            functions,
            functions_as_read,
            lines: self.lines,
            numeric_branches: self.numeric_branches,
            arcs: Vec::new(),
            regions: Vec::new(),
            file: self.file,
        }
    }
}

/// A Python `repr` of a name (`'f'`, or `"f"` when it holds a `'`) as the
/// name; anything else as written.
fn py_unquote(text: &str) -> &str {
    let text = text.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = text.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return inner;
        }
    }
    text
}

/// `FN:<start>,<name>` or `FN:<start>,<end>,<name>` (names may hold
/// commas): start (0 for line 0, dropped later), end and name. The one
/// parse of `FN`, for the fast path and the careful one alike.
fn parse_fn(value: &str) -> std::result::Result<(u32, Option<u32>, &str), String> {
    let (start_text, rest) = split_comma(value).ok_or("FN needs a line and a name")?;
    // Plain digits first: what the general parse would make of them.
    let start = match plain_u32(start_text) {
        Some(start) => start,
        None => parse_line(Some(start_text))?.unwrap_or(0),
    };
    let (end, name) = match split_comma(rest) {
        Some((end_text, name)) => match plain_u32(end_text)
            .map(Ok)
            .unwrap_or_else(|| end_text.trim().parse::<u32>())
        {
            Ok(end) => (Some(end), name),
            Err(_) => (None, rest),
        },
        None => (None, rest),
    };
    Ok((start, end, name))
}

/// `split_once(',')` by a plain byte scan: the fields before the comma
/// are a few bytes, where the general character search costs more than it
/// finds (about 8% of a combine's instructions went to it on the `FN` and
/// `FNDA` lines).
fn split_comma(text: &str) -> Option<(&str, &str)> {
    split_at_byte(text, b',')
}

/// `split_once` at the first `sep`, an ASCII byte (so both sides are on
/// character boundaries), by a plain scan.
fn split_at_byte(text: &str, sep: u8) -> Option<(&str, &str)> {
    debug_assert!(sep.is_ascii());
    let at = text.bytes().position(|c| c == sep)?;
    Some((&text[..at], &text[at + 1..]))
}

/// The value of a `DA:` line, parsed in place: `<line>,<hits>`, then the
/// line end or a comma and a checksum up to the line end. The line and
/// hits as [`parse_u64`] reads them, the line in 1..=u32::MAX, and the
/// bytes used up to the next line; `None` when anything is unusual (the
/// careful path then reads the line and says what is wrong).
fn scan_da(b: &[u8]) -> Option<(u32, u64, usize)> {
    let (line, pos) = scan_digits(b, 0)?;
    if b.get(pos) != Some(&b',') {
        return None;
    }
    let (hits, pos) = scan_digits(b, pos + 1)?;
    let line = u32::try_from(line).ok().filter(|l| *l > 0)?;
    let used = match b.get(pos) {
        // A checksum (geninfo --checksum): not read.
        Some(b',') => memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i + 1),
        _ => line_end(b, pos)?,
    };
    Some((line, hits, used))
}

/// The value of a `BRDA:` line with numeric ids (gcc, llvm, Istanbul),
/// parsed in place: `<line>,<block>,<branch>,<taken or ->` and the line
/// end. Ids with a leading zero stay text (`00` is not `0`), as the
/// careful path keeps them; the line is not 0. `None` when anything is
/// unusual.
fn scan_brda(b: &[u8]) -> Option<((u32, u32, u32), Taken, usize)> {
    let mut fields = [0u32; 3];
    let mut pos = 0;
    for field in fields.iter_mut() {
        let start = pos;
        let mut n: u32 = 0;
        while let Some(&c) = b.get(pos).filter(|c| c.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
            pos += 1;
        }
        if pos == start || (pos - start > 1 && b[start] == b'0') || b.get(pos) != Some(&b',') {
            return None;
        }
        *field = n;
        pos += 1;
    }
    let (taken, pos) = match b.get(pos) {
        Some(b'-') => (None, pos + 1),
        _ => {
            let (n, pos) = scan_digits(b, pos)?;
            (Some(n), pos)
        }
    };
    if fields[0] == 0 {
        return None;
    }
    Some(((fields[0], fields[1], fields[2]), taken, line_end(b, pos)?))
}

/// Where a name lies in a record's value: (start, end) byte offsets.
type NameRange = (usize, usize);

/// The value of an `FN:` line, parsed in place as [`parse_fn`] reads it:
/// the start line, the end line if a second number and a comma follow, the
/// name's byte range (to the line end, one `\r` stripped) and the bytes
/// used up to the next line. `None` (the line-by-line path decides) for
/// anything [`parse_fn`] might read differently: a start that is not plain
/// digits, a second field of digits with no comma after it, or one that
/// starts with a space, a `+` or a non-ASCII byte (which `parse_fn`'s trim
/// and integer parse could still read as an end line).
fn scan_fn(b: &[u8]) -> Option<(u32, Option<u32>, NameRange, usize)> {
    let (start, pos) = scan_digits(b, 0)?;
    let start = u32::try_from(start).ok()?;
    if b.get(pos) != Some(&b',') {
        return None;
    }
    let mut name_start = pos + 1;
    let mut end = None;
    match b.get(name_start) {
        Some(c) if c.is_ascii_digit() => {
            let (n, after) = scan_digits(b, name_start)?;
            if b.get(after) != Some(&b',') {
                return None;
            }
            end = Some(u32::try_from(n).ok()?);
            name_start = after + 1;
        }
        Some(c) if c.is_ascii_graphic() && *c != b'+' => {}
        _ => return None,
    }
    let (name_end, used) = rest_of_line(b, name_start);
    Some((start, end, (name_start, name_end), used))
}

/// The value of an `FNDA:` line, parsed in place: the count as
/// [`parse_u64`] reads it, the name's byte range and the bytes used.
/// `None` when the count is not plain digits followed by a comma.
fn scan_fnda(b: &[u8]) -> Option<(u64, NameRange, usize)> {
    let (hits, pos) = scan_digits(b, 0)?;
    if b.get(pos) != Some(&b',') {
        return None;
    }
    let (name_end, used) = rest_of_line(b, pos + 1);
    Some((hits, (pos + 1, name_end), used))
}

/// Whether `line` starts with a summary key that the reader ignores
/// (`LF`, `LH`, `FNF`, `FNH`, `BRH`: caches of what the records say), as
/// the line-by-line path ignores them whatever their value.
#[inline]
fn is_ignored_summary(line: &[u8]) -> bool {
    match line.first() {
        Some(b'L') => line.starts_with(b"LF:") || line.starts_with(b"LH:"),
        Some(b'F') => line.starts_with(b"FNF:") || line.starts_with(b"FNH:"),
        Some(b'B') => line.starts_with(b"BRH:"),
        _ => false,
    }
}

/// Where the text from `from` to the line end stops (before the `\n` and
/// one `\r`, as the line-by-line path strips them), and where the next
/// line starts.
#[inline]
fn rest_of_line(b: &[u8], from: usize) -> (usize, usize) {
    // Names are mostly a few bytes: a look at the first 32, a word at a
    // time, finds the end sooner than setting up `memchr`, which takes the
    // rest of a long one. (Other lines keep `memchr`: an `SF` path is
    // usually longer.)
    let newline = match newline_in_words(b, from) {
        Ok(at) => Some(at),
        Err(near) => memchr::memchr(b'\n', &b[near..]).map(|i| near + i),
    };
    let (end, next) = match newline {
        Some(i) => (i, i + 1),
        None => (b.len(), b.len()),
    };
    let end = if end > from && b[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    (end, next)
}

/// The first `\n` from `from` within four words read eight bytes at a
/// time, or `Err` with where to go on looking (past the words read, or
/// where fewer than eight bytes were left).
#[inline(always)]
fn newline_in_words(b: &[u8], from: usize) -> Result<usize, usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut at = from;
    for _ in 0..4 {
        let Some(chunk) = b.get(at..at.wrapping_add(8)) else {
            return Err(at);
        };
        let word = u64::from_le_bytes(chunk.try_into().map_err(|_| at)?);
        // A zero byte of `word ^ "\n\n..."` is a newline; the lowest bit
        // of the classic zero-byte test is exact (only bytes above the
        // first zero can be flagged falsely).
        let x = word ^ (ONES * u64::from(b'\n'));
        let zero = x.wrapping_sub(ONES) & !x & (ONES << 7);
        if zero != 0 {
            return Ok(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    Err(at)
}

/// Plain decimal digits from `start` as [`parse_u64`] reads them (1 to 20
/// digits, no overflow): the number and where the digits end. Forced
/// inline: left to the compiler it stayed a call per number, and inlining
/// it took 6% of the instructions off a combine.
#[inline(always)]
fn scan_digits(b: &[u8], start: usize) -> Option<(u64, usize)> {
    let rest = b.get(start..)?;
    // One pass; up to 19 digits cannot overflow a u64.
    let mut n: u64 = 0;
    let mut len = 0;
    while let Some(&c) = rest.get(len).filter(|c| c.is_ascii_digit()) {
        if len == 19 {
            // 20 digits or more: parse_u64's limit and overflow check.
            let len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            return Some((parse_u64(&rest[..len])?, start + len));
        }
        n = n * 10 + u64::from(c - b'0');
        len += 1;
    }
    (len > 0).then_some((n, start + len))
}

/// The position after the line end at `pos`: `\n`, `\r\n`, or the end of
/// the text (after one `\r`, which the line-by-line path strips too).
#[inline]
fn line_end(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos) {
        None => Some(pos),
        Some(b'\n') => Some(pos + 1),
        Some(b'\r') => match b.get(pos + 1) {
            None => Some(pos + 1),
            Some(b'\n') => Some(pos + 2),
            Some(_) => None,
        },
        Some(_) => None,
    }
}

/// Plain decimal digits to u32 (no sign, no spaces); None on anything else
/// or overflow, for the caller's general parse to decide.
fn plain_u32(text: &str) -> Option<u32> {
    u32::try_from(parse_u64(text.as_bytes())?).ok()
}

/// Plain decimal digits to u64; None on anything else or overflow.
fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(n)
}

/// A line number: `Ok(None)` for line 0 (old coverage.py writes it; it is
/// dropped), an error for anything that is not a number in 1..=u32::MAX.
fn parse_line(field: Option<&str>) -> std::result::Result<Option<u32>, String> {
    let text = field.ok_or("missing line number")?.trim();
    match text.parse::<u32>() {
        Ok(0) => Ok(None),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(format!("bad line number {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (CoverageData, Diagnostics) {
        let mut diag = Diagnostics::default();
        let data = Lcov.read(Path::new("t.info"), text, &mut diag).unwrap();
        (data, diag)
    }

    #[test]
    fn coveragepy_branch_descriptions_become_arcs() {
        let text = "SF:pkg/a.py\nDA:1,1\nDA:2,1\nFN:4,6,h\nFNDA:1,h\nBRDA:2,0,jump to line 3,1\n\
                    BRDA:2,0,exit the module,0\nBRDA:5,0,return from function 'h',0\nend_of_record\n";
        let (data, diag) = read(text);
        let f = &data.files["pkg/a.py"];
        assert_eq!(f.arcs[&(2, 3)], Some(1));
        assert_eq!(f.arcs[&(2, -1)], Some(0));
        assert_eq!(f.arcs[&(5, -4)], Some(0));
        assert_eq!(f.functions["h"].hits, 1);
        assert!(diag.warnings.is_empty(), "{:?}", diag.warnings);
        assert!(data.branch_coverage);
    }

    #[test]
    fn repeated_records_crlf_and_dirty_counts() {
        let text = "TN:a\r\nSF:/x/c.c\r\nDA:3,2\r\nDA:4,-5\r\nBRDA:3,0,0,-\r\nend_of_record\r\n\
                    TN:b\r\nSF:/x/c.c\r\nDA:3,1.5e1\r\nDA:0,9\r\nBRDA:3,0,0,4\r\nend_of_record\r\n";
        let (data, _) = read(text);
        let f = &data.files["/x/c.c"];
        assert_eq!(f.lines[&3], 17);
        assert_eq!(f.lines[&4], 0);
        assert!(!f.lines.contains_key(&0));
        assert_eq!(f.branches[&(3, "0".into(), "0".into())], Some(4));
    }

    /// FNDA records in every order producers use (after each FN, after all
    /// FN, before their FN), repeated FN and FNDA, an FNDA with no FN, and
    /// a dirty count: all give the same functions.
    #[test]
    fn function_records_in_any_order() {
        let text = "SF:a.c\nFNDA:2,late\nFN:1,first\nFNDA:1,first\nFN:5,9,second\nFN:3,late\n\
                    FN:7,third\nFNDA:4,second\nFNDA:+3,third\nFNDA:1,third\nFN:2,first\n\
                    FNDA:5,ghost\nFNDA:1,first\nFN:0,zero\nFNDA:1,zero\nDA:1,1\nend_of_record\n";
        let (data, diag) = read(text);
        let f = &data.files["a.c"];
        let got: Vec<(&str, u32, Option<u32>, u64)> = f
            .functions
            .iter()
            .map(|(n, f)| (n.as_str(), f.start, f.end, f.hits))
            .collect();
        assert_eq!(
            got,
            [
                ("first", 1, None, 2),
                ("late", 3, None, 2),
                ("second", 5, Some(9), 4),
                ("third", 7, None, 4),
            ]
        );
        let warnings: Vec<&str> = diag.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(
            warnings,
            ["a.c: FNDA for unknown function \"ghost\", ignored"]
        );
    }

    /// `FN` with and without an end line, names holding commas, an end
    /// that is not a number (part of the name), line 0 (dropped) and a bad
    /// start (a warning, and the function is not read).
    #[test]
    fn function_lines_in_every_form() {
        let text = "SF:a.c\nFN:3,9,plain\nFN:4,f(a, b)\nFN:5,7,g(a, b)\nFN:6, 8 ,spaced\n\
                    FN:7,x8,named\nFN:0,zero\nFN:+2,signed\nFN:q,bad\nFN:11\nDA:1,1\n\
                    end_of_record\n";
        let (data, diag) = read(text);
        let got: Vec<(&str, u32, Option<u32>)> = data.files["a.c"]
            .functions
            .iter()
            .map(|(n, f)| (n.as_str(), f.start, f.end))
            .collect();
        assert_eq!(
            got,
            [
                ("f(a, b)", 4, None),
                ("g(a, b)", 5, Some(7)),
                ("plain", 3, Some(9)),
                ("signed", 2, None),
                ("spaced", 6, Some(8)),
                ("x8,named", 7, None),
            ]
        );
        let lines: Vec<Option<usize>> = diag.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(9), Some(10)], "{:?}", diag.warnings);
    }

    /// What the careful path alone (`Record::add`) makes of one record
    /// line: the file and how many warnings.
    /// Reading `text` gives `want` for `a.c`, with `warnings` warnings.
    fn assert_reads(text: &str, want: &FileCoverage, warnings: usize) {
        let (data, diag) = read(text);
        assert_eq!(data.files["a.c"], *want, "{text:?}");
        let got = diag.warnings.len();
        assert_eq!(got, warnings, "{text:?}: {:?}", diag.warnings);
    }

    fn careful(line: &str) -> (FileCoverage, usize) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let (key, value) = line.split_once(':').unwrap();
        let mut record = Record::new("a.c", &mut Spare::default());
        let warned = usize::from(!matches!(record.add(key, value), Ok(None)));
        let mut diag = Diagnostics::default();
        let (_, file) = record.into_parts(&mut diag).into_file();
        (file, warned + diag.warnings.len())
    }

    /// The in-place `DA`/`BRDA` scans give what the careful path gives for
    /// every line, fast or not: checksums, negative, fractional, huge and
    /// garbage counts, leading zeros, line 0, CRLF, a stray `\r`, and the
    /// last line without a newline; then random lines of the same bytes.
    #[test]
    fn fast_scans_agree_with_the_careful_path() {
        let mut lines: Vec<String> = [
            "DA:1,2",
            "DA:7,0,abcdef==",
            "DA:7,3,",
            "DA:0,1",
            "DA:1,-3",
            "DA:1,+3",
            "DA:1,1.5",
            "DA:1,1e3",
            "DA:1,18446744073709551615",
            "DA:1,18446744073709551616",
            "DA:1,99999999999999999999999",
            "DA:1,9999999999999999999",
            "DA:1,09999999999999999999",
            "BRDA:1,0,0,9999999999999999999",
            "DA:4294967295,1",
            "DA:4294967296,1",
            "DA:01,002",
            "DA:00000000000000000000001,1",
            "DA:1,",
            "DA:,1",
            "DA:1",
            "DA:",
            "DA: 1,2",
            "DA:1, 2",
            "DA:1,2 ",
            "DA:1,2\r",
            "DA:1,2\rx",
            "DA:1,2,\r",
            "DA:x,1",
            "DA:1,nan",
            "DA:1,2,3,4",
            "BRDA:1,0,0,1",
            "BRDA:1,0,1,-",
            "BRDA:10,2,3,0",
            "BRDA:0,0,0,1",
            "BRDA:1,00,0,1",
            "BRDA:1,0,01,1",
            "BRDA:1,0,0,01",
            "BRDA:1,0,0,-1",
            "BRDA:1,0,0,--",
            "BRDA:1,0,0,- ",
            "BRDA:1,0,0,",
            "BRDA:1,0,0",
            "BRDA:1,0",
            "BRDA:",
            "BRDA:1,4294967295,4294967296,1",
            "BRDA:4294967296,0,0,1",
            "BRDA:1,0,0,18446744073709551616",
            "BRDA:1,0,0,1.5",
            "BRDA:1,0,jump to line 3,1",
            "BRDA:1,0,0,1\r",
            "BRDA:1,0,0,1\rx",
            "BRDA:1,x,0,1",
            "BRDA:1,0,0,1,2",
            "BRDA:1, 0,0,1",
            // Summaries, ignored whatever they say, and BRF, kept.
            "BRF:3",
            "BRF:007",
            "BRF: 3",
            "BRF:+3",
            "BRF:3x",
            "BRF:4294967296",
            "BRF:18446744073709551616",
            "BRF:3\r",
            "LF:3",
            "LH:",
            "FNF:x",
            "FNH:1\r",
            "BRH:2,3",
            "LF:a_value_longer_than_the_first_look_of_32_bytes",
        ]
        .iter()
        .map(|l| l.to_string())
        .collect();
        // Random lines over the bytes that matter, from a fixed seed.
        let alphabet = b"0123456789,,,-+. \rx";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..3000 {
            let mut line = String::from(if i % 2 == 0 { "DA:" } else { "BRDA:" });
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for _ in 0..(seed >> 60) + 1 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                line.push(alphabet[(seed >> 33) as usize % alphabet.len()] as char);
            }
            lines.push(line);
        }
        for line in &lines {
            let (want, want_warnings) = careful(line);
            for (text, extra) in [
                (format!("SF:a.c\n{line}\nend_of_record\n"), 0),
                (format!("SF:a.c\r\n{line}\r\nend_of_record\r\n"), 0),
                // The last line, without a newline: the record has no end.
                (format!("SF:a.c\n{line}"), 1),
            ] {
                assert_reads(&text, &want, want_warnings + extra);
            }
        }
    }

    /// The in-place `FN`/`FNDA` scans give what the careful path gives:
    /// every pair of an `FN` and an `FNDA` line from a list of odd ones
    /// (end lines, names with commas, digits, spaces, `+`, non-ASCII, CR,
    /// long names, overflowing and zero-padded numbers), then random pairs, each with
    /// LF and CRLF line ends and as the last line of the file.
    #[test]
    fn fast_function_scans_agree_with_the_careful_path() {
        let fns = [
            "FN:3,f",
            "FN:3,9,f",
            "FN:3,9,f,g",
            "FN:3,f(int, int)",
            "FN:3,9",
            "FN:3,9x,f",
            "FN:3, 9,f",
            "FN:3,+9,f",
            "FN:3,\u{a0}9,f",
            "FN:3,é",
            "FN:3,",
            "FN:0,f",
            "FN:03,009,f",
            "FN:4294967296,f",
            "FN:3,4294967296,f",
            "FN:00000000000000000000003,f",
            "FN:3,00000000000000000000009,f",
            "FN:x,f",
            "FN:3",
            "FN:3,f\rx",
            "FN:3,9,",
            "FN:3,-9,f",
            "FN:3,a_function_name_longer_than_the_first_look_of_32_bytes",
            "FN:3,9,a_function_name_longer_than_the_first_look_of_32_bytes\r",
        ];
        let fndas = [
            "FNDA:2,f",
            "FNDA:0,f",
            "FNDA:2,g",
            "FNDA:2,f,g",
            "FNDA:2,f(int, int)",
            "FNDA:-2,f",
            "FNDA:+2,f",
            "FNDA: 2,f",
            "FNDA:2.5,f",
            "FNDA:18446744073709551616,f",
            "FNDA:00000000000000000000002,f",
            "FNDA:2,",
            "FNDA:2",
            "FNDA:,f",
            "FNDA:2,é",
            "FNDA:2,9",
            "FNDA:2,a_function_name_longer_than_the_first_look_of_32_bytes",
        ];
        let mut pairs: Vec<(String, String)> = Vec::new();
        for f in fns {
            for d in fndas {
                pairs.push((f.to_string(), d.to_string()));
            }
        }
        let alphabet = b"0123456789,, f+\r-x";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut random = |prefix: &str| -> String {
            let mut line = String::from(prefix);
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for _ in 0..(seed >> 60) + 1 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                line.push(alphabet[(seed >> 33) as usize % alphabet.len()] as char);
            }
            line
        };
        for _ in 0..2000 {
            let f = random("FN:");
            let d = random("FNDA:");
            pairs.push((f, d));
        }
        // What the careful path makes of the two lines, once the reader
        // has taken one `\r` off each line end (`strip`) or its own CRLF.
        let careful_pair = |f: &str, d: &str, strip: bool| {
            let mut record = Record::new("a.c", &mut Spare::default());
            let mut warnings = 0;
            for line in [f, d] {
                let line = match strip {
                    true => line.strip_suffix('\r').unwrap_or(line),
                    false => line,
                };
                let (key, value) = line.split_once(':').unwrap();
                warnings += usize::from(!matches!(record.add(key, value), Ok(None)));
            }
            let mut diag = Diagnostics::default();
            let (_, file) = record.into_parts(&mut diag).into_file();
            (file, warnings + diag.warnings.len())
        };
        for (f, d) in &pairs {
            for (text, strip, extra) in [
                (format!("SF:a.c\n{f}\n{d}\nend_of_record\n"), true, 0),
                (
                    format!("SF:a.c\r\n{f}\r\n{d}\r\nend_of_record\r\n"),
                    false,
                    0,
                ),
                (format!("SF:a.c\n{f}\n{d}"), true, 1),
            ] {
                let (want, want_warnings) = careful_pair(f, d, strip);
                assert_reads(&text, &want, want_warnings + extra);
            }
        }
    }

    /// The word-at-a-time newline search finds the first `\n` (or says
    /// where to go on) for a newline at every place, none, several, next
    /// to bytes whose zero-byte test borrows, in texts of every length.
    #[test]
    fn newline_in_words_finds_the_first_newline() {
        for len in 0..48 {
            let mut texts = vec![vec![b'a'; len]];
            for at in 0..len {
                for fill in [b'a', 0x0b, 0x09, 0x8a, 0x00, 0xff, 0xc3] {
                    let mut text = vec![fill; len];
                    text[at] = b'\n';
                    texts.push(text.clone());
                    if at + 3 < len {
                        text[at + 3] = b'\n';
                        texts.push(text);
                    }
                }
            }
            for text in &texts {
                for from in 0..=len {
                    let want = text[from..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map(|i| from + i);
                    let got = match newline_in_words(text, from) {
                        Ok(at) => Some(at),
                        Err(near) => {
                            assert!(!text[from..near].contains(&b'\n'), "{text:?} {from}");
                            text[near..]
                                .iter()
                                .position(|&c| c == b'\n')
                                .map(|i| near + i)
                        }
                    };
                    assert_eq!(got, want, "{text:?} from {from}");
                }
            }
        }
    }

    /// `BRF` in place reads what `parse::<u32>` of the trimmed value
    /// reads, on a coverage.py record (the one kind that keeps it).
    #[test]
    fn brf_reads_as_the_careful_path_reads_it() {
        for value in [
            "3",
            "007",
            " 3",
            "+3",
            "3x",
            "",
            "1",
            "4294967295",
            "4294967296",
            "18446744073709551616",
            "3\r",
            "3 ",
        ] {
            for newline in ["\n", "\r\n"] {
                let text = format!(
                    "SF:a.py\nDA:1,1\nBRDA:1,0,jump to line 3,1\nBRF:{value}{newline}end_of_record\n"
                );
                let (data, _) = read(&text);
                let careful = value.trim().parse::<u32>().ok().map(u64::from);
                let want = careful.filter(|n| *n > 1);
                assert_eq!(data.files["a.py"].declared_branches, want, "{text:?}");
            }
        }
    }

    /// A record ends at `end_of_record` with LF, CRLF, a lone `\r` or
    /// nothing after it (the fast path) and with trailing blanks (the
    /// line-by-line path); a longer key is no end.
    #[test]
    fn a_record_ends_however_its_end_line_is_written() {
        let mut want = FileCoverage::default();
        want.lines.insert(1, 1);
        for (end, warnings) in [
            ("end_of_record\n", 0),
            ("end_of_record\r\n", 0),
            ("end_of_record", 0),
            ("end_of_record\r", 0),
            ("end_of_record \n", 0),
            ("end_of_record\t\r\n", 0),
            // Not an LCOV line, and then no end: two warnings.
            ("end_of_recordx\n", 2),
        ] {
            assert_reads(&format!("SF:a.c\nDA:1,1\n{end}"), &want, warnings);
        }
        // The next record starts clean after a fast end.
        let (data, diag) = read("SF:a.c\nDA:1,1\nend_of_record\nSF:b.c\nDA:2,1\nend_of_record\n");
        assert_eq!(data.files["b.c"].lines.keys().collect::<Vec<_>>(), [&2]);
        assert!(diag.warnings.is_empty());
    }

    #[test]
    fn bad_line_is_a_warning_with_its_number() {
        let (_, diag) = read("SF:a.c\nDA:x,1\nend_of_record\n");
        assert_eq!(diag.warnings[0].line, Some(2));
    }

    /// Records share their lists (`Spare`): a record after a larger one,
    /// and one after a record whose lists the consumer kept or left full,
    /// holds only its own lines, branches and functions.
    #[test]
    fn a_record_holds_only_its_own_lists() {
        let text = "SF:a.c\nFN:1,f\nFN:5,g\nFNDA:1,f\nDA:1,1\nDA:2,0\nDA:5,3\n\
                    BRDA:2,0,0,1\nBRDA:2,0,1,0\nend_of_record\n\
                    SF:b.c\nDA:7,2\nend_of_record\n\
                    SF:c.c\nFN:3,h\nBRDA:3,0,0,-\nend_of_record\n";
        let mut seen = Vec::new();
        let mut diag = Diagnostics::default();
        let mut round = 0;
        read_records(Path::new("t.info"), text, &mut diag, &mut |records| {
            seen.push((
                records.name.to_string(),
                records.lines.clone(),
                records.numeric_branches.len(),
                records
                    .functions
                    .iter()
                    .map(|(n, _)| n.to_string())
                    .collect::<Vec<_>>(),
            ));
            // The first consumer keeps the lines; the second leaves all full.
            if round == 0 {
                std::mem::take(&mut records.lines);
            }
            round += 1;
        })
        .unwrap();
        assert_eq!(seen[1], ("b.c".into(), vec![(7, 2)], 0, vec![]));
        assert_eq!(seen[2], ("c.c".into(), vec![], 1, vec!["h".to_string()]));
        assert_eq!(seen[0].1.len(), 3);
    }

    #[test]
    fn a_file_without_records_is_an_error() {
        let err = Lcov
            .read(Path::new("e.info"), "TN:x\n", &mut Diagnostics::default())
            .unwrap_err();
        assert!(err.to_string().contains("e.info"));
    }
}
