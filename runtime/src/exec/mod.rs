//! Running states. `run_state` executes one state of the model — its I/O
//! chain, its work, Retry and Catch, its history events — and says where
//! to go next. The interpreter loops over it; generated code calls the
//! per-type functions directly. Parallel branches and Map iterations are
//! run through `Nested`, which each engine implements.

pub mod callback;
mod execution;
pub mod history;
pub mod journal;
pub mod local_executions;
pub mod map_run;
pub mod nested_executions;
mod retry;
mod states;

pub use execution::{execute, started_event, Options, Outcome, Status, STANDARD_HISTORY_LIMIT};
pub use local_executions::{Compiled, Loaded, LocalStarter, Startable};
pub use retry::{error_matches, task_failed_selects};
pub use states::{expr_seconds, expr_timestamp, path_seconds, path_timestamp, timestamp_delay};

use crate::env::{Context, Env};
use crate::error::StatesError;
use crate::machine::{Assign, Body, Container, State};
use crate::vars::Vars;
/// The future a `Machine` or `Nested` run returns (generated code names it
/// from here, so generated crates need no `futures` of their own).
pub use futures::future::LocalBoxFuture;
use history::{Cursor, Details, History, Took};
use indexmap::IndexMap;
use journal::Json;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Where a state sends the execution.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    Next(String),
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub transition: Transition,
    pub output: Value,
    /// The variables the state assigned, for its exited event.
    pub assigned: Option<Map<String, Value>>,
}

/// One task invocation as the runner and `--result` report it.
#[derive(Debug, Clone)]
pub struct TaskCall {
    pub state: String,
    pub resource: String,
    pub parameters: Value,
}

/// What every state of one execution shares.
pub struct Execution {
    /// `Execution` and `StateMachine` parts of the context object.
    pub context: crate::env::ExecutionContext,
    /// The execution's ARN and its machine's.
    pub arns: (String, String),
    pub history: Rc<RefCell<History>>,
    /// The calls Task states made, where `Options::keep_task_calls` asks.
    pub task_calls: Option<RefCell<Vec<TaskCall>>>,
    /// What answers Task states: mocks, the resource map, linked handlers.
    pub tasks: crate::tasks::Tasks,
    invocations: RefCell<HashMap<String, u64>>,
    /// Standard executions in the server: where progress is committed.
    journal: Option<journal::Journal>,
    /// States run since the execution last let others run (`pause`).
    ticks: std::cell::Cell<u32>,
    /// Who is told of the Map Runs Distributed Maps start.
    pub map_runs: Option<map_run::MapRunSink>,
    /// Where `.waitForTaskToken` tasks wait for their callback (the
    /// server); without it the handler's answer stands for the callback.
    pub callbacks: Option<Rc<callback::Callbacks>>,
    /// Where `states:startExecution` tasks start their children (the server).
    pub starter: Option<Rc<dyn nested_executions::Starter>>,
    /// A TestState run: the mock and settings it gives, what it records.
    pub(crate) probe: Option<Rc<crate::test_state::Probe>>,
}

/// Names and ids that identify an execution.
#[derive(Clone)]
pub struct ExecutionInfo {
    pub machine_name: String,
    pub execution_name: String,
    pub start_time: chrono::DateTime<chrono::Utc>,
    pub machine_type: MachineType,
    /// How many times the execution was redriven, and when last.
    pub redrive: Option<(u64, chrono::DateTime<chrono::Utc>)>,
}

/// Standard or Express. AWS keeps a Standard execution's history, so it
/// bounds it (25,000 events) and counts redrives (`$$.Execution.RedriveCount`);
/// an Express execution has neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum MachineType {
    #[default]
    Standard,
    Express,
}

pub use crate::aws::{ACCOUNT, MAX_PAYLOAD_BYTES, REGION};
/// The role every local execution runs as.
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/aslc-local";

impl ExecutionInfo {
    pub fn machine_arn(&self) -> String {
        format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{}", self.machine_name)
    }

