//! Executions of the project's case definitions on arbitrary inputs, with
//! the clock paused (Waits and retry backoffs pass at once): the first byte
//! picks a definition, the rest is the input (JSON, or else the bytes as a
//! JSON string). `limits.json` is left out: its cases run for a second on
//! purpose (JSONata's evaluation timeout).
#![no_main]
use asl_runtime::tasks::mock::TestCase;
use asl_runtime::tasks::Tasks;
use aslc::check::{check, MachineType};
use aslc::interpret::run_to_end;
use aslc::model::StateMachine;
use aslc::source::Source;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

const CASE_FILES: [&str; 8] = [
    include_str!("../../tests/cases/choice.json"),
    include_str!("../../tests/cases/errors.json"),
    include_str!("../../tests/cases/intrinsics.json"),
    include_str!("../../tests/cases/io-failures.json"),
    include_str!("../../tests/cases/jsonata.json"),
    include_str!("../../tests/cases/paths.json"),
    include_str!("../../tests/cases/states.json"),
    include_str!("../../tests/cases/tasks.json"),
];

fn machines() -> &'static [(StateMachine, Option<TestCase>)] {
    static MACHINES: OnceLock<Vec<(StateMachine, Option<TestCase>)>> = OnceLock::new();
    MACHINES.get_or_init(|| {
        let source = Source { name: "case".into(), text: String::new(), positions: Default::default() };
        let cases = CASE_FILES.iter().filter_map(|f| serde_json::from_str::<Vec<Value>>(f).ok()).flatten();
        cases
            .filter_map(|case| {
                let (machine, _) = check(&source, &case["definition"], MachineType::Standard);
                let mock = case.get("mock").and_then(|m| TestCase::load(m, "Machine", "Test").ok());
                Some((machine?, mock))
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let machines = machines();
    let (machine, mock) = &machines[pick as usize % machines.len()];
    let input = serde_json::from_slice(rest).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(rest).into()));
    let _ = run_to_end(machine, "Machine", input, Tasks { mock: mock.clone(), ..Tasks::default() }, true);
});
