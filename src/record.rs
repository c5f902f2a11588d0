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
    pub host: String,
    pub platform: String,
    pub worker: Option<String>,
    pub root: String,
    pub mode: Mode,
    pub labels: BTreeMap<String, String>,
}

/// What a record wrote, and what the reader said along the way.
pub struct Recorded {
    pub path: PathBuf,
    pub files: usize,
    pub warnings: Vec<String>,
}

/// Read the reports, attach `info`, and write the data file into `data_dir`
/// (created if needed) under a unique name.
pub fn record(reports: &[PathBuf], info: &WorkerInfo, data_dir: &Path) -> Result<Recorded> {
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
        if let Some(hash) = source_hash(&info.root, name) {
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

/// Source files bigger than this are not hashed.
const MAX_HASHED_SOURCE: u64 = 64 << 20;

/// The content hash of source file `name` (as the report names it,
/// relative to `root` or absolute), if it can be read here: SHA-256 in hex
/// of the bytes with every CRLF read as LF, so that a Windows checkout
/// (git autocrlf) of the same commit hashes the same. Only regular files
/// are read (a FIFO would block).
pub fn source_hash(root: &str, name: &str) -> Option<String> {
    let path = if Path::new(name).is_absolute() || crate::paths::is_absolute_anywhere(name) {
        PathBuf::from(name)
    } else {
        Path::new(root).join(name)
    };
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_HASHED_SOURCE {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    let mut text = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        text.push(bytes[i]);
        i += 1;
    }
    Some(crate::combine::sha256_hex(&text))
}

/// `hostA.linux-py3.11.7.gw0.<unique>.covmerge.json`.
pub fn data_file_name(info: &WorkerInfo) -> String {
    let mut parts = vec![slug(&info.host), platform_slug(&info.platform)];
    if let Some(worker) = &info.worker {
        parts.push(slug(worker));
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
/// `python`: `platform linux, python 3.11.7-final-0`.
pub fn probe_python(python: &Path) -> Result<String> {
    let code = "import sys; print('platform %s, python %s.%s.%s-%s-%s' % ((sys.platform,) + tuple(sys.version_info[:5])))";
    let out = std::process::Command::new(python)
        .args(["-c", code])
        .output()
        .map_err(|e| Error::io(python, e))?;
    if !out.status.success() {
        return Err(Error::Other(format!(
            "{}: probing the interpreter failed: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !text.starts_with("platform ") {
        return Err(Error::Other(format!(
            "{}: unexpected answer from the interpreter: {text:?}",
            python.display()
        )));
    }
    Ok(text)
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
