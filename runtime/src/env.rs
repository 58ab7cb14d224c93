//! What a path can read while a state runs: its input (`$`), the context
//! object (`$$`) and the variables (`$name`).

use crate::path::{Path, PathError, Root, Segment};
use crate::vars::Vars;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// The execution's part of the context object (`Execution` and
/// `StateMachine`), built the first time a path reads it: most executions
/// never do, and one parked in a Wait should not hold it.
pub struct ExecutionContext {
    map: std::cell::OnceCell<Map<String, Value>>,
    build: Box<dyn Fn() -> Map<String, Value>>,
    /// The map is the whole context object, `State` and `Task` included
    /// (TestState's `context`): nothing is added to it.
    whole: bool,
}

impl ExecutionContext {
    pub fn new(build: impl Fn() -> Map<String, Value> + 'static) -> ExecutionContext {
        ExecutionContext { map: std::cell::OnceCell::new(), build: Box::new(build), whole: false }
    }

    /// A context object given whole, as TestState's `context` is.
    pub fn whole(map: Map<String, Value>) -> ExecutionContext {
        ExecutionContext { map: std::cell::OnceCell::from(map), build: Box::new(Map::new), whole: true }
    }

    pub fn map(&self) -> &Map<String, Value> {
        self.map.get_or_init(|| (self.build)())
    }
}

pub struct Env<'a> {
    pub input: &'a Value,
    pub context: &'a Context<'a>,
    pub vars: &'a Vars,
}

/// The context object (`$$`) of one state, assembled only as far as a path
/// reads it: most states never look, and building it for each would copy
/// the execution input every time.
#[derive(Clone, Default)]
pub struct Context<'a> {
    /// `Execution` and `StateMachine`.
    pub execution: Option<&'a ExecutionContext>,
    pub state_name: &'a str,
    pub entered: Option<DateTime<Utc>>,
    /// `State.RetryCount`, present for Task, Parallel and Map states.
    pub retry_count: Option<u64>,
    pub task_token: Option<&'a str>,
    /// `Map.Item`, inside a Map's ItemSelector only.
    pub map_item: Option<Value>,
}

impl Context<'_> {
    /// One top-level field of the context object.
    pub fn get(&self, key: &str) -> Option<Value> {
        if let Some(e) = self.execution.filter(|e| e.whole) {
            return e.map().get(key).cloned();
        }
        match key {
            "State" => {
                let mut s = Map::new();
                if let Some(t) = self.entered {
                    s.insert("EnteredTime".into(), json!(crate::timestamp::format_context(t)));
                }
                s.insert("Name".into(), json!(self.state_name));
                if let Some(n) = self.retry_count {
                    s.insert("RetryCount".into(), json!(n));
                }
                Some(Value::Object(s))
            }
            "Task" => self.task_token.map(|t| json!({ "Token": t })),
            "Map" => self.map_item.as_ref().map(|i| json!({ "Item": i })),
            other => self.execution.and_then(|e| e.map().get(other)).cloned(),
        }
    }

    /// The whole object, as `$$` or JSONata's `$states.context` sees it.
    pub fn to_value(&self) -> Value {
        let mut m = self.execution.map(|e| e.map().clone()).unwrap_or_default();
        if self.execution.is_some_and(|e| e.whole) {
            return Value::Object(m);
        }
        for key in ["State", "Task", "Map"] {
            if let Some(v) = self.get(key) {
                m.insert(key.into(), v);
            }
        }
        Value::Object(m)
    }

    /// A `$$` path; generated code reads it here, as `Env::read` does.
    pub fn read(&self, path: &Path) -> Result<Value, PathError> {
        // `$$.Map.Item…`, read in every Map iteration's ItemSelector, without
        // assembling the `Map` object first.
        if let (Some(item), [Segment::Child(map), Segment::Child(it), ..]) = (&self.map_item, path.segments.as_slice())
        {
            if map == "Map" && it == "Item" {
                return path.select_after(item, 2);
            }
        }
        match path.segments.first() {
            Some(Segment::Child(key)) => match self.get(key) {
                Some(v) => path.select_after(&v, 1),
                None => path.select(&Value::Object(Map::new())),
            },
            _ => path.select(&self.to_value()),
        }
    }
}

/// Why a path read nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadError {
    Path(PathError),
    UndefinedVariable(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Path(e) => e.fmt(f),
            ReadError::UndefinedVariable(name) => write!(f, "The variable '{name}' is not defined"),
        }
    }
}

impl<'a> Env<'a> {
    pub fn with_input(&self, input: &'a Value) -> Env<'a> {
        Env { input, context: self.context, vars: self.vars }
    }

    /// Reads a path with ASL's rules (see `Path::select`).
    pub fn read(&self, path: &Path) -> Result<Value, ReadError> {
        match &path.root {
            Root::Input => path.select(self.input).map_err(ReadError::Path),
            Root::Context => self.context.read(path).map_err(ReadError::Path),
            Root::Variable(name) => {
                let value = self.vars.get(name).ok_or_else(|| ReadError::UndefinedVariable(name.clone()))?;
                path.select(&value).map_err(ReadError::Path)
            }
        }
    }
}
