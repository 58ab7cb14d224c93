//! Executions that start executions: `arn:aws:states:::states:startExecution`
//! and its `.sync`, `.sync:2` and `.waitForTaskToken` forms, where the
//! execution runs in a server that can start other machines (`Starter`).
//! The results have AWS's shapes: StartExecution's response, or for the
//! `.sync` forms DescribeExecution's (capitalised), its `Input` and
//! `Output` as text (`.sync`) or JSON (`.sync:2`); a child that does not
//! succeed fails the task with `States.TaskFailed` and that description as
//! the cause.

use crate::error::{names, StatesError};
use futures::future::LocalBoxFuture;
use serde_json::{json, Map, Value};

/// What a server offers executions that start others.
pub trait Starter {
    /// Starts `machine` with `input` under `name`; the execution's ARN and
    /// start date (epoch milliseconds). A child of the same name already
    /// started by this parent (a resumed task) is the same child.
    fn start<'a>(
        &'a self,
        machine: &'a str,
        name: &'a str,
        input: Value,
    ) -> LocalBoxFuture<'a, Result<(String, i64), StatesError>>;
    /// The child's DescribeExecution record (the API's lower-case shape) once
    /// it has ended.
    fn finished<'a>(&'a self, execution: &'a str) -> LocalBoxFuture<'a, Value>;
    /// Stops a child whose parent stopped waiting for it.
    fn stop(&self, execution: &str);
}

/// An API error as a task sees it: `StepFunctions.<Code>Exception`, with
/// the SDK's message.
pub fn api_failure(code: &str, message: &str, status: u16) -> StatesError {
    StatesError::new(
        format!("StepFunctions.{code}Exception"),
        format!(
            "{message} (Service: AWSStepFunctions; Status Code: {status}; Error Code: {code}; Request ID: {}; Proxy: null)",
            uuid::Uuid::new_v4()
        ),
    )
}

/// The child's start: `(ARN, start date)` from the task's parameters.
pub async fn start(
    starter: &dyn Starter,
    parameters: &Value,
    default_name: &str,
) -> Result<(String, i64), StatesError> {
    let machine = parameters.get("StateMachineArn").and_then(Value::as_str).ok_or_else(|| {
        StatesError::runtime(
            "The field 'StateMachineArn' of a states:startExecution Task is required and must be a string",
        )
    })?;
    // `Input` may be JSON or JSON text.
    let input = match parameters.get("Input") {
        None => json!({}),
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())),
        Some(v) => v.clone(),
    };
    let name = parameters.get("Name").and_then(Value::as_str).unwrap_or(default_name);
    starter.start(machine, name, input).await
}

/// StartExecution's response, as the task's result.
pub fn started(arn: &str, start_date: i64) -> Value {
    json!({ "ExecutionArn": arn, "StartDate": start_date })
}

/// Waits for the child and makes its end the task's: `json` for `.sync:2`.
pub async fn synced(starter: &dyn Starter, arn: &str, json: bool) -> Result<Value, StatesError> {
    /// Stops the child if the parent stops waiting (StopExecution, a timeout).
    struct Child<'a>(&'a dyn Starter, &'a str, bool);
    impl Drop for Child<'_> {
        fn drop(&mut self) {
            if !self.2 {
                self.0.stop(self.1);
            }
        }
    }
    let mut child = Child(starter, arn, false);
    let record = starter.finished(arn).await;
    child.2 = true;
    let described = described(&record, json);
    if record["status"] == "SUCCEEDED" {
        Ok(described)
    } else {
        Err(StatesError::new(names::TASK_FAILED, described.to_string()))
    }
}

/// DescribeExecution's record with AWS's capitalised keys, in their order.
fn described(r: &Value, json: bool) -> Value {
    let data = |key: &str| -> Option<Value> {
        let text = r.get(key)?.as_str()?;
        Some(if json { serde_json::from_str(text).unwrap_or_else(|_| json!(text)) } else { json!(text) })
    };
    let millis = |key: &str| r.get(key).and_then(Value::as_f64).map(|s| (s * 1000.0).round() as i64);
    let mut d = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            d.insert(k.to_string(), v);
        }
    };
    put("Cause", r.get("cause").cloned());
    put("Error", r.get("error").cloned());
    put("ExecutionArn", r.get("executionArn").cloned());
    put("Input", data("input"));
    put("InputDetails", Some(json!({"Included": true})));
    put("Name", r.get("name").cloned());
    let output = data("output");
    let has_output = output.is_some();
    put("Output", output);
    put("OutputDetails", has_output.then(|| json!({"Included": true})));
    put("StartDate", millis("startDate").map(Value::from));
    put("StateMachineArn", r.get("stateMachineArn").cloned());
    put("Status", r.get("status").cloned());
    put("StopDate", millis("stopDate").map(Value::from));
    Value::Object(d)
}
