//! Snapshots of the Rust that `aslc build` generates for every example,
//! and the properties generated code must keep for any definition.

use aslc::check::{check_text, MachineType};
use aslc::codegen::{self, Unit};
use std::path::Path;

/// The crate's sources, built with the features the machines use.
fn generate(units: &[Unit<'_>], handlers: Option<&str>) -> Result<Vec<codegen::File>, String> {
    codegen::generate(units, handlers, &codegen::features::needed(units, &[]))
}

/// The module generated for one definition (checked first).
fn module_of(name: &str, definition: &str) -> String {
    let (_, m, d) = check_text(&format!("{name}.json"), definition.as_bytes().to_vec(), MachineType::Standard);
    let m = m.unwrap_or_else(|| panic!("{d:?}"));
    let files = generate(&[Unit { name: name.into(), machine: &m, definition: definition.to_string() }], None)
        .expect("generates");
    files.into_iter().next().map(|f| f.text).unwrap_or_default()
}

/// Each example's stem, checked model and definition text.
fn examples() -> Vec<(String, aslc::model::StateMachine, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir).expect("examples").flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        if name.contains(".mock.")
            || name.contains(".input.")
            || name.contains(".resources.")
            || !name.ends_with(".json")
        {
            continue;
        }
        let text = std::fs::read_to_string(&p).expect("readable");
        let (_, m, d) = check_text(&name, text.clone().into_bytes(), MachineType::Standard);
        let stem = name.trim_end_matches(".json").to_string();
        out.push((stem, m.unwrap_or_else(|| panic!("{name}: {d:?}")), text));
    }
    out
}

/// The generated crate for all the examples in one bundle is kept under
/// `tests/golden/src`, a member of the workspace, so the suite both reads
/// the code (a change shows as a diff) and compiles it with the runtime.
/// `ASLC_UPDATE_GOLDEN=1` rewrites the files.
#[test]
fn golden_generated_crate_for_the_examples() {
    let all = examples();
    let units: Vec<Unit<'_>> =
        all.iter().map(|(n, m, d)| Unit { name: n.clone(), machine: m, definition: d.clone() }).collect();
    // The one example with Rust task handlers brings them to the bundle.
    let handlers =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/order-pricing.handlers.rs"))
            .expect("handlers");
    let features = codegen::features::needed(&units, &[]);
    let files = codegen::generate(&units, Some(&handlers), &features).expect("generates");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden");
    let update = std::env::var_os("ASLC_UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for f in &files {
        let path = golden.join(&f.path);
        if update {
            std::fs::create_dir_all(path.parent().expect("in src")).expect("golden folder");
            std::fs::write(&path, &f.text).expect("golden file written");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(f.text.as_str()) {
            let old = std::fs::read_to_string(&path).unwrap_or_default();
            let diff =
                similar::TextDiff::from_lines(&old, &f.text).unified_diff().header(&f.path, "generated").to_string();
            stale.push(diff);
        }
    }
    // No golden file is left from code no longer generated.
    let mut kept: Vec<String> = std::fs::read_dir(golden.join("src"))
        .expect("tests/golden/src")
        .flatten()
        .map(|e| format!("src/{}", e.file_name().to_string_lossy()))
        .collect();
    kept.retain(|k| !files.iter().any(|f| &f.path == k));
    assert!(kept.is_empty(), "golden files no longer generated: {kept:?}");
    assert!(stale.is_empty(), "generated code changed (ASLC_UPDATE_GOLDEN=1 accepts it):\n{}", stale.join("\n"));
    // The golden crate builds with exactly the features the bundle gets.
    let manifest = std::fs::read_to_string(golden.join("Cargo.toml")).expect("golden manifest");
    let names: Vec<String> = features.iter().map(|f| format!("\"{}\"", f.name())).collect();
    let wanted = format!("default-features = false, features = [{}]", names.join(", "));
    assert!(manifest.contains(&wanted), "tests/golden/Cargo.toml should build asl-runtime with `{wanted}`");
}

#[test]
fn several_machines_make_subcommands() {
    let all = examples();
    let units: Vec<Unit<'_>> =
        all.iter().map(|(n, m, d)| Unit { name: n.clone(), machine: m, definition: d.clone() }).collect();
    let files = generate(&units, None).expect("generates");
    let main = files.iter().find(|f| f.path == "src/main.rs").expect("main.rs");
    for (name, ..) in &all {
        assert!(main.text.contains(&format!("name = \"{name}\"")), "{}", main.text);
    }
    // Per machine: its module, its definition and its model; and main.rs.
    assert_eq!(files.len(), 3 * all.len() + 1);
}

#[test]
fn hostile_names_and_strings_stay_literals() {
    let def = serde_json::json!({
        "StartAt": "\"); std::process::exit(1); (\"",
        "States": {
            "\"); std::process::exit(1); (\"": {"Type": "Pass", "Result": {"k\"}": "*/ /*"}, "Next": "fn"},
            "fn": {"Type": "Pass", "Next": "日本"},
            "日本": {"Type": "Pass", "Next": "r#\"raw\"#"},
            "r#\"raw\"#": {"Type": "Succeed"}
        }
    });
    let module = module_of("hostile", &def.to_string());
    // The names appear only inside string literals and doc comments.
    assert!(module.contains(r#""\"); std::process::exit(1); (\"" => Some(States::Std"#), "{module}");
    assert!(syn::parse_file(&module).is_ok());
}

#[test]
fn chains_of_single_predecessor_states_are_fused() {
    let def = serde_json::json!({
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"n.$": "$.n", "two": 2}, "Next": "C"},
            "C": {"Type": "Pass", "Next": "Loop"},
            "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 0, "Next": "C"}], "Default": "End"},
            "End": {"Type": "Succeed"}
        }
    });
    let module = module_of("chain", &def.to_string()).replace(char::is_whitespace, "");
    let arm_a =
        module.split("States::A=>{").nth(1).expect("an arm for A").split("States::C=>{").next().unwrap_or_default();
    // B has one predecessor (A): it runs inside A's arm and has none of its own.
    assert!(arm_a.contains("fast_b(&input)"), "{arm_a}");
    assert!(!module.contains("States::B=>{"), "{module}");
    // C is also reached from Loop: it keeps its own arm and is not run from B.
    assert!(module.contains("States::C=>{"), "{module}");
    assert!(!arm_a.contains("fast_c(&input)"), "{arm_a}");
}

