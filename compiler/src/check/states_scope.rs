//! Where JSONata may read `$states.result` (a Task, Map or Parallel's own
//! `Output` and `Assign`) and `$states.errorOutput` (a catcher's `Output`
//! and `Assign`); anywhere else AWS refuses the definition.

use crate::diagnostics::{codes, Diagnostic};
use crate::model::Container;

pub fn check(c: &Container, diags: &mut Vec<Diagnostic>) {
    for s in c.states.values() {
        for f in s.jsonata_fields() {
            for e in &f.exprs {
                for (part, allowed) in [("result", f.result), ("errorOutput", f.error_output)] {
                    if !allowed && e.mentions_states_part(part) {
                        diags.push(Diagnostic::error(
                            codes::INVALID_JSONATA_EXPRESSION,
                            format!("The JSONata expression '{}' may not read '$states.{part}' in this field", e.text),
                            Some(format!("{}/{}", s.pointer, f.field)),
                        ));
                    }
                }
            }
        }
    }
    for inner in c.children() {
        check(inner, diags);
    }
}
