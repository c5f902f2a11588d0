//! `covmerge report [options] FILE...`: the table and `--report` exports
//! of data files or reports (a combined data file, workers' files, any
//! input `combine` reads), without writing a data file.
//!
//! Examples:
//!   covmerge report all.covmerge.json -m
//!   covmerge report all.covmerge.json --report xml --report lcov:coverage.info -q

use clap::Args;

/// The examples at the end of `covmerge report --help`.
pub const AFTER_HELP: &str = "\
Examples:
  covmerge report all.covmerge.json -m
  covmerge report all.covmerge.json --report xml --report lcov:coverage.info -q
  covmerge report all.covmerge.json --platform-diff";

use super::combine::{execute, CommonArgs};
use super::{exit, print_error};

/// `covmerge report`'s arguments.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Data files, reports, directories (searched recursively) or glob patterns
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<String>,
    /// The options `report` shares with `combine`.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Run `covmerge report`; returns the exit status.
pub fn run(args: ReportArgs) -> i32 {
    match execute(&args.inputs, &args.common, &Default::default()) {
        Ok(code) => code,
        Err(e) => {
            print_error(&e);
            exit::ERROR
        }
    }
}