    pub fn execution_arn(&self) -> String {
        format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:{}:{}", self.machine_name, self.execution_name)
    }
}

impl Execution {
    /// `record_history`: keep every event's details (for `--history`).
    pub fn new(info: &ExecutionInfo, input: &Value, tasks: crate::tasks::Tasks, record_history: bool) -> Execution {
        let (i, input) = (info.clone(), input.clone());
        let context = crate::env::ExecutionContext::new(move || {
            let mut execution = Map::new();
            execution.insert("Id".into(), json!(i.execution_arn()));
            execution.insert("Input".into(), input.clone());
            execution.insert("StartTime".into(), json!(crate::timestamp::format_context(i.start_time)));
            execution.insert("Name".into(), json!(i.execution_name));
            execution.insert("RoleArn".into(), json!(ROLE_ARN));
            if i.machine_type == MachineType::Standard {
                execution.insert("RedriveCount".into(), json!(i.redrive.map_or(0, |r| r.0)));
                if let Some((_, at)) = i.redrive {
                    execution.insert("RedriveTime".into(), json!(crate::timestamp::format_context(at)));
                }
            }
            let mut context = Map::new();
            context.insert("Execution".into(), Value::Object(execution));
            context.insert("StateMachine".into(), json!({ "Id": i.machine_arn(), "Name": i.machine_name }));
            context
        });
        Execution {
            arns: (info.execution_arn(), info.machine_arn()),
            context,
            history: Rc::new(RefCell::new(History::new(record_history))),
            task_calls: None,
            tasks,
            invocations: RefCell::new(HashMap::new()),
            journal: None,
            ticks: std::cell::Cell::new(0),
            map_runs: None,
            callbacks: None,
            starter: None,
            probe: None,
        }
    }

    /// Commits the events so far and where every flow stands (a no-op
    /// without a journal). A commit that fails leaves the execution where
    /// its last commit put it: it stops here, and a restart resumes it.
    pub(crate) async fn commit(&self) {
        let Some(j) = &self.journal else { return };
        let events = self.history.borrow_mut().drain();
        let last = self.history.borrow().last_id();
        let checkpoint = j.checkpoint(last, self.invocations.borrow().clone());
        let commit = journal::Commit { events, checkpoint: Some(checkpoint), end: None };
        if let Err(e) = j.sink.commit(commit).await {
            eprintln!("aslc: execution {} pauses until a restart: {e}", self.arns.0);
            std::future::pending::<()>().await;
        }
    }

    /// Lets other tasks run every few thousand states: a loop of states
    /// that never wait must not hold the thread (the server's connections
    /// and other executions share it, and timeouts need it to fire).
    pub async fn pause(&self) {
        let n = self.ticks.get().wrapping_add(1);
        self.ticks.set(n);
        if n % 4096 == 0 {
            tokio::task::yield_now().await;
        }
    }

    /// Whether progress is committed (then awaiting states keep their slot).
    pub(crate) fn durable(&self) -> bool {
        self.journal.is_some()
    }

    /// Counts an invocation of `state`'s task; returns its 0-based number.
    pub(crate) fn next_invocation(&self, state: &str) -> u64 {
        let mut inv = self.invocations.borrow_mut();
        if let Some(n) = inv.get_mut(state) {
            *n += 1;
            return *n - 1;
        }
        inv.insert(state.to_string(), 1);
        0
    }
}

/// One flow of control: the machine, a Parallel branch or a Map iteration.
pub struct Flow {
    pub vars: Rc<Vars>,
    pub cursor: Cursor,
    pub history: Rc<RefCell<History>>,
    /// Where the flow stands, for the journal of a durable execution.
    pub slot: Option<Rc<journal::Slot>>,
}

