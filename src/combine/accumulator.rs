//! The running result of one thread of a combine: the files read so far,
//! each input's outcome and warnings, and what to say about the run.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::groups::HeldGroups;
use super::running_file::RunningFile;
use super::{normalize_paths, CombineOptions, Combined, InputOutcome, InputStatus, DEBUG_PREFIX};
use crate::attribution::Dimension;
use crate::error::{Error, Result};
use crate::formats::{self, FastRead};
use crate::hashing::sha256_hex;
use crate::model::{CoverageData, FileCoverage, Source};
use crate::names::Spelling;

/// Per input: outcome and warnings, kept with its index so that messages
/// come out in input order whatever thread read it.
struct InputRecord {
    index: usize,
    outcome: InputOutcome,
    warnings: Vec<String>,
    error: Option<Error>,
}

/// The running files by name. foldhash, not std's SipHash: the map is
/// looked up once per file per input, and SipHash was a visible share of
/// a combine; foldhash seeds itself per process, so a crafted set of file
/// names cannot make lookups collide on purpose.
pub(super) type FileMap = HashMap<String, RunningFile, foldhash::fast::RandomState>;

#[derive(Default)]
pub(super) struct Accumulator {
    branch_coverage: bool,
    sources: Vec<Source>,
    files: FileMap,
    /// With attribution on, the files of inputs that lie wholly in one
    /// group and add up plainly (see [`one_group`]; every streamed input is
    /// one, in the unknown group, see [`formats::StreamEnd::sources`]), per
    /// group, kept apart from `files` and attributed a group at a time.
    grouped: HeldGroups,
    with_branches: usize,
    without_branches: usize,
    inputs: Vec<InputRecord>,
    explained: BTreeMap<String, String>,
    /// The directories this thread has mapped, for streamed inputs.
    mapped_dirs: crate::paths::MappedDirs,
    /// Which workers wrote each file name (for case merging).
    origins: crate::names::NameOrigins,
}

