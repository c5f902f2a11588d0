//! Combining many inputs into one [`CoverageData`]: read each file, skip
//! exact duplicates, normalise its paths, union it into the result.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats;
use crate::model::{add_hits, add_taken, BranchId, CoverageData, FileCoverage, Source, Taken};
use crate::paths::PathMapper;

/// What happened to one input.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum InputStatus {
    #[default]
    Used,
    /// Byte-identical to an input read before it.
    Duplicate {
        of: PathBuf,
    },
    Rejected {
        reason: String,
    },
}

#[derive(Clone, Debug, Default)]
pub struct InputOutcome {
    pub path: PathBuf,
    pub status: InputStatus,
    pub format: Option<&'static str>,
    /// Size in bytes and SHA-256 (lower-case hex) of the bytes read.
    pub size: Option<u64>,
    pub sha256: Option<String>,
    /// The workers the input describes (one for a recorded file, all of
    /// them for a combined file, none for a bare report).
    pub sources: Vec<Source>,
    /// What it contributed: source files, statements, statements covered.
    pub files: usize,
    pub statements: usize,
    pub covered: usize,
}

impl InputStatus {
    /// `used`, `duplicate of <path>`, `rejected: <reason>`.
    pub fn describe(&self) -> String {
        match self {
            InputStatus::Used => "used".to_string(),
            InputStatus::Duplicate { of } => format!("duplicate of {}", of.display()),
            InputStatus::Rejected { reason } => format!("rejected: {reason}"),
        }
    }
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[derive(Clone, Debug, Default)]
pub struct CombineOptions {
    pub mapper: PathMapper,
    /// Any unreadable input, and any warning, is fatal.
    pub strict: bool,
    /// Report every path mapping on stderr.
    pub debug_paths: bool,
    /// Keep per-group attribution (`covered_by`) along this dimension.
    pub attribution: Option<crate::attribution::Dimension>,
    /// Compute every input's SHA-256 (for `--manifest`). Duplicate
    /// detection hashes only files that share a size, whatever this says.
    pub content_hashes: bool,
}

/// The result of a combine.
#[derive(Debug, Default)]
pub struct Combined {
    pub data: CoverageData,
    pub inputs: Vec<InputOutcome>,
}

impl Combined {
    pub fn count(&self, pred: impl Fn(&InputStatus) -> bool) -> usize {
        self.inputs.iter().filter(|i| pred(&i.status)).count()
    }

    /// `Combined 3 files, skipped 1 duplicate, 1 file rejected`.
    pub fn summary(&self) -> String {
        let used = self.count(|s| *s == InputStatus::Used);
        let dups = self.count(|s| matches!(s, InputStatus::Duplicate { .. }));
        let rejected = self.count(|s| matches!(s, InputStatus::Rejected { .. }));
        let mut out = format!("Combined {}", plural(used, "file"));
        if dups > 0 {
            out.push_str(&format!(", skipped {}", plural(dups, "duplicate")));
        }
        if rejected > 0 {
            let names: Vec<String> = self
                .inputs
                .iter()
                .filter(|i| matches!(i.status, InputStatus::Rejected { .. }))
                .map(|i| i.path.display().to_string())
                .collect();
            out.push_str(&format!(
                ", {} rejected: {}",
                plural(rejected, "file"),
                names.join(", ")
            ));
        }
        out
    }

