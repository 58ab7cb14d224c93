//! Definition checks beyond the schema: unique names, transition targets,
//! reachability and terminal states, integration resources, and the
//! Express-only rules. `check` runs the whole front end and returns every
//! diagnostic with its position.

mod express;
mod integrations;
mod names;
mod reachability;
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
    match value {
        Ok(v) => {
            let (m, mut d) = check(&source, &v, ty);
            match too_large(&source, &v) {
                Some(large) => {
                    d.insert(0, large);
                    (source, None, d)
                }
                None => (source, m, d),
            }
        }
        Err(d) => (source, None, vec![d]),
    }
}

/// A definition AWS would refuse for its length: the JSON text as given,
/// or for YAML the compact JSON that would be sent.
fn too_large(source: &Source, value: &Value) -> Option<Diagnostic> {
    let json = source.text.trim_start().trim_start_matches('\u{feff}').starts_with('{');
    let chars = if json { source.text.chars().count() } else { value.to_string().chars().count() };
    (chars > MAX_DEFINITION_CHARS).then(|| {
        Diagnostic::error(
            crate::diagnostics::codes::DEFINITION_TOO_LARGE,
            format!("The definition is {chars} characters long; AWS accepts at most {MAX_DEFINITION_CHARS}"),
            None,
        )
    })
}
