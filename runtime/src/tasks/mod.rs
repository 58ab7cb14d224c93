//! What answers a Task state. In order: the mock configuration (for the
//! states its test case lists), the resource map (`--resources`: local
//! commands and Lambda endpoints), the Rust handlers linked into the binary,
//! and AWS's HTTP Task, which makes a real call. A resource nothing answers
//! fails the task with `States.TaskFailed`, so Retry and Catch apply.
//!
//! Every real handler runs under the state's TimeoutSeconds and
//! HeartbeatSeconds (`supervise`).

mod command;
#[cfg(feature = "http")]
mod connections;
#[cfg(feature = "http")]
mod http;
mod lambda;
#[cfg(feature = "http")]
mod lambda_endpoint;
mod linked;
pub mod mock;
mod resources;
mod supervise;
mod trace;

pub use linked::{serve, Handler, Linked, Linking, TaskError};
pub use resources::{Binding, ResourceMap};
pub use supervise::{Limits, DEFAULT_TIMEOUT_SECONDS};
pub use trace::Trace;

use crate::error::{names, StatesError};
use lambda::{Function, Style};
use serde_json::{json, Value};
use std::sync::Arc;

/// Everything that can answer the Task states of one execution.
#[derive(Clone, Default)]
pub struct Tasks {
    pub mock: Option<mock::TestCase>,
    pub resources: Option<Arc<ResourceMap>>,
    pub linked: Linked,
}

/// How a resource ARN shows up in the history, in errors and in dispatch.
#[derive(Debug, Clone)]
pub(crate) enum ResourceKind {
    /// `arn:aws:lambda:…:function:name`: `LambdaFunction*` events; the
    /// result is the function's payload.
    LegacyLambda,
    /// `arn:aws:states:::service:action[.pattern]`: `Task*` events.
    Service { resource_type: String, resource: String },
    /// `arn:aws:states:region:account:activity:name`: `Activity*` events;
    /// in the server a worker takes it (GetActivityTask).
    Activity,
    /// Anything else (custom ARNs).
    Other,
}

impl ResourceKind {
    pub(crate) fn of(arn: &str) -> ResourceKind {
        let parts: Vec<&str> = arn.splitn(7, ':').collect();
        match parts.as_slice() {
            ["arn", _, "lambda", _, _, "function", _] => ResourceKind::LegacyLambda,
            ["arn", _, "states", _, _, "activity", _] => ResourceKind::Activity,
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

    fn is(&self, service: &str, action: &str) -> bool {
        matches!(self, ResourceKind::Service { resource_type, resource }
            if resource_type == service && resource.split('.').next() == Some(action))
    }
}

/// An exact key first, then the first `*` pattern that matches.
pub(crate) fn find_binding<'a, T>(entries: &'a [(String, T)], key: &str) -> Option<&'a T> {
    entries
        .iter()
        .find(|(k, _)| k == key)
        .or_else(|| {
            entries.iter().find(|(k, _)| k.contains('*') && crate::choice::string_matches(key, k).unwrap_or(false))
        })
        .map(|(_, v)| v)
}

/// One invocation of a resource.
pub(crate) struct Call<'a> {
    pub state: &'a str,
    pub resource: &'a str,
    pub kind: &'a ResourceKind,
    pub parameters: &'a Value,
    pub limits: Limits,
    /// What a too-large result is reported as (`StatesError::result_too_large`).
    pub result_id: &'a str,
    /// A callback task's service call: with no handler bound, the call is
    /// left out (its response `{}`) and the task waits for its callback.
    pub optional: bool,
    /// TestState at TRACE: where an HTTP Task's exchange is kept.
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    pub trace: Option<Trace>,
}

/// What the handler is given and how its answer becomes the task's result.
// Only a Lambda endpoint reads a function's invocation type.
#[cfg_attr(not(feature = "http"), allow(dead_code))]
enum Target<'a> {
    /// A Lambda function, however the workflow calls it.
    Function { reference: String, payload: Value, style: Style, invocation_type: Option<&'a str> },
    /// Any other resource: the handler gets the parameters, its answer is the result.
    Plain,
}

impl Target<'_> {
    /// What the handler is given: a function's payload, or the parameters.
    fn input<'v>(&'v self, parameters: &'v Value) -> &'v Value {
        match self {
            Target::Function { payload, .. } => payload,
            Target::Plain => parameters,
        }
    }
}

