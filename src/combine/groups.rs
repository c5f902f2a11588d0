//! With attribution on, one thread's running results of the inputs that
//! lie wholly in one group, per group. What a group covered is what the
//! union of its inputs covered, so a group is attributed once, from its
//! running result ([`RunningFile::absorb_as_group`]), not once per input:
//! a set per input and file, merged into the group's, cost as much as the
//! rest of the combine.

use rayon::prelude::*;

use super::accumulator::FileMap;
use super::running_file::RunningFile;

/// How many groups' running results a thread holds at once. Platforms
/// are a handful; workers can be thousands. Beyond this the group used
/// longest ago is attributed early; that is always correct (a group's
/// attribution is the union of its parts), only slower.
const GROUPS_HELD: usize = 8;

/// One thread's groups, at most [`GROUPS_HELD`] while inputs are read.
#[derive(Default)]
pub(super) struct HeldGroups {
    held: Vec<Held>,
    /// Counts the inputs given to a group, to find the one used longest ago.
    clock: u64,
    /// The groups this thread has met (see [`HeldGroups::met_before`]).
    met: std::collections::HashSet<String, foldhash::fast::RandomState>,
}

struct Held {
    group: String,
    files: FileMap,
    used: u64,
}

impl HeldGroups {
    /// Whether an input of `group` came to this thread before.
    fn met_before(&mut self, group: &str) -> bool {
        // Asked once per input: no copy of the name once it is known.
        self.met.contains(group) || !self.met.insert(group.to_string())
    }

    /// Whether an input of `group` is best held with its group: when the
    /// group was met before (it may have more inputs), or while there is
    /// room for it. A new group's input when all are held is attributed
    /// at once instead: with one input per group (workers, usually),
    /// holding each would only attribute the group used longest ago early
    /// in its place, and hold more memory. Measured on 64 recorded workers
    /// of 4 platforms: holding the first inputs too took `--by-platform`
    /// from 0.56 to 0.40 s and its peak from 114 to 84 MB, `--by worker`
    /// unchanged in time, its peak 148 -> 184 MB (eight one-input groups
    /// held a thread).
    pub(super) fn defers(&mut self, group: &str) -> bool {
        self.met_before(group) || self.held.len() < GROUPS_HELD
    }

    /// The running files of `group`. To make room for a new group when
    /// [`GROUPS_HELD`] are held, the one used longest ago is attributed
    /// into `attributed` first.
    pub(super) fn files(&mut self, group: String, attributed: &mut FileMap) -> &mut FileMap {
        self.clock += 1;
        let at = match self.held.iter().position(|h| h.group == group) {
            Some(at) => at,
            None => {
                let oldest = (0..self.held.len()).min_by_key(|&i| self.held[i].used);
                if let Some(oldest) = oldest.filter(|_| self.held.len() >= GROUPS_HELD) {
                    let Held { group, files, .. } = self.held.swap_remove(oldest);
                    for (name, running) in files {
                        (attributed.entry(name).or_default()).absorb_as_group(running, &group);
                    }
                }
                self.held.push(Held {
                    group,
                    files: FileMap::default(),
                    used: 0,
                });
                self.held.len() - 1
            }
        };
        self.held[at].used = self.clock;
        &mut self.held[at].files
    }

    /// Another thread's groups: a group both hold is absorbed file by file.
    pub(super) fn absorb(&mut self, other: HeldGroups) {
        for theirs in other.held {
            match self.held.iter_mut().find(|h| h.group == theirs.group) {
                Some(mine) => super::accumulator::absorb_files(&mut mine.files, theirs.files),
                None => self.held.push(theirs),
            }
        }
    }

