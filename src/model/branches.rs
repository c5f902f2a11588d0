//! Branch identities that are not fully named by their producer, and how
//! they meet the named ones (docs/BRANCHES.md).
//!
//! Most readers name every branch outcome: coverage.py arcs `(from, to)`,
//! gcc-family `(line, block, branch)` numbered as lcov numbers them,
//! Istanbul by source location. Two kinds are kept apart from those until
//! the report is built, because merging them by key would count an
//! outcome twice or lose one:
//!
//! - [`ArcLine`]: coverage.py's Cobertura names the *missed* destinations
//!   of a branch line (`missing-branches="8,exit"`) and counts the rest.
//!   Across inputs the missed set is the intersection (an arc any worker
//!   took is taken), which is exact.
//! - [`BranchCount`]: Cobertura `condition-coverage="50% (1/2)"` from other
//!   producers and JaCoCo name no outcome at all. Two of them merge to the
//!   lower bound `max(a1, a2)` of `max(b1, b2)`.
//!
//! [`resolve`] folds both into the named records, once, after all merging
//! and before any analysis: a named record of the same line wins, raised to
//! what the count-only record proves, never added to it.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{add_taken, BranchId, BranchKey, FileCoverage, Taken};

/// An exit whose code object is not known: coverage.py's Cobertura writes
/// every exit as `exit`, and its LCOV names a class (`exit class 'C'`)
/// that no LCOV record locates. It matches any exit (negative
/// destination) of the same line in a named input. Line 0 never exists.
pub const UNNAMED_EXIT: i64 = 0;

/// A coverage.py branch line read from Cobertura: `total` outcomes, of
/// which the destinations in `missed` were not taken and all others were.
/// `seen` holds every destination some input named as missed: those known
/// to exist, so the ones no longer missed are known taken arcs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArcLine {
    /// The line's branch outcomes.
    pub total: u32,
    /// Destinations every input missed (the intersection).
    pub missed: BTreeSet<i64>,
    /// Every destination any input named.
    pub seen: BTreeSet<i64>,
}

impl ArcLine {
    /// One input's line: `missed` is all it names.
    pub fn new(total: u32, missed: BTreeSet<i64>) -> ArcLine {
        ArcLine {
            total,
            seen: missed.clone(),
            missed,
        }
    }

    /// Two workers' view of the same line: an outcome is missed only if
    /// every worker missed it. Commutative, associative, idempotent.
    pub fn merge(&mut self, other: &ArcLine) {
        self.total = self.total.max(other.total);
        self.missed = self.missed.intersection(&other.missed).copied().collect();
        self.seen.extend(other.seen.iter().copied());
    }

    fn missed_dest(&self, to: i64) -> bool {
        self.missed.contains(&to) || (to < 0 && self.missed.contains(&UNNAMED_EXIT))
    }
}

/// `covered` of `total` branch outcomes of a line were taken; which ones
/// is not said (Cobertura `condition-coverage`, JaCoCo `mb`/`cb`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BranchCount {
    /// Outcomes covered.
    pub covered: u32,
    /// Outcomes on the line.
    pub total: u32,
}

impl BranchCount {
    /// The documented lower bound: at least the larger covered count ran.
    pub fn merge(&mut self, other: BranchCount) {
        self.total = self.total.max(other.total);
        self.covered = self.covered.max(other.covered).min(self.total);
    }
}

/// A source range: start line, start column, end line, end column (as
/// Istanbul writes them; c8 writes column -1 at times).
pub type Span = (i64, i64, i64, i64);

/// Where an Istanbul branch is: `key` is its first location (what `nyc
/// merge` matches branches by), `span` its `loc` (what a range that only one
/// input has is looked up in, see [`container_hits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct IstanbulLoc {
    /// The first location (`nyc merge`'s key).
    pub key: Span,
    /// The branch's `loc`.
    pub span: Span,
}

/// The block id of an Istanbul branch before resolving: its location, so
/// that the same code has the same key in every input (c8 numbers its
/// branch map afresh in every run).
pub fn located_block(key: Span) -> BranchId {
    BranchId::Text(format!("@{}:{}-{}:{}", key.0, key.1, key.2, key.3).into())
}

