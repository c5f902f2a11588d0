//! One file's running result in a combine: line hits in dense arrays while
//! the lines are dense, numeric branches and arcs in sorted lists, the rest
//! in the model. Adding an input is then a linear pass, not a tree insert
//! per record; [`RunningFile::into_file`] turns it back into the model.

use std::collections::BTreeMap;

use crate::formats::{FileRecords, RegionRecord};
use crate::model::{
    add_hits, add_taken, BranchId, FileCoverage, Function, GroupCoverage, Region, RegionKind, Taken,
};

/// One file's running result. Line hits are kept in a dense vector indexed
/// by line number while the lines are dense enough, which makes adding an
/// input a linear pass instead of a tree insert per line.
#[derive(Default)]
pub(super) struct RunningFile {
    hits: Vec<u64>,
    present: Vec<bool>,
    statements: usize,
    /// Everything else, and the lines once they turn out to be sparse.
    pub(super) rest: FileCoverage,
    sparse: bool,
    /// Nothing added yet (an empty `rest` is not "known with no statements").
    has_data: bool,
    /// The input formats that measured this file, to warn when different
    /// tools did (gcc and clang, say, instrument different lines).
    pub(super) formats: std::collections::BTreeSet<&'static str>,
    /// Which inputs gave branch outcomes only by count, and which named
    /// them, for the warning when the two meet.
    pub(super) branch_inputs: BranchInputs,
    /// Numeric LCOV branches ((line, block, branch), taken), sorted and
    /// unique; turned into the model's branches at the end.
    numeric_branches: Vec<((u32, u32, u32), Taken)>,
    /// coverage.py arcs from the JSON fast path, sorted and unique.
    arc_list: Vec<((u32, i64), Taken)>,
    /// The functions added by position, while every input wrote the same
    /// names in the same order. Kept apart from `rest.functions` (which
    /// other formats' inputs of the same file may fill meanwhile) until
    /// `settle_functions` merges them in, before anything reads the whole.
    as_read: Option<FunctionsAsRead>,
    /// An input's functions did not match the ones before: no more
    /// adding by position for this file.
    as_read_failed: bool,
    /// The input (by index) that added to this file last: each input's
    /// files are counted once without keeping their names.
    pub(super) last_input: Option<usize>,
}

/// A file's functions added by position. Each producer writes one source
/// file's functions in the same order every run, so once one input's list
/// (with no repeated name) is known, the next is compared name by name in
/// one walk over a single buffer and its hits added where they stand: no
/// sort and no lookup per input.
struct FunctionsAsRead {
    /// The names in the order written, one after the other.
    text: String,
    /// Where each name ends in `text`.
    ends: Vec<usize>,
    /// Each position's function merged over the inputs ([`Function::merge`]);
    /// `None` while no input gave it a start other than 0.
    merged: Vec<Option<Function>>,
}

impl FunctionsAsRead {
    /// The first input's list, when no name in it repeats (a repeat folds
    /// by the within-input rule, which adding by position cannot follow).
    fn first(list: &[(&str, Function)]) -> Option<Self> {
        let mut names: Vec<&str> = list.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
        let mut table = FunctionsAsRead {
            text: String::with_capacity(names.iter().map(|n| n.len()).sum()),
            ends: Vec::with_capacity(list.len()),
            merged: vec![None; list.len()],
        };
        for (name, _) in list {
            table.text.push_str(name);
            table.ends.push(table.text.len());
        }
        table.add(list);
        Some(table)
    }

    /// Whether `list` names the same functions in the same order.
    fn matches(&self, list: &[(&str, Function)]) -> bool {
        if list.len() != self.ends.len() {
            return false;
        }
        let mut start = 0;
        list.iter().zip(&self.ends).all(|((name, _), &end)| {
            let same = crate::formats::same_name(&self.text[start..end], name);
            start = end;
            same
        })
    }

    /// Add a list that [`FunctionsAsRead::matches`]; a function at line 0
    /// is dropped, as [`fold_functions`] drops it.
    fn add(&mut self, list: &[(&str, Function)]) {
        for (slot, (_, func)) in self.merged.iter_mut().zip(list) {
            if func.start == 0 {
                continue;
            }
            match slot {
                Some(merged) => merged.merge(func),
                None => *slot = Some(func.clone()),
            }
        }
    }

