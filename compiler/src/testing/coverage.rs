//! Workflow coverage: of each machine's states, transitions, Choice rules
//! (and `Default`), retriers and catchers, which the suite's runs took.
//! What can be taken comes from the checked model; what was taken from
//! the runs' traces (the same in both engines).

use crate::graph;
use crate::model::{Body, Container, StateMachine};
use crate::source::Source;
use asl_runtime::exec::history::Took;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    State,
    Transition,
    Rule,
    Retrier,
    Catcher,
}

pub const KINDS: [(Kind, &str); 5] = [
    (Kind::State, "states"),
    (Kind::Transition, "transitions"),
    (Kind::Rule, "choice rules"),
    (Kind::Retrier, "retriers"),
    (Kind::Catcher, "catchers"),
];

/// One thing a run can take.
pub struct Item {
    pub state: String,
    pub took: Took,
    pub kind: Kind,
    /// Where it is in the definition (for lcov lines).
    pub pointer: String,
}

impl Item {
    /// How the report names it.
    pub fn describe(&self) -> String {
        let s = &self.state;
        match &self.took {
            Took::Entered => format!("state '{s}'"),
            Took::Next(n) => format!("transition '{s}' → '{n}'"),
            Took::End => format!("end of '{s}'"),
            Took::Rule(i) => format!("'{s}' Choices[{i}]"),
            Took::Default => format!("'{s}' Default"),
            Took::Retry(i) => format!("'{s}' Retry[{i}]"),
            Took::Catch(i) => format!("'{s}' Catch[{i}]"),
        }
    }
}

/// One machine's coverage.
pub struct MachineCoverage {
    pub name: String,
    pub definition: String,
    pub items: Vec<Item>,
    pub hits: HashMap<(String, Took), u64>,
}

fn items_of(c: &Container, out: &mut Vec<Item>) {
    for s in c.states.values() {
        let item = |took: Took, kind: Kind, pointer: String| Item { state: s.name.clone(), took, kind, pointer };
        out.push(item(Took::Entered, Kind::State, s.pointer.clone()));
        let mut targets: Vec<&str> = Vec::new();
        for e in graph::edges(s) {
            if !targets.contains(&e.to) {
                targets.push(e.to);
            }
        }
        out.extend(targets.into_iter().map(|t| item(Took::Next(t.to_string()), Kind::Transition, s.pointer.clone())));
        if s.end || matches!(s.body, Body::Succeed) {
            out.push(item(Took::End, Kind::Transition, s.pointer.clone()));
        }
        if let Body::Choice(ch) = &s.body {
            for (i, b) in ch.choices.iter().enumerate() {
                out.push(item(Took::Rule(i), Kind::Rule, b.pointer.clone()));
            }
            if ch.default.is_some() {
                out.push(item(Took::Default, Kind::Rule, format!("{}/Default", s.pointer)));
            }
        }
        for i in 0..s.retry.len() {
            out.push(item(Took::Retry(i), Kind::Retrier, format!("{}/Retry/{i}", s.pointer)));
        }
        for (i, c) in s.catch.iter().enumerate() {
            out.push(item(Took::Catch(i), Kind::Catcher, c.pointer.clone()));
        }
        for (_, inner) in graph::nested(s) {
            items_of(inner, out);
        }
    }
}

impl MachineCoverage {
    pub fn new(name: &str, definition: &str, machine: &StateMachine) -> Self {
        let mut items = Vec::new();
        items_of(&machine.root, &mut items);
        MachineCoverage { name: name.into(), definition: definition.into(), items, hits: HashMap::new() }
    }

    /// Counts one run's trace.
    pub fn add(&mut self, trace: &[(String, Took)]) {
        for (state, took) in trace {
            *self.hits.entry((state.clone(), took.clone())).or_default() += 1;
        }
    }

    pub fn hits(&self, i: &Item) -> u64 {
        self.hits.get(&(i.state.clone(), i.took.clone())).copied().unwrap_or(0)
    }

