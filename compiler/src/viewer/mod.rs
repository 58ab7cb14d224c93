//! The execution viewer: one self-contained HTML page of an execution (no
//! download, no network), the state graph coloured by what happened to
//! each state, its runs (input, output, retries, errors) shown on
//! selection, and the event list beside them. `aslc run --report` writes
//! it; `aslc serve` serves it for each execution.

use crate::graph::svg::{escape, svg, Style};
use crate::model::{State, StateMachine};
use crate::observe::Ran;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// The colour of each state's status (`observe`'s run statuses).
const COLOURS: [(&str, &str); 5] = [
    ("succeeded", "#b7e4c7"),
    ("caught", "#ffd8a8"),
    ("failed", "#f4a6a6"),
    ("running", "#a5d8ff"),
    ("not reached", "#e9ecef"),
];

struct Drawn {
    /// By state: the status of its last run.
    status: HashMap<String, String>,
    /// Transitions taken, (from, to).
    taken: HashSet<(String, String)>,
}

impl Style for Drawn {
    fn state(&self, s: &State) -> (String, String) {
        let status = self.status.get(&s.name).map_or("not reached", String::as_str);
        let fill = COLOURS.iter().find(|(k, _)| *k == status).map_or("#e9ecef", |(_, c)| c);
        (fill.to_string(), format!("{}: {status}", s.name))
    }

    fn edge(&self, from: &str, to: &str, nested: bool) -> bool {
        if nested {
            return self.status.contains_key(to);
        }
        self.taken.contains(&(from.to_string(), to.to_string()))
    }
}

/// The transitions an execution took: a state's entered event follows the
/// exited event of the state before it in its flow.
fn transitions(events: &[Value]) -> HashSet<(String, String)> {
    let mut exited: HashMap<u64, String> = HashMap::new();
    let mut out = HashSet::new();
    for e in events {
        let id = e["id"].as_u64().unwrap_or(0);
        if let Some(name) = e["stateExitedEventDetails"]["name"].as_str() {
            exited.insert(id, name.to_string());
        }
        if let Some(name) = e["stateEnteredEventDetails"]["name"].as_str() {
            if let Some(from) = e["previousEventId"].as_u64().and_then(|p| exited.get(&p)) {
                out.insert((from.clone(), name.to_string()));
            }
        }
    }
    out
}

/// The state an event belongs to, when its details name one.
fn event_state(e: &Value) -> Option<&str> {
    e.as_object()?.values().find_map(|d| d.get("name")?.as_str())
}

/// The page for one execution of `machine` named `title`.
pub fn page(title: &str, machine: &StateMachine, ran: &Ran) -> String {
    let doc = ran.document();
    let empty = Vec::new();
    let events = doc["history"].as_array().unwrap_or(&empty);
    let status = doc["states"]
        .as_object()
        .map(|states| {
            states
                .iter()
                .filter_map(|(name, runs)| {
                    Some((name.clone(), runs.as_array()?.last()?["status"].as_str()?.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    let drawn = Drawn { status, taken: transitions(events) };
    let mut body = format!(
        "<header><h1>{}</h1><span id=\"status\" class=\"status {s}\">{s}</span>",
        escape(title),
        s = escape(&ran.status)
    );
    if let Some(error) = &ran.error {
        let _ = write!(
            body,
            "<div id=\"execution-error\">{}{}</div>",
            escape(error),
            ran.cause.as_ref().map(|c| format!(": {}", escape(c))).unwrap_or_default()
        );
    }
    body.push_str("<p class=\"legend\">");
    for (name, colour) in COLOURS {
        let _ = write!(body, "<span style=\"background:{colour}\">{name}</span>");
    }
    body.push_str("</p></header><main><div id=\"graph\">");
    body.push_str(&svg(&machine.root, &drawn));
    body.push_str("</div><aside><div id=\"details\"><p class=\"hint\">Select a state to see its input, output, retries and errors.</p></div>");
    body.push_str("<h2>Events</h2><div class=\"events\"><table id=\"events\"><tr><th>id</th><th>type</th><th>state</th><th>time</th></tr>");
    for e in events {
        let state = event_state(e);
        let _ = write!(
            body,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            state.map(|s| format!(" data-state=\"{}\"", escape(s))).unwrap_or_default(),
            e["id"],
            escape(e["type"].as_str().unwrap_or("")),
            escape(state.unwrap_or("")),
            escape(e["timestamp"].as_str().unwrap_or("")),
        );
    }
    body.push_str("</table></div></aside></main>");
    // What the script shows on selection; `</` cannot end the script early.
    let data = serde_json::json!({ "states": doc["states"], "error": doc["error"], "cause": doc["cause"] });
    let data = data.to_string().replace("</", "<\\/");
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{} · {}</title><style>{}</style></head><body>{body}<script type=\"application/json\" id=\"run-data\">{data}</script><script>{}</script></body></html>\n",
        escape(title),
        escape(&ran.status),
        include_str!("page.css"),
        include_str!("page.js"),
    )
}
