//! Nested executions in a one-shot run (`aslc run --machines`, a built
//! binary's machines): `states:startExecution` tasks start the other
//! machines in the same process, each child an execution of its own that
//! runs beside its parent. A child nobody waits for still runs to its end
//! before the process exits, as it would on AWS.

use super::nested_executions::{api_failure, Starter};
use super::{execute, ExecutionInfo, Machine, MachineType, Options, Outcome, ACCOUNT, REGION};
use crate::error::StatesError;
use crate::tasks::Tasks;
use futures::future::{LocalBoxFuture, Shared};
use futures::FutureExt;
use indexmap::IndexMap;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

/// A machine ready to run, with its `TimeoutSeconds`.
pub struct Loaded {
    pub machine: Box<dyn Machine>,
    pub timeout_seconds: Option<u64>,
}

/// A machine compiled into a built binary: what its one-shot runs may
/// start, and what its `serve` runs.
pub struct Compiled {
    pub name: &'static str,
    /// Its definition (JSON text), as DescribeStateMachine returns it.
    pub definition: &'static str,
    pub load: fn() -> Loaded,
}

impl From<Compiled> for Startable {
    fn from(c: Compiled) -> Self {
        let load = c.load;
        Startable { name: c.name.to_string(), load: Box::new(move || Ok(load())) }
    }
}

/// A machine a run may start: its name, and how to load it (once, when a
/// task first starts it).
pub struct Startable {
    pub name: String,
    pub load: Box<dyn Fn() -> Result<Loaded, String>>,
}

/// What answers a child's Task states, by the child's machine name.
pub type TasksFor = Box<dyn Fn(&str) -> Result<Tasks, String>>;

type Child = Shared<LocalBoxFuture<'static, Value>>;

pub struct LocalStarter {
    me: Weak<LocalStarter>,
    machines: Vec<Startable>,
    tasks: TasksFor,
    loaded: RefCell<HashMap<String, Rc<Loaded>>>,
    /// Every child started, by execution ARN: its end as DescribeExecution's record.
    children: RefCell<IndexMap<String, (i64, Child)>>,
}

impl LocalStarter {
    pub fn new(machines: Vec<Startable>, tasks: TasksFor) -> Rc<LocalStarter> {
        Rc::new_cyclic(|me| LocalStarter {
            me: me.clone(),
            machines,
            tasks,
            loaded: RefCell::default(),
            children: RefCell::default(),
        })
    }

    /// Runs every child (and their children) to its end; a child holds
    /// the starter, so the children are let go afterwards.
    pub async fn settle(&self) {
        loop {
            let started = self.children.borrow().len();
            let all: Vec<Child> = self.children.borrow().values().map(|(_, c)| c.clone()).collect();
            futures::future::join_all(all).await;
            if self.children.borrow().len() == started {
                break;
            }
        }
        self.children.borrow_mut().clear();
    }

    fn machine(&self, name: &str) -> Result<Option<Rc<Loaded>>, String> {
        if let Some(l) = self.loaded.borrow().get(name) {
            return Ok(Some(l.clone()));
        }
        let Some(s) = self.machines.iter().find(|s| s.name == name) else { return Ok(None) };
        let loaded = Rc::new((s.load)()?);
        self.loaded.borrow_mut().insert(name.to_string(), loaded.clone());
        Ok(Some(loaded))
    }
}

/// DescribeExecution's record of an ended execution (the API's shape).
fn record(o: &Outcome) -> Value {
    let secs = |t: chrono::DateTime<chrono::Utc>| t.timestamp_millis() as f64 / 1000.0;
    let mut r = json!({
        "executionArn": o.info.execution_arn(),
        "stateMachineArn": o.info.machine_arn(),
        "name": o.info.execution_name,
        "status": o.status.as_str(),
        "startDate": secs(o.info.start_time),
        "stopDate": secs(o.stop_time),
        "input": o.input.to_string(),
    });
    match &o.output {
        Some(out) => r["output"] = json!(out.to_string()),
        None => {
            r["error"] = json!(o.error);
            r["cause"] = json!(o.cause);
        }
    }
    r
}

impl Starter for LocalStarter {
    fn start<'a>(
        &'a self,
        machine: &'a str,
        name: &'a str,
        input: Value,
    ) -> LocalBoxFuture<'a, Result<(String, i64), StatesError>> {
        Box::pin(async move {
            // `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME[:VERSION]`
            let machine_name = machine.split(':').nth(6).filter(|_| machine.contains(":stateMachine:"));
            let missing =
                || api_failure("StateMachineDoesNotExist", &format!("State Machine Does Not Exist: '{machine}'"), 400);
            let machine_name = machine_name.ok_or_else(missing)?;
            let loaded = self.machine(machine_name).map_err(StatesError::runtime)?.ok_or_else(missing)?;
            let arn = format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine_name}:{name}");
            if let Some((date, _)) = self.children.borrow().get(&arn) {
                return Ok((arn, *date));
            }
            let tasks = (self.tasks)(machine_name).map_err(StatesError::runtime)?;
            let info = ExecutionInfo {
                machine_name: machine_name.to_string(),
                execution_name: name.to_string(),
                start_time: chrono::Utc::now(),
                machine_type: MachineType::Standard,
                redrive: None,
            };
            let date = info.start_time.timestamp_millis();
            let starter: Option<Rc<dyn Starter>> = self.me.upgrade().map(|s| s as Rc<dyn Starter>);
            let opts = Options { timeout_seconds: loaded.timeout_seconds, starter, ..Options::default() };
            let child = async move { record(&execute(info, input, tasks, opts, loaded.machine.as_ref()).await) };
            self.children.borrow_mut().insert(arn.clone(), (date, child.boxed_local().shared()));
            Ok((arn, date))
        })
    }

    fn finished<'a>(&'a self, execution: &'a str) -> LocalBoxFuture<'a, Value> {
        let child = self.children.borrow().get(execution).map(|(_, c)| c.clone());
        Box::pin(async move {
            match child {
                Some(c) => c.await,
                None => Value::Null,
            }
        })
    }

    /// A stopped parent's child is dropped: it runs no further.
    fn stop(&self, execution: &str) {
        self.children.borrow_mut().shift_remove(execution);
    }
}
