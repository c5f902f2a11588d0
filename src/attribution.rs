//! Attribution: which platform (or worker, or label value) covered what.
//!
//! The union answers "is this line tested anywhere?"; attribution keeps,
//! per file, what each group covered, so the report can answer "which
//! lines are only tested on Windows?". Groups come from the sources'
//! metadata; the per-file sets live in `FileCoverage::covered_by`.

use crate::error::{Error, Result};
use crate::model::{CoverageData, GroupCoverage, Source};

/// What `covered_by` groups by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// The platform description (each mode).
    Platform,
    /// The worker: `host/worker` (load mode).
    Worker,
    /// The value of a free label, e.g. `label:job`.
    Label(String),
}

impl Dimension {
    /// `platform`, `worker` or `label:KEY`.
    pub fn parse(text: &str) -> Result<Dimension> {
        match text {
            "platform" => Ok(Dimension::Platform),
            "worker" => Ok(Dimension::Worker),
            _ => match text.strip_prefix("label:") {
                Some(key) if !key.is_empty() => Ok(Dimension::Label(key.to_string())),
                _ => Err(Error::Usage(format!(
                    "--by {text:?}: expected platform, worker or label:KEY"
                ))),
            },
        }
    }

    /// The dimension as `parse` reads it.
    pub fn name(&self) -> String {
        match self {
            Dimension::Platform => "platform".to_string(),
            Dimension::Worker => "worker".to_string(),
            Dimension::Label(key) => format!("label:{key}"),
        }
    }

    /// The group a source belongs to.
    pub fn group_of(&self, source: &Source) -> String {
        match self {
            Dimension::Platform => source
                .platform
                .clone()
                .unwrap_or_else(|| "(unknown platform)".to_string()),
            Dimension::Worker => match (&source.host, &source.worker) {
                (Some(h), Some(w)) => format!("{h}/{w}"),
                (None, Some(w)) => w.clone(),
                (Some(h), None) => h.clone(),
                (None, None) => "(unknown worker)".to_string(),
            },
            Dimension::Label(key) => source
                .labels
                .get(key)
                .cloned()
                .unwrap_or_else(|| format!("(no {key})")),
        }
    }
}

/// Give every file of `data` its `covered_by` for `dimension`. Data that
/// already carries attribution for this dimension (a combined file) keeps
/// it; other data is one group when all its sources agree. Returns a
/// warning when the data cannot be attributed.
pub fn attribute(data: &mut CoverageData, dimension: &Dimension) -> Option<String> {
    let name = dimension.name();
    if data.attribution.as_deref() == Some(name.as_str()) {
        return None;
    }
    let groups: std::collections::BTreeSet<String> =
        data.sources.iter().map(|s| dimension.group_of(s)).collect();
    let (group, warning) = match groups.len() {
        1 => (groups.into_iter().next().expect("one group"), None),
        _ => (
            "(unattributed)".to_string(),
            Some(format!(
                "holds data of {} {name} groups without per-{name} attribution; counted as \"(unattributed)\"",
                groups.len()
            )),
        ),
    };
    for file in data.files.values_mut() {
        file.covered_by.clear();
        file.covered_by
            .insert(group.clone(), GroupCoverage::of(file));
    }
    data.attribution = Some(name);
    warning
}

/// Drop attribution (when the user did not ask for it, it only costs).
pub fn strip(data: &mut CoverageData) {
    if data.attribution.take().is_some() {
        for file in data.files.values_mut() {
            file.covered_by.clear();
        }
    }
}

