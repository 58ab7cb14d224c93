//! The durable side of an execution: where every flow stands, saved with
//! the history events at each commit, so a Standard execution survives the
//! process that runs it.
//!
//! Each flow (the machine, a Parallel branch, a Map iteration) owns a
//! [`Slot`]: the state it is in or about to enter, that state's raw input,
//! its variables and, once the state has been entered, what the state has
//! done so far (retry attempts, a timer's deadline, finished iterations).
//! A commit writes the events since the last one and a snapshot of every
//! slot, atomically. Resuming rebuilds the slots from the snapshot: each
//! flow goes on from its state, and a state that was entered carries on
//! inside itself (no second entered event, the same deadline, the same
//! finished iterations).
//!
//! Architecture Invariant: a snapshot is taken only between two awaits of
//! the single thread that runs the execution, so every flow's slot agrees
//! with the events committed with it. A state that never awaits (Pass,
//! Choice, Succeed, Fail) cannot be seen half done and never commits; a
//! state that awaits records its point when it is entered.

use crate::error::StatesError;
use crate::exec::history::{Cursor, Event};
use crate::vars::Vars;
use chrono::{DateTime, Utc};
use futures::future::LocalBoxFuture;
use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

/// A value kept as its JSON text. A flow's slot holds its state's input
/// this way: the text is made once, shown by the state's event, shared by
/// every checkpoint until the flow moves on, and written as it is (a deep
/// copy of the value per commit cost more than the rest of the commit).
#[derive(Clone, Debug)]
pub struct Json(Arc<RawValue>);

impl Json {
    pub fn of(v: &Value) -> Json {
        // Serializing a `Value` cannot fail: its keys are strings.
        serde_json::value::to_raw_value(v).map(|raw| Json(Arc::from(raw))).unwrap_or_default()
    }

    pub fn text(&self) -> &str {
        self.0.get()
    }

    pub fn value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }
}

impl Default for Json {
    fn default() -> Json {
        Json(Arc::from(RawValue::NULL.to_owned()))
    }
}

impl PartialEq for Json {
    fn eq(&self, other: &Json) -> bool {
        self.text() == other.text()
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        Box::<RawValue>::deserialize(d).map(|raw| Json(Arc::from(raw)))
    }
}

/// Where one flow stands, as saved.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SavedFlow {
    /// The state running or about to run; `None`: the container's `StartAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// That state's raw input (the flow's input before its first state).
    #[serde(default)]
    pub input: Json,
    /// The id of the flow's latest event.
    pub cursor: u64,
    /// The flow's own variables (outer scopes are saved with their flows).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub vars: IndexMap<String, Value>,
    /// Present once the state has been entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inside: Option<SavedInside>,
    /// The flow has ended; `input` is its output.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ended: bool,
}

/// What an entered state has done so far.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SavedInside {
    pub entered_id: u64,
    /// Unix milliseconds (`$$.State.EnteredTime` stays what it was).
    pub entered: i64,
    /// The attempt running (0 before any retry) and each retrier's count.
    #[serde(default)]
    pub attempt: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<u64>,
    /// A Wait's deadline or a retry's, in unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    /// A Map's iterations or a Parallel's branches, once started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children: Option<SavedChildren>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct SavedChildren {
    pub done: BTreeMap<usize, Done>,
    pub open: BTreeMap<usize, SavedFlow>,
}

/// How a child flow ended.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Done {
    Output(Value),
    Error { error: Option<String>, cause: Option<String> },
}

impl Done {
    pub fn of(r: &Result<Value, StatesError>) -> Done {
        match r {
            Ok(v) => Done::Output(v.clone()),
            Err(e) => Done::Error { error: e.error.clone(), cause: e.cause.clone() },
        }
    }

    pub fn into_result(self) -> Result<Value, StatesError> {
        match self {
            Done::Output(v) => Ok(v),
            Done::Error { error, cause } => Err(StatesError { error, cause, state_scoped: false }),
        }
    }
}

/// A whole execution's saved progress.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Checkpoint {
    pub root: SavedFlow,
    /// The id of the latest committed event: ids go on from here.
    pub last_event_id: u64,
    /// How many times each state's task was invoked (mock responses).
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub invocations: HashMap<String, u64>,
}

impl Checkpoint {
    /// A new execution's: its `ExecutionStarted` event committed, nothing run.
    pub fn started(input: Value) -> Checkpoint {
        Checkpoint {
            root: SavedFlow { input: Json::of(&input), cursor: 1, ..SavedFlow::default() },
            last_event_id: 1,
            invocations: HashMap::new(),
        }
    }
}