    /// Source files whose content differed between workers: name, and per
    /// content hash the platforms that had it.
    pub fn drift(&self) -> Vec<(&str, &BTreeMap<String, std::collections::BTreeSet<String>>)> {
        self.data
            .files
            .iter()
            .filter(|(_, f)| f.source_hashes.len() > 1)
            .map(|(name, f)| (name.as_str(), &f.source_hashes))
            .collect()
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Rename every file of `data` through the mapper and merge the files that
/// end up with the same name.
pub fn normalize_paths(
    data: CoverageData,
    mapper: &PathMapper,
    mut on_map: impl FnMut(&str, &str, Option<&str>),
) -> CoverageData {
    let root = data.root.clone();
    let mut files: BTreeMap<String, FileCoverage> = BTreeMap::new();
    for (raw, file) in data.files {
        let (name, rule) = mapper.map(&raw, root.as_deref());
        on_map(&raw, &name, rule.as_deref());
        match files.get_mut(&name) {
            Some(existing) => existing.merge(file),
            None => {
                files.insert(name, file);
            }
        }
    }
    CoverageData {
        files,
        root: None,
        ..data
    }
}

/// Read, check and union the inputs, in parallel on all cores. Memory stays
/// bounded by the size of the result: each thread holds one running result
/// and the input it is reading. The result does not depend on the order of
/// the inputs or the number of threads, because merging is commutative and
/// associative. Warnings go to `warn`, in input order, when all is read.
pub fn combine_files(
    paths: &[PathBuf],
    options: &CombineOptions,
    warn: &mut dyn FnMut(&str),
) -> Result<Combined> {
    let (duplicates, hashes) = find_duplicates(paths);
    let progress = Progress::start(paths.len());
    let acc = paths
        .par_iter()
        .enumerate()
        .fold(Accumulator::default, |mut acc, (index, path)| {
            match duplicates.get(&index) {
                Some(first) => acc.duplicate(index, path, &paths[*first], hashes.get(&index)),
                None => acc.read_input(index, path, options),
            }
            progress.tick();
            acc
        })
        .reduce(Accumulator::default, Accumulator::absorb);
    progress.finish();
    acc.finish(options, warn)
}

/// Inputs whose bytes equal an earlier input's (index -> index of the
/// first), and the (size, SHA-256) of every file that was hashed. Only
/// files that share a size are read for hashing. SHA-256, not a fast
/// 64-bit hash: two different inputs must never be taken for one.
#[allow(clippy::type_complexity)]
fn find_duplicates(paths: &[PathBuf]) -> (HashMap<usize, usize>, HashMap<usize, (u64, String)>) {
    let mut by_size: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, p) in paths.iter().enumerate() {
        if let Ok(meta) = std::fs::metadata(p) {
            if meta.is_file() {
                by_size.entry(meta.len()).or_default().push(i);
            }
        }
    }
    let candidates: Vec<usize> = by_size
        .into_values()
        .filter(|group| group.len() > 1)
        .flatten()
        .collect();
    let hashes: Vec<(usize, Option<(u64, String)>)> = candidates
        .par_iter()
        .map(|&i| {
            let hash = formats::read_input_bytes(&paths[i])
                .ok()
                .map(|b| (b.len() as u64, sha256_hex(&b)));
            (i, hash)
        })
        .collect();
    let mut first_of: HashMap<(u64, String), usize> = HashMap::new();
    let mut sorted = hashes;
    sorted.sort_by_key(|(i, _)| *i);
    let mut duplicates = HashMap::new();
    let mut known = HashMap::new();
    for (i, hash) in sorted {
        if let Some(hash) = hash {
            known.insert(i, hash.clone());
            match first_of.get(&hash) {
                Some(&first) => {
                    duplicates.insert(i, first);
                }
                None => {
                    first_of.insert(hash, i);
                }
            }
        }
    }
    (duplicates, known)
}

/// One file's running result. Line hits are kept in a dense vector indexed
/// by line number while the lines are dense enough, which makes adding an
/// input a linear pass instead of a tree insert per line.
#[derive(Default)]
struct AccFile {
    hits: Vec<u64>,
    present: Vec<bool>,
    statements: usize,
    /// Everything else, and the lines once they turn out to be sparse.
    rest: FileCoverage,
    sparse: bool,
    /// Nothing added yet (an empty `rest` is not "known with no statements").
    has_data: bool,
    /// The input formats that measured this file, to warn when different
    /// tools did (gcc and clang, say, instrument different lines).
    formats: std::collections::BTreeSet<&'static str>,
    /// Numeric LCOV branches ((line, block, branch), taken), sorted and
    /// unique; turned into the model's branches at the end.
    numeric_branches: Vec<((u32, u32, u32), Taken)>,
    /// coverage.py arcs from the JSON fast path, sorted and unique.
    arc_list: Vec<((u32, i64), Taken)>,
}

impl AccFile {
    fn add_lines(&mut self, lines: BTreeMap<u32, u64>) {
        let Some((&max, _)) = lines.last_key_value() else {
            return;
        };
        let max = max as usize;
        // A line number far beyond the count (a bogus 2^31) must not make
        // us allocate gigabytes: such files stay in the tree form.
        if self.sparse || max > 8 * (self.statements + lines.len()) + 4096 {
            self.make_sparse();
            self.rest.merge(FileCoverage {
                lines,
                ..Default::default()
            });
            return;
        }
        self.add_dense(max, lines);
    }