    /// Add `other`, another running result's table of the same names in
    /// the same order, position by position; false (nothing changed) when
    /// the names differ.
    fn absorb(&mut self, other: &FunctionsAsRead) -> bool {
        if self.ends != other.ends || self.text != other.text {
            return false;
        }
        for (slot, func) in self.merged.iter_mut().zip(&other.merged) {
            match (slot.as_mut(), func) {
                (Some(merged), Some(func)) => merged.merge(func),
                (None, func) => slot.clone_from(func),
                (Some(_), None) => {}
            }
        }
        true
    }

    /// Merge the functions into the model's map, by the same merge as any
    /// sorted list of a streaming reader ([`add_function_list`]).
    fn settle_into(self, mine: &mut BTreeMap<String, Function>) {
        let mut start = 0;
        let mut list: Vec<(&str, Function)> = Vec::with_capacity(self.merged.len());
        for (&end, func) in self.ends.iter().zip(self.merged) {
            if let Some(func) = func {
                list.push((&self.text[start..end], func));
            }
            start = end;
        }
        // Unique already (`first`); sorted here, as the merge expects.
        list.sort_unstable_by(|a, b| a.0.cmp(b.0));
        add_function_list(mine, list);
    }
}

/// The inputs (by index) behind a file's branch outcomes: the first of
/// each kind and how many, in constant space per file.
#[derive(Default, Clone, Copy)]
pub(super) struct BranchInputs {
    /// Outcomes known only by count (Cobertura `condition-coverage`,
    /// JaCoCo counters, coverage.py Cobertura's branch lines).
    pub(super) count_only: Option<(usize, usize)>,
    /// Outcomes each known by name (LCOV, JSON, gcov, raw data).
    pub(super) named: Option<(usize, usize)>,
    /// The input noted last, and which kinds it gave: an input that lists
    /// a file twice (lcov's own merge can) still counts once, and one
    /// input's records of a file all come before another input's.
    last: Option<(usize, bool, bool)>,
}

impl BranchInputs {
    /// Note what input `index` gave `file`.
    pub(super) fn note(&mut self, index: usize, count_only: bool, named: bool) {
        let bump = |slot: &mut Option<(usize, usize)>| {
            *slot = Some(match *slot {
                Some((first, n)) => (first.min(index), n + 1),
                None => (index, 1),
            });
        };
        let (had_count_only, had_named) = match self.last {
            Some((last, c, n)) if last == index => (c, n),
            _ => (false, false),
        };
        if count_only && !had_count_only {
            bump(&mut self.count_only);
        }
        if named && !had_named {
            bump(&mut self.named);
        }
        self.last = Some((index, count_only || had_count_only, named || had_named));
    }

    fn absorb(&mut self, other: BranchInputs) {
        let join = |a: Option<(usize, usize)>, b: Option<(usize, usize)>| match (a, b) {
            (Some((i, n)), Some((j, m))) => Some((i.min(j), n + m)),
            (a, b) => a.or(b),
        };
        self.count_only = join(self.count_only, other.count_only);
        self.named = join(self.named, other.named);
    }
}

impl RunningFile {
    /// Whether `count` more lines, none above `max`, go into the dense
    /// arrays. A line number far beyond the count (a bogus 2^31) must not
    /// make us allocate gigabytes: such files stay in the tree form.
    fn stays_dense(&self, max: usize, count: usize) -> bool {
        !self.sparse && max <= 8 * (self.statements + count) + 4096
    }

    fn add_lines(&mut self, lines: BTreeMap<u32, u64>) {
        let Some((&max, _)) = lines.last_key_value() else {
            return;
        };
        let max = max as usize;
        if !self.stays_dense(max, lines.len()) {
            self.make_sparse();
            self.rest.merge(FileCoverage {
                lines,
                ..self.piece()
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
        // Locals, not fields: a store through `present` (bytes) may alias
        // any field, so the loop reloaded both vectors' pointers per line.
        let (hits, present) = (&mut self.hits[..], &mut self.present[..]);
        let mut statements = self.statements;
        for (l, h) in lines {
            let l = l as usize;
            if !present[l] {
                present[l] = true;
                statements += 1;
            }
            hits[l] = add_hits(hits[l], h);
        }
        self.statements = statements;
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
                ..self.piece()
            });
        }
    }

