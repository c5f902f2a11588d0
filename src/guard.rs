//! What `combine` may write over and delete: no output replaces data the
//! run did not account for.
//!
//! - [`check_outputs`]: `-o`, `--manifest` and every `--report` file are
//!   distinct, and none of them is an input (`-o` may be an input that was
//!   read and used: its data is in the new output; see [`check_output_over_inputs`]).
//! - [`OutputLock`]: one combine at a time writes a given `-o`; another one
//!   fails at once instead of renaming its result over data it never read.
//!   Before the rename, the destination must still be what it was when the
//!   run started (a writer that takes no lock is caught there too).
//! - [`delete_inputs`]: an input is deleted only if it still holds the
//!   bytes that were read (same SHA-256); it is first renamed aside, so it
//!   cannot be replaced between the check and the deletion.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::combine::{Combined, InputStatus};
use crate::error::{Error, Result};
use crate::export::ReportRequest;

/// An output a run will write: what names it (for messages) and its path.
#[derive(Clone, Debug)]
pub struct Planned {
    /// What names it in messages (`-o`, `--manifest`, `--report json`).
    pub what: String,
    /// Its path.
    pub path: PathBuf,
}

/// Every file the run will write (stdout excluded).
pub fn planned_outputs(
    output: Option<&Path>,
    manifest: Option<&Path>,
    reports: &[ReportRequest],
) -> Vec<Planned> {
    let github_summary = std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let github_summary = github_summary.as_deref();
    let mut out = Vec::new();
    if let Some(p) = output {
        out.push(Planned {
            what: "-o".into(),
            path: p.to_path_buf(),
        });
    }
    if let Some(p) = manifest {
        out.push(Planned {
            what: "--manifest".into(),
            path: p.to_path_buf(),
        });
    }
    for r in reports {
        let path = match (&r.path, r.kind.default_path()) {
            _ if r.kind.as_str() == "github" && github_summary.is_some() => {
                github_summary.map(Path::to_path_buf)
            }
            (Some(p), _) => Some(p.clone()),
            (None, Some(d)) => Some(PathBuf::from(d)),
            (None, None) => None,
        };
        if let Some(path) = path.filter(|p| p.as_os_str() != "-") {
            out.push(Planned {
                what: format!("--report {}", r.kind.as_str()),
                path,
            });
        }
    }
    out
}

/// The path as the file system resolves it: links followed, relative
/// parts gone. A file that does not exist yet resolves through its
/// directory.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match (dir.canonicalize(), path.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => std::env::current_dir()
            .map(|c| c.join(path))
            .unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// Same file: the resolved paths match, or (a hard link) the same inode.
fn same_file(a: &Path, b: &Path) -> bool {
    if resolved(a) == resolved(b) {
        return true;
    }
    match (Identity::of(a), Identity::of(b)) {
        (Some(x), Some(y)) => x.inode.is_some() && x.inode == y.inode,
        _ => false,
    }
}

/// Refuse two outputs on one file, and any output but `-o` on an input.
pub fn check_outputs(planned: &[Planned], inputs: &[PathBuf]) -> Result<()> {
    for (i, a) in planned.iter().enumerate() {
        for b in &planned[i + 1..] {
            if same_file(&a.path, &b.path) {
                return Err(Error::Usage(format!(
                    "{} {} and {} {} are the same file; one would replace the other",
                    a.what,
                    a.path.display(),
                    b.what,
                    b.path.display()
                )));
            }
        }
        if a.what == "-o" {
            continue;
        }
        // Inputs can be many: compare resolved paths and inodes in one pass
        // per output rather than resolving every input again.
        let (path, inode) = (
            resolved(&a.path),
            Identity::of(&a.path).and_then(|i| i.inode),
        );
        let hit = |input: &&PathBuf| {
            resolved(input) == path
                || inode.is_some() && Identity::of(input).and_then(|i| i.inode) == inode
        };
        if let Some(input) = inputs.iter().find(hit) {
            return Err(Error::Usage(format!(
                "{} {} is also an input ({}); writing it would replace that input",
                a.what,
                a.path.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// With `--delete-inputs`, an existing `-o` must be one of the inputs.
/// Otherwise a run killed after writing `-o` and deleting some inputs,
/// then run again, would replace `-o` with the remaining inputs alone and
/// the deleted ones would be lost. Checked under the output lock, so no
/// other run creates `-o` between this check and the rename.
pub fn check_output_is_read(output: &Path, inputs: &[PathBuf]) -> Result<()> {
    if std::fs::symlink_metadata(output).is_err() || inputs.iter().any(|i| same_file(i, output)) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "-o {} already exists and is not one of the inputs: with --delete-inputs its data \
         would be lost when it is replaced; name it as an input to combine it too, or remove it",
        output.display()
    )))
}

/// `-o` may replace an input only if that input's data is in the output
/// (it was used, or is a duplicate of one that was).
pub fn check_output_over_inputs(combined: &Combined, output: &Path) -> Result<()> {
    for input in &combined.inputs {
        if let InputStatus::Rejected { .. } = input.status {
            if same_file(&input.path, output) {
                return Err(Error::Usage(format!(
                    "-o {} is the input {}, which was rejected: writing the output would \
                     destroy it",
                    output.display(),
                    input.path.display()
                )));
            }
        }
    }
    Ok(())
}

/// Enough of a file's identity to tell that it was replaced or changed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Identity {
    inode: Option<(u64, u64)>,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Identity {
    fn of(path: &Path) -> Option<Identity> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            Some((meta.dev(), meta.ino()))
        };
        #[cfg(not(unix))]
        let inode = None;
        Some(Identity {
            inode,
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// An advisory lock on one output for the whole run, and what the output
/// was when the run started.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
    output: PathBuf,
    before: Option<Identity>,
}

impl OutputLock {
    /// Lock `output` (creating its directory, as `-o` always did), or fail
    /// at once if another run holds it.
    pub fn acquire(output: &Path) -> Result<OutputLock> {
        let dir = match output.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let name = output
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Error::Usage(format!("-o {}: not a file name", output.display())))?;
        let lock_path = dir.join(crate::output::hidden_name(name, crate::output::LOCK_TAG));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Other(format!(
                    "{}: another covmerge combine is writing this output (it holds {}); \
                     not combined, nothing written or deleted",
                    output.display(),
                    lock_path.display()
                )))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&lock_path, e)),
        }
        Ok(OutputLock {
            _file: file,
            output: output.to_path_buf(),
            before: Identity::of(output),
        })
    }

    /// Write the output atomically, unless it changed since the run began.
    pub fn write(&self, contents: &[u8]) -> Result<()> {
        if Identity::of(&self.output) != self.before {
            return Err(Error::Other(format!(
                "{}: changed while this combine ran (another writer); not replaced, \
                 nothing deleted",
                self.output.display()
            )));
        }
        crate::output::write_atomic(&self.output, contents)
    }
}

