//! The TestState operation: the request's state, checked by the engines,
//! run alone by `crate::test_state` (the same code as `aslc test-state`).

use super::api::{ApiError, Reply, Server};
use crate::test_state::{self as testing, Request};
use serde_json::Value;

impl From<testing::ApiError> for ApiError {
    fn from(e: testing::ApiError) -> ApiError {
        ApiError::new(e.code, e.message)
    }
}

impl Server {
    pub async fn test_state(&self, req: &Value) -> Reply {
        let request: Request = serde_json::from_value(req.clone()).map_err(|e| {
            ApiError::new("ValidationException", format!("The request is not a TestState request: {e}"))
        })?;
        let test = self.engines.prepare_test(&request)?;
        let tasks = self.tasks.for_test().map_err(|e| ApiError::new("ValidationException", e))?;
        Ok(testing::run(test, tasks).await?.to_json())
    }
}
