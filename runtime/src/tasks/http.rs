//! AWS's HTTP Task (`arn:aws:states:::http:invoke`): the request built from
//! the task's parameters, the connection's credentials, the result shape
//! and the error names.

use super::connections::Connection;
use super::supervise::{supervise, Limits};
use super::Trace;
use crate::aws::REGION;
use crate::error::StatesError;
use serde_json::{json, Map, Value};
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

/// AWS ends an HTTP Task's request after 60 seconds (`States.Http.Socket`).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/// Headers a task may not set: the connection and the transport own them.
const FORBIDDEN_HEADERS: &[&str] = &[
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-length",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];
const FORBIDDEN_PREFIXES: &[&str] = &["x-forwarded-", "x-amz-", "x-amzn-"];

/// The exchange as TestState's TRACE level shows it.
impl Trace {
    fn keep(&self, key: &str, value: Value) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(key.to_string(), value);
        }
    }

    fn request(&self, r: &Request) {
        let mut url = r.url.clone();
        if !r.query.is_empty() {
            let mut q = form_urlencoded::Serializer::new(String::new());
            q.extend_pairs(r.query.iter());
            url = format!("{url}{}{}", if url.contains('?') { '&' } else { '?' }, q.finish());
        }
        let protocol = url.split("://").next().unwrap_or("https").to_string();
        let headers: Map<String, Value> = r.headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let body = r.body.as_deref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
        self.keep(
            "request",
            json!({"protocol": protocol, "method": r.method, "url": url, "headers": Value::Object(headers).to_string(), "body": body}),
        );
    }

    fn response(&self, version: &str, status: u16, message: &str, headers: &Map<String, Value>, body: &str) {
        self.keep(
            "response",
            json!({
                "protocol": version, "statusCode": status.to_string(), "statusMessage": message,
                "headers": Value::Object(headers.clone()).to_string(), "body": body,
            }),
        );
    }
}

/// One blocking HTTP client per call, with rustls for `https://`.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::AgentBuilder::new().timeout(timeout).build()
}

/// `host:port` of the request that failed.
fn server(t: &ureq::Transport) -> String {
    t.url()
        .map(|u| format!("{}:{}", u.host_str().unwrap_or(""), u.port_or_known_default().unwrap_or(0)))
        .unwrap_or_default()
}

/// Whether the transport gave up waiting (connecting, reading or writing).
fn timed_out(t: &ureq::Transport) -> bool {
    std::error::Error::source(t)
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .is_some_and(|e| matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock))
}

/// A transport failure in the words AWS's Java client uses.
pub fn transport_detail(t: &ureq::Transport) -> String {
    let server = server(t);
    let source = std::error::Error::source(t).map(|s| s.to_string()).or_else(|| t.message().map(str::to_string));
    match t.kind() {
        ureq::ErrorKind::ConnectionFailed | ureq::ErrorKind::Dns => {
            format!("Connect to {server} failed: {}", source.unwrap_or_else(|| t.to_string()))
        }
        _ => source.unwrap_or_else(|| t.to_string()),
    }
}

/// The request an HTTP Task's parameters describe.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    connection_arn: String,
}

