//! `record`: turn a worker's report(s) into one data file in the shared
//! directory, with the metadata that says where it came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::formats::{self, native};
use crate::model::{CoverageData, Mode, Source};
use crate::output;

/// Who and where: the metadata of a worker's data file.
#[derive(Clone, Debug, Default)]
pub struct WorkerInfo {
    /// The host name.
    pub host: String,
    /// The platform description.
    pub platform: String,
    /// The worker id.
    pub worker: Option<String>,
    /// The worker's root directory.
    pub root: String,
    /// How the workers split the tests.
    pub mode: Mode,
    /// Free labels.
    pub labels: BTreeMap<String, String>,
}

/// What a record wrote, and what the reader said along the way.
pub struct Recorded {
    /// The data file written.
    pub path: PathBuf,
    /// Source files it holds.
    pub files: usize,
    /// Warnings from reading the reports.
    pub warnings: Vec<String>,
}

/// Read the reports, attach `info`, and write the data file into `data_dir`
/// (created if needed) under a unique name.
pub fn record(reports: &[PathBuf], info: &WorkerInfo, data_dir: &Path) -> Result<Recorded> {
    record_with(reports, info, data_dir, None)
}

/// [`record`], and with `python`, raw coverage.py data analysed by that
/// interpreter's coverage.py on the worker (sources and configuration are
/// here), so the data file needs nothing at combine time.
pub fn record_with(
    reports: &[PathBuf],
    info: &WorkerInfo,
    data_dir: &Path,
    python: Option<&Path>,
) -> Result<Recorded> {
    if reports.is_empty() {
        return Err(Error::Usage("record needs at least one report".into()));
    }
    let mut data = CoverageData::default();
    let mut converted = Vec::new();
    let mut producers = Vec::new();
    let mut warnings = Vec::new();
    for report in reports {
        let parsed = formats::read_file(report)?;
        warnings.extend(parsed.diagnostics.messages(report));
        for s in &parsed.data.sources {
            converted.extend(s.converted_from.clone());
            producers.extend(s.producer.clone());
        }
        let mut part = parsed.data;
        part.sources.clear();
        part.root = None;
        data.merge(part);
    }
    if let Some(python) = python {
        warnings.extend(crate::pyanalysis::resolve_for_worker(
            &mut data, python, &info.root,
        )?);
    }
    converted.sort();
    converted.dedup();
    producers.sort();
    producers.dedup();
    data.root = Some(info.root.clone());
    data.sources = vec![Source {
        host: Some(info.host.clone()),
        platform: Some(info.platform.clone()),
        worker: info.worker.clone(),
        root: Some(info.root.clone()),
        mode: info.mode,
        labels: info.labels.clone(),
        created: Some(output::now_rfc3339()),
        converted_from: (!converted.is_empty()).then(|| converted.join(", ")),
        producer: (!producers.is_empty()).then(|| producers.join(", ")),
    }];
    for (name, file) in data.files.iter_mut() {
        if let Some(hash) = crate::hashing::source_hash(&info.root, name) {
            file.source_hashes
                .insert(hash, [info.platform.clone()].into_iter().collect());
        }
    }
    std::fs::create_dir_all(data_dir).map_err(|e| Error::io(data_dir, e))?;
    let name = data_file_name(info);
    let path = data_dir.join(name);
    output::write_atomic(&path, native::to_string(&data).as_bytes())?;
    Ok(Recorded {
        path,
        files: data.files.len(),
        warnings,
    })
}

/// The longest host, platform or worker part of a data file name. With
/// the unique token and the suffix, a name stays under 180 bytes, well
/// inside the usual 255-byte limit for one name.
const MAX_NAME_PART: usize = 40;

/// `part` if short enough, else its start and 8 hex digits of the SHA-256
/// of the whole value (the file holds the value itself).
fn short_part(part: String, value: &str) -> String {
    if part.len() <= MAX_NAME_PART {
        return part;
    }
    let hash = crate::hashing::sha256_hex(value.as_bytes());
    // Slugs are ASCII, so any byte index is a character boundary.
    format!("{}-{}", &part[..MAX_NAME_PART - 9], &hash[..8])
}

