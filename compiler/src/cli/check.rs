//! `aslc check FILE...`

use super::read_input;
use crate::check::check_text;
use crate::check::MachineType;
use crate::diagnostics::{render_human, render_json};
use clap::ValueEnum;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum Format {
    Human,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Definition files (JSON or YAML); `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
    /// Output format: compiler-style text, or one JSON object per file.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// The state machine type whose rules apply.
    #[arg(long = "type", value_enum, default_value = "STANDARD")]
    machine_type: MachineType,
}

pub fn run(a: Args) -> ExitCode {
    let mut any_invalid = false;
    let mut io_error = false;
    for file in &a.files {
        let (name, bytes) = match read_input(file) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("error: {e}");
                io_error = true;
                continue;
            }
        };
        let (source, machine, diags) = check_text(&name, bytes, a.machine_type);
        let valid = machine.is_some();
        any_invalid |= !valid;
        match a.format {
            Format::Json => asl_runtime::cli::emit(&render_json(&diags)),
            Format::Human => {
                eprint!("{}", render_human(&source, &diags));
                let errors = diags.len();
                if valid {
                    eprintln!("{name}: valid");
                } else {
                    eprintln!("{name}: {errors} error{}", if errors == 1 { "" } else { "s" });
                }
            }
        }
    }
    if io_error {
        ExitCode::from(2)
    } else if any_invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
