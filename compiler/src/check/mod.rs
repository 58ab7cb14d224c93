//! Definition checks beyond the schema: unique names, transition targets,
//! reachability and terminal states, integration resources, and the
//! Express-only rules. `check` runs the whole front end and returns every
//! diagnostic with its position.

mod express;
mod integrations;
mod names;
pub mod reachability;
mod states_scope;
mod transitions;
mod variables;

use crate::diagnostics::Diagnostic;
use crate::model::{read, StateMachine};
use crate::source::Source;
use serde_json::Value;

/// The runtime's: the checks and the executions of a type agree.
pub use asl_runtime::exec::MachineType;

/// Reads and checks a definition. The model is returned only when there is
/// no error, so later stages can rely on everything the checks promise.
pub fn check(source: &Source, value: &Value, ty: MachineType) -> (Option<StateMachine>, Vec<Diagnostic>) {
    check_keeping(source, value, ty, |_| true)
}

/// `check`, with only the diagnostics `keep` accepts counted and returned
/// (TestState tests a state whose transitions lead out of its definition).
pub fn check_keeping(
    source: &Source,
    value: &Value,
    ty: MachineType,
    keep: impl Fn(&Diagnostic) -> bool,
) -> (Option<StateMachine>, Vec<Diagnostic>) {
    let (machine, mut diags) = read::read(value);
    if let Some(m) = &machine {
        names::check(m, &mut diags);
        transitions::check(&m.root, &mut diags);
        reachability::check(&m.root, &mut diags);
        states_scope::check(&m.root, &mut diags);
        variables::check(&m.root, &mut diags);
        integrations::check(&m.root, &mut diags);
        if ty == MachineType::Express {
            express::check(&m.root, &mut diags);
        }
    }
    diags.retain(|d| keep(d));
    for d in &mut diags {
        if d.pos.is_none() {
            d.pos =
                d.location.as_deref().filter(|l| l.starts_with('/')).and_then(|l| source.pos(l.trim_end_matches('/')));
        }
    }
    let ok = diags.iter().all(|d| d.severity != crate::diagnostics::Severity::Error);
    (machine.filter(|_| ok), diags)
}

/// The longest definition AWS takes, in characters (the `definition`
/// member of CreateStateMachine and ValidateStateMachineDefinition).
pub const MAX_DEFINITION_CHARS: usize = 1_048_576;

/// Loads and checks source text: the whole front end in one call.
pub fn check_text(name: &str, bytes: Vec<u8>, ty: MachineType) -> (Source, Option<StateMachine>, Vec<Diagnostic>) {
    let (source, value) = crate::source::load(name, bytes);
    let d = crate::iac::plain(source, value);
    let (m, diags) = check_definition(&d, ty);
    (d.source, m, diags)
}

/// Checks a definition as read (a file's, or a template's machine) with
/// the rules of its template's type for it, else of `ty`.
pub fn check_definition(d: &crate::iac::Definition, ty: MachineType) -> (Option<StateMachine>, Vec<Diagnostic>) {
    let ty = d.machine_type.unwrap_or(ty);
    match &d.value {
        Ok(v) => {
            let (m, mut diags) = check(&d.source, v, ty);
            match too_large(d.chars) {
                Some(large) => {
                    diags.insert(0, large);
                    (None, diags)
                }
                None => (m, diags),
            }
        }
        Err(diag) => (None, vec![diag.clone()]),
    }
}

/// A definition AWS would refuse for its length (`chars`, as AWS counts).
fn too_large(chars: usize) -> Option<Diagnostic> {
    (chars > MAX_DEFINITION_CHARS).then(|| {
        Diagnostic::error(
            crate::diagnostics::codes::DEFINITION_TOO_LARGE,
            format!("The definition is {chars} characters long; AWS accepts at most {MAX_DEFINITION_CHARS}"),
            None,
        )
    })
}
