//! Combining many inputs into one [`CoverageData`]: read each file, skip
//! exact duplicates, normalise its paths, union it into the result.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats;
use crate::model::{add_hits, CoverageData, FileCoverage, Source};
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
        self.rest.merge(FileCoverage {
            lines,
            ..Default::default()
        });
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

    fn add(&mut self, mut file: FileCoverage) {
        let lines = std::mem::take(&mut file.lines);
        self.add_lines(lines);
        self.rest.merge(file);
    }

    fn absorb(&mut self, mut other: AccFile) {
        if other.sparse {
            self.make_sparse();
        }
        let lines: BTreeMap<u32, u64> = other.take_dense().collect();
        self.add_lines(lines);
        self.rest.merge(other.rest);
    }

    fn into_file(mut self) -> FileCoverage {
        let dense: BTreeMap<u32, u64> = self.take_dense().collect();
        let mut file = self.rest;
        file.merge(FileCoverage {
            lines: dense,
            ..Default::default()
        });
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
        let parsed = match formats::parse(path, &bytes) {
            Ok(p) => p,
            Err(err) => return self.reject(index, path, err, Some(&bytes)),
        };
        let size = bytes.len() as u64;
        let sha256 = sha256_hex(&bytes);
        drop(bytes);
        let warnings = parsed.diagnostics.messages(path);
        let error = match (options.strict, warnings.first()) {
            (true, Some(first)) => Some(Error::Other(format!("{first} (--strict)"))),
            _ => None,
        };
        if parsed.data.branch_coverage {
            self.with_branches += 1;
        } else {
            self.without_branches += 1;
        }
        let explained = &mut self.explained;
        let data = normalize_paths(parsed.data, &options.mapper, |raw, name, rule| {
            if options.debug_paths && raw != name {
                let how = match rule {
                    Some(rule) => format!("{name} (rule {rule:?})"),
                    None => name.to_string(),
                };
                explained.entry(raw.to_string()).or_insert(how);
            }
        });
        self.branch_coverage |= data.branch_coverage;
        let sources = data.sources.clone();
        self.sources.extend(data.sources);
        let files = data.files.len();
        let mut statements = 0;
        let mut covered = 0;
        for (name, file) in data.files {
            statements += file.lines.len();
            covered += file.lines.values().filter(|h| **h > 0).count();
            self.files.entry(name).or_default().add(file);
        }
        self.inputs.push(InputRecord {
            index,
            outcome: InputOutcome {
                path: path.to_path_buf(),
                status: InputStatus::Used,
                format: Some(parsed.format),
                size: Some(size),
                sha256: Some(sha256),
                sources,
                files,
                statements,
                covered,
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
            files,
        };
        combined.inputs = self.inputs.into_iter().map(|r| r.outcome).collect();
        Ok(combined)
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

/// Convenience for tests and library users: combine without messages.
pub fn combine_quiet(paths: &[&Path], options: &CombineOptions) -> Result<Combined> {
    let owned: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    combine_files(&owned, options, &mut |_| {})
}
