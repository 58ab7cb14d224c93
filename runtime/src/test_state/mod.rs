//! TestState: one state run alone, as AWS's TestState API runs it. The
//! state runs through the engine's own state functions (so its semantics
//! are the executions'), with a `Probe` that gives the mocked work and the
//! simulated retry and Map failure counts, and records each I/O step for
//! `inspectionData`. A retrier with attempts left ends the test as
//! RETRIABLE; a catcher as CAUGHT_ERROR with its `nextState`.
//!
//! `aslc test-state --request FILE` and the server's `TestState` share
//! `prepare` and `run`; the definition is checked and the state picked by
//! the caller (the checker lives in the compiler).

mod context;
mod probe;

pub(crate) use probe::Probe;

use crate::error::StatesError;
use crate::exec::{self, Execution, ExecutionInfo, Flow, MachineType, Transition};
use crate::machine::{Body, State};
use crate::tasks::Tasks;
use crate::vars::Vars;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::rc::Rc;

/// The body of a TestState request (botocore's `TestStateInput`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub definition: String,
    pub role_arn: Option<String>,
    pub input: Option<String>,
    pub inspection_level: Option<String>,
    pub reveal_secrets: Option<bool>,
    pub variables: Option<String>,
    pub state_name: Option<String>,
    pub mock: Option<MockInput>,
    pub context: Option<String>,
    pub state_configuration: Option<StateConfiguration>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MockInput {
    pub result: Option<String>,
    pub error_output: Option<MockError>,
    pub field_validation_mode: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MockError {
    pub error: Option<String>,
    pub cause: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateConfiguration {
    pub retrier_retry_count: Option<u64>,
    pub error_caused_by_state: Option<String>,
    pub map_iteration_failure_count: Option<u64>,
    pub map_item_reader_data: Option<String>,
}

/// A refused request: AWS's error code and message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError { code: "ValidationException", message: message.into() }
    }

    pub fn invalid_definition(message: impl Into<String>) -> ApiError {
        ApiError { code: "InvalidDefinition", message: message.into() }
    }

    /// `{"__type", "message"}`, as the API answers.
    pub fn to_json(&self) -> Value {
        json!({ "__type": self.code, "message": self.message })
    }
}

impl Request {
    /// A request body as JSON text (what `aslc test-state --request` reads).
    pub fn parse(text: &str) -> Result<Request, ApiError> {
        serde_json::from_str(text)
            .map_err(|e| ApiError::validation(format!("The request is not a TestState request: {e}")))
    }

    /// The state to test: the whole definition when it is one state (AWS
    /// names it `StateName`), else `stateName`. The caller has checked it.
    pub fn wraps_state(&self) -> bool {
        self.state_name.is_none()
    }
}

/// AWS's `InvalidDefinition` text for a definition's errors (each `CODE:
/// message at /pointer`), as CreateStateMachine and TestState say it.
pub fn invalid_definition_message(errors: &[String]) -> String {
    format!("Invalid State Machine Definition: '{}'", errors.join(", "))
}

/// The name a tested state has in its context object and errors.
pub const STATE_NAME: &str = "StateName";

/// A request checked against its state, ready to run.
pub struct Test {
    state: State,
    input: Value,
    variables: Map<String, Value>,
    context: context::Given,
    probe: Probe,
}

fn json_text(field: &str, text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::validation(format!("The {field} is not valid JSON: {e}")))
}

/// Checks what AWS checks of a request before it runs the state, in the
/// order AWS reports it.
pub fn prepare(req: &Request, mut state: State) -> Result<Test, ApiError> {
    let type_name = state.body.type_name();
    let level = req.inspection_level.as_deref().unwrap_or("INFO");
    let config = req.state_configuration.as_ref();
    let mock = match &req.mock {
        Some(MockInput { result: Some(_), error_output: Some(_), .. }) => {
            return Err(ApiError::validation(
                "A test mock should have only one of the following fields: [result, errorOutput].",
            ))
        }
        Some(m) if m.result.is_some() || m.error_output.is_some() => Some(m),
        _ => None,
    };
    if mock.is_some() && req.reveal_secrets == Some(true) {
        return Err(ApiError::validation("TestState does not support RevealSecrets when a mock is specified."));
    }
    let failures = config.and_then(|c| c.map_iteration_failure_count);
    if failures.is_some() && mock.is_none() {
        return Err(ApiError::validation(
            "TestState does not support MapIterationFailureCount when a mock is not specified.",
        ));
    }
    let workless = !matches!(state.body, Body::Task(_) | Body::Map(_) | Body::Parallel { .. });
    if mock.is_some() && workless {
        return Err(ApiError::validation(format!(
            "State type '{type_name}' is not supported when a mock is specified"
        )));
    }
    let answer = match mock {
        Some(MockInput { result: Some(text), .. }) => {
            let value: Value =
                serde_json::from_str(text).map_err(|_| ApiError::validation("Mocked result must be valid JSON"))?;
            let writes = matches!(&state.body, Body::Map(m) if m.result_writer.is_some());
            if writes && !value.is_object() {
                return Err(ApiError::validation("Mocked result must be a JSON object."));
            }
            Some(Ok(value))
        }
        Some(MockInput { error_output: Some(e), .. }) => {
            Some(Err(StatesError { error: e.error.clone(), cause: e.cause.clone(), state_scoped: false }))
        }
        _ => None,
    };
    let given = context::Given::parse(req.context.as_deref(), &state)?;
    if answer.is_none() && matches!(state.body, Body::Map(_) | Body::Parallel { .. }) {
        return Err(ApiError::invalid_definition(
            "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
        ));
    }
    if answer.is_none() && context::hands_token(&state) {
        return Err(ApiError::invalid_definition(
            "TestState API does not support Activity tasks or the .sync and .waitForTaskToken service integration patterns without a mock",
        ));
    }
    if answer.is_none() && matches!(state.body, Body::Task(_)) && req.role_arn.is_none() {
        return Err(ApiError::validation("RoleArn must be specified when testing a Task state"));
    }
    let input = match &req.input {
        Some(text) => serde_json::from_str(text).map_err(|e| ApiError {
            code: "InvalidExecutionInput",
            message: format!("Invalid State Machine Execution Input: '{e}'"),
        })?,
        None => json!({}),
    };
    let variables = match req.variables.as_deref().map(|t| json_text("variables", t)).transpose()? {
        None => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(ApiError::validation("The variables must be a JSON object")),
    };
    let reader_data = config.and_then(|c| c.map_item_reader_data.as_deref());
    let reader_data = reader_data.map(|t| json_text("mapItemReaderData", t)).transpose()?;
    let mut probe = Probe::new(answer, level != "INFO");
    probe.retry_count = config.and_then(|c| c.retrier_retry_count).unwrap_or(0);
    probe.map_failures = failures;
    probe.reader_data = reader_data;
    if level == "TRACE" {
        probe.http_trace = Some(crate::tasks::Trace { reveal: req.reveal_secrets == Some(true), ..Default::default() });
    }
    state.name = STATE_NAME.into();
    Ok(Test { state, input, variables, context: given.with_role(req.role_arn.clone()), probe })
}