/// How an execution ended, for its last commit.
#[derive(Debug, Clone)]
pub struct End {
    pub status: &'static str,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub stop_date: DateTime<Utc>,
}

/// One atomic write: events since the last commit, then either the new
/// checkpoint or the end.
#[derive(Debug)]
pub struct Commit {
    pub events: Vec<Event>,
    pub checkpoint: Option<Checkpoint>,
    pub end: Option<End>,
}

/// Where commits go (the server's store). The future resolves once the
/// commit is durable; an error means it never will be.
pub trait Sink {
    fn commit(&self, c: Commit) -> LocalBoxFuture<'static, Result<(), String>>;
}

/// The live counterpart of `SavedFlow`.
pub struct Slot {
    vars: Rc<Vars>,
    cursor: Cursor,
    point: RefCell<Point>,
    /// What a resumed flow has yet to pick up: its start state (the
    /// runner), then what its state had done (`run_state`).
    pending: RefCell<Option<SavedFlow>>,
}

#[derive(Default)]
struct Point {
    state: Option<String>,
    input: Json,
    inside: Option<Inside>,
    ended: bool,
}

struct Inside {
    entered_id: u64,
    entered: i64,
    attempt: u64,
    counts: Vec<u64>,
    until: Option<i64>,
    children: Option<Children>,
}

#[derive(Default)]
struct Children {
    done: BTreeMap<usize, Done>,
    open: BTreeMap<usize, Rc<Slot>>,
}

impl Slot {
    /// A new flow's slot: it starts at its container's `StartAt`.
    pub fn fresh(vars: Rc<Vars>, cursor: Cursor, input: &Value) -> Rc<Slot> {
        let point = Point { input: Json::of(input), ..Point::default() };
        Rc::new(Slot { vars, cursor, point: RefCell::new(point), pending: RefCell::new(None) })
    }

    /// A resumed flow's slot: its variables are put back.
    pub fn resumed(vars: Rc<Vars>, cursor: Cursor, saved: SavedFlow) -> Rc<Slot> {
        vars.restore(saved.vars.clone());
        let point = Point { state: saved.state.clone(), input: saved.input.clone(), inside: None, ended: saved.ended };
        Rc::new(Slot { vars, cursor, point: RefCell::new(point), pending: RefCell::new(Some(saved)) })
    }

    fn save(&self) -> SavedFlow {
        let p = self.point.borrow();
        SavedFlow {
            state: p.state.clone(),
            input: p.input.clone(),
            cursor: self.cursor.last(),
            vars: self.vars.own(),
            ended: p.ended,
            inside: p.inside.as_ref().map(|i| SavedInside {
                entered_id: i.entered_id,
                entered: i.entered,
                attempt: i.attempt,
                counts: i.counts.clone(),
                until: i.until,
                children: i.children.as_ref().map(|c| SavedChildren {
                    done: c.done.clone(),
                    open: c.open.iter().map(|(k, s)| (*k, s.save())).collect(),
                }),
            }),
        }
    }

    /// The state a resumed flow starts at (once; later calls say `None`).
    pub fn resume_at(&self) -> Option<String> {
        let mut pending = self.pending.borrow_mut();
        let state = pending.as_ref().and_then(|p| p.state.clone());
        if pending.as_ref().is_some_and(|p| p.inside.is_none()) {
            *pending = None;
        }
        state
    }

    /// What `state` had done before the restart, if the flow resumes inside it.
    pub fn resume_inside(&self, state: &str) -> Option<SavedInside> {
        let mut pending = self.pending.borrow_mut();
        let p = pending.take()?;
        if p.state.as_deref() != Some(state) {
            return None;
        }
        p.inside
    }

    /// The state has been entered (its entered event is `entered_id`).
    pub fn enter(&self, state: &str, input: Json, entered_id: u64, entered: DateTime<Utc>) {
        *self.point.borrow_mut() = Point {
            state: Some(state.to_string()),
            input,
            inside: Some(Inside {
                entered_id,
                entered: entered.timestamp_millis(),
                attempt: 0,
                counts: Vec::new(),
                until: None,
                children: None,
            }),
            ended: false,
        };
    }

    /// The state is done: the flow goes to `next` with `output`.
    /// The text of the input the flow's state was entered with.
    pub fn input(&self) -> Json {
        self.point.borrow().input.clone()
    }

