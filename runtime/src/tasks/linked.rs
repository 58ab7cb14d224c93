//! Rust task handlers linked into a binary that `aslc build --handlers`
//! makes: the workflow and its tasks ship as one program.
//!
//! The handlers file defines `pub fn register(handlers: &mut Linked)` and
//! binds resources (exact ARNs or `*` patterns) to functions from the
//! task's input to its result:
//!
//! ```
//! use asl_runtime::tasks::{Linked, TaskError};
//! use asl_runtime::serde_json::{json, Value};
//!
//! pub fn register(handlers: &mut Linked) {
//!     handlers.bind("arn:aws:lambda:*:*:function:greet", |input: Value| {
//!         let name = input["name"].as_str().ok_or_else(|| TaskError::new("NoName", "input.name is missing"))?;
//!         Ok(json!({ "greeting": format!("Hello, {name}!") }))
//!     });
//! }
//! ```

use super::command::CommandSpec;
use super::find_binding;
use crate::error::{names, StatesError};
use serde_json::{json, Value};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;

/// A task failure a handler reports: the error name Retry and Catch
/// match, and its cause.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskError {
    pub error: String,
    pub cause: String,
}

impl TaskError {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> TaskError {
        TaskError { error: error.into(), cause: cause.into() }
    }
}

pub type Handler = Arc<dyn Fn(Value) -> Result<Value, TaskError> + Send + Sync>;

/// Where a linked handler runs.
#[derive(Clone)]
pub enum Linking {
    /// In this process: a binary `aslc build --handlers` made.
    InProcess(Handler),
    /// In the handler host `aslc run --handlers` built, one run per task
    /// (see `serve`), through the command protocol.
    Host(CommandSpec),
}

/// The Rust handlers of a binary, by resource ARN or pattern, in the order
/// they were bound (the first matching pattern wins; an exact ARN wins
/// over every pattern).
#[derive(Clone, Default)]
pub struct Linked(Vec<(String, Linking)>);

impl Linked {
    pub fn bind<F>(&mut self, resource: &str, handler: F) -> &mut Linked
    where
        F: Fn(Value) -> Result<Value, TaskError> + Send + Sync + 'static,
    {
        self.0.push((resource.to_string(), Linking::InProcess(Arc::new(handler))));
        self
    }

    pub(crate) fn find(&self, key: &str) -> Option<Linking> {
        find_binding(&self.0, key).cloned()
    }

    /// The handlers a handler host serves, each bound to a run of it.
    pub fn host(program: &Path) -> Result<Linked, String> {
        let out = Command::new(program)
            .arg(LIST)
            .output()
            .map_err(|e| format!("cannot run the handler host {}: {e}", program.display()))?;
        let patterns: Vec<String> = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("the handler host {} listed no handlers: {e}", program.display()))?;
        let program = program.display().to_string();
        let entries = patterns
            .into_iter()
            .map(|p| {
                let argv = vec![program.clone(), INVOKE.to_string(), p.clone()];
                (p, Linking::Host(CommandSpec { argv, dir: PathBuf::from("."), env: Vec::new() }))
            })
            .collect();
        Ok(Linked(entries))
    }
}

const LIST: &str = "--list-handlers";
const INVOKE: &str = "--invoke-handler";

/// The `main` of a handler host: `--list-handlers` prints the bound
/// patterns as JSON; `--invoke-handler PATTERN` runs that handler with
/// the task input on standard input and answers by the command protocol
/// (the result on standard output, or `{"Error", "Cause"}` and status 1).
pub fn serve(register: fn(&mut Linked)) -> ExitCode {
    let mut linked = Linked::default();
    register(&mut linked);
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [LIST] => {
            let patterns: Vec<&str> = linked.0.iter().map(|(p, _)| p.as_str()).collect();
            println!("{}", json!(patterns));
            ExitCode::SUCCESS
        }
        [INVOKE, pattern] => {
            let handler = linked.0.iter().find_map(|(p, l)| match l {
                Linking::InProcess(h) if p == pattern => Some(h.clone()),
                _ => None,
            });
            let Some(handler) = handler else {
                eprintln!("no handler is bound to '{pattern}'");
                return ExitCode::from(2);
            };
            let mut text = String::new();
            let input = std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| e.to_string())
                .and_then(|_| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()));
            let answer = match input {
                Ok(v) => super::run_linked(&handler, v),
                Err(e) => Err(StatesError::new(names::TASK_FAILED, format!("the task input is not JSON: {e}"))),
            };
            match answer {
                Ok(v) => {
                    println!("{v}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    println!("{}", json!({"Error": e.error, "Cause": e.cause}));
                    ExitCode::from(1)
                }
            }
        }
        _ => {
            eprintln!("usage: {LIST} | {INVOKE} PATTERN (a handler host that aslc run starts)");
            ExitCode::from(2)
        }
    }
}
