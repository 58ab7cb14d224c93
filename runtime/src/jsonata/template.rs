//! A field that accepts JSONata (`Arguments`, `Output`, `Assign`, `Items`,
//! …): any JSON value in which every `{% %}` string, at any depth, is an
//! expression. Constant parts are kept ready-made.

use super::{eval_required, expression_text, Expr, ExprError};
use crate::error::StatesError;
use crate::vars::Vars;
use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub enum Template {
    Constant(Value),
    Expr(Expr),
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
}

/// A bad expression inside a template, with where it sits (`a/b[0]`,
/// relative to the template).
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    pub path: Vec<String>,
    pub error: ExprError,
}

impl Template {
    pub fn parse(v: &Value) -> Result<Template, TemplateError> {
        Ok(match v {
            Value::String(_) => match expression_text(v) {
                Some(text) => Template::Expr(Expr::parse(text).map_err(|error| TemplateError { path: vec![], error })?),
                None => Template::Constant(v.clone()),
            },
            Value::Object(map) => {
                let mut fields = Vec::with_capacity(map.len());
                for (k, v) in map {
                    let t = Self::parse(v).map_err(|mut e| {
                        e.path.insert(0, k.clone());
                        e
                    })?;
                    fields.push((k.clone(), t));
                }
                if fields.iter().all(|(_, t)| matches!(t, Template::Constant(_))) {
                    return Ok(Template::Constant(v.clone()));
                }
                Template::Object(fields)
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    out.push(Self::parse(v).map_err(|mut e| {
                        e.path.insert(0, i.to_string());
                        e
                    })?);
                }
                if out.iter().all(|t| matches!(t, Template::Constant(_))) {
                    return Ok(Template::Constant(v.clone()));
                }
                Template::Array(out)
            }
            other => Template::Constant(other.clone()),
        })
    }

    /// The field as written: an expression's text, or the JSON of a constant.
    pub fn text(&self) -> String {
        match self {
            Template::Expr(e) => e.text.clone(),
            Template::Constant(v) => v.to_string(),
            Template::Object(_) | Template::Array(_) => "{…}".to_string(),
        }
    }

    /// The field as it was written, which parses back to an equal template.
    pub fn source(&self) -> Value {
        match self {
            Template::Constant(v) => v.clone(),
            Template::Expr(e) => Value::String(format!("{{% {} %}}", e.text)),
            Template::Object(f) => Value::Object(f.iter().map(|(k, t)| (k.clone(), t.source())).collect()),
            Template::Array(a) => Value::Array(a.iter().map(Template::source).collect()),
        }
    }

    /// Every expression in the template.
    pub fn expressions(&self) -> Vec<&Expr> {
        match self {
            Template::Constant(_) => vec![],
            Template::Expr(e) => vec![e],
            Template::Object(f) => f.iter().flat_map(|(_, t)| t.expressions()).collect(),
            Template::Array(a) => a.iter().flat_map(Template::expressions).collect(),
        }
    }

    /// Evaluates for the field named `location` (`Output`, `Assign/x`, …);
    /// errors name the exact place, as in `Output/a/b[0]`.
    pub fn eval(&self, location: &str, states: &Value, vars: &Vars) -> Result<Value, StatesError> {
        match self {
            Template::Constant(v) => Ok(v.clone()),
            Template::Expr(e) => eval_required(e, location, states, vars),
            Template::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (k, t) in fields {
                    out.insert(k.clone(), t.eval(&format!("{location}/{k}"), states, vars)?);
                }
                Ok(Value::Object(out))
            }
            Template::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, t)| t.eval(&format!("{location}[{i}]"), states, vars))
                .collect::<Result<_, _>>()
                .map(Value::Array),
        }
    }
}
