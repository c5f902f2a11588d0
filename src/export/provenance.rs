//! Where the data came from, for the exports' metadata.
//!
//! coverage.py's JSON `meta.version` and XML `version` name the coverage.py
//! that measured. covmerge writes a coverage.py version there only when
//! every input came from coverage.py (the highest, when workers differ);
//! otherwise `covmerge <version>`, and the exports also list the
//! producers (`producers` in JSON `meta`, a comment in the XML). Data that
//! is all coverage.py's, of one version, gets neither addition, so those
//! exports stay byte for byte coverage.py's.

use crate::model::{CoverageData, Source};

/// What the data came from: each source's producer (`coverage.py 7.17.5`,
/// `gcovr`, `gcovr 8.8`) or, when the report did not name one, its format
/// (`lcov`, `go coverprofile (count)`). Sorted, distinct.
pub fn producers(data: &CoverageData) -> Vec<String> {
    let mut out: Vec<String> = data.sources.iter().flat_map(source_producers).collect();
    out.sort();
    out.dedup();
    out
}

fn source_producers(s: &Source) -> Vec<String> {
    match (&s.producer, &s.converted_from) {
        // `record` joins the producers of several reports with ", ".
        (Some(p), _) => p.split(", ").map(str::to_string).collect(),
        (None, Some(f)) => vec![f.clone()],
        (None, None) => vec!["unknown".to_string()],
    }
}

/// The coverage.py version when every input came from coverage.py (the
/// highest when they differ; [`super::COVERAGEPY_VERSION`] when none
/// named its version), else `None`.
pub fn coveragepy_only_version(data: &CoverageData) -> Option<String> {
    let mut best: Option<&str> = None;
    let mut any = false;
    for s in &data.sources {
        // Every report of the source (`record` joins them with ", ") must be
        // coverage.py's: its JSON or raw data, or a producer naming it.
        let formats: Vec<&str> = s
            .converted_from
            .as_deref()
            .map(|f| f.split(", ").collect())
            .unwrap_or_default();
        let versions: Vec<&str> = s
            .producer
            .as_deref()
            .map(|p| p.split(", ").collect())
            .unwrap_or_default();
        if formats.iter().any(|f| !f.starts_with("coverage.py "))
            || versions.iter().any(|p| !p.starts_with("coverage.py "))
            || (formats.is_empty() && versions.is_empty())
        {
            return None;
        }
        any = true;
        for v in versions
            .iter()
            .filter_map(|p| p.strip_prefix("coverage.py "))
        {
            if best.is_none_or(|b| version_key(v) > version_key(b)) {
                best = Some(v);
            }
        }
    }
    any.then(|| best.unwrap_or(super::COVERAGEPY_VERSION).to_string())
}

/// The version the coverage.py-format exports write.
pub fn export_version(data: &CoverageData) -> String {
    coveragepy_only_version(data)
        .unwrap_or_else(|| format!("covmerge {}", env!("CARGO_PKG_VERSION")))
}

/// Whether the exports should list the producers: anything but data that
/// all came from one coverage.py version.
pub fn list_producers(data: &CoverageData) -> Option<Vec<String>> {
    let producers = producers(data);
    let one_coveragepy = coveragepy_only_version(data).is_some()
        && producers.len() <= 1
        && producers.iter().all(|p| p.starts_with("coverage.py"));
    (!one_coveragepy).then_some(producers)
}

/// Text safe inside an XML comment: no `--`, no control characters
/// (producer names come from the inputs).
pub fn comment_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = if c.is_control() { '?' } else { c };
        if c == '-' && out.ends_with('-') {
            out.push(' ');
        }
        out.push(c);
    }
    if out.ends_with('-') {
        out.push(' ');
    }
    out
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(sources: &[(Option<&str>, &str)]) -> CoverageData {
        CoverageData {
            sources: sources
                .iter()
                .map(|(p, f)| Source {
                    producer: p.map(str::to_string),
                    converted_from: Some(f.to_string()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn comment_text_cannot_end_the_comment() {
        assert_eq!(comment_text("a--> b\u{1b}"), "a- -> b?");
        assert_eq!(comment_text("x-"), "x- ");
    }

    #[test]
    fn coveragepy_version_only_for_coveragepy_data() {
        let py = data(&[
            (Some("coverage.py 7.9.1"), "coverage.py json 3"),
            (Some("coverage.py 7.17.5"), "coverage.py json 3"),
        ]);
        assert_eq!(export_version(&py), "7.17.5");
        assert_eq!(
            list_producers(&py),
            Some(vec![
                "coverage.py 7.17.5".to_string(),
                "coverage.py 7.9.1".to_string()
            ])
        );
        let one = data(&[(Some("coverage.py 7.17.5"), "coverage.py json 3")]);
        assert_eq!(export_version(&one), "7.17.5");
        assert_eq!(list_producers(&one), None);

        let c = data(&[(Some("gcovr"), "gcovr json 0.6"), (None, "lcov")]);
        assert_eq!(
            export_version(&c),
            format!("covmerge {}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(
            list_producers(&c),
            Some(vec!["gcovr".to_string(), "lcov".to_string()])
        );
        let mixed = data(&[
            (Some("coverage.py 7.17.5"), "coverage.py json 3"),
            (None, "go coverprofile (count)"),
        ]);
        assert!(export_version(&mixed).starts_with("covmerge "));
        // A recorded file joins its reports' producers.
        let recorded = data(&[(Some("coverage.py 7.17.5, gcovr 8.8"), "cobertura")]);
        let json_and_lcov = data(&[(Some("coverage.py 7.17.5"), "coverage.py json 3, lcov")]);
        assert!(export_version(&json_and_lcov).starts_with("covmerge "));
        assert_eq!(
            producers(&recorded),
            ["coverage.py 7.17.5".to_string(), "gcovr 8.8".to_string()]
        );
        assert!(export_version(&recorded).starts_with("covmerge "));
    }
}