    /// Attribute every group into `attributed`, each group's files in
    /// parallel (they are different files). The order of the groups does
    /// not matter: merging is commutative.
    pub(super) fn attribute_into(self, attributed: &mut FileMap) {
        for Held {
            group, mut files, ..
        } in self.held
        {
            let pairs = super::accumulator::pair_files(attributed, &mut files);
            let fresh: Vec<(String, RunningFile)> = (files.into_par_iter())
                .map(|(name, theirs)| {
                    let mut running = RunningFile::default();
                    running.absorb_as_group(theirs, &group);
                    (name, running)
                })
                .collect();
            (pairs.into_par_iter())
                .for_each(|(running, theirs)| running.absorb_as_group(theirs, &group));
            attributed.extend(fresh);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use crate::attribution::{attribute, Dimension};
    use crate::combine::{combine_files, normalize_paths, CombineOptions};
    use crate::model::{BranchId, CoverageData, FileCoverage, Function, Source};

    /// Recorded workers: 30 inputs over 11 platforms (some with one
    /// input, most with several; more than a thread holds), three files
    /// each with lines, branches, arcs and functions, some files missing.
    fn recorded_inputs(dir: &std::path::Path) -> Vec<PathBuf> {
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut paths = Vec::new();
        for w in 0..30u64 {
            let platform = format!("platform p{}", (w * 7) % 11);
            let mut data = CoverageData {
                branch_coverage: true,
                sources: vec![Source {
                    host: Some(format!("h{}", w % 3)),
                    worker: Some(format!("gw{w}")),
                    platform: Some(platform),
                    ..Default::default()
                }],
                ..Default::default()
            };
            for name in ["a.c", "b.c", "m.py"] {
                if next(5) == 0 {
                    continue;
                }
                let mut file = FileCoverage::default();
                for line in 1..=30u32 {
                    file.lines.insert(line, next(3) * next(4));
                }
                for line in [4u32, 9, 17] {
                    for arm in 0..2 {
                        let taken = [None, Some(0), Some(next(5) + 1)][next(3) as usize];
                        match name.ends_with(".py") {
                            true => file.arcs.insert((line, i64::from(line + 1 + arm)), taken),
                            false => file
                                .branches
                                .insert((line, BranchId::Num(0), BranchId::Num(arm)), taken),
                        };
                    }
                }
                for (f, start) in [("f", 2u32), ("g", 12)] {
                    let hits = next(3);
                    file.functions.insert(
                        f.to_string(),
                        Function {
                            start,
                            end: None,
                            hits,
                        },
                    );
                }
                data.files.insert(format!("/w{w}/proj/{name}"), file);
            }
            let path = dir.join(format!("w{w:02}.covmerge.json"));
            std::fs::write(&path, crate::formats::native::to_string(&data)).unwrap();
            paths.push(path);
        }
        paths
    }

    /// Attributing a group from its running result at the end gives what
    /// attributing every input at once and merging the models gives, on
    /// one thread and on several, by platform (several inputs a group,
    /// more groups than a thread holds) and by worker (one input a group).
    #[test]
    fn groups_attributed_at_the_end_match_each_input_attributed_at_once() {
        let dir =
            std::env::temp_dir().join(format!("covmerge-groups-{}", crate::output::unique_token()));
        std::fs::create_dir_all(&dir).unwrap();
        let paths = recorded_inputs(&dir);
        let mut aliases = crate::paths::PathAliases::default();
        aliases.add("*/proj/", "src/").unwrap();
        let mapper = crate::paths::PathMapper::new(aliases);
        for dimension in [Dimension::Platform, Dimension::Worker] {
            let mut expected: BTreeMap<String, FileCoverage> = BTreeMap::new();
            for path in &paths {
                let mut data = crate::formats::parse(path, &std::fs::read(path).unwrap())
                    .unwrap()
                    .data;
                assert_eq!(attribute(&mut data, &dimension), None);
                for (name, file) in normalize_paths(data, &mapper, |_, _, _| {}).files {
                    match expected.get_mut(&name) {
                        Some(mine) => mine.merge(file),
                        None => {
                            expected.insert(name, file);
                        }
                    }
                }
            }
            assert_eq!(expected.len(), 3);
            let options = CombineOptions {
                mapper: mapper.clone(),
                attribution: Some(dimension.clone()),
                ..Default::default()
            };
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let combined = pool
                    .install(|| combine_files(&paths, &options, &mut |w| panic!("{w}")))
                    .unwrap();
                assert_eq!(
                    combined.data.files, expected,
                    "{dimension:?}, {threads} threads"
                );
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
