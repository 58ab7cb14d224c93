//! Payload templates (`Parameters`, `ResultSelector`): any JSON value,
//! parsed as a template and evaluated.
#![no_main]
use asl_runtime::env::{Context, Env};
use asl_runtime::template::Template;
use asl_runtime::vars::Vars;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let doc = serde_json::json!({"a": [1, 2, 3], "s": "text", "o": {"k": "v"}, "n": 4.5});
    let vars = Vars::root();
    let context = Context::default();
    if let Ok(t) = Template::parse(&value) {
        let _ = t.eval(&Env { input: &doc, context: &context, vars: &vars });
    }
});
