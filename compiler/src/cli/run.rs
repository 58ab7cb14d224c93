//! `aslc run DEF`: interprets a definition.

use super::load_checked;
use crate::interpret::Interpreted;
use asl_runtime::cli::{run_main, RunArgs};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Definition file (JSON or YAML); `-` reads standard input.
    file: String,
    #[command(flatten)]
    run: RunArgs,
    /// Rust task handlers (the file `aslc build --handlers` links): built
    /// once into a handler program the interpreter runs for their tasks.
    #[arg(long, value_name = "FILE")]
    handlers: Option<std::path::PathBuf>,
}

/// The machine's name: the file's stem, as a state machine would be named.
pub(crate) fn machine_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty() && *s != "-")
        .unwrap_or("StateMachine")
        .to_string()
}

pub fn run(a: Args) -> ExitCode {
    let m = match load_checked(&a.file, a.run.machine_type, 2) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let linked = match super::linked(a.handlers.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    run_main(&a.run, &machine_name(&a.file), m.timeout_seconds, &Interpreted(&m), &linked)
}
