//! Python's logical lines from source text, as coverage.py's parser sees
//! them: which physical lines belong to one statement (open brackets,
//! backslash continuations, multi-line strings, f-strings with Python
//! 3.12's nested quotes and multi-line replacement fields).
//!
//! coverage.py's report maps every measured line through its "multi-line
//! map" (a line inside a statement that spans several lines -> the
//! statement's first line) before comparing it with the statements; raw
//! `.coverage` data records the tracer's lines, which can be continuation
//! lines. [`LineMap::first_line`] is that map; [`LineMap::last_line`] the
//! statement's last physical line (the LCOV export's function end lines).
//!
//! The scanner is one pass over the bytes with an explicit stack (no
//! recursion, whatever the nesting), O(input) time and memory, and never
//! panics: text Python's tokenizer rejects (an unterminated string or
//! bracket, a NUL byte) is a [`ScanError`], which callers treat as "no
//! usable source", as coverage.py cannot parse such a file either.
//! [`Sources`] finds a file's source the way the HTML report and
//! `--python` do, checks it against the content hashes the workers
//! recorded, and maps raw data with it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::model::{add_hits, add_taken, sort_and_fold, ArcKey, CoverageData, FileCoverage, Taken};

/// Sources bigger than this are not read (as `record` does not hash them).
const MAX_SOURCE: u64 = 64 << 20;

/// The multi-line logical lines of one source file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineMap {
    /// `(first, last)` physical lines of every logical line that spans more
    /// than one, in order (they never overlap).
    spans: Vec<(u32, u32)>,
    /// Physical lines in the file.
    lines: u32,
}

/// Why a source could not be scanned (Python would not tokenize it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanError {
    /// The line where the problem starts.
    pub line: u32,
    /// What is wrong.
    pub what: &'static str,
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at line {}", self.what, self.line)
    }
}

impl LineMap {
    /// coverage.py's `first_line`: the first line of the logical line that
    /// contains `line` (itself when that logical line is one line long).
    pub fn first_line(&self, line: u32) -> u32 {
        match self.span_of(line) {
            Some((first, _)) => first,
            None => line,
        }
    }

    /// The last physical line of the logical line that contains `line`.
    pub fn last_line(&self, line: u32) -> u32 {
        match self.span_of(line) {
            Some((_, last)) => last,
            None => line,
        }
    }

    /// The spans of the logical lines longer than one line.
    pub fn spans(&self) -> &[(u32, u32)] {
        &self.spans
    }

    /// The number of physical lines.
    pub fn line_count(&self) -> u32 {
        self.lines
    }

    fn span_of(&self, line: u32) -> Option<(u32, u32)> {
        let i = self.spans.partition_point(|(first, _)| *first <= line);
        let (first, last) = *self.spans.get(i.checked_sub(1)?)?;
        (line <= last).then_some((first, last))
    }
}

/// What the scanner is inside of.
#[derive(Clone, Copy, Debug)]
enum Frame {
    /// A string literal.
    Str {
        quote: u8,
        triple: bool,
        raw: bool,
        f: bool,
    },
    /// The expression part of an f-string replacement field; `depth` is
    /// the bracket depth inside it; `quote`/`triple` are the f-string's.
    Field { depth: u32, quote: u8, triple: bool },
    /// The format spec after a field's `:`, up to its `}`.
    Spec { quote: u8, triple: bool },
}

/// Whether `word` is a string prefix (r, u, b, f, t and their pairs, any
/// case): `(raw, formatted)`.
fn prefix(word: &[u8]) -> Option<(bool, bool)> {
    let lower: Vec<u8> = word.iter().map(u8::to_ascii_lowercase).collect();
    match lower.as_slice() {
        b"" | b"u" | b"b" => Some((false, false)),
        b"r" | b"br" | b"rb" => Some((true, false)),
        b"f" | b"t" => Some((false, true)),
        b"fr" | b"rf" | b"tr" | b"rt" => Some((true, true)),
        _ => None,
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The length of the line end at `i` (`\n`, `\r\n` or `\r`), 0 if none.
fn newline_at(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'\n') => 1,
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\r') => 1,
        _ => 0,
    }
}

