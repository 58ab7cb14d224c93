//! Variable scopes: a Parallel branch or Map iteration may read the
//! variables of the scopes around it but not assign one of their names.

use crate::diagnostics::{codes, Diagnostic};
use crate::model::read::child;
use crate::model::{Assign, Body, Container};

/// Every `Assign` block of a container's states, with where it is.
fn blocks(c: &Container) -> Vec<(String, &Assign)> {
    let mut out = Vec::new();
    for s in c.states.values() {
        if let Some(a) = &s.assign {
            out.push((child(&s.pointer, "Assign"), a));
        }
        if let Body::Choice(ch) = &s.body {
            out.extend(ch.choices.iter().filter_map(|b| b.assign.as_ref().map(|a| (child(&b.pointer, "Assign"), a))));
        }
        out.extend(s.catch.iter().filter_map(|cat| cat.assign.as_ref().map(|a| (child(&cat.pointer, "Assign"), a))));
    }
    out
}

pub fn check(c: &Container, diags: &mut Vec<Diagnostic>) {
    visit(c, &[], diags);
}

fn visit(c: &Container, outer: &[String], diags: &mut Vec<Diagnostic>) {
    let mut here: Vec<String> = outer.to_vec();
    for (at, a) in blocks(c) {
        for name in a.names() {
            if outer.contains(&name) {
                diags.push(Diagnostic::error(
                    codes::SCHEMA_VALIDATION_FAILED,
                    format!(
                        "The variable '{name}' is assigned in an outer scope and cannot be assigned in a nested one"
                    ),
                    Some(at.clone()),
                ));
            } else if !here.contains(&name) {
                here.push(name);
            }
        }
    }
    for inner in c.children() {
        visit(inner, &here, diags);
    }
}