impl Tasks {
    /// Answers `call` with a real handler (the mock configuration has been
    /// asked already).
    pub(crate) async fn invoke(&self, call: &Call<'_>) -> Result<Value, StatesError> {
        let kind = call.kind;
        // The result of a callback pattern is what the callback would send.
        let callback = call.resource.ends_with(".waitForTaskToken");
        let target = match kind {
            ResourceKind::LegacyLambda => Target::Function {
                reference: call.resource.to_string(),
                payload: call.parameters.clone(),
                style: Style::Legacy,
                invocation_type: None,
            },
            k if k.is("lambda", "invoke") => {
                let name = call.parameters.get("FunctionName").and_then(Value::as_str).ok_or_else(|| {
                    StatesError::runtime(
                        "The field 'FunctionName' of a lambda:invoke Task is required and must be a string",
                    )
                })?;
                Target::Function {
                    reference: name.to_string(),
                    payload: call.parameters.get("Payload").cloned().unwrap_or_else(|| json!({})),
                    style: if callback { Style::Legacy } else { Style::Service },
                    invocation_type: call.parameters.get("InvocationType").and_then(Value::as_str),
                }
            }
            _ => Target::Plain,
        };
        // A function is found by the name the workflow gives, then by its
        // ARN (so `arn:aws:lambda:*:*:function:*` binds bare names too),
        // then by the resource.
        let mut keys: Vec<String> = Vec::new();
        let candidates = match &target {
            Target::Function { reference, .. } => {
                vec![reference.clone(), Function::parse(reference).unqualified_arn(), call.resource.to_string()]
            }
            Target::Plain => vec![call.resource.to_string()],
        };
        for k in candidates {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        if let Some(binding) = self.resources.as_ref().and_then(|r| keys.iter().find_map(|k| r.find(k))) {
            return run_binding(binding, &target, call).await;
        }
        if let Some(linking) = keys.iter().find_map(|k| self.linked.find(k)) {
            let input = target.input(call.parameters).clone();
            let out = match linking {
                Linking::InProcess(h) => {
                    supervise::supervise(call.limits, move |_| run_linked(&h, input), || {}).await?
                }
                Linking::Host(spec) => command::invoke(&spec, &input, call.limits, call.result_id).await?,
            };
            return Ok(shape(&target, out));
        }
        if kind.is("http", "invoke") {
            #[cfg(feature = "http")]
            {
                let connections = self.resources.as_ref().and_then(|r| r.connections.clone());
                return http::invoke(call.parameters, connections, call.limits, call.result_id, call.trace.clone())
                    .await;
            }
            #[cfg(not(feature = "http"))]
            return Err(StatesError::runtime(crate::features::missing("http", "the HTTP Task")));
        }
        if call.optional {
            return Ok(json!({}));
        }
        Err(StatesError::new(
            names::TASK_FAILED,
            format!(
                "No handler is bound to the resource '{}' of the Task state '{}': bind it in a resource map (--resources FILE), link Rust handlers (--handlers FILE), or answer the state from a mock configuration (--mock-config FILE --test-case NAME)",
                keys.join("' or '"),
                call.state
            ),
        ))
    }
}

/// A Lambda function's payload becomes `lambda:invoke`'s envelope.
fn shape(target: &Target<'_>, out: Value) -> Value {
    match target {
        Target::Function { style: Style::Service, .. } => lambda::envelope(out, 200, None),
        _ => out,
    }
}

async fn run_binding(binding: &Binding, target: &Target<'_>, call: &Call<'_>) -> Result<Value, StatesError> {
    match binding {
        Binding::Command(spec) => {
            let input = target.input(call.parameters);
            Ok(shape(target, command::invoke(spec, input, call.limits, call.result_id).await?))
        }
        #[cfg(feature = "http")]
        Binding::LambdaEndpoint { url, function } => call_endpoint(url, function.as_deref(), target, call).await,
        #[cfg(not(feature = "http"))]
        Binding::LambdaEndpoint { url, .. } => Err(StatesError::runtime(format!(
            "The Lambda endpoint {url} cannot be called: {}",
            crate::features::missing("http", "Lambda endpoints")
        ))),
    }
}

/// A function invoked at a Lambda endpoint; `function` renames it.
#[cfg(feature = "http")]
async fn call_endpoint(
    url: &str,
    function: Option<&str>,
    target: &Target<'_>,
    call: &Call<'_>,
) -> Result<Value, StatesError> {
    let (reference, payload, style, invocation_type) = match target {
        Target::Function { reference, payload, style, invocation_type } => {
            (function.map_or_else(|| reference.clone(), str::to_string), payload, *style, *invocation_type)
        }
        Target::Plain => {
            let Some(f) = function else {
                return Err(StatesError::runtime(format!(
                    "The resource '{}' is not a Lambda function: its LambdaEndpoint binding needs a 'FunctionName'",
                    call.resource
                )));
            };
            (f.to_string(), call.parameters, Style::Legacy, None)
        }
    };
    let invocation = lambda_endpoint::Invocation {
        function: Function::parse(&reference),
        payload,
        invocation_type,
        style,
        result_id: call.result_id,
    };
    lambda_endpoint::invoke(url, invocation, call.limits).await
}

/// Calls a linked Rust handler; a panic fails the task instead of the
/// program (binaries with handlers are built to unwind).
pub(crate) fn run_linked(handler: &Handler, input: Value) -> Result<Value, StatesError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(input))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(StatesError::new(e.error, e.cause)),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            Err(StatesError::new(names::TASK_FAILED, format!("The Rust handler panicked: {message}")))
        }
    }
}
