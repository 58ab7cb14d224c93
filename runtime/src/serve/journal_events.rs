//! History events as the store keeps them, and back as GetExecutionHistory
//! gives them.
//!
//! AWS shows a state's input or output as JSON text inside a string, so
//! every quote of it is escaped, and it stamps events with ISO text.
//! Written that way, escaping and dates were much of what a durable
//! execution's commits cost. The store keeps each event as an array
//! instead, its data member as raw JSON and its time in epoch
//! milliseconds:
//!
//! ```text
//! [id, previous, ms, type]
//! [id, previous, ms, type, detailsKey, {plain members}]
//! [id, previous, ms, type, detailsKey, {plain members}, member, <JSON>]
//! [id, previous, ms, type, detailsKey, {plain members}, member, <JSON>, {variable: <JSON>}]
//! ```
//!
//! Folders written before this form (schema 2 and older) hold events as
//! AWS's objects; both read back the same.

use crate::exec::history::{truncation_member, Details, Event};
use crate::timestamp;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

/// A commit's events in the stored form.
pub struct Stored<'a>(pub &'a [Event]);

impl Serialize for Stored<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for e in self.0 {
            seq.serialize_element(&StoredEvent(e))?;
        }
        seq.end()
    }
}

struct StoredEvent<'a>(&'a Event);

/// `{"name": …}`, a state's plain members.
struct Name<'a>(&'a str);

impl Serialize for Name<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("name", self.0)?;
        m.end()
    }
}

impl Serialize for StoredEvent<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut seq = s.serialize_seq(None)?;
        seq.serialize_element(&e.id)?;
        seq.serialize_element(&e.previous)?;
        seq.serialize_element(&e.time.timestamp_millis())?;
        seq.serialize_element(e.kind)?;
        let Some(details) = &e.details else { return seq.end() };
        seq.serialize_element(details.key())?;
        match details {
            Details::Entered { name, input } => {
                seq.serialize_element(&Name(name))?;
                seq.serialize_element("input")?;
                seq.serialize_element(input)?;
            }
            Details::Exited { name, output, assigned } => {
                seq.serialize_element(&Name(name))?;
                seq.serialize_element("output")?;
                seq.serialize_element(output)?;
                if let Some(vars) = assigned.as_ref().filter(|v| !v.is_empty()) {
                    seq.serialize_element(vars)?;
                }
            }
            Details::Fields { fields, data, .. } => {
                seq.serialize_element(fields)?;
                if let Some((member, text)) = data {
                    seq.serialize_element(member)?;
                    seq.serialize_element(text)?;
                }
            }
        }
        seq.end()
    }
}

/// The events of one stored commit as GetExecutionHistory gives them
/// (times in epoch seconds), with or without their execution data.
pub fn read(batch: &str, include_data: bool) -> Result<Vec<Value>, String> {
    let events: Vec<&RawValue> = serde_json::from_str(batch).map_err(|e| e.to_string())?;
    events.into_iter().map(|e| read_event(e, include_data)).collect()
}

/// How many events a stored commit holds.
pub fn count(batch: &str) -> usize {
    serde_json::from_str::<Vec<&RawValue>>(batch).map_or(0, |e| e.len())
}

fn read_event(raw: &RawValue, include_data: bool) -> Result<Value, String> {
    let bad = |e: serde_json::Error| e.to_string();
    if raw.get().starts_with('{') {
        return serde_json::from_str(raw.get()).map(|e| aws_event(e, include_data)).map_err(bad);
    }
    let parts: Vec<&RawValue> = serde_json::from_str(raw.get()).map_err(bad)?;
    let part = |i: usize| parts.get(i).map(|p| p.get()).ok_or_else(|| format!("stored event {raw} is cut short"));
    let number = |i: usize| part(i).and_then(|p| p.parse::<u64>().map_err(|e| e.to_string()));
    let string = |i: usize| part(i).and_then(|p| serde_json::from_str::<String>(p).map_err(bad));
    let mut event = json!({
        "id": number(0)?,
        "previousEventId": number(1)?,
        "timestamp": number(2)? as f64 / 1000.0,
        "type": string(3)?,
    });
    if parts.len() > 4 {
        let mut details: Map<String, Value> = serde_json::from_str(part(5)?).map_err(bad)?;
        if parts.len() > 6 {
            let member = string(6)?;
            if include_data {
                details.insert(member.clone(), Value::String(part(7)?.to_string()));
            }
            if let Some(t) = truncation_member(&member) {
                details.insert(t.into(), json!({"truncated": false}));
            }
        }
        if let Some(vars) = parts.get(8) {
            if include_data {
                let vars: indexmap::IndexMap<String, &RawValue> = serde_json::from_str(vars.get()).map_err(bad)?;
                let vars = vars.into_iter().map(|(k, v)| (k, Value::String(v.get().to_string()))).collect();
                details.insert("assignedVariables".into(), Value::Object(vars));
            }
            details.insert("assignedVariablesDetails".into(), json!({"truncated": false}));
        }
        event[string(4)?] = Value::Object(details);
    }
    Ok(event)
}

