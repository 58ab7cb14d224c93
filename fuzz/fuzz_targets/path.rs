//! JSONPath paths and filters: parsed, then read from a document with
//! arrays, objects, numbers and strings.
#![no_main]
use asl_runtime::env::{Context, Env};
use asl_runtime::path::Path;
use asl_runtime::vars::Vars;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let doc = serde_json::json!({"a": [1, 2.5, "x", {"b": null, "c": [true, false]}], "d": {"e f": "g", "n": -3}});
    let vars = Vars::root();
    let context = Context::default();
    let env = Env { input: &doc, context: &context, vars: &vars };
    for parsed in [Path::parse(text), Path::parse_reference(text)] {
        if let Ok(p) = parsed {
            let _ = env.read(&p);
        }
    }
});
