//! `aslc run DEF`: interprets a definition.

use super::read_input;
use crate::check::{check_text, MachineType};
use crate::diagnostics::render_human;
use crate::interpret::Interpreted;
use asl_runtime::cli::{run_main, RunArgs};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Definition file (JSON or YAML); `-` reads standard input.
    file: String,
    #[command(flatten)]
    run: RunArgs,
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
    let (name, bytes) = match read_input(&a.file) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (source, machine, diags) = check_text(&name, bytes, MachineType::Standard);
    let Some(m) = machine else {
        eprint!("{}", render_human(&source, &diags));
        return ExitCode::from(2);
    };
    run_main(&a.run, &machine_name(&a.file), m.timeout_seconds, &Interpreted(&m))
}
