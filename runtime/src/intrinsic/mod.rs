//! Intrinsic functions (`States.Format('{}', $.a)`): a parser for the call
//! grammar, run once when a definition is loaded, and the 18 functions.

mod functions;
mod java_random;
mod parse;

pub use functions::{apply, format_pieces, math_add, render, Function, Piece};
pub use java_random::JavaRandom;
pub use parse::parse;

use crate::path::Path;
use serde_json::Value;

/// One argument of an intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `'text'`: `value` has the escapes resolved; `raw` keeps `\{`/`\}`,
    /// which only `States.Format` gives a meaning to.
    Str {
        value: String,
        raw: String,
    },
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    Path(Path),
    Call(Box<Call>),
}

/// A parsed call: the function and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub function: Function,
    pub args: Vec<Arg>,
    /// The call as written, for error messages.
    pub text: String,
}

/// True when a template value is an intrinsic call rather than a path.
pub fn looks_like_call(text: &str) -> bool {
    text.starts_with("States.")
}
