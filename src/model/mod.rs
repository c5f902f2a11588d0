//! The coverage model every reader fills and every writer reads.
//!
//! A [`CoverageData`] is what one data file holds: where the data came from
//! ([`Source`]s) and per source file the measured lines, excluded lines,
//! branches and functions. Combining two values is [`CoverageData::merge`];
//! it is commutative and associative, so a combined file is a valid input to
//! another combine.

pub mod branches;

use std::collections::{BTreeMap, BTreeSet};

/// How the workers split the tests (pytest-xdist's `--dist` vocabulary).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// Workers ran different tests on one platform.
    Load,
    /// Every worker ran the whole suite, each on its own platform.
    Each,
    /// Not recorded.
    #[default]
    Unknown,
}

impl Mode {
    /// The mode as data files and flags spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Load => "load",
            Mode::Each => "each",
            Mode::Unknown => "unknown",
        }
    }

    /// `load`, `each` or `unknown`.
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "load" => Some(Mode::Load),
            "each" => Some(Mode::Each),
            "unknown" => Some(Mode::Unknown),
            _ => None,
        }
    }
}

/// One worker's contribution: who measured, where, and from what report.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    /// The host the worker ran on.
    pub host: Option<String>,
    /// pytest-cov's platform description, e.g. `platform linux, python 3.12.1-final-0`.
    pub platform: Option<String>,
    /// The worker id (pytest-xdist's `gw0`, a CI job name).
    pub worker: Option<String>,
    /// The directory the worker ran in; absolute paths under it become relative.
    pub root: Option<String>,
    /// How the workers split the tests.
    pub mode: Mode,
    /// Free labels (`--label KEY=VALUE`).
    pub labels: BTreeMap<String, String>,
    /// When the worker's data file was written (RFC 3339, UTC).
    pub created: Option<String>,
    /// The report format the data was converted from, e.g. `coverage.py json 3`.
    pub converted_from: Option<String>,
    /// The tool that wrote that report, e.g. `coverage.py 7.17.5`.
    pub producer: Option<String>,
}

/// Key of a coverage.py arc: source line and destination line. A negative
/// destination leaves the code object that starts at line `-to`.
pub type ArcKey = (u32, i64);

/// Key of a Go coverage block: start line, start column, end line, end column.
pub type StatementBlockKey = (u32, u32, u32, u32);

/// Key of a generic (LCOV-style) branch: line, block and branch id.
pub type BranchKey = (u32, BranchId, BranchId);

/// An LCOV block or branch id. Nearly all are small numbers (gcc, llvm,
/// Istanbul); those are kept without allocating, which matters when
/// millions of BRDA records are read. Anything else (lcov 2 flags like
/// `e0`, coverage.py's `jump to line 6`, expressions) is kept as text.
/// Numbers sort numerically and before text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BranchId {
    /// A small number (the usual case).
    Num(u32),
    /// Anything else, as written.
    Text(Box<str>),
}

impl BranchId {
    /// The id for `text`: a number when `text` is one in canonical form
    /// (no sign, no leading zero), so that it prints back unchanged.
    pub fn parse(text: &str) -> BranchId {
        let canonical = !text.is_empty()
            && text.bytes().all(|b| b.is_ascii_digit())
            && (text == "0" || !text.starts_with('0'));
        match text.parse::<u32>() {
            Ok(n) if canonical => BranchId::Num(n),
            _ => BranchId::Text(text.into()),
        }
    }
}

impl std::fmt::Display for BranchId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BranchId::Num(n) => write!(f, "{n}"),
            BranchId::Text(t) => f.write_str(t),
        }
    }
}

impl From<u32> for BranchId {
    fn from(n: u32) -> Self {
        BranchId::Num(n)
    }
}

impl From<&str> for BranchId {
    fn from(text: &str) -> Self {
        BranchId::parse(text)
    }
}

impl From<String> for BranchId {
    fn from(text: String) -> Self {
        BranchId::parse(&text)
    }
}

impl From<&String> for BranchId {
    fn from(text: &String) -> Self {
        BranchId::parse(text)
    }
}