    /// Add lines no higher than `max` to the dense arrays.
    fn add_dense(&mut self, max: usize, lines: impl IntoIterator<Item = (u32, u64)>) {
        if self.hits.len() <= max {
            self.hits.resize(max + 1, 0);
            self.present.resize(max + 1, false);
        }
        for (l, h) in lines {
            let l = l as usize;
            if !self.present[l] {
                self.present[l] = true;
                self.statements += 1;
            }
            self.hits[l] = add_hits(self.hits[l], h);
        }
    }

    fn make_sparse(&mut self) {
        if self.sparse {
            return;
        }
        self.sparse = true;
        let lines: BTreeMap<u32, u64> = self.take_dense().collect();
        if !lines.is_empty() {
            self.rest.merge(FileCoverage {
                lines,
                ..Default::default()
            });
        }
    }

    fn take_dense(&mut self) -> impl Iterator<Item = (u32, u64)> {
        let hits = std::mem::take(&mut self.hits);
        let present = std::mem::take(&mut self.present);
        self.statements = 0;
        hits.into_iter()
            .zip(present)
            .enumerate()
            .filter(|(_, (_, p))| *p)
            .map(|(l, (h, _))| (l as u32, h))
    }

    /// One LCOV record from the fast path.
    fn add_parts(&mut self, parts: formats::lcov::RecordParts) {
        if self.rest.statements_unknown {
            let (_, file) = parts.into_file();
            return self.add(file);
        }
        self.add(parts.file);
        self.add_line_list(parts.lines);
        self.add_numeric(parts.branches);
    }

    /// Lines in any order, possibly repeated.
    fn add_line_list(&mut self, lines: Vec<(u32, u64)>) {
        let Some(max) = lines.iter().map(|(l, _)| *l as usize).max() else {
            return;
        };
        if self.sparse || max > 8 * (self.statements + lines.len()) + 4096 {
            let mut map: BTreeMap<u32, u64> = BTreeMap::new();
            for (l, h) in lines {
                let e = map.entry(l).or_insert(0);
                *e = add_hits(*e, h);
            }
            self.add_lines(map);
            return;
        }
        self.add_dense(max, lines);
    }

    /// Add numeric branches; the common case (same branches as before) is
    /// one pass over both lists.
    fn add_numeric(&mut self, list: Vec<((u32, u32, u32), Taken)>) {
        merge_sorted_list(&mut self.numeric_branches, list);
    }

    /// Move the fast paths' branch and arc lists into `rest`, before the
    /// model's own merge has to see them (raw coverage.py data).
    fn flush_lists(&mut self) {
        let numeric = std::mem::take(&mut self.numeric_branches);
        let arcs = std::mem::take(&mut self.arc_list);
        if numeric.is_empty() && arcs.is_empty() {
            return;
        }
        self.rest.merge(FileCoverage {
            branches: numeric
                .into_iter()
                .map(|((l, b, i), t)| ((l, BranchId::Num(b), BranchId::Num(i)), t))
                .collect(),
            arcs: arcs.into_iter().collect(),
            ..Default::default()
        });
    }

