//! Input and output formats, one module each, behind [`InputFormat`].
//!
//! A reader turns a file's text into [`CoverageData`] with the paths as the
//! file wrote them; path normalisation happens later, in [`crate::paths`].
//! The format is detected from the content, never from the file name.

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{
    add_hits, add_taken, sort_and_fold, ArcKey, BranchId, CoverageData, FileCoverage, Function,
    Region, RegionKind, Source, Taken,
};

pub mod cobertura;
pub mod coveragepy_json;
pub mod coveragepy_sqlite;
pub mod gcov_json;
pub mod gcovr_json;
pub mod go;
pub mod istanbul;
pub mod jacoco;
mod json_scan;
pub mod lcov;
pub mod native;
mod xml;

/// Something a reader wants the user to know that does not stop the read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The line of the input, where there is one.
    pub line: Option<usize>,
    /// What was odd.
    pub message: String,
}

/// The warnings of one read. Only the first [`Diagnostics::LIMIT`] are
/// kept, so a file with millions of bad lines cannot exhaust memory or
/// flood the terminal; the rest are counted in `suppressed`.
#[derive(Default, Debug)]
pub struct Diagnostics {
    /// The warnings kept (at most [`Diagnostics::LIMIT`]).
    pub warnings: Vec<Warning>,
    /// How many more there were.
    pub suppressed: usize,
}

impl Diagnostics {
    /// Warnings kept per input; the rest are counted.
    pub const LIMIT: usize = 20;

    /// Note a warning at `line`.
    pub fn warn(&mut self, line: Option<usize>, message: impl Into<String>) {
        if self.warnings.len() >= Self::LIMIT {
            self.suppressed += 1;
            return;
        }
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }

    /// The warnings as `path:line: message` texts, with a last line
    /// counting the ones left out.
    pub fn messages(&self, path: &Path) -> Vec<String> {
        let mut out: Vec<String> = self
            .warnings
            .iter()
            .map(|w| match w.line {
                Some(line) => format!("{}:{}: {}", path.display(), line, w.message),
                None => format!("{}: {}", path.display(), w.message),
            })
            .collect();
        if self.suppressed > 0 {
            out.push(format!(
                "{}: {} more warnings not shown",
                path.display(),
                self.suppressed
            ));
        }
        out
    }
}

/// The interface every input format implements.
pub trait InputFormat: Sync {
    /// The name users see, e.g. in `converted_from`.
    fn name(&self) -> &'static str;
    /// Does this text look like this format? Cheap: looks at the start only.
    fn detect(&self, text: &str) -> bool;
    /// Parse the whole text. `path` is only used in messages.
    fn read(&self, path: &Path, text: &str, diag: &mut Diagnostics) -> Result<CoverageData>;
    /// Whether [`InputFormat::stream`] works for this reader.
    fn streams(&self) -> bool {
        false
    }
    /// Readers that can hand over one source file at a time: call
    /// `on_file` for each as it is read and return what the input says
    /// about itself, so that a combine adds flat line and branch lists to
    /// its running result without building this input's [`CoverageData`]
    /// first. `on_file` takes what it keeps (`std::mem::take`) and leaves
    /// the rest, lists emptied, for the reader to fill again (the LCOV
    /// reader does: no list is allocated per file once the first few are;
    /// the JSON readers build each file's lists anew). Must fail only before
    /// handing over any file. Only called when [`InputFormat::streams`]
    /// says so.
    fn stream(
        &self,
        path: &Path,
        _text: &str,
        _diag: &mut Diagnostics,
        _on_file: &mut dyn FnMut(&mut FileRecords),
    ) -> Result<StreamEnd> {
        Err(Error::parse(
            path,
            None,
            format!("{} is not read as a stream", self.name()),
        ))
    }
    /// Readers whose inputs say who measured them before listing their
    /// files (covmerge's own data files): the whole input as flat records,
    /// for a combine to add to its running result as it adds a stream's,
    /// when the fast reader takes the text; `None` to read it with
    /// [`InputFormat::read`], which gives the same result or the message.
    fn read_records<'a>(&self, _text: &'a str) -> Option<RecordsInput<'a>> {
        None
    }
    /// Binary formats only: does this content look like this format?
    /// Checked on the raw bytes, before they are decoded as text. Text
    /// formats keep the default (`false`).
    fn detect_bytes(&self, _bytes: &[u8]) -> bool {
        false
    }
    /// Binary formats only: parse the raw bytes. Called only when
    /// [`InputFormat::detect_bytes`] said yes; the default decodes the bytes
    /// as text and calls [`InputFormat::read`].
    fn read_bytes(
        &self,
        path: &Path,
        bytes: &[u8],
        diag: &mut Diagnostics,
    ) -> Result<CoverageData> {
        let text = decode(bytes, diag);
        self.read(path, &text, diag)
    }
}