/// How often a branch outcome was taken. `None` is LCOV's `-`: the
/// condition was never evaluated. It counts as not taken.
pub type Taken = Option<u64>;

/// A function as LCOV and coverage.py describe it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Function {
    /// The first line.
    pub start: u32,
    /// The last line, when the producer gives it.
    pub end: Option<u32>,
    /// Times entered.
    pub hits: u64,
}

impl Function {
    /// Add another input's record of the same function: hits summed, the
    /// smaller start and the larger end, so that the result does not
    /// depend on the order of the inputs. The one rule for merging a
    /// function across inputs.
    pub fn merge(&mut self, other: &Function) {
        self.hits = add_hits(self.hits, other.hits);
        self.start = self.start.min(other.start);
        self.end = match (self.end, other.end) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Which kind of code region a [`Region`] is (coverage.py's
/// `code_region_kinds`: the `functions` and `classes` of its JSON report).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionKind {
    /// A function (coverage.py's `functions`).
    Function,
    /// A class (coverage.py's `classes`).
    Class,
}

impl RegionKind {
    /// `function` or `class`.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionKind::Function => "function",
            RegionKind::Class => "class",
        }
    }

    /// `function` or `class`.
    pub fn parse(text: &str) -> Option<RegionKind> {
        match text {
            "function" => Some(RegionKind::Function),
            "class" => Some(RegionKind::Class),
            _ => None,
        }
    }
}

/// A function or class region of a Python file, as coverage.py's JSON
/// format 3 reports it: which measured lines belong to it. The key `""`
/// is the part of the file outside every region of that kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Region {
    /// coverage.py's `start_line` (the `def`/`class` line; for `""` the
    /// first line outside every region).
    pub start_line: u32,
    /// The statement and excluded lines of the region. Blank and comment
    /// lines are not known (coverage.py's JSON does not list them).
    pub lines: BTreeSet<u32>,
    /// The region's own `num_branches` when it exceeds the arcs listed for
    /// its lines (`# pragma: no branch`), like [`FileCoverage::declared_branches`].
    pub declared_branches: Option<u64>,
}

impl Region {
    /// Union: lines unioned, the smaller start line and the larger
    /// declared branch count kept (commutative and associative).
    pub fn merge(&mut self, other: Region) {
        self.start_line = self.start_line.min(other.start_line);
        // Usually the same lines (one source measured again): comparing
        // them is a walk, inserting them a search each.
        if self.lines.is_empty() {
            self.lines = other.lines;
        } else if self.lines != other.lines {
            self.lines.extend(other.lines);
        }
        self.declared_branches = self.declared_branches.max(other.declared_branches);
    }
}

