//! Every `StartAt`, `Next`, `Default` and catcher `Next` names a state of
//! the same container.

use crate::diagnostics::{codes, Diagnostic};
use crate::model::read::child;
use crate::model::{Body, Container};

pub fn check(c: &Container, diags: &mut Vec<Diagnostic>) {
    let mut missing = |field: &str, target: &str, at: String| {
        if !c.states.contains_key(target) {
            diags.push(Diagnostic::error(
                codes::MISSING_TRANSITION_TARGET,
                format!("Missing '{field}' target: {target}"),
                Some(at),
            ));
        }
    };
    missing("StartAt", &c.start_at, child(&c.pointer, "StartAt"));
    for s in c.states.values() {
        if let Some(n) = &s.next {
            missing("Next", n, child(&s.pointer, "Next"));
        }
        if let Body::Choice(ch) = &s.body {
            for b in &ch.choices {
                missing("Next", &b.next, child(&b.pointer, "Next"));
            }
            if let Some(d) = &ch.default {
                missing("Default", d, child(&s.pointer, "Default"));
            }
        }
        for cat in &s.catch {
            missing("Next", &cat.next, child(&cat.pointer, "Next"));
        }
    }
    for inner in c.children() {
        check(inner, diags);
    }
}
