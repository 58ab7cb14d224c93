//! Execution history shaped like GetExecutionHistory: numbered events,
//! each pointing at the previous event of its own flow (the machine, a
//! branch, an iteration), with JSON-text inputs and outputs.

use crate::exec::journal::Json;
use crate::machine::Body;
use crate::timestamp;
use chrono::{DateTime, Utc};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map, Value};
use std::cell::Cell;
use std::rc::Rc;

/// One history event, typed until it is written. A server's engine thread
/// makes every execution's events; the timestamp's text and the JSON object
/// are made where the event is written (the store's thread), and a typed
/// event is a fraction of the allocations of a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: u64,
    pub previous: u64,
    pub time: DateTime<Utc>,
    pub kind: &'static str,
    pub details: Option<Details>,
}

/// An event's details member. A state's entered and exited events, most
/// of a history, are typed: their text is the one the journal keeps, and
/// no JSON object is built for them.
#[derive(Debug, Clone, PartialEq)]
pub enum Details {
    /// `stateEnteredEventDetails`.
    Entered { name: String, input: Json },
    /// `stateExitedEventDetails`, with the variables the state assigned.
    Exited { name: String, output: Json, assigned: Option<Map<String, Value>> },
    /// Any other: the member's name, its plain members (an object), and
    /// its data member if it has one. A data member is JSON text kept as
    /// `Json` (`input` and `output` get their `…Details` beside them):
    /// the store writes it as it is, not as an escaped string.
    Fields { key: &'static str, fields: Value, data: Option<(&'static str, Json)> },
}

impl From<(&'static str, Value)> for Details {
    fn from((key, fields): (&'static str, Value)) -> Details {
        Details::Fields { key, fields, data: None }
    }
}

impl Details {
    /// Details with a data member: `member` (`input`, `output`,
    /// `parameters`) holds `value`'s JSON text.
    pub fn with_data(key: &'static str, fields: Value, member: &'static str, value: &Value) -> Details {
        Details::with_text(key, fields, member, Json::of(value))
    }

    /// The same with the value's text at hand.
    pub fn with_text(key: &'static str, fields: Value, member: &'static str, text: Json) -> Details {
        Details::Fields { key, fields, data: Some((member, text)) }
    }

    /// The details member's name.
    pub fn key(&self) -> &'static str {
        match self {
            Details::Entered { .. } => "stateEnteredEventDetails",
            Details::Exited { .. } => "stateExitedEventDetails",
            Details::Fields { key, .. } => key,
        }
    }
}

/// The `…Details` member AWS puts beside a data member, if any.
pub fn truncation_member(member: &str) -> Option<&'static str> {
    match member {
        "input" => Some("inputDetails"),
        "output" => Some("outputDetails"),
        "assignedVariables" => Some("assignedVariablesDetails"),
        _ => None,
    }
}

/// `{"truncated": false}` as a serializer writes it.
struct NotTruncated;

impl Serialize for NotTruncated {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("truncated", &false)?;
        m.end()
    }
}

/// A state's entered or exited details: its name, its JSON text, its
/// `…Details`, and the variables it assigned.
struct StateData<'a> {
    name: &'a str,
    member: &'static str,
    text: &'a Json,
    assigned: Option<&'a Map<String, Value>>,
}

impl Serialize for StateData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", self.name)?;
        data_entries(&mut m, self.member, self.text)?;
        if let Some(vars) = self.assigned.filter(|v| !v.is_empty()) {
            let texts: Map<String, Value> =
                vars.iter().map(|(k, v)| (k.clone(), Value::String(v.to_string()))).collect();
            m.serialize_entry("assignedVariables", &texts)?;
            m.serialize_entry("assignedVariablesDetails", &NotTruncated)?;
        }
        m.end()
    }
}

/// A data member as AWS shows it: JSON text in a string, with its
/// `…Details`.
fn data_entries<M: SerializeMap>(m: &mut M, member: &'static str, text: &Json) -> Result<(), M::Error> {
    m.serialize_entry(member, text.text())?;
    if let Some(details) = truncation_member(member) {
        m.serialize_entry(details, &NotTruncated)?;
    }
    Ok(())
}

/// Plain members, then the data member.
struct FieldsData<'a> {
    fields: &'a Value,
    data: &'a Option<(&'static str, Json)>,
}

impl Serialize for FieldsData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.fields.as_object().into_iter().flatten() {
            m.serialize_entry(k, v)?;
        }
        if let Some((member, text)) = self.data {
            data_entries(&mut m, member, text)?;
        }
        m.end()
    }
}

