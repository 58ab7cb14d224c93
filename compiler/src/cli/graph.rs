//! `aslc graph FILE`

use super::load_checked;
use crate::check::MachineType;
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
    let m = match load_checked(&a.file, MachineType::Standard, 1) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let text = match a.format {
        Format::Dot => crate::graph::dot(&m),
        Format::Mermaid => crate::graph::mermaid(&m),
    };
    asl_runtime::cli::emit(&text.trim_end());
    ExitCode::SUCCESS
}
