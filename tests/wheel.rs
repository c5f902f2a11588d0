//! The Python package: `maturin build` makes a wheel, pip installs it into
//! a fresh virtual environment, and the installed `covmerge` runs the demo
//! (`testdata/examples/demo.sh`) with the same output as the binary under
//! test.
//!
//! Needs maturin (`$MATURIN`, else `maturin` on the PATH) and a Python
//! with `venv` (`$COVMERGE_PYTHON`, else `python3`). Without them the test
//! says why on stderr and passes; with `COVMERGE_REQUIRE_WHEEL=1` (CI) it
//! fails instead, so a CI that means to test the wheel cannot skip it.
//!
//! The wheel is built from the release profile (`maturin build --release`
//! runs cargo with the same settings as `cargo build --release`), so after
//! `make build` it only packages the binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn found(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// `Some(reason)` when the tools are missing.
fn tools() -> Result<(String, String), String> {
    let maturin = std::env::var("MATURIN").unwrap_or_else(|_| "maturin".into());
    let python = std::env::var("COVMERGE_PYTHON").unwrap_or_else(|_| "python3".into());
    if !found(&maturin) {
        return Err(format!(
            "maturin not found ({maturin}); install it with `pip install maturin` or set $MATURIN"
        ));
    }
    let venv_ok = Command::new(&python)
        .args(["-c", "import venv, ensurepip"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !venv_ok {
        return Err(format!(
            "{python} with the venv and ensurepip modules not found; set $COVMERGE_PYTHON"
        ));
    }
    Ok((maturin, python))
}

fn run(cmd: &mut Command, what: &str) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn demo(bin: &Path, out: &Path) -> String {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = run(
        Command::new("bash")
            .arg(repo.join("testdata/examples/demo.sh"))
            .arg(bin)
            .arg(out)
            .env("COLUMNS", "90"),
        "demo.sh",
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn wheel_installs_into_a_fresh_venv_and_runs_the_demo() {
    let (maturin, python) = match tools() {
        Ok(t) => t,
        Err(why) if std::env::var_os("COVMERGE_REQUIRE_WHEEL").is_some() => {
            panic!("COVMERGE_REQUIRE_WHEEL is set but {why}")
        }
        Err(why) => {
            eprintln!("wheel test skipped: {why}");
            return;
        }
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = common::tempdir("wheel");
    let wheels = dir.join("wheels");
    run(
        Command::new(&maturin)
            .args(["build", "--release", "--quiet", "--out"])
            .arg(&wheels)
            .current_dir(repo),
        "maturin build --release",
    );
    let wheel: Vec<PathBuf> = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheel.len(), 1, "one wheel expected: {wheel:?}");

    let venv = dir.join("venv");
    run(
        Command::new(&python).args(["-m", "venv"]).arg(&venv),
        "python -m venv",
    );
    // The wheel alone, nothing from an index: it has no dependencies.
    run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "--no-index", "--disable-pip-version-check"])
            .arg(&wheel[0]),
        "pip install the wheel",
    );
    let installed = venv.join("bin/covmerge");
    assert!(
        installed.is_file(),
        "pip did not put covmerge in the venv's bin/"
    );

    let version = run(
        Command::new(&installed).arg("--version"),
        "covmerge --version",
    );
    let version = String::from_utf8(version.stdout).unwrap();
    let expected = run(
        common::covmerge().arg("--version"),
        "covmerge --version (under test)",
    );
    assert_eq!(version, String::from_utf8(expected.stdout).unwrap());

    // One output directory for both (the demo prints its paths).
    let from_wheel = demo(&installed, &dir.join("demo"));
    let from_cargo = demo(Path::new(env!("CARGO_BIN_EXE_covmerge")), &dir.join("demo"));
    assert!(from_wheel.contains("TOTAL"), "{from_wheel}");
    assert_eq!(from_wheel, from_cargo);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn version_names_the_package_version_and_commit() {
    let out = common::covmerge().arg("--version").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let prefix = format!("covmerge {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(text.starts_with(&prefix) && text.ends_with(")\n"), "{text}");
    // The commit build.rs saw: $COVMERGE_COMMIT, else git's HEAD.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected = match std::env::var("COVMERGE_COMMIT") {
        Ok(c) if !c.trim().is_empty() => Some(c.trim().to_string()),
        _ => Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .current_dir(repo)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()),
    };
    let shown = &text[prefix.len()..text.len() - 2];
    match expected {
        Some(commit) => assert_eq!(shown, commit),
        None => assert_eq!(shown, "unknown"),
    }
}
