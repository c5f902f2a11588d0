//! Which file is coverage.py's configuration, in coverage.py's order.

use std::path::{Path, PathBuf};

use super::coverage::{parse_coverage_file, CoverageConfig};
use super::file::{read_config, Found};
use super::EnvLookup;
use crate::error::{Error, Result};
use crate::pyfmt::py_repr;

/// Read coverage.py's configuration for a report made in `dir`.
///
/// `rcfile` is `--rcfile`; without it `$COVERAGE_RCFILE` is used, as
/// coverage.py does. Warnings (unknown options) go to `warn`.
pub fn load_coverage_config(
    dir: &Path,
    rcfile: Option<&Path>,
    env: EnvLookup,
    warn: &mut dyn FnMut(String),
) -> Result<CoverageConfig> {
    let from_env = env("COVERAGE_RCFILE").filter(|s| !s.is_empty());
    let mut specified = rcfile
        .map(Path::to_path_buf)
        .or_else(|| from_env.map(PathBuf::from));
    // coverage.py treats an explicit ".coveragerc" as "the default".
    if specified.as_deref() == Some(Path::new(".coveragerc")) {
        specified = None;
    }
    let first = specified
        .clone()
        .unwrap_or_else(|| PathBuf::from(".coveragerc"));
    let candidates = [
        (first, true, specified.is_some()),
        (PathBuf::from(".coveragerc.toml"), true, false),
        (PathBuf::from("setup.cfg"), false, false),
        (PathBuf::from("tox.ini"), false, false),
        (PathBuf::from("pyproject.toml"), false, false),
    ];
    for (name, our_file, must_read) in candidates {
        let full = if name.is_absolute() {
            name.clone()
        } else {
            dir.join(&name)
        };
        let couldnt = |why: String| {
            Error::Usage(format!(
                "Couldn't read {} as a config file{why}",
                py_repr(&name.to_string_lossy())
            ))
        };
        let bytes = match read_config(&full, &name) {
            Ok(Found::Bytes(bytes)) => bytes,
            Ok(Found::Absent) if must_read => return Err(couldnt(String::new())),
            Ok(Found::Absent) => continue,
            Ok(Found::NotAFile(what)) if must_read => return Err(couldnt(format!(": {what}"))),
            Ok(Found::NotAFile(what)) => {
                warn(format!("{}: {what}; skipped", name.display()));
                continue;
            }
            Err(e) if must_read => return Err(couldnt(format!(": {e}"))),
            Err(e) => return Err(e),
        };
        match parse_coverage_file(&bytes, &name, our_file, env, warn)? {
            Some(config) => return Ok(config),
            None if must_read => return Err(couldnt(String::new())),
            None => {}
        }
    }
    Ok(CoverageConfig::default())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{env_of, tempdir};
    use super::*;

    fn load(dir: &Path, rcfile: Option<&str>) -> (Result<CoverageConfig>, Vec<String>) {
        let env = env_of(&[("HOME", "/home/me"), ("PROJ", "proj")]);
        let mut warnings = Vec::new();
        let r = load_coverage_config(dir, rcfile.map(Path::new), &env, &mut |w| warnings.push(w));
        (r, warnings)
    }

    #[test]
    fn lookup_order_and_which_files_count() {
        let dir = tempdir("order");
        // setup.cfg without coverage sections does not count; tox.ini does.
        std::fs::write(dir.join("setup.cfg"), "[metadata]\nname = x\n").unwrap();
        std::fs::write(dir.join("tox.ini"), "[coverage:report]\nprecision = 1\n").unwrap();
        std::fs::write(
            dir.join("pyproject.toml"),
            "[tool.coverage.report]\nprecision = 3\n",
        )
        .unwrap();
        let (c, _) = load(&dir, None);
        let c = c.unwrap();
        assert_eq!(c.file.as_deref(), Some(Path::new("tox.ini")));
        assert_eq!(c.report.precision, Some(1));
        // In tox.ini a plain [report] section is not coverage.py's.
        std::fs::write(dir.join("tox.ini"), "[report]\nprecision = 1\n").unwrap();
        let (c, _) = load(&dir, None);
        assert_eq!(c.unwrap().report.precision, Some(3));
        // An empty .coveragerc counts, and hides everything else.
        std::fs::write(dir.join(".coveragerc"), "").unwrap();
        let (c, _) = load(&dir, None);
        let c = c.unwrap();
        assert_eq!(c.file.as_deref(), Some(Path::new(".coveragerc")));
        assert_eq!(c.report.precision, None);
        // .coveragerc.toml comes before setup.cfg but after .coveragerc.
        std::fs::remove_file(dir.join(".coveragerc")).unwrap();
        std::fs::write(dir.join(".coveragerc.toml"), "[report]\nprecision = 4\n").unwrap();
        let (c, _) = load(&dir, None);
        assert_eq!(c.unwrap().report.precision, Some(4));
        // An explicit file must exist.
        let (c, _) = load(&dir, Some("nope.cfg"));
        assert_eq!(
            c.unwrap_err().to_string(),
            "Couldn't read 'nope.cfg' as a config file"
        );
    }

    #[test]
    fn values_types_and_errors() {
        let dir = tempdir("values");
        let rc = dir.join("rc");
        std::fs::write(
            &rc,
            "[run]\nrelative_files = on\nbranch = True\n[report]\nfail_under = 80.5\nprecision = 2\nshow_missing = yes\nskip_covered = 0\nomit = pkg/unused.py, */tests/*\nsort = Cover\nbogus = 1\n[json]\noutput = ~/out/$PROJ.json\n[lcov]\noutput = cov.lcov\n[html]\ndirectory = h\n",
        )
        .unwrap();
        let (c, warnings) = load(&dir, Some(rc.to_str().unwrap()));
        let c = c.unwrap();
        assert!(c.relative_files);
        assert_eq!(c.report.fail_under, Some(80.5));
        assert_eq!(c.report.precision, Some(2));
        assert_eq!(c.report.show_missing, Some(true));
        assert_eq!(c.report.skip_covered, Some(false));
        assert_eq!(c.report.skip_empty, None);
        assert_eq!(c.report.sort.as_deref(), Some("Cover"));
        assert_eq!(
            c.report.omit,
            Some(vec!["pkg/unused.py".to_string(), "*/tests/*".to_string()])
        );
        assert_eq!(c.json_output(), "/home/me/out/proj.json");
        assert_eq!(c.lcov_output(), "cov.lcov");
        assert_eq!(c.xml_output(), "coverage.xml");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("Unrecognized option '[report] bogus=' in config file"));

        for (text, message) in [
            (
                "[report]\nprecision = x\n",
                "[report] precision: 'x' is not a non-negative integer",
            ),
            (
                "[report]\nshow_missing = maybe\n",
                "[report] show_missing: 'maybe' is not a boolean",
            ),
            (
                "[coverage:report]\nfail_under = lots\n",
                "[coverage:report] fail_under: 'lots' is not a number",
            ),
        ] {
            std::fs::write(&rc, text).unwrap();
            let (c, _) = load(&dir, Some(rc.to_str().unwrap()));
            assert_eq!(
                c.unwrap_err().to_string(),
                format!("{}: {message}", rc.display())
            );
        }
    }

    #[test]
    fn toml_forms() {
        let dir = tempdir("toml");
        std::fs::write(
            dir.join("pyproject.toml"),
            "[tool.coverage.run]\nrelative_files = true\n[tool.coverage.report]\nfail_under = 80\nprecision = \"2\"\nskip_covered = \"true\"\nomit = [\"pkg/unused.py\"]\n[tool.coverage.paths]\nsource = [\"src/\", \"*/src/\"]\n[tool.coverage.xml]\noutput = \"cobertura.xml\"\n",
        )
        .unwrap();
        let (c, _) = load(&dir, None);
        let c = c.unwrap();
        assert_eq!(c.file.as_deref(), Some(Path::new("pyproject.toml")));
        assert!(c.relative_files);
        assert_eq!(c.report.fail_under, Some(80.0));
        assert_eq!(c.report.precision, Some(2));
        assert_eq!(c.report.skip_covered, Some(true));
        assert_eq!(c.report.omit, Some(vec!["pkg/unused.py".to_string()]));
        assert_eq!(
            c.paths,
            vec![(
                "source".to_string(),
                vec!["src/".to_string(), "*/src/".to_string()]
            )]
        );
        assert_eq!(c.xml_output(), "cobertura.xml");
        std::fs::write(
            dir.join("pyproject.toml"),
            "[tool.coverage.report]\nomit = \"pkg/unused.py\"\nskip_covered = \"yes\"\n",
        )
        .unwrap();
        let (c, _) = load(&dir, None);
        assert_eq!(
            c.unwrap_err().to_string(),
            "pyproject.toml: [tool.coverage.report] skip_covered: 'yes' is not a boolean"
        );
        // Plain [report] in an auto-found pyproject.toml is not coverage.py's.
        std::fs::write(dir.join("pyproject.toml"), "[report]\nprecision = 2\n").unwrap();
        let (c, _) = load(&dir, None);
        assert_eq!(c.unwrap(), CoverageConfig::default());
    }
}
