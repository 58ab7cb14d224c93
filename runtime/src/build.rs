//! What generated code calls to load its model. `aslc build` embeds the
//! checked model as JSON (paths, templates, intrinsic calls and JSONata as
//! their text) and the binary parses it once, at first use, with the same
//! parsers aslc ran; a failure means a corrupted binary, not bad user
//! input, and is reported as an error, never a panic.

use crate::error::StatesError;
use crate::machine::{Container, State, StateMachine};
use std::sync::OnceLock;

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
    fn a_corrupt_model_is_an_error_not_a_panic() {
        static BROKEN: Embedded = Embedded::new("{\"root\": 1");
        let e = BROKEN.model().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("the embedded state machine is corrupt"), "{e}");
        assert!(state(None, 0).is_err());
    }
}
