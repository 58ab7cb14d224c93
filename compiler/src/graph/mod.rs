//! The state graph as Graphviz DOT or Mermaid, for people to look at:
//! Choice rules, `Default` and Catch edges are labelled, and Parallel
//! branches and Map processors are drawn as clusters.

mod dot;
mod mermaid;
pub mod svg;

pub use dot::dot;
pub use mermaid::mermaid;

use crate::model::{Body, Container, State};

/// An edge out of a state, with the label the drawing shows.
pub(crate) struct Edge<'m> {
    pub to: &'m str,
    pub label: String,
}

pub(crate) fn edges(s: &State) -> Vec<Edge<'_>> {
    let mut out = Vec::new();
    if let Some(n) = &s.next {
        out.push(Edge { to: n, label: String::new() });
    }
    if let Body::Choice(ch) = &s.body {
        for (i, b) in ch.choices.iter().enumerate() {
            out.push(Edge { to: &b.next, label: format!("rule {}", i + 1) });
        }
        if let Some(d) = &ch.default {
            out.push(Edge { to: d, label: "Default".into() });
        }
    }
    for c in &s.catch {
        out.push(Edge { to: &c.next, label: format!("Catch {}", c.error_equals.join(", ")) });
    }
    out
}

/// Nested containers of a state, with a title for their cluster.
pub(crate) fn nested(s: &State) -> Vec<(String, &Container)> {
    match &s.body {
        Body::Parallel { branches } => {
            branches.iter().enumerate().map(|(i, b)| (format!("{} branch {}", s.name, i + 1), b)).collect()
        }
        Body::Map(m) => vec![(format!("{} iteration", s.name), &m.processor)],
        _ => Vec::new(),
    }
}
