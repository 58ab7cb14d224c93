//! State names are unique across the whole machine, nested containers included.

use crate::diagnostics::{codes, Diagnostic};
use crate::model::{Container, StateMachine};
use std::collections::HashSet;

pub fn check(m: &StateMachine, diags: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    visit(&m.root, &mut seen, diags);
}

fn visit<'m>(c: &'m Container, seen: &mut HashSet<&'m str>, diags: &mut Vec<Diagnostic>) {
    for (name, s) in &c.states {
        if !seen.insert(name.as_str()) {
            diags.push(Diagnostic::error(
                codes::DUPLICATE_STATE_NAME,
                format!("Duplicate State name: {name}"),
                Some(s.pointer.clone()),
            ));
        }
    }
    for child in c.children() {
        visit(child, seen, diags);
    }
}
