//! Command-line parsing (clap) and dispatch. Each subcommand lives in its
//! own file and turns its flags into the library's option values.

use clap::{Args, Parser, Subcommand};

pub mod combine;
pub mod progress;
pub mod record;
pub mod report;
pub mod run;
pub mod settings;
pub mod shell;

/// Exit statuses, as coverage.py uses them.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// An error, or nothing to combine or report.
    pub const ERROR: i32 = 1;
    /// `--fail-under` was not met.
    pub const FAIL_UNDER: i32 = 2;
}

/// `covmerge --version`: the package version and the git commit it was
/// built from (`unknown` when built outside a git checkout; see build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("COVMERGE_BUILD_COMMIT"),
    ")"
);

#[derive(Parser, Debug)]
#[command(
    name = "covmerge",
    version = VERSION,
    about = "Combine coverage from many test workers and platforms into one coverage.py-compatible report",
    after_help = "Examples:\n  \
        covmerge run --python .venv/bin/python --report coverage.json -- pytest --cov=myproj --cov-report=json tests/\n  \
        covmerge record --worker gw0 --platform \"platform linux, python 3.12.1-final-0\" coverage.json\n  \
        covmerge combine covmerge-data/ -m --fail-under 80\n  \
        covmerge report all.covmerge.json --report xml --report lcov:coverage.info\n  \
        covmerge completions bash > ~/.local/share/bash-completion/completions/covmerge\n\n\
        Exit status: 0 success; 1 error or nothing to report; 2 --fail-under not met;\n\
        covmerge run: the test command's own status. Colours follow NO_COLOR / CLICOLOR_FORCE."
)]
/// The command line.
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// covmerge's subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Turn a worker's coverage report(s) into a data file in the shared directory.
    #[command(after_help = record::AFTER_HELP)]
    Record(record::RecordArgs),
    /// Run a test command, then record the report(s) it wrote.
    #[command(after_help = run::AFTER_HELP)]
    Run(run::RunArgs),
    /// Combine data files and reports and print the coverage table.
    #[command(after_help = combine::AFTER_HELP)]
    Combine(combine::CombineArgs),
    /// Print the table and write reports from data files or reports, without writing any data file.
    #[command(after_help = report::AFTER_HELP)]
    Report(report::ReportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = shell::COMPLETIONS_AFTER_HELP)]
    Completions(shell::CompletionsArgs),
    /// Print the manual page (roff), e.g. `covmerge man | man -l -`.
    #[command(after_help = shell::MAN_AFTER_HELP)]
    Man(shell::ManArgs),
}

/// `-q` / `-v`, the same on every command.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct Verbosity {
    /// Print nothing on stderr but warnings and errors
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more on stderr: configuration files used, what happened to every input
    #[arg(short, long)]
    pub verbose: bool,
}

/// Options that describe the worker; shared by `record` and `run`.
#[derive(Args, Debug, Clone)]
pub struct WorkerArgs {
    /// The shared directory data files are written to [default: data_dir from covmerge.toml, or covmerge-data]
    #[arg(long)]
    pub data_dir: Option<std::path::PathBuf>,
    /// Do not read covmerge.toml / [tool.covmerge] (for data_dir)
    #[arg(long)]
    pub no_config: bool,
    /// Host name recorded in the data file [default: this machine's]
    #[arg(long)]
    pub host: Option<String>,
    /// Platform description, e.g. "platform linux, python 3.12.1-final-0" (wins over the --python probe)
    #[arg(long)]
    pub platform: Option<String>,
    /// Probe this Python interpreter for pytest-cov's platform description (unless --platform is
    /// given), and have its coverage.py analyse raw .coverage reports
    #[arg(long)]
    pub python: Option<std::path::PathBuf>,
    /// Worker id, e.g. gw0 or a CI job name
    #[arg(long)]
    pub worker: Option<String>,
    /// The worker's root directory; absolute paths under it become relative [default: current directory]
    #[arg(long)]
    pub root: Option<std::path::PathBuf>,
    /// How the workers split the tests: load (different tests, one platform) or each (all tests, one platform each)
    #[arg(long, value_parser = ["load", "each", "unknown"])]
    pub mode: Option<String>,
    /// A free label KEY=VALUE (repeatable), e.g. --label job=py311-linux
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
}

