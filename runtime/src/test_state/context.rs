//! TestState's context object: the one the request gives, checked as AWS
//! checks it and then used whole, or one made up for the run.

use super::ApiError;
use crate::env::ExecutionContext;
use crate::exec::{ACCOUNT, REGION};
use crate::machine::{Body, State};
use crate::tasks::ResourceKind;
use serde_json::{json, Map, Value};

/// The fields a given context object may have, per part.
const FIELDS: &[(&str, &[&str])] = &[
    ("Execution", &["Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"]),
    ("State", &["EnteredTime", "Name", "RetryCount"]),
    ("StateMachine", &["Id", "Name"]),
    ("Task", &["Token"]),
];

pub(super) struct Given {
    given: Option<Map<String, Value>>,
    pub machine_name: String,
    pub execution_name: String,
    role_arn: Option<String>,
}

fn invalid(message: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!("Invalid Context object provided: {message}"))
}

impl Given {
    /// Checks the request's `context` (JSON text) against the state.
    pub fn parse(text: Option<&str>, state: &State) -> Result<Given, ApiError> {
        let given = match text {
            None => None,
            Some(t) => match serde_json::from_str::<Value>(t) {
                Ok(Value::Object(m)) => Some(m),
                Ok(_) => return Err(invalid("The context object must be a JSON object")),
                Err(e) => return Err(invalid(format!("The context object is not valid JSON: {e}"))),
            },
        };
        for (key, value) in given.iter().flatten() {
            if key == "Map" {
                return Err(invalid("'Map' field is not supported when mocking a Context object"));
            }
            let Some((_, allowed)) = FIELDS.iter().find(|(part, _)| part == key) else {
                return Err(invalid(format!("Field '{key}' is not allowed")));
            };
            if key == "Task" && !hands_token(state) {
                return Err(invalid(
                    "Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern",
                ));
            }
            let Value::Object(fields) = value else {
                return Err(invalid(format!("Field '{key}' must be an object")));
            };
            if let Some(field) = fields.keys().find(|f| !allowed.contains(&f.as_str())) {
                return Err(invalid(format!("Field '{field}' is not allowed")));
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        Ok(Given { given, machine_name: format!("TestStateMachine-{id}"), execution_name: id, role_arn: None })
    }

    pub fn with_role(self, role_arn: Option<String>) -> Given {
        Given { role_arn, ..self }
    }

    /// The context object: the given one whole, or an Express execution's
    /// (AWS runs a tested state in one), with the request's role.
    pub fn build(self, input: &Value) -> ExecutionContext {
        if let Some(m) = self.given {
            return ExecutionContext::whole(m);
        }
        let machine_arn = format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{}", self.machine_name);
        let execution = json!({
            "Id": format!("arn:aws:states:{REGION}:{ACCOUNT}:express:{}:{}", self.machine_name, self.execution_name),
            "Input": input,
            "Name": self.execution_name,
            "RoleArn": self.role_arn,
            "StartTime": crate::timestamp::format_context(chrono::Utc::now()),
        });
        let machine = json!({ "Id": machine_arn, "Name": self.machine_name });
        let mut m = Map::new();
        m.insert("Execution".into(), execution);
        m.insert("StateMachine".into(), machine);
        ExecutionContext::new(move || m.clone())
    }
}

/// Whether a Task hands a token to what it calls (then `$$.Task` exists).
pub(super) fn hands_token(state: &State) -> bool {
    match &state.body {
        Body::Task(t) => {
            matches!(t.kind(), ResourceKind::Activity)
                || [".sync", ".sync:2", ".waitForTaskToken"].iter().any(|p| t.resource.ends_with(p))
        }
        _ => false,
    }
}