impl Flow {
    /// A Parallel branch's or Map iteration's flow, number `index` of its
    /// state; `saved` when it resumes from a checkpoint.
    pub(crate) fn child(
        &self,
        vars: Rc<Vars>,
        history: Rc<RefCell<History>>,
        index: usize,
        input: &Value,
        saved: Option<journal::SavedFlow>,
    ) -> Flow {
        let cursor = Cursor::new(saved.as_ref().map_or(self.cursor.last(), |s| s.cursor));
        let slot = self.slot.as_ref().map(|parent| {
            let slot = match saved {
                Some(s) => journal::Slot::resumed(vars.clone(), cursor.clone(), s),
                None => journal::Slot::fresh(vars.clone(), cursor.clone(), input),
            };
            parent.child_open(index, slot.clone());
            slot
        });
        Flow { vars, cursor, history, slot }
    }

    /// The state a resumed flow goes on from; `None`: its `StartAt`.
    pub fn resume_at(&self) -> Option<String> {
        self.slot.as_ref().and_then(|s| s.resume_at())
    }

    pub fn event(&self, kind: &'static str, details: Option<(&'static str, Value)>) -> u64 {
        self.history.borrow_mut().push(&self.cursor, kind, details.map(Details::from))
    }

    /// An event whose details are built only if the history is recorded.
    pub fn event_with<D: Into<Details>>(&self, kind: &'static str, details: impl FnOnce() -> D) -> u64 {
        let mut h = self.history.borrow_mut();
        if h.is_recording() {
            h.push(&self.cursor, kind, Some(details().into()))
        } else {
            h.push(&self.cursor, kind, None)
        }
    }
}

/// Runs a nested container (a Parallel branch, a Map iteration). The
/// interpreter walks the model; generated code calls its own functions.
pub trait Nested {
    fn run<'a>(
        &'a self,
        container: &'a Container,
        input: Value,
        flow: Flow,
    ) -> LocalBoxFuture<'a, Result<Value, StatesError>>;
}

/// A whole state machine, as an engine runs it from its top container.
pub trait Machine {
    fn run<'a>(
        &'a self,
        exec: &'a Execution,
        flow: Flow,
        input: Value,
    ) -> LocalBoxFuture<'a, Result<Value, StatesError>>;
}

/// Whether the execution keeps its history's details (then generated code
/// must keep a state's input for the events).
#[inline]
pub fn recording(flow: &Flow) -> bool {
    flow.history.borrow().is_recording()
}

/// Whether generated code may run its fast paths. Not once the history
/// is full (`run_state` fails the execution), nor when a coverage trace is
/// kept: every state then goes through `run_state`, which traces it, so
/// the trace is the same in both engines.
#[inline]
pub fn fast_paths_open(flow: &Flow) -> bool {
    let h = flow.history.borrow();
    h.overflowed().is_none() && h.trace().is_none()
}

/// Records what `run_state` records for a Pass, Choice or Succeed state
/// that generated code ran itself: its entered and exited events
/// (`kind` is the state type, as in `PassStateEntered`).
///
/// Inlined so that the event kinds of a constant `kind` are known where
/// generated code calls it; a history that keeps no details only counts
/// the events, in one step.
#[inline]
pub fn transit(flow: &Flow, kind: &str, name: &str, input: &Value, output: &Value) {
    let (_, exited) = history::event_kinds(kind);
    {
        let mut h = flow.history.borrow_mut();
        if !h.is_recording() {
            h.skip(&flow.cursor, 1 + u64::from(exited.is_some()));
            return;
        }
    }
    recorded_transit(flow, kind, name, input, output);
}

/// `transit` when the history keeps details. Kept out of line so that the
/// inlined counting path stays small in generated loops (the counter loop
/// runs about 8% faster: 4.2 against 4.55 ms in process).
#[inline(never)]
fn recorded_transit(flow: &Flow, kind: &str, name: &str, input: &Value, output: &Value) {
    enter(flow, kind, name, input);
    exit(flow, kind, name, output, None);
}

/// A state's entered event (`kind` is its type).
fn enter(flow: &Flow, kind: &str, name: &str, input: &Value) {
    let (entered, _) = history::event_kinds(kind);
    flow.event_with(entered, || Details::Entered { name: name.to_string(), input: Json::of(input) });
}