/// Scan Python source bytes into its logical lines. Line ends are `\n`,
/// `\r\n` or `\r` (coverage.py reads all three as `\n`); a UTF-8 BOM is
/// skipped; form feeds are white space.
// One loop over the bytes, the states as match arms: split into a method
// per state, the same scanner ran 12-15% slower (223 against 255-270 MB/s,
// interleaved runs), so it stays a flat byte-by-byte reader.
pub fn scan(bytes: &[u8]) -> Result<LineMap, ScanError> {
    let mut i = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut line: u32 = 1;
    // First line of the current logical line (0: no token yet).
    let mut first: u32 = 0;
    let mut depth: u32 = 0;
    let mut stack: Vec<Frame> = Vec::new();
    let mut spans: Vec<(u32, u32)> = Vec::new();
    // The last run of identifier bytes, for string prefixes.
    let (mut word_start, mut word_end) = (0usize, usize::MAX);
    let err = |line: u32, what: &'static str| Err(ScanError { line, what });
    while i < bytes.len() {
        let b = bytes[i];
        if b == 0 {
            return err(line, "NUL byte");
        }
        let nl = newline_at(bytes, i);
        match stack.last().copied() {
            None | Some(Frame::Field { .. }) => {
                let in_field = !stack.is_empty();
                if nl > 0 {
                    if !in_field && depth == 0 && first != 0 {
                        if first != line {
                            spans.push((first, line));
                        }
                        first = 0;
                    }
                    line = line.saturating_add(1);
                    i += nl;
                    continue;
                }
                match b {
                    b' ' | b'\t' | b'\x0c' => {
                        i += 1;
                        continue;
                    }
                    b'#' => {
                        while i < bytes.len() && newline_at(bytes, i) == 0 {
                            i += 1;
                        }
                        continue;
                    }
                    b'\\' => {
                        let n = newline_at(bytes, i + 1);
                        if n == 0 {
                            return err(line, "backslash not at the end of a line");
                        }
                        if i + 1 + n >= bytes.len() {
                            return err(line, "end of file after a line continuation");
                        }
                        line = line.saturating_add(1);
                        i += 1 + n;
                        continue;
                    }
                    _ => {}
                }
                if first == 0 {
                    first = line;
                }
                if is_word(b) {
                    if word_end != i {
                        word_start = i;
                    }
                    i += 1;
                    word_end = i;
                    continue;
                }
                match b {
                    b'\'' | b'"' => {
                        let word = if word_end == i {
                            &bytes[word_start..i]
                        } else {
                            &[]
                        };
                        let (raw, f) = prefix(word).unwrap_or((false, false));
                        let triple = bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b);
                        stack.push(Frame::Str {
                            quote: b,
                            triple,
                            raw,
                            f,
                        });
                        i += if triple { 3 } else { 1 };
                    }
                    b'(' | b'[' | b'{' => {
                        match stack.last_mut() {
                            Some(Frame::Field { depth: d, .. }) => *d = d.saturating_add(1),
                            _ => depth = depth.saturating_add(1),
                        }
                        i += 1;
                    }
                    b')' | b']' | b'}' => {
                        match stack.last_mut() {
                            Some(Frame::Field { depth: 0, .. }) if b == b'}' => {
                                stack.pop();
                            }
                            Some(Frame::Field { depth: 0, .. }) => {
                                return err(line, "unmatched closing bracket");
                            }
                            Some(Frame::Field { depth: d, .. }) => *d -= 1,
                            _ if depth == 0 => return err(line, "unmatched closing bracket"),
                            _ => depth -= 1,
                        }
                        i += 1;
                    }
                    b':' => {
                        if let Some(Frame::Field {
                            depth: 0,
                            quote,
                            triple,
                        }) = stack.last().copied()
                        {
                            stack.push(Frame::Spec { quote, triple });
                        }
                        i += 1;
                    }
                    _ => i += 1,
                }
            }
            Some(Frame::Str {
                quote,
                triple,
                raw,
                f,
            }) => {
                if nl > 0 {
                    if !triple {
                        return err(line, "unterminated string");
                    }
                    line = line.saturating_add(1);
                    i += nl;
                    continue;
                }
                match b {
                    b'\\' => {
                        let next = bytes.get(i + 1).copied();
                        if f && !raw && next == Some(b'N') && bytes.get(i + 2) == Some(&b'{') {
                            // \N{NAME}: its braces are not a field.
                            i += 3;
                            while i < bytes.len() && bytes[i] != b'}' && newline_at(bytes, i) == 0 {
                                i += 1;
                            }
                            if bytes.get(i) == Some(&b'}') {
                                i += 1;
                            }
                        } else if let n @ 1.. = newline_at(bytes, i + 1) {
                            line = line.saturating_add(1);
                            i += 1 + n;
                        } else if f && matches!(next, Some(b'{' | b'}')) {
                            // A brace after a backslash still opens a field.
                            i += 1;
                        } else {
                            i += 2;
                        }
                    }
                    b'{' if f => {
                        if bytes.get(i + 1) == Some(&b'{') {
                            i += 2;
                        } else {
                            stack.push(Frame::Field {
                                depth: 0,
                                quote,
                                triple,
                            });
                            i += 1;
                        }
                    }
                    b'}' if f && bytes.get(i + 1) == Some(&b'}') => i += 2,
                    _ if b == quote => {
                        if !triple {
                            stack.pop();
                            i += 1;
                        } else if bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b) {
                            stack.pop();
                            i += 3;
                        } else {
                            i += 1;
                        }
                    }
                    _ => i += 1,
                }
                // A word never runs on past a string.
                word_end = usize::MAX;
            }
            Some(Frame::Spec { quote, triple }) => {
                if nl > 0 {
                    if !triple {
                        return err(line, "unterminated string");
                    }
                    line = line.saturating_add(1);
                    i += nl;
                    continue;
                }
                match b {
                    b'{' => {
                        stack.push(Frame::Field {
                            depth: 0,
                            quote,
                            triple,
                        });
                        i += 1;
                    }
                    b'}' => {
                        // The spec and its field end together.
                        stack.pop();
                        stack.pop();
                        i += 1;
                    }
                    b'\\' => {
                        i += match newline_at(bytes, i + 1) {
                            0 => 2,
                            n => {
                                line = line.saturating_add(1);
                                1 + n
                            }
                        }
                    }
                    _ if b == quote
                        && (!triple
                            || (bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b))) =>
                    {
                        return err(line, "f-string ends inside a replacement field");
                    }
                    _ => i += 1,
                }
            }
        }
    }
    if !stack.is_empty() {
        return err(line, "unterminated string");
    }
    if depth > 0 {
        return err(line, "unclosed bracket at the end of the file");
    }
    // coverage.py adds the missing final newline.
    if first != 0 && first != line {
        spans.push((first, line));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let lines = if body.is_empty() || matches!(body.last(), Some(b'\n' | b'\r')) {
        line - 1
    } else {
        line
    };
    Ok(LineMap { spans, lines })
}