    /// One file of a coverage.py JSON report from the fast path.
    fn add_json(&mut self, parts: formats::coveragepy_json::JsonFile) {
        if self.rest.statements_unknown {
            let (_, file) = parts.into_file();
            return self.add(file);
        }
        self.merge_rest(parts.file);
        self.add_line_list(parts.lines);
        merge_sorted_list(&mut self.arc_list, parts.arcs);
    }

    fn merge_rest(&mut self, file: FileCoverage) {
        if self.has_data {
            self.rest.merge(file);
        } else {
            self.rest = file;
            self.has_data = true;
        }
    }

    fn add(&mut self, mut file: FileCoverage) {
        // Raw coverage.py data (statements unknown) needs the model's own
        // merge, which decides what the other side's statements keep.
        if file.statements_unknown || self.rest.statements_unknown {
            self.make_sparse();
            self.flush_lists();
            self.merge_rest(file);
            return;
        }
        let lines = std::mem::take(&mut file.lines);
        // The rest first: it may replace an empty `rest` wholesale.
        self.merge_rest(file);
        self.add_lines(lines);
    }

    fn absorb(&mut self, mut other: AccFile) {
        if !other.has_data {
            return;
        }
        self.formats.append(&mut other.formats);
        let numeric = std::mem::take(&mut other.numeric_branches);
        self.add_numeric(numeric);
        if !self.has_data {
            *self = other;
            return;
        }
        if other.rest.statements_unknown || self.rest.statements_unknown {
            self.make_sparse();
            self.flush_lists();
            other.make_sparse();
            other.flush_lists();
            self.rest.merge(other.rest);
            return;
        }
        if other.sparse {
            self.make_sparse();
            other.make_sparse();
        }
        let arcs = std::mem::take(&mut other.arc_list);
        merge_sorted_list(&mut self.arc_list, arcs);
        let lines: BTreeMap<u32, u64> = other.take_dense().collect();
        self.add_lines(lines);
        self.rest.merge(other.rest);
    }

    fn into_file(mut self) -> FileCoverage {
        let dense: BTreeMap<u32, u64> = self.take_dense().collect();
        let numeric = std::mem::take(&mut self.numeric_branches);
        let arcs = std::mem::take(&mut self.arc_list);
        let mut file = self.rest;
        if !arcs.is_empty() {
            file.merge(FileCoverage {
                arcs: arcs.into_iter().collect(),
                ..Default::default()
            });
        }
        if !numeric.is_empty() {
            file.merge(FileCoverage {
                branches: numeric
                    .into_iter()
                    .map(|((l, b, i), t)| ((l, BranchId::Num(b), BranchId::Num(i)), t))
                    .collect(),
                ..Default::default()
            });
        }
        if !dense.is_empty() {
            file.merge(FileCoverage {
                lines: dense,
                ..Default::default()
            });
        }
        file
    }
}

/// Per input: outcome and warnings, kept with its index so that messages
/// come out in input order whatever thread read it.
struct InputRecord {
    index: usize,
    outcome: InputOutcome,
    warnings: Vec<String>,
    error: Option<Error>,
}

#[derive(Default)]
struct Accumulator {
    branch_coverage: bool,
    sources: Vec<Source>,
    files: HashMap<String, AccFile>,
    with_branches: usize,
    without_branches: usize,
    inputs: Vec<InputRecord>,
    explained: BTreeMap<String, String>,
}

impl Accumulator {
    fn duplicate(&mut self, index: usize, path: &Path, first: &Path, hash: Option<&(u64, String)>) {
        self.inputs.push(InputRecord {
            index,
            outcome: InputOutcome {
                path: path.to_path_buf(),
                status: InputStatus::Duplicate {
                    of: first.to_path_buf(),
                },
                size: hash.map(|h| h.0),
                sha256: hash.map(|h| h.1.clone()),
                ..Default::default()
            },
            warnings: vec![format!(
                "{}: identical to {}, counted once",
                path.display(),
                first.display()
            )],
            error: None,
        });
    }