/// The shape GetExecutionHistory gives an event.
impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(if self.details.is_some() { 5 } else { 4 }))?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("previousEventId", &self.previous)?;
        m.serialize_entry("timestamp", &timestamp::format_context(self.time))?;
        m.serialize_entry("type", self.kind)?;
        match &self.details {
            None => {}
            Some(d @ Details::Entered { name, input }) => {
                m.serialize_entry(d.key(), &StateData { name, member: "input", text: input, assigned: None })?;
            }
            Some(d @ Details::Exited { name, output, assigned }) => {
                let data = StateData { name, member: "output", text: output, assigned: assigned.as_ref() };
                m.serialize_entry(d.key(), &data)?;
            }
            Some(Details::Fields { key, fields, data }) => m.serialize_entry(key, &FieldsData { fields, data })?,
        }
        m.end()
    }
}

/// Events are always numbered (causes quote the id of a state's entered
/// event) but only kept when someone asked for the history.
#[derive(Debug, Default)]
pub struct History {
    events: Vec<Event>,
    count: u64,
    record: bool,
    /// The most events the history may hold, and whether a state tried
    /// to go past it (AWS keeps the last place for the execution's end).
    limit: Option<u64>,
    overflowed: bool,
    /// What `aslc test --coverage` measures: kept only when asked for, and
    /// shared with the histories of a Distributed Map's child executions.
    trace: Option<Trace>,
}

/// Every state entered and every way out of it taken (transitions, Choice
/// rules, retriers, catchers), in order. State names are unique in a
/// machine, so a name is a state.
pub type Trace = Rc<std::cell::RefCell<Vec<(String, Took)>>>;

/// One step of a `Trace`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Took {
    Entered,
    Next(String),
    End,
    /// The Choice rule at this index held.
    Rule(usize),
    /// No Choice rule held: `Default`.
    Default,
    /// The retrier at this index retried the state.
    Retry(usize),
    /// The catcher at this index caught the state's error.
    Catch(usize),
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

impl History {
    pub fn new(record: bool) -> Self {
        History { events: Vec::new(), count: 0, record, limit: None, overflowed: false, trace: None }
    }

    /// Keeps `trace` (for coverage), or none.
    pub fn keep_trace(&mut self, trace: Option<Trace>) {
        self.trace = trace;
    }

    #[inline]
    pub fn trace(&self) -> Option<&Trace> {
        self.trace.as_ref()
    }

    /// Adds to the trace, if one is kept.
    pub fn took(&self, state: &str, took: impl FnOnce() -> Took) {
        if let Some(t) = &self.trace {
            t.borrow_mut().push((state.to_string(), took()));
        }
    }

    #[inline]
    pub fn is_recording(&self) -> bool {
        self.record
    }

    pub fn limit(&mut self, limit: Option<u64>) {
        self.limit = limit;
    }

    /// The limit, once a state's event would have passed it.
    #[inline]
    pub fn overflowed(&self) -> Option<u64> {
        self.limit.filter(|_| self.overflowed)
    }

    /// Appends an event after `cursor`'s latest one; returns its id. Past
    /// the limit only the execution's own events are taken.
    pub fn push(&mut self, cursor: &Cursor, kind: &'static str, details: Option<Details>) -> u64 {
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
        self.events.push(Event { id, previous: cursor.last(), time: Utc::now(), kind, details });
        cursor.0.set(id);
        id
    }

    /// Counts `n` events without recording them (only when the history
    /// keeps no details): the ids later events and causes use stay right.
    /// Events past the limit are dropped, as `push` drops them.
    #[inline]
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
    pub fn drain(&mut self) -> Vec<Event> {
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
#[inline]
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
        let types: Vec<&str> = events.iter().map(|e| e.kind).collect();
        assert_eq!(types, ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionFailed"]);
    }

    #[test]
    fn an_event_is_written_as_get_execution_history_gives_it() {
        let time = DateTime::from_timestamp_millis(1_700_000_000_123).unwrap_or_default();
        let e = Event { id: 3, previous: 2, time, kind: "PassStateEntered", details: None };
        assert_eq!(
            serde_json::to_value(&e).ok(),
            Some(
                json!({"id": 3, "previousEventId": 2, "timestamp": timestamp::format_context(time), "type": "PassStateEntered"})
            )
        );
        let details = Some(Details::Entered { name: "P".into(), input: Json::of(&json!({"a": 1})) });
        let text = serde_json::to_string(&Event { details, ..e.clone() }).unwrap_or_default();
        assert!(text.ends_with(r#""type":"PassStateEntered","stateEnteredEventDetails":{"name":"P","input":"{\"a\":1}","inputDetails":{"truncated":false}}}"#), "{text}");
        let assigned = Some([("x".to_string(), json!([1]))].into_iter().collect());
        let details = Some(Details::Exited { name: "P".into(), output: Json::of(&json!(2)), assigned });
        let value = serde_json::to_value(Event { kind: "PassStateExited", details, ..e }).unwrap_or_default();
        assert_eq!(
            value["stateExitedEventDetails"],
            json!({"name": "P", "output": "2", "outputDetails": {"truncated": false},
                   "assignedVariables": {"x": "[1]"}, "assignedVariablesDetails": {"truncated": false}})
        );
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
