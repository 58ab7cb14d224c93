//! Execution semantics, rule group by rule group: every file in
//! `tests/cases/` holds cases `{name, definition, input, mock?, expected}`
//! written from the ASL checklist, run through the interpreter with the
//! clock paused (Wait states and retry intervals pass instantly).

use asl_runtime::tasks::mock::TestCase;
use asl_runtime::tasks::Tasks;
use aslc::check::{check, MachineType};
use aslc::interpret::run_to_end;
use aslc::source::Source;
use serde_json::Value;
use std::path::Path;

fn run_case(file: &str, case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("?");
    let source = Source { name: format!("{file}:{name}"), text: String::new(), positions: Default::default() };
    let (machine, diags) = check(&source, &case["definition"], MachineType::Standard);
    let machine = machine.ok_or_else(|| format!("{name}: invalid definition: {diags:?}"))?;
    let mock = match case.get("mock") {
        Some(m) => Some(TestCase::load(m, "Machine", "Test").map_err(|e| format!("{name}: bad mock: {e}"))?),
        None => None,
    };
    let input = case.get("input").cloned().unwrap_or(serde_json::json!({}));
    let out =
        run_to_end(&machine, "Machine", input, Tasks { mock, ..Tasks::default() }, true).map_err(|e| e.to_string())?;
    let exp = &case["expected"];
    let mut got = serde_json::json!({ "status": out.status.as_str() });
    if let Some(o) = &out.output {
        got["output"] = o.clone();
    } else {
        got["error"] = serde_json::json!(out.error);
        got["cause"] = serde_json::json!(out.cause);
    }
    // Only the fields the case states are compared.
    for (k, v) in exp.as_object().into_iter().flatten() {
        if &got[k] != v {
            return Err(format!("{file}: case '{name}': {k} is {} but {} was expected", got[k], v));
        }
    }
    if let Some(calls) = case.get("taskCalls") {
        let got_calls: Vec<Value> = out.task_calls.iter().map(|c| serde_json::json!([c.state, c.parameters])).collect();
        if Value::Array(got_calls.clone()) != *calls {
            return Err(format!("{file}: case '{name}': task calls {got_calls:?}, expected {calls}"));
        }
    }
    Ok(())
}

#[test]
fn semantics_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("tests/cases exists").flatten().map(|e| e.path()).collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable case file");
        let cases: Vec<Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let file = f.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        for c in &cases {
            count += 1;
            if let Err(e) = run_case(&file, c) {
                failures.push(e);
            }
        }
    }
    assert!(count > 50, "expected the case files to hold many cases, found {count}");
    assert!(failures.is_empty(), "{} of {count} cases failed:\n{}", failures.len(), failures.join("\n"));
}

/// Built here rather than in a case file, which would have to hold the 256 KiB.
#[test]
fn oversized_task_results_are_data_limit_exceeded() {
    let big = "x".repeat(270_000);
    let case = serde_json::json!({
        "name": "a task result over 256 KiB",
        "definition": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "End": true}}},
        "mock": {"StateMachines": {"Machine": {"TestCases": {"Test": {"T": "Big"}}}}, "MockedResponses": {"Big": {"0": {"Return": {"Payload": big}}}}},
        "expected": {"status": "FAILED", "error": "States.DataLimitExceeded", "cause": "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit."}
    });
    run_case("semantics.rs", &case).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn oversized_variables_fail_the_state() {
    let case = serde_json::json!({
        "name": "a variable over 256 KiB",
        "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"big.$": "States.Format('{}{}', $.s, $.s)"}, "End": true}}},
        "input": {"s": "x".repeat(150_000)},
        "expected": {"status": "FAILED", "error": "States.Runtime", "cause": "An error occurred while executing the state 'A' (entered at the event id #2). The variable 'big' exceeds the maximum variable size of 262144 bytes"}
    });
    run_case("semantics.rs", &case).unwrap_or_else(|e| panic!("{e}"));
}
