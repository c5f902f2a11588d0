//! `covmerge record [options] REPORT...`
//!
//! Example: `covmerge record --worker gw0 --python .venv/bin/python coverage.json`

use clap::Args;

/// The examples at the end of `covmerge record --help`.
pub const AFTER_HELP: &str = "\
Examples:
  covmerge record --worker gw0 --python .venv/bin/python coverage.json
  covmerge record --worker linux-py312 --platform \"platform linux, python 3.12.1-final-0\" coverage.json
  covmerge record --data-dir /shared/cov --host ci-7 --mode each coverage.lcov
  covmerge record --root 'D:\\a\\proj\\proj' --label job=windows-py311 coverage.json

The data file goes to --data-dir (or data_dir in covmerge.toml / [tool.covmerge], else covmerge-data/).";

use super::{exit, print_error, print_warning, Verbosity, WorkerArgs};

/// `covmerge record`'s arguments.
#[derive(Args, Debug)]
pub struct RecordArgs {
    /// Who and where the worker is.
    #[command(flatten)]
    pub worker: WorkerArgs,
    /// Coverage reports to record (coverage.py JSON, LCOV, covmerge data files)
    #[arg(required = true)]
    pub reports: Vec<std::path::PathBuf>,
    /// `-q` / `-v`.
    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// Run `covmerge record`; returns the exit status.
pub fn run(args: RecordArgs) -> i32 {
    let info = match args.worker.to_info() {
        Ok(info) => info,
        Err(e) => {
            print_error(&e);
            return exit::ERROR;
        }
    };
    let data_dir = match args.worker.data_dir() {
        Ok((dir, from)) => {
            if args.verbosity.verbose {
                describe(&info, &dir, from.as_deref());
            }
            dir
        }
        Err(e) => {
            print_error(&e);
            return exit::ERROR;
        }
    };
    match crate::record::record_with(
        &args.reports,
        &info,
        &data_dir,
        args.worker.python.as_deref(),
    ) {
        Ok(recorded) => {
            for w in &recorded.warnings {
                print_warning(w);
            }
            if !args.verbosity.quiet {
                eprintln!(
                    "covmerge: recorded {} source files from {} as {}",
                    recorded.files,
                    info.platform,
                    recorded.path.display()
                );
            }
            exit::OK
        }
        Err(e) => {
            print_error(&e);
            exit::ERROR
        }
    }
}

/// `-v`: what is about to be recorded, and where.
pub(crate) fn describe(
    info: &crate::record::WorkerInfo,
    dir: &std::path::Path,
    from: Option<&std::path::Path>,
) {
    eprintln!(
        "covmerge: host {}, platform {:?}, worker {}, root {}, mode {}",
        info.host,
        info.platform,
        info.worker.as_deref().unwrap_or("-"),
        info.root,
        info.mode.as_str()
    );
    match from {
        Some(file) => eprintln!(
            "covmerge: data directory {} (data_dir in {})",
            dir.display(),
            file.display()
        ),
        None => eprintln!("covmerge: data directory {}", dir.display()),
    }
}