impl Accumulator {
    pub(super) fn duplicate(
        &mut self,
        index: usize,
        path: &Path,
        first: &Path,
        hash: Option<&(u64, String)>,
    ) {
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

    pub(super) fn read_input(&mut self, index: usize, path: &Path, options: &CombineOptions) {
        let _in_flight = formats::reserve(path);
        let bytes = match formats::read_input_bytes(path) {
            Ok(b) => b,
            Err(err) => return self.reject(index, path, err, None),
        };
        // Streaming readers (LCOV, coverage.py JSON) add each file's flat
        // records straight into the running result, and so does a data
        // file read whole as records, unless it must be attributed now.
        let (parsed, group) = match formats::fast_read(&bytes) {
            Some(FastRead::Stream(reader, text)) => {
                return self.read_streamed(index, path, &bytes, reader, text, options);
            }
            Some(FastRead::Records(reader, records)) => {
                let group = self.deferred_group(&records.head, options);
                if options.attribution.is_none() || group.is_some() {
                    if let Some(names) = self.map_records(&records, options) {
                        let format = reader.name();
                        let hash = content_hash(&bytes, options);
                        self.add_records(index, path, format, records, names, group, hash, options);
                        return;
                    }
                }
                let parsed = formats::Parsed {
                    format: reader.name(),
                    data: records.into_data(),
                    diagnostics: formats::Diagnostics::default(),
                };
                (parsed, group)
            }
            None => match formats::parse(path, &bytes) {
                Ok(parsed) => {
                    let group = self.deferred_group(&parsed.data, options);
                    (parsed, group)
                }
                Err(err) => return self.reject(index, path, err, Some(&bytes)),
            },
        };
        let hash = content_hash(&bytes, options);
        drop(bytes);
        let mut warnings = parsed.diagnostics.messages(path);
        let mut parsed = parsed;
        match &options.attribution {
            Some(dim) if group.is_none() => {
                if let Some(w) = crate::attribution::attribute(&mut parsed.data, dim) {
                    warnings.push(format!("{}: {w}", path.display()));
                }
            }
            _ => crate::attribution::strip(&mut parsed.data),
        }
        let files = match group {
            Some(group) => self.grouped.files(group, &mut self.files),
            None => &mut self.files,
        };
        let explained = &mut self.explained;
        let mut spellings = Vec::new();
        let data = normalize_paths(parsed.data, &options.mapper, |raw, name, rule| {
            spellings.push(Spelling::of(raw, name));
            note_mapping(explained, options, raw, name, rule)
        });
        let mut tally = Tally {
            branches: data.branch_coverage,
            spellings,
            ..Default::default()
        };
        for (name, mut file) in data.files {
            options.sources.map_raw(&name, &mut file);
            tally.count(file.lines.values().copied());
            tally.files += 1;
            let acc = files.entry(name).or_default();
            acc.formats.insert(parsed.format);
            acc.branch_inputs.note(
                index,
                !file.arc_lines.is_empty() || !file.branch_counts.is_empty(),
                !file.arcs.is_empty() || !file.branches.is_empty(),
            );
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

    /// With attribution on, the group `data` is added to and attributed
    /// with at the end (see [`one_group`]); `None` when it is attributed
    /// now: it spans groups, or it is a new group's input when this thread
    /// holds as many groups as it may (see [`HeldGroups::defers`]).
    fn deferred_group(&mut self, data: &CoverageData, options: &CombineOptions) -> Option<String> {
        (options.attribution.as_ref())
            .and_then(|dim| one_group(data, dim))
            .filter(|group| self.grouped.defers(group))
    }

    /// Add an input's files, read by a streaming reader (see
    /// [`formats::InputFormat::stream`]), to the running result.
    fn read_streamed(
        &mut self,
        index: usize,
        path: &Path,
        bytes: &[u8],
        reader: &dyn formats::InputFormat,
        text: &str,
        options: &CombineOptions,
    ) {
        let format = reader.name();
        let mut diag = formats::Diagnostics::default();
        let mut tally = Tally::default();
        let files = match &options.attribution {
            Some(dim) => (self.grouped).files(dim.group_of(&Source::default()), &mut self.files),
            None => &mut self.files,
        };
        let explained = &mut self.explained;
        let dirs = self.mapped_dirs.under(None);
        let result = reader.stream(path, text, &mut diag, &mut |records| {
            let (name, rule) = options.mapper.map_cached(&records.name, dirs);
            note_mapping(explained, options, &records.name, &name, rule.as_deref());
            tally.spellings.push(Spelling::of(&records.name, &name));
            add_file_records(files, index, format, name, records, &mut tally);
        });
        let end = match result {
            Ok(end) => end,
            // A streaming reader fails only before it hands over any file.
            Err(err) => return self.reject(index, path, err, Some(bytes)),
        };
        debug_assert!(
            end.sources.iter().all(names_no_worker),
            "a streamed input names no worker (StreamEnd::sources)"
        );
        tally.branches = end.branch_coverage;
        let warnings = diag.messages(path);
        let hash = content_hash(bytes, options);
        self.push_outcome(
            index,
            path,
            warnings,
            tally,
            end.sources,
            format,
            hash,
            options,
        );
    }

    /// The combined name of each file of `records`, in order; `None` when
    /// two map to one name (the model's path merges those within the input
    /// before it counts what the input reported).
    fn map_records(
        &mut self,
        records: &formats::RecordsInput,
        options: &CombineOptions,
    ) -> Option<Vec<String>> {
        let explained = &mut self.explained;
        let dirs = self.mapped_dirs.under(records.head.root.as_deref());
        let mut names = Vec::with_capacity(records.files.len());
        for file in &records.files {
            let (name, rule) = options.mapper.map_cached(&file.name, dirs);
            note_mapping(explained, options, &file.name, &name, rule.as_deref());
            names.push(name);
        }
        // Mapping mostly keeps the written order; sort only when it did not.
        if !names.windows(2).all(|w| w[0] < w[1]) {
            let mut sorted: Vec<&String> = names.iter().collect();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                return None;
            }
        }
        Some(names)
    }

    /// Add an input read whole as records to the running result (or to its
    /// group's, `group`), its files under `names` (see [`Self::map_records`]).
    #[allow(clippy::too_many_arguments)]
    fn add_records(
        &mut self,
        index: usize,
        path: &Path,
        format: &'static str,
        records: formats::RecordsInput,
        names: Vec<String>,
        group: Option<String>,
        hash: (u64, Option<String>),
        options: &CombineOptions,
    ) {
        let files = match group {
            Some(group) => self.grouped.files(group, &mut self.files),
            None => &mut self.files,
        };
        let mut tally = Tally {
            branches: records.head.branch_coverage,
            ..Default::default()
        };
        for (mut file, name) in records.files.into_iter().zip(names) {
            tally.spellings.push(Spelling::of(&file.name, &name));
            add_file_records(files, index, format, name, &mut file, &mut tally);
        }
        let sources = records.head.sources;
        self.push_outcome(
            index,
            path,
            Vec::new(),
            tally,
            sources,
            format,
            hash,
            options,
        );
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
        self.origins.note(tally.spellings, &sources);
        self.inputs.push(InputRecord {
            index,
            outcome: InputOutcome {
                path: path.to_path_buf(),
                status: InputStatus::Used,
                format: Some(format),
                size: Some(size),
                sha256,
                sources,
                files: tally.files,
                statements: tally.statements,
                covered: tally.covered,
            },
            warnings,
            error,
        });
    }

    /// A duplicate stands for its first copy. If that copy was rejected
    /// after it was hashed (it could not be read, or changed), the first
    /// duplicate that reads is used in its place and later ones point to it.
    pub(super) fn read_orphans(
        mut self,
        paths: &[PathBuf],
        duplicates: &HashMap<usize, usize>,
        hashes: &HashMap<usize, (u64, String)>,
        options: &CombineOptions,
    ) -> Accumulator {
        let rejected: std::collections::HashSet<usize> = (self.inputs.iter())
            .filter(|r| matches!(r.outcome.status, InputStatus::Rejected { .. }))
            .map(|r| r.index)
            .collect();
        let mut orphans: Vec<(usize, usize)> = (duplicates.iter())
            .filter(|(_, first)| rejected.contains(first))
            .map(|(&i, &first)| (i, first))
            .collect();
        orphans.sort_unstable();
        let mut stand_in: HashMap<usize, usize> = HashMap::new();
        for (i, first) in orphans {
            self.inputs.retain(|r| r.index != i);
            match stand_in.get(&first) {
                Some(&used) => self.duplicate(i, &paths[i], &paths[used], hashes.get(&i)),
                None => {
                    self.read_input(i, &paths[i], options);
                    if self
                        .inputs
                        .last()
                        .is_some_and(|r| r.outcome.status == InputStatus::Used)
                    {
                        stand_in.insert(first, i);
                    }
                }
            }
        }
        self
    }

    pub(super) fn absorb(mut self, mut other: Accumulator) -> Accumulator {
        // Keep the bigger map and move the smaller one's files into it.
        if other.files.len() > self.files.len() {
            std::mem::swap(&mut self.files, &mut other.files);
        }
        absorb_files(&mut self.files, other.files);
        self.grouped.absorb(other.grouped);
        self.branch_coverage |= other.branch_coverage;
        self.sources.extend(other.sources);
        self.with_branches += other.with_branches;
        self.without_branches += other.without_branches;
        self.inputs.extend(other.inputs);
        for (raw, how) in other.explained {
            self.explained.entry(raw).or_insert(how);
        }
        self.origins.absorb(other.origins);
        self
    }

    /// The combined result, after the warnings about the whole run, in
    /// input order (the first is fatal with `--strict`).
    pub(super) fn finish(
        mut self,
        options: &CombineOptions,
        warn: &mut dyn FnMut(&str),
    ) -> Result<Combined> {
        self.inputs.sort_by_key(|r| r.index);
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
            warn(&format!("{DEBUG_PREFIX}path {raw} -> {how}"));
        }
        std::mem::take(&mut self.grouped).attribute_into(&mut self.files);
        let mut notice = |text: String| -> Result<()> {
            if options.strict {
                return Err(Error::Other(format!("{text} (--strict)")));
            }
            warn(&text);
            Ok(())
        };
        if self.with_branches > 0 && self.without_branches > 0 {
            notice(format!(
                "{} input(s) measured branches and {} did not; branch columns are shown, \
                 and files only the latter measured have no branch data",
                self.with_branches, self.without_branches
            ))?;
        }
        for text in file_notices(&self.files) {
            notice(text)?;
        }
        self.sources.sort();
        let branch_inputs = branch_input_names(&self.files, &self.inputs);
        // In parallel: with many threads the rest of a combine is short.
        let files: Vec<(String, FileCoverage)> = self
            .files
            .into_par_iter()
            .map(|(name, file)| (name, file.into_file()))
            .collect();
        let mut files: BTreeMap<String, FileCoverage> = files.into_iter().collect();
        // One name per file whatever case Windows and macOS workers wrote.
        let mut notes = Vec::new();
        for message in crate::names::unify_case(&mut files, &self.origins) {
            match message {
                crate::names::CaseMessage::Merged { .. } => notes.push(message.text()),
                crate::names::CaseMessage::Conflict { .. } => notice(message.text())?,
            }
        }
        for text in drift_notices(&files) {
            notice(text)?;
        }
        Ok(Combined {
            data: CoverageData {
                branch_coverage: self.branch_coverage,
                sources: self.sources,
                root: None,
                attribution: options.attribution.as_ref().map(|d| d.name()),
                files,
            },
            inputs: self.inputs.into_iter().map(|r| r.outcome).collect(),
            notes,
            branch_inputs,
        })
    }
}

/// Move `theirs` into `mine`. Files both hold are merged in parallel: this
/// runs after the threads have read every input, so on its own it would
/// keep all but one core idle.
pub(super) fn absorb_files(mine: &mut FileMap, mut theirs: FileMap) {
    pair_files(mine, &mut theirs)
        .into_par_iter()
        .for_each(|(running, file)| running.absorb(file));
    mine.extend(theirs);
}

/// Take each file of `theirs` that `mine` also holds, paired with
/// `mine`'s, to be merged in parallel; the files `mine` lacks stay in
/// `theirs`.
pub(super) fn pair_files<'m>(
    mine: &'m mut FileMap,
    theirs: &mut FileMap,
) -> Vec<(&'m mut RunningFile, RunningFile)> {
    let mut pairs = Vec::with_capacity(theirs.len().min(mine.len()));
    for (name, running) in mine.iter_mut() {
        if let Some(file) = theirs.remove(name) {
            pairs.push((running, file));
        }
    }
    pairs
}