    /// An empty file to carry part of this file's own data (lines or
    /// branches from the dense arrays and lists) into `rest`: it has
    /// `rest`'s statement flags, so that the model's merge unites the two.
    /// (A piece of raw data marked known would restrict `rest` to it.)
    fn piece(&self) -> FileCoverage {
        FileCoverage {
            statements_unknown: self.rest.statements_unknown,
            raw_mapped: self.rest.raw_mapped,
            ..Default::default()
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

    /// One file from a streaming reader: its flat lists go straight into
    /// the dense arrays and sorted lists. What is kept is taken; the lists
    /// added from are left empty, for the reader to fill again.
    pub(super) fn add_records(&mut self, records: &mut FileRecords<'_>) {
        // A thread's running files outgrow the core's cache (about 3 MB
        // for 1,000 files), and each input visits them all: ask for every
        // line of this file's arrays at once, not one miss at a time as
        // the adds below reach them.
        prefetch(&self.hits);
        prefetch(&self.present);
        prefetch(&self.numeric_branches);
        if let Some(table) = &self.as_read {
            prefetch(table.text.as_bytes());
            prefetch(&table.ends);
            prefetch(&table.merged);
        }
        let unknown = records.file.as_ref().is_some_and(|f| f.statements_unknown);
        if self.rest.statements_unknown || unknown {
            let (_, file) = std::mem::take(records).into_file();
            return self.add(file);
        }
        // The rest first: it may replace an empty `rest` wholesale. No rest
        // (LCOV) adds nothing once the file has data.
        match records.file.take() {
            Some(mut file) => {
                if self.has_data && merge_same_functions(&mut self.rest.functions, &file.functions)
                {
                    file.functions.clear();
                }
                self.add(file);
            }
            None if !self.has_data => self.add(FileCoverage::default()),
            None => {}
        }
        if records.functions_as_read {
            self.add_functions_as_read(&mut records.functions);
        } else {
            self.settle_functions();
            add_function_list(
                &mut self.rest.functions,
                std::mem::take(&mut records.functions),
            );
        }
        add_region_list(&mut self.rest.regions, std::mem::take(&mut records.regions));
        self.add_line_list(&mut records.lines);
        merge_sorted_list(&mut self.numeric_branches, &mut records.numeric_branches);
        merge_sorted_list(&mut self.arc_list, &mut records.arcs);
    }

    /// Functions in the order an input wrote them: by position when they
    /// are the names of the inputs before, sorted and folded otherwise.
    /// `list` is left empty.
    fn add_functions_as_read(&mut self, list: &mut Vec<(&str, Function)>) {
        if list.is_empty() {
            return;
        }
        if let Some(table) = self.as_read.as_mut() {
            if table.matches(list) {
                table.add(list);
                list.clear();
                return;
            }
        } else if !self.as_read_failed && self.rest.functions.is_empty() {
            self.as_read = FunctionsAsRead::first(list);
            if self.as_read.is_some() {
                list.clear();
                return;
            }
        }
        self.as_read_failed = true;
        self.settle_functions();
        let folded = crate::formats::fold_functions(std::mem::take(list));
        add_function_list(&mut self.rest.functions, folded);
    }

    /// Move the functions added by position into `rest`, before anything
    /// else reads or merges `rest.functions`.
    fn settle_functions(&mut self) {
        if let Some(table) = self.as_read.take() {
            table.settle_into(&mut self.rest.functions);
        }
    }

    /// Lines in any order, possibly repeated; `lines` is left empty.
    fn add_line_list(&mut self, lines: &mut Vec<(u32, u64)>) {
        let Some(max) = lines.iter().map(|(l, _)| *l as usize).max() else {
            return;
        };
        if !self.stays_dense(max, lines.len()) {
            let mut map: BTreeMap<u32, u64> = BTreeMap::new();
            for (l, h) in lines.drain(..) {
                let e = map.entry(l).or_insert(0);
                *e = add_hits(*e, h);
            }
            self.add_lines(map);
            return;
        }
        self.add_dense(max, lines.drain(..));
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
            ..self.piece()
        });
    }

    fn merge_rest(&mut self, file: FileCoverage) {
        if self.has_data {
            self.rest.merge(file);
        } else {
            self.rest = file;
            self.has_data = true;
        }
    }

    pub(super) fn add(&mut self, mut file: FileCoverage) {
        // Raw coverage.py data (statements unknown) meeting data whose
        // statements are known needs the model's own merge, which decides
        // what the raw side's hits keep. Raw data added to raw data is a
        // union, as known data added to known data is.
        if self.has_data && file.statements_unknown != self.rest.statements_unknown {
            self.make_sparse();
            self.flush_lists();
            self.merge_rest(file);
            return;
        }
        let lines = std::mem::take(&mut file.lines);
        // Arcs and numeric branches into the sorted lists, as streamed
        // records go: a list merge instead of a tree's, and a third of the
        // tree's memory in a running result (attribution keeps one per group).
        let mut arcs: Vec<_> = std::mem::take(&mut file.arcs).into_iter().collect();
        let mut numeric = Vec::new();
        if !file.branches.is_empty() {
            let branches = std::mem::take(&mut file.branches);
            numeric.reserve(branches.len());
            for (key, taken) in branches {
                match key {
                    (line, BranchId::Num(block), BranchId::Num(branch)) => {
                        numeric.push(((line, block, branch), taken))
                    }
                    other => {
                        file.branches.insert(other, taken);
                    }
                }
            }
        }
        // The rest first: it may replace an empty `rest` wholesale.
        self.merge_rest(file);
        self.add_lines(lines);
        merge_sorted_list(&mut self.numeric_branches, &mut numeric);
        merge_sorted_list(&mut self.arc_list, &mut arcs);
    }