/// Delete the inputs that went into `output` (used ones and duplicates of
/// them, as `coverage combine` does), never a rejected input, never
/// `output` itself, and only if the file still holds the bytes that were
/// read. Problems are warnings: the combined data is safe.
pub fn delete_inputs(
    combined: &Combined,
    output: &Path,
    warn: &mut dyn FnMut(&str),
) -> Vec<PathBuf> {
    let mut deleted = Vec::new();
    for input in &combined.inputs {
        if matches!(input.status, InputStatus::Rejected { .. }) || same_file(&input.path, output) {
            continue;
        }
        match delete_if_unchanged(&input.path, input.sha256.as_deref()) {
            Ok(true) => deleted.push(input.path.clone()),
            Ok(false) => warn(&format!(
                "{}: changed or replaced since it was read; kept",
                input.path.display()
            )),
            Err(e) => warn(&format!("{}: could not delete: {e}", input.path.display())),
        }
    }
    deleted
}

/// Rename `path` aside, check its bytes against `sha256`, and delete it
/// (`Ok(true)`) or put it back (`Ok(false)`).
fn delete_if_unchanged(path: &Path, sha256: Option<&str>) -> std::io::Result<bool> {
    let Some(expected) = sha256 else {
        return Ok(false);
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = path.with_file_name(crate::output::hidden_name(
        &name,
        &format!(".tmp-del-{}", crate::output::unique_token()),
    ));
    std::fs::rename(path, &aside)?;
    let same = std::fs::read(&aside)
        .map(|bytes| crate::hashing::sha256_hex(&bytes) == expected)
        .unwrap_or(false);
    if same {
        std::fs::remove_file(&aside)?;
        return Ok(true);
    }
    // Back under its name, unless a new file took the name meanwhile.
    match std::fs::hard_link(&aside, path) {
        Ok(()) => {
            std::fs::remove_file(&aside)?;
            Ok(false)
        }
        Err(e) => Err(std::io::Error::new(
            e.kind(),
            format!(
                "changed since it was read and its name was taken; kept as {}",
                aside.display()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "covmerge-guard-{tag}-{}",
            crate::output::unique_token()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn outputs_must_differ_from_each_other_and_the_inputs() {
        let dir = tempdir("paths");
        let input = dir.join("w1.covmerge.json");
        std::fs::write(&input, "x").unwrap();
        let plan = |o: &Path, m: &Path| {
            vec![
                Planned {
                    what: "-o".into(),
                    path: o.to_path_buf(),
                },
                Planned {
                    what: "--manifest".into(),
                    path: m.to_path_buf(),
                },
            ]
        };
        let same = dir.join("sub/../all.json");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let e = check_outputs(&plan(&dir.join("all.json"), &same), &[]).unwrap_err();
        assert!(e.to_string().contains("are the same file"), "{e}");
        let e = check_outputs(
            &plan(&dir.join("all.json"), &input),
            std::slice::from_ref(&input),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("--manifest") && e.contains("also an input"),
            "{e}"
        );
        // -o over a used input is a re-combine in place: allowed here.
        check_outputs(
            &plan(&input, &dir.join("m.json")),
            std::slice::from_ref(&input),
        )
        .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_second_lock_on_one_output_fails_and_a_changed_output_is_not_replaced() {
        let dir = tempdir("lock");
        let out = dir.join("all.covmerge.json");
        let first = OutputLock::acquire(&out).unwrap();
        let e = OutputLock::acquire(&out).unwrap_err().to_string();
        assert!(e.contains("another covmerge combine"), "{e}");
        std::fs::write(&out, "written by someone else").unwrap();
        assert!(first.write(b"mine").is_err());
        assert_eq!(std::fs::read(&out).unwrap(), b"written by someone else");
        drop(first);
        let second = OutputLock::acquire(&out).unwrap();
        second.write(b"mine").unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_unchanged_inputs_are_deleted() {
        let dir = tempdir("delete");
        let path = dir.join("w.info");
        std::fs::write(&path, "read").unwrap();
        let hash = crate::hashing::sha256_hex(b"read");
        std::fs::write(&path, "changed").unwrap();
        assert!(!delete_if_unchanged(&path, Some(&hash)).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"changed");
        std::fs::write(&path, "read").unwrap();
        assert!(delete_if_unchanged(&path, Some(&hash)).unwrap());
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
