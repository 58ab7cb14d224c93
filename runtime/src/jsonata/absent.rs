//! JSONata in a binary built without the `jsonata` feature: aslc enables
//! it for every bundle with a JSONata state, so nothing here is evaluated
//! in practice; expressions are kept as text and an evaluation says which
//! feature is missing.

use super::{Evaluated, ExprError};
use crate::vars::Vars;
use serde_json::Value;

/// Nothing: the text is all that is kept.
#[derive(Debug, Clone)]
pub struct Ast;

pub fn parse(_trimmed: &str) -> Result<Ast, ExprError> {
    Ok(Ast)
}

pub fn evaluate(_: &Ast, _: &Value, _: &Vars, _: &[String]) -> Result<Evaluated, String> {
    Err(crate::features::missing("jsonata", "JSONata"))
}

pub fn coded(_message: &str) -> bool {
    false
}
