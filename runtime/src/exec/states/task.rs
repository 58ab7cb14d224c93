use super::Cx;
use crate::env::Env;
use crate::error::{names, StatesError};
use crate::exec::callback::{Answer, Callbacks};
use crate::exec::history::Details;
use crate::exec::nested_executions::{self, Starter};
use crate::exec::{Step, TaskCall, REGION};
use crate::machine::{NumberField, Task};
use crate::tasks::mock::Mocked;
use crate::tasks::{Call, Limits, ResourceKind, DEFAULT_TIMEOUT_SECONDS};
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

/// The largest payload AWS passes between states, in bytes of UTF-8.
pub use crate::aws::MAX_PAYLOAD_BYTES;

/// Task: invokes the resource with the effective input, under Retry/Catch.
pub(crate) async fn task(cx: &Cx<'_>, raw: Value, t: &Task) -> Result<Step, StatesError> {
    let limits = limits(cx, &raw, t)?;
    let state = &cx.state.name;
    let kind = t.kind();
    let legacy = matches!(kind, ResourceKind::LegacyLambda);
    let events = TaskEvents::of(kind);
    // What AWS names when the result is too large.
    let result_id = match kind {
        ResourceKind::LegacyLambda => t.resource.as_str(),
        ResourceKind::Service { resource_type, .. } if resource_type == "lambda" => "lambda",
        _ => state.as_str(),
    };
    cx.with_policy(raw, |_, parameters| async move {
        if let Some(calls) = &cx.exec.task_calls {
            calls.borrow_mut().push(TaskCall {
                state: state.clone(),
                resource: t.resource.clone(),
                parameters: Value::clone(&parameters),
            });
        }
        // Event details are built only when the history keeps them.
        let (scheduled, key) = events.scheduled;
        cx.flow.event_with(scheduled, || {
            let text = cx.effective_text(&parameters);
            match kind {
                ResourceKind::LegacyLambda => Details::with_text(key, json!({"resource": t.resource}), "input", text),
                ResourceKind::Service { resource_type, resource } => Details::with_text(
                    key,
                    json!({"resourceType": resource_type, "resource": resource, "region": REGION}),
                    "parameters",
                    text,
                ),
                ResourceKind::Activity => {
                    let mut d = json!({"resource": t.resource});
                    if limits.timeout.as_secs() != DEFAULT_TIMEOUT_SECONDS {
                        d["timeoutInSeconds"] = json!(limits.timeout.as_secs());
                    }
                    if let Some(h) = limits.heartbeat {
                        d["heartbeatInSeconds"] = json!(h.as_secs());
                    }
                    Details::with_text(key, d, "input", text)
                }
                ResourceKind::Other => Details::with_text(
                    key,
                    json!({"resourceType": "", "resource": t.resource, "region": REGION}),
                    "parameters",
                    text,
                ),
            }
        });
        // An activity starts when a worker takes it.
        let callbacks = cx.exec.callbacks.as_deref().zip(cx.task_token);
        let activity = matches!(kind, ResourceKind::Activity);
        if !(activity && callbacks.is_some()) {
            cx.flow.event(events.started, None);
        }
        let callback = t.resource.ends_with(".waitForTaskToken");
        let starter = nested(cx, kind).filter(|_| !callback);
        let call = |optional, trace| Call {
            state,
            resource: &t.resource,
            kind,
            parameters: &parameters,
            limits,
            result_id,
            optional,
            trace,
        };
        let outcome = match (mocked(cx, legacy), callbacks, starter) {
            (Some(answer), _, _) => answer,
            (None, _, Some(starter)) => start_execution(cx, starter, kind, &parameters).await,
            (None, Some((callbacks, token)), _) if activity => {
                activity_answer(cx, callbacks, token, &t.resource, &parameters, limits).await
            }
            (None, Some((callbacks, token)), _) if callback => {
                // The service call hands the token on; without a handler
                // for it, the token is read from the history.
                callback_answer(cx, callbacks, token, &call(true, None)).await
            }
            (None, _, _) => {
                let call = call(false, cx.probe().and_then(|p| p.http_trace.clone()));
                cx.exec.tasks.invoke(&call).await
            }
        };
        match outcome {
            Ok(result) => {
                if !crate::io::fits(&result, MAX_PAYLOAD_BYTES) {
                    return Err(StatesError::result_too_large(result_id));
                }
                let (succeeded, key) = events.succeeded;
                cx.flow.event_with(succeeded, || Details::with_data(key, json!({}), "output", &result));
                Ok(result)
            }
            Err(e) => {
                let timed_out = e.name() == names::TIMEOUT || e.name() == names::HEARTBEAT_TIMEOUT;
                let ((kind, key), d) = if timed_out {
                    (events.timed_out, json!({"error": e.error}))
                } else {
                    (events.failed, json!({"error": e.error, "cause": e.cause}))
                };
                cx.flow.event(kind, Some((key, d)));
                Err(e)
            }
        }
    })
    .await
}

