//! Executions through the API: starting them (durable Standard ones as
//! journaled tasks on the server's thread, Express ones in memory),
//! describing, listing, stopping them and reading their history; and, at
//! start, resuming every Standard execution that was running.

use super::api::LEASE_MILLIS;
use super::api::{epoch, opt_text, page, page_with, text, ApiError, Reply, Server};
use super::arn;
use super::journal_events;
use super::map_runs::MapRuns;
use super::nested::ServerStarter;
use super::redrive::redrivable;
use super::registry::{public, Target};
use super::store::{Lease, Write};
use crate::exec::journal::{Checkpoint, Commit, End, Sink};
use crate::exec::{execute, started_event, ExecutionInfo, MachineType, Options, Outcome, MAX_PAYLOAD_BYTES};
use futures::channel::oneshot;
use futures::future::LocalBoxFuture;
use indexmap::IndexMap;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::rc::Rc;

/// Every Standard execution's record (DescribeExecution's shape, plus
/// `_revision`), in start order, and how to stop the running ones.
#[derive(Default)]
pub struct Executions {
    records: IndexMap<String, Value>,
    running: HashMap<String, Running>,
}

struct Running {
    stop: Option<oneshot::Sender<(Option<String>, Option<String>)>>,
    /// Who waits for the end (StopExecution).
    waiters: Vec<oneshot::Sender<()>>,
}

impl Executions {
    pub fn insert(&mut self, arn: &str, record: Value) {
        self.records.insert(arn.to_string(), record);
    }

    pub fn record_of(&self, arn: &str) -> Option<Value> {
        self.records.get(arn).cloned()
    }

    /// Whether `arn` is running; if so, `done` is told when it ends.
    pub fn wait_for(&mut self, arn: &str, done: oneshot::Sender<()>) -> bool {
        match self.running.get_mut(arn) {
            Some(run) => {
                run.waiters.push(done);
                true
            }
            None => false,
        }
    }

    /// Stops a running execution (its parent stopped waiting for it).
    pub fn abort(&mut self, arn: &str) {
        if let Some(stop) = self.running.get_mut(arn).and_then(|r| r.stop.take()) {
            let _ = stop.send((None, None));
        }
    }

    pub fn load(&mut self, records: &[String], map_runs: &mut MapRuns) {
        for r in records {
            if let Ok(v) = serde_json::from_str::<Value>(r) {
                map_runs.load(&v);
                self.records.insert(text(&v, "executionArn").to_string(), v);
            }
        }
    }
}

/// What ListExecutions shows of each execution.
const LIST_ITEM_FIELDS: [&str; 9] = [
    "executionArn",
    "stateMachineArn",
    "name",
    "status",
    "startDate",
    "stopDate",
    "stateMachineVersionArn",
    "stateMachineAliasArn",
    "redriveDate",
];

fn missing(a: &str) -> ApiError {
    ApiError::new("ExecutionDoesNotExist", format!("Execution Does Not Exist: '{a}'"))
}

/// Commits of one execution go to the store, and its end to the record.
struct ExecutionSink {
    server: Rc<Server>,
    arn: String,
}

impl Sink for ExecutionSink {
    fn commit(&self, c: Commit) -> LocalBoxFuture<'static, Result<(), String>> {
        let server = self.server.clone();
        let arn = self.arn.clone();
        Box::pin(async move {
            let record = c.end.as_ref().map(|end| {
                let base = server.execs.borrow().records.get(&arn).cloned().unwrap_or_default();
                let mut r = ended(base, end);
                let runs = server.map_runs.borrow_mut().keep(&arn, end.status);
                if !runs.is_empty() {
                    r["_mapRuns"] = json!(runs);
                }
                r
            });
            let text = record.as_ref().map(Value::to_string);
            let write = Write::Progress {
                arn: arn.clone(),
                events: c.events,
                checkpoint: c.checkpoint.map(Box::new),
                record: text,
            };
            server.store.write(vec![write]).await?;
            if let Some(r) = record {
                let mut execs = server.execs.borrow_mut();
                execs.records.insert(arn.clone(), r);
                if let Some(run) = execs.running.remove(&arn) {
                    run.waiters.into_iter().for_each(|w| {
                        let _ = w.send(());
                    });
                }
            }
            Ok(())
        })
    }
}

/// A record once its execution has ended.
fn ended(mut r: Value, end: &End) -> Value {
    r["status"] = json!(end.status);
    r["stopDate"] = epoch(end.stop_date);
    for (k, v) in [("output", &end.output), ("error", &end.error), ("cause", &end.cause)] {
        if let Some(v) = v {
            r[k] = json!(v);
        }
    }
    r
}