/// Everything measured about one source file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileCoverage {
    /// Statement line -> hit count. The keys are the statements.
    pub lines: BTreeMap<u32, u64>,
    /// Lines excluded from measurement (e.g. `# pragma: no cover`).
    pub excluded: BTreeSet<u32>,
    /// coverage.py arcs of branch lines.
    pub arcs: BTreeMap<ArcKey, Taken>,
    /// Branches that are not arcs (LCOV `BRDA` from C, JS, Go tools).
    pub branches: BTreeMap<BranchKey, Taken>,
    /// coverage.py branch lines known from Cobertura: missed destinations
    /// and a count (see [`crate::model::branches`]). Folded into `arcs` by
    /// [`crate::model::branches::resolve`] before any analysis.
    pub arc_lines: BTreeMap<u32, crate::model::branches::ArcLine>,
    /// Branch outcomes known only by count (Cobertura `condition-coverage`
    /// of other producers, JaCoCo). Folded into `branches` likewise.
    pub branch_counts: BTreeMap<u32, crate::model::branches::BranchCount>,
    /// Istanbul branches keyed by location (block = [`crate::model::branches::located_block`]):
    /// where each is, for `nyc merge`'s container rule. Numbered by
    /// [`crate::model::branches::resolve`].
    pub branch_locs: BTreeMap<(u32, BranchId), crate::model::branches::IstanbulLoc>,
    /// Functions by name.
    pub functions: BTreeMap<String, Function>,
    /// The producer's own count of branch outcomes, when it can exceed the
    /// listed ones: coverage.py counts both exits of a `# pragma: no branch`
    /// line but lists only those that ran. The report uses the larger of
    /// this and the listed count; the unlisted outcomes count as covered.
    pub declared_branches: Option<u64>,
    /// Function and class regions by kind and name (coverage.py JSON format 3
    /// names: qualified, a repeated name gets `@<start line>`), including
    /// the `""` regions. Empty when no input knew them (LCOV, older JSON).
    pub regions: BTreeMap<(RegionKind, String), Region>,
    /// Content hashes of the source file as the workers had it (SHA-256,
    /// lower-case hex, of the file with CRLF read as LF), each with the
    /// platforms that had that content. Empty when no worker could read
    /// the source. More than one key means the workers ran different code.
    pub source_hashes: BTreeMap<String, BTreeSet<String>>,
    /// The input only knew which lines ran, not which lines are statements
    /// (coverage.py's raw `.coverage` data): `lines` holds executed lines
    /// with hits 1, and `arcs` every executed transition, not only those of
    /// branch lines. Merged with a file whose statements are known, the
    /// known side decides: see [`FileCoverage::merge`]. `false` (known) is
    /// the default, so every other reader needs no change.
    pub statements_unknown: bool,
    /// Raw data (statements unknown) whose lines and arc ends are already
    /// the first lines of their statements, mapped with the file's source
    /// (`pysource::Sources::map_raw`): merged with a known side, a line
    /// that is not one of its statements is dropped, as coverage.py drops
    /// it, not moved to the statement above.
    pub raw_mapped: bool,
    /// Raw lines or arc ends were moved to "the nearest statement above"
    /// without the source ([`FileCoverage::statement_of`]): the numbers
    /// may differ from coverage.py's.
    pub approximate: bool,
    /// Go coverprofile blocks, `(start line, start column, end line, end
    /// column)` -> `(statements, count)`: Go counts statements, not lines
    /// (`go tool cover -func`), and the lines alone cannot give that back.
    /// Empty for every other format.
    pub statement_blocks: BTreeMap<StatementBlockKey, (u32, u64)>,
    /// Who covered what: per attribution group (a platform, a worker or a
    /// label value, see [`CoverageData::attribution`]), the lines, arcs and
    /// branches it covered. Empty when attribution was not kept.
    pub covered_by: BTreeMap<String, GroupCoverage>,
    /// The words coverage.py's LCOV gave an exit arc (`return from function
    /// 'f'`, `exit class 'C'`, …), kept so a re-export says the same. Empty
    /// for every other input.
    pub exit_labels: BTreeMap<ArcKey, String>,
}

/// What one attribution group covered in one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupCoverage {
    /// Statement lines the group ran.
    pub lines: BTreeSet<u32>,
    /// Arcs the group took.
    pub arcs: BTreeSet<ArcKey>,
    /// Generic branch outcomes the group took.
    pub branches: BTreeSet<BranchKey>,
    /// coverage.py Cobertura branch lines: the destinations this group
    /// missed (its taken ones are not named); turned into `arcs` when the
    /// file's branches are resolved ([`crate::model::branches::resolve`]).
    pub arc_missed: BTreeMap<u32, BTreeSet<i64>>,
}

impl GroupCoverage {
    /// Everything `file` covered (hits or taken above 0).
    pub fn of(file: &FileCoverage) -> GroupCoverage {
        GroupCoverage {
            lines: file
                .lines
                .iter()
                .filter(|(_, h)| **h > 0)
                .map(|(l, _)| *l)
                .collect(),
            arcs: file
                .arcs
                .iter()
                .filter(|(_, t)| t.unwrap_or(0) > 0)
                .map(|(k, _)| *k)
                .collect(),
            branches: file
                .branches
                .iter()
                .filter(|(_, t)| t.unwrap_or(0) > 0)
                .map(|(k, _)| k.clone())
                // Count-only outcomes, as [`crate::model::branches::resolve`]
                // lays them out when no named outcomes meet them.
                .chain(file.branch_counts.iter().flat_map(|(line, c)| {
                    (0..c.covered).map(|i| (*line, BranchId::Num(0), BranchId::Num(i)))
                }))
                .collect(),
            arc_missed: file
                .arc_lines
                .iter()
                .map(|(line, al)| (*line, al.missed.clone()))
                .collect(),
        }
    }

