use super::{edges, nested};
use crate::model::{Container, StateMachine};
use std::collections::HashMap;

/// Mermaid ids must be plain; state names can be anything, so each gets a
/// numbered id and the name goes in the label.
struct Ids<'m>(HashMap<&'m str, String>);

impl<'m> Ids<'m> {
    fn get(&mut self, name: &'m str) -> String {
        let n = self.0.len();
        self.0.entry(name).or_insert_with(|| format!("s{n}")).clone()
    }
}

fn label(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', " ")
}

pub fn mermaid(m: &StateMachine) -> String {
    let mut out = String::from("stateDiagram-v2\n");
    let mut ids = Ids(HashMap::new());
    container(&m.root, 1, &mut ids, &mut out);
    out
}

fn container<'m>(c: &'m Container, depth: usize, ids: &mut Ids<'m>, out: &mut String) {
    let pad = "    ".repeat(depth);
    out.push_str(&format!("{pad}[*] --> {}\n", ids.get(&c.start_at)));
    for s in c.states.values() {
        let id = ids.get(&s.name);
        out.push_str(&format!("{pad}state \"{}\" as {id}\n", label(&s.name)));
        for e in edges(s) {
            let to = ids.get(e.to);
            if e.label.is_empty() {
                out.push_str(&format!("{pad}{id} --> {to}\n"));
            } else {
                out.push_str(&format!("{pad}{id} --> {to}: {}\n", label(&e.label)));
            }
        }
        if s.end || matches!(s.body, crate::model::Body::Succeed | crate::model::Body::Fail(_)) {
            out.push_str(&format!("{pad}{id} --> [*]\n"));
        }
        for (i, (title, inner)) in nested(s).into_iter().enumerate() {
            out.push_str(&format!("{pad}state \"{}\" as {id}_c{i} {{\n", label(&title)));
            container(inner, depth + 1, ids, out);
            out.push_str(&format!("{pad}}}\n{pad}{id} --> {id}_c{i}\n"));
        }
    }
}
