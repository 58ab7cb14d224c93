//! The typed model of a state machine: one type per state kind, every field
//! of both query languages, with paths, templates, intrinsic calls and
//! Choice rules already parsed. aslc's front end builds it (and reports
//! every problem on the way); the runtime executes it, so the interpreter
//! and generated code read the same structure.

use crate::choice::Rule;
use crate::intrinsic::Call;
use crate::jsonata::{self, Expr};
use crate::path::Path;
use crate::template::Template;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateMachine {
    pub comment: Option<String>,
    pub version: Option<String>,
    pub timeout_seconds: Option<u64>,
    pub query_language: QueryLanguage,
    pub root: Container,
}

/// A `States` object with its `StartAt`: the machine itself, a Parallel
/// branch or a Map processor. Transitions never leave a container.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Container {
    /// JSON pointer of the object holding `StartAt` and `States`.
    pub pointer: String,
    pub start_at: String,
    pub states: IndexMap<String, State>,
}

/// `InputPath`, `ResultPath`, `OutputPath`: `None` is an explicit `null`;
/// an absent field is read as `$`.
pub type IoPath = Option<Path>;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub name: String,
    pub pointer: String,
    pub comment: Option<String>,
    /// The effective query language (the state's, else the machine's).
    pub query_language: QueryLanguage,
    pub body: Body,
    pub next: Option<String>,
    pub end: bool,
    pub input_path: IoPath,
    #[serde(with = "crate::serde_text::present")]
    pub parameters: Option<Template>,
    #[serde(with = "crate::serde_text::present")]
    pub result_selector: Option<Template>,
    pub result_path: IoPath,
    pub output_path: IoPath,
    /// JSONata `Arguments` (Task, Parallel).
    #[serde(with = "crate::serde_text::present")]
    pub arguments: Option<jsonata::Template>,
    /// JSONata `Output`.
    #[serde(with = "crate::serde_text::present")]
    pub output: Option<jsonata::Template>,
    pub assign: Option<Assign>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Assign {
    /// JSONPath: only `.$` keys are evaluated, which is a payload template.
    Paths(Template),
    /// JSONata: every `{% %}` string at any depth is an expression.
    Jsonata(jsonata::Template),
}

/// One field of a state that holds JSONata, as `State::jsonata_fields`
/// lists them.
pub struct JsonataField<'m> {
    /// Where it sits in the state: `Output`, `Choices[0]/Condition`, `Catch[1]/Assign`.
    pub field: String,
    pub exprs: Vec<&'m Expr>,
    /// Whether AWS lets it read `$states.result` (a Task, Map or
    /// Parallel's own `Output` and `Assign`) and `$states.errorOutput` (a
    /// catcher's).
    pub result: bool,
    pub error_output: bool,
}

impl State {
    /// The states this one can go to: `Next`, Choice rules' `Next`,
    /// `Default` and catchers' `Next`.
    pub fn targets(&self) -> Vec<&str> {
        let mut targets: Vec<&str> = self.next.iter().map(String::as_str).collect();
        if let Body::Choice(ch) = &self.body {
            targets.extend(ch.choices.iter().map(|b| b.next.as_str()));
            targets.extend(ch.default.as_deref());
        }
        targets.extend(self.catch.iter().map(|c| c.next.as_str()));
        targets
    }

