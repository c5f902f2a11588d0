//! The `covmerge` binary: everything happens in the library's `cli` module.

fn main() {
    std::process::exit(covmerge::cli::main());
}