/// Short names for group labels, keeping only the part that tells them
/// apart: `platform linux, python 3.11.7-final-0` and `… 3.12.1-final-0`
/// become `3.11.7` and `3.12.1`.
pub fn abbreviate(names: &[String]) -> Vec<String> {
    // "(unknown platform)", "(unattributed)": not descriptions to cut (an
    // unknown one is just "(unknown)"). The others are shortened among
    // themselves.
    let placeholder = |n: &String| n.starts_with('(') && n.ends_with(')');
    if names.iter().any(placeholder) {
        let described: Vec<String> = names.iter().filter(|n| !placeholder(n)).cloned().collect();
        let mut short = abbreviate(&described).into_iter();
        return (names.iter())
            .map(|n| match placeholder(n) {
                true if n.starts_with("(unknown ") => "(unknown)".to_string(),
                true => n.clone(),
                false => short.next().unwrap_or_else(|| n.clone()),
            })
            .collect();
    }
    if names.len() < 2 {
        return names.iter().map(|n| short_single(n)).collect();
    }
    let split: Vec<Vec<&str>> = names.iter().map(|n| tokens(n)).collect();
    let min_len = split.iter().map(Vec::len).min().unwrap_or(0);
    let mut prefix = 0;
    while prefix < min_len && split.iter().all(|t| t[prefix] == split[0][prefix]) {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < min_len - prefix
        && split
            .iter()
            .all(|t| t[t.len() - 1 - suffix] == split[0][split[0].len() - 1 - suffix])
    {
        suffix += 1;
    }
    let short: Vec<String> = split
        .iter()
        .map(|t| {
            t[prefix..t.len() - suffix]
                .concat()
                .trim_matches(|c: char| c == ',' || c == ' ' || c == '-')
                .to_string()
        })
        .collect();
    let distinct: std::collections::BTreeSet<&String> = short.iter().collect();
    if distinct.len() == names.len() && short.iter().all(|s| !s.is_empty()) {
        short
    } else {
        names.to_vec()
    }
}

fn short_single(name: &str) -> String {
    name.strip_prefix("platform ").unwrap_or(name).to_string()
}

/// Words and separators, so that common parts are cut at word boundaries.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == ' ' || c == ',' || c == '-' {
            if start < i {
                out.push(&s[start..i]);
            }
            out.push(&s[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_keep_the_distinguishing_part() {
        let names = vec![
            "platform linux, python 3.11.7-final-0".to_string(),
            "platform linux, python 3.12.1-final-0".to_string(),
            "platform linux, python 3.13.0-final-0".to_string(),
        ];
        assert_eq!(abbreviate(&names), vec!["3.11.7", "3.12.1", "3.13.0"]);
        let os = vec![
            "platform darwin, python 3.12.1-final-0".to_string(),
            "platform win32, python 3.12.1-final-0".to_string(),
        ];
        assert_eq!(abbreviate(&os), vec!["darwin", "win32"]);
        // Bare reports (no platform) next to recorded workers.
        let with_unknown = vec![
            "(unknown platform)".to_string(),
            "platform linux, python 3.11.7-final-0".to_string(),
            "platform linux, python 3.12.1-final-0".to_string(),
        ];
        assert_eq!(
            abbreviate(&with_unknown),
            vec!["(unknown)", "3.11.7", "3.12.1"]
        );
        let mixed = vec![
            "platform linux, python 3.12.1-final-0".to_string(),
            "platform win32, python 3.13.0-candidate-2".to_string(),
        ];
        assert_eq!(
            abbreviate(&mixed),
            vec![
                "linux, python 3.12.1-final-0",
                "win32, python 3.13.0-candidate-2"
            ]
        );
    }

    #[test]
    fn dimensions() {
        let s = Source {
            host: Some("h".into()),
            worker: Some("gw1".into()),
            platform: Some("platform linux".into()),
            labels: [("job".to_string(), "py311".to_string())]
                .into_iter()
                .collect(),
            ..Default::default()
        };
        assert_eq!(Dimension::Platform.group_of(&s), "platform linux");
        assert_eq!(Dimension::Worker.group_of(&s), "h/gw1");
        assert_eq!(Dimension::parse("label:job").unwrap().group_of(&s), "py311");
        assert!(Dimension::parse("label:").is_err());
    }
}
