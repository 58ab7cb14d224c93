//! The `aslc` binary end to end: exit codes, output formats, and every
//! example run through the interpreter.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn aslc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aslc")).args(args).current_dir(root()).output().expect("aslc runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_exit_codes_and_json() {
    let ok = aslc(&["check", "examples/hello.json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bad = aslc(&["check", "tests/fixtures/invalid/unreachable-state.json"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("unreachable-state.json:8:10"), "{}", stderr(&bad));
    let missing = aslc(&["check", "no/such/file.json"]);
    assert_eq!(missing.status.code(), Some(2));
    let usage = aslc(&["check"]);
    assert_eq!(usage.status.code(), Some(2));

    let both =
        aslc(&["check", "--format", "json", "examples/hello.json", "tests/fixtures/invalid/no-terminal-state.json"]);
    let lines: Vec<serde_json::Value> =
        stdout(&both).lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["diagnostics"][0]["code"], "MISSING_END_STATE");
    assert_eq!(both.status.code(), Some(1));
}

#[test]
fn check_reads_stdin_and_applies_express_rules() {
    let def = std::fs::read(root().join("tests/fixtures/invalid/express-sync-task.json")).expect("fixture");
    let run = |ty: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aslc"))
            .args(["check", "-", "--format", "json", "--type", ty])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), &def).expect("write");
        child.wait_with_output().expect("wait")
    };
    assert_eq!(run("STANDARD").status.code(), Some(0));
    let express = run("EXPRESS");
    assert_eq!(express.status.code(), Some(1));
    assert!(stdout(&express).contains("does not support '.sync'"));
}

#[test]
fn graph_formats() {
    let dot = aslc(&["graph", "examples/product-processing.json"]);
    assert_eq!(dot.status.code(), Some(0));
    let text = stdout(&dot);
    assert!(text.starts_with("digraph StateMachine {"));
    assert!(text.contains("subgraph cluster_1"), "{text}");
    assert!(text.contains("label=\"Catch States.ALL\", style=dashed"), "{text}");
    assert!(text.contains("label=\"Default\""), "{text}");
    let mermaid = aslc(&["graph", "--format", "mermaid", "examples/parallel.json"]);
    let text = stdout(&mermaid);
    assert!(text.starts_with("stateDiagram-v2"));
    assert!(text.contains("Fan out branch 3"), "{text}");
}