/// A state's exited event, for the types that have one, with the
/// variables it assigned.
fn exit(flow: &Flow, kind: &str, name: &str, output: &Value, assigned: Option<Map<String, Value>>) {
    if let (_, Some(exited)) = history::event_kinds(kind) {
        flow.event_with(exited, || Details::Exited { name: name.to_string(), output: Json::of(output), assigned });
    }
}

/// Whether generated code may run a Wait state itself: not in a durable
/// execution, where `run_state` commits the deadline so that a restart
/// waits only for what is left.
pub fn waits_directly(exec: &Execution) -> bool {
    !exec.durable()
}

/// What `run_state` does for a Wait state that passes its input on as it
/// is, which generated code runs itself (when `waits_directly`) once it
/// knows the delay: its events around the sleep.
pub async fn wait_state(flow: &Flow, name: &str, input: &Value, delay: std::time::Duration) {
    wait_state_assigning(flow, name, input, delay, input, Value::Null).await;
}

/// `wait_state` for a Wait with its own output and variables (`null` for
/// none), which generated code computed before the sleep; they are set as
/// the state exits.
pub async fn wait_state_assigning(
    flow: &Flow,
    name: &str,
    input: &Value,
    delay: std::time::Duration,
    output: &Value,
    assigned: Value,
) {
    enter(flow, "Wait", name, input);
    tokio::time::sleep(delay).await;
    let assigned = compiled_assigned(assigned);
    apply_assign(flow, &assigned);
    exit(flow, "Wait", name, output, assigned);
}

/// What `run_state` does for a Fail state whose Error and Cause generated
/// code knows, which it raises itself: its entered event, then
/// the state's error.
pub fn fail_state(flow: &Flow, name: &str, input: &Value, error: Option<&str>, cause: Option<&str>) -> StatesError {
    transit(flow, "Fail", name, input, input);
    StatesError::failed(error.map(String::from), cause.map(String::from))
}

/// Records what `run_state` and the Map or Parallel driver record for a
/// state (`kind`: `Map` or `Parallel`) whose children generated code ran
/// itself, as direct Rust, with `inner` events among them (for a Map, each
/// iteration's started and succeeded events included). Generated code
/// takes that path only when the history keeps no details, so the events
/// are counted, for the event ids later causes name.
pub fn nested_transit(flow: &Flow, kind: &str, inner: u64) {
    let (entered, exited) = history::event_kinds(kind);
    let (started, succeeded) = match kind {
        "Map" => ("MapStateStarted", "MapStateSucceeded"),
        _ => ("ParallelStateStarted", "ParallelStateSucceeded"),
    };
    flow.event(entered, None);
    flow.event(started, None);
    flow.history.borrow_mut().skip(&flow.cursor, inner);
    flow.event(succeeded, None);
    if let Some(exited) = exited {
        flow.event(exited, None);
    }
}

/// A task token for the patterns that hand one to the task (`$$.Task.Token`):
/// one a callback can answer where callbacks are taken.
fn task_token(exec: &Execution, state: &State, entered_id: u64) -> Option<String> {
    let Body::Task(t) = &state.body else { return None };
    let pattern = t.resource.rsplit('.').next().unwrap_or("");
    let activity = matches!(t.kind(), crate::tasks::ResourceKind::Activity);
    match (pattern, &exec.callbacks) {
        (_, Some(c)) if activity || pattern == "waitForTaskToken" => Some(c.token(&exec.arns.0, entered_id)),
        ("waitForTaskToken" | "sync" | "sync:2", _) => Some(uuid::Uuid::new_v4().to_string()),
        _ => None,
    }
}

/// Two ids that are the same for the same state of the same execution
/// entered at the same time: a resumed state finds the Map Run or the
/// child execution it had started.
pub(crate) fn stable_ids(execution_arn: &str, state: &str, entered: chrono::DateTime<chrono::Utc>) -> [uuid::Uuid; 2] {
    use sha2::Digest;
    let seed = sha2::Sha256::digest(format!("{execution_arn}\n{state}\n{}", entered.timestamp_millis()));
    let id = |at: usize| {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&seed[at..at + 16]);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    };
    [id(0), id(16)]
}

