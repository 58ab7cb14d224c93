//! `aslc check FILE...`

use super::Sources;
use crate::check::{check_definition, MachineType};
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
    /// Definition files (JSON or YAML), or CloudFormation/SAM/CDK templates
    /// (every state machine in them, or `FILE#LogicalId`); `-` reads
    /// standard input.
    #[arg(required = true)]
    files: Vec<String>,
    #[command(flatten)]
    sources: Sources,
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
    let substitutions = match crate::iac::read_substitutions(a.sources.substitutions.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    for file in &a.files {
        let definitions = match crate::iac::read(file, &substitutions) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("error: {e}");
                io_error = true;
                continue;
            }
        };
        for d in definitions {
            let name = &d.label;
            let (machine, diags) = check_definition(&d, a.machine_type);
            let valid = machine.is_some();
            any_invalid |= !valid;
            match a.format {
                Format::Json => asl_runtime::cli::emit(&render_json(&diags)),
                Format::Human => {
                    for n in &d.notes {
                        eprintln!("note: {name}: {n}");
                    }
                    eprint!("{}", render_human(&d.source, &diags));
                    let errors = diags.len();
                    if valid {
                        eprintln!("{name}: valid");
                    } else {
                        eprintln!("{name}: {errors} error{}", if errors == 1 { "" } else { "s" });
                    }
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
