//! The combine manifest (`combine --manifest FILE`): every input found,
//! what happened to it and what it contributed, and the checks a CI job
//! can make on it (`--expect-workers`, `--expect-platforms`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::combine::{Combined, InputOutcome, InputStatus};
use crate::model::Source;

/// Manifest format version.
pub const MANIFEST_VERSION: u32 = 1;

/// Who contributed: one key per distinct worker (host, platform, worker)
/// among the used inputs. A bare report that names no worker counts as a
/// worker of its own, named by its path.
pub fn contributors(combined: &Combined) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for input in combined
        .inputs
        .iter()
        .filter(|i| i.status == InputStatus::Used)
    {
        let mut named = false;
        for s in &input.sources {
            if s.host.is_some() || s.platform.is_some() || s.worker.is_some() {
                out.insert(worker_name(s));
                named = true;
            }
        }
        if !named {
            out.insert(format!("report {}", input.path.display()));
        }
    }
    out
}

/// `hostA/gw0 (platform linux, python 3.12.1-final-0)`.
pub fn worker_name(s: &Source) -> String {
    format!(
        "{}/{} ({})",
        s.host.as_deref().unwrap_or("?"),
        s.worker.as_deref().unwrap_or("?"),
        s.platform.as_deref().unwrap_or("unknown platform")
    )
}

/// Split an `--expect-platforms` value into platform descriptions. Items
/// are comma-separated, but pytest-cov's descriptions contain a comma
/// themselves (`platform linux, python 3.12.1-final-0`), so a piece that
/// starts with `python ` continues the previous one. `;` always separates.
pub fn parse_platform_list(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in values {
        for group in value.split(';') {
            let mut continues = false;
            for piece in group.split(',') {
                let piece = piece.trim();
                if piece.is_empty() {
                    continue;
                }
                match out.last_mut() {
                    Some(last) if continues && piece.starts_with("python ") => {
                        last.push_str(", ");
                        last.push_str(piece);
                    }
                    _ => out.push(piece.to_string()),
                }
                continues = true;
            }
        }
    }
    out
}

/// Check the expectations; `Err` is the message for the user.
/// The expected platforms (descriptions or file-name slugs) that no input
/// contributed.
pub fn missing_platforms(combined: &Combined, expect_platforms: &[String]) -> Vec<String> {
    let have = combined.data.platforms();
    expect_platforms
        .iter()
        .filter(|want| {
            !have
                .iter()
                .any(|p| p == *want || crate::record::platform_slug(p) == want.as_str())
        })
        .cloned()
        .collect()
}

