//! JSONata expressions through aslc's adapter (AWS's functions included),
//! evaluated over `$states`.
#![no_main]
use asl_runtime::jsonata::{eval_required, Expr};
use asl_runtime::vars::Vars;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let states = serde_json::json!({"input": {"a": [1, 2, 3], "s": "text", "o": {"k": "v"}}, "context": {}});
    let vars = Vars::root();
    if let Ok(e) = Expr::parse(text) {
        let _ = eval_required(&e, "Output", &states, &vars);
    }
});