    fn reject(&mut self, index: usize, path: &Path, err: Error, bytes: Option<&[u8]>) {
        self.inputs.push(InputRecord {
            index,
            outcome: InputOutcome {
                path: path.to_path_buf(),
                status: InputStatus::Rejected {
                    reason: err.to_string(),
                },
                size: bytes.map(|b| b.len() as u64),
                sha256: bytes.map(sha256_hex),
                ..Default::default()
            },
            warnings: vec![format!("{err}; skipped")],
            error: Some(err),
        });
    }

    fn read_input(&mut self, index: usize, path: &Path, options: &CombineOptions) {
        let bytes = match formats::read_input_bytes(path) {
            Ok(b) => b,
            Err(err) => return self.reject(index, path, err, None),
        };
        // The fast path: LCOV records go straight into the running result.
        // Attribution needs each input as a whole, so it takes the general path.
        if options.attribution.is_none() {
            let hash = || {
                let sha256 = options.content_hashes.then(|| sha256_hex(&bytes));
                (bytes.len() as u64, sha256)
            };
            match fast_text(&bytes) {
                Some((FastFormat::Lcov, text)) => {
                    return self.read_lcov_fast(index, path, text, hash(), options)
                }
                Some((FastFormat::CoveragePyJson, text)) => {
                    return self.read_json_fast(index, path, text, hash(), options)
                }
                None => {}
            }
        }
        let parsed = match formats::parse(path, &bytes) {
            Ok(p) => p,
            Err(err) => return self.reject(index, path, err, Some(&bytes)),
        };
        let hash = (
            bytes.len() as u64,
            options.content_hashes.then(|| sha256_hex(&bytes)),
        );
        drop(bytes);
        let mut warnings = parsed.diagnostics.messages(path);
        let mut parsed = parsed;
        match &options.attribution {
            Some(dim) => {
                if let Some(w) = crate::attribution::attribute(&mut parsed.data, dim) {
                    warnings.push(format!("{}: {w}", path.display()));
                }
            }
            None => crate::attribution::strip(&mut parsed.data),
        }
        let explained = &mut self.explained;
        let data = normalize_paths(parsed.data, &options.mapper, |raw, name, rule| {
            note_mapping(explained, options, raw, name, rule)
        });
        let mut tally = Tally {
            branches: data.branch_coverage,
            ..Default::default()
        };
        for (name, file) in data.files {
            tally.count(file.lines.values().copied());
            tally.files.insert(name.clone());
            let acc = self.files.entry(name).or_default();
            acc.formats.insert(parsed.format);
            acc.add(file);
        }
        let format = parsed.format;
        self.push_outcome(
            index,
            path,
            warnings,
            tally,
            data.sources,
            format,
            hash,
            options,
        );
    }

    /// LCOV without building a tree per record: DA and numeric BRDA
    /// records are added to the file's dense arrays directly.
    fn read_lcov_fast(
        &mut self,
        index: usize,
        path: &Path,
        text: &str,
        hash: (u64, Option<String>),
        options: &CombineOptions,
    ) {
        let mut diag = formats::Diagnostics::default();
        let mut tally = Tally::default();
        let files = &mut self.files;
        let explained = &mut self.explained;
        let result = formats::lcov::read_records(path, text, &mut diag, &mut |parts| {
            tally.branches |= parts.has_branches();
            tally.count(parts.lines.iter().map(|(_, h)| *h));
            tally.count(parts.file.lines.values().copied());
            let name = tally.name(&parts.name, options, explained);
            let acc = files.entry(name).or_default();
            acc.formats.insert("lcov");
            acc.add_parts(parts);
        });
        if let Err(err) = result {
            // Only a file with no record at all fails, so nothing was added.
            return self.reject(index, path, err, Some(text.as_bytes()));
        }
        let source = Source {
            converted_from: Some("lcov".to_string()),
            ..Default::default()
        };
        let warnings = diag.messages(path);
        self.push_outcome(
            index,
            path,
            warnings,
            tally,
            vec![source],
            "lcov",
            hash,
            options,
        );
    }

