//! `aslc build DEF... --out PATH`

use super::{load_definitions, Sources};
use crate::build::{build, Options, Profile};
use crate::check::MachineType;
use crate::codegen::features::Feature;
use crate::codegen::Unit;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Definition files (JSON or YAML), or templates (all their machines,
    /// or `FILE#LogicalId`). Several machines make one binary with a
    /// subcommand each, named by file stem or logical id.
    #[arg(required = true)]
    files: Vec<String>,
    #[command(flatten)]
    sources: Sources,
    /// Where to write the binary (default: the first definition's stem).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Also keep the generated crate in this folder.
    #[arg(long, value_name = "DIR")]
    emit_crate: Option<PathBuf>,
    /// Build with optimisations (the default).
    #[arg(long, conflicts_with = "debug")]
    release: bool,
    /// Build without optimisations (faster to compile).
    #[arg(long)]
    debug: bool,
    /// Link Rust task handlers into the binary: a Rust file defining
    /// `pub fn register(handlers: &mut asl_runtime::tasks::Linked)`.
    #[arg(long, value_name = "FILE")]
    handlers: Option<PathBuf>,
    /// Build in runtime features the machines do not use by themselves:
    /// `serve` (the Step Functions API), `http` (Lambda endpoints in a
    /// resource map), `yaml` (YAML resource maps), `jsonata`, `hashing`,
    /// `mimalloc`, or `all`. Repeat or separate with commas.
    #[arg(long, value_name = "FEATURE", value_delimiter = ',')]
    with: Vec<String>,
}

pub fn run(a: Args) -> ExitCode {
    let mut with = Vec::new();
    for w in &a.with {
        match Feature::parse_list(w) {
            Ok(f) => with.extend(f),
            Err(e) => {
                eprintln!("error: --with: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let mut machines = Vec::new();
    for f in &a.files {
        match load_definitions(f, &a.sources, MachineType::Standard, 1) {
            Ok(all) => machines.extend(all.into_iter().map(|c| (c.name, c.machine, c.definition))),
            Err(code) => return code,
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (name, ..) in &machines {
        if !seen.insert(name.clone()) {
            eprintln!("error: two definitions are named '{name}': subcommands are named by file stem");
            return ExitCode::from(2);
        }
        if machines.len() > 1 && name == "serve" {
            eprintln!("error: a bundle's subcommand `serve` serves the API: rename the definition named 'serve'");
            return ExitCode::from(2);
        }
    }
    let units: Vec<Unit<'_>> = machines
        .iter()
        .map(|(name, m, definition)| Unit { name: name.clone(), machine: m, definition: definition.clone() })
        .collect();
    let out = a.out.unwrap_or_else(|| PathBuf::from(&machines[0].0));
    let opts = Options {
        out,
        emit_crate: a.emit_crate,
        profile: if a.debug { Profile::Debug } else { Profile::Release },
        handlers: a.handlers,
        with,
    };
    match build(&units, &opts) {
        Ok(()) => {
            eprintln!("built {}", opts.out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
