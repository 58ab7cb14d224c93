//! Reachability and terminal states, on a petgraph of each container's
//! states (Parallel branches and Map processors are graphs of their own).

use crate::diagnostics::{codes, Diagnostic};
use crate::model::{Body, Container};
use petgraph::graphmap::DiGraphMap;
use petgraph::visit::Dfs;

/// The transition graph of one container, nodes indexed as in `c.states`.
pub fn graph(c: &Container) -> DiGraphMap<usize, ()> {
    let mut g = DiGraphMap::new();
    let idx = |name: &str| c.states.get_index_of(name);
    for (i, s) in c.states.values().enumerate() {
        g.add_node(i);
        for t in s.targets().into_iter().filter_map(idx) {
            g.add_edge(i, t, ());
        }
    }
    g
}

fn is_terminal(body: &Body, end: bool) -> bool {
    end || matches!(body, Body::Succeed | Body::Fail(_))
}

pub fn check(c: &Container, diags: &mut Vec<Diagnostic>) {
    if let Some(start) = c.states.get_index_of(&c.start_at) {
        let g = graph(c);
        let mut reached = vec![false; c.states.len()];
        let mut dfs = Dfs::new(&g, start);
        while let Some(n) = dfs.next(&g) {
            reached[n] = true;
        }
        let terminal = |reach: bool| {
            c.states.values().enumerate().any(|(i, s)| reached[i] == reach && is_terminal(&s.body, s.end))
        };
        // As AWS does: a machine that cannot end is reported as such, and
        // its unreachable states only when one of them could have ended it.
        if !terminal(true) && !terminal(false) {
            diags.push(Diagnostic::error(codes::MISSING_END_STATE, "Workflow has no terminal state", None));
        } else {
            for (i, (name, s)) in c.states.iter().enumerate() {
                if !reached[i] {
                    diags.push(Diagnostic::error(
                        codes::MISSING_TRANSITION_TARGET,
                        format!("State \"{name}\" is not reachable."),
                        Some(s.pointer.clone()),
                    ));
                }
            }
        }
    }
    for inner in c.children() {
        check(inner, diags);
    }
}
