//! The interpreter: walks a checked model state by state, each state run by
//! the runtime's `run_state`, the same code generated binaries call.

use asl_runtime::exec::{
    execute, run_state, Execution, ExecutionInfo, Flow, Machine, MachineType, Nested, Options, Outcome, Transition,
};
use asl_runtime::machine::{Container, StateMachine};
use asl_runtime::tasks::Tasks;
use asl_runtime::{StatesError, Value};
use futures::future::LocalBoxFuture;
use std::borrow::Borrow;

pub struct Interpreter<'e> {
    pub exec: &'e Execution,
}

impl Interpreter<'_> {
    /// Runs one container from its `StartAt` to an end.
    pub async fn run_container(&self, c: &Container, mut input: Value, flow: Flow) -> Result<Value, StatesError> {
        // A resumed flow goes on from the state it was in.
        let resumed = flow.resume_at();
        let mut name = resumed.as_deref().unwrap_or(c.start_at.as_str());
        loop {
            self.exec.pause().await;
            let state =
                c.states.get(name).ok_or_else(|| StatesError::runtime(format!("the state '{name}' does not exist")))?;
            let step = run_state(self.exec, &flow, state, input, self).await?;
            match step.transition {
                Transition::End => return Ok(step.output),
                Transition::Next(next) => {
                    name = c.states.get_key_value(&next).map(|(k, _)| k.as_str()).unwrap_or("");
                    if name.is_empty() {
                        return Err(StatesError::runtime(format!("the state '{next}' does not exist")));
                    }
                    input = step.output;
                }
            }
        }
    }
}

impl Nested for Interpreter<'_> {
    fn run<'a>(
        &'a self,
        container: &'a Container,
        input: Value,
        flow: Flow,
    ) -> LocalBoxFuture<'a, Result<Value, StatesError>> {
        Box::pin(self.run_container(container, input, flow))
    }
}

/// A checked model, run by the interpreter: borrowed for one run, or
/// owned by the server that keeps it.
pub struct Interpreted<M: Borrow<StateMachine>>(pub M);

impl<M: Borrow<StateMachine>> Machine for Interpreted<M> {
    fn run<'a>(
        &'a self,
        exec: &'a Execution,
        flow: Flow,
        input: Value,
    ) -> LocalBoxFuture<'a, Result<Value, StatesError>> {
        Box::pin(async move { Interpreter { exec }.run_container(&self.0.borrow().root, input, flow).await })
    }
}

/// Runs one execution of `machine` to its end on a fresh single-threaded
/// runtime. `paused` starts tokio's clock paused, so Wait states and retry
/// intervals pass instantly (for tests).
pub fn run_to_end(
    machine: &StateMachine,
    name: &str,
    input: Value,
    tasks: Tasks,
    paused: bool,
) -> std::io::Result<Outcome> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(paused).build()?;
    let info = ExecutionInfo {
        machine_name: name.to_string(),
        execution_name: "test-execution".to_string(),
        start_time: chrono::Utc::now(),
        machine_type: MachineType::Standard,
        redrive: None,
    };
    let opts = Options { timeout_seconds: machine.timeout_seconds, keep_task_calls: true, ..Options::default() };
    Ok(rt.block_on(execute(info, input, tasks, opts, &Interpreted(machine))))
}