/// istanbul-lib-coverage's `findNearestContainer`: the narrowest of
/// `candidates` whose span contains `span` (c8 leaves out a range whose
/// count equals its parent's, so its count in that run is its container's).
fn nearest_container<'a>(
    span: Span,
    candidates: impl Iterator<Item = (&'a (u32, BranchId), &'a IstanbulLoc)>,
) -> Option<&'a (u32, BranchId)> {
    let mut best: Option<(&(u32, BranchId), [i64; 4])> = None;
    for (key, loc) in candidates {
        let c = loc.span;
        let d = [span.0 - c.0, span.1 - c.1, c.2 - span.2, c.3 - span.3];
        if d[0] < 0 || d[2] < 0 || (d[0] == 0 && d[1] < 0) || (d[2] == 0 && d[3] < 0) {
            continue;
        }
        let closer = match &best {
            None => true,
            Some((_, b)) => {
                let before = d[0] < b[0] || (d[0] == 0 && d[1] < b[1]);
                let after = d[2] < b[2] || (d[2] == 0 && d[3] < b[3]);
                before || after
            }
        };
        if closer {
            best = Some((key, d));
        }
    }
    best.map(|(key, _)| key)
}

/// For every located branch of `mine` that `other` does not have: the hits
/// of its nearest container in `other`, outcome by outcome (as `nyc merge`
/// adds them). Applied before the union, in both directions.
pub fn container_hits(mine: &FileCoverage, other: &FileCoverage) -> Vec<(BranchKey, u64)> {
    let mut out = Vec::new();
    for ((line, block), loc) in &mine.branch_locs {
        if other.branch_locs.contains_key(&(*line, block.clone())) {
            continue;
        }
        let Some((cline, cblock)) = nearest_container(loc.span, other.branch_locs.iter()) else {
            continue;
        };
        for ((_, _, index), _) in outcomes(&mine.branches, *line, block) {
            let theirs = other.branches.get(&(*cline, cblock.clone(), index.clone()));
            let add = theirs.copied().flatten().unwrap_or(0);
            if add > 0 {
                out.push(((*line, block.clone(), index.clone()), add));
            }
        }
    }
    out
}

/// Add `hits` to `branches` (see [`container_hits`]).
pub fn apply_hits(branches: &mut BTreeMap<BranchKey, Taken>, hits: Vec<(BranchKey, u64)>) {
    for (key, add) in hits {
        let slot = branches.entry(key).or_insert(None);
        *slot = add_taken(*slot, Some(add));
    }
}

/// The outcomes of one `(line, block)`.
fn outcomes<'a>(
    branches: &'a BTreeMap<BranchKey, Taken>,
    line: u32,
    block: &'a BranchId,
) -> impl Iterator<Item = (&'a BranchKey, &'a Taken)> + 'a {
    let lo = (line, block.clone(), BranchId::Num(0));
    branches
        .range(lo..)
        .take_while(move |((l, b, _), _)| *l == line && b == block)
}

/// Number the located Istanbul branches of a file in source order (start
/// ascending, an enclosing range before the ranges it holds), which is the
/// order nyc's instrumenter numbers them in: the JSON of a nyc run then
/// meets the LCOV of the same run, whose block ids are those numbers.
fn number_located(file: &mut FileCoverage) {
    let locs = std::mem::take(&mut file.branch_locs);
    let mut order: Vec<(&(u32, BranchId), &IstanbulLoc)> = locs.iter().collect();
    order.sort_by_key(|(k, l)| {
        let s = l.key;
        (
            s.0,
            s.1,
            std::cmp::Reverse(s.2),
            std::cmp::Reverse(s.3),
            (*k).clone(),
        )
    });
    let numbers: BTreeMap<(u32, BranchId), u32> = order
        .into_iter()
        .enumerate()
        .map(|(n, (k, _))| (k.clone(), n as u32))
        .collect();
    let rename = |key: BranchKey| -> BranchKey {
        match numbers.get(&(key.0, key.1.clone())) {
            Some(n) => (key.0, BranchId::Num(*n), key.2),
            None => key,
        }
    };
    let mut branches = BTreeMap::new();
    for (key, taken) in std::mem::take(&mut file.branches) {
        let slot = branches.entry(rename(key)).or_insert(None);
        *slot = add_taken(*slot, taken);
    }
    file.branches = branches;
    for group in file.covered_by.values_mut() {
        group.branches = std::mem::take(&mut group.branches)
            .into_iter()
            .map(rename)
            .collect();
    }
}