/// The file `name` under `root` (default: the current directory), as the
/// HTML report and `--python` find sources (names are path-mapped).
pub fn path_of(root: Option<&Path>, name: &str) -> PathBuf {
    if Path::new(name).is_absolute() || crate::pathtext::is_absolute_anywhere(name) {
        return PathBuf::from(name);
    }
    match root {
        Some(r) => r.join(name),
        None => PathBuf::from(name),
    }
}

/// A source as read once per combine: its scan (or why it is unusable)
/// and the hash of its content (CRLF read as LF, as `record` hashes it).
#[derive(Debug)]
struct Read {
    map: std::result::Result<LineMap, String>,
    hash: String,
    /// The `with` statements, for coverage.py's fix of arcs leaving them.
    withs: Vec<WithStatement>,
}

/// The sources of one combine: each file read and scanned at most once,
/// shared by the threads reading inputs, and why raw data could not be
/// mapped, for the one warning ([`Sources::approximate_note`]).
#[derive(Debug, Default)]
pub struct Sources {
    /// `--source-root` (default: the current directory).
    pub root: Option<PathBuf>,
    read: Mutex<HashMap<String, Arc<Read>>>,
    unusable: Mutex<BTreeMap<String, String>>,
}

impl Sources {
    /// Sources under `root` (default: the current directory).
    pub fn new(root: Option<PathBuf>) -> Sources {
        Sources {
            root,
            ..Default::default()
        }
    }

    fn read(&self, name: &str) -> Arc<Read> {
        if let Some(r) = lock(&self.read).get(name) {
            return r.clone();
        }
        // Read outside the lock: two threads may read one file twice, and
        // they find the same.
        let r = Arc::new(read(self.root.as_deref(), name));
        lock(&self.read).insert(name.to_string(), r.clone());
        r
    }

    /// Put raw coverage.py data (statements unknown) onto the first lines
    /// of its statements, as coverage.py's report does, when `name`'s
    /// source is here, is what the workers ran (recorded content hash) and
    /// scans; marks it [`FileCoverage::raw_mapped`]. Otherwise the data is
    /// left as it is and the reason kept for the warning.
    pub fn map_raw(&self, name: &str, file: &mut FileCoverage) {
        if !file.statements_unknown || file.raw_mapped {
            return;
        }
        let last = file
            .lines
            .keys()
            .copied()
            .chain(
                file.arcs
                    .keys()
                    .flat_map(|(a, b)| [abs(i64::from(*a)), abs(*b)]),
            )
            .max()
            .unwrap_or(0);
        let read = self.read(name);
        let usable = match &read.map {
            Err(why) => Err(why.clone()),
            Ok(_)
                if !file.source_hashes.is_empty()
                    && !file.source_hashes.contains_key(&read.hash) =>
            {
                Err(format!(
                    "the source at {} differs from what the workers ran (content hash)",
                    path_of(self.root.as_deref(), name).display()
                ))
            }
            Ok(map) if map.line_count() < last => Err(format!(
                "the source at {} has {} lines, but line {last} was measured",
                path_of(self.root.as_deref(), name).display(),
                map.line_count()
            )),
            Ok(map) => Ok(map),
        };
        let map = match usable {
            Ok(map) => map,
            Err(why) => {
                lock(&self.unusable).insert(name.to_string(), why);
                return;
            }
        };
        let first = |line: i64| -> i64 {
            match u32::try_from(line.unsigned_abs()) {
                Ok(l) if l > 0 => line.signum() * i64::from(map.first_line(l)),
                _ => line,
            }
        };
        let arc = |(a, b): ArcKey| -> Option<ArcKey> {
            Some((u32::try_from(first(i64::from(a))).ok()?, first(b)))
        };
        // Lists folded and built into maps in one go: an entry per line
        // per input cost more than reading the data file.
        let mut lines: Vec<(u32, u64)> = std::mem::take(&mut file.lines)
            .into_iter()
            .map(|(line, hits)| (map.first_line(line), hits))
            .collect();
        sort_and_fold(&mut lines, add_hits);
        file.lines = lines.into_iter().collect();
        let mut arcs: Vec<(ArcKey, Taken)> = std::mem::take(&mut file.arcs)
            .into_iter()
            // A start line is never negative in raw data; keep such an arc
            // as it is rather than lose it.
            .map(|(key, taken)| (arc(key).unwrap_or(key), taken))
            .collect();
        sort_and_fold(&mut arcs, add_taken);
        file.arcs = arcs.into_iter().collect();
        for group in file.covered_by.values_mut() {
            group.lines = group.lines.iter().map(|l| map.first_line(*l)).collect();
            group.arcs = group.arcs.iter().map(|a| arc(*a).unwrap_or(*a)).collect();
        }
        let keys: Vec<ArcKey> = file.arcs.keys().copied().collect();
        let fixers = with_fixers(&keys, &read.withs);
        if !fixers.is_empty() {
            let fix = |key: ArcKey| fixers.get(&key).copied().unwrap_or(Some(key));
            let mut arcs = BTreeMap::new();
            for (key, taken) in std::mem::take(&mut file.arcs) {
                if let Some(key) = fix(key) {
                    let slot = arcs.entry(key).or_insert(None);
                    *slot = add_taken(*slot, taken);
                }
            }
            file.arcs = arcs;
            for group in file.covered_by.values_mut() {
                group.arcs = group.arcs.iter().filter_map(|a| fix(*a)).collect();
            }
        }
        file.raw_mapped = true;
    }