    pub(super) fn absorb(&mut self, mut other: RunningFile) {
        if !other.has_data {
            return;
        }
        self.absorb_functions_as_read(&mut other);
        self.formats.append(&mut other.formats);
        let inputs = std::mem::take(&mut other.branch_inputs);
        self.branch_inputs.absorb(inputs);
        let mut numeric = std::mem::take(&mut other.numeric_branches);
        merge_sorted_list(&mut self.numeric_branches, &mut numeric);
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
        let mut arcs = std::mem::take(&mut other.arc_list);
        merge_sorted_list(&mut self.arc_list, &mut arcs);
        // The other thread's dense lines straight into ours, no map between.
        if let Some(max) = other.present.iter().rposition(|&p| p) {
            if self.stays_dense(max, other.statements) {
                self.add_dense(max, other.take_dense());
            } else {
                let lines: BTreeMap<u32, u64> = other.take_dense().collect();
                self.add_lines(lines);
            }
        }
        if merge_same_functions(&mut self.rest.functions, &other.rest.functions) {
            other.rest.functions.clear();
        }
        self.rest.merge(other.rest);
    }

    /// Before absorbing `other`: when both added their inputs' functions by
    /// position under the same names (each thread read inputs of the same
    /// source), add the tables position by position, to be settled once at
    /// the end; otherwise settle both.
    fn absorb_functions_as_read(&mut self, other: &mut RunningFile) {
        if let (Some(mine), Some(theirs)) = (&mut self.as_read, &mut other.as_read) {
            if mine.absorb(theirs) {
                other.as_read = None;
                return;
            }
        }
        self.settle_functions();
        other.settle_functions();
    }

    /// Absorb `other`, the running result of inputs that are all in
    /// `group`, as one input of that group: it covered what their union
    /// covered.
    pub(super) fn absorb_as_group(&mut self, mut other: RunningFile, group: &str) {
        if !other.has_data {
            return;
        }
        self.formats.append(&mut other.formats);
        self.branch_inputs.absorb(other.branch_inputs);
        let mut file = other.into_file();
        let covered = GroupCoverage::of(&file);
        file.covered_by.insert(group.to_string(), covered);
        self.add(file);
    }

    pub(super) fn into_file(mut self) -> FileCoverage {
        self.settle_functions();
        let dense: BTreeMap<u32, u64> = self.take_dense().collect();
        let numeric = std::mem::take(&mut self.numeric_branches);
        let arcs = std::mem::take(&mut self.arc_list);
        let piece = self.piece();
        let mut file = self.rest;
        if !arcs.is_empty() {
            file.merge(FileCoverage {
                arcs: arcs.into_iter().collect(),
                ..piece.clone()
            });
        }
        if !numeric.is_empty() {
            file.merge(FileCoverage {
                branches: numeric
                    .into_iter()
                    .map(|((l, b, i), t)| ((l, BranchId::Num(b), BranchId::Num(i)), t))
                    .collect(),
                ..piece.clone()
            });
        }
        if !dense.is_empty() {
            file.merge(FileCoverage {
                lines: dense,
                ..piece
            });
        }
        file
    }
}

/// When `other` names exactly the functions `mine` does (every input of one
/// source does), add it in one walk over both maps, as the model's merge
/// would, without a lookup per function; false (nothing changed) otherwise.
fn merge_same_functions(
    mine: &mut BTreeMap<String, Function>,
    other: &BTreeMap<String, Function>,
) -> bool {
    if mine.is_empty() || mine.len() != other.len() || !mine.keys().eq(other.keys()) {
        return false;
    }
    for (mine, func) in mine.values_mut().zip(other.values()) {
        mine.merge(func);
    }
    true
}

