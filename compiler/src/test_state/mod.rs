//! The definition side of TestState: checks the request's definition as
//! AWS does and picks the state to test. A definition of one state is
//! checked as the machine AWS wraps it in (`StateName`, so its errors point
//! at `/States/StateName/...`); its `Next` and catchers' targets lie
//! outside it and are not required to exist, nor is an end.

mod result_shapes;

use crate::check::{check_keeping, MachineType};
use crate::diagnostics::{codes, Severity};
use asl_runtime::machine::{Body, Container, State};
use asl_runtime::test_state::{self, invalid_definition_message, ApiError, Request, Test, STATE_NAME};
use serde_json::{json, Value};

/// A request checked as AWS checks it, ready to run: its definition, the
/// runtime's rules, and a mocked Task result against the API's shape.
pub fn prepare(req: &Request) -> Result<Test, ApiError> {
    let state = state_to_test(req)?;
    let resource = match &state.body {
        Body::Task(t) => Some(t.resource.clone()),
        _ => None,
    };
    let test = test_state::prepare(req, state)?;
    let mock = req.mock.as_ref();
    let mode = match mock.and_then(|m| m.field_validation_mode.as_deref()) {
        Some("NONE") => None,
        Some("PRESENT") => Some(result_shapes::Mode::Present),
        _ => Some(result_shapes::Mode::Strict),
    };
    // `prepare` has checked that a mocked result is JSON.
    let result = mock.and_then(|m| m.result.as_deref()).and_then(|r| serde_json::from_str(r).ok());
    if let (Some(resource), Some(mode), Some(result)) = (resource, mode, result) {
        result_shapes::check(&resource, &result, mode)
            .map_err(|e| ApiError::validation(format!("Mock result schema validation error: {e}")))?;
    }
    Ok(test)
}

/// The state `req` tests, from its checked definition.
fn state_to_test(req: &Request) -> Result<State, ApiError> {
    let wrapped = req.wraps_state();
    let text = match serde_json::from_str::<Value>(&req.definition) {
        Ok(state) if wrapped => json!({ "StartAt": STATE_NAME, "States": { STATE_NAME: state } }).to_string(),
        _ => req.definition.clone(),
    };
    let (source, value) = crate::source::load("definition", text.into_bytes());
    let (machine, diags) = match value {
        Ok(v) => check_keeping(&source, &v, MachineType::Standard, |d| {
            !(wrapped && [codes::MISSING_TRANSITION_TARGET, codes::MISSING_END_STATE].contains(&d.code))
        }),
        Err(d) => (None, vec![d]),
    };
    let errors: Vec<String> = diags.iter().filter(|d| d.severity == Severity::Error).map(|d| d.aws_text()).collect();
    let machine = match machine {
        Some(m) if errors.is_empty() => m,
        _ => return Err(ApiError::invalid_definition(invalid_definition_message(&errors))),
    };
    let name = req.state_name.as_deref().unwrap_or(STATE_NAME);
    find(&machine.root, name).cloned().ok_or_else(|| ApiError::validation("State not found in definition"))
}

/// A state anywhere in the machine: in a Parallel branch or a Map's processor too.
fn find<'a>(container: &'a Container, name: &str) -> Option<&'a State> {
    container.states.get(name).or_else(|| {
        container.states.values().find_map(|s| match &s.body {
            Body::Parallel { branches } => branches.iter().find_map(|b| find(b, name)),
            Body::Map(m) => find(&m.processor, name),
            _ => None,
        })
    })
}
