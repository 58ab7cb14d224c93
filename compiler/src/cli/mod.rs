//! The `aslc` command line. Exit codes: 0 success, 1 an invalid definition
//! (check) or a failed execution (run), 2 a usage or I/O error.

mod build;
mod check;
mod graph;
mod run;
mod serve;
mod test;
mod test_state;

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

/// Where definitions come from: files or templates, and the values of
/// their `${Name}` placeholders.
#[derive(clap::Args, Clone, Default)]
pub struct Sources {
    /// Values for `${Name}` placeholders in definitions: a JSON or YAML
    /// object (as a template's `DefinitionSubstitutions` gives them).
    #[arg(long, value_name = "FILE")]
    pub substitutions: Option<std::path::PathBuf>,
}

/// A checked definition: its machine's name, the model, and the
/// definition as JSON text (what the API holds; YAML and templates are
/// converted).
pub(crate) struct Checked {
    pub name: String,
    pub machine: crate::model::StateMachine,
    pub definition: String,
}

/// Reads and checks every definition `spec` names (a file, a template, or
/// `template#LogicalId`) with the rules of `ty`. On failure prints why and
/// gives the exit code: 2 for I/O, `invalid` for an invalid definition.
pub(crate) fn load_definitions(
    spec: &str,
    sources: &Sources,
    ty: MachineType,
    invalid: u8,
) -> Result<Vec<Checked>, ExitCode> {
    let fail = |e: String| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    };
    let substitutions = crate::iac::read_substitutions(sources.substitutions.as_deref()).map_err(fail)?;
    let mut checked = Vec::new();
    for d in crate::iac::read(spec, &substitutions).map_err(fail)? {
        for n in &d.notes {
            eprintln!("note: {}: {n}", d.label);
        }
        let (machine, diags) = crate::check::check_definition(&d, ty);
        match (machine, &d.value) {
            (Some(machine), Ok(v)) => {
                let definition = serde_json::to_string_pretty(v).unwrap_or_default();
                checked.push(Checked { name: d.name, machine, definition });
            }
            _ => {
                eprint!("{}", crate::diagnostics::render_human(&d.source, &diags));
                return Err(ExitCode::from(invalid));
            }
        }
    }
    Ok(checked)
}

/// `load_definitions` of a spec that must name one machine.
pub(crate) fn load_one(spec: &str, sources: &Sources, ty: MachineType, invalid: u8) -> Result<Checked, ExitCode> {
    let mut all = load_definitions(spec, sources, ty, invalid)?;
    if all.len() != 1 {
        let names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
        eprintln!(
            "error: {spec} holds {} state machines ({}): name one as {spec}#LogicalId",
            all.len(),
            names.join(", ")
        );
        return Err(ExitCode::from(2));
    }
    Ok(all.remove(0))
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