/// Per file: whether its branch numbers are exact or a lower bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exactness {
    /// Every line's outcomes are named (or counts agree with the names).
    Exact,
    /// Some line's outcomes were known only by count (and no named input
    /// of that line existed, or the count proved more than the names).
    Bound,
}

impl Exactness {
    /// `exact` or `bound`, as the manifest writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Exactness::Exact => "exact",
            Exactness::Bound => "bound",
        }
    }
}

/// What [`resolve`] did to one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// Lines where count-only outcomes ([`BranchCount`]) met named ones of
    /// another input.
    pub met_named: Vec<u32>,
    /// Of those, lines where the count proved more outcomes taken than the
    /// named input had, and the named outcomes were raised.
    pub raised: Vec<u32>,
    /// Lines whose numbers stay count-only (no named input of the line).
    pub count_only: Vec<u32>,
}

impl Resolution {
    /// Whether the numbers are exact.
    pub fn exactness(&self) -> Exactness {
        if self.count_only.is_empty() && self.raised.is_empty() {
            Exactness::Exact
        } else {
            Exactness::Bound
        }
    }
}

/// Whether the file has anything [`resolve`] would change.
pub fn needs_resolving(file: &FileCoverage) -> bool {
    !file.arc_lines.is_empty()
        || !file.branch_counts.is_empty()
        || !file.branch_locs.is_empty()
        // Unnamed exits come only from inputs that label them.
        || file.exit_labels.keys().any(|(_, to)| *to == UNNAMED_EXIT)
}

/// An [`UNNAMED_EXIT`] of a line that also has a named exit (another
/// input located the code object) is that exit: one outcome, not two.
fn fold_unnamed_exits(file: &mut FileCoverage) {
    let unnamed: Vec<u32> = file
        .arcs
        .keys()
        .filter(|(_, to)| *to == UNNAMED_EXIT)
        .map(|(line, _)| *line)
        .collect();
    for line in unnamed {
        // The innermost code object: the one starting last, i.e. the
        // most negative destination (the first in key order).
        let named = file
            .arcs
            .range((line, i64::MIN)..(line, 0))
            .map(|((_, to), _)| *to)
            .next();
        let Some(named) = named else {
            continue;
        };
        let taken = file.arcs.remove(&(line, UNNAMED_EXIT)).flatten();
        let slot = file.arcs.get_mut(&(line, named)).expect("found above");
        *slot = add_taken(*slot, taken);
        if let Some(label) = file.exit_labels.remove(&(line, UNNAMED_EXIT)) {
            file.exit_labels.entry((line, named)).or_insert(label);
        }
        for group in file.covered_by.values_mut() {
            if group.arcs.remove(&(line, UNNAMED_EXIT)) {
                group.arcs.insert((line, named));
            }
        }
    }
}

/// Fold `arc_lines` and `branch_counts` into `arcs`, `branches` and
/// `declared_branches`, and empty them, so that an analysis reading only
/// the named records sees the merged result:
///
/// - An [`ArcLine`] whose line has named arcs (coverage.py JSON, LCOV,
///   SQLite of the same file): each named arc is taken if it was taken or
///   its destination is not in `missed`; a missed destination the named
///   input lacks is added as missed. Without named arcs: the missed arcs
///   are listed (taken 0) and the other `total - missed` outcomes are
///   counted in `declared_branches`, unlisted, as covered outcomes.
/// - A [`BranchCount`] whose line has named branches: the named set is
///   kept (never added to) and, when the count proves more outcomes ran,
///   that many more of its untaken outcomes (in key order) become taken
///   once. Without named branches: `total` outcomes `(line, "0", i)`, the
///   first `covered` taken once.
pub fn resolve(file: &mut FileCoverage) -> Resolution {
    let mut res = Resolution::default();
    if !file.branch_locs.is_empty() {
        number_located(file);
    }
    let unlisted = resolve_arc_lines(file);
    fold_unnamed_exits(file);
    resolve_branch_counts(file, &mut res);
    if unlisted > 0 {
        let listed = (file.arcs.len() + file.branches.len()) as u64;
        let declared = file.declared_branches.unwrap_or(0).max(listed + unlisted);
        file.declared_branches = Some(declared);
    }
    res.met_named.sort_unstable();
    res.met_named.dedup();
    res
}