/// A used input's size and, when asked for, its SHA-256.
fn content_hash(bytes: &[u8], options: &CombineOptions) -> (u64, Option<String>) {
    let sha256 = options.content_hashes.then(|| sha256_hex(bytes));
    (bytes.len() as u64, sha256)
}

/// Add one file's records, under its combined `name`, to `files`, and
/// count what it reported into `tally`.
fn add_file_records(
    files: &mut FileMap,
    index: usize,
    format: &'static str,
    name: String,
    records: &mut formats::FileRecords,
    tally: &mut Tally,
) {
    tally.count(records.lines.iter().map(|(_, h)| *h));
    if let Some(file) = &records.file {
        tally.count(file.lines.values().copied());
    }
    let acc = files.entry(name).or_default();
    // An input may list a file twice; it counts once, and its format is
    // noted once.
    if acc.last_input != Some(index) {
        acc.last_input = Some(index);
        tally.files += 1;
        acc.formats.insert(format);
    }
    let named = !records.numeric_branches.is_empty()
        || !records.arcs.is_empty()
        || (records.file.as_ref()).is_some_and(|f| !f.arcs.is_empty() || !f.branches.is_empty());
    if named {
        acc.branch_inputs.note(index, false, true);
    }
    acc.add_records(records);
}

/// The one group of `dimension` that every source of `data` is in, when
/// `data` can be attributed at the end with the rest of that group: it
/// names at least one source (one without any is "(unattributed)"),
/// carries no attribution of its own, and none of its files has outcomes
/// known only by count or Istanbul ranges (whose merge can cover what no
/// single input did). The union of such inputs covers exactly what each
/// covered, so a group's running result tells what the group covered.
fn one_group(data: &CoverageData, dimension: &Dimension) -> Option<String> {
    let plain = data.attribution.is_none()
        && data.files.values().all(|f| {
            f.covered_by.is_empty()
                && f.branch_locs.is_empty()
                && f.arc_lines.is_empty()
                && f.branch_counts.is_empty()
        });
    let (first, rest) = data.sources.split_first().filter(|_| plain)?;
    let group = dimension.group_of(first);
    rest.iter()
        .all(|s| dimension.group_of(s) == group)
        .then_some(group)
}

