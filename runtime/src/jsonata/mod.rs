//! JSONata (`{% … %}`), behind one adapter over the `jsonata-core` crate so
//! it can be swapped. Expressions are parsed once, when the model is read;
//! each evaluation gets a fresh evaluator with `$states`, the variables the
//! expression names, and AWS's added functions. JSONata values are `!Send`:
//! evaluation is synchronous and never held across an `.await`.

mod aws;
#[cfg(feature = "jsonata")]
mod convert;
/// The evaluator: `jsonata-core`, or, in a binary built without the
/// `jsonata` feature (its machines have no JSONata), a stand-in whose
/// evaluations say so.
#[cfg_attr(not(feature = "jsonata"), path = "absent.rs")]
mod engine;
pub mod fast;
#[cfg(feature = "jsonata")]
mod functions;
mod template;

/// The syntax tree's types, for the code generator.
#[cfg(feature = "jsonata")]
pub use jsonata_core::ast;
pub use template::{Template, TemplateError};

use crate::error::{names, StatesError};
use crate::vars::Vars;
use serde_json::Value;

/// What an evaluation gave.
#[cfg_attr(not(feature = "jsonata"), allow(dead_code))]
enum Evaluated {
    /// A JSON value, or `None` for undefined.
    Json(Option<Value>),
    /// A function (a lambda or a built-in), which has no JSON form.
    Function,
}

/// A parsed JSONata expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The text between `{%` and `%}`, as AWS quotes it in errors.
    pub text: String,
    ast: engine::Ast,
    /// Workflow variables the text mentions, bound before evaluation.
    variables: Vec<String>,
}

/// The inner text of a JSONata string: exactly `{%` … `%}`.
pub fn expression_text(v: &Value) -> Option<&str> {
    v.as_str().and_then(|s| s.strip_prefix("{%")).and_then(|s| s.strip_suffix("%}"))
}

/// Why an expression cannot be used, with the AWS code that reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    pub code: &'static str,
    pub message: String,
}

impl Expr {
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        let trimmed = text.trim();
        let ast = engine::parse(trimmed)?;
        Ok(Expr { text: trimmed.to_string(), variables: mentioned_variables(trimmed), ast })
    }

    /// Evaluates with `$states` bound to `states`; `None` is JSONata's
    /// undefined (and a function, which has no JSON form). Errors carry
    /// JSONata's code and message.
    pub fn eval(&self, states: &Value, vars: &Vars) -> Result<Option<Value>, String> {
        Ok(match self.evaluate(states, vars)? {
            Evaluated::Json(v) => v,
            Evaluated::Function => None,
        })
    }

    /// The syntax tree, for the code generator's compiled forms.
    #[cfg(feature = "jsonata")]
    pub fn ast(&self) -> &jsonata_core::ast::AstNode {
        &self.ast
    }

    fn evaluate(&self, states: &Value, vars: &Vars) -> Result<Evaluated, String> {
        engine::evaluate(&self.ast, states, vars, &self.variables)
    }

    /// Whether the text mentions `$states.<part>` (for the create-time
    /// rules on where `result` and `errorOutput` may be read).
    pub fn mentions_states_part(&self, part: &str) -> bool {
        self.text.contains(&format!("$states.{part}"))
    }
}

/// The error AWS reports when an expression fails while a state runs.
pub fn failure(expr: &Expr, location: &str, message: Option<&str>) -> StatesError {
    let detail = match message {
        None => "returned nothing (undefined).".to_string(),
        // A coded JSONata message is a sentence of its own; a bare one follows a colon.
        Some(m) if engine::coded(m) => {
            format!("threw an error during evaluation. {m}")
        }
        Some(m) => format!("threw an error during evaluation: {m}"),
    };
    StatesError::scoped(
        names::QUERY_EVALUATION_ERROR,
        format!("The JSONata expression '{}' specified for the field '{location}' {detail}", expr.text),
    )
}

/// A JSONata number (f64) as JSON: integral values within 2^53 as
/// integers, so `1` stays `1`, not `1.0`.
pub fn json_number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Value::Number((n as i64).into())
    } else {
        serde_json::Number::from_f64(n).map(Value::Number).unwrap_or(Value::Null)
    }
}

/// JSON's name for a value's type, as AWS's messages spell it.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A field whose expression gave a value of the wrong type.
/// `text` is the field as written (`Template::text`, `Expr::text`).
pub fn unexpected_type(text: &str, location: &str, expected: &str, value: &Value) -> StatesError {
    StatesError::scoped(
        names::QUERY_EVALUATION_ERROR,
        format!(
            "The JSONata expression '{}' specified for the field '{location}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {value}",
            text,
            type_name(value)
        ),
    )
}

/// Evaluates `expr` for the field at `location`; undefined is an error,
/// and so is a function, which has no JSON form (AWS: "an unsupported
/// result type").
pub fn eval_required(expr: &Expr, location: &str, states: &Value, vars: &Vars) -> Result<Value, StatesError> {
    match expr.evaluate(states, vars).map_err(|m| failure(expr, location, Some(&m)))? {
        Evaluated::Json(Some(v)) => Ok(v),
        Evaluated::Json(None) => Err(failure(expr, location, None)),
        Evaluated::Function => Err(StatesError::scoped(
            names::QUERY_EVALUATION_ERROR,
            format!(
                "The JSONata expression '{}' specified for the field '{location}' returned an unsupported result type.",
                expr.text
            ),
        )),
    }
}

/// `$name` tokens in the text, other than `$states` and built-in functions
/// called by name (binding an unused name is harmless).
fn mentioned_variables(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '$' {
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while let Some(&(j, d)) = chars.peek() {
            if d.is_alphanumeric() || d == '_' {
                end = j + d.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let name = &text[start..end];
        if !name.is_empty() && name != "states" && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(all(test, feature = "jsonata"))]
mod tests;