/// The event types (and their details members) of a Task's call: legacy
/// Lambda ARNs and activities have their own families.
struct TaskEvents {
    scheduled: (&'static str, &'static str),
    started: &'static str,
    succeeded: (&'static str, &'static str),
    failed: (&'static str, &'static str),
    timed_out: (&'static str, &'static str),
}

impl TaskEvents {
    fn of(kind: &ResourceKind) -> TaskEvents {
        match kind {
            ResourceKind::LegacyLambda => TaskEvents {
                scheduled: ("LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails"),
                started: "LambdaFunctionStarted",
                succeeded: ("LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails"),
                failed: ("LambdaFunctionFailed", "lambdaFunctionFailedEventDetails"),
                timed_out: ("LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails"),
            },
            ResourceKind::Activity => TaskEvents {
                scheduled: ("ActivityScheduled", "activityScheduledEventDetails"),
                started: "ActivityStarted",
                succeeded: ("ActivitySucceeded", "activitySucceededEventDetails"),
                failed: ("ActivityFailed", "activityFailedEventDetails"),
                timed_out: ("ActivityTimedOut", "activityTimedOutEventDetails"),
            },
            _ => TaskEvents {
                scheduled: ("TaskScheduled", "taskScheduledEventDetails"),
                started: "TaskStarted",
                succeeded: ("TaskSucceeded", "taskSucceededEventDetails"),
                failed: ("TaskFailed", "taskFailedEventDetails"),
                timed_out: ("TaskTimedOut", "taskTimedOutEventDetails"),
            },
        }
    }
}

/// Where a `states:startExecution` task starts its child: the server's
/// machines, if the execution runs in one.
fn nested<'a>(cx: &Cx<'a>, kind: &ResourceKind) -> Option<&'a dyn Starter> {
    match kind {
        ResourceKind::Service { resource_type, resource }
            if resource_type == "states" && resource.starts_with("startExecution") =>
        {
            cx.exec.starter.as_deref()
        }
        _ => None,
    }
}

/// A child's name when the task gives none: the same for the same task
/// entered at the same time, so a resumed task finds the child it started.
fn child_name(cx: &Cx<'_>) -> String {
    let [id, _] = crate::exec::stable_ids(&cx.exec.arns.0, &cx.state.name, cx.entered);
    id.to_string()
}

/// `states:startExecution` (StartExecution's response) or its `.sync` forms
/// (the child's description once it ends).
async fn start_execution(
    cx: &Cx<'_>,
    starter: &dyn Starter,
    kind: &ResourceKind,
    parameters: &Value,
) -> Result<Value, StatesError> {
    let (arn, date) = nested_executions::start(starter, parameters, &child_name(cx)).await?;
    match kind {
        ResourceKind::Service { resource, .. } if resource.ends_with(".sync") => {
            nested_executions::synced(starter, &arn, false).await
        }
        ResourceKind::Service { resource, .. } if resource.ends_with(".sync:2") => {
            nested_executions::synced(starter, &arn, true).await
        }
        _ => Ok(nested_executions::started(&arn, date)),
    }
}

/// `.waitForTaskToken` where callbacks are taken: registers the token,
/// makes the service call (`TaskSubmitted` with its response), then waits
/// for `SendTaskSuccess` or `SendTaskFailure`, within `TimeoutSeconds` and,
/// between `SendTaskHeartbeat`s, `HeartbeatSeconds`.
async fn callback_answer(
    cx: &Cx<'_>,
    callbacks: &Callbacks,
    token: &str,
    call: &Call<'_>,
) -> Result<Value, StatesError> {
    let mut answers = callbacks.wait(token);
    let mut waiting = Waiting { callbacks, token, timed_out: false };
    let sent = match nested(cx, call.kind) {
        Some(starter) => {
            let (arn, date) = nested_executions::start(starter, call.parameters, &child_name(cx)).await?;
            nested_executions::started(&arn, date)
        }
        None => cx.exec.tasks.invoke(call).await?,
    };
    cx.flow.event_with("TaskSubmitted", || {
        let (resource_type, resource) = match call.kind {
            ResourceKind::Service { resource_type, resource } => (resource_type.as_str(), resource.as_str()),
            _ => ("", call.resource),
        };
        let fields = json!({"resourceType": resource_type, "resource": resource});
        Details::with_data("taskSubmittedEventDetails", fields, "output", &sent)
    });
    // The wait may be long: what the task sent (the token) is kept first.
    cx.exec.commit().await;
    let deadline = tokio::time::Instant::now() + call.limits.timeout;
    answered(&mut answers, call.limits, deadline, &mut waiting).await
}