/// coverage.py branch lines read from Cobertura (a count and the missed
/// destinations) against the named arcs of other inputs: each group's
/// share, the destinations only the XML names, and the outcomes it counts
/// as taken that no input names. Returns how many of those there are.
fn resolve_arc_lines(file: &mut FileCoverage) -> u64 {
    let mut unlisted: u64 = 0;
    for (line, al) in std::mem::take(&mut file.arc_lines) {
        let named: Vec<i64> = file
            .arcs
            .range((line, i64::MIN)..=(line, i64::MAX))
            .map(|((_, to), _)| *to)
            .collect();
        // Group attribution: a group covered every known outcome of the
        // line that it did not itself miss.
        let dests: Vec<i64> = if named.is_empty() {
            al.seen.iter().copied().collect()
        } else {
            named.clone()
        };
        for group in file.covered_by.values_mut() {
            if let Some(missed) = group.arc_missed.remove(&line) {
                let own = ArcLine {
                    missed,
                    ..Default::default()
                };
                for to in &dests {
                    if !own.missed_dest(*to) {
                        group.arcs.insert((line, *to));
                    }
                }
            }
        }
        if named.is_empty() {
            for to in &al.seen {
                let taken = u64::from(!al.missed.contains(to));
                file.arcs.insert((line, *to), Some(taken));
            }
            unlisted += u64::from(al.total).saturating_sub(al.seen.len() as u64);
            continue;
        }
        // Exact on both sides: no warning, nothing is a bound.
        for to in &named {
            if !al.missed_dest(*to) {
                let taken = file.arcs.get_mut(&(line, *to)).expect("listed above");
                if taken.unwrap_or(0) == 0 {
                    *taken = Some(1);
                }
            }
        }
        let mut listed = named.len();
        for to in &al.seen {
            let known = named
                .iter()
                .any(|n| n == to || (*to == UNNAMED_EXIT && *n < 0));
            if !known {
                let taken = u64::from(!al.missed.contains(to));
                file.arcs.insert((line, *to), Some(taken));
                listed += 1;
            }
        }
        // Outcomes the XML counts as taken that no named input lists (raw
        // data lists only what it saw run): covered, unlisted.
        unlisted += u64::from(al.total).saturating_sub(listed as u64);
    }
    unlisted
}

/// Branch outcomes known only by count (Cobertura `condition-coverage` of
/// other producers, JaCoCo): numbered outcomes where no input names the
/// line's branches; else the count raises the named outcomes it exceeds
/// (noted in the resolution).
fn resolve_branch_counts(file: &mut FileCoverage, res: &mut Resolution) {
    for (line, count) in std::mem::take(&mut file.branch_counts) {
        let lo = (line, BranchId::Num(0), BranchId::Num(0));
        let named: Vec<_> = file
            .branches
            .range(lo..)
            .take_while(|((l, _, _), _)| *l == line)
            .map(|(k, t)| (k.clone(), t.unwrap_or(0) > 0))
            .collect();
        if named.is_empty() {
            res.count_only.push(line);
            for i in 0..count.total {
                let taken = u64::from(i < count.covered);
                file.branches
                    .insert((line, BranchId::Num(0), BranchId::Num(i)), Some(taken));
            }
            continue;
        }
        res.met_named.push(line);
        let taken = named.iter().filter(|(_, t)| *t).count() as u32;
        let mut more = count.covered.saturating_sub(taken);
        if more > 0 {
            res.raised.push(line);
        }
        for (key, was_taken) in named {
            if more == 0 {
                break;
            }
            if !was_taken {
                file.branches.insert(key, Some(1));
                more -= 1;
            }
        }
    }
}

/// What a file's branch numbers are before resolving: `None` when it has
/// no count-only records (then they are exact).
pub fn exactness_of(file: &FileCoverage) -> Option<Exactness> {
    needs_resolving(file).then(|| resolve(&mut file.clone()).exactness())
}

