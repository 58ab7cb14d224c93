//! `aslc graph FILE`

use super::{load_one, Sources};
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
    /// Definition file (JSON or YAML), or a template (`FILE#LogicalId`);
    /// `-` reads standard input.
    file: String,
    #[command(flatten)]
    sources: Sources,
    #[arg(long, value_enum, default_value = "dot")]
    format: Format,
}

pub fn run(a: Args) -> ExitCode {
    let m = match load_one(&a.file, &a.sources, MachineType::Standard, 1) {
        Ok(c) => c.machine,
        Err(code) => return code,
    };
    let text = match a.format {
        Format::Dot => crate::graph::dot(&m),
        Format::Mermaid => crate::graph::mermaid(&m),
    };
    asl_runtime::cli::emit(&text.trim_end());
    ExitCode::SUCCESS
}