/// An activity task where workers take them: queued for a worker
/// (GetActivityTask), `ActivityStarted` once one has it, then answered as a
/// callback. `TimeoutSeconds` counts from the scheduling, `HeartbeatSeconds`
/// from the start.
async fn activity_answer(
    cx: &Cx<'_>,
    callbacks: &Callbacks,
    token: &str,
    activity: &str,
    parameters: &Value,
    limits: Limits,
) -> Result<Value, StatesError> {
    let mut answers = callbacks.wait(token);
    let mut waiting = Waiting { callbacks, token, timed_out: false };
    let taken = callbacks.enqueue(activity, token, parameters.to_string());
    cx.exec.commit().await;
    let deadline = tokio::time::Instant::now() + limits.timeout;
    let worker = match tokio::time::timeout_at(deadline, taken).await {
        Ok(Ok(worker)) => worker,
        Ok(Err(_)) => return Err(StatesError::new(names::TASK_FAILED, "the activity task was withdrawn")),
        Err(_) => {
            waiting.timed_out = true;
            return Err(StatesError { error: Some(names::TIMEOUT.into()), cause: None, state_scoped: false });
        }
    };
    cx.flow.event_with("ActivityStarted", || ("activityStartedEventDetails", json!({ "workerName": worker })));
    cx.exec.commit().await;
    answered(&mut answers, limits, deadline, &mut waiting).await
}

/// Ends a callback's wait however the state ends (an answer, a timeout, a
/// stopped execution).
struct Waiting<'a> {
    callbacks: &'a Callbacks,
    token: &'a str,
    timed_out: bool,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.callbacks.done(self.token, self.timed_out);
    }
}

/// The answer to a waiting task: success or failure, heartbeats in between
/// (each restarts the `HeartbeatSeconds` clock), before `deadline`.
async fn answered(
    answers: &mut futures::channel::mpsc::UnboundedReceiver<Answer>,
    limits: Limits,
    deadline: tokio::time::Instant,
    waiting: &mut Waiting<'_>,
) -> Result<Value, StatesError> {
    loop {
        let beat = limits.heartbeat.map(|h| tokio::time::Instant::now() + h);
        let until = beat.map_or(deadline, |b| b.min(deadline));
        match tokio::time::timeout_at(until, answers.next()).await {
            Ok(Some(Answer::Success(v))) => return Ok(v),
            Ok(Some(Answer::Failure { error, cause })) => {
                return Err(StatesError { error, cause, state_scoped: false })
            }
            Ok(Some(Answer::Heartbeat)) => {}
            Ok(None) => return Err(StatesError::new(names::TASK_FAILED, "the task's callback was withdrawn")),
            Err(_) => {
                waiting.timed_out = true;
                let error = if until < deadline { names::HEARTBEAT_TIMEOUT } else { names::TIMEOUT };
                return Err(StatesError { error: Some(error.into()), cause: None, state_scoped: false });
            }
        }
    }
}

/// The answer a mock gives: TestState's, or the mock configuration's if
/// its test case lists the state.
fn mocked(cx: &Cx<'_>, legacy: bool) -> Option<Result<Value, StatesError>> {
    if let Some(answer) = cx.probe().and_then(|p| p.mock.clone()) {
        return Some(answer);
    }
    let state = &cx.state.name;
    let mock = cx.exec.tasks.mock.as_ref().filter(|m| m.has(state))?;
    let n = cx.exec.next_invocation(state);
    Some(match mock.response(state, n) {
        Some(Mocked::Return(v)) if legacy => Ok(v.get("Payload").cloned().unwrap_or_else(|| v.clone())),
        Some(Mocked::Return(v)) => Ok(v.clone()),
        Some(Mocked::Throw { error, cause }) => {
            Err(StatesError { error: error.clone(), cause: cause.clone(), state_scoped: false })
        }
        None => Err(StatesError::runtime(format!(
            "The mock configuration has no response for invocation {n} of the Task state '{state}'"
        ))),
    })
}

/// TimeoutSeconds and HeartbeatSeconds, static or read from the input
/// (`*Path`, JSONata): positive integers, or AWS's error.
fn limits(cx: &Cx<'_>, raw: &Value, t: &Task) -> Result<Limits, StatesError> {
    let context = cx.context(None);
    let env = Env { input: raw, context: &context, vars: &cx.flow.vars };
    let states = cx.states(raw, &context, None);
    let read = |field: &Option<NumberField>, name: &str| -> Result<Option<u64>, StatesError> {
        match field {
            None => Ok(None),
            Some(NumberField::Literal(n)) => Ok(n.as_u64()),
            Some(NumberField::Path(p)) => {
                let v = env.read(p).map_err(|e| StatesError::runtime(format!("Invalid path '{}' : {e}", p.text)))?;
                v.as_u64().filter(|n| *n > 0).map(Some).ok_or_else(|| {
                    StatesError::runtime(format!(
                        "The {name}Path field refers to value \"{v}\" which is not a valid positive integer: {}",
                        p.text
                    ))
                })
            }
            Some(NumberField::Jsonata(e)) => {
                let v = crate::jsonata::eval_required(e, name, &states, &cx.flow.vars)?;
                v.as_u64()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| crate::jsonata::unexpected_type(&e.text, name, "positive integer", &v))
            }
        }
    };
    let timeout = read(&t.timeout_seconds, "TimeoutSeconds")?;
    let heartbeat = read(&t.heartbeat_seconds, "HeartbeatSeconds")?;
    Ok(Limits {
        timeout: Duration::from_secs(timeout.unwrap_or(crate::tasks::DEFAULT_TIMEOUT_SECONDS)),
        heartbeat: heartbeat.map(Duration::from_secs),
    })
}