/// An event stored as AWS's object (schema 2 and older): the time in
/// epoch seconds, and without the execution data unless asked for.
fn aws_event(mut e: Value, include_data: bool) -> Value {
    if let Some(t) = e.get("timestamp").and_then(Value::as_str).and_then(timestamp::parse) {
        e["timestamp"] = timestamp::epoch(t.with_timezone(&chrono::Utc));
    }
    if !include_data {
        if let Some(m) = e.as_object_mut() {
            for (_, d) in m.iter_mut().filter(|(k, _)| k.ends_with("EventDetails")) {
                if let Some(d) = d.as_object_mut() {
                    for field in ["input", "output", "parameters", "assignedVariables"] {
                        d.remove(field);
                    }
                }
            }
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::journal::Json;

    fn events() -> Vec<Event> {
        let time = chrono::DateTime::from_timestamp_millis(1_700_000_000_123).unwrap_or_default();
        let event = |id, kind, details| Event { id, previous: id - 1, time, kind, details };
        let vars = [("b".to_string(), json!("x\"y")), ("a".to_string(), json!([1, 2.5]))].into_iter().collect();
        vec![
            event(
                1,
                "ExecutionStarted",
                Some(Details::with_data(
                    "executionStartedEventDetails",
                    json!({"roleArn": "r"}),
                    "input",
                    &json!({"q": "\"quoted\"\n"}),
                )),
            ),
            event(
                2,
                "TaskStateEntered",
                Some(Details::Entered { name: "T \"1\"".into(), input: Json::of(&json!("text")) }),
            ),
            event(
                3,
                "TaskScheduled",
                Some(Details::with_data(
                    "taskScheduledEventDetails",
                    json!({"resourceType": "lambda", "resource": "invoke", "region": "us-east-1"}),
                    "parameters",
                    &json!({"n": 1e300}),
                )),
            ),
            event(4, "TaskStarted", None),
            event(
                5,
                "TaskFailed",
                Some(("taskFailedEventDetails", json!({"error": "E", "cause": "{\"c\": 1}"})).into()),
            ),
            event(
                6,
                "TaskStateExited",
                Some(Details::Exited { name: "T \"1\"".into(), output: Json::of(&json!(null)), assigned: Some(vars) }),
            ),
            event(
                7,
                "PassStateExited",
                Some(Details::Exited { name: "P".into(), output: Json::of(&json!({})), assigned: None }),
            ),
        ]
    }

    /// What the events' AWS form gives, through the older stored form.
    fn as_aws(events: &[Event], include_data: bool) -> Vec<Value> {
        events.iter().map(|e| aws_event(serde_json::to_value(e).unwrap_or_default(), include_data)).collect()
    }

    #[test]
    fn stored_events_read_back_as_aws_shows_them() {
        let events = events();
        let text = serde_json::to_string(&Stored(&events)).unwrap_or_default();
        assert!(text.contains(r#""input",{"q":"\"quoted\"\n"}]"#), "data is kept raw: {text}");
        for include_data in [true, false] {
            assert_eq!(read(&text, include_data), Ok(as_aws(&events, include_data)));
        }
        assert_eq!(count(&text), events.len());
        let vars = &read(&text, true).unwrap_or_default()[5]["stateExitedEventDetails"]["assignedVariables"];
        assert_eq!(vars.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()), Some(vec!["b".into(), "a".into()]));
    }

    #[test]
    fn events_stored_as_aws_objects_still_read() {
        let events = events();
        let old = serde_json::to_string(&events).unwrap_or_default();
        assert_eq!(read(&old, true), Ok(as_aws(&events, true)));
        assert_eq!(read(&old, true).map(|e| e[0]["timestamp"].clone()), Ok(json!(1_700_000_000.123)));
        assert!(read("[[1,0]]", true).is_err_and(|e| e.contains("cut short")));
    }
}
