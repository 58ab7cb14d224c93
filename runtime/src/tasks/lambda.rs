//! Lambda functions: how a workflow names them and the `lambda:invoke`
//! result envelope (the Invoke API itself is `lambda_endpoint.rs`).

use crate::aws::{ACCOUNT, REGION};
use serde_json::{json, Value};

/// How the workflow calls the function: the result and the error causes
/// differ between the two.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    /// `arn:aws:lambda:…:function:name`: the result is the function's payload.
    Legacy,
    /// `arn:aws:states:::lambda:invoke`: the result is the Invoke envelope.
    Service,
}

/// A function reference split as the Invoke API wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: String,
    pub qualifier: Option<String>,
}

impl Function {
    /// `name`, `name:qualifier`, or a function ARN with an optional qualifier.
    pub fn parse(reference: &str) -> Function {
        let rest = match reference.splitn(7, ':').collect::<Vec<_>>().as_slice() {
            ["arn", _, "lambda", _, _, "function", rest] => (*rest).to_string(),
            _ => reference.to_string(),
        };
        match rest.split_once(':') {
            Some((name, q)) => Function { name: name.to_string(), qualifier: Some(q.to_string()) },
            None => Function { name: rest, qualifier: None },
        }
    }

    /// The function's ARN without a qualifier, as a resource map names it
    /// whether the workflow gave a name or an ARN.
    pub fn unqualified_arn(&self) -> String {
        format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{}", self.name)
    }
}

/// The `lambda:invoke` result around a function's payload; `request_id`
/// is the endpoint's, or a new one for handlers that have none.
pub fn envelope(payload: Value, status: u16, request_id: Option<String>) -> Value {
    let request_id = request_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let date = crate::timestamp::http_date(chrono::Utc::now());
    let length = payload.to_string().len().to_string();
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Date": [date],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
            },
            "HttpStatusCode": status,
        },
        "SdkResponseMetadata": { "RequestId": request_id },
        "StatusCode": status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_references() {
        assert_eq!(Function::parse("f"), Function { name: "f".into(), qualifier: None });
        assert_eq!(Function::parse("f:prod"), Function { name: "f".into(), qualifier: Some("prod".into()) });
        assert_eq!(
            Function::parse("arn:aws:lambda:us-east-1:1:function:f:3"),
            Function { name: "f".into(), qualifier: Some("3".into()) }
        );
    }
}
