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

use super::find_binding;
use serde_json::Value;
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

/// The Rust handlers of a binary, by resource ARN or pattern, in the order
/// they were bound (the first matching pattern wins; an exact ARN wins
/// over every pattern).
#[derive(Clone, Default)]
pub struct Linked(Vec<(String, Handler)>);

impl Linked {
    pub fn bind<F>(&mut self, resource: &str, handler: F) -> &mut Linked
    where
        F: Fn(Value) -> Result<Value, TaskError> + Send + Sync + 'static,
    {
        self.0.push((resource.to_string(), Arc::new(handler)));
        self
    }

    pub(crate) fn find(&self, key: &str) -> Option<Handler> {
        find_binding(&self.0, key).cloned()
    }
}
