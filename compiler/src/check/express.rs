//! What an Express state machine may not use: `.sync`, `.waitForTaskToken`
//! and activities (AWS rejects them when the machine is created).

use crate::diagnostics::{codes, Diagnostic};
use crate::model::read::child;
use crate::model::{Body, Container};

pub fn check(c: &Container, diags: &mut Vec<Diagnostic>) {
    for s in c.states.values() {
        if let Body::Task(t) = &s.body {
            let r = &t.resource;
            let message = if r.ends_with(".sync") || r.ends_with(".sync:2") {
                Some("Express state machine does not support '.sync' service integration")
            } else if r.ends_with(".waitForTaskToken") {
                // AWS's text has a trailing space before " at …".
                Some("Express state machine does not support '.waitForTaskToken' service integration ")
            } else if r.split(':').nth(5) == Some("activity") && r.split(':').nth(2) == Some("states") {
                Some("Express state machine does not support Activity ARN")
            } else {
                None
            };
            if let Some(m) = message {
                diags.push(Diagnostic::error(codes::SCHEMA_VALIDATION_FAILED, m, Some(child(&s.pointer, "Resource"))));
            }
        }
    }
    for inner in c.children() {
        check(inner, diags);
    }
}