    pub fn leave(&self, next: &str, output: Json) {
        *self.point.borrow_mut() = Point { state: Some(next.to_string()), input: output, ..Point::default() };
    }

    /// The flow's last state is done: `output` is the flow's.
    pub fn end(&self, output: Json) {
        *self.point.borrow_mut() = Point { input: output, ended: true, ..Point::default() };
    }

    fn with_inside(&self, f: impl FnOnce(&mut Inside)) {
        if let Some(i) = self.point.borrow_mut().inside.as_mut() {
            f(i);
        }
    }

    /// A new attempt of the state's work; its children start over.
    pub fn attempt(&self, attempt: u64, counts: &[u64]) {
        self.with_inside(|i| {
            i.attempt = attempt;
            i.counts = counts.to_vec();
            i.until = None;
            i.children = None;
        });
    }

    /// The state waits until `t` (a Wait, or the backoff before a retry).
    pub fn until(&self, t: Option<DateTime<Utc>>) {
        self.with_inside(|i| i.until = t.map(|t| t.timestamp_millis()));
    }

    /// The state's Map iterations or Parallel branches have started.
    pub fn children_started(&self) {
        self.with_inside(|i| i.children = Some(Children::default()));
    }

    pub fn child_open(&self, index: usize, child: Rc<Slot>) {
        self.with_inside(|i| {
            if let Some(c) = i.children.as_mut() {
                c.open.insert(index, child);
            }
        });
    }

    pub fn child_done(&self, index: usize, result: &Result<Value, StatesError>) {
        self.with_inside(|i| {
            if let Some(c) = i.children.as_mut() {
                c.open.remove(&index);
                c.done.insert(index, Done::of(result));
            }
        });
    }
}

/// An execution's journal: its root slot and where commits go.
pub struct Journal {
    pub root: Rc<Slot>,
    pub sink: Rc<dyn Sink>,
}

/// Unix milliseconds as a time.
pub fn time_of(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

impl Journal {
    pub fn checkpoint(&self, last_event_id: u64, invocations: HashMap<String, u64>) -> Checkpoint {
        Checkpoint { root: self.root.save(), last_event_id, invocations }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_slot_saves_what_it_was_resumed_from() {
        let saved = SavedFlow {
            state: Some("Wait".into()),
            input: Json::of(&json!({"a": 1})),
            cursor: 7,
            vars: [("x".to_string(), json!(2))].into_iter().collect(),
            inside: Some(SavedInside {
                entered_id: 6,
                entered: 1_700_000_000_000,
                attempt: 1,
                counts: vec![1],
                until: Some(1_700_000_005_000),
                children: None,
            }),
            ended: false,
        };
        let vars = Vars::root();
        let slot = Slot::resumed(vars.clone(), Cursor::new(7), saved.clone());
        assert_eq!(vars.get("x"), Some(json!(2)));
        assert_eq!(slot.resume_at().as_deref(), Some("Wait"));
        let inside = slot.resume_inside("Wait").expect("resumes inside Wait");
        assert_eq!(inside.until, Some(1_700_000_005_000));
        // Once picked up, the flow is no longer resuming.
        assert!(slot.resume_inside("Wait").is_none());
        slot.enter("Wait", Json::of(&json!({"a": 1})), inside.entered_id, time_of(inside.entered));
        slot.attempt(inside.attempt, &inside.counts);
        slot.until(Some(time_of(1_700_000_005_000)));
        assert_eq!(slot.save(), saved);
    }

    #[test]
    fn children_are_saved_open_and_done() {
        let root = Slot::fresh(Vars::root(), Cursor::new(1), &json!([1, 2]));
        root.enter("Map", Json::of(&json!([1, 2])), 2, time_of(0));
        root.children_started();
        let child = Slot::fresh(Vars::root(), Cursor::new(3), &json!(2));
        child.leave("B", Json::of(&json!(5)));
        root.child_open(1, child);
        root.child_done(0, &Ok(json!("x")));
        let saved = root.save();
        let children = saved.inside.and_then(|i| i.children).expect("children saved");
        assert_eq!(children.done.get(&0), Some(&Done::Output(json!("x"))));
        assert_eq!(children.open.get(&1).and_then(|f| f.state.as_deref()), Some("B"));
        let text = serde_json::to_string(&children).expect("serializes");
        assert_eq!(serde_json::from_str::<SavedChildren>(&text).expect("reads back"), children);
    }
}
