//! Merge semantics as properties (proptest): associative, commutative,
//! duplicates counted once, covered set = union, saturating counts, and a
//! combined file re-read gives the same report. Both on the model
//! (`CoverageData::merge`) and through `combine_files` on LCOV inputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use covmerge::combine::{combine_files, CombineOptions};
use covmerge::model::{BranchId, CoverageData, FileCoverage, Function, Source};
use covmerge::report::{ReportOptions, Table, TableFormat};
use proptest::prelude::*;

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..4, Just(u64::MAX), Just(u64::MAX - 1), any::<u64>()]
}

fn file() -> impl Strategy<Value = FileCoverage> {
    (
        prop::collection::btree_map(1u32..40, count(), 0..12),
        prop::collection::btree_set(1u32..40, 0..4),
        prop::collection::btree_map((1u32..40, -3i64..40), prop::option::of(count()), 0..6),
        prop::collection::btree_map(
            ((1u32..40), "[01]", "[0-2]"),
            prop::option::of(count()),
            0..4,
        ),
        prop::collection::btree_map(
            "[fg]",
            (1u32..40, prop::option::of(1u32..60), count()),
            0..3,
        ),
        prop::option::of(0u64..10),
        prop::collection::btree_map(
            "[ab]",
            prop::collection::btree_set("linux|win32", 1..3),
            0..3,
        ),
    )
        .prop_map(
            |(lines, excluded, arcs, branches, functions, declared, hashes)| FileCoverage {
                lines,
                excluded,
                arcs,
                branches: branches
                    .into_iter()
                    .map(|((l, b, id), t): ((u32, String, String), _)| {
                        ((l, BranchId::from(b), BranchId::from(id)), t)
                    })
                    .collect(),
                functions: functions
                    .into_iter()
                    .map(|(n, (start, end, hits))| (n, Function { start, end, hits }))
                    .collect(),
                declared_branches: declared,
                source_hashes: hashes,
                ..Default::default()
            },
        )
}

fn data() -> impl Strategy<Value = CoverageData> {
    (
        any::<bool>(),
        prop::collection::vec(("[h-j]", "linux|win32"), 0..3),
        prop::collection::btree_map("[a-d]\\.py", file(), 0..4),
    )
        .prop_map(|(branch, sources, files)| CoverageData {
            branch_coverage: branch,
            sources: {
                let mut s: Vec<Source> = sources
                    .into_iter()
                    .map(|(h, p)| Source {
                        host: Some(h),
                        platform: Some(p),
                        ..Default::default()
                    })
                    .collect();
                s.sort();
                s
            },
            root: None,
            files,
            attribution: None,
        })
}

fn merged(a: &CoverageData, b: &CoverageData) -> CoverageData {
    let mut m = a.clone();
    m.merge(b.clone());
    m
}