/// One source file as a streaming reader hands it over: the bulk of the
/// records as flat lists, everything else already in `file`.
#[derive(Debug, Default)]
pub struct FileRecords<'a> {
    /// The file name as the input wrote it, borrowed from the input when
    /// it can be (no allocation per file per input).
    pub name: std::borrow::Cow<'a, str>,
    /// Functions sorted by name, each name once, or, with
    /// `functions_as_read`, as the input wrote them; the names borrow the
    /// input's text, so a reader hands them over without copying (the
    /// running result copies a name only the first time it sees it).
    pub functions: Vec<(&'a str, Function)>,
    /// `functions` are in the order the input wrote them: a name may
    /// repeat and a start may be 0, and [`fold_functions`] makes them
    /// sorted and unique. A reader leaves the sort to the running result,
    /// which can add a list in the same order as the last one by position.
    pub functions_as_read: bool,
    /// (line, hits), in any order, possibly repeated.
    pub lines: Vec<(u32, u64)>,
    /// ((line, block, branch), taken) of branches with numeric ids, in any
    /// order, possibly repeated.
    pub numeric_branches: Vec<((u32, u32, u32), Taken)>,
    /// (arc, taken) of coverage.py arcs, in any order, possibly repeated.
    pub arcs: Vec<(ArcKey, Taken)>,
    /// Function and class regions sorted by (kind, name), each once; names
    /// borrow the input's text where they can, so the running result
    /// copies a name (and builds a line set) only when it is new.
    pub regions: Vec<RegionRecord<'a>>,
    /// Everything else (functions, regions, excluded lines, other branches),
    /// when there is any: an LCOV record has none, and making and dropping
    /// seventeen empty maps per record took 2% of an LCOV combine.
    pub file: Option<FileCoverage>,
}

/// A whole input as [`InputFormat::read_records`] reads it.
#[derive(Debug, Default)]
pub struct RecordsInput<'a> {
    /// Everything the input says but its files (`files` is empty).
    pub head: CoverageData,
    /// Its files in the order written, each name once.
    pub files: Vec<FileRecords<'a>>,
}

impl RecordsInput<'_> {
    /// The input as one [`CoverageData`], as [`InputFormat::read`] gives it.
    pub fn into_data(self) -> CoverageData {
        let mut data = self.head;
        for records in self.files {
            let (name, file) = records.into_file();
            data.files.insert(name, file);
        }
        data
    }
}

/// A function or class region as a streaming reader hands it over: the
/// model's [`Region`] with its lines as a sorted, unique list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRecord<'a> {
    /// Function or class.
    pub kind: RegionKind,
    /// Its name, borrowed from the input when it has no escapes.
    pub name: std::borrow::Cow<'a, str>,
    /// As [`Region::start_line`].
    pub start_line: u32,
    /// The region's lines, sorted and unique.
    pub lines: Vec<u32>,
    /// As [`Region::declared_branches`].
    pub declared_branches: Option<u64>,
}

impl RegionRecord<'_> {
    /// The model's key and region.
    pub fn into_model(self) -> ((RegionKind, String), Region) {
        (
            (self.kind, self.name.into_owned()),
            Region {
                start_line: self.start_line,
                lines: self.lines.into_iter().collect(),
                declared_branches: self.declared_branches,
            },
        )
    }
}

