//! The server's request decoding: a body, as JSON, validated against
//! botocore's service model for an operation picked by the first byte.
#![no_main]
use asl_runtime::serve::model;
use libfuzzer_sys::fuzz_target;

const OPERATIONS: &[&str] = &[
    "StartExecution",
    "StartSyncExecution",
    "CreateStateMachine",
    "DescribeExecution",
    "ListExecutions",
    "GetExecutionHistory",
    "SendTaskSuccess",
    "TestState",
    "UpdateMapRun",
    "TagResource",
    "RedriveExecution",
    "CreateStateMachineAlias",
    "ValidateStateMachineDefinition",
    "GetActivityTask",
    "StopExecution",
];

fuzz_target!(|data: &[u8]| {
    let Some((first, body)) = data.split_first() else { return };
    let operation = OPERATIONS[*first as usize % OPERATIONS.len()];
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let _ = model::validate(operation, &value);
    }
});
