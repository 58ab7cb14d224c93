//! Which fields each state type accepts in each query language (ASL.md
//! §2.A), so that a field in the wrong place is reported the way AWS does.

use crate::model::QueryLanguage;

const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

/// Fields that exist only in JSONPath states.
pub const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Result",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "ItemsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
];

/// Fields that exist only in JSONata states.
pub const JSONATA_ONLY: &[&str] = &["Output", "Arguments", "Items"];

fn for_type(ty: &str) -> &'static [&'static str] {
    match ty {
        "Pass" => &["InputPath", "OutputPath", "Parameters", "Result", "ResultPath", "Assign", "Next", "End", "Output"],
        "Task" => &[
            "Resource",
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Assign",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Retry",
            "Catch",
            "Next",
            "End",
            "Arguments",
            "Output",
        ],
        "Choice" => &["InputPath", "OutputPath", "Assign", "Choices", "Default", "Output"],
        "Wait" => &[
            "InputPath",
            "OutputPath",
            "Assign",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "Next",
            "End",
            "Output",
        ],
        "Succeed" => &["InputPath", "OutputPath", "Output"],
        "Fail" => &["Error", "Cause", "ErrorPath", "CausePath"],
        "Parallel" => &[
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Assign",
            "Branches",
            "Retry",
            "Catch",
            "Next",
            "End",
            "Arguments",
            "Output",
        ],
        "Map" => &[
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Assign",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemProcessor",
            "Iterator",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "Label",
            "Retry",
            "Catch",
            "Next",
            "End",
            "Output",
        ],
        _ => &[],
    }
}

/// Why a field may not appear on a state, in AWS's words; `None` if it may.
pub fn rejection(ty: &str, ql: QueryLanguage, field: &str) -> Option<String> {
    if COMMON.contains(&field) {
        return None;
    }
    if !for_type(ty).contains(&field) {
        return Some(format!("Field '{field}' is not supported"));
    }
    match ql {
        QueryLanguage::JsonPath if JSONATA_ONLY.contains(&field) => Some(format!(
            "The QueryLanguage is set to 'JSONPath', but field '{field}' is only supported for the 'JSONata' QueryLanguage"
        )),
        QueryLanguage::Jsonata if JSONPATH_ONLY.contains(&field) => Some(format!(
            "The QueryLanguage is set to 'JSONata', but field '{field}' is only supported for the 'JSONPath' QueryLanguage"
        )),
        _ => None,
    }
}
