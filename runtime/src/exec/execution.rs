//! One whole execution: the input checks, `ExecutionStarted`, the machine
//! timeout, and the final status, output, error and cause.

use super::history::{Cursor, Details, Event};
use super::journal::{Checkpoint, Commit, End, Journal, Sink, Slot};
use super::{Execution, ExecutionInfo, Flow, Machine, MachineType, TaskCall};
use crate::error::{names, StatesError};
use crate::exec::states::MAX_PAYLOAD_BYTES;
use crate::vars::Vars;
use serde_json::{json, Value};
use std::rc::Rc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    Failed,
    TimedOut,
    /// Stopped through the API (`StopExecution`).
    Aborted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
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
    /// The trace `Options::trace` asked for (else empty).
    pub trace: Vec<(String, super::history::Took)>,
}

/// How an execution runs besides its machine and input.
#[derive(Default)]
pub struct Options {
    /// The machine's `TimeoutSeconds`, counted from the execution's start.
    pub timeout_seconds: Option<u64>,
    /// Keep every event's details (`--history`, the server).
    pub record_history: bool,
    /// A durable execution: where its commits go, and where it stands (a
    /// new one: `Checkpoint::started`, its `ExecutionStarted` committed).
    pub durable: Option<(Rc<dyn Sink>, Checkpoint)>,
    /// Stops the execution when it receives the error and cause to record.
    pub stop: Option<StopSignal>,
    /// Told of each Map Run the execution starts (the server lists them).
    pub map_runs: Option<super::map_run::MapRunSink>,
    /// Where `.waitForTaskToken` tasks wait for their callback.
    pub callbacks: Option<Rc<super::callback::Callbacks>>,
    /// Where `states:startExecution` tasks start their children.
    pub starter: Option<Rc<dyn super::nested_executions::Starter>>,
    /// Keep a trace of the states and ways out taken (`Outcome::trace`).
    pub trace: bool,
    /// List the calls Task states make (`Outcome::task_calls`, `--result`);
    /// never for a durable execution, which may run for months.
    pub keep_task_calls: bool,
}

/// AWS's quota of events in a Standard execution's history.
pub const STANDARD_HISTORY_LIMIT: u64 = 25_000;

/// What `StopExecution` sends: the error and cause it was given.
pub type StopSignal = futures::channel::oneshot::Receiver<(Option<String>, Option<String>)>;

/// `ExecutionStarted`, the first event of every execution.
pub fn started_event(input: &Value) -> Event {
    Event {
        id: 1,
        previous: 0,
        time: chrono::Utc::now(),
        kind: "ExecutionStarted",
        details: Some(started_details(input)),
    }
}

fn started_details(input: &Value) -> Details {
    Details::with_data("executionStartedEventDetails", json!({"roleArn": super::ROLE_ARN}), "input", input)
}

/// A run ended by StopExecution, with the error and cause it gave.
struct Stopped {
    error: Option<String>,
    cause: Option<String>,
}

/// `run`, unless `stop` fires first.
async fn stoppable(
    run: impl std::future::Future<Output = Result<Value, StatesError>>,
    stop: Option<StopSignal>,
) -> Result<Result<Value, StatesError>, Stopped> {
    let Some(stop) = stop else { return Ok(run.await) };
    let run = std::pin::pin!(run);
    match futures::future::select(run, stop).await {
        futures::future::Either::Left((r, _)) => Ok(r),
        futures::future::Either::Right((Ok((error, cause)), _)) => Err(Stopped { error, cause }),
        // The server dropped the sender: it is stopping, the run goes on.
        futures::future::Either::Right((Err(_), run)) => Ok(run.await),
    }
}

/// `{"error", "cause"}` of an ending event, without what is absent.
fn error_details(error: &Option<String>, cause: &Option<String>) -> Value {
    let mut d = serde_json::Map::new();
    if let Some(e) = error {
        d.insert("error".into(), json!(e));
    }
    if let Some(c) = cause {
        d.insert("cause".into(), json!(c));
    }
    Value::Object(d)
}

