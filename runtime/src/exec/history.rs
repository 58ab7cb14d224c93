//! Execution history shaped like GetExecutionHistory: numbered events,
//! each pointing at the previous event of its own flow (the machine, a
//! branch, an iteration), with JSON-text inputs and outputs.

use crate::machine::Body;
use crate::timestamp;
use serde_json::{json, Map, Value};
use std::cell::Cell;
use std::rc::Rc;

/// Events are always numbered (causes quote the id of a state's entered
/// event) but only kept when someone asked for the history.
#[derive(Debug, Default)]
pub struct History {
    events: Vec<Value>,
    count: u64,
    record: bool,
    /// The most events the history may hold, and whether a state tried
    /// to go past it (AWS keeps the last place for the execution's end).
    limit: Option<u64>,
    overflowed: bool,
}

/// The chain one flow's events form: the id of its latest event. Clones
/// share it (a flow's journal slot reads it at each commit).
#[derive(Debug, Default, Clone)]
pub struct Cursor(Rc<Cell<u64>>);

impl Cursor {
    pub fn new(last: u64) -> Self {
        Cursor(Rc::new(Cell::new(last)))
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
    pub fn new(record: bool) -> Self {
        History { events: Vec::new(), count: 0, record, limit: None, overflowed: false }
    }

    pub fn is_recording(&self) -> bool {
        self.record
    }

    pub fn limit(&mut self, limit: Option<u64>) {
        self.limit = limit;
    }

    /// The limit, once a state's event would have passed it.
    pub fn overflowed(&self) -> Option<u64> {
        self.limit.filter(|_| self.overflowed)
    }

    /// Appends an event after `cursor`'s latest one; returns its id. Past
    /// the limit only the execution's own events are taken.
    pub fn push(&mut self, cursor: &Cursor, kind: &str, details: Option<(&str, Value)>) -> u64 {
        if self.limit.is_some_and(|l| self.count + 1 >= l) && !kind.starts_with("Execution") {
            self.overflowed = true;
            return self.count;
        }
        self.count += 1;
        let id = self.count;
        if !self.record {
            cursor.0.set(id);
            return id;
        }
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

    /// Counts `n` events without recording them (only when the history
    /// keeps no details): the ids later events and causes use stay right.
    /// Events past the limit are dropped, as `push` drops them.
    pub fn skip(&mut self, cursor: &Cursor, n: u64) {
        debug_assert!(!self.record, "skipped events would be missing from a recorded history");
        self.count += n;
        if let Some(room) = self.limit.map(|l| l - 1).filter(|room| self.count > *room) {
            self.count = room;
            self.overflowed = true;
        }
        cursor.0.set(self.count);
    }

    /// Ids go on from `last` (an execution resumed from a checkpoint).
    pub fn resume_at(&mut self, last: u64) {
        self.count = last;
    }

    /// The id of the latest event.
    pub fn last_id(&self) -> u64 {
        self.count
    }

    /// The events recorded since the last call, for a journal commit.
    pub fn drain(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.events)
    }

    pub fn to_json(&self) -> Value {
        json!({ "events": self.events })
    }
}

/// The entered and (except for Fail) exited event types of a state.
pub fn state_event_kinds(body: &Body) -> (&'static str, Option<&'static str>) {
    event_kinds(body.type_name())
}

/// The same, by state type name (`Pass`, `Choice`, …).
pub fn event_kinds(type_name: &str) -> (&'static str, Option<&'static str>) {
    match type_name {
        "Pass" => ("PassStateEntered", Some("PassStateExited")),
        "Task" => ("TaskStateEntered", Some("TaskStateExited")),
        "Choice" => ("ChoiceStateEntered", Some("ChoiceStateExited")),
        "Wait" => ("WaitStateEntered", Some("WaitStateExited")),
        "Succeed" => ("SucceedStateEntered", Some("SucceedStateExited")),
        "Fail" => ("FailStateEntered", None),
        "Parallel" => ("ParallelStateEntered", Some("ParallelStateExited")),
        "Map" => ("MapStateEntered", Some("MapStateExited")),
        _ => ("StateEntered", Some("StateExited")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_history_keeps_its_last_place_for_the_execution() {
        let mut h = History::new(true);
        h.limit(Some(4));
        let c = Cursor::new(0);
        for kind in ["ExecutionStarted", "PassStateEntered", "PassStateExited"] {
            h.push(&c, kind, None);
        }
        assert_eq!(h.overflowed(), None);
        // Event 4 may only be the execution's end.
        h.push(&c, "PassStateEntered", None);
        assert_eq!(h.overflowed(), Some(4));
        assert_eq!(h.push(&c, "ExecutionFailed", None), 4);
        let events = h.drain();
        let types: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
        assert_eq!(types, ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionFailed"]);
    }

    #[test]
    fn skipped_events_stop_at_the_limit_too() {
        let mut h = History::new(false);
        h.limit(Some(10));
        let c = Cursor::new(0);
        h.skip(&c, 9);
        assert_eq!(h.overflowed(), None);
        h.skip(&c, 5);
        assert_eq!(h.overflowed(), Some(10));
        assert_eq!(h.push(&c, "ExecutionFailed", None), 10);
    }
}