    /// Say [`Sources::approximate_note`] through `warn`, or with `strict`
    /// return it as the error.
    pub fn warn_approximate(
        &self,
        data: &CoverageData,
        strict: bool,
        warn: &mut dyn FnMut(&str),
    ) -> crate::error::Result<()> {
        match self.approximate_note(data) {
            Some(note) if strict => Err(crate::error::Error::Other(format!("{note} (--strict)"))),
            Some(note) => {
                warn(&note);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// The one warning for the files whose raw data was put onto
    /// statements without the source ([`FileCoverage::approximate`]):
    /// which, why, and how to fix it. `None` when there are none.
    pub fn approximate_note(&self, data: &CoverageData) -> Option<String> {
        let names: Vec<&String> = data
            .files
            .iter()
            .filter(|(_, f)| f.approximate)
            .map(|(n, _)| n)
            .collect();
        if names.is_empty() {
            return None;
        }
        let unusable = lock(&self.unusable);
        let listed: Vec<String> = names
            .iter()
            .take(10)
            .map(|n| match unusable.get(*n) {
                Some(why) => format!("{n} ({why})"),
                // Not mapped by this run: it came so from a combined file.
                None => format!("{n} (approximate in a combined data file read)"),
            })
            .collect();
        let more = match names.len() {
            n if n > 10 => format!(" and {} more", n - 10),
            _ => String::new(),
        };
        Some(format!(
            "{} file(s) have approximate numbers: raw coverage.py data (.coverage) recorded lines \
             inside multi-line statements, and without the source they were counted for the \
             nearest statement above, which coverage.py may not do: {}{more}. Run combine where \
             the sources are (names after path mapping) or pass --source-root DIR (a combined \
             data file keeps the approximation: combine its own inputs so); or record the \
             workers' data with --python, which analyses it exactly",
            names.len(),
            listed.join(", ")
        ))
    }
}

/// A Python file's source, for what the LCOV export writes as coverage.py
/// does but the data does not say: function end lines
/// ([`PythonSource::end`]) and the words of exits from `with` blocks
/// ([`PythonSource::inside_with`]).
pub struct PythonSource {
    map: LineMap,
    text: SourceText,
    /// Per line (index 0 unused): inside a `with` block of its innermost
    /// function or class.
    in_with: Vec<bool>,
}

impl PythonSource {
    /// `name`'s source under `root` (default: the current directory), if
    /// it is there, has a recorded content hash (when `file` has any),
    /// reaches `file`'s last line and scans.
    pub fn of(root: Option<&Path>, name: &str, file: &FileCoverage) -> Option<PythonSource> {
        let (text, hash) = read_source(&path_of(root, name))?;
        if !file.source_hashes.is_empty() && !file.source_hashes.contains_key(&hash) {
            return None;
        }
        let map = scan(&text).ok()?;
        let last = file.lines.keys().next_back().copied().unwrap_or(0);
        if map.line_count() < last {
            return None;
        }
        let text = SourceText::new(text);
        let in_with = with_blocks(&text, &map);
        Some(PythonSource { map, text, in_with })
    }

    /// coverage.py's last line of a function whose last statement starts
    /// on `last_statement`: the last physical line of that statement (its
    /// logical line), never less than `known`. A nested `def` or `class`
    /// counts through its header's colon; a body written after that colon
    /// belongs to the nested definition, so a header of several lines whose
    /// last line holds its body ends on the line before.
    pub fn end(&self, last_statement: u32, known: u32) -> u32 {
        if last_statement == 0 || last_statement > self.map.line_count() {
            return known;
        }
        let last = self.map.last_line(last_statement);
        let body_inline = last > last_statement
            && self.is_definition(last_statement)
            && !self.ends_with_colon(last);
        known.max(if body_inline { last - 1 } else { last })
    }

    /// Is `line` inside a `with` block, within its innermost function or
    /// class? coverage.py's exits from such a block pass through the
    /// context manager and lose their words: it calls them "jump to the
    /// function exit" (Python 3.10 and later).
    pub fn inside_with(&self, line: u32) -> bool {
        self.in_with.get(line as usize).copied().unwrap_or(false)
    }

    /// Does this line start a `def`, `async def` or `class` header?
    fn is_definition(&self, line: u32) -> bool {
        let text = self.text.line(line);
        let head = text
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
            .map_or(&[][..], |p| &text[p..]);
        let word = |w: &[u8]| head.starts_with(w) && head.get(w.len()).is_none_or(|b| !is_word(*b));
        word(b"def") || word(b"class") || word(b"async")
    }

    /// Does this line end with the header's colon (a comment may follow)?
    /// A colon followed by code is a body written on the header's line.
    fn ends_with_colon(&self, line: u32) -> bool {
        let text = self.text.line(line);
        let Some(colon) = text.iter().rposition(|b| *b == b':') else {
            return false;
        };
        let rest = &text[colon + 1..];
        let code = rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
            .map(|p| rest[p]);
        matches!(code, None | Some(b'#'))
    }
}

/// A source's bytes with the start of each physical line, for what the
/// logical lines alone do not say (indentation, keywords).
struct SourceText {
    text: Vec<u8>,
    /// Byte offset of each physical line's start (line 1 at index 0).
    starts: Vec<usize>,
}

impl SourceText {
    fn new(text: Vec<u8>) -> SourceText {
        let mut starts = vec![0];
        let mut i = 0;
        while i < text.len() {
            match newline_at(&text, i) {
                0 => i += 1,
                n => {
                    i += n;
                    starts.push(i);
                }
            }
        }
        SourceText { text, starts }
    }

    /// Physical line `line`, without its line end.
    fn line(&self, line: u32) -> &[u8] {
        let i = (line as usize).saturating_sub(1);
        let start = self.starts.get(i).copied().unwrap_or(self.text.len());
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        let text = &self.text[start..end];
        let trimmed = text
            .iter()
            .rposition(|b| !matches!(b, b'\n' | b'\r'))
            .map_or(0, |p| p + 1);
        &text[..trimmed]
    }

    /// The logical lines that hold code, in order: first and last physical
    /// line, indentation, and the keyword that opens it (`with`, `def`,
    /// `class`, also after `async`; `None` for any other line).
    fn code_lines(&self, map: &LineMap) -> Vec<CodeLine> {
        let count = map.line_count();
        let mut out = Vec::new();
        let mut line = 1;
        while line <= count {
            let last = map.last_line(line).max(line);
            let (indent, code) = indentation(self.line(line));
            if !(code.is_empty() || code[0] == b'#') {
                let keyword = word_after(code, b"async").unwrap_or(code);
                let opens = [Opens::With, Opens::Def, Opens::Class]
                    .into_iter()
                    .find(|k| word_after(keyword, k.word()).is_some());
                out.push(CodeLine {
                    first: line,
                    last,
                    indent,
                    opens,
                });
            }
            line = last + 1;
        }
        out
    }
}

/// One logical line of code (see [`SourceText::code_lines`]).
struct CodeLine {
    first: u32,
    last: u32,
    indent: usize,
    opens: Option<Opens>,
}

/// The blocks whose structure covmerge needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opens {
    With,
    Def,
    Class,
}

impl Opens {
    fn word(self) -> &'static [u8] {
        match self {
            Opens::With => b"with",
            Opens::Def => b"def",
            Opens::Class => b"class",
        }
    }
}

/// Per line (index 0 unused): inside a `with` block of its innermost
/// function or class ([`PythonSource::inside_with`]). One pass with a
/// stack of the open `with`, `def` and `class` blocks.
fn with_blocks(text: &SourceText, map: &LineMap) -> Vec<bool> {
    let count = map.line_count() as usize;
    let mut in_with = vec![false; count + 1];
    // (indentation, is a `with`), innermost last.
    let mut open: Vec<(usize, bool)> = Vec::new();
    for code in text.code_lines(map) {
        while open.last().is_some_and(|(i, _)| *i >= code.indent) {
            open.pop();
        }
        let inside = open.last().is_some_and(|(_, with)| *with);
        let lines = code.first as usize..=(code.last as usize).min(count);
        if let Some(span) = in_with.get_mut(lines) {
            span.fill(inside);
        }
        if let Some(kind) = code.opens {
            open.push((code.indent, kind == Opens::With));
        }
    }
    in_with
}

/// A `with` statement whose body has lines of its own: the first and last
/// line of its header, and the last line of its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WithStatement {
    start: u32,
    header_end: u32,
    body_end: u32,
}