/// Evaluates an `Assign` block (values as at state entry); the caller
/// applies the result once the state's output is known. JSONPath reads
/// `env`, JSONata reads `states` (`$states`) and the variables. `owner`
/// names where the block sits in errors: `""` for the state's own,
/// `Choices[i]/` or `Catch[i]/` for a rule's or a catcher's.
pub(crate) fn evaluate_assign(
    assign: Option<&Assign>,
    env: &Env<'_>,
    states: &Value,
    owner: &str,
) -> Result<Option<Map<String, Value>>, StatesError> {
    let value = match assign {
        None => return Ok(None),
        Some(Assign::Paths(t)) => t.eval(env)?,
        Some(Assign::Jsonata(t)) => t.eval(&format!("{owner}Assign"), states, env.vars)?,
    };
    if let Some(e) = over_quota(&value) {
        return Err(e);
    }
    let Value::Object(m) = value else { return Ok(None) };
    Ok(Some(m))
}

/// AWS's quotas on what one `Assign` block assigns (an object of the
/// variables): 256 KiB a variable, and 256 KiB for the block.
fn over_quota(assigned: &Value) -> Option<StatesError> {
    for (name, v) in assigned.as_object()? {
        if !crate::io::fits(v, MAX_PAYLOAD_BYTES) {
            return Some(StatesError::runtime(format!(
                "The variable '{name}' exceeds the maximum variable size of {MAX_PAYLOAD_BYTES} bytes"
            )));
        }
    }
    if !crate::io::fits(assigned, MAX_PAYLOAD_BYTES) {
        return Some(StatesError::runtime(format!(
            "The variables assigned by one state exceed the maximum size of {MAX_PAYLOAD_BYTES} bytes"
        )));
    }
    None
}

/// Records what `run_state` records for a Pass or Choice state that
/// assigned variables, which generated code ran itself: its entered
/// event, the variables set, and its exited event naming them.
/// `assigned` is an object within AWS's quotas (generated code checks
/// `within_quota` first, and leaves any other block to `run_state`), or
/// `null` where the Choice rule taken assigns nothing.
pub fn transit_assigning(flow: &Flow, kind: &str, name: &str, input: &Value, output: &Value, assigned: Value) {
    enter(flow, kind, name, input);
    let assigned = compiled_assigned(assigned);
    apply_assign(flow, &assigned);
    exit(flow, kind, name, output, assigned);
}