/// Fusing long chains must not copy states into many arms: the generated
/// code stays linear in the number of states.
#[test]
fn long_chains_generate_linear_code() {
    let n = 300;
    let mut states = serde_json::Map::new();
    for i in 0..n {
        let mut s = serde_json::json!({"Type": "Pass", "Parameters": {"i": i, "prev.$": "$.i"}});
        if i + 1 < n {
            s["Next"] = serde_json::json!(format!("S{}", i + 1));
        } else {
            s["End"] = serde_json::json!(true);
        }
        states.insert(format!("S{i}"), s);
    }
    let def = serde_json::json!({"StartAt": "S0", "States": states});
    let lines = module_of("chain", &def.to_string()).lines().count();
    assert!(lines < n * 100, "{lines} lines for {n} states");
}

#[test]
fn a_map_whose_processor_is_all_fast_runs_its_iterations_as_direct_rust() {
    let def = r#"{"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
        "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "Parameters": {"d.$": "States.MathAdd($.v, $.v)"}, "End": true}}},
        "ResultSelector": {"count.$": "States.ArrayLength($)"}, "End": true}}}"#;
    let text = module_of("m", def);
    assert!(text.contains("fn sync_run_each_items(first: &Value)"), "{text}");
    assert!(text.contains(r#"rt::nested_transit(&flow, "Map", events)"#), "{text}");
    assert!(text.contains("let index_value = Value::from(index);"), "{text}");
    // The length of the results needs no copy of them.
    assert!(text.contains(".as_array()?.len()"), "{text}");

    // A processor with a Task keeps the runtime's Map driver.
    let with_task = def.replace(
        r#""Type": "Pass", "Parameters": {"d.$": "States.MathAdd($.v, $.v)"}"#,
        r#""Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage""#,
    );
    let module = module_of("m", &with_task);
    assert!(!module.contains("sync_run_"), "{module}");
}

#[test]
fn a_parallel_whose_branches_are_all_fast_runs_them_as_direct_rust_even_inside_a_map() {
    let def = r#"{"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Fan", "States": {"Fan": {"Type": "Parallel", "End": true,
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"all.$": "$.lines[*].sku"}, "End": true}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Parameters": {"s.$": "States.Format('{}-{}', $.a, $.b)"}, "End": true}}}
            ],
            "ResultSelector": {"a.$": "$[0].all", "b.$": "$[1]"}}}},
        "End": true}}}"#
        .to_string();
    let text = module_of("p", &def);
    // Each branch a synchronous runner, the Parallel a fast function over
    // them, and the Map's processor (the Parallel alone) one too.
    assert!(text.contains("fn sync_run_fan_branch_1(first: &Value)"), "{text}");
    assert!(text.contains("fn sync_run_fan_branch_2(first: &Value)"), "{text}");
    assert!(text.contains("fn fast_each_items_fan(input: &Value) -> Option<(Value, u64)>"), "{text}");
    assert!(text.contains("fn sync_run_each_items(first: &Value)"), "{text}");
    // A wildcard path is the runtime's selection, parsed once; a literal
    // Format template is split here; the selector moves what it takes.
    assert!(text.contains(r#"Path::parse("$.lines[*].sku")"#), "{text}");
    assert!(text.contains("rt::intrinsic::render(a0, &mut out)"), "{text}");
    assert!(text.contains("std::mem::take("), "{text}");

    // A branch with a Task keeps the runtime's Parallel driver.
    let with_task = def.replace(
        r#""Type": "Pass", "Parameters": {"all.$": "$.lines[*].sku"}"#,
        r#""Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage""#,
    );
    let module = module_of("p", &with_task);
    assert!(!module.contains("sync_run_"), "{module}");
    assert!(!module.contains("fn fast_each_items_fan"), "{module}");
}

#[test]
fn waits_of_paths_timestamps_and_expressions_are_slept_by_generated_code() {
    let def = r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "T"},
        "T": {"Type": "Wait", "TimestampPath": "$.at", "Next": "Fixed"},
        "Fixed": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let text = module_of("w", def);
    assert!(text.contains("rt::path_seconds"), "{text}");
    assert!(text.contains("rt::path_timestamp"), "{text}");
    assert!(text.contains("fn wait_fixed(_input: &Value)"), "{text}");
    assert!(text.contains(r#"rt::timestamp_delay("2030-01-01T00:00:00Z")"#), "{text}");
    assert!(text.contains("rt::wait_state(&flow, \"W\", &input, delay)"), "{text}");
    let jsonata = r#"{"QueryLanguage": "JSONata", "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": "{% $states.input.delay * 60 %}", "Next": "T"},
        "T": {"Type": "Wait", "Timestamp": "{% $states.input.day & 'T00:00:00Z' %}", "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let text = module_of("j", jsonata);
    assert!(text.contains("fn wait_w(input: &Value) -> Option<std::time::Duration>"), "{text}");
    assert!(text.contains("rt::expr_seconds("), "{text}");
    assert!(text.contains("rt::expr_timestamp("), "{text}");
    // With its own output and variables, read from the variables too.
    let assigning = r#"{"QueryLanguage": "JSONata", "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": "{% $delay %}", "Assign": {"n": "{% $n + 1 %}"}, "Output": "{% $n %}", "End": true}}}"#;
    let text = module_of("a", assigning);
    assert!(text.contains("fn waited_w(\n    _input: &Value,\n    vars: &rt::Vars,"), "{text}");
    assert!(text.contains("rt::wait_state_assigning("), "{text}");
}

#[test]
fn fail_states_are_raised_by_generated_code() {
    let def = r#"{"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericGreaterThan": 1, "Next": "Big"}], "Default": "FromInput"},
        "Big": {"Type": "Fail", "Error": "TooBig", "Cause": "x was over 1"},
        "FromInput": {"Type": "Fail", "ErrorPath": "$.error"}}}"#;
    let text = module_of("f", def);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(r#"fail_state( &flow, "Big", &input, Some("TooBig"), Some("x was over 1"), )"#), "{text}");
    // A path is read by a function that declines where it selects nothing.
    assert!(flat.contains("fn fail_frominput(input: &Value) -> Option<(Option<String>, Option<String>)>"), "{text}");
    assert!(flat.contains(r#"rt::io::bare_text(Some(input).and_then(|v| rt::path::field(v, "error"))?)"#), "{text}");
    assert!(flat.contains(r#"&flow, "FromInput", &input, error.as_deref(), cause.as_deref()"#), "{text}");
}

#[test]
fn common_jsonata_functions_compile() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
        "Output": {"n": "{% $count($states.input.items) %}", "s": "{% $string($sum($states.input.items)) %}",
                   "j": "{% $join($states.input.names, ', ') %}", "u": "{% $uppercase($states.input.name) %}",
                   "f": "{% $floor($states.input.price * 1.2) %}", "e": "{% $exists($states.input.maybe.deeper) %}",
                   "m": "{% $map($states.input.lines, function($l, $i){ {'n': $i, 'total': $l.price * $l.qty} }) %}",
                   "k": "{% $filter($states.input.lines, function($l){ $l.qty > $limit }) %}",
                   "x": "{% $merge([$states.input, {'keys': $keys($states.input)}]) %}",
                   "p": "{% $split($states.input.csv, ',') %}", "r": "{% $range(1, $states.input.n, 1) %}",
                   "h": "{% $hash($parse($states.input.json), 'SHA-256') %}", "id": "{% $uuid() %}",
                   "c": "{% $states.context.Execution.Input.id %}", "first": "{% $states.input.lines[0].sku %}",
                   "big": "{% $states.input.lines[price > 10] %}", "pages": "{% $partition($states.input.lines, 2) %}",
                   "skus": "{% $states.input.lines[price > 10].sku %}"}}}}"#;
    let text = module_of("j", def);
    assert!(text.contains("fn fast_p("), "{text}");
    for f in [
        "count",
        "sum",
        "join",
        "string",
        "case",
        "rounding",
        "walk",
        "several",
        "merge",
        "keys",
        "split",
        "range",
        "hash",
        "parse",
        "uuid",
        "at",
        "partition",
        "follow",
    ] {
        assert!(text.contains(&format!("rt::jsonata::{f}(")), "{f}: {text}");
    }
    assert!(text.contains(r#"rt::jsonata::member_seq("#), "{text}");
    // A lambda's parameters are locals; what else it reads is read as usual.
    assert!(text.contains("for (n, item0) in"), "{text}");
    assert!(text.contains("for item0 in"), "{text}");
    assert!(text.contains(r#"vars.get_ref("limit")"#), "{text}");
    // A filter's predicate reads the item it tests.
    assert!(text.contains(r#"rt::jsonata::field(focus0, "price")"#), "{text}");
    // The execution's context object comes from the execution.
    assert!(text.contains("context: &rt::ExecutionContext"), "{text}");
    assert!(text.contains("&exec.context"), "{text}");
}

#[test]
fn a_task_runs_through_the_runtime_with_its_input_and_output_steps_compiled() {
    let def = r#"{"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "worker", "Payload": {"id.$": "$.id"}},
                 "ResultSelector": {"value.$": "$.Payload.value"}, "ResultPath": "$.out", "Next": "Token"},
        "Token": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "worker", "Payload": {"name.$": "$$.Execution.Name"}}, "End": true}}}"#;
    let text = module_of("t", def);
    assert!(text.contains("fn io_in_call("), "{text}");
    assert!(text.contains("fn io_out_call("), "{text}");
    assert!(text.contains(") -> Option<(Value, Value)>"), "{text}");
    assert!(text.contains("rt::run_state_with("), "{text}");
    // `$$` paths read the context object the runtime hands the step.
    assert!(text.contains("fn io_in_token("), "{text}");
    let flat = text.replace(char::is_whitespace, "");
    assert!(flat.contains(r#"context.read(PATH.get_or_init(||{rt::path::Path::parse("$$.Execution.Name")"#), "{text}");
}

#[test]
fn passes_and_choices_read_the_executions_context_as_direct_rust() {
    let def = r#"{"StartAt": "Copy", "States": {
        "Copy": {"Type": "Pass", "Parameters": {"x.$": "$$.Execution.Input.x", "m.$": "$$.StateMachine.Name"}, "Next": "Pick"},
        "Pick": {"Type": "Choice", "Choices": [{"Variable": "$$.Execution.Input.go", "BooleanEquals": true, "Next": "Each"}],
                 "Default": "Each"},
        "Each": {"Type": "Map", "ItemProcessor": {"StartAt": "In", "States": {
            "In": {"Type": "Pass", "Parameters": {"x.$": "$$.Execution.Name"}, "End": true}}}, "End": true}}}"#;
    let text = module_of("x", def);
    assert!(text.contains("fn fast_copy(_input: &Value, context: &rt::ExecutionContext)"), "{text}");
    assert!(text.contains("fn fast_pick(_input: &Value, context: &rt::ExecutionContext)"), "{text}");
    let flat = text.replace(char::is_whitespace, "");
    assert!(flat.contains(r#"context.map().get("Execution")"#), "{text}");
    assert!(flat.contains(r#"context.map().get("StateMachine")"#), "{text}");
    // A synchronous runner has no execution to read: the Map's iterations
    // run through the runtime.
    assert!(!text.contains("fn sync_run_each_items"), "{text}");
    // A Wait's assignments read it too.
    let wait = r#"{"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 1, "Assign": {"who.$": "$$.Execution.Input.who"}, "End": true}}}"#;
    let text = module_of("w", wait);
    assert!(text.contains("fn waited_nap("), "{text}");
    assert!(text.replace(char::is_whitespace, "").contains(r#"context.map().get("Execution")"#), "{text}");
}

#[test]
fn a_tasks_steps_read_its_own_state_and_task_context_where_the_runtime_hands_it() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                 "Arguments": {"FunctionName": "f", "Payload": {"token": "{% $states.context.Task.Token %}",
                               "has": "{% $exists($states.context.Task.Token) %}",
                               "at": "{% $states.context.State.EnteredTime %}"}},
                 "Output": {"tries": "{% $states.context.State.RetryCount %}"},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.context.State.Name %}", "Next": "Wait"}],
                 "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": "{% $states.context.State.RetryCount %}", "End": true}}}"#;
    let text = module_of("c", def);
    let flat = text.replace(char::is_whitespace, "");
    for (key, field) in [("Task", "Token"), ("State", "EnteredTime"), ("State", "RetryCount"), ("State", "Name")] {
        let read = format!(r#"rt::jsonata::state_context(context,"{key}",&["{field}"]"#);
        assert!(flat.contains(&read), "{read} in {text}");
    }
    assert!(text.contains("context: &rt::Context<'_>"), "{text}");
    let exists = r#"rt::jsonata::walk(&rt::jsonata::state_context(context,"Task",&[])?,&["Token"]"#;
    assert!(flat.contains(exists), "{text}");
    // A Wait that generated code sleeps has no state context to read: the
    // runtime runs it.
    assert!(!text.contains("fn wait_wait"), "{text}");
}

#[test]
fn a_jsonata_task_gets_its_arguments_and_output_as_generated_code() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Arguments": {"FunctionName": "worker", "Payload": "{% $states.input.order %}"},
                 "Output": {"total": "{% $states.result.Payload.total %}", "id": "{% $states.input.id %}"}, "Next": "Vars"},
        "Vars": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Arguments": {"FunctionName": "{% $name %}"}, "End": true}}}"#;
    let text = module_of("j", def);
    assert!(text.contains("fn io_in_call("), "{text}");
    assert!(text.contains("fn io_out_call("), "{text}");
    // A whole path reads the value as the engine gives it back, mapped
    // over the arrays it meets.
    assert!(text.contains(r#"rt::jsonata::walked(result, &["Payload", "total"])?"#), "{text}");
    assert!(text.contains(r#"rt::jsonata::walked(input, &["id"])?"#), "{text}");
    // Variables are read where the runtime gives them.
    assert!(text.contains("fn io_in_vars(\n    _input: &Value,\n    vars: &rt::Vars,"), "{text}");
}

#[test]
fn a_task_that_assigns_variables_gets_them_from_its_output_step() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f"},
                 "Assign": {"total": "{% $total + $states.result.Payload.n %}"}, "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let text = module_of("t", def);
    // The variables are computed before the output, the result being the
    // output where there is no `Output`.
    assert!(text.contains("fn io_out_call("), "{text}");
    assert!(text.contains("vars: &rt::Vars"), "{text}");
    assert!(text.contains("rt::within_quota(&assigned)"), "{text}");
    assert!(text.contains("let output: Value = result.clone();"), "{text}");
    let jsonpath = r#"{"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
                 "ResultSelector": {"n.$": "$.Payload.n"}, "Assign": {"n.$": "$.n"}, "ResultPath": null, "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let text = module_of("p", jsonpath);
    assert!(text.contains("fn io_out_call("), "{text}");
    assert!(text.contains("rt::within_quota(&assigned)"), "{text}");
}

#[test]
fn a_jsonata_pass_that_assigns_variables_runs_as_direct_rust() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "Add", "States": {
        "Add": {"Type": "Pass", "Assign": {"total": "{% $total + $states.input.n %}"}, "Output": {"seen": "{% $total %}"}, "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let text = module_of("a", def);
    // The variables are computed with the output, then set as the state's
    // events are recorded.
    assert!(text.contains("fn fast_add(input: &Value, vars: &rt::Vars) -> Option<(Value, Value)>"), "{text}");
    assert!(text.contains("rt::within_quota(&assigned)"), "{text}");
    assert!(text.contains("rt::transit_assigning("), "{text}");
    // No in-place update: the state's variables go with its events.
    assert!(!text.contains("fn in_place_add"), "{text}");
}

#[test]
fn a_jsonpath_pass_that_assigns_variables_runs_as_direct_rust() {
    let def = r#"{"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Assign": {"seen.$": "$.n", "all.$": "$"}, "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let text = module_of("a", def);
    // The variables read the state's result, computed once with its output.
    assert!(text.contains("fn fast_p(input: &Value) -> Option<(Value, Value)>"), "{text}");
    assert!(text.contains("let selected: &Value = &result;"), "{text}");
    assert!(text.contains("rt::transit_assigning("), "{text}");
    // A variable read by a path is left to the runtime.
    let reads_variable = def.replace(r#""seen.$": "$.n""#, r#""seen.$": "$other""#);
    assert!(!module_of("b", &reads_variable).contains("fn fast_p"));
}

#[test]
fn a_choice_that_assigns_variables_runs_as_direct_rust() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.n > 0 %}", "Assign": {"n": "{% $states.input.n %}"}, "Next": "Done"},
                {"Condition": "{% $states.input.n < 0 %}", "Next": "Done"}],
              "Default": "Done", "Assign": {"none": true}},
        "Done": {"Type": "Succeed"}}}"#;
    let text = module_of("c", def);
    // The target and the variables of the rule taken come back together.
    assert!(text.contains("fn fast_c(input: &Value) -> Option<(States, Value)>"), "{text}");
    assert!(text.contains("Some((States::Done, Value::Null))"), "{text}");
    assert!(text.contains("rt::transit_assigning("), "{text}");
    let jsonpath = r#"{"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 0, "Assign": {"n.$": "$.n"}, "Next": "Done"}],
              "Default": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    assert!(module_of("p", jsonpath).contains("fn fast_c(input: &Value) -> Option<(States, Value)>"));
}

#[test]
fn retry_and_catch_lists_compile_to_matches_on_the_error_name() {
    let def = r#"{"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
                 "Retry": [{"ErrorEquals": ["Busy", "Slow"]}, {"ErrorEquals": ["States.TaskFailed"]}],
                 "Catch": [{"ErrorEquals": ["Busy"], "Next": "Done"}, {"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                 "Next": "Done"},
        "Done": {"Type": "Succeed"}}}"#;
    let text = module_of("r", def);
    assert!(text.contains("fn retrier_call(error: &str) -> Option<usize>"), "{text}");
    assert!(text.contains("\"Busy\" | \"Slow\" => Some(0)"), "{text}");
    assert!(text.contains("_ if rt::task_failed_selects(error) => Some(1)"), "{text}");
    assert!(text.contains("fn catcher_call(error: &str) -> Option<usize>"), "{text}");
    assert!(text.contains("retrier: Some(retrier_call)"), "{text}");
    assert!(text.contains("catcher: Some(catcher_call)"), "{text}");
}

#[test]
fn jsonata_maps_and_parallels_of_fast_states_run_as_direct_rust() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "Each", "States": {
        "Each": {"Type": "Map", "Items": "{% $states.input.lines %}",
                 "ItemSelector": {"line": "{% $states.context.Map.Item.Value %}", "at": "{% $states.context.Map.Item.Index %}"},
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input.at %}", "End": true}}},
                 "Next": "Fan"},
        "Fan": {"Type": "Parallel", "Arguments": {"n": "{% $count($states.input) %}"},
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}], "End": true}}}"#;
    let text = module_of("m", def);
    assert!(text.contains("fn fast_each(input: &Value) -> Option<(Value, u64)>"), "{text}");
    assert!(text.contains("fn fast_fan(input: &Value) -> Option<(Value, u64)>"), "{text}");
    // Items are read as they are; the item and its index are locals.
    assert!(text.contains(r#"let listed: &Value = &rt::jsonata::walked(input, &["lines"])?;"#), "{text}");
    assert!(text.contains("rt::jsonata::plain(item)?"), "{text}");
    assert!(text.contains("rt::jsonata::plain(&index_value)?"), "{text}");
}

#[test]
fn a_jsonata_chain_is_the_call_with_its_left_side_first() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Output": "{% $states.input.name ~> $substringAfter('-') %}", "End": true}}}"#;
    let text = module_of("c", def);
    let call = r#"rt::jsonata::substring_around(
        rt::jsonata::field(rt::jsonata::plain(input)?, "name")?,
        &Value::String("-".to_string()),
        true,
    )?"#;
    assert!(text.contains(call), "{text}");
}