/// TestState's answer (botocore's `TestStateOutput`).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: &'static str,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub next_state: Option<String>,
    pub inspection_data: Option<Map<String, Value>>,
}

impl Response {
    /// The response body: `output` and the inspected values as JSON text,
    /// as the API sends them.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("status".into(), json!(self.status));
        if let Some(o) = &self.output {
            m.insert("output".into(), json!(o.to_string()));
        }
        if let Some(e) = &self.error {
            m.insert("error".into(), json!(e));
        }
        if let Some(c) = &self.cause {
            m.insert("cause".into(), json!(c));
        }
        if let Some(n) = &self.next_state {
            m.insert("nextState".into(), json!(n));
        }
        if let Some(data) = &self.inspection_data {
            let text = |(k, v): (&String, &Value)| {
                let as_is = matches!(
                    k.as_str(),
                    "errorDetails"
                        | "maxConcurrency"
                        | "toleratedFailureCount"
                        | "toleratedFailurePercentage"
                        | "request"
                        | "response"
                );
                (k.clone(), if as_is { v.clone() } else { json!(v.to_string()) })
            };
            m.insert("inspectionData".into(), Value::Object(data.iter().map(text).collect()));
        }
        Value::Object(m)
    }
}

/// Runs the prepared state once; `tasks` answers a Task that has no mock.
pub async fn run(test: Test, tasks: Tasks) -> Result<Response, ApiError> {
    let Test { state, input, variables, context, probe } = test;
    let info = ExecutionInfo {
        machine_name: context.machine_name.clone(),
        execution_name: context.execution_name.clone(),
        start_time: chrono::Utc::now(),
        machine_type: MachineType::Express,
        redrive: None,
    };
    let mut exec = Execution::new(&info, &input, tasks, false);
    exec.context = context.build(&input);
    let probe = Rc::new(probe);
    exec.probe = Some(probe.clone());
    let vars = Vars::root();
    vars.restore(variables.into_iter().collect());
    let flow =
        Flow { vars: vars.clone(), cursor: exec::history::Cursor::new(0), history: exec.history.clone(), slot: None };
    let result = exec::run_probed(&exec, &flow, &state, input.clone()).await;
    if let Some(message) = probe.refused.borrow_mut().take() {
        return Err(ApiError::validation(message));
    }
    let mut data = std::mem::take(&mut *probe.data.borrow_mut());
    let details = std::mem::take(&mut *probe.error_details.borrow_mut());
    let inspection_data = probe.recording.then(|| {
        data.insert("input".into(), input);
        let own = vars.own();
        if !own.is_empty() {
            data.insert("variables".into(), Value::Object(own.into_iter().collect()));
        }
        if !details.is_empty() {
            data.insert("errorDetails".into(), Value::Object(details));
        }
        if let Some(Ok(exchange)) = probe.http_trace.as_ref().map(|t| t.seen.lock()) {
            data.extend(exchange.clone());
        }
        data
    });
    let caught = probe.caught.borrow_mut().take();
    let mut response =
        Response { status: "SUCCEEDED", output: None, error: None, cause: None, next_state: None, inspection_data };
    match result {
        Ok(step) => {
            if let Transition::Next(n) = step.transition {
                response.next_state = Some(n);
            }
            response.output = Some(step.output);
            if let Some(e) = caught {
                response.status = "CAUGHT_ERROR";
                (response.error, response.cause) = (e.error, e.cause);
            }
        }
        Err(e) => {
            response.status = if probe.retriable.get() { "RETRIABLE" } else { "FAILED" };
            (response.error, response.cause) = (e.error, e.cause);
        }
    }
    Ok(response)
}
