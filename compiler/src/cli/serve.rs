//! `aslc serve DEF...`: the Step Functions API, with the checker for
//! CreateStateMachine and ValidateStateMachineDefinition and the
//! interpreter for executions.

use super::{load_definitions, Sources};
use crate::check::{check_text, MachineType};
use crate::interpret::Interpreted;
use asl_runtime::serve::{self, Diagnostic, Engines, Initial, Loaded, ServeArgs};
use asl_runtime::test_state::{ApiError, Request, Test};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Definitions that exist at start, each named by its file stem
    /// (a template's machines by their logical ids).
    files: Vec<String>,
    #[command(flatten)]
    sources: Sources,
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

    fn prepare_test(&self, request: &Request) -> Result<Test, ApiError> {
        crate::test_state::prepare(request)
    }

    fn viewer(&self, name: &str, definition: &str, history: &serde_json::Value) -> Result<String, String> {
        let (_, machine, _) = check_text("definition", definition.as_bytes().to_vec(), MachineType::Standard);
        let machine = machine.ok_or("the execution's definition is not valid")?;
        let ran = crate::observe::Ran::from_history(history.clone());
        Ok(crate::viewer::page(name, &machine, &ran))
    }
}

pub fn run(a: Args) -> ExitCode {
    let mut initial = Vec::new();
    for f in &a.files {
        match load_definitions(f, &a.sources, MachineType::Standard, 2) {
            Ok(all) => initial.extend(all.into_iter().map(|c| Initial { name: c.name, definition: c.definition })),
            Err(code) => return code,
        }
    }
    let linked = match super::linked(a.handlers.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    serve::main(&a.serve, initial, Box::new(Interpreter), &linked)
}
