//! `covmerge record [options] REPORT...`
//!
//! Example: `covmerge record --worker gw0 --python .venv/bin/python coverage.json`

use clap::Args;

use super::{exit, print_error, print_warning, WorkerArgs};

#[derive(Args, Debug)]
pub struct RecordArgs {
    #[command(flatten)]
    pub worker: WorkerArgs,
    /// Coverage reports to record (coverage.py JSON, LCOV, covmerge data files)
    #[arg(required = true)]
    pub reports: Vec<std::path::PathBuf>,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: RecordArgs) -> i32 {
    let info = match args.worker.to_info() {
        Ok(info) => info,
        Err(e) => {
            print_error(&e);
            return exit::ERROR;
        }
    };
    match crate::record::record(&args.reports, &info, &args.worker.data_dir) {
        Ok(recorded) => {
            for w in &recorded.warnings {
                print_warning(w);
            }
            if !args.quiet {
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