impl WithStatement {
    fn contains(&self, line: i64) -> bool {
        line > i64::from(self.header_end) && line <= i64::from(self.body_end)
    }
}

/// The source's `with` statements whose bodies start on a line of their
/// own (a body on the header's line never jumps back to it).
fn with_statements(text: &SourceText, map: &LineMap) -> Vec<WithStatement> {
    let mut found = Vec::new();
    // (indentation, first line, last line of the header), innermost last.
    let mut open: Vec<(usize, u32, u32)> = Vec::new();
    let mut last_code = 0;
    let mut close = |(_, start, header_end): (usize, u32, u32), body_end: u32| {
        if body_end > header_end {
            found.push(WithStatement {
                start,
                header_end,
                body_end,
            });
        }
    };
    for code in text.code_lines(map) {
        while open.last().is_some_and(|(i, _, _)| *i >= code.indent) {
            close(open.pop().expect("checked"), last_code);
        }
        if code.opens == Some(Opens::With) {
            open.push((code.indent, code.first, code.last));
        }
        last_code = code.last;
    }
    while let Some(w) = open.pop() {
        close(w, last_code);
    }
    found
}

/// coverage.py's fix of the arcs that leave a `with` body (Python 3.10+):
/// the tracer goes from the body's last line back to the `with` line (the
/// context manager's `__exit__`) and from there onward, and coverage.py
/// reports the body's exit as going straight onward (`x -> with -> next`
/// becomes `x -> next`, through enclosing `with`s that end together). The
/// arcs are on statements' first lines. The answer maps an arc to its
/// replacement, or to `None` to drop it. Where coverage.py knows the
/// onward destination from the syntax tree, covmerge takes it from the
/// data: a `with` left towards more than one destination (a `return` or
/// `break` inside) is left alone, as before.
fn with_fixers(arcs: &[ArcKey], withs: &[WithStatement]) -> HashMap<ArcKey, Option<ArcKey>> {
    let by_start: HashMap<u32, &WithStatement> = withs.iter().map(|w| (w.start, w)).collect();
    // Up to two distinct onward destinations per `with`: two already make
    // it ambiguous, and the bound keeps this linear in the arcs.
    let mut onward: HashMap<u32, Vec<i64>> = HashMap::new();
    for &(from, to) in arcs {
        if let Some(w) = by_start.get(&from) {
            let seen = onward.entry(from).or_default();
            if to != i64::from(from) && !w.contains(to) && seen.len() < 2 && !seen.contains(&to) {
                seen.push(to);
            }
        }
    }
    let nexts: HashMap<u32, i64> = onward
        .into_iter()
        .filter(|(_, to)| to.len() == 1)
        .map(|(from, to)| (from, to[0]))
        .collect();
    // Where a chain of `with`s ending together finally lands (`None` when
    // an outer one of the chain is left alone), outer ones first so that
    // each is worked out once.
    let mut starts: Vec<u32> = nexts.keys().copied().collect();
    starts.sort_unstable();
    let mut finals: HashMap<u32, Option<i64>> = HashMap::new();
    for start in starts {
        let next = nexts[&start];
        let outer = u32::try_from(next).ok().filter(|o| {
            by_start
                .get(o)
                .is_some_and(|w| w.contains(i64::from(start)))
        });
        let landing = match outer {
            Some(o) => finals.get(&o).copied().flatten(),
            None => Some(next),
        };
        finals.insert(start, landing);
    }
    let mut fixers = HashMap::new();
    for &(from, to) in arcs {
        let Ok(to_line) = u32::try_from(to) else {
            continue;
        };
        match by_start.get(&to_line) {
            Some(w) if nexts.contains_key(&to_line) && w.contains(i64::from(from)) => {
                if let Some(next) = finals[&to_line] {
                    fixers.insert((from, to), Some((from, next)));
                }
            }
            _ => {}
        }
    }
    for (&start, &next) in &nexts {
        fixers.insert((start, next), None);
    }
    fixers
}