/// A source with no platform, host, worker or label: every dimension puts
/// it in its unknown group.
fn names_no_worker(source: &Source) -> bool {
    source.platform.is_none()
        && source.host.is_none()
        && source.worker.is_none()
        && source.labels.is_empty()
}

/// Files measured by different tool families, sorted by name.
fn file_notices(files: &FileMap) -> Vec<String> {
    let mut names: Vec<&String> = files.keys().collect();
    names.sort();
    let mut out = Vec::new();
    for name in &names {
        if let Some(formats) = producer_mix(name, &files[*name].formats) {
            out.push(format!(
                "{name}: measured by different tools ({formats}); they instrument different \
                 lines and branches, so its numbers mix two views of the same source"
            ));
        }
    }
    // Files whose statements stay unknown: crate::pyanalysis (analysis
    // with --python, or the note that leaves them out of the table).
    out
}

/// For files whose branch outcomes came by count from some inputs and by
/// name from others: the first input of each kind (`a.xml`, or `a.xml and
/// 2 more`), as the warning of [`crate::model::branches::warnings`] names them.
fn branch_input_names(
    files: &FileMap,
    inputs: &[InputRecord],
) -> BTreeMap<String, (String, String)> {
    let describe = |(index, n): (usize, usize)| -> String {
        let path = inputs
            .iter()
            .find(|r| r.index == index)
            .map(|r| crate::sanitize::line(&r.outcome.path.display().to_string()).into_owned())
            .unwrap_or_else(|| format!("input {}", index + 1));
        match n {
            1 => path,
            n => format!("{path} and {} more", n - 1),
        }
    };
    files
        .iter()
        .filter_map(|(name, f)| {
            let (count_only, named) = (f.branch_inputs.count_only?, f.branch_inputs.named?);
            Some((name.clone(), (describe(count_only), describe(named))))
        })
        .collect()
}