/// `--expect-workers` / `--expect-platforms`: the message when unmet.
pub fn check_expectations(
    combined: &Combined,
    expect_workers: Option<usize>,
    expect_platforms: &[String],
) -> Result<(), String> {
    let mut problems = Vec::new();
    if let Some(n) = expect_workers {
        let got = contributors(combined);
        if got.len() < n {
            problems.push(format!(
                "expected data from {n} workers, but only {} contributed{}",
                got.len(),
                if got.is_empty() {
                    String::new()
                } else {
                    format!(": {}", got.iter().cloned().collect::<Vec<_>>().join(", "))
                }
            ));
        }
    }
    if !expect_platforms.is_empty() {
        let have = combined.data.platforms();
        let missing = missing_platforms(combined, expect_platforms);
        if !missing.is_empty() {
            problems.push(format!(
                "expected data from platform(s) {} but got none; platforms that contributed: {}",
                missing
                    .iter()
                    .map(|m| format!("{m:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if have.is_empty() {
                    "none".to_string()
                } else {
                    have.iter()
                        .map(|m| format!("{m:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
        }
    }
    let rejected = combined.count(|s| matches!(s, InputStatus::Rejected { .. }));
    if problems.is_empty() {
        Ok(())
    } else {
        if rejected > 0 {
            problems.push(format!(
                "{rejected} input(s) were rejected (see the warnings above)"
            ));
        }
        Err(problems.join("; "))
    }
}

/// One distinct value as a string, several as an array, none as null.
fn one_or_many(values: BTreeSet<&str>) -> Value {
    match values.len() {
        0 => Value::Null,
        1 => json!(values.into_iter().next()),
        _ => json!(values.into_iter().collect::<Vec<_>>()),
    }
}

fn input_json(input: &InputOutcome, deleted: bool) -> Value {
    let field = |f: fn(&Source) -> Option<&str>| -> Value {
        one_or_many(input.sources.iter().filter_map(f).collect())
    };
    let mut v = json!({
        "path": input.path.to_string_lossy(),
        "size": input.size,
        "sha256": input.sha256,
        "host": field(|s| s.host.as_deref()),
        "platform": field(|s| s.platform.as_deref()),
        "worker": field(|s| s.worker.as_deref()),
        "format": input.format,
        "status": input.status.describe(),
    });
    let obj = v.as_object_mut().expect("an object");
    match &input.status {
        InputStatus::Used => {
            obj.insert(
                "contributed".into(),
                json!({
                    "files": input.files,
                    "statements": input.statements,
                    "statements_covered": input.covered,
                }),
            );
        }
        InputStatus::Duplicate { of } => {
            obj.insert("duplicate_of".into(), json!(of.to_string_lossy()));
        }
        InputStatus::Rejected { reason } => {
            obj.insert("reason".into(), json!(reason));
        }
    }
    if input.sources.len() > 1 {
        obj.insert(
            "workers".into(),
            json!(input.sources.iter().map(worker_name).collect::<Vec<_>>()),
        );
    }
    obj.insert("deleted".into(), json!(deleted));
    v
}

/// What the manifest says besides the inputs.
#[derive(Debug, Default)]
pub struct ManifestInfo<'a> {
    /// The `-o` file, if any.
    pub output: Option<&'a Path>,
    /// Temporary files left by interrupted writers.
    pub leftovers: &'a [PathBuf],
    /// Inputs `--delete-inputs` deleted.
    pub deleted: &'a [PathBuf],
    /// Why the run failed, if it did.
    pub expectation_failure: Option<&'a str>,
}

/// The manifest as JSON text.
pub fn render(combined: &Combined, info: &ManifestInfo) -> String {
    let inputs: Vec<Value> = combined
        .inputs
        .iter()
        .map(|i| input_json(i, info.deleted.contains(&i.path)))
        .collect();
    let drift: Vec<Value> = combined
        .drift()
        .into_iter()
        .map(|(name, hashes)| {
            json!({
                "file": name,
                "hashes": hashes.iter().map(|(h, p)| json!({"sha256": h, "platforms": p})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let covered: usize = combined
        .data
        .files
        .values()
        .map(|f| f.lines.values().filter(|h| **h > 0).count())
        .sum();
    let statements: usize = combined.data.files.values().map(|f| f.lines.len()).sum();
    let value = json!({
        "covmerge_manifest": MANIFEST_VERSION,
        "producer": format!("covmerge {}", env!("CARGO_PKG_VERSION")),
        "created": crate::output::now_rfc3339(),
        "output": info.output.map(|p| p.to_string_lossy()),
        "summary": {
            "found": combined.inputs.len(),
            "used": combined.count(|s| *s == InputStatus::Used),
            "duplicates": combined.count(|s| matches!(s, InputStatus::Duplicate { .. })),
            "rejected": combined.count(|s| matches!(s, InputStatus::Rejected { .. })),
            "workers": contributors(combined).into_iter().collect::<Vec<_>>(),
            "platforms": combined.data.platforms(),
            "files": combined.data.files.len(),
            "statements": statements,
            "statements_covered": covered,
            "expectations": match info.expectation_failure {
                None => json!("met"),
                Some(text) => json!(format!("failed: {text}")),
            },
        },
        "inputs": inputs,
        "leftover_temporary_files": info.leftovers.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>(),
        "source_drift": drift,
        "branch_numbers": crate::model::branches::manifest_summary(&combined.data),
    });
    let mut text = serde_json::to_string_pretty(&value).expect("manifest serialises");
    text.push('\n');
    text
}

/// Pass a combine's result through; when it failed (a `--strict` error)
/// and a manifest was asked for, write one first: the inputs found, none
/// combined, and why. A failed run is when the manifest matters most.
pub fn on_failure(
    result: crate::Result<Combined>,
    manifest: Option<&Path>,
    inputs: &[PathBuf],
    leftovers: &[PathBuf],
    output: Option<&Path>,
) -> crate::Result<Combined> {
    let (Err(error), Some(path)) = (&result, manifest) else {
        return result;
    };
    let reason = format!("not combined: {error}");
    let combined = Combined {
        inputs: inputs
            .iter()
            .map(|p| InputOutcome {
                path: p.clone(),
                status: InputStatus::Rejected {
                    reason: reason.clone(),
                },
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let info = ManifestInfo {
        output,
        leftovers,
        deleted: &[],
        expectation_failure: Some(&reason),
    };
    crate::output::write_atomic(path, render(&combined, &info).as_bytes())?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_lists_keep_pytest_cov_descriptions_whole() {
        let v = vec![
            "platform linux, python 3.11.7-final-0,platform darwin, python 3.12.1-final-0".into(),
            "win32-py3.13.0".into(),
        ];
        assert_eq!(
            parse_platform_list(&v),
            [
                "platform linux, python 3.11.7-final-0",
                "platform darwin, python 3.12.1-final-0",
                "win32-py3.13.0"
            ]
        );
        assert_eq!(parse_platform_list(&["a;b, c".into()]), ["a", "b", "c"]);
    }
}
