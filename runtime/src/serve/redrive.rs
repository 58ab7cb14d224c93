//! RedriveExecution: a Standard execution that failed, timed out or was
//! aborted goes on from where it stood when it ended (its last
//! checkpoint), as a resumed execution does after a restart: the state
//! that did not succeed runs again, with its input (a Map or Parallel only
//! its unsuccessful iterations or branches); states that had succeeded do
//! not. `ExecutionRedriven` joins the history, and
//! `$$.Execution.RedriveCount` counts the redrives.

use super::api::{epoch, text, ApiError, Reply, Server};
use super::journal_events;
use super::store::Write;
use crate::exec::history::Event;
use crate::exec::journal::{Checkpoint, Done, SavedFlow};
use serde_json::{json, Value};
use std::rc::Rc;

/// AWS redrives executions started within the last 14 days, at most 1,000 times.
const REDRIVE_DAYS: i64 = 14;
const MAX_REDRIVES: u64 = 1000;

/// Whether the execution may be redriven; if not, AWS's reason.
pub fn redrivable(r: &Value) -> Result<(), String> {
    let status = text(r, "status");
    if !matches!(status, "FAILED" | "TIMED_OUT" | "ABORTED") {
        return Err(format!("Execution is {status} and cannot be redriven"));
    }
    let started = r["startDate"].as_f64().unwrap_or(0.0);
    if chrono::Utc::now().timestamp() as f64 - started > (REDRIVE_DAYS * 86_400) as f64 {
        return Err("Execution can't be redriven after 14 days of being started".into());
    }
    if r["redriveCount"].as_u64().unwrap_or(0) >= MAX_REDRIVES {
        return Err("Execution has reached the maximum number of redrives".into());
    }
    Ok(())
}

impl Server {
    pub async fn redrive_execution(self: &Rc<Self>, req: &Value) -> Reply {
        let a = text(req, "executionArn");
        let record = self.record(a)?;
        redrivable(&record).map_err(|reason| ApiError::new("ExecutionNotRedrivable", reason))?;
        let saved = self.store.last_checkpoint(a).await.map_err(ApiError::store)?;
        let mut checkpoint: Checkpoint = saved
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or_else(|| ApiError::new("ExecutionNotRedrivable", "Execution has no point to be redriven from"))?;
        // Event ids have no gaps: the last one is the number of events.
        let batches = self.store.history(a).await.map_err(ApiError::store)?;
        let last = batches.iter().map(|b| journal_events::count(b) as u64).sum::<u64>();
        let now = chrono::Utc::now();
        let count = record["redriveCount"].as_u64().unwrap_or(0) + 1;
        let event = Event {
            id: last + 1,
            previous: last,
            time: now,
            kind: "ExecutionRedriven",
            details: Some(("executionRedrivenEventDetails", json!({"redriveCount": count})).into()),
        };
        checkpoint.last_event_id = last + 1;
        checkpoint.root.cursor = last + 1;
        redrive_flow(&mut checkpoint.root);
        let mut redriven = record.clone();
        if let Some(m) = redriven.as_object_mut() {
            for k in ["stopDate", "output", "error", "cause"] {
                m.remove(k);
            }
        }
        redriven["status"] = json!("RUNNING");
        redriven["redriveCount"] = json!(count);
        redriven["redriveDate"] = epoch(now);
        let write = Write::Progress {
            arn: a.to_string(),
            events: vec![event],
            checkpoint: Some(Box::new(checkpoint.clone())),
            record: Some(redriven.to_string()),
        };
        self.write(vec![write]).await?;
        self.execs.borrow_mut().insert(a, redriven.clone());
        self.drive(&redriven, checkpoint).map_err(|e| ApiError::new("ExecutionNotRedrivable", e))?;
        Ok(json!({"redriveDate": epoch(now)}))
    }
}

/// Where a flow goes on from when its execution is redriven, as AWS does
/// it: the state that did not succeed runs again with fresh retry counts
/// and no deadline. A Task, Wait or Pass starts over from its entry; a Map
/// or Parallel keeps the iterations and branches that succeeded and
/// redrives the others: a failed one from its start, one cut short where it
/// stood (the same rule, one level down).
fn redrive_flow(flow: &mut SavedFlow) {
    // A flow that reached its end succeeded (its output is kept).
    if flow.ended {
        return;
    }
    let Some(inside) = &mut flow.inside else { return };
    let Some(children) = &mut inside.children else {
        flow.inside = None;
        return;
    };
    children.done.retain(|_, d| matches!(d, Done::Output(_)));
    children.open.values_mut().for_each(redrive_flow);
    inside.attempt = 0;
    inside.counts.clear();
    inside.until = None;
}
