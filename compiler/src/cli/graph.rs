//! `aslc graph FILE`

use super::read_input;
use crate::check::{check_text, MachineType};
use crate::diagnostics::render_human;
use clap::ValueEnum;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Dot,
    Mermaid,
}

#[derive(clap::Args)]
pub struct Args {
    /// Definition file (JSON or YAML); `-` reads standard input.
    file: String,
    #[arg(long, value_enum, default_value = "dot")]
    format: Format,
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
        return ExitCode::from(1);
    };
    print!(
        "{}",
        match a.format {
            Format::Dot => crate::graph::dot(&m),
            Format::Mermaid => crate::graph::mermaid(&m),
        }
    );
    ExitCode::SUCCESS
}