impl FileRecords<'_> {
    /// Whether the file has branch data.
    pub fn has_branches(&self) -> bool {
        !self.numeric_branches.is_empty()
            || !self.arcs.is_empty()
            || self.file.as_ref().is_some_and(FileCoverage::has_branches)
    }

    /// The file as one [`FileCoverage`]: lists ordered, repeats summed.
    pub fn into_file(self) -> (String, FileCoverage) {
        let FileRecords {
            name,
            mut functions,
            functions_as_read,
            mut lines,
            mut numeric_branches,
            mut arcs,
            regions,
            file,
        } = self;
        if functions_as_read {
            functions = fold_functions(functions);
        }
        sort_and_fold(&mut lines, add_hits);
        sort_and_fold(&mut numeric_branches, add_taken);
        sort_and_fold(&mut arcs, add_taken);
        let mut flat = FileCoverage {
            lines: lines.into_iter().collect(),
            arcs: arcs.into_iter().collect(),
            branches: numeric_branches
                .into_iter()
                .map(|((l, b, i), t)| ((l, BranchId::Num(b), BranchId::Num(i)), t))
                .collect(),
            functions: functions
                .into_iter()
                .map(|(name, func)| (name.to_string(), func))
                .collect(),
            regions: regions.into_iter().map(RegionRecord::into_model).collect(),
            statements_unknown: file.as_ref().is_some_and(|f| f.statements_unknown),
            ..Default::default()
        };
        if let Some(file) = file {
            flat.merge(file);
        }
        (name.into_owned(), flat)
    }
}

/// A string of an input, borrowed from its text unless it has escapes.
/// serde borrows a `Cow` only as a struct's own field marked `borrow`;
/// inside a tuple or a list it makes an owned copy, one allocation each.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub(crate) struct Text<'a>(pub std::borrow::Cow<'a, str>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_str(TextVisitor).map(Text)
    }
}

/// Visits a string as [`Text`] keeps it.
pub(crate) struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = std::borrow::Cow<'de, str>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: serde::de::Error>(
        self,
        v: &'de str,
    ) -> std::result::Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_string()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v))
    }
}

/// Whether two function names are the same bytes. Names are mostly under
/// 17 bytes, and the streaming path compares one per `FN` and `FNDA` line:
/// two word loads each side decide those without calling `memcmp` (whose
/// call alone cost 4% of an LCOV combine).
#[inline(always)]
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Two loads that overlap when the name is shorter than both together.
    let word8 =
        |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let word4 =
        |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or([0; 4]));
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        _ => a == b,
    }
}

/// Functions as one input wrote them for one file, sorted by name and
/// unique: the repeats of a name folded in the order written (the lowest
/// start that is not 0, the first end, hits summed), then those whose start
/// is still 0 (line 0: no line to report them at) dropped. The one rule for
/// a file's functions within one input; [`Function::merge`] is the rule
/// across inputs.
pub fn fold_functions(functions: Vec<(&str, Function)>) -> Vec<(&str, Function)> {
    let mut folded = fold_repeats(functions);
    folded.retain(|(_, f)| f.start != 0);
    folded
}

/// [`fold_functions`] without dropping the functions at line 0, for a
/// reader that has more to add to them first.
pub fn fold_repeats(mut functions: Vec<(&str, Function)>) -> Vec<(&str, Function)> {
    // Stable: repeats stay in the order written.
    functions.sort_by(|a, b| a.0.cmp(b.0));
    let mut folded: Vec<(&str, Function)> = Vec::with_capacity(functions.len());
    for (name, f) in functions {
        if let Some((last, func)) = folded.last_mut() {
            if *last == name {
                if f.start != 0 && (func.start == 0 || f.start < func.start) {
                    func.start = f.start;
                }
                func.end = func.end.or(f.end);
                func.hits = add_hits(func.hits, f.hits);
                continue;
            }
        }
        folded.push((name, f));
    }
    folded
}