/// DescribeExecution's reply: the record, with the fields every record
/// would hold alike added here rather than kept for each execution.
fn described(r: &Value) -> Value {
    let mut d = public(r);
    d["inputDetails"] = json!({"included": true});
    if d.get("output").is_some() {
        d["outputDetails"] = json!({"included": true});
    }
    d["redriveCount"] = json!(r["redriveCount"].as_u64().unwrap_or(0));
    match redrivable(r) {
        Ok(()) => d["redriveStatus"] = json!("REDRIVABLE"),
        Err(reason) => {
            d["redriveStatus"] = json!("NOT_REDRIVABLE");
            d["redriveStatusReason"] = json!(reason);
        }
    }
    d
}

/// The execution input, as AWS reads it: JSON text of at most 256 KiB.
fn parse_input(req: &Value) -> Result<(String, Value), ApiError> {
    let text = opt_text(req, "input").unwrap_or("{}").to_string();
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(ApiError::new(
            "InvalidExecutionInput",
            "Invalid State Machine Execution Input: 'input exceeds the maximum size of 262144 bytes'",
        ));
    }
    let value = serde_json::from_str::<Value>(&text)
        .map_err(|e| ApiError::new("InvalidExecutionInput", format!("Invalid State Machine Execution Input: '{e}'")))?;
    Ok((text, value))
}

fn execution_name(req: &Value) -> Result<String, ApiError> {
    match opt_text(req, "name") {
        Some(n) => arn::check_name(n).map(|_| n.to_string()),
        None => Ok(uuid::Uuid::new_v4().to_string()),
    }
}

impl Server {
    pub async fn start_execution(self: &Rc<Self>, req: &Value) -> Reply {
        let target = self.target(text(req, "stateMachineArn"))?;
        let name = execution_name(req)?;
        let (input_text, input) = parse_input(req)?;
        if target.express {
            // Express executions run in memory and keep no history.
            let a = arn::express_execution(&target.name, &name);
            let now = chrono::Utc::now();
            let server = self.clone();
            tokio::task::spawn_local(async move {
                drop(server.run_in_memory(&target, &name, input).await);
            });
            return Ok(json!({"executionArn": a, "startDate": epoch(now)}));
        }
        let a = arn::execution(&target.name, &name);
        if let Some(existing) = self.execs.borrow().records.get(&a) {
            // Idempotent for the same input while it runs, as AWS.
            if existing["status"] == "RUNNING" && text(existing, "input") == input_text {
                return Ok(json!({"executionArn": a, "startDate": existing["startDate"]}));
            }
            return Err(ApiError::new("ExecutionAlreadyExists", format!("Execution Already Exists: '{a}'")));
        }
        // A machine that cannot run is refused before anything is stored.
        self.loaded(&target.revision).map_err(|e| ApiError::new("StateMachineDoesNotExist", e))?;
        let now = chrono::Utc::now();
        let mut record = json!({
            "executionArn": a,
            "stateMachineArn": target.machine_arn,
            "name": name,
            "status": "RUNNING",
            "startDate": epoch(now),
            "input": input_text,
            "_revision": target.revision,
        });
        if let Some(v) = &target.version_arn {
            record["stateMachineVersionArn"] = json!(v);
        }
        if let Some(al) = &target.alias_arn {
            record["stateMachineAliasArn"] = json!(al);
        }
        let checkpoint = Checkpoint::started(input.clone());
        let write = Write::Execution {
            arn: a.clone(),
            record: record.to_string(),
            checkpoint: serde_json::to_string(&checkpoint).unwrap_or_default(),
            started: started_event(&input),
            lease: Lease { owner: self.owner.clone(), until: now.timestamp_millis() + LEASE_MILLIS },
        };
        self.write(vec![write]).await?;
        self.execs.borrow_mut().records.insert(a.clone(), record.clone());
        self.drive(&record, checkpoint).map_err(|e| ApiError::new("StateMachineDoesNotExist", e))?;
        Ok(json!({"executionArn": a, "startDate": epoch(now)}))
    }

