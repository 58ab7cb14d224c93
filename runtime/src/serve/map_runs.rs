//! Map Runs through the API: DescribeMapRun, UpdateMapRun, ListMapRuns and
//! ListExecutions of a run's child executions. A running run is read live
//! from the Map state that counts it; once its execution ends, what the API
//! shows of it is kept in the execution's record (`_mapRuns`), so it
//! survives a restart like the execution does.

use super::api::{opt_text, page, page_with, text, ApiError, Reply, Server};
use crate::exec::map_run::{MapRun, MapRunSink};
use indexmap::IndexMap;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

enum Run {
    Live(Rc<RefCell<MapRun>>),
    /// `{"describe", "listItem", "executions"}` as stored.
    Kept(Value),
}

impl Run {
    fn describe(&self) -> Value {
        match self {
            Run::Live(r) => r.borrow().describe(),
            Run::Kept(v) => v["describe"].clone(),
        }
    }

    fn list_item(&self) -> Value {
        match self {
            Run::Live(r) => r.borrow().list_item(),
            Run::Kept(v) => v["listItem"].clone(),
        }
    }

    fn executions(&self) -> Vec<Value> {
        match self {
            Run::Live(r) => r.borrow().child_executions(),
            Run::Kept(v) => v["executions"].as_array().cloned().unwrap_or_default(),
        }
    }

    fn execution_arn(&self) -> String {
        text(&self.list_item(), "executionArn").to_string()
    }
}

/// Every Map Run, by ARN, in start order.
#[derive(Default)]
pub struct MapRuns(IndexMap<String, Run>);

impl MapRuns {
    /// The runs kept in loaded execution records.
    pub fn load(&mut self, record: &Value) {
        for kept in record["_mapRuns"].as_array().into_iter().flatten() {
            let arn = text(&kept["describe"], "mapRunArn").to_string();
            self.0.insert(arn, Run::Kept(kept.clone()));
        }
    }

    /// The execution `arn` ended with `status`: its runs end with it (a
    /// stopped execution aborts them), and are kept as the API shows them.
    pub fn keep(&mut self, arn: &str, status: &str) -> Vec<Value> {
        let mut kept = Vec::new();
        for run in self.0.values_mut() {
            let Run::Live(r) = run else { continue };
            if r.borrow().execution_arn != arn {
                continue;
            }
            let mut r = r.borrow_mut();
            r.end(if status == "ABORTED" { "ABORTED" } else { "FAILED" });
            let v = json!({"describe": r.describe(), "listItem": r.list_item(), "executions": r.child_executions()});
            drop(r);
            *run = Run::Kept(v.clone());
            kept.push(v);
        }
        kept
    }
}

fn not_found(arn: &str) -> ApiError {
    ApiError::new("ResourceNotFound", format!("Resource not found: '{arn}'"))
}

impl Server {
    /// What an execution's Map states hand their runs to.
    pub(super) fn map_run_sink(self: &Rc<Self>) -> MapRunSink {
        let server = self.clone();
        Rc::new(move |r: &Rc<RefCell<MapRun>>| {
            let arn = r.borrow().arn.clone();
            server.map_runs.borrow_mut().0.insert(arn, Run::Live(r.clone()));
        })
    }

    pub fn describe_map_run(&self, req: &Value) -> Reply {
        let arn = text(req, "mapRunArn");
        self.map_runs.borrow().0.get(arn).map(Run::describe).ok_or_else(|| not_found(arn))
    }

    pub fn update_map_run(&self, req: &Value) -> Reply {
        let arn = text(req, "mapRunArn");
        let max = req.get("maxConcurrency").and_then(Value::as_u64);
        let count = req.get("toleratedFailureCount").and_then(Value::as_u64);
        let pct = req.get("toleratedFailurePercentage").and_then(Value::as_f64);
        if max.is_none() && count.is_none() && pct.is_none() {
            return Err(ApiError::new(
                "ValidationException",
                "At least one of maxConcurrency, toleratedFailureCount or toleratedFailurePercentage must be provided",
            ));
        }
        match self.map_runs.borrow().0.get(arn) {
            None => Err(not_found(arn)),
            Some(Run::Live(r)) if r.borrow().status == "RUNNING" => {
                r.borrow_mut().update(max, count, pct);
                Ok(json!({}))
            }
            Some(_) => Err(ApiError::new("ValidationException", format!("Map Run is not running: '{arn}'"))),
        }
    }

    pub fn list_map_runs(&self, req: &Value) -> Reply {
        let a = text(req, "executionArn");
        self.record(a)?;
        let runs = self.map_runs.borrow();
        let items: Vec<&Run> = runs.0.values().filter(|r| r.execution_arn() == a).collect();
        page_with(items, req, "mapRuns", Run::list_item)
    }

    /// ListExecutions with a `mapRunArn`: the run's child executions.
    pub fn list_map_run_executions(&self, req: &Value, arn: &str) -> Reply {
        let runs = self.map_runs.borrow();
        let run = runs.0.get(arn).ok_or_else(|| not_found(arn))?;
        let status = opt_text(req, "statusFilter");
        let items = run.executions().into_iter().filter(|e| status.is_none_or(|s| text(e, "status") == s)).collect();
        page(items, req, "executions")
    }
}
