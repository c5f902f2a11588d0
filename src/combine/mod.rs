//! Combining many inputs into one [`CoverageData`]: read each file, skip
//! exact duplicates, normalise its paths, union it into the result.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::error::Result;
use crate::model::{CoverageData, FileCoverage, Source};
use crate::paths::PathMapper;

mod accumulator;
mod dedupe;
mod groups;
mod running_file;

use accumulator::Accumulator;
use dedupe::find_duplicates;

/// What happened to one input.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum InputStatus {
    /// Read and combined.
    #[default]
    Used,
    /// Byte-identical to an input read before it.
    Duplicate {
        /// The input read first.
        of: PathBuf,
    },
    /// Not read: unreadable, corrupt or of an unknown format.
    Rejected {
        /// Why, with file and line.
        reason: String,
    },
}

/// One input of a combine and what became of it (the manifest's entry).
#[derive(Clone, Debug, Default)]
pub struct InputOutcome {
    /// The input as found.
    pub path: PathBuf,
    /// Used, duplicate or rejected.
    pub status: InputStatus,
    /// The reader that read it.
    pub format: Option<&'static str>,
    /// Size in bytes and SHA-256 (lower-case hex) of the bytes read.
    pub size: Option<u64>,
    /// SHA-256 of the bytes (lower-case hex), when computed.
    pub sha256: Option<String>,
    /// The workers the input describes (one for a recorded file, all of
    /// them for a combined file, none for a bare report).
    pub sources: Vec<Source>,
    /// What it contributed: source files, statements, statements covered.
    pub files: usize,
    /// Statements it reported.
    pub statements: usize,
    /// Statements it reported as run.
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

/// How to read and union the inputs.
/// Marks a `--debug-paths` line given to the warning callback: the caller
/// prints it as a debug line, not a warning.
pub const DEBUG_PREFIX: &str = "debug: ";

/// How to read and union the inputs.
#[derive(Clone, Debug, Default)]
pub struct CombineOptions {
    /// `[paths]` and `--map` rules, and worker roots.
    pub mapper: PathMapper,
    /// Any unreadable input, and any warning, is fatal.
    pub strict: bool,
    /// Report every path mapping on stderr.
    pub debug_paths: bool,
    /// Keep per-group attribution (`covered_by`) along this dimension.
    pub attribution: Option<crate::attribution::Dimension>,
    /// Compute every input's SHA-256 (for `--manifest`). Duplicate
    /// detection hashes only files that share a size and a sample, whatever this says.
    pub content_hashes: bool,
    /// Counts the inputs read so far, for a caller that shows progress
    /// (the library prints nothing).
    pub progress: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Where Python sources are read to put raw coverage.py data onto
    /// statements (`--source-root`, default the current directory).
    pub sources: std::sync::Arc<crate::pysource::Sources>,
}

/// The result of a combine.
#[derive(Debug, Default)]
pub struct Combined {
    /// The union of every used input, names normalised.
    pub data: CoverageData,
    /// Every input, in input order.
    pub inputs: Vec<InputOutcome>,
    /// Notes for the user that are not warnings (names merged by case).
    pub notes: Vec<String>,
    /// Per file whose branch outcomes came by count from some inputs and
    /// by name from others: (count-only inputs, named inputs), for
    /// [`crate::model::branches::warnings`].
    pub branch_inputs: BTreeMap<String, (String, String)>,
}

impl Combined {
    /// How many inputs have a status `pred` accepts.
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
    let results = per_thread(
        paths.par_iter().enumerate(),
        |acc: &mut Accumulator, (index, path)| {
            match duplicates.get(&index) {
                Some(first) => acc.duplicate(index, path, &paths[*first], hashes.get(&index)),
                None => acc.read_input(index, path, options),
            }
            options
                .progress
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        },
    );
    let acc = results
        .into_iter()
        .reduce(Accumulator::absorb)
        .unwrap_or_default()
        .read_orphans(paths, &duplicates, &hashes, options);
    acc.finish(options, warn)
}

/// Run `work` on every item in parallel, adding into one running `T` per
/// thread of the pool, kept in a slot indexed by the thread, and return the
/// running results. Rayon's `fold` makes one per split instead: many more
/// results to merge at the end (a tenth of a combine's time) and up to
/// twice the memory. A thread that finds its own slot busy (it stole this
/// item while waiting inside `work`, which holds the slot) gets a result of
/// its own for the item.
fn per_thread<I, T, F>(items: I, work: F) -> Vec<T>
where
    I: ParallelIterator,
    T: Default + Send,
    F: Fn(&mut T, I::Item) + Sync,
{
    use std::sync::{Mutex, PoisonError};
    let slots: Vec<Mutex<Option<T>>> = (0..rayon::current_num_threads())
        .map(|_| Mutex::new(None))
        .collect();
    let spare: Mutex<Vec<T>> = Mutex::new(Vec::new());
    items.for_each(|item| {
        let slot = rayon::current_thread_index()
            .and_then(|i| slots.get(i))
            .and_then(|slot| slot.try_lock().ok());
        match slot {
            Some(mut held) => work(held.get_or_insert_with(T::default), item),
            None => {
                let mut own = T::default();
                work(&mut own, item);
                spare
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(own);
            }
        }
    });
    let mut out: Vec<T> = slots
        .into_iter()
        .filter_map(|slot| slot.into_inner().unwrap_or_else(PoisonError::into_inner))
        .collect();
    out.extend(spare.into_inner().unwrap_or_else(PoisonError::into_inner));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every item is worked on exactly once, into at most one result per
    /// thread, also when `work` itself waits on parallel work (so that a
    /// thread can steal an item while its slot is held).
    #[test]
    fn per_thread_sees_every_item_once() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for nested in [false, true] {
                let results: Vec<Vec<usize>> = pool.install(|| {
                    per_thread((0..2000usize).into_par_iter(), |acc: &mut Vec<usize>, i| {
                        if nested && i % 7 == 0 {
                            let (a, b) = rayon::join(|| i, || i + 1);
                            assert_eq!(a + 1, b);
                        }
                        acc.push(i);
                    })
                });
                let mut all: Vec<usize> = results.iter().flatten().copied().collect();
                all.sort_unstable();
                assert_eq!(all, (0..2000).collect::<Vec<_>>(), "{threads} {nested}");
                if !nested {
                    assert!(results.len() <= threads, "{} results", results.len());
                }
            }
        }
    }
}