    /// Union: what either covered.
    pub fn merge(&mut self, other: GroupCoverage) {
        self.lines.extend(other.lines);
        self.arcs.extend(other.arcs);
        self.branches.extend(other.branches);
        // Missed by the group only if missed in all of its inputs.
        for (line, missed) in other.arc_missed {
            match self.arc_missed.get_mut(&line) {
                Some(mine) => mine.retain(|d| missed.contains(d)),
                None => {
                    self.arc_missed.insert(line, missed);
                }
            }
        }
    }
}

/// The content of one data file: sources plus per-file coverage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoverageData {
    /// True when the inputs measured branches (coverage.py `--branch`, LCOV `BRDA`).
    pub branch_coverage: bool,
    /// Sorted, so that merging is commutative.
    pub sources: Vec<Source>,
    /// Directory against which absolute paths in `files` are made relative
    /// when combining. Set by `record`; a combined file has none because its
    /// paths are already normalised.
    pub root: Option<String>,
    /// Per source file (normalised name), its coverage.
    pub files: BTreeMap<String, FileCoverage>,
    /// The dimension of `FileCoverage::covered_by` (`platform`, `worker` or
    /// `label:KEY`), when attribution was kept.
    pub attribution: Option<String>,
}

/// Sum of two hit counts that sticks at `u64::MAX` instead of wrapping.
pub fn add_hits(a: u64, b: u64) -> u64 {
    a.saturating_add(b)
}

/// Combine two branch outcomes the way lcov does: `-` + `-` = `-`, `-` + n = n.
pub fn add_taken(a: Taken, b: Taken) -> Taken {
    match (a, b) {
        (None, None) => None,
        (Some(x), None) | (None, Some(x)) => Some(x),
        (Some(x), Some(y)) => Some(x.saturating_add(y)),
    }
}

/// Sort `(key, value)` pairs by key and fold the values of equal keys
/// with `add`, so the list can become a map in one bulk build. Already
/// sorted, unique lists (the usual case) are left as they are.
pub fn sort_and_fold<K: Ord + Copy, V: Copy>(list: &mut Vec<(K, V)>, add: fn(V, V) -> V) {
    if list.windows(2).all(|w| w[0].0 < w[1].0) {
        return;
    }
    list.sort_by_key(|(k, _)| *k);
    list.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 = add(kept.1, next.1);
        }
        same
    });
}

/// Merge map `other` into `into`, combining the values of equal keys.
fn merge_maps<K: Ord, V: Copy>(
    into: &mut BTreeMap<K, V>,
    other: BTreeMap<K, V>,
    add: fn(V, V) -> V,
) {
    if into.is_empty() {
        *into = other;
        return;
    }
    // Workers' reports of one file usually list the same keys (the same
    // branches of the same source): then the values are added in one pass
    // over both, without a tree search per key.
    if into.len() == other.len() && into.keys().eq(other.keys()) {
        for (mine, (_, v)) in into.values_mut().zip(other) {
            *mine = add(*mine, v);
        }
        return;
    }
    for (k, v) in other {
        match into.get_mut(&k) {
            Some(mine) => *mine = add(*mine, v),
            None => {
                into.insert(k, v);
            }
        }
    }
}

impl FileCoverage {
    /// No records and no flags: merging it into a file whose statements are
    /// known changes nothing. (Every field is named, so that a new one has
    /// to be considered here.)
    pub fn holds_nothing(&self) -> bool {
        let FileCoverage {
            lines,
            excluded,
            arcs,
            branches,
            arc_lines,
            branch_counts,
            branch_locs,
            functions,
            declared_branches,
            regions,
            source_hashes,
            statements_unknown,
            raw_mapped,
            approximate,
            statement_blocks,
            covered_by,
            exit_labels,
        } = self;
        lines.is_empty()
            && excluded.is_empty()
            && arcs.is_empty()
            && branches.is_empty()
            && arc_lines.is_empty()
            && branch_counts.is_empty()
            && branch_locs.is_empty()
            && functions.is_empty()
            && declared_branches.is_none()
            && regions.is_empty()
            && source_hashes.is_empty()
            && !statements_unknown
            && !raw_mapped
            && !approximate
            && statement_blocks.is_empty()
            && covered_by.is_empty()
            && exit_labels.is_empty()
    }