/// What a streamed input says about itself once all its files are read.
#[derive(Debug, Default)]
pub struct StreamEnd {
    /// Whether the input measured branches.
    pub branch_coverage: bool,
    /// Who measured (usually one source). A streamed input is a bare
    /// report: its sources name the tool, never a platform, host, worker
    /// or label, so attribution puts every streamed input in the
    /// dimension's unknown group without looking (a combine relies on it).
    pub sources: Vec<Source>,
}

/// A streaming reader's whole result as one [`CoverageData`] (its `read`).
fn collect_stream(
    reader: &dyn InputFormat,
    path: &Path,
    text: &str,
    diag: &mut Diagnostics,
) -> Result<CoverageData> {
    let mut data = CoverageData::default();
    let end = reader.stream(path, text, diag, &mut |records| {
        let (name, file) = std::mem::take(records).into_file();
        match data.files.get_mut(&name) {
            Some(existing) => existing.merge(file),
            None => {
                data.files.insert(name, file);
            }
        }
    })?;
    data.branch_coverage = end.branch_coverage;
    data.sources = end.sources;
    Ok(data)
}

/// How a combine reads an input without building its [`CoverageData`]
/// first (see [`fast_read`]).
pub enum FastRead<'a> {
    /// A streaming reader ([`InputFormat::stream`]) and the input's text.
    Stream(&'static dyn InputFormat, &'a str),
    /// The input read whole as records ([`InputFormat::read_records`]), and
    /// the reader that read it.
    Records(&'static dyn InputFormat, RecordsInput<'a>),
}

/// The reader [`parse`] would pick for `bytes`, when it reads them the fast
/// way: as a stream, or as records. `None` for binary, compressed or
/// non-UTF-8 input, for formats with neither way, and for records the fast
/// reader left to the full one: [`parse`] reads those.
pub fn fast_read(bytes: &[u8]) -> Option<FastRead<'_>> {
    let (reader, text) = text_reader(bytes)?;
    if reader.streams() {
        return Some(FastRead::Stream(reader, text));
    }
    reader
        .read_records(text)
        .map(|records| FastRead::Records(reader, records))
}

/// The reader [`parse`] would pick for `bytes`, with the text, when they
/// are plain UTF-8 text (no gzip, no binary format).
fn text_reader(bytes: &[u8]) -> Option<(&'static dyn InputFormat, &str)> {
    if bytes.starts_with(&[0x1f, 0x8b]) || READERS.iter().any(|r| r.detect_bytes(bytes)) {
        return None;
    }
    // SIMD validation: std's takes 2% of an LCOV combine's instructions.
    let text =
        simdutf8::basic::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).ok()?;
    let reader = *READERS.iter().find(|r| r.detect(text))?;
    Some((reader, text))
}

/// All readers, most specific first.
pub const READERS: &[&dyn InputFormat] = &[
    &native::Native,
    &gcov_json::GcovJson,
    &gcovr_json::GcovrJson,
    &coveragepy_json::CoveragePyJson,
    &coveragepy_sqlite::CoveragePySqlite,
    &lcov::Lcov,
    &cobertura::Cobertura,
    &jacoco::Jacoco,
    &go::Go,
    &istanbul::Istanbul,
];

/// A parsed input together with what read it.
pub struct Parsed {
    /// The reader's name.
    pub format: &'static str,
    /// What it read.
    pub data: CoverageData,
    /// Its warnings.
    pub diagnostics: Diagnostics,
}

/// Decode bytes as UTF-8 text without a BOM. Invalid bytes are replaced
/// (with a warning) so that one odd path does not lose a whole file.
pub fn decode<'a>(bytes: &'a [u8], diag: &mut Diagnostics) -> std::borrow::Cow<'a, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match simdutf8::compat::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(err) => {
            diag.warn(
                None,
                format!(
                    "not valid UTF-8 (first bad byte at offset {}); bad bytes were replaced with U+FFFD",
                    err.valid_up_to()
                ),
            );
            String::from_utf8_lossy(bytes)
        }
    }
}

/// The largest decompressed size of a gzip input (a gzip bomb stops here).
pub const MAX_GUNZIPPED: u64 = 1 << 30;

