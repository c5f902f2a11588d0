//! `covmerge run [options] --report PATH -- CMD ARGS...`
//!
//! Example: `covmerge run --python .venv/bin/python --report coverage.json --
//! pytest --cov=myproj --cov-report=json tests/`
//!
//! Checks the interpreter and the data directory, runs the test command
//! (signals passed on, see `crate::launch`), then records the report(s) it
//! created or changed, even when tests failed. Exits with the command's
//! status.

use std::path::PathBuf;

use clap::Args;

/// The examples at the end of `covmerge run --help`.
pub const AFTER_HELP: &str = "\
Examples:
  covmerge run --python .venv/bin/python --report coverage.json -- pytest --cov=myproj --cov-report=json tests/
  covmerge run --worker \"$CI_JOB_NAME\" --report coverage.lcov -- npm test -- --coverage
  covmerge run --mode each --worker gw1 --report a.json --report b.lcov -- make check

The test command's exit status is covmerge's (128+N if signal N ended it); the report is
recorded even when tests fail. Only a report the command created or changed is recorded.
SIGINT, SIGTERM and SIGHUP are passed on to the command, which is waited for.";

use super::{exit, print_error, print_warning, Verbosity, WorkerArgs};
use crate::launch::{Freshness, ReportState};

/// `covmerge run`'s arguments.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Who and where the worker is.
    #[command(flatten)]
    pub worker: WorkerArgs,
    /// A report the command writes (repeatable)
    #[arg(long = "report", required = true, value_name = "PATH")]
    pub reports: Vec<PathBuf>,
    /// `-q` / `-v`.
    #[command(flatten)]
    pub verbosity: Verbosity,
    /// The test command and its arguments
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// Run `covmerge run`; returns the test command's exit status.
pub fn run(args: RunArgs) -> i32 {
    // Resolve the worker description first: a bad --python should not
    // cost a whole test run.
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
                super::record::describe(&info, &dir, from.as_deref());
            }
            dir
        }
        Err(e) => {
            print_error(&e);
            return exit::ERROR;
        }
    };
    // Checked now, not after a whole test run.
    if let Err(e) = crate::probe::check_writable_dir(&data_dir) {
        print_error(&e);
        return exit::ERROR;
    }
    let before: Vec<ReportState> = args.reports.iter().map(|r| ReportState::of(r)).collect();
    let finished = match crate::launch::run_command(&args.command) {
        Ok(finished) => finished,
        Err(e) => {
            print_error(&format!("cannot run {:?}: {e}", args.command[0]));
            return if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            };
        }
    };
    let code = finished.code;
    if args.verbosity.verbose {
        for signal in &finished.forwarded {
            eprintln!("covmerge: passed signal {signal} on to the command");
        }
        eprintln!("covmerge: the command ended: {}", finished.status);
    }

    let mut fresh = Vec::new();
    for (report, state) in args.reports.iter().zip(&before) {
        match state.freshness(report) {
            Freshness::Fresh => fresh.push(report.clone()),
            Freshness::Unchanged => print_warning(&format!(
                "{}: left from an earlier run (this command did not change it), not recorded",
                report.display()
            )),
            Freshness::Missing => print_warning(&format!(
                "the command wrote no coverage report at {}",
                report.display()
            )),
        }
    }
    if fresh.is_empty() {
        print_error(&"no coverage report to record: check the command's coverage options (e.g. --cov-report=json)");
        return if code != 0 { code } else { exit::ERROR };
    }
    match crate::record::record_with(&fresh, &info, &data_dir, args.worker.python.as_deref()) {
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
            code
        }
        Err(e) => {
            print_error(&e);
            if code != 0 {
                code
            } else {
                exit::ERROR
            }
        }
    }
}
