//! What TestState's TRACE level keeps of a task's exchange (filled in by
//! the HTTP Task, `http.rs`).

use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};

/// Where TestState's TRACE level wants an HTTP Task's exchange: the
/// request as sent and the response as received (`inspectionData`'s
/// `request` and `response`). Without `reveal`, the request is shown
/// without what the connection adds to it (credentials, its headers,
/// query parameters and body fields), as AWS hides them.
#[derive(Clone, Default)]
pub struct Trace {
    pub reveal: bool,
    pub seen: Arc<Mutex<Map<String, Value>>>,
}