/// A gzip input may inflate to this many times its compressed size (or
/// [`GUNZIP_FLOOR`], whichever is more, up to [`MAX_GUNZIPPED`]). gcov's
/// JSON compresses about 10 to 30 times; a bomb, a thousand times.
pub const MAX_GUNZIP_RATIO: u64 = 100;
/// The least a gzip input may inflate to, however small it is.
pub const GUNZIP_FLOOR: u64 = 64 << 20;

/// Inputs larger than this are refused before they are read.
pub const MAX_INPUT_BYTES: u64 = 2 << 30;

/// An input's expansion budget. Readers whose records stand for ranges or
/// counts (Go blocks, covered_by ranges, coverage.py numbits, Cobertura
/// `condition-coverage`) charge what they would expand before they expand
/// it, so a few bytes cannot ask for gigabytes: at most `per_byte` entries
/// per byte of the input, plus `floor`. Each reader states its rates
/// (docs/RELIABILITY.md lists them).
#[derive(Debug)]
pub struct Budget {
    total: u64,
    used: u64,
    per_byte: u64,
    floor: u64,
}

impl Budget {
    /// A budget of `per_byte` units per input byte, at least `floor`.
    pub fn new(len: usize, per_byte: u64, floor: u64) -> Budget {
        Budget {
            total: (len as u64).saturating_mul(per_byte).saturating_add(floor),
            used: 0,
            per_byte,
            floor,
        }
    }

    /// Charge `n` entries; `Err` is the message once the budget is spent.
    pub fn take(&mut self, n: u64) -> std::result::Result<(), String> {
        self.used = self.used.saturating_add(n);
        if self.used > self.total {
            return Err(format!(
                "expands to more than {} entries ({} per input byte + {}); not read",
                self.total, self.per_byte, self.floor
            ));
        }
        Ok(())
    }
}

/// Input bytes being read and parsed at once, over all threads. A file
/// bigger than this is read alone.
pub const MAX_IN_FLIGHT: u64 = 256 << 20;

static IN_FLIGHT: std::sync::Mutex<u64> = std::sync::Mutex::new(0);
static IN_FLIGHT_FREED: std::sync::Condvar = std::sync::Condvar::new();

/// A share of [`MAX_IN_FLIGHT`], given back when dropped.
#[derive(Debug)]
pub struct InFlight(u64);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut used = IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner());
        *used -= self.0;
        IN_FLIGHT_FREED.notify_all();
    }
}

/// Wait until `path` may be read and parsed without the inputs in flight
/// passing [`MAX_IN_FLIGHT`] bytes (a gzip input counts as what it may
/// inflate to). Parallel combines thus hold a bounded amount of input,
/// whatever the number of threads.
pub fn reserve(path: &Path) -> InFlight {
    // Only a regular file is opened here: opening a FIFO would block.
    let len = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m.len(),
        _ => 0,
    };
    let gzip = len > 0 && {
        use std::io::Read;
        let mut magic = [0u8; 2];
        std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut magic))
            .is_ok_and(|()| magic == [0x1f, 0x8b])
    };
    let weight = if gzip { gunzip_limit(len) } else { len }.min(MAX_IN_FLIGHT);
    let mut used = IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner());
    while *used > 0 && *used + weight > MAX_IN_FLIGHT {
        used = IN_FLIGHT_FREED
            .wait(used)
            .unwrap_or_else(|e| e.into_inner());
    }
    *used += weight;
    InFlight(weight)
}

/// How far a gzip input of `len` compressed bytes may inflate.
pub fn gunzip_limit(len: u64) -> u64 {
    len.saturating_mul(MAX_GUNZIP_RATIO)
        .clamp(GUNZIP_FLOOR, MAX_GUNZIPPED)
}

