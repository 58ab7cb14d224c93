//! The Lambda Invoke API spoken to a local endpoint (as `sam local
//! start-lambda` serves it), and how function errors become AWS's error
//! names.

use super::http::{agent, read_capped, transport_detail};
use super::lambda::{envelope, Function, Style};
use super::supervise::{supervise, Limits};
use crate::error::{names, StatesError};
use serde_json::Value;
use std::time::Duration;

impl Function {
    /// The ARN AWS names in its error causes.
    fn arn(&self) -> String {
        format!("{}:{}", self.unqualified_arn(), self.qualifier.as_deref().unwrap_or("$LATEST"))
    }
}

/// More than this is not read: no payload that large fits a state.
const MAX_RESPONSE_BYTES: u64 = 16 << 20;

/// How the function is called.
pub struct Invocation<'a> {
    pub function: Function,
    pub payload: &'a Value,
    /// `lambda:invoke`'s InvocationType (`RequestResponse` by default).
    pub invocation_type: Option<&'a str>,
    pub style: Style,
    /// What a too-large result is reported as (`StatesError::result_too_large`).
    pub result_id: &'a str,
}

/// Invokes a function at `endpoint`.
pub async fn invoke(endpoint: &str, call: Invocation<'_>, limits: Limits) -> Result<Value, StatesError> {
    let Invocation { function, payload, invocation_type, style, result_id } = call;
    let mut url = format!(
        "{}/2015-03-31/functions/{}/invocations",
        endpoint.trim_end_matches('/'),
        form_urlencoded::byte_serialize(function.name.as_bytes()).collect::<String>()
    );
    if let Some(q) = &function.qualifier {
        url.push_str("?Qualifier=");
        url.extend(form_urlencoded::byte_serialize(q.as_bytes()));
    }
    let body = payload.to_string();
    let invocation_type = invocation_type.unwrap_or("RequestResponse").to_string();
    // The supervisor's deadline comes first: a timeout is States.Timeout.
    let timeout = limits.without_heartbeats() + Duration::from_secs(1);
    let result_id = result_id.to_string();
    supervise(
        limits,
        move |_| {
            let request = agent(timeout)
                .post(&url)
                .set("Content-Type", "application/json")
                .set("X-Amz-Invocation-Type", &invocation_type);
            match request.send_string(&body) {
                Ok(response) => answer(response, &function, style, &result_id),
                Err(ureq::Error::Status(_, response)) => Err(service_error(response)),
                Err(ureq::Error::Transport(t)) => Err(StatesError::new(
                    "Lambda.SdkClientException",
                    format!("Unable to execute HTTP request: {}", transport_detail(&t)),
                )),
            }
        },
        || {},
    )
    .await
}

/// The response's text, or `None` when it is over `MAX_RESPONSE_BYTES`.
fn read_body(response: ureq::Response) -> Result<Option<String>, StatesError> {
    read_capped(response, MAX_RESPONSE_BYTES)
        .map_err(|e| StatesError::new("Lambda.SdkClientException", format!("Unable to read the response: {e}")))
}

/// A 2xx answer: the payload, or the function's own error.
fn answer(response: ureq::Response, function: &Function, style: Style, result_id: &str) -> Result<Value, StatesError> {
    let status = response.status();
    let function_error = response.header("X-Amz-Function-Error").is_some();
    let request_id = response.header("x-amzn-RequestId").map(str::to_string);
    let body = read_body(response)?.ok_or_else(|| StatesError::result_too_large(result_id))?;
    let parsed: Option<Value> = serde_json::from_str(&body).ok();
    if function_error {
        return Err(function_failure(&body, parsed, style));
    }
    let payload = match parsed {
        Some(v) => v,
        // An asynchronous invocation (InvocationType Event) has no payload:
        // lambda:invoke reports "".
        None if body.is_empty() && style == Style::Service => Value::String(String::new()),
        None if body.is_empty() => Value::Null,
        // A payload that is not JSON is a string for lambda:invoke; a
        // legacy Lambda state cannot use it.
        None if style == Style::Service => Value::String(body),
        None => {
            return Err(StatesError::new(
                names::TASK_FAILED,
                format!("The function {} returned a payload that is not JSON", function.arn()),
            ))
        }
    };
    Ok(match style {
        Style::Legacy => payload,
        Style::Service => envelope(payload, status, request_id),
    })
}

/// The function raised an error: its `errorType` names the task's error.
fn function_failure(body: &str, parsed: Option<Value>, style: Style) -> StatesError {
    let error_type = parsed.as_ref().and_then(|v| v.get("errorType")).and_then(Value::as_str).map(str::to_string);
    let Some(error) = error_type else {
        return StatesError::new(
            "Lambda.Unknown",
            format!("The cause could not be determined because Lambda did not return an error type. Returned payload: {body}"),
        );
    };
    // The legacy integration passes the function's text on as it came; the
    // service integration re-serializes it.
    let cause = match (style, parsed) {
        (Style::Service, Some(v)) => v.to_string(),
        _ => body.to_string(),
    };
    StatesError::new(error, cause)
}

/// The Lambda service refused the call (no such function, throttling…):
/// `Lambda.<ErrorCode>` with the cause text of AWS's Java SDK.
fn service_error(response: ureq::Response) -> StatesError {
    let status = response.status();
    let request_id =
        response.header("x-amzn-RequestId").map(str::to_string).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let header_code = response.header("x-amzn-ErrorType").map(|h| h.split(':').next().unwrap_or(h).to_string());
    let body = read_body(response).ok().flatten().unwrap_or_default();
    let parsed: Option<Value> = serde_json::from_str(&body).ok();
    let field = |k: &str| parsed.as_ref().and_then(|v| v.get(k)).and_then(Value::as_str).map(str::to_string);
    let code = header_code.or_else(|| field("__type")).unwrap_or_else(|| {
        if status == 404 {
            "ResourceNotFound".into()
        } else {
            "Service".into()
        }
    });
    let code = if code.ends_with("Exception") { code } else { format!("{code}Exception") };
    let message = field("Message").or_else(|| field("message")).unwrap_or(body);
    StatesError::new(
        format!("Lambda.{code}"),
        format!(
            "{message} (Service: AWSLambda; Status Code: {status}; Error Code: {code}; Request ID: {request_id}; Proxy: null)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{ACCOUNT, REGION};

    #[test]
    fn function_arns() {
        assert_eq!(
            Function::parse("arn:aws:lambda:us-east-1:1:function:f").arn(),
            format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:f:$LATEST")
        );
    }

    #[test]
    fn function_errors() {
        let body = r#"{"errorMessage": "boom", "errorType": "ValueError"}"#;
        let parsed = serde_json::from_str(body).ok();
        let legacy = function_failure(body, parsed.clone(), Style::Legacy);
        assert_eq!((legacy.name(), legacy.cause.as_deref()), ("ValueError", Some(body)));
        let service = function_failure(body, parsed, Style::Service);
        assert_eq!(service.cause.as_deref(), Some(r#"{"errorMessage":"boom","errorType":"ValueError"}"#));
        assert_eq!(function_failure("oops", None, Style::Legacy).name(), "Lambda.Unknown");
    }
}
