//! What an execution showed, in one JSON document: what `aslc test`'s
//! expectations and assertions read, and what the execution viewer draws.
//! Both engines (and the server) give the same parts (status, output,
//! error, cause, the history), so the document is built from those alone,
//! never from an engine's internals.

use asl_runtime::exec::history::Took;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The parts an engine hands back.
pub struct Ran {
    pub status: String,
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// GetExecutionHistory's shape: `{"events": [...]}`.
    pub history: Value,
    pub trace: Vec<(String, Took)>,
}

/// A JSON string field of an event's details, parsed.
fn parsed(details: &Value, key: &str) -> Option<Value> {
    details.get(key)?.as_str().map(|t| serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string())))
}

impl Ran {
    /// An execution known only by its history (GetExecutionHistory's
    /// shape, with execution data): its last event says how it ended.
    pub fn from_history(history: Value) -> Ran {
        let last = history["events"].as_array().and_then(|e| e.last()).cloned().unwrap_or(Value::Null);
        let status = match last["type"].as_str() {
            Some("ExecutionSucceeded") => "SUCCEEDED",
            Some("ExecutionFailed") => "FAILED",
            Some("ExecutionTimedOut") => "TIMED_OUT",
            Some("ExecutionAborted") => "ABORTED",
            _ => "RUNNING",
        };
        let details = last.as_object().and_then(|o| o.values().find(|v| v.is_object())).cloned().unwrap_or_default();
        let text = |k: &str| details.get(k).and_then(Value::as_str).map(str::to_string);
        Ran {
            status: status.to_string(),
            output: parsed(&details, "output"),
            error: text("error"),
            cause: text("cause"),
            history,
            trace: Vec::new(),
        }
    }

    /// The document assertions read:
    /// `{status, output, error, cause, path, states, variables, history}`.
    /// `path`: the states entered, in order. `states`: by name, each run's
    /// `input`, `output`, `parameters` (a Task's last call), `attempts`,
    /// the `errors` its attempts met, and its `status`: `succeeded`,
    /// `caught` (it failed and a catcher went on), `failed` (it never
    /// left, in an execution that ended) or `running`.
    /// `variables`: each variable's last assigned value.
    pub fn document(&self) -> Value {
        let empty = Vec::new();
        let events = self.history.get("events").and_then(Value::as_array).unwrap_or(&empty);
        // Which state's run each event belongs to: an event follows its
        // flow's previous one, back to the state's entered event.
        let mut owner: HashMap<u64, (String, usize)> = HashMap::new();
        let mut path = Vec::new();
        let mut states: Map<String, Value> = Map::new();
        let mut variables = Map::new();
        for e in events {
            let id = e.get("id").and_then(Value::as_u64).unwrap_or(0);
            let previous = e.get("previousEventId").and_then(Value::as_u64).unwrap_or(0);
            let kind = e.get("type").and_then(Value::as_str).unwrap_or("");
            if let Some(d) = e.get("stateEnteredEventDetails") {
                let name = d.get("name").and_then(Value::as_str).unwrap_or("").to_string();
                path.push(Value::String(name.clone()));
                let runs = states.entry(name.clone()).or_insert_with(|| json!([]));
                if let Some(runs) = runs.as_array_mut() {
                    runs.push(json!({ "input": parsed(d, "input"), "attempts": 0, "errors": [] }));
                    owner.insert(id, (name, runs.len() - 1));
                }
                continue;
            }
            if let Some(d) = e.get("stateExitedEventDetails") {
                // A state's exit is its latest run's that has none yet.
                let name = d.get("name").and_then(Value::as_str).unwrap_or("");
                let runs = states.get_mut(name).and_then(Value::as_array_mut);
                if let Some(r) = runs.and_then(|r| r.iter_mut().rev().find(|r| r.get("output").is_none())) {
                    r["output"] = parsed(d, "output").unwrap_or(Value::Null);
                }
                if let Some(Value::Object(assigned)) = d.get("assignedVariables") {
                    for (k, v) in assigned {
                        let value = v.as_str().and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null);
                        variables.insert(k.clone(), value);
                    }
                }
                continue;
            }
            let Some((name, run)) = owner.get(&previous).cloned() else { continue };
            let this_run = states.get_mut(&name).and_then(|r| r.get_mut(run));
            if let Some(r) = this_run {
                if let Some(d) = e.get("taskScheduledEventDetails") {
                    r["parameters"] = parsed(d, "parameters").unwrap_or(Value::Null);
                    r["attempts"] = json!(r["attempts"].as_u64().unwrap_or(0) + 1);
                }
                // A failed attempt's details name its error.
                let failure = e.as_object().and_then(|o| o.values().find(|d| d.get("error").is_some()));
                if let (Some(d), Some(errors)) = (failure, r["errors"].as_array_mut()) {
                    errors.push(json!({ "error": d["error"], "cause": d.get("cause") }));
                    r["lastFailed"] = json!(true);
                } else if kind == "TaskSucceeded" {
                    r["lastFailed"] = json!(false);
                }
            }
            // A Task's events follow one another from its entered event.
            if kind.starts_with("Task") {
                owner.insert(id, (name, run));
            }
        }
        let ended = self.status != "RUNNING";
        for run in states.values_mut().filter_map(Value::as_array_mut).flatten() {
            let status = match (run.get("output").is_some(), run["lastFailed"] == json!(true)) {
                (true, true) => "caught",
                (true, false) => "succeeded",
                (false, _) if ended => "failed",
                (false, _) => "running",
            };
            run["status"] = json!(status);
            if let Some(r) = run.as_object_mut() {
                r.remove("lastFailed");
            }
        }
        json!({
            "status": self.status,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
            "path": path,
            "states": states,
            "variables": variables,
            "history": events,
        })
    }
}