/// Detect the format of `bytes` and read them. Gzip-compressed input
/// (gcov writes `*.gcov.json.gz`) is decompressed first.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let unzipped = gunzip(path, bytes)?;
        if unzipped.starts_with(&[0x1f, 0x8b]) {
            return Err(Error::parse(path, None, "gzip inside gzip is not read"));
        }
        return parse(path, &unzipped);
    }
    let mut diagnostics = Diagnostics::default();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::parse(path, None, "file is empty"));
    }
    if let Some(reader) = READERS.iter().find(|r| r.detect_bytes(bytes)) {
        let data = reader.read_bytes(path, bytes, &mut diagnostics)?;
        return Ok(Parsed {
            format: reader.name(),
            data,
            diagnostics,
        });
    }
    let text = decode(bytes, &mut diagnostics);
    let reader = READERS
        .iter()
        .find(|r| r.detect(&text))
        .ok_or_else(|| Error::UnknownFormat {
            path: path.to_path_buf(),
        })?;
    let data = reader.read(path, &text, &mut diagnostics)?;
    Ok(Parsed {
        format: reader.name(),
        data,
        diagnostics,
    })
}

fn gunzip(path: &Path, bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Read;
    // Inflated as a stream that stops at the limit: a bomb costs the limit.
    let limit = gunzip_limit(bytes.len() as u64);
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::parse(path, None, format!("bad gzip data: {e}")))?;
    if out.len() as u64 > limit {
        return Err(Error::parse(
            path,
            None,
            format!(
                "decompresses to more than {limit} bytes ({MAX_GUNZIP_RATIO} times its size, \
                 at least {GUNZIP_FLOOR}, at most {MAX_GUNZIPPED}); not read"
            ),
        ));
    }
    Ok(out)
}

/// Look at the first bytes before reading a file whole: coverage data is
/// text (after an optional BOM and blank space), gzip or SQLite. Anything
/// else (a sparse file of zeros, an executable) is refused unread.
fn sniff(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| Error::io(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) || head.starts_with(coveragepy_sqlite::SQLITE_MAGIC) {
        return Ok(());
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        // The same answer as reading it whole would give, without reading it.
        Some(&b) if b < 0x20 || b == 0x7f => Err(Error::UnknownFormat {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// Read and parse a file.
pub fn read_file(path: &Path) -> Result<Parsed> {
    let bytes = read_input_bytes(path)?;
    parse(path, &bytes)
}

/// Read an input's bytes. Only regular files (or links to them) are read:
/// a FIFO would block forever and `/dev/zero` would never end.
pub fn read_input_bytes(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a pipe, socket or device)"
        };
        return Err(Error::parse(path, None, format!("{what}; not read")));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(Error::parse(
            path,
            None,
            format!(
                "{} bytes, more than the {MAX_INPUT_BYTES} an input may have; not read",
                meta.len()
            ),
        ));
    }
    sniff(path)?;
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// The first non-whitespace bytes of `text`, for cheap detection.
pub(crate) fn head(text: &str) -> &str {
    const CHARS: usize = 4096;
    let trimmed = text.trim_start();
    // Each reader asks before the text is read: walking 4096 chars one by
    // one took 3% of a small LCOV combine. ASCII bytes are chars.
    if trimmed.len() > CHARS && trimmed.as_bytes()[..CHARS].is_ascii() {
        return &trimmed[..CHARS];
    }
    let end = trimmed
        .char_indices()
        .nth(CHARS)
        .map(|(i, _)| i)
        .unwrap_or(trimmed.len());
    &trimmed[..end]
}

/// Deserialize a JSON object as its list of entries, keeping repeated
/// keys (serde's maps would silently keep only the last one).
pub(crate) fn entries<'de, D, V>(deserializer: D) -> std::result::Result<Vec<(String, V)>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: serde::Deserialize<'de>,
{
    struct Entries<V>(std::marker::PhantomData<V>);
    impl<'de, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Entries<V> {
        type Value = Vec<(String, V)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry::<String, V>()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Entries(std::marker::PhantomData))
}

/// Where a serde_json error happened, for messages.
pub(crate) fn json_error(path: &Path, err: serde_json::Error) -> Error {
    let line = if err.line() > 0 {
        Some(err.line())
    } else {
        None
    };
    let mut message = err.to_string();
    // serde_json appends " at line L column C"; we print the line ourselves.
    if let Some(pos) = message.rfind(" at line ") {
        let column = err.column();
        message.truncate(pos);
        message = format!("{message} (column {column})");
    }
    Error::parse(path, line, format!("invalid JSON: {message}"))
}

/// A hit count written as text by a tool that may write dirty numbers
/// (docs/INPUTS.md §1.1): an unsigned integer is taken as is; a negative
/// number becomes 0, a float is truncated, anything beyond `u64::MAX`
/// saturates. The second value says what was changed, for a warning.
pub(crate) fn parse_count(text: &str) -> std::result::Result<(u64, Option<String>), String> {
    let text = text.trim();
    if let Ok(n) = text.parse::<u64>() {
        return Ok((n, None));
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(if text.starts_with('-') {
            (0, Some(format!("negative count {text} read as 0")))
        } else {
            (
                u64::MAX,
                Some(format!("count {text} is above 2^64-1, read as 2^64-1")),
            )
        });
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_nan() => Err(format!("bad count {text:?}")),
        Ok(x) => {
            // A count written as a float (lcov's Perl does) is worth a note
            // even when its value is a whole number.
            let (n, note) = count_from_f64(x, text);
            Ok((
                n,
                note.or_else(|| Some(format!("count {text} read as {n}"))),
            ))
        }
        Err(_) => Err(format!("bad count {text:?}")),
    }
}

/// A JSON number used as a count, with the same rules as [`parse_count`].
pub(crate) fn json_count(
    value: &serde_json::Value,
) -> std::result::Result<(u64, Option<String>), String> {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok((u, None))
            } else if let Some(i) = n.as_i64() {
                Ok((0, Some(format!("negative count {i} read as 0"))))
            } else {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if x.is_nan() {
                    return Err(format!("bad count {n}"));
                }
                Ok(count_from_f64(x, &n.to_string()))
            }
        }
        other => Err(format!(
            "count is not a number: {}",
            clip(&other.to_string())
        )),
    }
}