fn invalid(field: &str, what: &str) -> StatesError {
    StatesError::runtime(format!("The parameters could not be used to start the HTTP Task: the field '{field}' {what}"))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Request {
    fn from_parameters(p: &Value) -> Result<Request, StatesError> {
        let p = p.as_object().ok_or_else(|| invalid("Parameters", "must be an object"))?;
        let url = p.get("ApiEndpoint").and_then(Value::as_str).ok_or_else(|| invalid("ApiEndpoint", "is required"))?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(invalid("ApiEndpoint", "must be an https:// URL"));
        }
        let method = p.get("Method").and_then(Value::as_str).ok_or_else(|| invalid("Method", "is required"))?;
        if !METHODS.contains(&method) {
            return Err(invalid("Method", &format!("must be one of {}", METHODS.join(", "))));
        }
        let connection_arn = ["Authentication", "InvocationConfig"]
            .iter()
            .find_map(|k| p.get(*k)?.get("ConnectionArn")?.as_str())
            .ok_or_else(|| invalid("Authentication.ConnectionArn", "is required (ConnectionArn is required)"))?;
        let mut headers = Vec::new();
        if let Some(h) = p.get("Headers") {
            let h = h.as_object().ok_or_else(|| invalid("Headers", "must be an object"))?;
            for (name, value) in h {
                let lower = name.to_ascii_lowercase();
                if FORBIDDEN_HEADERS.contains(&lower.as_str())
                    || FORBIDDEN_PREFIXES.iter().any(|p| lower.starts_with(p))
                {
                    return Err(invalid("Headers", &format!("sets '{name}', which an HTTP Task may not set")));
                }
                match value {
                    Value::Array(items) => headers.extend(items.iter().map(|i| (name.clone(), text(i)))),
                    Value::Null => {}
                    v => headers.push((name.clone(), text(v))),
                }
            }
        }
        let mut query = Vec::new();
        if let Some(q) = p.get("QueryParameters") {
            let q = q.as_object().ok_or_else(|| invalid("QueryParameters", "must be an object"))?;
            for (name, value) in q {
                match value {
                    Value::Null => {}
                    Value::Array(items) => query.extend(items.iter().map(|i| (name.clone(), text(i)))),
                    v => query.push((name.clone(), text(v))),
                }
            }
        }
        let transform = p.get("Transform");
        let url_encoded =
            transform.and_then(|t| t.get("RequestBodyEncoding")).and_then(Value::as_str) == Some("URL_ENCODED");
        let format = transform
            .and_then(|t| t.get("RequestEncodingOptions"))
            .and_then(|o| o.get("ArrayFormat"))
            .and_then(Value::as_str)
            .unwrap_or("INDICES");
        let has_type = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        let body = match p.get("RequestBody") {
            None => None,
            Some(b) if url_encoded => {
                let Value::Object(m) = b else {
                    return Err(invalid("RequestBody", "must be an object to be URL-encoded"));
                };
                if !has_type {
                    headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
                }
                Some(url_encode(m, format)?.into_bytes())
            }
            Some(Value::String(s)) => Some(s.clone().into_bytes()),
            Some(b) => {
                if !has_type {
                    headers.push(("Content-Type".into(), "application/json".into()));
                }
                Some(b.to_string().into_bytes())
            }
        };
        Ok(Request {
            method: method.into(),
            url: url.into(),
            query,
            headers,
            body,
            connection_arn: connection_arn.into(),
        })
    }
}