/// Files whose workers ran different code (different source hashes).
fn drift_notices(files: &BTreeMap<String, FileCoverage>) -> Vec<String> {
    let drifted = files.iter().filter(|(_, f)| f.source_hashes.len() > 1);
    drifted
        .map(|(name, file)| {
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
            format!(
                "{name}: the workers ran different code (the source file differs): {}",
                sides.join(" | ")
            )
        })
        .collect()
}

/// What a read of one input found: for its manifest entry, and how it
/// spelled its files.
#[derive(Default)]
struct Tally {
    branches: bool,
    statements: usize,
    covered: usize,
    /// How many files the input contributed, by combined name.
    files: usize,
    /// How it spelled each file it listed, for [`crate::names::NameOrigins`].
    spellings: Vec<Spelling>,
}

impl Tally {
    fn count(&mut self, hits: impl Iterator<Item = u64>) {
        for h in hits {
            self.statements += 1;
            self.covered += usize::from(h > 0);
        }
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

/// The different tool families that measured `name`, when there are
/// several. coverage.py's own formats (JSON, LCOV, XML, raw data) count as
/// one family for Python files. covmerge's own data files carry what other
/// tools measured, so they are no family of their own: an `-o` file of
/// LCOV inputs combined again with more LCOV is no mix.
fn producer_mix(name: &str, formats: &std::collections::BTreeSet<&'static str>) -> Option<String> {
    let families: Vec<&str> = formats
        .iter()
        .copied()
        .filter(|f| *f != formats::InputFormat::name(&formats::native::Native))
        .collect();
    if families.len() < 2 || name.ends_with(".py") || name.ends_with(".pyw") {
        return None;
    }
    Some(families.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs wholly in one group whose coverage adds up plainly take the
    /// attributed-at-the-end path, bare reports in the unknown group;
    /// anything spanning groups, with no source, carrying its own
    /// attribution, or with count-only or Istanbul branches does not.
    #[test]
    fn inputs_in_one_group_that_add_up_plainly_are_attributed_at_the_end() {
        let bare = || CoverageData {
            sources: vec![Source {
                converted_from: Some("coverage.py data 7".into()),
                ..Default::default()
            }],
            files: [("a.py".to_string(), FileCoverage::default())].into(),
            ..Default::default()
        };
        let platform = Dimension::Platform;
        let group = |data: &CoverageData| one_group(data, &platform);
        assert_eq!(group(&bare()).as_deref(), Some("(unknown platform)"));
        let mut no_sources = bare();
        no_sources.sources.clear();
        assert_eq!(group(&no_sources), None, "attributed as \"(unattributed)\"");
        let mut worker = bare();
        worker.sources[0].platform = Some("platform linux".into());
        assert_eq!(group(&worker).as_deref(), Some("platform linux"));
        let mut two = worker.clone();
        two.sources.push(two.sources[0].clone());
        two.sources[1].worker = Some("gw1".into());
        assert_eq!(group(&two).as_deref(), Some("platform linux"));
        assert_eq!(one_group(&two, &Dimension::Worker), None, "two workers");
        two.sources[1].platform = Some("platform win32".into());
        assert_eq!(group(&two), None, "two platforms");
        let mut labelled = bare();
        labelled.sources[0]
            .labels
            .insert("job".into(), "py311".into());
        assert_eq!(group(&labelled).as_deref(), Some("(unknown platform)"));
        let job = Dimension::Label("job".into());
        assert_eq!(one_group(&labelled, &job).as_deref(), Some("py311"));
        let mut combined = worker.clone();
        combined.attribution = Some("platform".into());
        assert_eq!(group(&combined), None);
        let mut counted = worker.clone();
        let file = counted.files.get_mut("a.py").unwrap();
        file.branch_counts.insert(3, Default::default());
        assert_eq!(group(&counted), None);
        let mut istanbul = worker;
        let file = istanbul.files.get_mut("a.py").unwrap();
        file.branch_locs.insert(
            (3, crate::model::BranchId::Num(0)),
            crate::model::branches::IstanbulLoc {
                key: (3, 1, 3, 9),
                span: (3, 1, 3, 9),
            },
        );
        assert_eq!(group(&istanbul), None);
    }

    #[test]
    fn covmerge_data_files_are_no_tool_family() {
        let set = |f: &[&'static str]| f.iter().copied().collect();
        assert_eq!(producer_mix("a.c", &set(&["covmerge", "LCOV"])), None);
        assert_eq!(
            producer_mix("a.c", &set(&["covmerge", "LCOV", "gcov JSON"])).as_deref(),
            Some("LCOV, gcov JSON")
        );
        assert_eq!(producer_mix("a.py", &set(&["LCOV", "Cobertura"])), None);
    }

    /// Workers' data files added as records (the fast path) combine as
    /// their models do: the same files, worker roots stripped, each
    /// input's outcome, attributed by platform and by worker, on one
    /// thread and two. The model's path is taken by the same files with an
    /// escape in a skipped string (the scanner leaves those to serde). One
    /// input lists a file twice under two spellings of one name, which
    /// takes the model's path from both.
    #[test]
    fn data_files_read_as_records_combine_as_their_models_do() {
        use crate::model::{BranchId, Function};
        let dir = std::env::temp_dir().join(format!(
            "covmerge-records-{}",
            crate::output::unique_token()
        ));
        let (fast, slow) = (dir.join("fast"), dir.join("slow"));
        std::fs::create_dir_all(&fast).unwrap();
        std::fs::create_dir_all(&slow).unwrap();
        let (mut fast_paths, mut slow_paths) = (Vec::new(), Vec::new());
        for w in 0..12u32 {
            let root = format!("/ci/w{w}/proj");
            let mut data = CoverageData {
                branch_coverage: w % 5 != 0,
                root: Some(root.clone()),
                sources: vec![Source {
                    host: Some(format!("h{}", w % 2)),
                    worker: Some(format!("gw{w}")),
                    platform: Some(format!("platform p{}", w % 3)),
                    ..Default::default()
                }],
                ..Default::default()
            };
            for (i, name) in ["pkg/a.py", "pkg/b.c", "lib/c.py"].iter().enumerate() {
                if (w as usize + i) % 4 == 3 {
                    continue;
                }
                let mut file = FileCoverage::default();
                for line in 1..=20 {
                    file.lines.insert(line, u64::from((line * 7 + w) % 3));
                }
                file.arcs.insert((3, 4), Some(u64::from(w % 2)));
                file.arcs.insert((3, -1), Some(u64::from(w % 3)));
                let key = (5, BranchId::Num(0), BranchId::Num(w % 2));
                file.branches.insert(key, Some(1));
                file.branches.insert(
                    (6, "0".into(), "jump to line 9".into()),
                    Some(u64::from(w % 2)),
                );
                let hits = u64::from(w % 2);
                let f = Function {
                    start: 2,
                    end: None,
                    hits,
                };
                file.functions.insert("f".into(), f);
                let platform = format!("platform p{}", w % 3);
                file.source_hashes
                    .insert(format!("{:064}", w % 2), [platform].into());
                let spelled = match i % 2 {
                    0 => format!("{root}/{name}"),
                    _ => name.to_string(),
                };
                data.files.insert(spelled, file);
            }
            if w == 6 {
                let twice = data.files["/ci/w6/proj/pkg/a.py"].clone();
                data.files.insert("/ci/w6/proj/pkg/./a.py".into(), twice);
            }
            let text = crate::formats::native::to_string(&data);
            let name = format!("w{w:02}.covmerge.json");
            std::fs::write(fast.join(&name), &text).unwrap();
            let escaped = text.replacen("\"producer\":\"c", "\"producer\":\"\\u0063", 1);
            let records = |text: &str| {
                let read = crate::formats::fast_read(text.as_bytes());
                matches!(read, Some(FastRead::Records(..)))
            };
            assert!(records(&text) && !records(&escaped), "{text}");
            std::fs::write(slow.join(&name), escaped).unwrap();
            fast_paths.push(fast.join(&name));
            slow_paths.push(slow.join(&name));
        }
        let outcome = |i: &InputOutcome| {
            let name = i.path.file_name().map(|n| n.to_owned());
            (
                name,
                i.status.clone(),
                i.format,
                i.sources.clone(),
                i.files,
                i.statements,
                i.covered,
            )
        };
        for attribution in [None, Some(Dimension::Platform), Some(Dimension::Worker)] {
            let options = CombineOptions {
                attribution: attribution.clone(),
                ..Default::default()
            };
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let combine = |paths: &[PathBuf]| {
                    let mut warnings = Vec::new();
                    let combined = pool
                        .install(|| {
                            super::super::combine_files(paths, &options, &mut |w| {
                                warnings.push(w.replace("/fast/", "/").replace("/slow/", "/"))
                            })
                        })
                        .unwrap();
                    (combined, warnings)
                };
                let ((fast, fast_warnings), (slow, slow_warnings)) =
                    (combine(&fast_paths), combine(&slow_paths));
                let what = format!("{attribution:?}, {threads} threads");
                assert_eq!(fast.data, slow.data, "{what}");
                assert_eq!(fast.notes, slow.notes, "{what}");
                assert_eq!(fast_warnings, slow_warnings, "{what}");
                let outcomes = |c: &Combined| c.inputs.iter().map(outcome).collect::<Vec<_>>();
                assert_eq!(outcomes(&fast), outcomes(&slow), "{what}");
                assert_eq!(
                    fast.data.files.len(),
                    3,
                    "roots stripped: {:?}",
                    fast.data.files.keys()
                );
                assert_eq!(fast.inputs[6].files, 2, "a.py counted once");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The first of two byte-identical inputs is rejected after it was
    /// hashed (here: changed in between): its duplicate, skipped as a
    /// duplicate, is read in its place, so its data is not lost.
    #[test]
    fn a_duplicate_of_a_rejected_input_is_read_in_its_place() {
        let dir =
            std::env::temp_dir().join(format!("covmerge-orphan-{}", crate::output::unique_token()));
        std::fs::create_dir_all(&dir).unwrap();
        let paths = [dir.join("a.info"), dir.join("b.info")];
        for p in &paths {
            std::fs::write(p, "SF:src/a.c\nDA:1,1\nDA:2,0\nend_of_record\n").unwrap();
        }
        let (duplicates, hashes) = super::super::dedupe::find_duplicates(&paths);
        assert_eq!(duplicates.get(&1), Some(&0));
        std::fs::write(&paths[0], "not coverage data").unwrap();
        let options = CombineOptions::default();
        let mut acc = Accumulator::default();
        acc.read_input(0, &paths[0], &options);
        acc.duplicate(1, &paths[1], &paths[0], hashes.get(&1));
        let combined = acc
            .read_orphans(&paths, &duplicates, &hashes, &options)
            .finish(&options, &mut |_| {})
            .unwrap();
        let statuses: Vec<_> = combined.inputs.iter().map(|i| i.status.clone()).collect();
        assert!(
            matches!(statuses[0], InputStatus::Rejected { .. }),
            "{statuses:?}"
        );
        assert_eq!(statuses[1], InputStatus::Used);
        assert_eq!(combined.data.files["src/a.c"].lines.len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