#[test]
fn a_jsonata_reduce_folds_with_its_lambda_inlined() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Output": "{% $reduce($states.input.l, function($a, $v){ $a + $v }, 0) %}", "End": true}}}"#;
    let text = module_of("r", def);
    assert!(text.contains("fn fast_p("), "{text}");
    assert!(text.contains("let mut folded: Option<Value> = Some(Value::from(0i64));"), "{text}");
    assert!(text.contains("rt::jsonata::arithmetic('+', &acc0, item0)?"), "{text}");
}

#[test]
fn jsonata_paths_into_a_map_result_map_over_its_items() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "Each", "States": {
        "Each": {"Type": "Map", "Items": "{% $states.input.orders.lines %}",
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                 "Output": {"totals": "{% $states.result.total %}", "sum": "{% $sum($states.result.total) %}"},
                 "End": true}}}"#;
    let text = module_of("m", def);
    assert!(text.contains("fn fast_each(input: &Value) -> Option<(Value, u64)>"), "{text}");
    assert!(text.contains(r#"rt::jsonata::walked(input, &["orders", "lines"])?"#), "{text}");
    assert!(text.contains(r#"rt::jsonata::walked(result, &["total"])?"#), "{text}");
    assert!(text.contains(r#"&*rt::jsonata::walked_seq(result, &["total"])?"#), "{text}");
}

#[test]
fn a_jsonata_state_reads_its_own_name_from_the_context_as_a_constant() {
    let def = r#"{"QueryLanguage": "JSONata", "StartAt": "Say \"hi\"", "States": {
        "Say \"hi\"": {"Type": "Pass", "Output": {"me": "{% $states.context.State.Name %}"}, "End": true}}}"#;
    let text = module_of("n", def);
    assert!(text.contains(r#"Value::String("Say \"hi\"".to_string())"#), "{text}");
    // The entered time is the runtime's to give.
    let entered = def.replace("State.Name", "State.EnteredTime");
    assert!(!module_of("e", &entered).contains("fn fast_"), "{entered}");
}