/// For the manifest: how many files' branch numbers are exact, and which
/// files' are a lower bound (call before resolving).
pub fn manifest_summary(data: &crate::model::CoverageData) -> serde_json::Value {
    let mut exact = 0usize;
    let mut bound: Vec<&str> = Vec::new();
    for (name, file) in &data.files {
        match exactness_of(file) {
            Some(Exactness::Bound) => bound.push(name),
            _ if file.has_branches() => exact += 1,
            _ => {}
        }
    }
    serde_json::json!({ "exact_files": exact, "bound_files": bound })
}

/// The warnings for [`crate::model::CoverageData::resolve_branches`]'s
/// result: one per file where count-only outcomes met named ones.
pub fn warnings(
    resolved: &BTreeMap<String, Resolution>,
    inputs: &BTreeMap<String, (String, String)>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (name, res) in resolved {
        if res.met_named.is_empty() {
            continue;
        }
        // Control characters from an input never reach the terminal.
        let lines = line_list(&res.met_named);
        let (counted, named) = match inputs.get(name) {
            Some((counted, named)) => (format!(" ({counted})"), format!(" ({named})")),
            None => (String::new(), String::new()),
        };
        let name: String = name
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        let mut text = format!(
            "{name}: branch outcomes known only by count (Cobertura or JaCoCo){counted} \
             met named outcomes{named} on line(s) {lines}; the named outcomes are kept, \
             not added to"
        );
        if !res.raised.is_empty() {
            text.push_str(&format!(
                ", and raised on line(s) {} where the count proves more ran (a lower bound)",
                line_list(&res.raised)
            ));
        }
        out.push(text);
    }
    out
}

fn line_list(lines: &[u32]) -> String {
    const SHOWN: usize = 10;
    let mut text: Vec<String> = lines.iter().take(SHOWN).map(u32::to_string).collect();
    if lines.len() > SHOWN {
        text.push(format!("and {} more", lines.len() - SHOWN));
    }
    text.join(", ")
}