impl WorkerArgs {
    /// `--data-dir`, else `data_dir` from covmerge's configuration, else
    /// `covmerge-data`; and the configuration file it came from, if any.
    pub fn data_dir(
        &self,
    ) -> crate::error::Result<(std::path::PathBuf, Option<std::path::PathBuf>)> {
        if let Some(dir) = &self.data_dir {
            return Ok((dir.clone(), None));
        }
        if !self.no_config {
            let config =
                crate::config::load_covmerge_config(std::path::Path::new("."), &mut |w| {
                    print_warning(&w)
                })?;
            if let Some(dir) = config.data_dir {
                return Ok((dir, config.file));
            }
        }
        Ok((std::path::PathBuf::from("covmerge-data"), None))
    }

    /// The worker's metadata: flags, then probes (`--python`), then defaults.
    pub fn to_info(&self) -> crate::error::Result<crate::record::WorkerInfo> {
        use crate::error::Error;
        let platform = match (&self.platform, &self.python) {
            (Some(p), _) => p.clone(),
            (None, Some(python)) => crate::record::probe_python(python)?,
            (None, None) => crate::record::default_platform(),
        };
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let root = match &self.root {
            // A Windows root given on Linux (or the reverse) is still absolute.
            Some(r)
                if r.is_absolute() || crate::paths::is_absolute_anywhere(&r.to_string_lossy()) =>
            {
                r.clone()
            }
            Some(r) => cwd.join(r),
            None => cwd,
        };
        let mut labels = std::collections::BTreeMap::new();
        for label in &self.labels {
            let (k, v) = label
                .split_once('=')
                .ok_or_else(|| Error::Usage(format!("--label {label:?}: expected KEY=VALUE")))?;
            labels.insert(k.to_string(), v.to_string());
        }
        Ok(crate::record::WorkerInfo {
            host: self.host.clone().unwrap_or_else(crate::record::hostname),
            platform,
            worker: self.worker.clone(),
            root: crate::paths::normalize(&root.to_string_lossy()),
            mode: self
                .mode
                .as_deref()
                .and_then(crate::model::Mode::parse)
                .unwrap_or_default(),
            labels,
        })
    }
}

/// Print an error the same way everywhere.
/// Messages name inputs and quote their contents: escaped, one line each.
pub fn print_error(err: &dyn std::fmt::Display) {
    eprintln!(
        "covmerge: error: {}",
        crate::sanitize::line(&err.to_string())
    );
}

/// Print `covmerge: warning: TEXT` on stderr, the text made printable.
pub fn print_warning(text: &str) {
    eprintln!("covmerge: warning: {}", crate::sanitize::line(text));
}

/// `--debug-paths` explanations: on stderr, marked `debug:` so that CI log
/// scanners do not count them as warnings. Control characters from input
/// paths are shown as `?`.
pub fn print_debug(text: &str) {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    eprintln!("covmerge: debug: {text}");
}

/// A line the library passes to its warning callback that is a
/// `--debug-paths` explanation, not a warning (see [`crate::combine`]).
pub fn print_warning_or_debug(text: &str) {
    match text.strip_prefix(crate::combine::DEBUG_PREFIX) {
        Some(debug) => print_debug(debug),
        None => print_warning(text),
    }
}

/// Parse the command line, run, and return the exit status.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Command::Record(args) => record::run(args),
        Command::Run(args) => run::run(args),
        Command::Combine(args) => combine::run(args),
        Command::Report(args) => report::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
    }
}

/// The width to lay the header out in: `--width`, else `COLUMNS`, else the
/// terminal, else 80; below 40 means 80 (pytest's rule).
pub fn terminal_width(explicit: Option<usize>) -> usize {
    let from_env = || {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| crate::limits::columns_env(&c))
    };
    let from_terminal = || {
        terminal_size::terminal_size_of(std::io::stdout())
            .map(|(terminal_size::Width(w), _)| usize::from(w))
            .filter(|w| *w > 0)
    };
    let width = explicit
        .or_else(from_env)
        .or_else(from_terminal)
        .unwrap_or(80);
    if width < 40 {
        80
    } else {
        width
    }
}