    /// Runs a Standard execution from its checkpoint as a task of its own.
    pub(super) fn drive(self: &Rc<Self>, record: &Value, checkpoint: Checkpoint) -> Result<(), String> {
        let a = text(record, "executionArn").to_string();
        let machine = self.loaded(text(record, "_revision"))?;
        let machine_name = a.split(':').nth(6).unwrap_or("").to_string();
        let tasks = self.tasks.for_machine(&machine_name)?;
        let start_time = record["startDate"]
            .as_f64()
            .and_then(|s| chrono::DateTime::from_timestamp_millis((s * 1000.0).round() as i64))
            .unwrap_or_else(chrono::Utc::now);
        let info = ExecutionInfo {
            machine_name,
            execution_name: text(record, "name").to_string(),
            start_time,
            machine_type: MachineType::Standard,
            redrive: record["redriveCount"].as_u64().filter(|n| *n > 0).map(|n| {
                let at = record["redriveDate"].as_f64().unwrap_or(0.0);
                (n, chrono::DateTime::from_timestamp_millis((at * 1000.0).round() as i64).unwrap_or_default())
            }),
        };
        let input = serde_json::from_str(text(record, "input")).unwrap_or(Value::Null);
        let (stop_tx, stop_rx) = oneshot::channel();
        self.execs.borrow_mut().running.insert(a.clone(), Running { stop: Some(stop_tx), waiters: Vec::new() });
        let sink = Rc::new(ExecutionSink { server: self.clone(), arn: a });
        let map_runs = self.map_run_sink();
        let callbacks = self.callbacks.clone();
        let starter: Rc<dyn crate::exec::nested_executions::Starter> = Rc::new(ServerStarter(self.clone()));
        tokio::task::spawn_local(async move {
            let opts = Options {
                timeout_seconds: machine.timeout_seconds,
                record_history: true,
                durable: Some((sink, checkpoint)),
                stop: Some(stop_rx),
                map_runs: Some(map_runs),
                callbacks: Some(callbacks),
                starter: Some(starter),
                ..Options::default()
            };
            execute(info, input, tasks, opts, machine.machine.as_ref()).await;
        });
        Ok(())
    }

    /// Resumes the executions this server claimed at start.
    pub(super) fn resume(self: &Rc<Self>, claimed: Vec<(String, String)>) -> Result<(), String> {
        for (a, cp) in claimed {
            let Some(record) = self.execs.borrow().records.get(&a).cloned() else { continue };
            let checkpoint: Checkpoint =
                serde_json::from_str(&cp).map_err(|e| format!("the checkpoint of {a} cannot be read: {e}"))?;
            if let Err(e) = self.drive(&record, checkpoint) {
                eprintln!("aslc: cannot resume {a}: {e}");
            }
        }
        Ok(())
    }

    /// One execution in memory, to its end (Express, StartSyncExecution).
    async fn run_in_memory(self: &Rc<Self>, target: &Target, name: &str, input: Value) -> Result<Outcome, ApiError> {
        let machine = self.loaded(&target.revision).map_err(|e| ApiError::new("StateMachineDoesNotExist", e))?;
        let tasks = self.tasks.for_machine(&target.name).map_err(|e| ApiError::new("ValidationException", e))?;
        let info = ExecutionInfo {
            machine_name: target.name.clone(),
            execution_name: name.to_string(),
            start_time: chrono::Utc::now(),
            machine_type: if target.express { MachineType::Express } else { MachineType::Standard },
            redrive: None,
        };
        // An Express execution may start others (not wait for them: the
        // checker refuses `.sync` and callbacks in Express machines).
        let opts = Options {
            timeout_seconds: machine.timeout_seconds,
            starter: Some(Rc::new(ServerStarter(self.clone()))),
            ..Options::default()
        };
        Ok(execute(info, input, tasks, opts, machine.machine.as_ref()).await)
    }

    pub async fn start_sync_execution(self: &Rc<Self>, req: &Value) -> Reply {
        let target = self.target(text(req, "stateMachineArn"))?;
        if !target.express {
            return Err(ApiError::new(
                "StateMachineTypeNotSupported",
                "This operation is not supported by this type of state machine",
            ));
        }
        let name = execution_name(req)?;
        let (input_text, input) = parse_input(req)?;
        let outcome = self.run_in_memory(&target, &name, input).await?;
        let mut r = json!({
            "executionArn": arn::express_execution(&target.name, &name),
            "stateMachineArn": target.machine_arn,
            "name": name,
            "startDate": epoch(outcome.info.start_time),
            "stopDate": epoch(outcome.stop_time),
            "status": outcome.status.as_str(),
            "input": input_text,
            "inputDetails": {"included": true},
            "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100},
        });
        match &outcome.output {
            Some(o) => {
                r["output"] = json!(o.to_string());
                r["outputDetails"] = json!({"included": true});
            }
            None => {
                if let Some(e) = &outcome.error {
                    r["error"] = json!(e);
                }
                if let Some(c) = &outcome.cause {
                    r["cause"] = json!(c);
                }
            }
        }
        Ok(r)
    }

