//! `covmerge run [options] --report PATH -- CMD ARGS...`
//!
//! Example: `covmerge run --python .venv/bin/python --report coverage.json --
//! pytest --cov=myproj --cov-report=json tests/`
//!
//! Runs the test command, then records the report(s) it wrote, even when
//! tests failed. Exits with the command's status.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::Args;

pub const AFTER_HELP: &str = "\
Examples:
  covmerge run --python .venv/bin/python --report coverage.json -- pytest --cov=myproj --cov-report=json tests/
  covmerge run --worker \"$CI_JOB_NAME\" --report coverage.lcov -- npm test -- --coverage
  covmerge run --mode each --worker gw1 --report a.json --report b.lcov -- make check

The test command's exit status is covmerge's; the report is recorded even when tests fail.";

use super::{exit, print_error, print_warning, Verbosity, WorkerArgs};

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub worker: WorkerArgs,
    /// A report the command writes (repeatable)
    #[arg(long = "report", required = true, value_name = "PATH")]
    pub reports: Vec<PathBuf>,
    #[command(flatten)]
    pub verbosity: Verbosity,
    /// The test command and its arguments
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

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
    // File times can be coarse; allow a little slack before the start.
    let started = SystemTime::now() - Duration::from_secs(2);
    let status = match std::process::Command::new(&args.command[0])
        .args(&args.command[1..])
        .status()
    {
        Ok(s) => s,
        Err(e) => {
            print_error(&format!("cannot run {:?}: {e}", args.command[0]));
            return 127;
        }
    };
    let code = exit_code(&status);

    let mut fresh = Vec::new();
    for report in &args.reports {
        match std::fs::metadata(report).and_then(|m| m.modified()) {
            Ok(modified) if modified >= started => fresh.push(report.clone()),
            Ok(_) => print_warning(&format!(
                "{} is older than this run; the command did not rewrite it, so it is not recorded",
                report.display()
            )),
            Err(_) => print_warning(&format!(
                "the command wrote no coverage report at {}",
                report.display()
            )),
        }
    }
    if fresh.is_empty() {
        print_error(&"no coverage report to record: check the command's coverage options (e.g. --cov-report=json)");
        return if code != 0 { code } else { exit::ERROR };
    }
    match crate::record::record(&fresh, &info, &data_dir) {
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

fn exit_code(status: &std::process::ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    exit::ERROR
}