/// `hostA.linux-py3.11.7.gw0.<unique>.covmerge.json`.
pub fn data_file_name(info: &WorkerInfo) -> String {
    let mut parts = vec![
        short_part(slug(&info.host), &info.host),
        short_part(platform_slug(&info.platform), &info.platform),
    ];
    if let Some(worker) = &info.worker {
        parts.push(short_part(slug(worker), worker));
    }
    parts.push(output::unique_token());
    format!("{}{}", parts.join("."), native::SUFFIX)
}

/// A short file-name-safe form of a platform description:
/// `platform linux, python 3.11.7-final-0` -> `linux-py3.11.7`.
pub fn platform_slug(desc: &str) -> String {
    if let Some(rest) = desc.strip_prefix("platform ") {
        if let Some((os, py)) = rest.split_once(", python ") {
            let version = py.strip_suffix("-final-0").unwrap_or(py);
            return slug(&format!("{os}-py{version}"));
        }
        return slug(rest);
    }
    slug(desc)
}

/// Keep `[A-Za-z0-9._-]`, turn other runs into `-`, no leading dot.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(['-', '.']).to_string();
    if out.is_empty() {
        "unknown".to_string()
    } else {
        out
    }
}

/// The platform description pytest-cov would print for the Python at
/// `python`: `platform linux, python 3.11.7-final-0`. Asked with a time
/// limit and a size limit (`crate::probe`).
pub fn probe_python(python: &Path) -> Result<String> {
    crate::probe::probe_python(python, crate::probe::probe_timeout())
}

/// `platform <os>` in Python's `sys.platform` words.
pub fn default_platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    };
    format!("platform {os}")
}

/// This machine's host name, without asking a crate.
pub fn hostname() -> String {
    let candidates = [
        std::fs::read_to_string("/proc/sys/kernel/hostname").ok(),
        std::env::var("HOSTNAME").ok(),
        std::env::var("COMPUTERNAME").ok(),
        std::fs::read_to_string("/etc/hostname").ok(),
        std::process::Command::new("hostname")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(|h| h.trim().to_string())
        .find(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_name_parts_are_shortened_with_a_hash() {
        let info = |worker: String| WorkerInfo {
            host: "h".repeat(300),
            platform: format!("platform {}", "p".repeat(300)),
            worker: Some(worker),
            ..Default::default()
        };
        let a = data_file_name(&info("w".repeat(170)));
        let b = data_file_name(&info(format!("{}x", "w".repeat(169))));
        assert!(a.len() < 180, "{} bytes: {a}", a.len());
        // Different values keep different names, however long.
        assert_ne!(a.split('.').nth(2), b.split('.').nth(2));
        let tmp = crate::output::hidden_name(&a, ".tmp-0123456789abcdef0123");
        assert!(tmp.len() <= 255);
    }

    #[test]
    fn only_sources_under_the_root_are_hashed() {
        let dir = std::env::temp_dir().join(format!("covmerge-root-{}", output::unique_token()));
        std::fs::create_dir_all(dir.join("proj")).unwrap();
        std::fs::write(dir.join("proj/a.py"), "x = 1\n").unwrap();
        std::fs::write(dir.join("secret"), "s").unwrap();
        let root = dir.join("proj");
        let root = root.to_str().unwrap();
        assert!(crate::hashing::source_hash(root, "a.py").is_some());
        assert!(crate::hashing::source_hash(root, "../secret").is_none());
        let outside = dir.join("secret");
        assert!(crate::hashing::source_hash(root, outside.to_str().unwrap()).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn file_names_are_safe_and_unique() {
        let info = WorkerInfo {
            host: "ci host/1".into(),
            platform: "platform linux, python 3.11.7-final-0".into(),
            worker: Some("gw0".into()),
            ..Default::default()
        };
        let a = data_file_name(&info);
        let b = data_file_name(&info);
        assert!(a.starts_with("ci-host-1.linux-py3.11.7.gw0."), "{a}");
        assert!(a.ends_with(".covmerge.json"));
        assert_ne!(a, b);
        assert_eq!(
            platform_slug("platform win32, python 3.13.0-candidate-2"),
            "win32-py3.13.0-candidate-2"
        );
        assert_eq!(platform_slug("platform darwin"), "darwin");
    }
}
