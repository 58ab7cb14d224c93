//! `aslc serve DEF...`: the Step Functions API, with the checker for
//! CreateStateMachine and ValidateStateMachineDefinition and the
//! interpreter for executions.

use super::run::machine_name;
use super::read_input;
use crate::check::{check_text, MachineType};
use crate::interpret::Interpreted;
use asl_runtime::serve::{self, Diagnostic, Engines, Initial, Loaded, ServeArgs};
use asl_runtime::tasks::Linked;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Definitions that exist at start, each named by its file stem.
    files: Vec<String>,
    #[command(flatten)]
    serve: ServeArgs,
    /// Rust task handlers, as for `aslc run --handlers`.
    #[arg(long, value_name = "FILE")]
    handlers: Option<std::path::PathBuf>,
}

/// The checker and the interpreter, for definitions that arrive over the API.
struct Interpreter;

impl Engines for Interpreter {
    fn check(&self, definition: &str, express: bool) -> Vec<Diagnostic> {
        let ty = if express { MachineType::Express } else { MachineType::Standard };
        let (_, _, diags) = check_text("definition", definition.as_bytes().to_vec(), ty);
        diags
            .into_iter()
            .map(|d| Diagnostic {
                code: d.code.to_string(),
                message: d.message,
                location: d.location,
                severity: d.severity.as_str(),
            })
            .collect()
    }

    fn load(&self, definition: &str) -> Result<Loaded, String> {
        let (_, machine, diags) = check_text("definition", definition.as_bytes().to_vec(), MachineType::Standard);
        let machine = machine.ok_or_else(|| {
            diags.first().map(|d| d.aws_text()).unwrap_or_else(|| "the definition is not valid".into())
        })?;
        let timeout_seconds = machine.timeout_seconds;
        Ok(Loaded { machine: Box::new(Interpreted(machine)), timeout_seconds })
    }
}

/// A definition file as the API holds it: JSON text (YAML is converted).
fn definition_text(file: &str) -> Result<String, String> {
    let (name, bytes) = read_input(file)?;
    let (source, value) = crate::source::load(&name, bytes);
    let value = value.map_err(|d| format!("{name}: {}", d.aws_text()))?;
    let (machine, diags) = crate::check::check(&source, &value, MachineType::Standard);
    if machine.is_none() {
        return Err(format!("{name} is not a valid definition:\n{}", crate::diagnostics::render_human(&source, &diags)));
    }
    Ok(serde_json::to_string_pretty(&value).unwrap_or_default())
}

pub fn run(a: Args) -> ExitCode {
    let mut initial = Vec::new();
    for f in &a.files {
        match definition_text(f) {
            Ok(definition) => initial.push(Initial { name: machine_name(f), definition }),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let linked = match &a.handlers {
        None => Linked::default(),
        Some(file) => match crate::build::handler_host(file).and_then(|host| Linked::host(&host)) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    serve::main(&a.serve, initial, Box::new(Interpreter), &linked)
}