    /// Union `other` into `self`: hits are summed, excluded lines and
    /// branches unioned.
    ///
    /// When exactly one side's statements are unknown (see
    /// [`FileCoverage::statements_unknown`]), that side's executed lines
    /// that are not statements of the known side, and its arcs that are not
    /// branch arcs of the known side, are dropped first: the known side has
    /// the statement list (coverage.py leaves out excluded and docstring
    /// lines that the raw data can still list), the other only adds hits.
    /// The result is unknown only when both sides are.
    pub fn merge(&mut self, mut other: FileCoverage) {
        // Another thread's rest of an LCOV file is usually this (the records
        // are in flat lists, the functions were just merged by position),
        // and walking seventeen empty maps cost 1% of an LCOV combine.
        // Unknown statements of ours would be restricted.
        if !self.statements_unknown && other.holds_nothing() {
            return;
        }
        match (self.statements_unknown, other.statements_unknown) {
            (false, true) => other.restrict_to(self),
            (true, false) => {
                self.restrict_to(&other);
                self.statements_unknown = false;
                self.raw_mapped = false;
            }
            (true, true) => self.raw_mapped &= other.raw_mapped,
            (false, false) => {}
        }
        self.approximate |= other.approximate;
        // Istanbul (c8): a range one input lacks ran as often as its
        // nearest container there (docs/BRANCHES.md).
        if !self.branch_locs.is_empty() && !other.branch_locs.is_empty() {
            let mine = crate::model::branches::container_hits(self, &other);
            let theirs = crate::model::branches::container_hits(&other, self);
            crate::model::branches::apply_hits(&mut self.branches, mine);
            crate::model::branches::apply_hits(&mut other.branches, theirs);
        }
        merge_maps(&mut self.lines, other.lines, add_hits);
        self.excluded.extend(other.excluded);
        merge_maps(&mut self.arcs, other.arcs, add_taken);
        merge_maps(&mut self.branches, other.branches, add_taken);
        for (key, loc) in other.branch_locs {
            let slot = self.branch_locs.entry(key).or_insert(loc);
            *slot = (*slot).min(loc);
        }
        crate::model::branches::merge_unnamed(
            &mut self.arc_lines,
            other.arc_lines,
            &mut self.branch_counts,
            other.branch_counts,
        );
        merge_maps(
            &mut self.statement_blocks,
            other.statement_blocks,
            |a, b| (a.0.max(b.0), add_hits(a.1, b.1)),
        );
        self.declared_branches = self.declared_branches.max(other.declared_branches);
        for (hash, platforms) in other.source_hashes {
            self.source_hashes
                .entry(hash)
                .or_default()
                .extend(platforms);
        }
        if self.regions.is_empty() {
            self.regions = other.regions;
        } else if self.regions.len() == other.regions.len()
            && self.regions.keys().eq(other.regions.keys())
        {
            // Workers' reports of one file name the same regions: one walk
            // over both maps instead of a lookup per region.
            for (mine, region) in self.regions.values_mut().zip(other.regions.into_values()) {
                mine.merge(region);
            }
        } else {
            for (key, region) in other.regions {
                match self.regions.get_mut(&key) {
                    Some(mine) => mine.merge(region),
                    None => {
                        self.regions.insert(key, region);
                    }
                }
            }
        }
        for (group, covered) in other.covered_by {
            self.covered_by.entry(group).or_default().merge(covered);
        }
        for (arc, label) in other.exit_labels {
            // The smaller text on a clash, so that merging commutes.
            let mine = self.exit_labels.entry(arc).or_insert_with(|| label.clone());
            if label < *mine {
                *mine = label;
            }
        }
        for (name, func) in other.functions {
            match self.functions.get_mut(&name) {
                None => {
                    self.functions.insert(name, func);
                }
                Some(mine) => mine.merge(&func),
            }
        }
    }

