//! Execution history shaped like GetExecutionHistory: numbered events,
//! each pointing at the previous event of its own flow (the machine, a
//! branch, an iteration), with JSON-text inputs and outputs.

use crate::timestamp;
use serde_json::{json, Map, Value};
use std::cell::Cell;

#[derive(Debug, Default)]
pub struct History {
    events: Vec<Value>,
}

/// The chain one flow's events form: the id of its latest event.
#[derive(Debug, Default)]
pub struct Cursor(Cell<u64>);

impl Cursor {
    pub fn new(last: u64) -> Self {
        Cursor(Cell::new(last))
    }

    pub fn last(&self) -> u64 {
        self.0.get()
    }
}

/// `{"truncated": false}`, which AWS puts beside every data field.
pub fn not_truncated() -> Value {
    json!({ "truncated": false })
}

impl History {
    /// Appends an event after `cursor`'s latest one; returns its id.
    pub fn push(&mut self, cursor: &Cursor, kind: &str, details: Option<(&str, Value)>) -> u64 {
        let id = self.events.len() as u64 + 1;
        let mut e = Map::new();
        e.insert("id".into(), json!(id));
        e.insert("previousEventId".into(), json!(cursor.last()));
        e.insert("timestamp".into(), json!(timestamp::format_context(chrono::Utc::now())));
        e.insert("type".into(), json!(kind));
        if let Some((key, d)) = details {
            e.insert(key.into(), d);
        }
        self.events.push(Value::Object(e));
        cursor.0.set(id);
        id
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn to_json(&self) -> Value {
        json!({ "events": self.events })
    }
}

/// `{"name": …, "input": "<json text>", "inputDetails": …}` for `*StateEntered`.
pub fn entered(name: &str, input: &Value) -> Value {
    json!({ "name": name, "input": input.to_string(), "inputDetails": not_truncated() })
}

/// `{"name": …, "output": "<json text>", "outputDetails": …}` for `*StateExited`,
/// with the variables the state assigned.
pub fn exited(name: &str, output: &Value, assigned: Option<&Map<String, Value>>) -> Value {
    let mut d = json!({ "name": name, "output": output.to_string(), "outputDetails": not_truncated() });
    if let Some(vars) = assigned.filter(|v| !v.is_empty()) {
        let texts: Map<String, Value> = vars.iter().map(|(k, v)| (k.clone(), Value::String(v.to_string()))).collect();
        d["assignedVariables"] = Value::Object(texts);
        d["assignedVariablesDetails"] = not_truncated();
    }
    d
}