    /// Every field of the state that holds JSONata expressions.
    pub fn jsonata_fields(&self) -> Vec<JsonataField<'_>> {
        fn template(t: &Option<jsonata::Template>) -> Vec<&Expr> {
            t.iter().flat_map(jsonata::Template::expressions).collect()
        }
        fn assign(a: &Option<Assign>) -> Vec<&Expr> {
            match a {
                Some(Assign::Jsonata(t)) => t.expressions(),
                _ => Vec::new(),
            }
        }
        fn number(n: &Option<NumberField>) -> Vec<&Expr> {
            match n {
                Some(NumberField::Jsonata(e)) => vec![e],
                _ => Vec::new(),
            }
        }
        fn field(field: String, exprs: Vec<&Expr>) -> JsonataField<'_> {
            JsonataField { field, exprs, result: false, error_output: false }
        }
        let produces = matches!(self.body, Body::Task(_) | Body::Map(_) | Body::Parallel { .. });
        let mut out = vec![
            field("Arguments".into(), template(&self.arguments)),
            JsonataField { result: produces, ..field("Output".into(), template(&self.output)) },
            JsonataField { result: produces, ..field("Assign".into(), assign(&self.assign)) },
        ];
        for (i, c) in self.catch.iter().enumerate() {
            out.push(JsonataField { error_output: true, ..field(format!("Catch[{i}]/Output"), template(&c.output)) });
            out.push(JsonataField { error_output: true, ..field(format!("Catch[{i}]/Assign"), assign(&c.assign)) });
        }
        match &self.body {
            Body::Choice(ch) => {
                for (i, b) in ch.choices.iter().enumerate() {
                    if let Condition::Jsonata(t) = &b.condition {
                        out.push(field(format!("Choices[{i}]/Condition"), t.expressions()));
                    }
                    out.push(field(format!("Choices[{i}]/Output"), template(&b.output)));
                    out.push(field(format!("Choices[{i}]/Assign"), assign(&b.assign)));
                }
            }
            Body::Wait(WaitFor::SecondsExpr(e)) => out.push(field("Seconds".into(), vec![e])),
            Body::Wait(WaitFor::TimestampExpr(e)) => out.push(field("Timestamp".into(), vec![e])),
            Body::Fail(f) => {
                for (name, t) in [("Error", &f.error), ("Cause", &f.cause)] {
                    if let Some(FailText::Jsonata(e)) = t {
                        out.push(field(name.into(), vec![e]));
                    }
                }
            }
            Body::Task(t) => {
                out.push(field("TimeoutSeconds".into(), number(&t.timeout_seconds)));
                out.push(field("HeartbeatSeconds".into(), number(&t.heartbeat_seconds)));
            }
            Body::Map(m) => {
                out.push(field("Items".into(), template(&m.items)));
                if let Some(ItemSelector::Jsonata(t)) = &m.item_selector {
                    out.push(field("ItemSelector".into(), t.expressions()));
                }
                out.push(field("MaxConcurrency".into(), number(&m.max_concurrency)));
                out.push(field("ToleratedFailureCount".into(), number(&m.tolerated_failure_count)));
                out.push(field("ToleratedFailurePercentage".into(), number(&m.tolerated_failure_percentage)));
            }
            _ => {}
        }
        out.retain(|f| !f.exprs.is_empty());
        out
    }

    /// Whether any JSONata expression of the state may read
    /// `$states.context` (any use of `$states` other than `.input`,
    /// `.result` and `.errorOutput` counts).
    pub fn jsonata_may_read_context(&self) -> bool {
        self.jsonata_fields().iter().flat_map(|f| &f.exprs).any(|e| {
            e.text.match_indices("$states").any(|(i, _)| {
                let rest = &e.text[i + "$states".len()..];
                ![".input", ".result", ".errorOutput"].iter().any(|p| rest.starts_with(p))
            })
        })
    }
}

