//! Running one case in either engine: the interpreter in this process, or
//! the suite's built binary as a child process with the flags every built
//! binary has. Both hand back the same parts (`observe::Ran`), always with
//! virtual time, the history and the coverage trace.

use super::file::{Case, TestFile};
use crate::interpret::Interpreted;
use crate::model::StateMachine;
use crate::observe::Ran;
use asl_runtime::exec::{execute, ExecutionInfo, MachineType, Options};
use asl_runtime::tasks::mock;
use serde_json::{json, Map, Value};
use std::path::Path;
use std::process::Command;

/// The test case name the merged mock configuration gives a case's mocks.
const TEST_CASE: &str = "aslc-test";

/// The mock configuration a case runs with: its `mockTestCase` of the
/// file's configuration, with its inline `mocks` over it. `None` when the
/// case mocks nothing.
pub fn mock_config(file: &TestFile, case: &Case, machine: &str) -> Result<Option<Value>, String> {
    let mut states = Map::new();
    let mut responses = Map::new();
    if let Some(test_case) = &case.mock_test_case {
        let path = file.mock_config.as_ref().ok_or_else(|| {
            format!("case '{}' names mockTestCase '{test_case}' but the file has no 'mockConfig'", case.name)
        })?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let config: Value = serde_json::from_str(&text)
            .map_err(|e| format!("the mock configuration {} is not JSON: {e}", path.display()))?;
        // Loading it checks the test case exists and is well formed.
        mock::TestCase::load(&config, machine, test_case).map_err(|e| format!("{}: {e}", path.display()))?;
        let machines = config["StateMachines"].as_object().cloned().unwrap_or_default();
        let entry = machines.get(machine).or_else(|| machines.values().next()).cloned().unwrap_or_default();
        states = entry["TestCases"][test_case].as_object().cloned().unwrap_or_default();
        responses = config["MockedResponses"].as_object().cloned().unwrap_or_default();
    }
    for (state, given) in &case.mocks {
        let name = format!("{TEST_CASE}:{state}");
        let entries = match given {
            // One response answers every call.
            Value::Object(o) if o.contains_key("Return") || o.contains_key("Throw") => {
                json!({ format!("0-{}", u64::MAX): given })
            }
            Value::Array(list) => Value::Object(list.iter().enumerate().map(|(i, r)| (i.to_string(), r.clone())).collect()),
            Value::Object(_) => given.clone(),
            _ => {
                return Err(format!(
                    "case '{}': the mock of '{state}' is a response ({{\"Return\": …}} or {{\"Throw\": …}}), a list of them, or numbered entries",
                    case.name
                ))
            }
        };
        responses.insert(name.clone(), entries);
        states.insert(state.clone(), Value::String(name));
    }
    if states.is_empty() {
        return Ok(None);
    }
    let config = json!({
        "StateMachines": { machine: { "TestCases": { TEST_CASE: states } } },
        "MockedResponses": responses,
    });
    // Inline mocks are checked as a configuration's would be.
    mock::TestCase::load(&config, machine, TEST_CASE).map_err(|e| format!("case '{}': {e}", case.name))?;
    Ok(Some(config))
}

/// The execution's name: stable, so `$$.Execution.Name` is the same on
/// every run of the case.
fn execution_name(case: &Case) -> String {
    format!("aslc-test-{}", case.index + 1)
}

/// Runs `case` in the interpreter, with virtual time.
pub fn interpreted(
    machine: &StateMachine,
    name: &str,
    express: bool,
    case: &Case,
    config: Option<&Value>,
) -> Result<Ran, String> {
    let mock = config.map(|c| mock::TestCase::load(c, name, TEST_CASE)).transpose()?;
    let tasks = asl_runtime::tasks::Tasks { mock, ..Default::default() };
    let info = ExecutionInfo {
        machine_name: name.to_string(),
        execution_name: execution_name(case),
        start_time: chrono::Utc::now(),
        machine_type: if express { MachineType::Express } else { MachineType::Standard },
        redrive: None,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let opts =
        Options { timeout_seconds: machine.timeout_seconds, record_history: true, trace: true, ..Options::default() };
    let outcome = rt.block_on(execute(info, case.input.clone(), tasks, opts, &Interpreted(machine)));
    Ok(Ran {
        status: outcome.status.as_str().to_string(),
        output: outcome.output,
        error: outcome.error,
        cause: outcome.cause,
        history: outcome.history,
        trace: outcome.trace,
    })
}

/// Runs `case` with the suite's binary (`subcommand`: the machine's, in a
/// bundle of several), with virtual time; `scratch` holds the files
/// passed to it.
pub fn compiled(
    binary: &Path,
    subcommand: Option<&str>,
    express: bool,
    case: &Case,
    config: Option<&Value>,
    scratch: &Path,
) -> Result<Ran, String> {
    let write = |file: &str, text: String| -> Result<std::path::PathBuf, String> {
        let p = scratch.join(file);
        std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        Ok(p)
    };
    let (history, trace) = (scratch.join("history.json"), scratch.join("trace.json"));
    let mut cmd = Command::new(binary);
    cmd.args(subcommand)
        .arg("--input-file")
        .arg(write("input.json", case.input.to_string())?)
        .args(["--result", "--fast-forward", "--name", &execution_name(case)])
        .arg("--history")
        .arg(&history)
        .arg("--trace")
        .arg(&trace)
        .env_remove("SFN_MOCK_CONFIG")
        .env_remove("ASLC_RESOURCES");
    if express {
        cmd.args(["--type", "EXPRESS"]);
    }
    if let Some(c) = config {
        cmd.arg("--mock-config").arg(write("mock.json", c.to_string())?).args(["--test-case", TEST_CASE]);
    }
    let out = cmd.output().map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let read = |p: &Path| -> Result<Value, String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", p.display()))
    };
    let result: Value = serde_json::from_slice(&out.stdout)
        .map_err(|_| format!("the built binary gave no result: {}", String::from_utf8_lossy(&out.stderr).trim()))?;
    let text = |k: &str| result.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(Ran {
        status: text("status").unwrap_or_default(),
        output: text("output").map(|o| serde_json::from_str(&o).unwrap_or(Value::String(o))),
        error: text("error"),
        cause: text("cause"),
        history: read(&history)?,
        trace: serde_json::from_value(read(&trace)?).map_err(|e| format!("the trace is not readable: {e}"))?,
    })
}