#[test]
fn run_examples() {
    let hello = aslc(&["run", "examples/hello.json"]);
    assert_eq!(stdout(&hello).trim(), "\"Hello World!\"");
    let lp = aslc(&["run", "examples/choice-wait-loop.json", "--input", r#"{"limit": 3, "delay": 0}"#]);
    assert_eq!(stdout(&lp).trim(), "3");
    let par = aslc(&[
        "run",
        "examples/parallel.json",
        "--input",
        r#"{"customer":{"name":"Ada"},"lines":[{"sku":"A","quantity":2}]}"#,
    ]);
    let out: serde_json::Value = serde_json::from_str(stdout(&par).trim()).expect("JSON output");
    assert_eq!(out["customer"]["greeting"], "Hello, Ada!");
    assert_eq!(out["totals"]["skus"], serde_json::json!(["A"]));
    let map = aslc(&[
        "run",
        "examples/map.json",
        "--input",
        r#"{"currency":"EUR","lines":[{"sku":"A","quantity":2},{"sku":"B","quantity":1}]}"#,
    ]);
    let out: serde_json::Value = serde_json::from_str(stdout(&map).trim()).expect("JSON output");
    assert_eq!(out[1]["label"], "1 x B (EUR)");
}

#[test]
fn product_workflow_against_its_mock_config() {
    let base = [
        "run",
        "examples/product-processing.json",
        "--input-file",
        "examples/product-processing.input.json",
        "--mock-config",
        "examples/product-processing.mock.json",
        "--result",
    ];
    let happy = aslc(&[&base[..], &["--test-case", "HappyPath"]].concat());
    let r: serde_json::Value = serde_json::from_str(stdout(&happy).trim()).expect("result JSON");
    assert_eq!(r["status"], "SUCCEEDED");
    let out: serde_json::Value = serde_json::from_str(r["output"].as_str().expect("output text")).expect("output JSON");
    assert_eq!(out["processed"], 2);
    assert_eq!(out["results"][1], serde_json::json!({"sku": "B-2", "productId": "p-2", "status": "READY"}));
    let calls: Vec<&str> =
        r["taskCalls"].as_array().expect("taskCalls").iter().filter_map(|c| c["state"].as_str()).collect();
    assert_eq!(calls, ["Create product", "Check status", "Check status", "Create product", "Check status"]);

    let throttled = aslc(&[&base[..], &["--test-case", "Throttled"]].concat());
    let r: serde_json::Value = serde_json::from_str(stdout(&throttled).trim()).expect("result JSON");
    let out: serde_json::Value = serde_json::from_str(r["output"].as_str().expect("output text")).expect("output JSON");
    assert_eq!(out["results"][1], serde_json::json!({"sku": "B-2", "status": "FAILED"}));
}

#[test]
fn run_failures_and_history() {
    let dir = std::env::temp_dir().join(format!("aslc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let def = dir.join("fail.json");
    std::fs::write(&def, r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"F"},"F":{"Type":"Fail","Error":"Boom","Cause":"it broke"}}}"#).expect("write");
    let hist = dir.join("history.json");
    let o = aslc(&["run", def.to_str().unwrap_or(""), "--history", hist.to_str().unwrap_or("")]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).trim(), "Boom: it broke");
    let h: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&hist).expect("history written")).expect("history JSON");
    let types: Vec<&str> = h["events"].as_array().expect("events").iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(
        types,
        ["ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed"]
    );
    assert_eq!(h["events"][1]["previousEventId"], 0);
    assert_eq!(h["events"][2]["stateExitedEventDetails"]["output"], "{}");

    let r = aslc(&["run", def.to_str().unwrap_or(""), "--result"]);
    let v: serde_json::Value = serde_json::from_str(stdout(&r).trim()).expect("result JSON");
    assert_eq!(
        (v["status"].as_str(), v["error"].as_str(), v["cause"].as_str()),
        (Some("FAILED"), Some("Boom"), Some("it broke"))
    );

    let bad_input = aslc(&["run", "examples/hello.json", "--input", "{not json"]);
    assert_eq!(bad_input.status.code(), Some(1));
    assert!(
        stderr(&bad_input).starts_with("States.Runtime: The execution input is not valid JSON"),
        "{}",
        stderr(&bad_input)
    );

    let invalid = aslc(&["run", "tests/fixtures/invalid/no-terminal-state.json"]);
    assert_eq!(invalid.status.code(), Some(2));
    let no_mock_case = aslc(&["run", "examples/hello.json", "--test-case", "X"]);
    assert_eq!(no_mock_case.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn history_records_assigned_variables() {
    let dir = std::env::temp_dir().join(format!("aslc-cli-vars-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let def = dir.join("vars.json");
    std::fs::write(
        &def,
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"answer":42,"s":"txt"},"End":true}}}"#,
    )
    .expect("write");
    let hist = dir.join("history.json");
    let o = aslc(&["run", def.to_str().unwrap_or(""), "--history", hist.to_str().unwrap_or("")]);
    assert_eq!(o.status.code(), Some(0));
    let h: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&hist).expect("history written")).expect("history JSON");
    let exited = &h["events"][2]["stateExitedEventDetails"];
    assert_eq!(exited["assignedVariables"], serde_json::json!({"answer": "42", "s": "\"txt\""}));
    assert_eq!(exited["assignedVariablesDetails"]["truncated"], false);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn repeat_times_executions_in_one_process() {
    let o = aslc(&["run", "examples/hello.json", "--repeat", "3"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).trim(), "\"Hello World!\"", "the output is printed once");
    assert!(stderr(&o).contains("3 executions: median "), "{}", stderr(&o));
    let zero = aslc(&["run", "examples/hello.json", "--repeat", "0"]);
    assert_eq!(zero.status.code(), Some(2));
}

#[test]
fn an_inline_map_runs_at_most_40_iterations_at_once() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("map-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let def = dir.join("wide.json");
    std::fs::write(
        &def,
        r#"{"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemProcessor": {"StartAt": "Pause",
            "States": {"Pause": {"Type": "Wait", "Seconds": 1, "End": true}}}, "End": true}}}"#,
    )
    .expect("write");
    let history = dir.join("history.json");
    let items: Vec<u32> = (0..100).collect();
    let o = Command::new(env!("CARGO_BIN_EXE_aslc"))
        .arg("run")
        .arg(&def)
        .args(["--input", &serde_json::json!(items).to_string(), "--fast-forward", "--history"])
        .arg(&history)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let h: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&history).expect("history")).expect("JSON");
    let types: Vec<&str> = h["events"].as_array().into_iter().flatten().filter_map(|e| e["type"].as_str()).collect();
    let first_done = types.iter().position(|t| *t == "MapIterationSucceeded").expect("an iteration succeeded");
    let started_before = types[..first_done].iter().filter(|t| **t == "MapIterationStarted").count();
    assert_eq!(started_before, 40, "{types:?}");
    assert_eq!(types.iter().filter(|t| **t == "MapIterationSucceeded").count(), 100);
}

