use super::{edges, nested};
use crate::model::{Body, Container, StateMachine};

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}

pub fn dot(m: &StateMachine) -> String {
    let mut out = String::from(
        "digraph StateMachine {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n  \"__start\" [shape=point];\n",
    );
    out.push_str(&format!("  \"__start\" -> {};\n", quote(&m.root.start_at)));
    let mut cluster = 0;
    container(&m.root, 1, &mut cluster, &mut out);
    out.push_str("}\n");
    out
}

fn container(c: &Container, depth: usize, cluster: &mut usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    for s in c.states.values() {
        let shape = match s.body {
            Body::Choice(_) => ", shape=diamond, style=\"\"",
            Body::Succeed => ", shape=doublecircle, style=\"\"",
            Body::Fail(_) => ", shape=octagon, style=\"\"",
            _ => "",
        };
        out.push_str(&format!(
            "{pad}{} [label={}{shape}];\n",
            quote(&s.name),
            quote(&format!("{}\n({})", s.name, s.body.type_name()))
        ));
        for e in edges(s) {
            let style = if e.label.starts_with("Catch") { ", style=dashed" } else { "" };
            out.push_str(&format!("{pad}{} -> {} [label={}{style}];\n", quote(&s.name), quote(e.to), quote(&e.label)));
        }
        for (title, inner) in nested(s) {
            *cluster += 1;
            out.push_str(&format!("{pad}subgraph cluster_{cluster} {{\n{pad}  label={};\n", quote(&title)));
            container(inner, depth + 1, cluster, out);
            out.push_str(&format!("{pad}}}\n"));
            out.push_str(&format!("{pad}{} -> {} [style=dotted];\n", quote(&s.name), quote(&inner.start_at)));
        }
    }
}
