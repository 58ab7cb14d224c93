//! Intrinsic function calls (`States.Format(...)` and the others), as the
//! value of a `.$` field, evaluated.
#![no_main]
use asl_runtime::env::{Context, Env};
use asl_runtime::template::Template;
use asl_runtime::vars::Vars;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let doc = serde_json::json!({"a": [1, 2, 3], "s": "a,b,c", "o": {"k": "v"}, "n": 4, "j": "{\"x\": 1}"});
    let vars = Vars::root();
    let context = Context::default();
    if let Ok(t) = Template::parse(&serde_json::json!({ "v.$": text })) {
        let _ = t.eval(&Env { input: &doc, context: &context, vars: &vars });
    }
});
