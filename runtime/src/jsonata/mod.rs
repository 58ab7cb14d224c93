//! JSONata (`{% … %}`), behind one adapter over the `jsonata-core` crate so
//! it can be swapped. Expressions are parsed once, when the model is read;
//! each evaluation gets a fresh evaluator with `$states`, the variables the
//! expression names, and AWS's added functions. JSONata values are `!Send`:
//! evaluation is synchronous and never held across an `.await`.

mod convert;
mod functions;
mod template;

pub use template::{Template, TemplateError};

use crate::error::{names, StatesError};
use crate::vars::Vars;
use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorOptions};
use jsonata_core::value::JValue;
use serde_json::Value;

/// A parsed JSONata expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The text between `{%` and `%}`, as AWS quotes it in errors.
    pub text: String,
    ast: AstNode,
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
        let ast = jsonata_core::parser::parse(trimmed).map_err(|e| ExprError {
            code: "INVALID_JSONATA_EXPRESSION",
            message: format!("The JSONata expression '{trimmed}' is not valid: {e}"),
        })?;
        if let Some(name) = top_level_reference(&ast) {
            return Err(ExprError {
                code: "UNSUPPORTED_JSONATA_EXPRESSION",
                message: format!("Reference to '{name}' at the top level is not supported."),
            });
        }
        Ok(Expr { text: trimmed.to_string(), variables: mentioned_variables(trimmed), ast })
    }

    /// Evaluates with `$states` bound to `states`; `None` is JSONata's
    /// undefined. Errors carry JSONata's code and message.
    pub fn eval(&self, states: &Value, vars: &Vars) -> Result<Option<Value>, String> {
        convert::from_jvalue(&self.evaluate(states, vars)?)
    }

    /// The JSONata value itself (a function stays a function).
    fn evaluate(&self, states: &Value, vars: &Vars) -> Result<JValue, String> {
        let mut ctx = Context::new();
        ctx.bind("states".to_string(), convert::to_jvalue(states));
        for name in &self.variables {
            if let Some(v) = vars.get(name) {
                ctx.bind(name.clone(), convert::to_jvalue(&v));
            }
        }
        // AWS stops an evaluation after one second.
        let options = EvaluatorOptions { timeout_ms: Some(1000), ..EvaluatorOptions::default() };
        let mut ev = Evaluator::with_options(ctx, options);
        functions::register(&mut ev).map_err(|e| e.message().to_string())?;
        ev.evaluate(&self.ast, &JValue::Null).map_err(|e| e.message().to_string())
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
        Some(m) if jsonata_core::evaluator::error_code_prefix(m).is_some() => {
            format!("threw an error during evaluation. {m}")
        }
        Some(m) => format!("threw an error during evaluation: {m}"),
    };
    StatesError::scoped(
        names::QUERY_EVALUATION_ERROR,
        format!("The JSONata expression '{}' specified for the field '{location}' {detail}", expr.text),
    )
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
    let value = expr.evaluate(states, vars).map_err(|m| failure(expr, location, Some(&m)))?;
    if matches!(value, JValue::Lambda(_) | JValue::Builtin { .. }) {
        return Err(StatesError::scoped(
            names::QUERY_EVALUATION_ERROR,
            format!(
                "The JSONata expression '{}' specified for the field '{location}' returned an unsupported result type.",
                expr.text
            ),
        ));
    }
    match convert::from_jvalue(&value) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(failure(expr, location, None)),
        Err(m) => Err(failure(expr, location, Some(&m))),
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

/// A bare field name or `$` at the top of an expression reads the input,
/// which AWS refuses (the input is `$states.input`).
fn top_level_reference(ast: &AstNode) -> Option<String> {
    match ast {
        AstNode::Name(n) => Some(n.clone()),
        AstNode::Path { steps } => match steps.first().map(|s| &s.node) {
            Some(AstNode::Name(n)) => Some(n.clone()),
            _ => None,
        },
        AstNode::Variable(n) if n.is_empty() => Some("$".to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