fn covered(d: &CoverageData) -> BTreeSet<(String, u32)> {
    d.files
        .iter()
        .flat_map(|(n, f)| {
            f.lines
                .iter()
                .filter(|(_, h)| **h > 0)
                .map(move |(l, _)| (n.clone(), *l))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn merge_is_commutative_and_associative(a in data(), b in data(), c in data()) {
        prop_assert_eq!(merged(&a, &b), merged(&b, &a));
        prop_assert_eq!(merged(&merged(&a, &b), &c), merged(&a, &merged(&b, &c)));
    }

    #[test]
    fn covered_set_is_the_union_and_counts_saturate(a in data(), b in data()) {
        let m = merged(&a, &b);
        let union: BTreeSet<_> = covered(&a).union(&covered(&b)).cloned().collect();
        prop_assert_eq!(covered(&m), union);
        for (name, f) in &m.files {
            for (line, hits) in &f.lines {
                let get = |d: &CoverageData| d.files.get(name).and_then(|f| f.lines.get(line)).copied().unwrap_or(0);
                prop_assert_eq!(*hits, get(&a).saturating_add(get(&b)));
            }
        }
    }

    #[test]
    fn data_file_round_trip_gives_the_same_data(a in data()) {
        let text = covmerge::formats::native::to_string(&a);
        let back = covmerge::formats::parse(Path::new("x.covmerge.json"), text.as_bytes()).unwrap();
        prop_assert_eq!(back.data, a);
    }
}

// ---- through combine_files, on LCOV inputs -------------------------------

fn lcov_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            "[a-c]\\.c",
            prop::collection::btree_map(1u32..30, prop_oneof![0u64..3, Just(u64::MAX)], 1..8),
            prop::collection::vec(
                (1u32..30, 0u32..2, 0u32..2, prop::option::of(0u64..3)),
                0..4,
            ),
        ),
        1..4,
    )
    .prop_map(|records| {
        let mut out = String::new();
        for (name, lines, branches) in records {
            out.push_str(&format!("SF:{name}\n"));
            for (l, h) in lines {
                out.push_str(&format!("DA:{l},{h}\n"));
            }
            for (l, b, r, t) in branches {
                let t = t.map_or("-".to_string(), |t| t.to_string());
                out.push_str(&format!("BRDA:{l},{b},{r},{t}\n"));
            }
            out.push_str("end_of_record\n");
        }
        out
    })
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "covmerge-prop-{}-{}",
        std::process::id(),
        covmerge::output::unique_token()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn combine(paths: &[PathBuf]) -> CoverageData {
    let mut c = combine_files(paths, &CombineOptions::default(), &mut |_| {})
        .unwrap()
        .data;
    c.sources.clear();
    for f in c.files.values_mut() {
        f.source_hashes.clear();
    }
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn table(d: &CoverageData) -> String {
    let opts = ReportOptions {
        show_missing: true,
        ..Default::default()
    };
    match Table::build(&covmerge::analysis::Selection::all(d), &opts) {
        Ok(t) => t.render(TableFormat::Text),
        Err(e) => format!("error {e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn combine_files_is_order_and_grouping_independent(a in lcov_text(), b in lcov_text(), c in lcov_text()) {
        let dir = tempdir();
        let (pa, pb, pc) = (write(&dir, "a.info", &a), write(&dir, "b.info", &b), write(&dir, "c.info", &c));
        let abc = combine(&[pa.clone(), pb.clone(), pc.clone()]);
        prop_assert_eq!(&abc, &combine(&[pc.clone(), pa.clone(), pb.clone()]));
        // Two levels: (a+b) written as a data file, then + c; and a + (b+c).
        let ab = combine(&[pa.clone(), pb.clone()]);
        let pab = write(&dir, "ab.covmerge.json", &covmerge::formats::native::to_string(&ab));
        let bc = combine(&[pb.clone(), pc.clone()]);
        let pbc = write(&dir, "bc.covmerge.json", &covmerge::formats::native::to_string(&bc));
        prop_assert_eq!(&abc, &combine(&[pab, pc.clone()]));
        prop_assert_eq!(&abc, &combine(&[pa.clone(), pbc]));
        // A byte-identical copy is counted once.
        let copy = write(&dir, "a-copy.info", &a);
        prop_assert_eq!(combine(&[pa.clone(), copy]), combine(std::slice::from_ref(&pa)));
        // The combined file re-read gives the same report.
        let pabc = write(&dir, "abc.covmerge.json", &covmerge::formats::native::to_string(&abc));
        prop_assert_eq!(table(&abc), table(&combine(&[pabc])));
        // Covered set is the union of the inputs' covered sets.
        let mut union = BTreeSet::new();
        for p in [&pa, &pb, &pc] {
            union.extend(covered(&combine(std::slice::from_ref(p))));
        }
        prop_assert_eq!(covered(&abc), union);
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn source_hash_drift_is_remembered_per_platform() {
    let mut a = FileCoverage::default();
    a.source_hashes
        .insert("h1".into(), ["linux".to_string()].into());
    let mut b = FileCoverage::default();
    b.source_hashes
        .insert("h2".into(), ["win32".to_string()].into());
    let mut c = FileCoverage::default();
    c.source_hashes
        .insert("h1".into(), ["darwin".to_string()].into());
    a.merge(b);
    a.merge(c);
    let expect: BTreeMap<String, BTreeSet<String>> = [
        (
            "h1".to_string(),
            ["darwin".to_string(), "linux".to_string()].into(),
        ),
        ("h2".to_string(), ["win32".to_string()].into()),
    ]
    .into();
    assert_eq!(a.source_hashes, expect);
    assert_eq!(a.source_hash(), None);
}
