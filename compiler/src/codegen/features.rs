//! Which of the runtime's cargo features a binary is built with: what its
//! machines use, plus what `aslc build --with` asks for. A binary carries
//! no HTTP client, JSONata engine, YAML reader or server it cannot use,
//! which makes it smaller and its first build much faster.

use super::Unit;
use crate::model::{Body, Container, QueryLanguage};
use std::collections::BTreeSet;

/// A feature of `asl-runtime` (see its `Cargo.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Feature {
    Jsonata,
    Http,
    Yaml,
    Hashing,
    Serve,
    Mimalloc,
}

impl Feature {
    /// Every feature, as `--with` names them.
    pub const ALL: [Feature; 6] =
        [Feature::Jsonata, Feature::Http, Feature::Yaml, Feature::Hashing, Feature::Serve, Feature::Mimalloc];

    pub fn name(self) -> &'static str {
        match self {
            Feature::Jsonata => "jsonata",
            Feature::Http => "http",
            Feature::Yaml => "yaml",
            Feature::Hashing => "hashing",
            Feature::Serve => "serve",
            Feature::Mimalloc => "mimalloc",
        }
    }

    /// A `--with` value: a feature's name, or `all`.
    pub fn parse_list(text: &str) -> Result<Vec<Feature>, String> {
        if text == "all" {
            return Ok(Feature::ALL.to_vec());
        }
        Feature::ALL.into_iter().find(|f| f.name() == text).map(|f| vec![f]).ok_or_else(|| {
            let names: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
            format!("unknown feature '{text}' (expected one of {}, or all)", names.join(", "))
        })
    }
}

/// What a binary for `units` needs, with `with` added.
pub fn needed(units: &[Unit<'_>], with: &[Feature]) -> BTreeSet<Feature> {
    let mut out: BTreeSet<Feature> = with.iter().copied().collect();
    for u in units {
        uses(&u.machine.root, &mut out);
        // `States.Hash` and `$hash` are the only users of MD5 and SHA-1; a
        // mention anywhere in the definition is enough to keep them.
        if u.definition.contains("States.Hash") || u.definition.contains("$hash") {
            out.insert(Feature::Hashing);
        }
    }
    out
}

/// mimalloc serves many small JSON values about twice as fast as the
/// system allocator (the 1,000-item Map benchmark), but costs seconds of
/// a first build: a machine that fans out (Map, Parallel) or loops gets
/// it, a straight run of states does not notice the allocator.
fn uses(c: &Container, out: &mut BTreeSet<Feature>) {
    if loops(c) {
        out.insert(Feature::Mimalloc);
    }
    for s in c.states.values() {
        if s.query_language == QueryLanguage::Jsonata {
            out.insert(Feature::Jsonata);
        }
        match &s.body {
            Body::Task(t) if t.resource.starts_with("arn:aws:states:::http:invoke") => {
                out.insert(Feature::Http);
            }
            Body::Parallel { branches } => {
                out.insert(Feature::Mimalloc);
                branches.iter().for_each(|b| uses(b, out));
            }
            Body::Map(m) => {
                out.insert(Feature::Mimalloc);
                uses(&m.processor, out);
            }
            _ => {}
        }
    }
}

/// Whether some state of `c` can reach itself again.
fn loops(c: &Container) -> bool {
    petgraph::algo::is_cyclic_directed(&crate::check::reachability::graph(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_text, MachineType};

    fn needed_by(definition: serde_json::Value) -> Vec<&'static str> {
        let text = definition.to_string();
        let (_, machine, diags) = check_text("m.json", text.clone().into_bytes(), MachineType::Standard);
        let machine = machine.unwrap_or_else(|| panic!("{definition} does not check: {diags:?}"));
        let unit = Unit { name: "m".into(), machine: &machine, definition: text };
        needed(&[unit], &[]).into_iter().map(Feature::name).collect()
    }

    #[test]
    fn a_binary_gets_what_its_machines_use() {
        let pass = serde_json::json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
        assert_eq!(needed_by(pass), Vec::<&str>::new());
        let counter = serde_json::json!({"StartAt": "Add", "States": {
            "Add": {"Type": "Pass", "Next": "More"},
            "More": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Add"}], "Default": "Done"},
            "Done": {"Type": "Succeed"}}});
        assert_eq!(needed_by(counter), ["mimalloc"]);
        let nested_jsonata = serde_json::json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "J", "States": {"J": {"Type": "Pass", "QueryLanguage": "JSONata", "End": true}}}}}});
        assert_eq!(needed_by(nested_jsonata), ["jsonata", "mimalloc"]);
        let http = serde_json::json!({"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
            "Resource": "arn:aws:states:::http:invoke",
            "Parameters": {"ApiEndpoint": "https://example.com", "Method": "GET",
                "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}}}}});
        assert_eq!(needed_by(http), ["http"]);
        let hash = serde_json::json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
            "Parameters": {"h.$": "States.Hash($.a, 'MD5')"}}}});
        assert_eq!(needed_by(hash), ["hashing"]);
    }

    #[test]
    fn with_names_features_or_all() {
        assert_eq!(Feature::parse_list("serve"), Ok(vec![Feature::Serve]));
        assert_eq!(Feature::parse_list("all").map(|f| f.len()), Ok(Feature::ALL.len()));
        assert!(Feature::parse_list("tls").is_err_and(|e| e.contains("jsonata, http, yaml")));
    }
}