/// AWS fails a Standard execution whose history would pass 25,000 events;
/// Express executions keep no such history, and no redrive count.
#[test]
fn standard_executions_stop_at_the_history_limit() {
    let dir = std::env::temp_dir().join(format!("aslc-cli-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let def = dir.join("count.json");
    std::fs::write(
        &def,
        r#"{"StartAt":"Add","States":{
            "Add":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)"},"Next":"Done?"},
            "Done?":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThanEquals":7000,"Next":"Context"}],"Default":"Add"},
            "Context":{"Type":"Pass","Parameters":{"n.$":"$.n","execution.$":"$$.Execution"},"End":true}}}"#,
    )
    .expect("write");
    let def = def.to_str().unwrap_or("");
    let hist = dir.join("history.json");
    let standard = aslc(&["run", def, "--input", r#"{"n":0}"#, "--result", "--history", hist.to_str().unwrap_or("")]);
    let v: serde_json::Value = serde_json::from_str(stdout(&standard).trim()).expect("result JSON");
    assert_eq!(
        (v["status"].as_str(), v["error"].as_str(), v["cause"].as_str()),
        (
            Some("FAILED"),
            Some("States.Runtime"),
            Some("The execution reached the maximum number of history events (25000).")
        )
    );
    let h: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&hist).expect("history written")).expect("history JSON");
    let events = h["events"].as_array().expect("events");
    let last = events.last().expect("an event");
    assert_eq!(
        (&last["type"], &last["id"], &last["previousEventId"]),
        (&"ExecutionFailed".into(), &25000.into(), &24999.into())
    );

    let express = aslc(&["run", def, "--input", r#"{"n":0}"#, "--type", "EXPRESS"]);
    assert_eq!(express.status.code(), Some(0), "{}", stderr(&express));
    let out: serde_json::Value = serde_json::from_str(stdout(&express).trim()).expect("output JSON");
    assert_eq!(out["n"], 7000);
    assert!(out["execution"].get("RedriveCount").is_none(), "{out}");
    let short = aslc(&["run", def, "--input", r#"{"n":6990}"#]);
    let out: serde_json::Value = serde_json::from_str(stdout(&short).trim()).expect("output JSON");
    assert_eq!(out["execution"]["RedriveCount"], 0, "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `aslc test-state --request FILE` on each fixture of
/// `tests/fixtures/test-state/`: `{"request": TestState's body, "response":
/// the body expected}`, with the response's JSON-text fields decoded. A
/// refused request exits 1 with `{"__type", "message"}`.
#[test]
fn test_state_requests() {
    fn decoded(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
            other => other.clone(),
        }
    }
    let dir = root().join("tests/fixtures/test-state");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("fixtures").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-state");
    std::fs::create_dir_all(&scratch).expect("scratch folder");
    for file in files {
        let case: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("fixture")).expect("JSON");
        let request = scratch.join(file.file_name().expect("file name"));
        std::fs::write(&request, case["request"].to_string()).expect("request written");
        let out = aslc(&["test-state", "--request", request.to_str().expect("utf-8 path")]);
        let mut got: serde_json::Value = serde_json::from_str(&stdout(&out))
            .unwrap_or_else(|e| panic!("{}: {e}: {}{}", file.display(), stdout(&out), stderr(&out)));
        let refused = got.get("__type").is_some();
        assert_eq!(out.status.code(), Some(if refused { 1 } else { 0 }), "{}", file.display());
        if let Some(o) = got.get_mut("output") {
            *o = decoded(o);
        }
        if let Some(serde_json::Value::Object(data)) = got.get_mut("inspectionData") {
            for v in data.values_mut() {
                *v = decoded(v);
            }
        }
        assert_eq!(got, case["response"], "{}", file.display());
    }
}

/// `states:startExecution` tasks in a one-shot run start the machines of
/// `--machines` (AWS's result shapes and failures); a child nobody waits
/// for still runs to its end.
#[test]
fn one_shot_runs_start_nested_executions() {
    let input = |target: &str, n: i64| {
        format!(r#"{{"target": "arn:aws:states:us-east-1:123456789012:stateMachine:{target}", "n": {n}}}"#)
    };
    let run = |input: String| {
        aslc(&[
            "run",
            "tests/serve/nested/parent.json",
            "--machines",
            "tests/serve/nested/child.json",
            "--input",
            &input,
            "--result",
        ])
    };
    let ok = run(input("child", 3));
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let r: serde_json::Value = serde_json::from_str(&stdout(&ok)).expect("--result JSON");
    let out: serde_json::Value = serde_json::from_str(r["output"].as_str().expect("output text")).expect("output JSON");
    assert_eq!(out["json"]["Output"], serde_json::json!({"doubled": 6}));
    assert_eq!(out["json"]["Input"]["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"], r["executionArn"]);
    assert_eq!(out["text"]["Output"], "{\"doubled\":12}");
    assert_eq!(out["fire"]["ExecutionArn"], "arn:aws:states:us-east-1:123456789012:execution:child:fired");

    let failed = run(input("child", -1));
    assert_eq!(failed.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_str(&stdout(&failed)).expect("--result JSON");
    assert_eq!(r["error"], "States.TaskFailed");
    let cause: serde_json::Value = serde_json::from_str(r["cause"].as_str().expect("cause")).expect("a description");
    assert_eq!((&cause["Status"], &cause["Error"]), (&serde_json::json!("FAILED"), &serde_json::json!("Negative")));

    let missing = run(input("nowhere", 1));
    assert_eq!(missing.status.code(), Some(1));
    assert!(stdout(&missing).contains("StepFunctions.StateMachineDoesNotExistException"), "{}", stdout(&missing));
    let bad = aslc(&["run", "tests/serve/nested/parent.json", "--machines", "no/such/place"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}
