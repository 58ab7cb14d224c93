//! The files `aslc test` writes for CI and for people: a JUnit XML report,
//! and the coverage report (each machine's graph coloured by coverage).

use super::coverage::{Kind, MachineCoverage, KINDS};
use super::{Engine, Outcome};
use crate::graph::svg::{escape, svg, Style};
use crate::model::{State, StateMachine};
use asl_runtime::exec::history::Took;
use std::collections::HashMap;
use std::fmt::Write;

/// JUnit XML: a `testsuite` per test file, a `testcase` per case and engine.
pub fn junit(outcomes: &[Outcome]) -> String {
    let mut files: Vec<&str> = outcomes.iter().map(|o| o.file.as_str()).collect();
    files.sort();
    files.dedup();
    let failures = outcomes.iter().filter(|o| o.failure.is_some()).count();
    let total: f64 = outcomes.iter().map(|o| o.time.as_secs_f64()).sum();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"aslc test\" tests=\"{}\" failures=\"{failures}\" time=\"{total:.3}\">\n",
        outcomes.len()
    );
    for f in files {
        let cases: Vec<&Outcome> = outcomes.iter().filter(|o| o.file == f).collect();
        let failed = cases.iter().filter(|o| o.failure.is_some()).count();
        let time: f64 = cases.iter().map(|o| o.time.as_secs_f64()).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" time=\"{time:.3}\">",
            escape(f),
            cases.len()
        );
        for o in cases {
            let engine = match o.engine {
                Engine::Compiled => "compiled",
                _ => "interp",
            };
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
                escape(&o.name),
                escape(&format!("{f}.{engine}")),
                o.time.as_secs_f64()
            );
            match &o.failure {
                Some(text) => {
                    let first = text.lines().next().unwrap_or("");
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        escape(first),
                        escape(text)
                    );
                }
                None => out.push_str("/>\n"),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

const COVERED: &str = "#b7e4c7";
const PARTLY: &str = "#ffe8a3";
const MISSED: &str = "#f4a6a6";

/// One self-contained HTML page: per machine, the totals, the graph
/// (green: entered and every way out taken; yellow: entered, some way out
/// not; red: never entered; dashed edges never taken) and what was missed.
pub fn coverage_html(machines: &[(&MachineCoverage, &StateMachine)]) -> String {
    let mut body = String::new();
    for (m, machine) in machines {
        let style = Coverage::of(m);
        let _ = write!(
            body,
            "<section class=\"machine\" data-machine=\"{}\"><h2>{}</h2><p>{}</p><table><tr>",
            escape(&m.name),
            escape(&m.name),
            escape(&m.definition)
        );
        for (kind, label) in KINDS {
            let (c, t) = m.count(kind);
            let _ = write!(body, "<td><b>{label}</b><br>{c}/{t}</td>");
        }
        body.push_str("</tr></table>");
        body.push_str(&svg(&machine.root, &style));
        let missed: Vec<String> = m.items.iter().filter(|i| m.hits(i) == 0).map(|i| escape(&i.describe())).collect();
        if !missed.is_empty() {
            let _ = write!(body, "<h3>Not covered</h3><ul class=\"missed\"><li>{}</li></ul>", missed.join("</li><li>"));
        }
        body.push_str("</section>");
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>aslc coverage</title><style>body{{font-family:sans-serif;margin:2em}}table td{{padding:0 1.5em 0 0}}svg{{margin:1em 0;max-width:100%;height:auto}}</style></head><body><h1>Workflow coverage</h1>{body}</body></html>\n"
    )
}

/// A machine's coverage as the graph shows it.
struct Coverage {
    /// By state: entered, ways out, ways out taken.
    states: HashMap<String, (bool, usize, usize)>,
    taken: Vec<(String, String)>,
}

impl Coverage {
    fn of(m: &MachineCoverage) -> Self {
        let mut states: HashMap<String, (bool, usize, usize)> = HashMap::new();
        let mut taken = Vec::new();
        for i in &m.items {
            let hit = m.hits(i) > 0;
            let e = states.entry(i.state.clone()).or_insert((false, 0, 0));
            if i.kind == Kind::State {
                e.0 = hit;
            } else {
                e.1 += 1;
                e.2 += usize::from(hit);
            }
            if let (Took::Next(to), true) = (&i.took, hit) {
                taken.push((i.state.clone(), to.clone()));
            }
        }
        Coverage { states, taken }
    }
}

impl Style for Coverage {
    fn state(&self, s: &State) -> (String, String) {
        let (hit, ways, ways_hit) = self.states.get(&s.name).copied().unwrap_or((false, 0, 0));
        let fill = if !hit {
            MISSED
        } else if ways_hit < ways {
            PARTLY
        } else {
            COVERED
        };
        (fill.to_string(), format!("{}: {ways_hit}/{ways} ways out taken", s.name))
    }

    /// An edge into a nested container's start counts as taken once that
    /// start was entered.
    fn edge(&self, from: &str, to: &str, nested: bool) -> bool {
        if nested {
            return self.states.get(to).is_some_and(|s| s.0);
        }
        self.taken.iter().any(|(f, t)| f == from && t == to)
    }
}
