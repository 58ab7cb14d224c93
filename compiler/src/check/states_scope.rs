//! Where JSONata may read `$states.result` (a Task, Map or Parallel's own
//! `Output` and `Assign`) and `$states.errorOutput` (a catcher's `Output`
//! and `Assign`); anywhere else AWS refuses the definition.

use crate::diagnostics::{codes, Diagnostic};
use crate::model::read::{child, index};
use crate::model::{Assign, Body, Condition, Container, FailText, ItemSelector, NumberField, WaitFor};
use asl_runtime::jsonata::{Expr, Template};

struct Field<'m> {
    location: String,
    exprs: Vec<&'m Expr>,
    result: bool,
    error_output: bool,
}

fn template(t: &Template) -> Vec<&Expr> {
    t.expressions()
}

fn assign(a: &Option<Assign>) -> Vec<&Expr> {
    match a {
        Some(Assign::Jsonata(t)) => t.expressions(),
        _ => vec![],
    }
}

fn number(n: &Option<NumberField>) -> Vec<&Expr> {
    match n {
        Some(NumberField::Jsonata(e)) => vec![e],
        _ => vec![],
    }
}

pub fn check<'m>(c: &'m Container, diags: &mut Vec<Diagnostic>) {
    for s in c.states.values() {
        let at = |f: &str| child(&s.pointer, f);
        let produces = matches!(s.body, Body::Task(_) | Body::Map(_) | Body::Parallel { .. });
        let mut fields = vec![
            Field {
                location: at("Arguments"),
                exprs: s.arguments.iter().flat_map(template).collect(),
                result: false,
                error_output: false,
            },
            Field {
                location: at("Output"),
                exprs: s.output.iter().flat_map(template).collect(),
                result: produces,
                error_output: false,
            },
            Field { location: at("Assign"), exprs: assign(&s.assign), result: produces, error_output: false },
        ];
        for (i, cat) in s.catch.iter().enumerate() {
            let here = index(&at("Catch"), i);
            fields.push(Field {
                location: child(&here, "Output"),
                exprs: cat.output.iter().flat_map(template).collect(),
                result: false,
                error_output: true,
            });
            fields.push(Field {
                location: child(&here, "Assign"),
                exprs: assign(&cat.assign),
                result: false,
                error_output: true,
            });
        }
        let mut other = |location: String, exprs: Vec<&'m Expr>| {
            fields.push(Field { location, exprs, result: false, error_output: false });
        };
        match &s.body {
            Body::Choice(ch) => {
                for (i, b) in ch.choices.iter().enumerate() {
                    let here = index(&at("Choices"), i);
                    if let Condition::Jsonata(t) = &b.condition {
                        other(child(&here, "Condition"), t.expressions());
                    }
                    other(child(&here, "Output"), b.output.iter().flat_map(template).collect());
                    other(child(&here, "Assign"), assign(&b.assign));
                }
            }
            Body::Wait(WaitFor::SecondsExpr(e)) => other(at("Seconds"), vec![e]),
            Body::Wait(WaitFor::TimestampExpr(e)) => other(at("Timestamp"), vec![e]),
            Body::Fail(f) => {
                for (name, t) in [("Error", &f.error), ("Cause", &f.cause)] {
                    if let Some(FailText::Jsonata(e)) = t {
                        other(at(name), vec![e]);
                    }
                }
            }
            Body::Task(t) => {
                other(at("TimeoutSeconds"), number(&t.timeout_seconds));
                other(at("HeartbeatSeconds"), number(&t.heartbeat_seconds));
            }
            Body::Map(m) => {
                other(at("Items"), m.items.iter().flat_map(template).collect());
                if let Some(ItemSelector::Jsonata(t)) = &m.item_selector {
                    other(at("ItemSelector"), t.expressions());
                }
                other(at("MaxConcurrency"), number(&m.max_concurrency));
                other(at("ToleratedFailureCount"), number(&m.tolerated_failure_count));
                other(at("ToleratedFailurePercentage"), number(&m.tolerated_failure_percentage));
            }
            _ => {}
        }
        for f in &fields {
            for e in &f.exprs {
                for (part, allowed) in [("result", f.result), ("errorOutput", f.error_output)] {
                    if !allowed && e.mentions_states_part(part) {
                        diags.push(Diagnostic::error(
                            codes::INVALID_JSONATA_EXPRESSION,
                            format!("The JSONata expression '{}' may not read '$states.{part}' in this field", e.text),
                            Some(f.location.clone()),
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
