//! The server as a `Starter`: `states:startExecution` tasks start the
//! server's own machines through StartExecution, and `.sync` ones wait for
//! the child's end as StopExecution's callers do.

use super::api::{text, ApiError, Server};
use super::arn;
use crate::error::StatesError;
use crate::exec::nested_executions::{api_failure, Starter};
use futures::channel::oneshot;
use futures::future::LocalBoxFuture;
use serde_json::{json, Value};
use std::rc::Rc;

pub struct ServerStarter(pub Rc<Server>);

fn task_error(e: ApiError) -> StatesError {
    api_failure(e.kind, &e.message, e.status)
}

fn millis(v: &Value) -> i64 {
    v.as_f64().map_or(0, |s| (s * 1000.0).round() as i64)
}

impl Starter for ServerStarter {
    fn start<'a>(
        &'a self,
        machine: &'a str,
        name: &'a str,
        input: Value,
    ) -> LocalBoxFuture<'a, Result<(String, i64), StatesError>> {
        Box::pin(async move {
            let req = json!({"stateMachineArn": machine, "name": name, "input": input.to_string()});
            match self.0.start_execution(&req).await {
                Ok(r) => Ok((text(&r, "executionArn").to_string(), millis(&r["startDate"]))),
                // The child this task started before a restart.
                Err(e) if e.kind == "ExecutionAlreadyExists" => {
                    let target = self.0.target(machine).map_err(task_error)?;
                    let a = arn::execution(&target.name, name);
                    let record = self.0.execs.borrow().record_of(&a).ok_or_else(|| task_error(e))?;
                    Ok((a, millis(&record["startDate"])))
                }
                Err(e) => Err(task_error(e)),
            }
        })
    }

    fn finished<'a>(&'a self, execution: &'a str) -> LocalBoxFuture<'a, Value> {
        Box::pin(async move {
            loop {
                let (tx, rx) = oneshot::channel();
                {
                    let mut execs = self.0.execs.borrow_mut();
                    if !execs.wait_for(execution, tx) {
                        return execs.record_of(execution).unwrap_or_default();
                    }
                }
                let _ = rx.await;
            }
        })
    }

    fn stop(&self, execution: &str) {
        self.0.execs.borrow_mut().abort(execution);
    }
}