    pub(super) fn record(&self, a: &str) -> Result<Value, ApiError> {
        arn::parts(a, &["execution", "express"])?;
        self.execs.borrow().records.get(a).cloned().ok_or_else(|| missing(a))
    }

    pub fn describe_execution(&self, req: &Value) -> Reply {
        self.record(text(req, "executionArn")).map(|r| described(&r))
    }

    pub async fn stop_execution(&self, req: &Value) -> Reply {
        let a = text(req, "executionArn");
        let record = self.record(a)?;
        let (done_tx, done_rx) = oneshot::channel();
        let stopping = {
            let mut execs = self.execs.borrow_mut();
            match execs.running.get_mut(a) {
                Some(run) => {
                    let error = opt_text(req, "error").map(str::to_string);
                    let cause = opt_text(req, "cause").map(str::to_string);
                    if let Some(stop) = run.stop.take() {
                        drop(stop.send((error, cause)));
                    }
                    run.waiters.push(done_tx);
                    true
                }
                None => false,
            }
        };
        if !stopping {
            return Ok(
                json!({"stopDate": record.get("stopDate").cloned().unwrap_or_else(|| epoch(chrono::Utc::now()))}),
            );
        }
        // The reply comes once the ABORTED end is committed.
        let _ = done_rx.await;
        let stop_date = self.execs.borrow().records.get(a).and_then(|r| r.get("stopDate").cloned());
        Ok(json!({"stopDate": stop_date.unwrap_or_else(|| epoch(chrono::Utc::now()))}))
    }

    pub fn list_executions(&self, req: &Value) -> Reply {
        if let Some(m) = opt_text(req, "mapRunArn") {
            return self.list_map_run_executions(req, m);
        }
        let Some(a) = opt_text(req, "stateMachineArn") else {
            return Err(ApiError::new("ValidationException", "Must provide a StateMachine ARN or MapRun ARN"));
        };
        let target = self.target(a)?;
        if target.express {
            return Err(ApiError::new(
                "StateMachineTypeNotSupported",
                "This operation is not supported by this type of state machine",
            ));
        }
        let status = opt_text(req, "statusFilter");
        // A version or alias ARN lists the executions started through it.
        let field = if target.alias_arn.is_some() {
            "stateMachineAliasArn"
        } else if target.version_arn.is_some() {
            "stateMachineVersionArn"
        } else {
            "stateMachineArn"
        };
        let execs = self.execs.borrow();
        let items: Vec<&Value> = execs
            .records
            .values()
            .rev()
            .filter(|r| text(r, field) == a && status.is_none_or(|s| text(r, "status") == s))
            .collect();
        page_with(items, req, "executions", |r| {
            let mut item = json!({});
            for k in LIST_ITEM_FIELDS {
                if let Some(v) = r.get(k) {
                    item[k] = v.clone();
                }
            }
            item["redriveCount"] = json!(r["redriveCount"].as_u64().unwrap_or(0));
            item
        })
    }

    pub async fn get_execution_history(&self, req: &Value) -> Reply {
        let a = text(req, "executionArn");
        self.record(a)?;
        let include_data = req.get("includeExecutionData").and_then(Value::as_bool).unwrap_or(true);
        let batches = self.store.history(a).await.map_err(ApiError::store)?;
        let mut events = Vec::new();
        for batch in &batches {
            events.extend(journal_events::read(batch, include_data).map_err(ApiError::store)?);
        }
        if req.get("reverseOrder").and_then(Value::as_bool) == Some(true) {
            events.reverse();
        }
        page(events, req, "events")
    }

    pub fn describe_machine_for_execution(&self, req: &Value) -> Reply {
        let a = text(req, "executionArn");
        let record = self.record(a)?;
        let machine_arn = text(&record, "stateMachineArn");
        let reg = self.reg.borrow();
        let revision = text(&record, "_revision");
        let rev = reg.revision(revision).cloned().unwrap_or_default();
        let current = reg.machine(machine_arn).cloned().unwrap_or_default();
        let mut out = json!({
            "stateMachineArn": machine_arn,
            "name": machine_arn.rsplit(':').next().unwrap_or(""),
            "definition": rev["definition"],
            "roleArn": rev["roleArn"],
            "updateDate": record["startDate"],
            "revisionId": revision,
            "loggingConfiguration": current.get("loggingConfiguration").cloned().unwrap_or(json!({"level": "OFF", "includeExecutionData": false})),
            "tracingConfiguration": current.get("tracingConfiguration").cloned().unwrap_or(json!({"enabled": false})),
        });
        if let Some(m) = record.get("mapRunArn") {
            out["mapRunArn"] = m.clone();
        }
        Ok(out)
    }
}
