use super::Cx;
use crate::env::Env;
use crate::error::{names, StatesError};
use crate::exec::history::not_truncated;
use crate::exec::mock::Mocked;
use crate::exec::{Step, TaskCall, REGION};
use crate::machine::{NumberField, Task};
use serde_json::{json, Value};

/// The largest payload AWS passes between states, in bytes of UTF-8.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;

/// How a resource ARN shows up in the history and in errors.
enum ResourceKind {
    /// `arn:aws:lambda:…:function:name`: `LambdaFunction*` events; the
    /// result is the function's `Payload`.
    LegacyLambda,
    /// `arn:aws:states:::service:action[.pattern]`: `Task*` events.
    Service { resource_type: String, resource: String },
    /// Anything else (activities, custom ARNs).
    Other,
}

fn kind(arn: &str) -> ResourceKind {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", _] => ResourceKind::LegacyLambda,
        ["arn", _, "states", "", "", "aws-sdk", rest] => {
            let (svc, action) = rest.split_once(':').unwrap_or((rest, ""));
            ResourceKind::Service { resource_type: format!("aws-sdk:{svc}"), resource: action.to_string() }
        }
        ["arn", _, "states", "", "", service, rest] => {
            ResourceKind::Service { resource_type: service.to_string(), resource: rest.to_string() }
        }
        _ => ResourceKind::Other,
    }
}

/// Task: invokes the resource with the effective input, under Retry/Catch.
pub(crate) async fn task(cx: &Cx<'_>, raw: Value, t: &Task) -> Result<Step, StatesError> {
    timeout_fields(cx, &raw, t)?;
    let state = &cx.state.name;
    cx.with_policy(raw, |_, parameters| async move {
        cx.exec.task_calls.borrow_mut().push(TaskCall {
            state: state.clone(),
            resource: t.resource.clone(),
            parameters: parameters.clone(),
        });
        let legacy = matches!(kind(&t.resource), ResourceKind::LegacyLambda);
        let (prefix, details_key) = if legacy { ("LambdaFunction", "lambdaFunction") } else { ("Task", "task") };
        let scheduled = match kind(&t.resource) {
            ResourceKind::LegacyLambda => json!({"resource": t.resource, "input": parameters.to_string(), "inputDetails": not_truncated()}),
            ResourceKind::Service { resource_type, resource } => json!({
                "resourceType": resource_type, "resource": resource, "region": REGION, "parameters": parameters.to_string()
            }),
            ResourceKind::Other => json!({"resourceType": "", "resource": t.resource, "region": REGION, "parameters": parameters.to_string()}),
        };
        cx.flow.event(&format!("{prefix}Scheduled"), Some((&format!("{details_key}ScheduledEventDetails"), scheduled)));
        cx.flow.event(&format!("{prefix}Started"), None);
        let outcome = dispatch(cx, t, legacy);
        match outcome {
            Ok(result) => {
                if !crate::io::fits(&result, MAX_PAYLOAD_BYTES) {
                    let id = match kind(&t.resource) {
                        ResourceKind::LegacyLambda => t.resource.clone(),
                        ResourceKind::Service { resource_type, .. } if resource_type == "lambda" => "lambda".to_string(),
                        _ => state.clone(),
                    };
                    return Err(StatesError::new(
                        names::DATA_LIMIT_EXCEEDED,
                        format!("The state/task '{id}' returned a result with a size exceeding the maximum number of bytes service limit."),
                    ));
                }
                cx.flow.event(
                    &format!("{prefix}Succeeded"),
                    Some((&format!("{details_key}SucceededEventDetails"), json!({"output": result.to_string(), "outputDetails": not_truncated()}))),
                );
                Ok(result)
            }
            Err(e) => {
                let timed_out = e.name() == names::TIMEOUT || e.name() == names::HEARTBEAT_TIMEOUT;
                let (kind, d) = if timed_out { ("TimedOut", json!({"error": e.error})) } else { ("Failed", json!({"error": e.error, "cause": e.cause})) };
                cx.flow.event(&format!("{prefix}{kind}"), Some((&format!("{details_key}{kind}EventDetails"), d)));
                Err(e)
            }
        }
    })
    .await
}

/// Answers one invocation from the mock configuration.
fn dispatch(cx: &Cx<'_>, t: &Task, legacy: bool) -> Result<Value, StatesError> {
    let state = &cx.state.name;
    let Some(mock) = cx.exec.mock.as_ref().filter(|m| m.has(state)) else {
        return Err(StatesError::runtime(format!(
            "No handler is bound to the resource '{}' of the Task state '{state}': give a mock configuration that answers this state (--mock-config FILE --test-case NAME)",
            t.resource
        )));
    };
    let n = cx.exec.next_invocation(state);
    match mock.response(state, n) {
        Some(Mocked::Return(v)) if legacy => Ok(v.get("Payload").cloned().unwrap_or_else(|| v.clone())),
        Some(Mocked::Return(v)) => Ok(v.clone()),
        Some(Mocked::Throw { error, cause }) => {
            Err(StatesError { error: error.clone(), cause: cause.clone(), state_scoped: false })
        }
        None => Err(StatesError::runtime(format!(
            "The mock configuration has no response for invocation {n} of the Task state '{state}'"
        ))),
    }
}

/// `TimeoutSecondsPath`/`HeartbeatSecondsPath` must name positive integers.
fn timeout_fields(cx: &Cx<'_>, raw: &Value, t: &Task) -> Result<(), StatesError> {
    let context = cx.context(None);
    let env = Env { input: raw, context: &context, vars: &cx.flow.vars };
    let states = cx.states(raw, &context, None);
    for (field, name) in [(&t.timeout_seconds, "TimeoutSeconds"), (&t.heartbeat_seconds, "HeartbeatSeconds")] {
        match field {
            Some(NumberField::Path(p)) => {
                let v = env.read(p).map_err(|e| StatesError::runtime(format!("Invalid path '{}' : {e}", p.text)))?;
                if v.as_u64().is_none_or(|n| n == 0) {
                    return Err(StatesError::runtime(format!(
                        "The {name}Path field refers to value \"{v}\" which is not a valid positive integer: {}",
                        p.text
                    )));
                }
            }
            Some(NumberField::Jsonata(e)) => {
                let v = crate::jsonata::eval_required(e, name, &states, &cx.flow.vars)?;
                if v.as_u64().is_none_or(|n| n == 0) {
                    return Err(crate::jsonata::unexpected_type(&e.text, name, "positive integer", &v));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