/// Merge the count-only records of `other` into `into` (called by
/// [`FileCoverage::merge`]).
pub fn merge_unnamed(
    arc_lines: &mut BTreeMap<u32, ArcLine>,
    other_arc_lines: BTreeMap<u32, ArcLine>,
    counts: &mut BTreeMap<u32, BranchCount>,
    other_counts: BTreeMap<u32, BranchCount>,
) {
    for (line, al) in other_arc_lines {
        match arc_lines.get_mut(&line) {
            Some(mine) => mine.merge(&al),
            None => {
                arc_lines.insert(line, al);
            }
        }
    }
    for (line, c) in other_counts {
        match counts.get_mut(&line) {
            Some(mine) => mine.merge(c),
            None => {
                counts.insert(line, c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unnamed_exit_folds_into_the_innermost_named_exit_of_its_line() {
        let mut f = FileCoverage::default();
        f.arcs.insert((12, 13), Some(1));
        f.arcs.insert((12, -3), Some(0));
        f.arcs.insert((12, -10), Some(0));
        f.arcs.insert((12, UNNAMED_EXIT), Some(2));
        f.exit_labels
            .insert((12, UNNAMED_EXIT), "exit class 'C'".into());
        assert!(needs_resolving(&f));
        resolve(&mut f);
        assert_eq!(f.arcs.get(&(12, UNNAMED_EXIT)), None);
        assert_eq!(f.arcs[&(12, -10)], Some(2));
        assert_eq!(f.arcs[&(12, -3)], Some(0));
        assert_eq!(f.exit_labels[&(12, -10)], "exit class 'C'");
    }

    fn arc_line(total: u32, missed: &[i64]) -> ArcLine {
        ArcLine::new(total, missed.iter().copied().collect())
    }

    #[test]
    fn missed_sets_intersect_and_the_rest_counts_as_taken() {
        // Worker 1 missed 7->8, worker 2 missed 7->12: together both ran.
        let mut a = FileCoverage::default();
        a.lines.insert(7, 1);
        a.arc_lines.insert(7, arc_line(2, &[8]));
        a.arc_lines.insert(9, arc_line(2, &[12, UNNAMED_EXIT]));
        let mut b = FileCoverage::default();
        b.lines.insert(7, 1);
        b.arc_lines.insert(7, arc_line(2, &[12]));
        b.arc_lines.insert(9, arc_line(2, &[UNNAMED_EXIT]));
        a.merge(b);
        let res = resolve(&mut a);
        assert_eq!(res.exactness(), Exactness::Exact);
        // Every destination some worker missed is known: listed, taken
        // unless all missed it.
        assert_eq!(a.arcs.len(), 4);
        assert_eq!(a.arcs[&(7, 8)], Some(1));
        assert_eq!(a.arcs[&(7, 12)], Some(1));
        assert_eq!(a.arcs[&(9, 12)], Some(1));
        assert_eq!(a.arcs[&(9, UNNAMED_EXIT)], Some(0));
        assert_eq!(a.declared_branches, None);
    }

    #[test]
    fn named_arcs_of_the_same_line_are_not_doubled() {
        // coverage.py JSON: 5->6 taken, 5->exit missed; its XML says the same.
        let mut json = FileCoverage::default();
        json.arcs.insert((5, 6), Some(1));
        json.arcs.insert((5, -1), Some(0));
        let mut xml = FileCoverage::default();
        xml.arc_lines.insert(5, arc_line(2, &[UNNAMED_EXIT]));
        let mut a = json.clone();
        a.merge(xml.clone());
        resolve(&mut a);
        assert_eq!(a.arcs, json.arcs);
        assert_eq!(a.declared_branches, None);
        // Another worker's XML that took the exit makes it taken.
        let mut b = json.clone();
        let mut xml2 = FileCoverage::default();
        xml2.arc_lines.insert(5, arc_line(2, &[6]));
        b.merge(xml2);
        resolve(&mut b);
        assert_eq!(b.arcs[&(5, -1)], Some(1));
        assert_eq!(b.arcs[&(5, 6)], Some(1));
    }

    #[test]
    fn counts_never_add_to_named_branches() {
        let mut lcov = FileCoverage::default();
        for (i, t) in [(0u32, 3u64), (1, 0), (2, 0), (3, 0)] {
            lcov.branches
                .insert((22, BranchId::Num(0), BranchId::Num(i)), Some(t));
        }
        let mut a = lcov.clone();
        a.branch_counts.insert(
            22,
            BranchCount {
                covered: 1,
                total: 4,
            },
        );
        let res = resolve(&mut a);
        assert_eq!(a.branches, lcov.branches);
        assert_eq!(res.met_named, vec![22]);
        assert!(res.raised.is_empty());
        // A count proving two ran raises one more outcome, in key order.
        let mut b = lcov.clone();
        b.branch_counts.insert(
            22,
            BranchCount {
                covered: 2,
                total: 4,
            },
        );
        let res = resolve(&mut b);
        assert_eq!(res.raised, vec![22]);
        assert_eq!(b.branches.len(), 4);
        assert_eq!(
            b.branches[&(22, BranchId::Num(0), BranchId::Num(1))],
            Some(1)
        );
        assert_eq!(res.exactness(), Exactness::Bound);
    }

    #[test]
    fn attribution_sees_count_only_outcomes_as_resolve_lays_them_out() {
        let mut f = FileCoverage::default();
        f.branch_counts.insert(
            4,
            BranchCount {
                covered: 1,
                total: 2,
            },
        );
        let group = crate::model::GroupCoverage::of(&f);
        resolve(&mut f);
        let taken: BTreeSet<BranchKey> = f
            .branches
            .iter()
            .filter(|(_, t)| t.unwrap_or(0) > 0)
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(group.branches, taken);
    }

    #[test]
    fn two_counts_give_the_lower_bound() {
        let mut a = BranchCount {
            covered: 1,
            total: 2,
        };
        a.merge(BranchCount {
            covered: 2,
            total: 2,
        });
        assert_eq!(
            a,
            BranchCount {
                covered: 2,
                total: 2
            }
        );
        let mut f = FileCoverage::default();
        f.branch_counts.insert(3, a);
        let res = resolve(&mut f);
        assert_eq!(res.count_only, vec![3]);
        assert_eq!(f.branches.values().filter(|t| **t == Some(1)).count(), 2);
    }
}