/// Add a streaming reader's functions (sorted by name, unique, names
/// borrowed from the input) to `mine`. When they are the functions `mine`
/// has (every input of one source names the same ones) it is one walk
/// over both; otherwise one lookup per function. A name is copied only
/// when it is new.
fn add_function_list(mine: &mut BTreeMap<String, Function>, list: Vec<(&str, Function)>) {
    if list.is_empty() {
        return;
    }
    if mine.is_empty() {
        // Sorted and unique: the map is built in one pass.
        *mine = list
            .into_iter()
            .map(|(name, func)| (name.to_string(), func))
            .collect();
        return;
    }
    let same = |(a, (b, _)): (&String, &(&str, Function))| crate::formats::same_name(a, b);
    if mine.len() == list.len() && mine.keys().zip(&list).all(same) {
        for (func, (_, other)) in mine.values_mut().zip(&list) {
            func.merge(other);
        }
        return;
    }
    for (name, func) in list {
        match mine.get_mut(name) {
            Some(m) => m.merge(&func),
            None => {
                mine.insert(name.to_string(), func);
            }
        }
    }
}

/// Add a streaming reader's regions (sorted by kind and name, unique,
/// names borrowed, lines sorted lists) to `mine`, as the model's merge of
/// the same regions would. When they are the regions `mine` has (every
/// input of one source names the same ones) it is one walk over both, and
/// a line list equal to the set already there is only compared; a name is
/// copied and a set built only when the region is new.
fn add_region_list(mine: &mut BTreeMap<(RegionKind, String), Region>, list: Vec<RegionRecord<'_>>) {
    if list.is_empty() {
        return;
    }
    if mine.is_empty() {
        *mine = list.into_iter().map(RegionRecord::into_model).collect();
        return;
    }
    let same_keys = mine.len() == list.len()
        && mine
            .keys()
            .zip(&list)
            .all(|((kind, name), r)| *kind == r.kind && *name == r.name);
    if same_keys {
        for (region, other) in mine.values_mut().zip(list) {
            region.start_line = region.start_line.min(other.start_line);
            if region.lines.len() != other.lines.len() || !region.lines.iter().eq(&other.lines) {
                region.lines.extend(other.lines);
            }
            region.declared_branches = region.declared_branches.max(other.declared_branches);
        }
        return;
    }
    for record in list {
        let (key, region) = record.into_model();
        match mine.get_mut(&key) {
            Some(m) => m.merge(region),
            None => {
                mine.insert(key, region);
            }
        }
    }
}