    /// Put raw measured lines and arcs onto `known`'s statements (see
    /// [`FileCoverage::statement_of`]); arcs that are not arcs of `known`
    /// after mapping are dropped. Attribution groups are mapped the same way.
    /// With [`FileCoverage::raw_mapped`], lines and arcs are kept only if
    /// they are `known`'s statements and arcs (coverage.py's rule).
    fn restrict_to(&mut self, known: &FileCoverage) {
        let exact = self.raw_mapped;
        let mut moved = false;
        let lines = std::mem::take(&mut self.lines);
        for (line, hits) in lines {
            if let Some(start) = known.place(line, exact) {
                moved |= start != line;
                // Summed, so that mapping commutes with merging.
                let mine = self.lines.entry(start).or_insert(0);
                *mine = add_hits(*mine, hits);
            }
        }
        let arcs = std::mem::take(&mut self.arcs);
        for (arc, taken) in arcs {
            if let Some(placed) = known.place_arc(arc, exact) {
                moved |= placed != arc;
                let mine = self.arcs.entry(placed).or_insert(None);
                *mine = add_taken(*mine, taken);
            }
        }
        for group in self.covered_by.values_mut() {
            let g = std::mem::take(group);
            *group = GroupCoverage {
                lines: g
                    .lines
                    .into_iter()
                    .filter_map(|l| known.place(l, exact))
                    .collect(),
                arcs: g
                    .arcs
                    .into_iter()
                    .filter_map(|a| known.place_arc(a, exact))
                    .collect(),
                branches: g.branches,
                arc_missed: g.arc_missed,
            };
        }
        self.approximate |= moved;
    }

    /// [`FileCoverage::statement_of`], or with `exact` the line itself if
    /// it is a statement.
    fn place(&self, line: u32, exact: bool) -> Option<u32> {
        match exact {
            true => self.lines.contains_key(&line).then_some(line),
            false => self.statement_of(line),
        }
    }

    /// [`FileCoverage::arc_of`], or with `exact` the arc itself if it is
    /// one of this file's arcs.
    fn place_arc(&self, arc: ArcKey, exact: bool) -> Option<ArcKey> {
        match exact {
            true => {
                (self.arcs.contains_key(&arc) || self.arc_lines.contains_key(&arc.0)).then_some(arc)
            }
            false => self.arc_of(arc),
        }
    }

    /// The statement that raw line `line` belongs to: itself if it is a
    /// statement; none if it is excluded or above every statement; else the
    /// nearest statement start above it. The tracer reports the line of a
    /// statement's first instruction, which can be a continuation line of a
    /// multi-line statement; coverage.py's report maps it to the statement.
    pub fn statement_of(&self, line: u32) -> Option<u32> {
        if self.lines.contains_key(&line) {
            return Some(line);
        }
        if self.excluded.contains(&line) {
            return None;
        }
        self.lines.range(..line).next_back().map(|(l, _)| *l)
    }

    /// Raw arc `(from, to)` with both ends mapped by
    /// [`FileCoverage::statement_of`] (an exit `-N` through line `N`), if
    /// the result is one of this file's arcs.
    pub fn arc_of(&self, (from, to): ArcKey) -> Option<ArcKey> {
        let from = self.statement_of(from)?;
        let to = match u32::try_from(to.unsigned_abs()) {
            Ok(end) if end > 0 => {
                let s = i64::from(self.statement_of(end)?);
                if to > 0 {
                    s
                } else {
                    -s
                }
            }
            _ => to,
        };
        // A coverage.py Cobertura branch line (arc_lines) has no named arcs
        // to compare with: every executed arc from it is an outcome.
        (self.arcs.contains_key(&(from, to)) || self.arc_lines.contains_key(&from))
            .then_some((from, to))
    }