fn count_from_f64(x: f64, text: &str) -> (u64, Option<String>) {
    if x <= 0.0 {
        let note = (x < 0.0).then(|| format!("negative count {text} read as 0"));
        (0, note)
    } else if x >= u64::MAX as f64 {
        (
            u64::MAX,
            Some(format!("count {text} is above 2^64-1, read as 2^64-1")),
        )
    } else if x.fract() != 0.0 {
        (x as u64, Some(format!("count {text} read as {}", x as u64)))
    } else {
        (x as u64, None)
    }
}

/// A 1-based line number from a count-like value: `Ok(None)` for 0 (to be
/// dropped with a warning by the caller), an error otherwise.
pub(crate) fn line_number(text: &str) -> std::result::Result<Option<u32>, String> {
    let t = text.trim();
    match t.parse::<u32>() {
        Ok(0) => Ok(None),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(format!("bad line number {t:?}")),
    }
}

/// At most 80 characters of `text`, for messages.
pub(crate) fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Text` borrows a string without escapes even inside a tuple (where
    /// serde's own `Cow` makes a copy), and unescapes the others.
    #[test]
    fn text_borrows_unless_escaped() {
        use std::borrow::Cow;
        let json = r#"[[3, "0", "a\"b"], [4, "jump to line 7", "1"]]"#;
        let rows: Vec<(u32, Text, Text)> = serde_json::from_str(json).unwrap();
        assert!(matches!(rows[0].1 .0, Cow::Borrowed("0")));
        assert!(matches!(&rows[0].2 .0, Cow::Owned(s) if s == "a\"b"));
        assert!(matches!(rows[1].1 .0, Cow::Borrowed("jump to line 7")));
        let plain: Vec<(u32, Cow<str>, Cow<str>)> = serde_json::from_str(json).unwrap();
        assert!(
            matches!(plain[1].1, Cow::Owned(_)),
            "serde's Cow copies here"
        );
    }

    /// The first 4096 characters after leading blanks, however many bytes
    /// they take, around the length where the ASCII shortcut starts.
    #[test]
    fn head_is_the_first_4096_chars() {
        for len in [0, 1, 4095, 4096, 4097, 4200, 9000] {
            for wide in [None, Some(0), Some(100), Some(4095), Some(4096), Some(4150)] {
                let mut text = String::from(" \n\t");
                for i in 0..len {
                    text.push(if Some(i) == wide { '\u{e9}' } else { 'a' });
                }
                let trimmed = text.trim_start();
                let expected: String = trimmed.chars().take(4096).collect();
                assert_eq!(head(&text), expected, "{len} chars, wide at {wide:?}");
            }
        }
    }

    /// The SIMD validator behind [`fast_read`] and [`decode`] takes
    /// exactly the text std takes, and `decode` names std's first bad
    /// offset: for bad, cut, overlong and surrogate sequences at every
    /// position of a record, past the 32- and 64-byte blocks it works in.
    #[test]
    fn utf8_is_checked_as_std_checks_it() {
        let record =
            "TN:\nSF:/src/caf\u{e9}/\u{1F600}.c\nDA:1,1\nDA:2,0\nend_of_record\n".repeat(3);
        let insertions: [&[u8]; 9] = [
            b"\x80",
            b"\xc3",
            b"\xe2\x82",
            b"\xf0\x9f\x98",
            b"\xc0\xaf",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xff",
            "\u{20ac}".as_bytes(),
        ];
        let mut checked = 0;
        for at in 0..=record.len() {
            for insertion in insertions {
                let mut bytes = record.as_bytes()[..at].to_vec();
                bytes.extend_from_slice(insertion);
                bytes.extend_from_slice(&record.as_bytes()[at..]);
                let std = std::str::from_utf8(&bytes);
                // Valid text still has to look like a format.
                let expected = std
                    .ok()
                    .filter(|text| READERS.iter().any(|r| r.detect(text)));
                let fast = text_reader(&bytes).map(|(_, text)| text);
                assert_eq!(fast, expected, "at {at}, {insertion:?}");
                let mut diag = Diagnostics::default();
                let text = decode(&bytes, &mut diag);
                match std {
                    Ok(good) => assert!(diag.warnings.is_empty() && text == good),
                    Err(err) => {
                        let offset = format!("offset {})", err.valid_up_to());
                        assert!(diag.warnings[0].message.contains(&offset), "at {at}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000);
    }

    /// The word-load comparison of names agrees with `==` for every
    /// length up to past its widest load, with one byte changed at each
    /// position, and for lengths that differ.
    #[test]
    fn same_name_is_equality() {
        for len in 0..40 {
            let name: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            assert!(same_name(&name, &name.clone()));
            for at in 0..len {
                let mut other = name.clone().into_bytes();
                other[at] = b'_';
                let other = String::from_utf8(other).unwrap();
                assert!(!same_name(&name, &other), "{name} {other}");
            }
            assert!(!same_name(&name, &format!("{name}x")));
            assert!(!same_name(&format!("{name}x"), &name));
        }
    }

    #[test]
    fn dirty_counts() {
        assert_eq!(parse_count("12").unwrap(), (12, None));
        assert_eq!(parse_count("-3").unwrap().0, 0);
        assert!(parse_count("-3").unwrap().1.is_some());
        assert_eq!(parse_count("1.5e1").unwrap().0, 15);
        assert_eq!(parse_count("99999999999999999999999").unwrap().0, u64::MAX);
        assert_eq!(parse_count("1e300").unwrap().0, u64::MAX);
        assert!(parse_count("x").is_err());
        assert!(parse_count("NaN").is_err());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"mode: set\na.go:1.1,2.2 1 1\n").unwrap();
        let parsed = parse(Path::new("c.out.gz"), &gz.finish().unwrap()).unwrap();
        assert_eq!(parsed.format, "go coverprofile");
        assert!(parse(Path::new("x.gz"), &[0x1f, 0x8b, 1, 2]).is_err());
        assert_eq!(json_count(&serde_json::json!(-2)).unwrap().0, 0);
        assert_eq!(json_count(&serde_json::json!(2.5)).unwrap().0, 2);
        assert!(json_count(&serde_json::json!("3")).is_err());
        assert_eq!(line_number("0").unwrap(), None);
        assert!(line_number("-1").is_err());
    }
}