/// A line's indentation as Python's tokenizer measures it (a tab moves to
/// the next multiple of 8, a form feed starts over) and the rest of it.
fn indentation(text: &[u8]) -> (usize, &[u8]) {
    let mut width = 0;
    for (i, b) in text.iter().enumerate() {
        match b {
            b' ' => width += 1,
            b'\t' => width = (width / 8 + 1) * 8,
            b'\x0c' => width = 0,
            _ => return (width, &text[i..]),
        }
    }
    (width, &[])
}

/// The text after keyword `word` at the start of `code`, its following
/// blanks skipped; `None` when `code` does not start with that word.
fn word_after<'a>(code: &'a [u8], word: &[u8]) -> Option<&'a [u8]> {
    let rest = code.strip_prefix(word)?;
    if rest.first().is_some_and(|b| is_word(*b)) {
        return None;
    }
    Some(indentation(rest).1)
}

fn abs(n: i64) -> u32 {
    u32::try_from(n.unsigned_abs()).unwrap_or(u32::MAX)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere must not turn into a second one here.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read(root: Option<&Path>, name: &str) -> Read {
    let path = path_of(root, name);
    let Some((text, hash)) = read_source(&path) else {
        return Read {
            map: Err(format!("no source at {}", path.display())),
            hash: String::new(),
            withs: Vec::new(),
        };
    };
    let map = scan(&text);
    let withs = match &map {
        Ok(map) => with_statements(&SourceText::new(text), map),
        Err(_) => Vec::new(),
    };
    Read {
        map: map.map_err(|e| format!("the source at {} is not Python ({e})", path.display())),
        hash,
        withs,
    }
}

/// A source file's text with `\r\n` read as `\n` (as coverage.py and the
/// workers' content hash read it; the line numbers do not change) and that
/// hash. `None` unless it is a regular file within [`MAX_SOURCE`] bytes
/// (a FIFO would block, a huge file is no Python module) that reads.
fn read_source(path: &Path) -> Option<(Vec<u8>, String)> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_SOURCE {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let mut text = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            text.push(b);
        }
    }
    let hash = crate::hashing::sha256_hex(&text);
    Some((text, hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(src: &str) -> Vec<(u32, u32)> {
        scan(src.as_bytes()).unwrap().spans
    }

    #[test]
    fn brackets_continuations_and_strings() {
        assert_eq!(spans("x = (\n  1,\n)\ny = 2\n"), [(1, 3)]);
        assert_eq!(spans("x = 1 + \\\n  2\n"), [(1, 2)]);
        assert_eq!(spans("s = '''a\nb'''\n"), [(1, 2)]);
        assert_eq!(spans("# c (\nx = 1  # (\n"), []);
        assert_eq!(spans("x = [  # ]\n  1]\n"), [(1, 2)]);
        assert_eq!(spans("x = 'a\\\nb'\n"), [(1, 2)]);
        assert_eq!(spans("x = rb'\\''\ny = (\n)"), [(2, 3)]);
        assert_eq!(spans("x = (\r\n1)\r\ny = (\r2)\r"), [(1, 2), (3, 4)]);
        assert_eq!(spans("\u{feff}x = (\n1)\n"), [(1, 2)]);
        assert_eq!(spans("\x0cx = (\n1)\n"), [(1, 2)]);
    }

    #[test]
    fn f_strings_of_python_3_12() {
        assert_eq!(spans("x = f\"{d[\"a\"]}\"\ny = (\n)\n"), [(2, 3)]);
        assert_eq!(spans("x = f\"{ {'a': 1}['a'] }\"\n"), []);
        assert_eq!(spans("x = f\"{x:{w}.{p}}\" + f'{y:\">10}'\n"), []);
        assert_eq!(spans("x = f\"{\n  a # }\"\n}\"\n"), [(1, 3)]);
        assert_eq!(spans("x = f'{{'\ny = f'}}{{'\n"), []);
        assert_eq!(spans("x = f'\\N{DASH} {a}'\n"), []);
        assert_eq!(spans("x = f'''{a:{\n b}}'''\n"), [(1, 2)]);
    }

    #[test]
    fn the_map_and_last_lines() {
        let m = scan(b"a = 1\nb = (\n 2,\n 3)\nc = 4\n").unwrap();
        assert_eq!(
            (1..=5).map(|l| m.first_line(l)).collect::<Vec<_>>(),
            [1, 2, 2, 2, 5]
        );
        assert_eq!(m.last_line(2), 4);
        assert_eq!(m.last_line(5), 5);
        assert_eq!(m.line_count(), 5);
        assert_eq!(scan(b"a = (\n1)").unwrap().line_count(), 2);
        assert_eq!(scan(b"").unwrap().line_count(), 0);
    }

    fn tempdir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "covmerge-pysource-{tag}-{}-{}",
            std::process::id(),
            crate::output::unique_token()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const SRC: &str = "def f(x):\n    if x:\n        a = 1\n    b = (  # pragma: no cover\n        len(x)\n    )\n    return (x,\n            1)\n";

    fn raw(lines: &[u32], arcs: &[(u32, i64)]) -> FileCoverage {
        FileCoverage {
            lines: lines.iter().map(|l| (*l, 1)).collect(),
            arcs: arcs.iter().map(|a| (*a, Some(1))).collect(),
            statements_unknown: true,
            ..Default::default()
        }
    }

    /// What a report of SRC knows: statements 1, 2, 3, 7 (4 excluded),
    /// branch arcs of line 2.
    fn known() -> FileCoverage {
        FileCoverage {
            lines: [(1, 0), (2, 0), (3, 0), (7, 0)].into_iter().collect(),
            excluded: [4].into_iter().collect(),
            arcs: [((2, 3), Some(0)), ((2, 4), Some(0)), ((2, 7), Some(0))]
                .into_iter()
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn raw_data_is_mapped_with_the_source_and_kept_only_on_statements() {
        let dir = tempdir("map");
        std::fs::write(dir.join("m.py"), SRC.replace('\n', "\r\n")).unwrap();
        let sources = Sources::new(Some(dir.clone()));
        // The tracer saw 5 (inside the excluded statement at 4), 8 (inside
        // the return at 7), and the arcs 2->5, 8->-1.
        let mut file = raw(&[1, 2, 5, 8], &[(2, 5), (8, -1)]);
        file.covered_by.insert(
            "g".into(),
            crate::model::GroupCoverage {
                lines: [5, 8].into_iter().collect(),
                arcs: [(2, 5)].into_iter().collect(),
                ..Default::default()
            },
        );
        sources.map_raw("m.py", &mut file);
        assert!(file.raw_mapped);
        assert_eq!(file.lines.keys().copied().collect::<Vec<_>>(), [1, 2, 4, 7]);
        assert_eq!(
            file.arcs.keys().copied().collect::<Vec<_>>(),
            [(2, 4), (7, -1)]
        );
        assert_eq!(file.covered_by["g"].lines, [4, 7].into_iter().collect());
        // Merged with the report: 4 is excluded, so dropped (the old rule
        // gave it to line 3, which never ran); 2->4 is an arc of line 2.
        let mut merged = known();
        merged.merge(file);
        let ran: Vec<u32> = merged
            .lines
            .iter()
            .filter(|(_, h)| **h > 0)
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(ran, [1, 2, 7]);
        assert_eq!(merged.arcs[&(2, 4)], Some(1));
        assert!(!merged.approximate && !merged.statements_unknown);
        // The old rule, for comparison: line 3 counted as run.
        let mut old = known();
        old.merge(raw(&[1, 2, 5, 8], &[]));
        assert_eq!(old.lines[&3], 1);
        assert!(old.approximate);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_source_that_is_not_what_ran_is_not_used() {
        let dir = tempdir("hash");
        std::fs::write(dir.join("m.py"), SRC).unwrap();
        std::fs::write(dir.join("bad.py"), "x = '\n").unwrap();
        let sources = Sources::new(Some(dir.clone()));
        let recorded = crate::hashing::source_hash(dir.to_str().unwrap(), "m.py").unwrap();
        // The recorded hash matches (CRLF is read as LF): mapped.
        let mut file = raw(&[5], &[]);
        file.source_hashes.insert(recorded, Default::default());
        sources.map_raw("m.py", &mut file);
        assert!(file.raw_mapped);
        // Another hash, too few lines, no file, not Python: left alone.
        let mut other = raw(&[5], &[]);
        other
            .source_hashes
            .insert("0".repeat(64), Default::default());
        sources.map_raw("m.py", &mut other);
        let mut long = raw(&[50], &[]);
        sources.map_raw("m.py", &mut long);
        let mut gone = raw(&[5], &[]);
        sources.map_raw("gone.py", &mut gone);
        let mut bad = raw(&[1], &[]);
        sources.map_raw("bad.py", &mut bad);
        for f in [&other, &long, &gone, &bad] {
            assert!(!f.raw_mapped);
        }
        assert_eq!(other.lines.keys().copied().collect::<Vec<_>>(), [5]);
        let why = lock(&sources.unusable).clone();
        assert!(why["gone.py"].starts_with("no source at"), "{why:?}");
        assert!(why["bad.py"].contains("is not Python (unterminated string at line 1)"));
        assert!(why["m.py"].contains("but line 50 was measured"), "{why:?}");
        // The warning names the files the old rule moved lines in.
        let mut data = CoverageData::default();
        let mut merged = known();
        merged.merge(gone);
        data.files.insert("gone.py".into(), merged);
        data.files.insert("fine.py".into(), known());
        let note = sources.approximate_note(&data).unwrap();
        assert!(
            note.starts_with("1 file(s) have approximate numbers"),
            "{note}"
        );
        assert!(note.contains("gone.py (no source at") && !note.contains("fine.py"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn function_ends_follow_the_last_statement_but_not_into_definitions() {
        let dir = tempdir("ends");
        let src = "def f():\n    return (1,\n            2)\n\n\ndef g():\n    def h(\n        a,\n    ):\n        return a\n\n\ndef k():\n    async def j(\n        b,\n    ): return b\n";
        std::fs::write(dir.join("m.py"), src).unwrap();
        let file = FileCoverage {
            lines: [
                (1, 1),
                (2, 1),
                (6, 1),
                (7, 1),
                (10, 0),
                (13, 1),
                (14, 1),
                (16, 1),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        };
        let ends = PythonSource::of(Some(&dir), "m.py", &file).unwrap();
        assert_eq!(ends.end(2, 2), 3);
        // A nested header runs to its colon; its body is not this function's.
        assert_eq!(ends.end(7, 7), 9);
        assert_eq!(ends.end(99, 5), 5);
        assert_eq!(ends.end(0, 5), 5);
        // `): return b` holds j's body: k's region ends on the line before.
        assert_eq!(ends.end(14, 14), 15);
        let mut other = file.clone();
        other
            .source_hashes
            .insert("0".repeat(64), Default::default());
        assert!(PythonSource::of(Some(&dir), "m.py", &other).is_none());
        assert!(PythonSource::of(Some(&dir), "gone.py", &file).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn what_python_rejects_cannot_be_scanned() {
        for bad in [
            "x = 'abc\n",
            "x = '''abc\n",
            "x = (1,\n",
            "x = )\n",
            "x = \\ y\n",
            "x = f'{a'\n",
            "x = f'{a:'\n",
            "x = 1\0\n",
            "x = 1 \\\n",
        ] {
            assert!(scan(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn with_statements_and_the_arcs_that_leave_them() {
        let src = "def f(x):\n    with a:\n        with b:\n            if x:\n                x = 1\n    return x\n\n\nwith c: y = 1\nasync def g():\n    async with (d,\n                e):\n        pass\n# end\n";
        let map = scan(src.as_bytes()).unwrap();
        let withs = with_statements(&SourceText::new(src.as_bytes().to_vec()), &map);
        let w = |start, header_end, body_end| WithStatement {
            start,
            header_end,
            body_end,
        };
        // The one-line `with c: y = 1` never jumps back to itself.
        assert_eq!(withs, [w(3, 3, 5), w(2, 2, 5), w(11, 12, 13)]);
        // As traced: 4 -> 3 -> 2 -> 6 (and the false arm 4 -> 3 likewise).
        let arcs = [
            (2, 3),
            (3, 4),
            (4, 5),
            (5, 3),
            (4, 3),
            (3, 2),
            (2, 6),
            (13, 11),
            (11, -10),
        ];
        let fixers = with_fixers(&arcs, &withs);
        assert_eq!(fixers[&(5, 3)], Some((5, 6)));
        assert_eq!(fixers[&(4, 3)], Some((4, 6)));
        assert_eq!(fixers[&(3, 2)], None);
        assert_eq!(fixers[&(2, 6)], None);
        assert_eq!(fixers[&(13, 11)], Some((13, -10)));
        assert!(!fixers.contains_key(&(2, 3)), "entries stay");
        // The outer one left two ways (a `return` inside): the chain
        // through it is left alone.
        let fixers = with_fixers(&[(5, 3), (3, 2), (2, 6), (2, -1)], &withs);
        assert!(!fixers.contains_key(&(5, 3)));
        assert!(!fixers.contains_key(&(2, 6)) && !fixers.contains_key(&(2, -1)));
    }
}