    /// What a group covered in raw data, put onto this file's statements
    /// and arcs.
    pub fn map_group(&self, group: GroupCoverage) -> GroupCoverage {
        GroupCoverage {
            lines: group
                .lines
                .into_iter()
                .filter_map(|l| self.statement_of(l))
                .collect(),
            arcs: group
                .arcs
                .into_iter()
                .filter_map(|a| self.arc_of(a))
                .collect(),
            branches: group.branches,
            arc_missed: group.arc_missed,
        }
    }

    /// Lines that are excluded and not a statement in any input.
    pub fn excluded_only(&self) -> impl Iterator<Item = u32> + '_ {
        self.excluded
            .iter()
            .copied()
            .filter(|line| !self.lines.contains_key(line))
    }

    /// The source hash when exactly one is known (no drift).
    pub fn source_hash(&self) -> Option<&str> {
        match self.source_hashes.len() {
            1 => self.source_hashes.keys().next().map(String::as_str),
            _ => None,
        }
    }

    /// Whether any branch data is known.
    pub fn has_branches(&self) -> bool {
        !self.arcs.is_empty()
            || !self.branches.is_empty()
            || !self.arc_lines.is_empty()
            || !self.branch_counts.is_empty()
    }
}

impl CoverageData {
    /// Union `other` into `self`. Both must already use the same path
    /// names (see [`crate::paths`]).
    pub fn merge(&mut self, other: CoverageData) {
        self.branch_coverage |= other.branch_coverage;
        self.sources.extend(other.sources);
        self.sources.sort();
        if self.root != other.root {
            self.root = None;
        }
        if self.attribution != other.attribution {
            self.attribution = self.attribution.take().or(other.attribution);
        }
        for (name, file) in other.files {
            match self.files.get_mut(&name) {
                Some(mine) => mine.merge(file),
                None => {
                    self.files.insert(name, file);
                }
            }
        }
    }

    /// Fold every file's count-only branch records into its named ones
    /// ([`crate::model::branches::resolve`]); call once, after all merging and
    /// before the table or an export. Returns per file what happened.
    pub fn resolve_branches(&mut self) -> BTreeMap<String, crate::model::branches::Resolution> {
        let mut out = BTreeMap::new();
        for (name, file) in &mut self.files {
            if crate::model::branches::needs_resolving(file) {
                out.insert(name.clone(), crate::model::branches::resolve(file));
            }
        }
        out
    }

