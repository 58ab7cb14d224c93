//! The `aslc` command line. Exit codes: 0 success, 1 an invalid definition
//! (check) or a failed execution (run), 2 a usage or I/O error.

mod build;
mod check;
mod graph;
mod run;
mod serve;
mod test;
mod test_state;

pub(crate) use run::machine_name;

use crate::check::MachineType;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "aslc", version, about = "Check, run and compile Amazon States Language state machines")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate definitions as AWS does, reporting every problem.
    Check(check::Args),
    /// Draw the state graph (Graphviz DOT or Mermaid).
    Graph(graph::Args),
    /// Interpret a definition: run one execution and print its output.
    Run(run::Args),
    /// Compile definitions into one native binary.
    Build(build::Args),
    /// Serve the Step Functions API, with durable executions.
    Serve(serve::Args),
    /// Test one state as AWS's TestState API does.
    TestState(test_state::Args),
    /// Run workflow test files: cases with inputs, mocks and expectations.
    Test(test::Args),
}

/// Reads a definition file, `-` meaning standard input.
pub(crate) fn read_input(path: &str) -> Result<(String, Vec<u8>), String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(("<stdin>".into(), buf));
    }
    std::fs::read(path).map(|b| (path.to_string(), b)).map_err(|e| format!("cannot read {path}: {e}"))
}

/// Reads and checks one definition with the rules of `ty`; on failure
/// prints why and gives the exit code to return (2 for I/O, `invalid` for
/// an invalid definition).
pub(crate) fn load_checked(file: &str, ty: MachineType, invalid: u8) -> Result<crate::model::StateMachine, ExitCode> {
    load_definition(file, ty, invalid).map(|(m, _)| m)
}

/// Reads and checks one definition, and gives it back as JSON text (what
/// the API holds; YAML is converted). On failure prints why: exit code 2
/// for I/O, `invalid` for an invalid definition.
pub(crate) fn load_definition(
    file: &str,
    ty: MachineType,
    invalid: u8,
) -> Result<(crate::model::StateMachine, String), ExitCode> {
    let (name, bytes) = read_input(file).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    let (source, value) = crate::source::load(&name, bytes);
    let (machine, diags) = match &value {
        Ok(v) => crate::check::check(&source, v, ty),
        Err(d) => (None, vec![d.clone()]),
    };
    match (machine, value) {
        (Some(m), Ok(v)) => Ok((m, serde_json::to_string_pretty(&v).unwrap_or_default())),
        _ => {
            eprint!("{}", crate::diagnostics::render_human(&source, &diags));
            Err(ExitCode::from(invalid))
        }
    }
}

/// The Rust task handlers of `--handlers FILE` (`aslc run`, `aslc serve`):
/// built once into a handler program the interpreter runs for their tasks.
pub(crate) fn linked(handlers: Option<&std::path::Path>) -> Result<asl_runtime::tasks::Linked, ExitCode> {
    let Some(file) = handlers else { return Ok(asl_runtime::tasks::Linked::default()) };
    crate::build::handler_host(file).and_then(|host| asl_runtime::tasks::Linked::host(&host)).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Graph(a) => graph::run(a),
        Command::Run(a) => run::run(a),
        Command::Build(a) => build::run(a),
        Command::Serve(a) => serve::run(a),
        Command::TestState(a) => test_state::run(a),
        Command::Test(a) => test::run(a),
    }
}