    /// coverage.py JSON without building trees: each file's sorted line and
    /// arc lists go straight into the running result.
    fn read_json_fast(
        &mut self,
        index: usize,
        path: &Path,
        text: &str,
        hash: (u64, Option<String>),
        options: &CombineOptions,
    ) {
        let mut diag = formats::Diagnostics::default();
        let mut tally = Tally::default();
        let mut repeated = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let files = &mut self.files;
        let explained = &mut self.explained;
        let format = formats::InputFormat::name(&formats::coveragepy_json::CoveragePyJson);
        let result = formats::coveragepy_json::read_files(path, text, &mut diag, &mut |parts| {
            tally.count(parts.lines.iter().map(|(_, h)| *h));
            if !seen.insert(parts.name.clone()) {
                repeated.push(parts.name.clone());
            }
            let name = tally.name(&parts.name, options, explained);
            let acc = files.entry(name).or_default();
            acc.formats.insert(format);
            acc.add_json(parts);
        });
        let report = match result {
            Ok(report) => report,
            // The report is parsed whole before any file is handed over,
            // so nothing was added.
            Err(err) => return self.reject(index, path, err, Some(text.as_bytes())),
        };
        for name in repeated {
            diag.warn(None, format!("{name} is listed more than once; merged"));
        }
        tally.branches = report.branch_coverage;
        let warnings = diag.messages(path);
        let sources = vec![report.source];
        self.push_outcome(index, path, warnings, tally, sources, format, hash, options);
    }

    /// Record a used input: its outcome, warnings (the first is fatal with
    /// --strict) and what it contributed.
    #[allow(clippy::too_many_arguments)]
    fn push_outcome(
        &mut self,
        index: usize,
        path: &Path,
        warnings: Vec<String>,
        tally: Tally,
        sources: Vec<Source>,
        format: &'static str,
        (size, sha256): (u64, Option<String>),
        options: &CombineOptions,
    ) {
        let error = match (options.strict, warnings.first()) {
            (true, Some(first)) => Some(Error::Other(format!("{first} (--strict)"))),
            _ => None,
        };
        if tally.branches {
            self.with_branches += 1;
            self.branch_coverage = true;
        } else {
            self.without_branches += 1;
        }
        self.sources.extend(sources.iter().cloned());
        self.inputs.push(InputRecord {
            index,
            outcome: InputOutcome {
                path: path.to_path_buf(),
                status: InputStatus::Used,
                format: Some(format),
                size: Some(size),
                sha256,
                sources,
                files: tally.files.len(),
                statements: tally.statements,
                covered: tally.covered,
            },
            warnings,
            error,
        });
    }

    fn absorb(mut self, mut other: Accumulator) -> Accumulator {
        // Keep the bigger map and move the smaller one's files into it.
        if other.files.len() > self.files.len() {
            std::mem::swap(&mut self.files, &mut other.files);
        }
        for (name, file) in other.files {
            match self.files.get_mut(&name) {
                Some(mine) => mine.absorb(file),
                None => {
                    self.files.insert(name, file);
                }
            }
        }
        self.branch_coverage |= other.branch_coverage;
        self.sources.extend(other.sources);
        self.with_branches += other.with_branches;
        self.without_branches += other.without_branches;
        self.inputs.extend(other.inputs);
        for (raw, how) in other.explained {
            self.explained.entry(raw).or_insert(how);
        }
        self
    }