    /// The distinct platform descriptions of the sources, sorted.
    pub fn platforms(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self
            .sources
            .iter()
            .filter_map(|s| s.platform.as_ref())
            .collect();
        set.into_iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(lines: &[(u32, u64)], arcs: &[((u32, i64), Taken)]) -> FileCoverage {
        FileCoverage {
            lines: lines.iter().copied().collect(),
            arcs: arcs.iter().copied().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn merge_sums_hits_and_unions_statements() {
        let mut a = file(&[(1, 1), (2, 0)], &[((1, 2), Some(0))]);
        let b = file(&[(2, 3), (5, 0)], &[((1, 2), Some(2)), ((1, -1), None)]);
        a.merge(b);
        assert_eq!(a.lines, [(1, 1), (2, 3), (5, 0)].into_iter().collect());
        assert_eq!(a.arcs[&(1, 2)], Some(2));
        assert_eq!(a.arcs[&(1, -1)], None);
    }

    #[test]
    fn hits_saturate() {
        let mut a = file(&[(1, u64::MAX - 1)], &[((1, 2), Some(u64::MAX))]);
        a.merge(file(&[(1, 5)], &[((1, 2), Some(7))]));
        assert_eq!(a.lines[&1], u64::MAX);
        assert_eq!(a.arcs[&(1, 2)], Some(u64::MAX));
    }

    #[test]
    fn excluded_in_one_input_but_statement_in_another_is_a_statement() {
        let mut a = file(&[(1, 1)], &[]);
        a.excluded.insert(3);
        a.merge(file(&[(3, 0)], &[]));
        assert!(a.lines.contains_key(&3));
        assert_eq!(a.excluded_only().count(), 0);
    }

    #[test]
    fn regions_merge_as_union() {
        let region = |start: u32, lines: &[u32], declared: Option<u64>| Region {
            start_line: start,
            lines: lines.iter().copied().collect(),
            declared_branches: declared,
        };
        let key = (RegionKind::Function, "f".to_string());
        let mut a = file(&[(2, 1)], &[]);
        a.regions.insert(key.clone(), region(1, &[2, 3], Some(4)));
        let mut b = file(&[(5, 1)], &[]);
        b.regions.insert(key.clone(), region(1, &[3, 5], None));
        b.regions
            .insert((RegionKind::Class, String::new()), region(1, &[9], None));
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab, ba);
        assert_eq!(ab.regions[&key], region(1, &[2, 3, 5], Some(4)));
        assert_eq!(ab.regions.len(), 2);
    }

    #[test]
    fn known_statements_decide_over_unknown_ones() {
        // coverage.py JSON (known): statements 1, 2, 4; arcs of branch line 2.
        let mut known = file(
            &[(1, 1), (2, 1), (4, 0)],
            &[((2, 4), Some(0)), ((2, -1), Some(1))],
        );
        known.excluded.insert(3);
        // raw .coverage data (unknown): executed lines and all transitions,
        // including line 3 (excluded) and the non-branch arc 1->2.
        let mut raw = file(
            &[(1, 1), (2, 1), (3, 1), (4, 1)],
            &[((1, 2), Some(1)), ((2, 4), Some(1))],
        );
        raw.statements_unknown = true;
        let mut a = known.clone();
        a.merge(raw.clone());
        let mut b = raw.clone();
        b.merge(known.clone());
        assert_eq!(a, b);
        assert!(!a.statements_unknown);
        assert_eq!(a.lines, [(1, 2), (2, 2), (4, 1)].into_iter().collect());
        assert_eq!(
            a.arcs,
            [((2, 4), Some(1)), ((2, -1), Some(1))]
                .into_iter()
                .collect()
        );
        // Two unknown sides stay unknown and union.
        let mut c = raw.clone();
        let mut other = file(&[(7, 1)], &[]);
        other.statements_unknown = true;
        c.merge(other);
        assert!(c.statements_unknown);
        assert_eq!(c.lines.len(), 5);
        // Grouping does not matter: (raw + raw) + known = raw + (raw + known).
        let mut left = raw.clone();
        left.merge(raw.clone());
        left.merge(known.clone());
        let mut right = known.clone();
        right.merge(raw.clone());
        let mut right2 = raw.clone();
        right2.merge(right);
        assert_eq!(left, right2);
    }

    #[test]
    fn raw_lines_inside_multi_line_statements_count_for_the_statement() {
        // Known: statements 10 (an `if`), 11 (`x = (` spanning 11-13) and
        // 20 (`return`), branch arcs 10->11 and 10->20. The tracer reported
        // the continuation line 12 (the first instruction of statement 11)
        // and the arc 10->12; `coverage report` maps both to line 11.
        let known = file(
            &[(10, 1), (11, 0), (20, 1)],
            &[((10, 11), Some(0)), ((10, 20), Some(1))],
        );
        let mut raw = file(
            &[(10, 1), (12, 1)],
            &[((10, 12), Some(1)), ((12, -5), Some(1))],
        );
        raw.statements_unknown = true;
        let mut a = known.clone();
        a.merge(raw.clone());
        let mut b = raw;
        b.merge(known);
        assert_eq!(a, b);
        assert_eq!(a.lines, [(10, 2), (11, 1), (20, 1)].into_iter().collect());
        assert_eq!(
            a.arcs,
            [((10, 11), Some(1)), ((10, 20), Some(1))]
                .into_iter()
                .collect()
        );
    }

    #[test]
    fn merge_is_commutative() {
        let a = file(&[(1, 1), (4, 0)], &[((4, 5), Some(1))]);
        let b = file(&[(4, 2)], &[((4, 6), None)]);
        let mut ab = a.clone();
        ab.merge(b.clone());
        let mut ba = b;
        ba.merge(a);
        assert_eq!(ab, ba);
    }
}