impl Assign {
    /// The variables this block assigns.
    pub fn names(&self) -> Vec<String> {
        let keys = |v: &Value| v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        match self {
            Assign::Paths(t) => keys(&t.source()).into_iter().map(|k| k.trim_end_matches(".$").to_string()).collect(),
            Assign::Jsonata(t) => keys(&t.source()),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Body {
    Pass {
        #[serde(with = "crate::serde_text::present")]
        result: Option<Value>,
    },
    Task(Task),
    Choice(Choice),
    Wait(WaitFor),
    Succeed,
    Fail(Fail),
    Parallel {
        branches: Vec<Container>,
    },
    Map(Box<Map>),
    /// A state whose `Type` is missing or unknown (already reported); kept
    /// so that transitions into it are not reported a second time.
    Invalid,
}

impl Body {
    pub fn type_name(&self) -> &'static str {
        match self {
            Body::Pass { .. } => "Pass",
            Body::Task(_) => "Task",
            Body::Choice(_) => "Choice",
            Body::Wait(_) => "Wait",
            Body::Succeed => "Succeed",
            Body::Fail(_) => "Fail",
            Body::Parallel { .. } => "Parallel",
            Body::Map(_) => "Map",
            Body::Invalid => "Invalid",
        }
    }
}

/// A numeric field given as a literal, a reference path or a JSONata string.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum NumberField {
    Literal(Number),
    Path(Path),
    Jsonata(Expr),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Task {
    pub resource: String,
    pub timeout_seconds: Option<NumberField>,
    pub heartbeat_seconds: Option<NumberField>,
    #[serde(with = "crate::serde_text::present")]
    pub credentials: Option<Value>,
    /// What the resource ARN names, read on the first call: every call
    /// dispatches and names its events by it.
    #[serde(skip)]
    kind: std::sync::OnceLock<crate::tasks::ResourceKind>,
}

impl Task {
    pub fn new(
        resource: String,
        timeout_seconds: Option<NumberField>,
        heartbeat_seconds: Option<NumberField>,
        credentials: Option<Value>,
    ) -> Task {
        Task { resource, timeout_seconds, heartbeat_seconds, credentials, kind: Default::default() }
    }

    pub(crate) fn kind(&self) -> &crate::tasks::ResourceKind {
        self.kind.get_or_init(|| crate::tasks::ResourceKind::of(&self.resource))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Choice {
    pub choices: Vec<ChoiceBranch>,
    pub default: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChoiceBranch {
    pub pointer: String,
    pub condition: Condition,
    pub next: String,
    pub assign: Option<Assign>,
    #[serde(with = "crate::serde_text::present")]
    pub output: Option<jsonata::Template>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Condition {
    Rule(Rule),
    /// JSONata `Condition`: `true`/`false` or a `{% %}` string.
    Jsonata(jsonata::Template),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum WaitFor {
    Seconds(u64),
    Timestamp(String),
    SecondsPath(Path),
    TimestampPath(Path),
    /// JSONata `Seconds` or `Timestamp` given as an expression.
    SecondsExpr(Expr),
    TimestampExpr(Expr),
}

/// A Fail state's `Error` or `Cause`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FailText {
    Literal(String),
    Path(Path),
    Call(Call),
    Jsonata(Expr),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fail {
    pub error: Option<FailText>,
    pub cause: Option<FailText>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ItemSelector {
    Template(Template),
    Jsonata(jsonata::Template),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Map {
    pub processor: Container,
    pub distributed: bool,
    pub items_path: Option<Path>,
    /// JSONata `Items`.
    #[serde(with = "crate::serde_text::present")]
    pub items: Option<jsonata::Template>,
    pub item_selector: Option<ItemSelector>,
    pub max_concurrency: Option<NumberField>,
    pub tolerated_failure_count: Option<NumberField>,
    pub tolerated_failure_percentage: Option<NumberField>,
    #[serde(with = "crate::serde_text::present")]
    pub item_reader: Option<Value>,
    #[serde(with = "crate::serde_text::present")]
    pub item_batcher: Option<Value>,
    #[serde(with = "crate::serde_text::present")]
    pub result_writer: Option<Value>,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: u64,
    pub max_attempts: u64,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub full_jitter: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Catcher {
    pub pointer: String,
    pub error_equals: Vec<String>,
    pub next: String,
    pub result_path: IoPath,
    #[serde(with = "crate::serde_text::present")]
    pub output: Option<jsonata::Template>,
    pub assign: Option<Assign>,
}

impl Container {
    /// Every container nested in this one's states, depth first.
    pub fn children(&self) -> Vec<&Container> {
        let mut out = Vec::new();
        for s in self.states.values() {
            match &s.body {
                Body::Parallel { branches } => out.extend(branches.iter()),
                Body::Map(m) => out.push(&m.processor),
                _ => {}
            }
        }
        out
    }
}
