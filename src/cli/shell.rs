//! `covmerge completions SHELL` and `covmerge man`: shell niceties made
//! from the clap definition itself, so they never drift from the real
//! options. `clap_complete` writes the completion scripts, `clap_mangen`
//! the roff manual page. Both are subcommands rather than a build step:
//! the page and the scripts always match the binary the user has, and
//! packagers can run `covmerge man > covmerge.1` at install time.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{exit, print_error, Cli, Verbosity};

/// The examples at the end of `covmerge completions --help`.
pub const COMPLETIONS_AFTER_HELP: &str = "\
Examples:
  covmerge completions bash > ~/.local/share/bash-completion/completions/covmerge
  covmerge completions zsh > \"${fpath[1]}/_covmerge\"
  covmerge completions fish > ~/.config/fish/completions/covmerge.fish
  eval \"$(covmerge completions bash)\"          # this shell only";

/// The examples at the end of `covmerge man --help`.
pub const MAN_AFTER_HELP: &str = "\
Examples:
  covmerge man | man -l -
  covmerge man > /usr/local/share/man/man1/covmerge.1";

/// `covmerge completions`' arguments.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for
    #[arg(value_enum)]
    pub shell: Shell,
    /// `-q` / `-v`.
    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// `covmerge man`'s arguments.
#[derive(Args, Debug)]
pub struct ManArgs {
    /// Print the page of this subcommand (covmerge-COMMAND(1)) instead
    #[arg(value_parser = ["record", "run", "combine", "completions", "man"])]
    pub command: Option<String>,
    /// Write every page (covmerge.1, covmerge-combine.1, ...) into DIR instead of printing one
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<std::path::PathBuf>,
    /// `-q` / `-v`.
    #[command(flatten)]
    pub verbosity: Verbosity,
}

/// Print a completion script; returns the exit status.
pub fn completions(args: CompletionsArgs) -> i32 {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "covmerge", &mut out);
    if args.verbosity.verbose {
        eprintln!(
            "covmerge: {} completion script, {} bytes",
            args.shell,
            out.len()
        );
    }
    write_stdout(&out)
}

/// Print or write manual pages; returns the exit status.
pub fn man(args: ManArgs) -> i32 {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.dir {
        let written = std::fs::create_dir_all(dir).and_then(|_| clap_mangen::generate_to(cmd, dir));
        return match written {
            Ok(()) => {
                if !args.verbosity.quiet {
                    eprintln!("covmerge: manual pages written to {}", dir.display());
                }
                exit::OK
            }
            Err(e) => {
                print_error(&format!("{}: {e}", dir.display()));
                exit::ERROR
            }
        };
    }
    let page = match &args.command {
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                print_error(&format!("no subcommand {name:?}"));
                return exit::ERROR;
            }
        },
        None => cmd,
    };
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).render(&mut out) {
        print_error(&e);
        return exit::ERROR;
    }
    if args.verbosity.verbose {
        eprintln!("covmerge: manual page, {} bytes", out.len());
    }
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> i32 {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = stdout.write_all(bytes);
    let _ = stdout.flush();
    exit::OK
}
