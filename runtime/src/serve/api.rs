//! The server's state and the dispatch of API operations to their
//! handlers (`registry` for machines, versions, aliases, activities and
//! tags; `executions` for executions), with AWS's error shapes.

use super::executions::Executions;
use super::map_runs::MapRuns;
use super::registry::Registry;
use super::store::{Backend, Lease, Sqlite, Store, Write};
use super::{Engines, Initial, TaskSetup};
use crate::exec::callback::Callbacks;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

/// An AWS-shaped error: `{"__type": kind, "message": …}` with an HTTP status.
#[derive(Debug)]
pub struct ApiError {
    pub kind: &'static str,
    pub message: String,
    pub status: u16,
}

impl ApiError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { kind, message: message.into(), status: 400 }
    }

    /// The store could not write: the request did nothing.
    pub fn store(e: String) -> ApiError {
        ApiError { kind: "ServiceUnavailable", message: format!("The execution store cannot write: {e}"), status: 503 }
    }
}

pub type Reply = Result<Value, ApiError>;

/// How long a lease lasts, and how often it is renewed.
pub const LEASE_MILLIS: i64 = 60_000;

pub struct Server {
    pub store: Store,
    pub engines: Box<dyn Engines>,
    pub(super) tasks: TaskSetup,
    pub owner: String,
    pub reg: RefCell<Registry>,
    pub execs: RefCell<Executions>,
    pub map_runs: RefCell<MapRuns>,
    /// Where `.waitForTaskToken` tasks wait; its secret is the store's.
    pub callbacks: Rc<Callbacks>,
}

impl Server {
    /// Opens the store, loads what it holds, creates the initial machines
    /// and resumes every running execution.
    pub(super) async fn start(
        data: Option<&Path>,
        initial: Vec<Initial>,
        engines: Box<dyn Engines>,
        tasks: TaskSetup,
    ) -> Result<Rc<Server>, String> {
        let mut db = Sqlite::open(data)?;
        let loaded = db.load()?;
        let owner = db.owner_id()?;
        let now = chrono::Utc::now().timestamp_millis();
        let lease = Lease { owner: owner.clone(), until: now + LEASE_MILLIS };
        let claimed = db.claim(&lease, now)?;
        let store = Store::start(Box::new(db) as Box<dyn Backend>);
        let callbacks = Rc::new(Callbacks::new(owner.clone()));
        let server = Rc::new(Server {
            callbacks,
            store,
            engines,
            tasks,
            owner,
            reg: RefCell::new(Registry::default()),
            execs: RefCell::new(Executions::default()),
            map_runs: RefCell::new(MapRuns::default()),
        });
        server.reg.borrow_mut().load(&loaded.resources);
        server.execs.borrow_mut().load(&loaded.executions, &mut server.map_runs.borrow_mut());
        for i in initial {
            server.create_initial(&i).await?;
        }
        server.resume(claimed)?;
        server.renew_leases();
        Ok(server)
    }

    /// Keeps this server's executions claimed while it runs.
    fn renew_leases(self: &Rc<Self>) {
        let server = self.clone();
        tokio::task::spawn_local(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(LEASE_MILLIS as u64 / 3));
            loop {
                tick.tick().await;
                let until = chrono::Utc::now().timestamp_millis() + LEASE_MILLIS;
                server.store.renew(Lease { owner: server.owner.clone(), until });
            }
        });
    }

    /// Writes, or says why the request did nothing.
    pub async fn write(&self, writes: Vec<Write>) -> Result<(), ApiError> {
        self.store.write(writes).await.map_err(ApiError::store)
    }

    /// Runs one operation on its (already validated) request.
    pub async fn dispatch(self: &Rc<Self>, operation: &str, req: &Value) -> Reply {
        match operation {
            "CreateStateMachine" => self.create_state_machine(req).await,
            "DescribeStateMachine" => self.describe_state_machine(req),
            "UpdateStateMachine" => self.update_state_machine(req).await,
            "DeleteStateMachine" => self.delete_state_machine(req).await,
            "ListStateMachines" => self.list_state_machines(req),
            "PublishStateMachineVersion" => self.publish_version(req).await,
            "ListStateMachineVersions" => self.list_versions(req),
            "DeleteStateMachineVersion" => self.delete_version(req).await,
            "CreateStateMachineAlias" => self.create_alias(req).await,
            "DescribeStateMachineAlias" => self.describe_alias(req),
            "UpdateStateMachineAlias" => self.update_alias(req).await,
            "DeleteStateMachineAlias" => self.delete_alias(req).await,
            "ListStateMachineAliases" => self.list_aliases(req),
            "TagResource" => self.tag_resource(req).await,
            "UntagResource" => self.untag_resource(req).await,
            "ListTagsForResource" => self.list_tags(req),
            "CreateActivity" => self.create_activity(req).await,
            "DescribeActivity" => self.describe_activity(req),
            "DeleteActivity" => self.delete_activity(req).await,
            "ListActivities" => self.list_activities(req),
            "ValidateStateMachineDefinition" => Ok(self.validate_definition(req)),
            "StartExecution" => self.start_execution(req).await,
            "StartSyncExecution" => self.start_sync_execution(req).await,
            "DescribeExecution" => self.describe_execution(req),
            "StopExecution" => self.stop_execution(req).await,
            "ListExecutions" => self.list_executions(req),
            "GetExecutionHistory" => self.get_execution_history(req).await,
            "DescribeStateMachineForExecution" => self.describe_machine_for_execution(req),
            "ListMapRuns" => self.list_map_runs(req),
            "DescribeMapRun" => self.describe_map_run(req),
            "UpdateMapRun" => self.update_map_run(req),
            "RedriveExecution" => self.redrive_execution(req).await,
            "GetActivityTask" => self.get_activity_task(req).await,
            "SendTaskSuccess" => self.send_task_success(req),
            "SendTaskFailure" => self.send_task_failure(req),
            "SendTaskHeartbeat" => self.send_task_heartbeat(req),
            "TestState" => self.test_state(req).await,
            other => {
                Err(ApiError::new("UnknownOperationException", format!("aslc serve does not implement {other} yet")))
            }
        }
    }
}

/// A request member as text ("" when absent: the model check has already
/// refused a missing required member).
pub fn text<'a>(req: &'a Value, key: &str) -> &'a str {
    req.get(key).and_then(Value::as_str).unwrap_or("")
}

pub fn opt_text<'a>(req: &'a Value, key: &str) -> Option<&'a str> {
    req.get(key).and_then(Value::as_str)
}

pub use crate::timestamp::epoch;

/// One page of `items` under `key`, with AWS's `nextToken` (an offset
/// here; a token that is not one of ours is `InvalidToken`).
pub fn page(items: Vec<Value>, req: &Value, key: &str) -> Reply {
    page_with(items, req, key, |v| v)
}

/// The same, where `show` makes only the page's items into replies.
pub fn page_with<T>(items: Vec<T>, req: &Value, key: &str, show: impl Fn(T) -> Value) -> Reply {
    let max = req.get("maxResults").and_then(Value::as_u64).filter(|n| *n > 0).unwrap_or(100) as usize;
    let start = match opt_text(req, "nextToken") {
        None => 0,
        Some(t) => t
            .strip_prefix("aslc-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| ApiError::new("InvalidToken", format!("Invalid Token: '{t}'")))?,
    };
    let total = items.len();
    let end = (start + max).min(total);
    let shown: Vec<Value> = items.into_iter().skip(start).take(end - start).map(show).collect();
    let mut out = json!({ key: shown });
    if end < total {
        out["nextToken"] = json!(format!("aslc-{end}"));
    }
    Ok(out)
}
