//! Constructors for the code `aslc build` generates. Generated code builds
//! the checked model once, at first use, from literals aslc has already
//! parsed and validated; these turn each literal back into its runtime
//! form with the same parsers, so a failure here means a corrupted binary
//! rather than bad user input, and is reported as an error, never a panic.

use crate::intrinsic::{self, Call};
use crate::jsonata;
use crate::path::Path;
use crate::template::Template;
use serde_json::Value;

pub type BuildResult<T> = Result<T, String>;

pub fn json(text: &str) -> BuildResult<Value> {
    serde_json::from_str(text).map_err(|e| format!("embedded JSON: {e}"))
}

pub fn path(text: &str) -> BuildResult<Path> {
    Path::parse(text).map_err(|e| e.message)
}

pub fn template(text: &str) -> BuildResult<Template> {
    Template::parse(&json(text)?).map_err(|e| format!("embedded template field '{}': {}", e.field, e.reason))
}

pub fn call(text: &str) -> BuildResult<Call> {
    intrinsic::parse(text)
}

pub fn jsonata_template(text: &str) -> BuildResult<jsonata::Template> {
    jsonata::Template::parse(&json(text)?).map_err(|e| e.error.message)
}

pub fn jsonata_expr(text: &str) -> BuildResult<jsonata::Expr> {
    jsonata::Expr::parse(text).map_err(|e| e.message)
}

pub fn number(text: &str) -> BuildResult<serde_json::Number> {
    serde_json::from_str(text).map_err(|e| format!("embedded number: {e}"))
}
