//! The JSONata evaluator: `jsonata-core`, with a fresh evaluator per
//! evaluation holding `$states`, the variables the expression names, and
//! AWS's added functions.

use super::{convert, functions, Evaluated, ExprError};
use crate::vars::Vars;
use jsonata_core::ast::AstNode;
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorOptions};
use jsonata_core::value::JValue;
use serde_json::Value;

pub type Ast = AstNode;

/// The expression's syntax tree; a field read at the top level is refused
/// as AWS refuses it.
pub fn parse(trimmed: &str) -> Result<Ast, ExprError> {
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
    Ok(ast)
}

/// Evaluates `ast` with `$states` bound to `states` and `variables` (the
/// names the text mentions) bound from `vars`.
pub fn evaluate(ast: &Ast, states: &Value, vars: &Vars, variables: &[String]) -> Result<Evaluated, String> {
    let mut ctx = Context::new();
    ctx.bind("states".to_string(), convert::to_jvalue(states));
    for name in variables {
        if let Some(v) = vars.get(name) {
            ctx.bind(name.clone(), convert::to_jvalue(&v));
        }
    }
    // AWS stops an evaluation after one second.
    let options = EvaluatorOptions { timeout_ms: Some(1000), ..EvaluatorOptions::default() };
    let mut ev = Evaluator::with_options(ctx, options);
    functions::register(&mut ev).map_err(|e| e.message().to_string())?;
    let value = ev.evaluate(ast, &JValue::Null).map_err(|e| e.message().to_string())?;
    if matches!(value, JValue::Lambda(_) | JValue::Builtin { .. }) {
        return Ok(Evaluated::Function);
    }
    convert::from_jvalue(&value).map(Evaluated::Json)
}

/// Whether an error message starts with a JSONata error code (it is then
/// a sentence of its own).
pub fn coded(message: &str) -> bool {
    jsonata_core::evaluator::error_code_prefix(message).is_some()
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
