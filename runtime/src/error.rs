//! The ASL error model: every failure an execution can produce is a
//! `StatesError` carrying AWS's error name and cause text.

use std::fmt;

/// Predefined error names (ASL spec Appendix A), spelled exactly as AWS does.
pub mod names {
    pub const ALL: &str = "States.ALL";
    pub const RUNTIME: &str = "States.Runtime";
    pub const TIMEOUT: &str = "States.Timeout";
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    pub const TASK_FAILED: &str = "States.TaskFailed";
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
}

/// An execution error: `error` is the name matched by Retry/Catch, `cause`
/// the human text. `cause` is `None` when AWS records none (a timeout, a Fail
/// state without Cause), which the error output renders as `""`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatesError {
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Raised by the state's own evaluation (a path, an intrinsic, a
    /// template): AWS prefixes such causes with the state name and the id of
    /// its entered event. Task and Fail errors are reported as given.
    pub state_scoped: bool,
}

impl StatesError {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError { error: Some(error.into()), cause: Some(cause.into()), state_scoped: false }
    }

    /// What a Fail state raises: its error and cause as given, either
    /// possibly absent.
    pub fn failed(error: Option<String>, cause: Option<String>) -> Self {
        StatesError { error, cause, state_scoped: false }
    }

    /// An error raised while evaluating the state itself (see `state_scoped`).
    pub fn scoped(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError { state_scoped: true, ..Self::new(error, cause) }
    }

    /// `States.Runtime`: never retried nor caught.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::scoped(names::RUNTIME, cause)
    }

    /// `States.DataLimitExceeded` for a result over the payload limit, in
    /// AWS's words; `id` is what AWS names (the state, a Lambda function's
    /// ARN, or `lambda`).
    pub fn result_too_large(id: &str) -> Self {
        Self::new(
            names::DATA_LIMIT_EXCEEDED,
            format!("The state/task '{id}' returned a result with a size exceeding the maximum number of bytes service limit."),
        )
    }

    pub fn intrinsic(cause: impl Into<String>) -> Self {
        Self::scoped(names::INTRINSIC_FAILURE, cause)
    }

    pub fn name(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }

    pub fn is_runtime(&self) -> bool {
        self.name() == names::RUNTIME
    }

    /// The Error Output a catcher receives: `{"Error": …, "Cause": …}`,
    /// with `null` where the error recorded none — except timeouts, whose
    /// missing cause AWS reports as `""`.
    pub fn to_error_output(&self) -> serde_json::Value {
        let timeout = matches!(self.name(), names::TIMEOUT | names::HEARTBEAT_TIMEOUT);
        let cause = match &self.cause {
            None if timeout => Some(String::new()),
            c => c.clone(),
        };
        serde_json::json!({ "Error": self.error, "Cause": cause })
    }

    /// Prefixes the cause the way AWS reports errors raised while a state
    /// runs: `An error occurred while executing the state 'S' (entered at the event id #N). `
    pub fn in_state(mut self, state: &str, entered_event: u64) -> Self {
        if !self.state_scoped {
            return self;
        }
        self.state_scoped = false;
        let cause = self.cause.take().unwrap_or_default();
        self.cause = Some(format!(
            "An error occurred while executing the state '{state}' (entered at the event id #{entered_event}). {cause}"
        ));
        self
    }
}

impl fmt::Display for StatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.cause.as_deref().unwrap_or(""))
    }
}

impl std::error::Error for StatesError {}
