//! What a path can read while a state runs: its input (`$`), the context
//! object (`$$`) and the variables (`$name`).

use crate::path::{Path, PathError, Root};
use crate::vars::Vars;
use serde_json::Value;

pub struct Env<'a> {
    pub input: &'a Value,
    pub context: &'a Value,
    pub vars: &'a Vars,
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
            Root::Context => path.select(self.context).map_err(ReadError::Path),
            Root::Variable(name) => {
                let value = self.vars.get(name).ok_or_else(|| ReadError::UndefinedVariable(name.clone()))?;
                path.select(&value).map_err(ReadError::Path)
            }
        }
    }
}