    fn finish(mut self, options: &CombineOptions, warn: &mut dyn FnMut(&str)) -> Result<Combined> {
        self.inputs.sort_by_key(|r| r.index);
        let mut combined = Combined::default();
        for record in &mut self.inputs {
            if options.strict {
                if let Some(err) = record.error.take() {
                    return Err(err);
                }
            }
            for w in &record.warnings {
                warn(w);
            }
        }
        for (raw, how) in &self.explained {
            warn(&format!("path {raw} -> {how}"));
        }
        if self.with_branches > 0 && self.without_branches > 0 {
            let text = format!(
                "{} input(s) measured branches and {} did not; branch columns are shown, \
                 and files only the latter measured have no branch data",
                self.with_branches, self.without_branches
            );
            if options.strict {
                return Err(Error::Other(format!("{text} (--strict)")));
            }
            warn(&text);
        }
        let mut mixed: Vec<(&String, String)> = self
            .files
            .iter()
            .filter_map(|(name, f)| producer_mix(name, &f.formats).map(|m| (name, m)))
            .collect();
        mixed.sort();
        for (name, formats) in mixed {
            warn(&format!(
                "{name}: measured by different tools ({formats}); they instrument different \
                 lines and branches, so its numbers mix two views of the same source"
            ));
        }
        for (name, file) in &self.files {
            if file.rest.statements_unknown {
                let text = format!(
                    "{name}: only coverage.py raw data (.coverage) measured this file, which lists \
                     executed lines but not statements; its missed lines and branches are unknown \
                     and it is shown as fully covered (add a coverage.py JSON or LCOV report of \
                     the same file from any worker to fix this)"
                );
                if options.strict {
                    return Err(Error::Other(format!("{text} (--strict)")));
                }
                warn(&text);
            }
        }
        self.sources.sort();
        let files: BTreeMap<String, FileCoverage> = self
            .files
            .into_iter()
            .map(|(name, file)| (name, file.into_file()))
            .collect();
        for (name, file) in files.iter().filter(|(_, f)| f.source_hashes.len() > 1) {
            let sides: Vec<String> = file
                .source_hashes
                .iter()
                .map(|(hash, platforms)| {
                    let platforms: Vec<&str> = platforms.iter().map(String::as_str).collect();
                    format!(
                        "sha256 {} on {}",
                        &hash[..hash.len().min(12)],
                        platforms.join("; ")
                    )
                })
                .collect();
            let text = format!(
                "{name}: the workers ran different code (the source file differs): {}",
                sides.join(" | ")
            );
            if options.strict {
                return Err(Error::Other(format!("{text} (--strict)")));
            }
            warn(&text);
        }
        combined.data = CoverageData {
            branch_coverage: self.branch_coverage,
            sources: self.sources,
            root: None,
            attribution: options.attribution.as_ref().map(|d| d.name()),
            files,
        };
        combined.inputs = self.inputs.into_iter().map(|r| r.outcome).collect();
        Ok(combined)
    }
}

/// What a fast-path read of one input found: for its manifest entry, and
/// the canonical names of its files (mapped once per raw name).
#[derive(Default)]
struct Tally {
    branches: bool,
    statements: usize,
    covered: usize,
    files: std::collections::BTreeSet<String>,
    names: HashMap<String, String>,
}

impl Tally {
    fn count(&mut self, hits: impl Iterator<Item = u64>) {
        for h in hits {
            self.statements += 1;
            self.covered += usize::from(h > 0);
        }
    }