/// `Transform.RequestBodyEncoding: URL_ENCODED`, arrays as `ArrayFormat` says.
fn url_encode(body: &Map<String, Value>, format: &str) -> Result<String, StatesError> {
    if !["INDICES", "REPEAT", "COMMAS", "BRACKETS"].contains(&format) {
        return Err(invalid(
            "Transform.RequestEncodingOptions.ArrayFormat",
            "must be INDICES, REPEAT, COMMAS or BRACKETS",
        ));
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in body {
        encode_pair(&mut out, k, v, format);
    }
    Ok(out.finish())
}

fn encode_pair(out: &mut form_urlencoded::Serializer<'_, String>, key: &str, v: &Value, format: &str) {
    match v {
        Value::Null => {}
        Value::Object(m) => m.iter().for_each(|(k, v)| encode_pair(out, &format!("{key}[{k}]"), v, format)),
        Value::Array(items) => match format {
            "REPEAT" => items.iter().for_each(|i| encode_pair(out, key, i, format)),
            "COMMAS" => {
                out.append_pair(key, &items.iter().map(text).collect::<Vec<_>>().join(","));
            }
            "BRACKETS" => items.iter().for_each(|i| encode_pair(out, &format!("{key}[]"), i, format)),
            _ => items.iter().enumerate().for_each(|(n, i)| encode_pair(out, &format!("{key}[{n}]"), i, format)),
        },
        scalar => {
            out.append_pair(key, &text(scalar));
        }
    }
}

/// Calls the API the parameters describe, with the connection's credentials.
pub async fn invoke(
    parameters: &Value,
    connections: Option<Arc<super::connections::Connections>>,
    limits: Limits,
    result_id: &str,
    trace: Option<Trace>,
) -> Result<Value, StatesError> {
    let request = Request::from_parameters(parameters)?;
    let connection = connections.and_then(|c| c.get(&request.connection_arn));
    let result_id = result_id.to_string();
    supervise(
        limits,
        move |_| {
            let agent = agent(REQUEST_TIMEOUT);
            let trace = trace.as_ref();
            if let Some(t) = trace.filter(|t| !t.reveal) {
                t.request(&request);
            }
            let Some(c) = connection else { return send(&agent, &request, &result_id, trace) };
            let attempt = |r: &Request| {
                let mut r = r.clone();
                apply(&agent, &c, &mut r)?;
                if let Some(t) = trace.filter(|t| t.reveal) {
                    t.request(&r);
                }
                send(&agent, &r, &result_id, trace)
            };
            match attempt(&request) {
                // An OAuth token the API no longer accepts is fetched anew, once.
                Err(e) if e.name() == "States.Http.StatusCode.401" && c.forget_token() => attempt(&request),
                other => other,
            }
        },
        || {},
    )
    .await
}

/// Adds what the connection stands for: credentials and its extra
/// headers, query parameters and body fields.
fn apply(agent: &ureq::Agent, c: &Connection, r: &mut Request) -> Result<(), StatesError> {
    if let Some(auth) = c.authorization(agent)? {
        r.headers.push(auth);
    }
    r.headers.extend(c.headers.iter().cloned());
    r.query.extend(c.query.iter().cloned());
    if !c.body.is_empty() {
        let mut body = match r.body.as_deref().map(serde_json::from_slice::<Value>) {
            None => Map::new(),
            Some(Ok(Value::Object(m))) => m,
            // Body fields only join a JSON object body.
            Some(_) => return Ok(()),
        };
        for (k, v) in &c.body {
            body.entry(k.clone()).or_insert_with(|| Value::String(v.clone()));
        }
        if r.body.is_none() {
            r.headers.push(("Content-Type".into(), "application/json".into()));
        }
        r.body = Some(Value::Object(body).to_string().into_bytes());
    }
    Ok(())
}

fn send(agent: &ureq::Agent, r: &Request, result_id: &str, trace: Option<&Trace>) -> Result<Value, StatesError> {
    let mut req =
        agent.request(&r.method, &r.url).set("User-Agent", &format!("Amazon|StepFunctions|HttpInvoke|{REGION}"));
    for (k, v) in &r.query {
        req = req.query(k, v);
    }
    for (k, v) in &r.headers {
        req = req.set(k, v);
    }
    let sent = match &r.body {
        Some(b) => req.send_bytes(b),
        None => req.call(),
    };
    match sent {
        Ok(response) => result(response, result_id, trace),
        Err(ureq::Error::Status(code, response)) => {
            let (version, message, headers) =
                (response.http_version().to_string(), response.status_text().to_string(), headers(&response));
            let body = read_body(response).ok().flatten().unwrap_or_default();
            if let Some(t) = trace {
                t.response(&version, code, &message, &headers, &body);
            }
            Err(StatesError::new(format!("States.Http.StatusCode.{code}"), body))
        }
        Err(ureq::Error::Transport(t)) => {
            let cause = if timed_out(&t) {
                let server = server(&t);
                let path = t.url().map(|u| u.path().to_string()).unwrap_or_default();
                format!(
                    "The timeout period of {}ms has been exceeded while executing {} {path} for server {server}",
                    REQUEST_TIMEOUT.as_millis(),
                    r.method
                )
            } else {
                transport_detail(&t)
            };
            Err(StatesError::new("States.Http.Socket", cause))
        }
    }
}

/// A response's text, reading at most one byte more than `cap`: `None`
/// when it is longer. Every HTTP answer a task reads goes through here.
pub fn read_capped(response: ureq::Response, cap: u64) -> std::io::Result<Option<String>> {
    let mut bytes = Vec::new();
    response.into_reader().take(cap + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then(|| String::from_utf8_lossy(&bytes).into_owned()))
}

fn read_body(response: ureq::Response) -> Result<Option<String>, StatesError> {
    read_capped(response, crate::aws::MAX_PAYLOAD_BYTES as u64)
        .map_err(|e| StatesError::new("States.Http.Socket", format!("reading the response failed: {e}")))
}

/// A response's headers, each with its values.
fn headers(response: &ureq::Response) -> Map<String, Value> {
    let mut headers = Map::new();
    for name in response.headers_names() {
        let values: Vec<Value> = response.all(&name).into_iter().map(|v| Value::String(v.to_string())).collect();
        headers.insert(name, Value::Array(values));
    }
    headers
}

/// `{StatusCode, StatusText, Headers, ResponseBody}`, a JSON body parsed.
fn result(response: ureq::Response, result_id: &str, trace: Option<&Trace>) -> Result<Value, StatesError> {
    let status = response.status();
    let status_text = response.status_text().to_string();
    let version = response.http_version().to_string();
    let headers = headers(&response);
    let json_body = response.content_type().ends_with("json");
    let text = read_body(response)?.ok_or_else(|| StatesError::result_too_large(result_id))?;
    if let Some(t) = trace {
        t.response(&version, status, &status_text, &headers, &text);
    }
    let body = if json_body { serde_json::from_str(&text).unwrap_or(Value::String(text)) } else { Value::String(text) };
    Ok(json!({ "Headers": headers, "ResponseBody": body, "StatusCode": status, "StatusText": status_text }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(p: Value) -> Result<Request, StatesError> {
        Request::from_parameters(&p)
    }

    const CONN: &str = "arn:aws:events:us-east-1:123456789012:connection/api/1";

    #[test]
    fn forbidden_and_missing_fields_are_runtime_errors() {
        let e = request(json!({"ApiEndpoint": "https://x", "Method": "GET", "Authentication": {"ConnectionArn": CONN}, "Headers": {"Authorization": "x"}})).unwrap_err();
        assert!(e.is_runtime() && e.cause.as_deref().unwrap_or("").contains("Authorization"), "{e:?}");
        let e = request(json!({"ApiEndpoint": "https://x", "Method": "GET", "Authentication": {"ConnectionArn": CONN}, "Headers": {"X-Amz-Date": "x"}})).unwrap_err();
        assert!(e.cause.as_deref().unwrap_or("").contains("X-Amz-Date"));
        let e = request(json!({"ApiEndpoint": "https://x", "Method": "GET"})).unwrap_err();
        assert!(e.cause.as_deref().unwrap_or("").contains("ConnectionArn is required"));
        assert!(request(
            json!({"ApiEndpoint": "https://x", "Method": "FETCH", "Authentication": {"ConnectionArn": CONN}})
        )
        .is_err());
    }

    #[test]
    fn bodies_and_queries() {
        let r = request(json!({
            "ApiEndpoint": "http://localhost/p", "Method": "POST", "InvocationConfig": {"ConnectionArn": CONN},
            "QueryParameters": {"q": "a b", "tag": ["x", "y"], "skip": null, "n": 3},
            "RequestBody": {"a": 1}
        }))
        .unwrap();
        assert_eq!(
            r.query,
            [("q", "a b"), ("tag", "x"), ("tag", "y"), ("n", "3")].map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(r.body.as_deref(), Some(&b"{\"a\":1}"[..]));
        assert!(r.headers.contains(&("Content-Type".into(), "application/json".into())));
    }

    #[test]
    fn url_encoded_array_formats() {
        let body = json!({"a": ["x", "y"], "o": {"k": "v w"}});
        let Value::Object(m) = body else { unreachable!() };
        assert_eq!(url_encode(&m, "INDICES").unwrap(), "a%5B0%5D=x&a%5B1%5D=y&o%5Bk%5D=v+w");
        assert_eq!(url_encode(&m, "REPEAT").unwrap(), "a=x&a=y&o%5Bk%5D=v+w");
        assert_eq!(url_encode(&m, "COMMAS").unwrap(), "a=x%2Cy&o%5Bk%5D=v+w");
        assert_eq!(url_encode(&m, "BRACKETS").unwrap(), "a%5B%5D=x&a%5B%5D=y&o%5Bk%5D=v+w");
        assert!(url_encode(&m, "SPACES").is_err());
    }
}
