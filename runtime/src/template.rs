//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, …):
//! keys ending in `.$` take their value from a path or an intrinsic call,
//! at any depth; everything else is copied as written. Constant subtrees
//! are kept as ready-made values so evaluation only does the dynamic work.

use crate::env::Env;
use crate::error::StatesError;
use crate::intrinsic::{self, Call};
use crate::path::Path;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    Constant(Value),
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    /// A `.$` value that is a path; `field` is the key as written (`a.$`).
    Path {
        path: Path,
        field: String,
    },
    Call {
        call: Call,
        field: String,
    },
}

/// A `.$` value that is neither a path nor an intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    /// The offending key, with its `.$`.
    pub field: String,
    pub reason: String,
}

impl Template {
    pub fn parse(value: &Value) -> Result<Template, TemplateError> {
        match value {
            Value::Object(map) => {
                let mut fields = Vec::with_capacity(map.len());
                for (k, v) in map {
                    match k.strip_suffix(".$") {
                        Some(name) => fields.push((name.to_string(), Self::dynamic(k, v)?)),
                        None => fields.push((k.clone(), Self::parse(v)?)),
                    }
                }
                if fields.iter().all(|(_, t)| matches!(t, Template::Constant(_))) {
                    return Ok(Template::Constant(Value::Object(
                        fields
                            .into_iter()
                            .filter_map(|(k, t)| if let Template::Constant(v) = t { Some((k, v)) } else { None })
                            .collect(),
                    )));
                }
                Ok(Template::Object(fields))
            }
            Value::Array(items) => {
                let items = items.iter().map(Self::parse).collect::<Result<Vec<_>, _>>()?;
                if items.iter().all(|t| matches!(t, Template::Constant(_))) {
                    return Ok(Template::Constant(Value::Array(
                        items
                            .into_iter()
                            .filter_map(|t| if let Template::Constant(v) = t { Some(v) } else { None })
                            .collect(),
                    )));
                }
                Ok(Template::Array(items))
            }
            other => Ok(Template::Constant(other.clone())),
        }
    }

    fn dynamic(key: &str, value: &Value) -> Result<Template, TemplateError> {
        let err = |reason: String| TemplateError { field: key.to_string(), reason };
        let Value::String(text) = value else {
            return Err(err("the value is not a string".into()));
        };
        if intrinsic::looks_like_call(text) {
            let call = intrinsic::parse(text).map_err(err)?;
            Ok(Template::Call { call, field: key.to_string() })
        } else {
            let path = Path::parse(text).map_err(|e| err(e.message))?;
            Ok(Template::Path { path, field: key.to_string() })
        }
    }

    /// The template as it was written (`.$` keys and all), which parses
    /// back to an equal template.
    pub fn source(&self) -> Value {
        match self {
            Template::Constant(v) => v.clone(),
            Template::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, t)| match t {
                        Template::Path { field, .. } | Template::Call { field, .. } => (field.clone(), t.source()),
                        _ => (k.clone(), t.source()),
                    })
                    .collect(),
            ),
            Template::Array(items) => Value::Array(items.iter().map(Template::source).collect()),
            Template::Path { path, .. } => Value::String(path.text.clone()),
            Template::Call { call, .. } => Value::String(call.text.clone()),
        }
    }

    pub fn eval(&self, env: &Env<'_>) -> Result<Value, StatesError> {
        match self {
            Template::Constant(v) => Ok(v.clone()),
            Template::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (k, t) in fields {
                    out.insert(k.clone(), t.eval(env)?);
                }
                Ok(Value::Object(out))
            }
            Template::Array(items) => items.iter().map(|t| t.eval(env)).collect::<Result<_, _>>().map(Value::Array),
            Template::Path { path, field } => env.read(path).map_err(|_| {
                StatesError::runtime(format!(
                    "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
                    path.text, field, env.input
                ))
            }),
            Template::Call { call, .. } => call.eval(env),
        }
    }
}