    fn name(
        &mut self,
        raw: &str,
        options: &CombineOptions,
        explained: &mut BTreeMap<String, String>,
    ) -> String {
        if let Some(n) = self.names.get(raw) {
            return n.clone();
        }
        let (n, rule) = options.mapper.map(raw, None);
        note_mapping(explained, options, raw, &n, rule.as_deref());
        self.names.insert(raw.to_string(), n.clone());
        self.files.insert(n.clone());
        n
    }
}

/// Remember how `raw` was mapped, for `--debug-paths`.
fn note_mapping(
    explained: &mut BTreeMap<String, String>,
    options: &CombineOptions,
    raw: &str,
    name: &str,
    rule: Option<&str>,
) {
    if options.debug_paths && raw != name {
        let how = match rule {
            Some(rule) => format!("{name} (rule {rule:?})"),
            None => name.to_string(),
        };
        explained.entry(raw.to_string()).or_insert(how);
    }
}

/// Merge `list` (any order) into the sorted, unique `mine`, adding the
/// values of equal keys. When both hold the same keys, the usual case for
/// reports of one source, it is one pass over both.
fn merge_sorted_list<K: Ord + Copy>(mine: &mut Vec<(K, Taken)>, mut list: Vec<(K, Taken)>) {
    if list.is_empty() {
        return;
    }
    crate::model::sort_and_fold(&mut list, add_taken);
    if mine.is_empty() {
        *mine = list;
    } else if mine.len() == list.len() && mine.iter().zip(&list).all(|(a, b)| a.0 == b.0) {
        for (a, b) in mine.iter_mut().zip(list) {
            a.1 = add_taken(a.1, b.1);
        }
    } else {
        let old = std::mem::take(mine);
        let mut merged = Vec::with_capacity(old.len().max(list.len()));
        let (mut a, mut b) = (old.into_iter().peekable(), list.into_iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    let (k, t1) = a.next().expect("peeked");
                    let (_, t2) = b.next().expect("peeked");
                    (k, add_taken(t1, t2))
                }
                (Some(x), Some(y)) if x.0 < y.0 => a.next().expect("peeked"),
                (Some(_), Some(_)) | (None, Some(_)) => b.next().expect("peeked"),
                (Some(_), None) => a.next().expect("peeked"),
                (None, None) => break,
            };
            merged.push(next);
        }
        *mine = merged;
    }
}

/// The different tool families that measured `name`, when there are
/// several. coverage.py's own formats (JSON, LCOV, XML, raw data) count as
/// one family for Python files.
fn producer_mix(name: &str, formats: &std::collections::BTreeSet<&'static str>) -> Option<String> {
    if formats.len() < 2 || name.ends_with(".py") || name.ends_with(".pyw") {
        return None;
    }
    Some(formats.iter().copied().collect::<Vec<_>>().join(", "))
}

/// The formats with a fast path in combine.
enum FastFormat {
    Lcov,
    CoveragePyJson,
}

/// The text of an LCOV or coverage.py JSON file, when `bytes` is one
/// (UTF-8, BOM skipped); the same detection `formats::parse` would make.
fn fast_text(bytes: &[u8]) -> Option<(FastFormat, &str)> {
    use formats::InputFormat;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).ok()?;
    if formats::lcov::Lcov.detect(text) {
        Some((FastFormat::Lcov, text))
    } else if formats::coveragepy_json::CoveragePyJson.detect(text)
        // Readers tried before coverage.py's in formats::READERS.
        && !formats::native::Native.detect(text)
        && !formats::gcov_json::GcovJson.detect(text)
        && !formats::gcovr_json::GcovrJson.detect(text)
    {
        Some((FastFormat::CoveragePyJson, text))
    } else {
        None
    }
}

/// A progress line on stderr, only when stderr is a terminal and the
/// combine takes more than a second.
struct Progress {
    done: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(total: usize) -> Progress {
        use std::io::IsTerminal;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use std::sync::Arc;
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let (done, stop) = (done.clone(), stop.clone());
            std::thread::spawn(move || {
                let start = std::time::Instant::now();
                let mut shown = false;
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    if start.elapsed().as_millis() >= 1000 {
                        eprint!(
                            "\rcovmerge: combining {}/{} files",
                            done.load(Ordering::Relaxed),
                            total
                        );
                        shown = true;
                    }
                }
                if shown {
                    eprint!("\r\x1b[2K");
                }
            })
        });
        Progress { done, stop, thread }
    }

    fn tick(&self) {
        self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn finish(mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