/// The variables generated code computed: an object, or `null` for none.
fn compiled_assigned(assigned: Value) -> Option<Map<String, Value>> {
    match assigned {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Whether an `Assign` block's variables are an object within AWS's
/// quotas.
pub fn within_quota(assigned: &Value) -> bool {
    assigned.is_object() && over_quota(assigned).is_none()
}

pub(crate) fn apply_assign(flow: &Flow, assigned: &Option<Map<String, Value>>) {
    if let Some(m) = assigned {
        flow.vars.assign(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<IndexMap<_, _>>());
    }
}

/// AWS's history quota: once a history is full, the execution fails.
fn history_full(flow: &Flow) -> Result<(), StatesError> {
    match flow.history.borrow().overflowed() {
        Some(limit) => {
            Err(StatesError::runtime(format!("The execution reached the maximum number of history events ({limit}).")))
        }
        None => Ok(()),
    }
}

/// What generated code compiled of a Task, Parallel or Map that runs
/// through `run_state`: its input and output processing, each step
/// returning `None` where it declines (anything unusual), and the model's
/// evaluation runs instead, raising AWS's error; and its Retry and Catch
/// `ErrorEquals` as matchers. The interpreter gives none.
#[derive(Clone, Copy, Default)]
pub struct Io {
    /// The effective input from the raw input (and the variables and the
    /// execution's context object): `InputPath` then `Parameters`, or
    /// JSONata `Arguments`.
    pub effective: Option<EffectiveStep>,
    /// The output from the raw input and the result, with the variables
    /// the state assigns (`null` for none): `ResultSelector`, `Assign`,
    /// `ResultPath` and `OutputPath`, or JSONata `Assign` and `Output`.
    pub output: Option<OutputStep>,
    /// A Map's items (`Items` or `ItemsPath`) from its effective input, an
    /// array.
    pub items: Option<EffectiveStep>,
    /// A Map's iteration input (its ItemSelector) from the effective input
    /// and an item of an array.
    pub item: Option<ItemStep>,
    /// The index of the retrier an error's name selects (what
    /// `error_matches` over each retrier's `ErrorEquals` in turn gives).
    pub retrier: Option<fn(&str) -> Option<usize>>,
    /// The index of the catcher an error's name selects.
    pub catcher: Option<fn(&str) -> Option<usize>>,
    /// What the catcher at an index outputs and assigns (`null` for
    /// none), from the raw input and the Error Output.
    pub caught: Option<CaughtStep>,
}

/// `Io::caught`: from the catcher's index, the raw input, the Error
/// Output, the variables and the state's context object, the output and
/// the variables assigned.
pub type CaughtStep = fn(usize, &Value, &Value, &Vars, &Context<'_>) -> Option<(Value, Value)>;

/// `Io::effective`: from the raw input, the variables and the state's
/// context object (its `State`, `Task` and the execution's part, as the
/// model's evaluation would read them at the same step).
pub type EffectiveStep = fn(&Value, &Vars, &Context<'_>) -> Option<Value>;

/// `Io::item`: from the Map's effective input, the item's index and the
/// item, the variables and the Map's context object.
pub type ItemStep = fn(&Value, usize, &Value, &Vars, &Context<'_>) -> Option<Value>;

/// `Io::output`: from the raw input, the result, the variables and the
/// state's context object, the output and the variables assigned.
pub type OutputStep = fn(&Value, &Value, &Vars, &Context<'_>) -> Option<(Value, Value)>;

/// Executes one state with its input; returns where to go and the output.
pub async fn run_state(
    exec: &Execution,
    flow: &Flow,
    state: &State,
    input: Value,
    nested: &dyn Nested,
) -> Result<Step, StatesError> {
    run_state_with(exec, flow, state, input, nested, Io::default()).await
}

/// `run_state` with the state's I/O steps as generated code.
pub async fn run_state_with(
    exec: &Execution,
    flow: &Flow,
    state: &State,
    input: Value,
    nested: &dyn Nested,
    io: Io,
) -> Result<Step, StatesError> {
    history_full(flow)?;
    let (entered_kind, exited_kind) = history::state_event_kinds(&state.body);
    let resumed = flow.slot.as_ref().and_then(|s| s.resume_inside(&state.name));
    // Only states that await can be caught half done by a commit; their
    // slot keeps the input's text, which their entered event shows too.
    let awaits = matches!(state.body, Body::Task(_) | Body::Wait(_) | Body::Parallel { .. } | Body::Map(_));
    let slot = flow.slot.as_ref().filter(|_| awaits);
    let kept = slot.map(|_| Json::of(&input));
    let (entered_id, entered) = match &resumed {
        Some(r) => (r.entered_id, journal::time_of(r.entered)),
        None => (
            flow.event_with(entered_kind, || Details::Entered {
                name: state.name.clone(),
                input: kept.clone().unwrap_or_else(|| Json::of(&input)),
            }),
            chrono::Utc::now(),
        ),
    };
    if resumed.is_none() {
        flow.history.borrow().took(&state.name, || Took::Entered);
    }
    if let (Some(slot), Some(kept)) = (slot, kept) {
        slot.enter(&state.name, kept, entered_id, entered);
    }
    let token = task_token(exec, state, entered_id);
    let result = {
        let cx = states::Cx {
            exec,
            flow,
            state,
            entered,
            task_token: token.as_deref(),
            nested,
            reads_context: std::cell::OnceCell::new(),
            resumed: RefCell::new(resumed),
            io,
        };
        run_body(&cx, input).await
    };
    history_full(flow)?;
    let step = result.map_err(|e| {
        if e.name() == crate::error::names::QUERY_EVALUATION_ERROR {
            flow.event_with("EvaluationFailed", || {
                ("evaluationFailedEventDetails", json!({"error": e.error, "cause": e.cause, "state": state.name}))
            });
        }
        e.in_state(&state.name, entered_id)
    })?;
    flow.history.borrow().took(&state.name, || match &step.transition {
        Transition::Next(next) => Took::Next(next.clone()),
        Transition::End => Took::End,
    });
    let kept = slot.map(|_| Json::of(&step.output));
    if let Some(kind) = exited_kind {
        flow.event_with(kind, || Details::Exited {
            name: state.name.clone(),
            output: kept.clone().unwrap_or_else(|| Json::of(&step.output)),
            assigned: step.assigned.clone(),
        });
    }
    // What an awaiting state did is committed before the next state starts
    // (or, at a flow's end, before its Map or Parallel goes on).
    if let (Some(slot), Some(kept)) = (slot, kept) {
        match &step.transition {
            Transition::Next(next) => slot.leave(next, kept),
            Transition::End => slot.end(kept),
        }
        exec.commit().await;
    }
    Ok(step)
}

/// The work of one state, by type.
async fn run_body(cx: &states::Cx<'_>, input: Value) -> Result<Step, StatesError> {
    match &cx.state.body {
        Body::Pass { result } => states::pass(cx, input, result.as_ref()),
        Body::Choice(c) => states::choice(cx, input, c),
        // States that wait are boxed: a parked execution holds the
        // future of the state it is in, not one sized for the largest.
        Body::Wait(w) => Box::pin(states::wait(cx, input, w)).await,
        Body::Succeed => states::succeed(cx, input),
        Body::Fail(f) => states::fail(cx, input, f),
        Body::Task(t) => Box::pin(states::task(cx, input, t)).await,
        Body::Parallel { branches } => Box::pin(states::parallel(cx, input, branches)).await,
        Body::Map(m) => Box::pin(states::map(cx, input, m)).await,
        Body::Invalid => Err(StatesError::runtime("the state has no valid type")),
    }
}

/// Runs one state alone, as TestState does (`exec.probe` says how): no
/// events, no Retry loop, and no cause prefixed with an event id. Its
/// Map and Parallel states take their result from the mock, so nothing
/// nested runs.
pub(crate) async fn run_probed(
    exec: &Execution,
    flow: &Flow,
    state: &State,
    input: Value,
) -> Result<Step, StatesError> {
    struct NothingNested;
    impl Nested for NothingNested {
        fn run<'a>(&'a self, _: &'a Container, _: Value, _: Flow) -> LocalBoxFuture<'a, Result<Value, StatesError>> {
            Box::pin(async { Err(StatesError::runtime("TestState runs no nested states")) })
        }
    }
    let token = task_token(exec, state, 0);
    let cx = states::Cx {
        exec,
        flow,
        state,
        entered: chrono::Utc::now(),
        task_token: token.as_deref(),
        nested: &NothingNested,
        reads_context: std::cell::OnceCell::new(),
        resumed: RefCell::new(None),
        io: Io::default(),
    };
    let mut result = run_body(&cx, input).await;
    if let Err(e) = &mut result {
        e.state_scoped = false;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assigned_variables_are_held_to_aws_quotas() {
        assert!(within_quota(&serde_json::json!({"a": 1, "b": "x"})));
        assert!(!within_quota(&serde_json::json!(1)));
        let big = "x".repeat(MAX_PAYLOAD_BYTES);
        assert!(!within_quota(&serde_json::json!({ "big": big })));
        let half = "x".repeat(MAX_PAYLOAD_BYTES / 2);
        let both = serde_json::json!({"a": half.clone(), "b": half});
        let e = over_quota(&both).map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("The variables assigned by one state exceed the maximum size"), "{e}");
    }
}
