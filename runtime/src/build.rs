//! What generated code calls to load its model. `aslc build` embeds the
//! checked model as JSON (paths, templates, intrinsic calls and JSONata as
//! their text) and the binary parses it once, at first use, with the same
//! parsers aslc ran; a failure means a corrupted binary, not bad user
//! input, and is reported as an error, never a panic.

use crate::machine::StateMachine;

pub type BuildResult<T> = Result<T, String>;

pub fn model(json: &str) -> BuildResult<StateMachine> {
    serde_json::from_str(json).map_err(|e| format!("embedded model: {e}"))
}
