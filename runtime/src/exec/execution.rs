//! One whole execution: the input checks, `ExecutionStarted`, the machine
//! timeout, and the final status, output, error and cause.

use super::history::{not_truncated, Cursor};
use super::{Execution, ExecutionInfo, Flow, Machine, TaskCall};
use crate::error::{names, StatesError};
use crate::exec::states::MAX_PAYLOAD_BYTES;
use crate::vars::Vars;
use serde_json::{json, Value};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    Failed,
    TimedOut,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
        }
    }
}

/// How an execution ended, with everything `--result` and `--history` show.
pub struct Outcome {
    pub status: Status,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub input: Value,
    pub info: ExecutionInfo,
    pub stop_time: chrono::DateTime<chrono::Utc>,
    pub history: Value,
    pub task_calls: Vec<TaskCall>,
}

/// Runs `machine` as one execution.
pub async fn execute(
    info: ExecutionInfo,
    input: Value,
    tasks: crate::tasks::Tasks,
    timeout_seconds: Option<u64>,
    record_history: bool,
    machine: &dyn Machine,
) -> Outcome {
    let exec = Execution::new(&info, &input, tasks, record_history);
    let top = Cursor::new(0);
    exec.history.borrow_mut().push(
        &top,
        "ExecutionStarted",
        Some((
            "executionStartedEventDetails",
            json!({"input": input.to_string(), "inputDetails": not_truncated(), "roleArn": exec.context["Execution"]["RoleArn"]}),
        )),
    );
    let flow = Flow { vars: Vars::root(), cursor: Cursor::new(0), history: exec.history.clone() };
    let result = if !crate::io::fits(&input, MAX_PAYLOAD_BYTES) {
        Err(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            "The execution input exceeds the maximum number of bytes service limit.",
        ))
    } else {
        let run = machine.run(&exec, flow, input.clone());
        match timeout_seconds {
            Some(t) => match tokio::time::timeout(Duration::from_secs(t), run).await {
                Ok(r) => r,
                Err(_) => Err(StatesError { error: Some(names::TIMEOUT.into()), cause: None, state_scoped: false }),
            },
            None => run.await,
        }
    };
    let (status, output, error, cause) = match result {
        Ok(out) => {
            exec.history.borrow_mut().push(
                &top,
                "ExecutionSucceeded",
                Some((
                    "executionSucceededEventDetails",
                    json!({"output": out.to_string(), "outputDetails": not_truncated()}),
                )),
            );
            (Status::Succeeded, Some(out), None, None)
        }
        Err(e) => {
            let timed_out = e.name() == names::TIMEOUT && e.cause.is_none() && timeout_seconds.is_some();
            let mut d = serde_json::Map::new();
            if let Some(err) = &e.error {
                d.insert("error".into(), json!(err));
            }
            if let Some(c) = &e.cause {
                d.insert("cause".into(), json!(c));
            }
            let (kind, key, status) = if timed_out {
                ("ExecutionTimedOut", "executionTimedOutEventDetails", Status::TimedOut)
            } else {
                ("ExecutionFailed", "executionFailedEventDetails", Status::Failed)
            };
            exec.history.borrow_mut().push(&top, kind, Some((key, Value::Object(d))));
            (status, None, e.error, e.cause)
        }
    };
    let history = exec.history.borrow().to_json();
    Outcome {
        status,
        output,
        error,
        cause,
        input,
        info,
        stop_time: chrono::Utc::now(),
        history,
        task_calls: exec.task_calls.into_inner(),
    }
}

impl Outcome {
    /// The `--result` object, shaped like StartSyncExecution's response.
    pub fn to_result_json(&self) -> Value {
        let mut r = json!({
            "executionArn": self.info.execution_arn(),
            "stateMachineArn": self.info.machine_arn(),
            "name": self.info.execution_name,
            "startDate": crate::timestamp::format_context(self.info.start_time),
            "stopDate": crate::timestamp::format_context(self.stop_time),
            "status": self.status.as_str(),
            "input": self.input.to_string(),
            "taskCalls": self.task_calls.iter().map(|c| json!({"state": c.state, "resource": c.resource, "parameters": c.parameters})).collect::<Vec<_>>(),
        });
        match &self.output {
            Some(o) => r["output"] = json!(o.to_string()),
            None => {
                r["error"] = json!(self.error);
                r["cause"] = json!(self.cause);
            }
        }
        r
    }
}
