//! Distributed Map's Map Runs: what AWS shows of one while it runs and
//! after (DescribeMapRun, ListMapRuns, ListExecutions of its child
//! executions), and the settings UpdateMapRun changes under it.
//!
//! The Map state owns the counting; whoever runs the execution (the server)
//! is handed each run as it starts, through `Options::map_runs`, and reads
//! it live, so one `MapRun` is both the state's bookkeeping and the API's
//! record.

use crate::timestamp::epoch;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::task::{Poll, Waker};

/// Told of every Map Run an execution starts.
pub type MapRunSink = Rc<dyn Fn(&Rc<RefCell<MapRun>>)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildStatus {
    Pending,
    Running,
    Succeeded,
    Failed,
}

/// One child execution: an item, or a batch of them.
#[derive(Debug, Clone)]
pub struct Child {
    pub status: ChildStatus,
    pub items: usize,
    pub start: Option<DateTime<Utc>>,
    pub stop: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub struct MapRun {
    pub arn: String,
    pub execution_arn: String,
    /// The machine's ARN with `/label`: what the child executions run.
    pub state_machine_arn: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED` or `ABORTED`.
    pub status: &'static str,
    pub start: DateTime<Utc>,
    pub stop: Option<DateTime<Utc>>,
    /// 0: as many at once as there are children.
    pub max_concurrency: u64,
    pub tolerated_failure_count: u64,
    pub tolerated_failure_percentage: f64,
    pub children: Vec<Child>,
    running: usize,
    /// Children waiting for their turn, first item first.
    waiting: BTreeMap<usize, Waker>,
}

impl MapRun {
    /// A run of `children` (items per child) for the Map entered at
    /// `entered` in the execution `execution_arn` of `machine_arn`. The id is
    /// derived from those, so a resumed execution names the same run.
    pub fn new(
        machine_arn: &str,
        execution_arn: &str,
        state: &str,
        entered: DateTime<Utc>,
        label: Option<&str>,
        children: Vec<usize>,
    ) -> MapRun {
        let [id, own] = super::stable_ids(execution_arn, state, entered);
        // Without a Label, AWS names the run with an id of its own.
        let label = label.map_or_else(|| own.to_string(), str::to_string);
        let base = machine_arn.replacen(":stateMachine:", ":mapRun:", 1);
        MapRun {
            arn: format!("{base}/{label}:{id}"),
            execution_arn: execution_arn.to_string(),
            state_machine_arn: format!("{machine_arn}/{label}"),
            status: "RUNNING",
            start: Utc::now(),
            stop: None,
            max_concurrency: 0,
            tolerated_failure_count: 0,
            tolerated_failure_percentage: 0.0,
            children: children
                .into_iter()
                .map(|items| Child { status: ChildStatus::Pending, items, start: None, stop: None })
                .collect(),
            running: 0,
            waiting: BTreeMap::new(),
        }
    }

    /// Whether `failures` children failing ends the run (AWS: over both
    /// the count and the percentage it tolerates).
    pub fn over_tolerance(&self, failures: usize) -> bool {
        let n = self.children.len().max(1) as f64;
        failures as u64 > self.tolerated_failure_count
            && failures as f64 * 100.0 / n > self.tolerated_failure_percentage
    }

    pub fn end(&mut self, status: &'static str) {
        if self.status == "RUNNING" {
            self.status = status;
            self.stop = Some(Utc::now());
        }
    }

    /// UpdateMapRun: the settings a running Map Run reads as it goes.
    pub fn update(&mut self, max_concurrency: Option<u64>, count: Option<u64>, percentage: Option<f64>) {
        if let Some(m) = max_concurrency {
            self.max_concurrency = m;
            std::mem::take(&mut self.waiting).into_values().for_each(Waker::wake);
        }
        if let Some(c) = count {
            self.tolerated_failure_count = c;
        }
        if let Some(p) = percentage {
            self.tolerated_failure_percentage = p;
        }
    }

    fn counts(&self, weight: impl Fn(&Child) -> u64) -> Value {
        let count = |s: ChildStatus| self.children.iter().filter(|c| c.status == s).map(&weight).sum::<u64>();
        let total: u64 = self.children.iter().map(&weight).sum();
        json!({
            "pending": count(ChildStatus::Pending),
            "running": count(ChildStatus::Running),
            "succeeded": count(ChildStatus::Succeeded),
            "failed": count(ChildStatus::Failed),
            "timedOut": 0,
            "aborted": if self.status == "ABORTED" { count(ChildStatus::Pending) + count(ChildStatus::Running) } else { 0 },
            "total": total,
            "resultsWritten": 0,
            "failuresNotRedrivable": 0,
            "pendingRedrive": 0,
        })
    }

    /// DescribeMapRun's reply.
    pub fn describe(&self) -> Value {
        let mut d = json!({
            "mapRunArn": self.arn,
            "executionArn": self.execution_arn,
            "status": self.status,
            "startDate": epoch(self.start),
            "maxConcurrency": self.max_concurrency,
            "toleratedFailurePercentage": self.tolerated_failure_percentage,
            "toleratedFailureCount": self.tolerated_failure_count,
            "itemCounts": self.counts(|c| c.items as u64),
            "executionCounts": self.counts(|_| 1),
            "redriveCount": 0,
        });
        if let Some(s) = self.stop {
            d["stopDate"] = epoch(s);
        }
        d
    }

    /// ListMapRuns' item.
    pub fn list_item(&self) -> Value {
        let mut d = json!({
            "executionArn": self.execution_arn,
            "mapRunArn": self.arn,
            "stateMachineArn": self.state_machine_arn,
            "startDate": epoch(self.start),
        });
        if let Some(s) = self.stop {
            d["stopDate"] = epoch(s);
        }
        d
    }

    /// ListExecutions' items for the run's child executions, in order.
    pub fn child_executions(&self) -> Vec<Value> {
        let (prefix, id) = self.arn.rsplit_once(':').unwrap_or((&self.arn, ""));
        let prefix = prefix.replacen(":mapRun:", ":execution:", 1);
        self.children
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let start = c.start?;
                let name = format!("{}-{i}", &id[..id.len().min(8)]);
                let status = match c.status {
                    ChildStatus::Succeeded => "SUCCEEDED",
                    ChildStatus::Failed => "FAILED",
                    _ if self.status == "ABORTED" => "ABORTED",
                    _ => "RUNNING",
                };
                let mut e = json!({
                    "executionArn": format!("{prefix}:{name}"),
                    "stateMachineArn": self.state_machine_arn,
                    "name": name,
                    "status": status,
                    "startDate": epoch(start),
                    "mapRunArn": self.arn,
                    "itemCount": c.items,
                    "redriveCount": 0,
                });
                if let Some(s) = c.stop {
                    e["stopDate"] = epoch(s);
                }
                Some(e)
            })
            .collect()
    }
}

/// A child's turn: waits while `MaxConcurrency` children run (the limit
/// UpdateMapRun may change), then marks child `i` running.
pub async fn admit(run: &RefCell<MapRun>, i: usize) {
    std::future::poll_fn(|cx| {
        let mut r = run.borrow_mut();
        let limit = r.max_concurrency as usize;
        if limit > 0 && r.running >= limit {
            r.waiting.insert(i, cx.waker().clone());
            return Poll::Pending;
        }
        r.waiting.remove(&i);
        r.running += 1;
        if let Some(c) = r.children.get_mut(i) {
            c.status = ChildStatus::Running;
            c.start = Some(Utc::now());
        }
        Poll::Ready(())
    })
    .await
}

/// Child `i` ended (or had ended before a restart); if it was running,
/// the next waiting child may start.
pub fn release(run: &RefCell<MapRun>, i: usize, ok: bool) {
    let mut r = run.borrow_mut();
    let Some(c) = r.children.get_mut(i) else { return };
    let was_running = c.status == ChildStatus::Running;
    c.status = if ok { ChildStatus::Succeeded } else { ChildStatus::Failed };
    let now = Utc::now();
    c.start.get_or_insert(now);
    c.stop = Some(now);
    if was_running {
        r.running -= 1;
        if let Some((_, w)) = r.waiting.pop_first() {
            w.wake();
        }
    }
}