/// Ask the processor to bring the first 4 KB of `slice` into its cache (a
/// longer stream the hardware's own prefetcher follows). A hint only:
/// nothing on other processors.
#[inline(always)]
fn prefetch<T>(slice: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = slice.as_ptr().cast::<i8>();
        for offset in (0..std::mem::size_of_val(slice).min(4096)).step_by(64) {
            // SAFETY: a prefetch reads and writes nothing and cannot fault;
            // the address is inside `slice` anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset)) }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = slice;
}

/// Merge `list` (any order) into the sorted, unique `mine`, adding the
/// values of equal keys; `list` is left empty. When both hold the same
/// keys, the usual case for reports of one source, it is one pass over
/// both and `list` keeps its room for the next input.
fn merge_sorted_list<K: Ord + Copy>(mine: &mut Vec<(K, Taken)>, list: &mut Vec<(K, Taken)>) {
    if list.is_empty() {
        return;
    }
    // The same keys as `mine` (sorted and unique, so then `list` is too):
    // added in place in one walk, with no sort check of `list` first. At
    // the first key that differs, the keys before it are added already and
    // the rest of `list` is merged below.
    let mut same = 0;
    if mine.len() == list.len() {
        for (a, b) in mine.iter_mut().zip(list.iter()) {
            if a.0 != b.0 {
                break;
            }
            a.1 = add_taken(a.1, b.1);
            same += 1;
        }
    }
    if same == list.len() {
        list.clear();
        return;
    }
    list.drain(..same);
    let mut list = std::mem::take(list);
    crate::model::sort_and_fold(&mut list, add_taken);
    if mine.is_empty() {
        *mine = list;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Merging a list (in any order, keys possibly repeated) into a sorted
    /// unique list adds as a map would: also when the two share their
    /// first keys and then differ (the in-place walk stops there).
    #[test]
    fn sorted_lists_merge_as_maps_do() {
        let t = |n: u64| if n == 9 { None } else { Some(n) };
        let cases: Vec<(Vec<u32>, Vec<u32>)> = vec![
            (vec![], vec![3, 1]),
            (vec![1, 2, 3], vec![]),
            (vec![1, 2, 3], vec![1, 2, 3]),
            (vec![1, 2, 3], vec![1, 2, 4]),
            (vec![1, 2, 3], vec![1, 5, 0]),
            (vec![1, 2, 3], vec![1, 1, 1]),
            (vec![1, 2, 3], vec![3, 2, 1]),
            (vec![1, 2, 3, 4], vec![1, 2, 3]),
            (vec![2, 4], vec![1, 2, 3, 4, 5]),
        ];
        for (mine_keys, list_keys) in cases {
            let mut mine: Vec<(u32, Taken)> = (mine_keys.iter())
                .map(|&k| (k, t(u64::from(k) % 10)))
                .collect();
            let mut list: Vec<(u32, Taken)> = (list_keys.iter().enumerate())
                .map(|(i, &k)| (k, t((i as u64 * 7 + 9) % 10)))
                .collect();
            let mut expected: BTreeMap<u32, Taken> = mine.iter().copied().collect();
            for &(k, v) in &list {
                let slot = expected.entry(k).or_insert(None);
                *slot = add_taken(*slot, v);
            }
            merge_sorted_list(&mut mine, &mut list);
            assert!(list.is_empty());
            let expected: Vec<(u32, Taken)> = expected.into_iter().collect();
            assert_eq!(mine, expected, "{mine_keys:?} + {list_keys:?}");
        }
    }

    /// Raw coverage.py data (statements unknown) added to raw data is a
    /// union kept in the dense arrays and lists; meeting data whose
    /// statements are known, it is merged by the model's rule. Any order
    /// of raw and known inputs, added or absorbed from another thread,
    /// gives what the model's merge gives in that order, also with a line
    /// far past the others (the tree form).
    #[test]
    fn raw_and_known_inputs_merge_as_the_model_does() {
        let raw = |lines: &[u32], arcs: &[(u32, i64)], mapped: bool| FileCoverage {
            statements_unknown: true,
            raw_mapped: mapped,
            lines: lines.iter().map(|l| (*l, 1)).collect(),
            arcs: arcs.iter().map(|a| (*a, Some(1))).collect(),
            ..Default::default()
        };
        let inputs = [
            raw(&[1, 2, 5, 7], &[(1, 2), (5, -1), (7, 8)], true),
            raw(&[2, 3, 9, 1_000_000], &[(2, 3), (9, -1)], false),
            raw(&[4, 5], &[(5, 6)], true),
            FileCoverage {
                lines: [(1, 0), (2, 3), (3, 0), (5, 0), (6, 0), (9, 0)].into(),
                arcs: [((5, 6), Some(0)), ((5, -1), None), ((2, 3), Some(2))].into(),
                ..Default::default()
            },
        ];
        let orders: [&[usize]; 9] = [
            &[0, 1],
            &[0, 2],
            &[0, 1, 2],
            &[0, 1, 3],
            &[3, 0, 1],
            &[0, 3, 1],
            &[2, 3, 0, 1],
            &[1, 0, 2, 3],
            &[3, 1],
        ];
        for order in orders {
            let mut want = inputs[order[0]].clone();
            let mut running = RunningFile::default();
            running.add(inputs[order[0]].clone());
            for &i in &order[1..] {
                want.merge(inputs[i].clone());
                running.add(inputs[i].clone());
            }
            assert_eq!(running.into_file(), want, "{order:?}");
            // The first input on one thread, the rest on another.
            let mut theirs = RunningFile::default();
            let mut rest = inputs[order[1]].clone();
            theirs.add(inputs[order[1]].clone());
            for &i in &order[2..] {
                rest.merge(inputs[i].clone());
                theirs.add(inputs[i].clone());
            }
            let mut want = inputs[order[0]].clone();
            want.merge(rest);
            let mut mine = RunningFile::default();
            mine.add(inputs[order[0]].clone());
            mine.absorb(theirs);
            assert_eq!(mine.into_file(), want, "{order:?}, absorbed");
        }
    }

    /// Streamed records of one group, absorbed at the end, give the group
    /// what attributing each input and merging would: the union of what
    /// each covered (lines, numeric branches, arcs; `-` and 0 are not
    /// covered), next to another group's file.
    #[test]
    fn a_group_absorbed_at_the_end_covers_the_union_of_its_inputs() {
        let record =
            |lines: &[(u32, u64)], branches: &[(u32, Taken)], arcs: &[(i64, Taken)]| FileRecords {
                name: "a.c".into(),
                lines: lines.to_vec(),
                numeric_branches: branches.iter().map(|&(l, t)| ((l, 0, 0), t)).collect(),
                arcs: arcs.iter().map(|&(to, t)| ((2, to), t)).collect(),
                ..Default::default()
            };
        let inputs = [
            record(
                &[(1, 1), (2, 0), (3, 0)],
                &[(2, Some(0)), (3, None)],
                &[(3, Some(1)), (-1, Some(0))],
            ),
            record(
                &[(1, 0), (2, 0), (3, 5)],
                &[(2, Some(2)), (3, None)],
                &[(3, Some(0)), (-1, Some(0))],
            ),
        ];
        let other = FileCoverage {
            lines: [(1, 0), (4, 1)].into(),
            covered_by: [(
                "other".to_string(),
                GroupCoverage {
                    lines: [4].into(),
                    ..Default::default()
                },
            )]
            .into(),
            ..Default::default()
        };
        // Expected: each input attributed on its own, then merged.
        let mut want = other.clone();
        for input in inputs.iter().map(|r| FileRecords {
            name: r.name.clone(),
            lines: r.lines.clone(),
            numeric_branches: r.numeric_branches.clone(),
            arcs: r.arcs.clone(),
            ..Default::default()
        }) {
            let (_, mut file) = input.into_file();
            file.covered_by.insert("g".into(), GroupCoverage::of(&file));
            want.merge(file);
        }
        let mut streamed = RunningFile::default();
        for mut input in inputs {
            streamed.add_records(&mut input);
        }
        let mut running = RunningFile::default();
        running.add(other);
        running.absorb_as_group(streamed, "g");
        let got = running.into_file();
        assert_eq!(got, want);
        assert_eq!(got.covered_by["g"].lines, [1, 3].into());
    }

    fn functions(list: &[(&str, u32, Option<u32>, u64)]) -> BTreeMap<String, Function> {
        list.iter()
            .map(|&(n, start, end, hits)| (n.to_string(), Function { start, end, hits }))
            .collect()
    }

    /// The one-walk merge gives what the model's merge gives, and leaves
    /// maps with different names to it.
    #[test]
    fn same_functions_merge_as_the_model_does() {
        let a = functions(&[
            ("f", 3, None, 1),
            ("g", 9, Some(12), 0),
            ("h", 20, Some(30), 2),
        ]);
        let b = functions(&[
            ("f", 2, Some(5), 4),
            ("g", 10, None, 1),
            ("h", 20, Some(31), 0),
        ]);
        let mut model = FileCoverage {
            functions: a.clone(),
            ..Default::default()
        };
        model.merge(FileCoverage {
            functions: b.clone(),
            ..Default::default()
        });
        let mut walked = a.clone();
        assert!(merge_same_functions(&mut walked, &b));
        assert_eq!(walked, model.functions);

        let other = functions(&[("f", 3, None, 1), ("x", 9, None, 0), ("h", 20, None, 2)]);
        let mut untouched = a.clone();
        assert!(!merge_same_functions(&mut untouched, &other));
        assert_eq!(untouched, a);
    }

    /// A reader's borrowed function list gives what the model's merge of
    /// the same functions gives: into nothing, onto the same names (one
    /// walk) and onto different names (new ones copied).
    #[test]
    fn function_lists_merge_as_the_model_does() {
        let a = functions(&[("f", 3, None, 1), ("g", 9, Some(12), 0)]);
        for list in [
            vec![("f", 2, Some(5), 4), ("g", 10, None, 1)],
            vec![("e", 1, None, 1), ("g", 8, Some(20), 3), ("z", 40, None, 0)],
            vec![("f", 3, None, u64::MAX)],
        ] {
            let other: Vec<(&str, Function)> = list
                .iter()
                .map(|&(n, start, end, hits)| (n, Function { start, end, hits }))
                .collect();
            let owned: BTreeMap<String, Function> = other
                .iter()
                .map(|(n, f)| (n.to_string(), f.clone()))
                .collect();
            for start in [BTreeMap::new(), a.clone()] {
                let mut model = FileCoverage {
                    functions: start.clone(),
                    ..Default::default()
                };
                model.merge(FileCoverage {
                    functions: owned.clone(),
                    ..Default::default()
                });
                let mut walked = start.clone();
                add_function_list(&mut walked, other.clone());
                assert_eq!(walked, model.functions, "{start:?} + {list:?}");
            }
        }
    }
    /// Functions handed over as written give what folding each input's
    /// list and merging them in the model gives, whatever the sequence of
    /// inputs: the same order (added by position), another order, a
    /// repeated name, a function at line 0, other names, and a sorted list
    /// or another thread's result arriving in between.
    #[test]
    fn functions_as_read_merge_as_the_model_does() {
        let list =
            |items: &[(&'static str, u32, Option<u32>, u64)]| -> Vec<(&'static str, Function)> {
                items
                    .iter()
                    .map(|&(n, start, end, hits)| (n, Function { start, end, hits }))
                    .collect()
            };
        let same = list(&[("g", 9, None, 1), ("f", 3, Some(7), 0), ("h", 20, None, 2)]);
        let lists = [
            same.clone(),
            list(&[("g", 8, Some(12), 4), ("f", 3, None, 1), ("h", 21, None, 0)]),
            list(&[("f", 3, None, 5), ("g", 9, None, 1), ("h", 20, None, 2)]),
            list(&[("g", 9, None, 1), ("g", 4, Some(30), 2), ("h", 20, None, 2)]),
            list(&[("g", 0, None, 7), ("f", 3, Some(9), 0), ("h", 20, None, 2)]),
            list(&[("x", 1, None, 1)]),
            Vec::new(),
        ];
        let records = |functions: &Vec<(&'static str, Function)>, as_read: bool| FileRecords {
            name: "a.c".into(),
            functions: if as_read {
                functions.clone()
            } else {
                crate::formats::fold_functions(functions.clone())
            },
            functions_as_read: as_read,
            lines: vec![(1, 1)],
            ..Default::default()
        };
        // Every pair of lists after two of the same, each as written or
        // sorted, and with a second thread's result absorbed: the last two
        // inputs' or the first three's (where only the absorbed side may
        // hold functions added by position).
        for a in &lists {
            for b in &lists {
                for (as_read, absorb) in [
                    (true, None),
                    (false, None),
                    (true, Some(3..5)),
                    (true, Some(0..3)),
                ] {
                    let inputs = [&same, &same, a, b, &same];
                    let mut model = FileCoverage::default();
                    for input in inputs {
                        let folded = crate::formats::fold_functions(input.clone());
                        model.merge(FileCoverage {
                            functions: folded
                                .into_iter()
                                .map(|(n, f)| (n.to_string(), f))
                                .collect(),
                            ..Default::default()
                        });
                    }
                    let mut running = RunningFile::default();
                    let mut other = RunningFile::default();
                    for (i, input) in inputs.iter().enumerate() {
                        let target = if absorb.as_ref().is_some_and(|r| r.contains(&i)) {
                            &mut other
                        } else {
                            &mut running
                        };
                        target.add_records(&mut records(input, as_read || i != 2));
                    }
                    running.absorb(other);
                    let file = running.into_file();
                    assert_eq!(file.functions, model.functions, "{a:?} then {b:?}");
                }
            }
        }
    }

    /// A reader's region list gives what the model's merge of the same
    /// regions gives: into nothing, onto the same keys (one walk, equal and
    /// different lines) and onto different keys.
    #[test]
    fn region_lists_merge_as_the_model_does() {
        use std::borrow::Cow;
        let record = |kind, name: &'static str, start, lines: &[u32], declared| RegionRecord {
            kind,
            name: Cow::Borrowed(name),
            start_line: start,
            lines: lines.to_vec(),
            declared_branches: declared,
        };
        let f = RegionKind::Function;
        let c = RegionKind::Class;
        let start: BTreeMap<(RegionKind, String), Region> = [
            record(f, "", 1, &[1, 9], None),
            record(f, "f", 3, &[3, 4, 5], Some(2)),
            record(c, "C", 7, &[7, 8], None),
        ]
        .into_iter()
        .map(RegionRecord::into_model)
        .collect();
        for list in [
            vec![
                record(f, "", 1, &[1, 9], None),
                record(f, "f", 3, &[3, 4, 5], None),
                record(c, "C", 7, &[7, 8], Some(4)),
            ],
            vec![
                record(f, "", 2, &[2, 9], None),
                record(f, "f", 3, &[3, 6], Some(1)),
                record(c, "C", 6, &[], None),
            ],
            vec![
                record(f, "e", 1, &[1], None),
                record(f, "f", 2, &[2, 3], Some(9)),
                record(c, "D", 7, &[7], None),
            ],
        ] {
            for mine in [BTreeMap::new(), start.clone()] {
                let mut model = FileCoverage {
                    regions: mine.clone(),
                    ..Default::default()
                };
                model.merge(FileCoverage {
                    regions: list.iter().cloned().map(RegionRecord::into_model).collect(),
                    ..Default::default()
                });
                let mut walked = mine.clone();
                add_region_list(&mut walked, list.clone());
                assert_eq!(walked, model.regions, "{mine:?} + {list:?}");
            }
        }
    }
}