/// Runs `machine` as one execution.
pub async fn execute(
    info: ExecutionInfo,
    input: Value,
    tasks: crate::tasks::Tasks,
    opts: Options,
    machine: &dyn Machine,
) -> Outcome {
    let mut exec = Execution::new(&info, &input, tasks, opts.record_history);
    exec.map_runs = opts.map_runs;
    exec.callbacks = opts.callbacks;
    exec.starter = opts.starter;
    exec.task_calls = (opts.keep_task_calls && opts.durable.is_none()).then(Default::default);
    let history_limit = (info.machine_type == MachineType::Standard).then_some(STANDARD_HISTORY_LIMIT);
    exec.history.borrow_mut().limit(history_limit);
    exec.history.borrow_mut().keep_trace(opts.trace.then(Default::default));
    // The machine's own events follow `ExecutionStarted`.
    let top = Cursor::new(if opts.durable.is_some() { 1 } else { 0 });
    let vars = Vars::root();
    // A resumed execution whose machine had reached its end has its output.
    let finished = opts.durable.as_ref().filter(|(_, cp)| cp.root.ended).map(|(_, cp)| cp.root.input.value());
    let (flow, start) = match opts.durable {
        None => {
            exec.history.borrow_mut().push(&top, "ExecutionStarted", Some(started_details(&input)));
            (Flow { vars, cursor: Cursor::new(0), history: exec.history.clone(), slot: None }, input.clone())
        }
        Some((sink, cp)) => {
            exec.history.borrow_mut().resume_at(cp.last_event_id);
            *exec.invocations.borrow_mut() = cp.invocations;
            let cursor = Cursor::new(cp.root.cursor);
            let start = cp.root.input.value();
            let root = Slot::resumed(vars.clone(), cursor.clone(), cp.root);
            exec.journal = Some(Journal { root: root.clone(), sink });
            (Flow { vars, cursor, history: exec.history.clone(), slot: Some(root) }, start)
        }
    };
    let timeout_seconds = opts.timeout_seconds;
    // The execution's last event follows the machine's last one.
    let last = flow.cursor.clone();
    let result = if let Some(output) = finished {
        Ok(Ok(output))
    } else if !crate::io::fits(&input, MAX_PAYLOAD_BYTES) {
        Ok(Err(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            "The execution input exceeds the maximum number of bytes service limit.",
        )))
    } else {
        let run = stoppable(machine.run(&exec, flow, start), opts.stop);
        // A resumed execution has had part of its time already.
        let elapsed = (chrono::Utc::now() - info.start_time).to_std().unwrap_or_default();
        let left =
            |t: u64| Duration::from_secs(t).saturating_sub(if exec.durable() { elapsed } else { Duration::ZERO });
        match timeout_seconds {
            Some(t) => match tokio::time::timeout(left(t), run).await {
                Ok(r) => r,
                Err(_) => Ok(Err(StatesError { error: Some(names::TIMEOUT.into()), cause: None, state_scoped: false })),
            },
            None => run.await,
        }
    };
    let (status, output, error, cause) = match result {
        Ok(Ok(out)) => {
            exec.history.borrow_mut().push(
                &last,
                "ExecutionSucceeded",
                Some(Details::with_data("executionSucceededEventDetails", json!({}), "output", &out)),
            );
            (Status::Succeeded, Some(out), None, None)
        }
        Ok(Err(e)) => {
            let timed_out = e.name() == names::TIMEOUT && e.cause.is_none() && timeout_seconds.is_some();
            let (kind, key, status) = if timed_out {
                ("ExecutionTimedOut", "executionTimedOutEventDetails", Status::TimedOut)
            } else {
                ("ExecutionFailed", "executionFailedEventDetails", Status::Failed)
            };
            exec.history.borrow_mut().push(&last, kind, Some((key, error_details(&e.error, &e.cause)).into()));
            (status, None, e.error, e.cause)
        }
        // The error and cause are the ones StopExecution gave.
        Err(Stopped { error, cause }) => {
            let details = error_details(&error, &cause);
            exec.history.borrow_mut().push(
                &last,
                "ExecutionAborted",
                Some(("executionAbortedEventDetails", details).into()),
            );
            (Status::Aborted, None, error, cause)
        }
    };
    let stop_time = chrono::Utc::now();
    if let Some(j) = &exec.journal {
        let events = exec.history.borrow_mut().drain();
        let end = End {
            status: status.as_str(),
            output: output.as_ref().map(Value::to_string),
            error: error.clone(),
            cause: cause.clone(),
            stop_date: stop_time,
        };
        // An execution that did not succeed keeps where it stood: a redrive
        // starts from there.
        let checkpoint = (status != Status::Succeeded).then(|| {
            let last = exec.history.borrow().last_id();
            j.checkpoint(last, exec.invocations.borrow().clone())
        });
        if let Err(e) = j.sink.commit(Commit { events, checkpoint, end: Some(end) }).await {
            eprintln!("aslc: the end of execution {} was not committed: {e}", info.execution_arn());
        }
    }
    let history = exec.history.borrow().to_json();
    let trace = exec.history.borrow().trace().map(|t| t.borrow().clone()).unwrap_or_default();
    let task_calls = exec.task_calls.map(std::cell::RefCell::into_inner).unwrap_or_default();
    Outcome { status, output, error, cause, input, info, stop_time, history, task_calls, trace }
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