    /// Covered and total items of a kind.
    pub fn count(&self, kind: Kind) -> (usize, usize) {
        let of_kind: Vec<&Item> = self.items.iter().filter(|i| i.kind == kind).collect();
        (of_kind.iter().filter(|i| self.hits(i) > 0).count(), of_kind.len())
    }
}

fn ratio((covered, total): (usize, usize)) -> String {
    if total == 0 {
        return "-".into();
    }
    format!("{covered}/{total} {:.0}%", covered as f64 * 100.0 / total as f64)
}

/// The table `aslc test --coverage` prints, with what was never taken.
pub fn table(machines: &[MachineCoverage]) -> String {
    let mut out = String::from("\ncoverage:\n");
    let width = machines.iter().map(|m| m.name.chars().count()).max().unwrap_or(0).max(7);
    let _ = write!(out, "  {:width$}", "machine");
    for (_, label) in KINDS {
        let _ = write!(out, "  {label:>14}");
    }
    out.push('\n');
    for m in machines {
        let _ = write!(out, "  {:width$}", m.name);
        for (kind, _) in KINDS {
            let _ = write!(out, "  {:>14}", ratio(m.count(kind)));
        }
        out.push('\n');
    }
    for m in machines {
        let missed: Vec<&Item> = m.items.iter().filter(|i| m.hits(i) == 0).collect();
        if !missed.is_empty() {
            let _ = writeln!(out, "  not covered in {}:", m.name);
            for i in missed {
                let _ = writeln!(out, "    {}", i.describe());
            }
        }
    }
    out
}

/// The JSON report: per machine, the counts by kind and every item.
pub fn json_report(machines: &[MachineCoverage]) -> Value {
    let machines: Vec<Value> = machines
        .iter()
        .map(|m| {
            let mut totals = serde_json::Map::new();
            for (kind, label) in KINDS {
                let (covered, total) = m.count(kind);
                totals.insert(label.replace(' ', "_"), json!({ "covered": covered, "total": total }));
            }
            let items: Vec<Value> = m
                .items
                .iter()
                .map(|i| json!({ "state": i.state, "took": i.took, "kind": format!("{:?}", i.kind), "pointer": i.pointer, "hits": m.hits(i) }))
                .collect();
            json!({ "machine": m.name, "definition": m.definition, "totals": totals, "items": items })
        })
        .collect();
    json!({ "machines": machines })
}

/// lcov's format, which CI coverage tools read: a state is a line (`DA`),
/// each way out of it a branch (`BRDA`), at their lines in the definition.
pub fn lcov(machines: &[MachineCoverage]) -> String {
    let mut out = String::new();
    for m in machines {
        let source = std::fs::read(&m.definition).ok().map(|b| crate::source::load(&m.definition, b).0);
        let line = |pointer: &str| source.as_ref().and_then(|s: &Source| s.pos(pointer)).map_or(1, |p| p.line);
        let _ = writeln!(out, "TN:{}\nSF:{}", m.name, m.definition);
        let (mut lines, mut lines_hit, mut branches, mut branches_hit) = (0, 0, 0, 0);
        let mut block = 0;
        for i in &m.items {
            let hits = m.hits(i);
            if i.kind == Kind::State {
                block += 1;
                lines += 1;
                lines_hit += usize::from(hits > 0);
                let _ = writeln!(out, "DA:{},{hits}", line(&i.pointer));
            } else {
                branches += 1;
                branches_hit += usize::from(hits > 0);
                let taken = if hits > 0 { hits.to_string() } else { "-".into() };
                let _ = writeln!(out, "BRDA:{},{block},{branches},{taken}", line(&i.pointer));
            }
        }
        let _ = writeln!(out, "LF:{lines}\nLH:{lines_hit}\nBRF:{branches}\nBRH:{branches_hit}\nend_of_record");
    }
    out
}
