//! Everything generated code calls, in one place. `aslc build` emits
//! `use asl_runtime::generated as rt;` and reaches the runtime only
//! through `rt::…`: what is here is the contract between the code
//! generator and the runtime, and the interpreter runs the same functions
//! behind it (`exec::run_state`, the history's events, the operators).
//!
//! It also loads the model a binary embeds: `aslc build` writes the
//! checked model as JSON (paths, templates, intrinsic calls and JSONata as
//! their text) and the binary parses it once, at first use, with the same
//! parsers aslc ran; a failure means a corrupted binary, not bad user
//! input, and is reported as an error, never a panic.

pub use crate::cli::{run_main, RunArgs};
pub use crate::env::{Context, ExecutionContext};
pub use crate::exec::{
    expr_seconds, expr_timestamp, fail_state, fast_paths_open, nested_transit, path_seconds, path_timestamp, recording,
    run_state, run_state_with, task_failed_selects, timestamp_delay, transit, transit_assigning, wait_state,
    wait_state_assigning, waits_directly, within_quota, Compiled, Execution, Flow, Io, Loaded, LocalBoxFuture, Machine,
    Nested, Startable, Transition, MAX_PAYLOAD_BYTES, STANDARD_HISTORY_LIMIT,
};
pub use crate::features::ServeLeftOut;
/// JSONata's operators as compiled expressions call them.
pub use crate::jsonata::fast as jsonata;
/// The checked model's types.
pub use crate::machine as model;
#[cfg(feature = "serve")]
pub use crate::serve::{main_compiled as serve_main, ServeArgs};
pub use crate::tasks::{serve as serve_handlers, Linked};
pub use crate::timestamp::parse as parse_timestamp;
pub use crate::vars::Vars;
#[cfg(feature = "mimalloc")]
pub use crate::MiMalloc;
pub use crate::StatesError;
pub use serde_json::{Map, Value};

/// Reading and writing payloads.
pub mod io {
    pub use crate::io::{bare_text, bound, fits, merge_result};
}

/// Reference paths: definite fields, and any path parsed once.
pub mod path {
    pub use crate::path::{field, Path};
}

/// Choice rules' comparisons.
pub mod choice {
    pub use crate::choice::{compare, string_matches, Cmp, Kind};
}

/// Intrinsic functions.
pub mod intrinsic {
    pub use crate::intrinsic::{apply, math_add, render, Function};
}

use crate::machine::{Container, State, StateMachine};
use std::sync::OnceLock;

/// An object of a fixed shape: its `keys` (distinct, in order) are hashed
/// once per call site, into `shape`, and each object is a copy of that
/// shape with `values` put in. serde_json's ordered map hashes every key
/// it inserts (SipHash); copying a shape hashes nothing.
pub fn object<const N: usize>(shape: &OnceLock<Map<String, Value>>, keys: [&str; N], values: [Value; N]) -> Value {
    let mut o = shape.get_or_init(|| keys.iter().map(|k| (k.to_string(), Value::Null)).collect()).clone();
    for (slot, v) in o.values_mut().zip(values) {
        *slot = v;
    }
    Value::Object(o)
}

/// A machine's checked model as a binary carries it: its JSON, parsed on
/// first use, so a run whose states all have a direct Rust form never
/// parses it.
pub struct Embedded {
    json: &'static str,
    parsed: OnceLock<Result<StateMachine, String>>,
}

impl Embedded {
    pub const fn new(json: &'static str) -> Embedded {
        Embedded { json, parsed: OnceLock::new() }
    }

    pub fn model(&'static self) -> Result<&'static StateMachine, StatesError> {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.json).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| StatesError::runtime(format!("the embedded state machine is corrupt: embedded model: {e}")))
    }
}

/// The state at `index` of a container of the embedded model.
pub fn state(c: Option<&'static Container>, index: usize) -> Result<&'static State, StatesError> {
    c.and_then(|c| c.states.get_index(index))
        .map(|(_, s)| s)
        .ok_or_else(|| StatesError::runtime("the embedded state machine is corrupt: a state is missing"))
}

/// A transition (from the model, or where a resumed flow stands) to a
/// state the generated code does not know.
pub fn unknown_target(name: &str) -> StatesError {
    StatesError::runtime(format!("the state '{name}' does not exist"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_of_one_shape_keep_their_own_values_and_the_key_order() {
        static SHAPE: OnceLock<Map<String, Value>> = OnceLock::new();
        let a = object(&SHAPE, ["z", "a"], [Value::from(1), Value::from("x")]);
        let b = object(&SHAPE, ["z", "a"], [Value::Null, Value::from(2)]);
        assert_eq!(a.to_string(), r#"{"z":1,"a":"x"}"#);
        assert_eq!(b.to_string(), r#"{"z":null,"a":2}"#);
        assert_eq!(a.get("a"), Some(&Value::from("x")));
    }

    #[test]
    fn a_corrupt_model_is_an_error_not_a_panic() {
        static BROKEN: Embedded = Embedded::new("{\"root\": 1");
        let e = BROKEN.model().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("the embedded state machine is corrupt"), "{e}");
        assert!(state(None, 0).is_err());
    }
}
