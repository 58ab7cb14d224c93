//! `GET /viewer?executionArn=ARN`: the execution viewer's page for one
//! execution, for a person with a browser beside the API. The history and
//! definition come through the API's own operations; the page is drawn by
//! the engines (`Engines::viewer`), which hold the model.

use super::api::{ApiError, Server};
use serde_json::{json, Value};
use std::rc::Rc;

/// The page, or the status and text of why there is none.
pub async fn page(server: &Rc<Server>, query: &str) -> Result<String, (u16, String)> {
    let arn = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "executionArn")
        .map(|(_, v)| v.into_owned())
        .ok_or((400, "Ask for /viewer?executionArn=ARN".to_string()))?;
    let failed = |e: ApiError| (e.status, format!("{}: {}", e.kind, e.message));
    let machine =
        server.dispatch("DescribeStateMachineForExecution", &json!({ "executionArn": arn })).await.map_err(failed)?;
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut req = json!({ "executionArn": arn, "includeExecutionData": true, "maxResults": 1000 });
        if let Some(t) = &token {
            req["nextToken"] = json!(t);
        }
        let page = server.dispatch("GetExecutionHistory", &req).await.map_err(failed)?;
        events.extend(page["events"].as_array().cloned().unwrap_or_default());
        token = page["nextToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    // The ARN was checked by the operations above: `execution:MACHINE:NAME`.
    let parts = super::arn::parts(&arn, &["execution", "express"]).map_err(failed)?;
    let name = format!("{} · {}", machine["name"].as_str().unwrap_or(""), parts.get(2).unwrap_or(&""));
    let definition = machine["definition"].as_str().unwrap_or("");
    server.engines.viewer(&name, definition, &json!({ "events": Value::Array(events) })).map_err(|e| (404, e))
}
