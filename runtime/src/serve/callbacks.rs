//! SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat: the answers to
//! `.waitForTaskToken` and activity tasks, handed to the task that waits on
//! the token (`exec::callback`); and GetActivityTask, the workers' long poll.

use super::api::{opt_text, text, ApiError, Reply, Server};
use crate::exec::callback::{Answer, Refused};
use serde_json::{json, Value};

/// How long GetActivityTask waits for a task, as AWS.
const ACTIVITY_POLL: std::time::Duration = std::time::Duration::from_secs(60);

impl Server {
    /// The oldest task of the activity, once there is one; `{}` if none
    /// arrives within 60 seconds.
    pub async fn get_activity_task(&self, req: &Value) -> Reply {
        let activity = text(req, "activityArn");
        self.describe_activity(req)?;
        let worker = opt_text(req, "workerName").unwrap_or("");
        let deadline = tokio::time::Instant::now() + ACTIVITY_POLL;
        loop {
            match self.callbacks.take(activity, worker) {
                Ok((token, input)) => return Ok(json!({"taskToken": token, "input": input})),
                Err(more) => {
                    if tokio::time::timeout_at(deadline, more).await.is_err() {
                        return Ok(json!({}));
                    }
                }
            }
        }
    }

    pub fn send_task_success(&self, req: &Value) -> Reply {
        let output = text(req, "output");
        let value = serde_json::from_str(output)
            .map_err(|e| ApiError::new("InvalidOutput", format!("Invalid Output: '{e}'")))?;
        self.answer(req, Answer::Success(value))
    }

    pub fn send_task_failure(&self, req: &Value) -> Reply {
        let failure = Answer::Failure {
            error: opt_text(req, "error").map(str::to_string),
            cause: opt_text(req, "cause").map(str::to_string),
        };
        self.answer(req, failure)
    }

    pub fn send_task_heartbeat(&self, req: &Value) -> Reply {
        self.answer(req, Answer::Heartbeat)
    }

    fn answer(&self, req: &Value, answer: Answer) -> Reply {
        let token = text(req, "taskToken");
        match self.callbacks.answer(token, answer) {
            Ok(()) => Ok(json!({})),
            Err(Refused::Invalid) => Err(ApiError::new("InvalidToken", format!("Invalid Token: '{token}'"))),
            Err(Refused::Unknown) => Err(ApiError::new("TaskDoesNotExist", "Task Does Not Exist")),
            Err(Refused::TimedOut) => Err(ApiError::new("TaskTimedOut", "Task Timed Out")),
        }
    }
}
