//! A small local HTTP API for the task-handler tests, started by the tests
//! themselves on a free port: a products REST API (for HTTP Tasks) and the
//! Lambda Invoke API (`POST /2015-03-31/functions/NAME/invocations`, as
//! `sam local start-lambda` serves it) with a few functions.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tiny_http::{Header, Request, Response, Server};

/// One request the API received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    /// Status polls per product id.
    products: HashMap<String, u32>,
    /// Calls per function name.
    calls: HashMap<String, u32>,
    /// OAuth tokens issued, and those `/once` has accepted (each once).
    tokens: u32,
    used: Vec<String>,
    received: Vec<Received>,
}

pub struct LocalApi {
    pub url: String,
    state: Arc<Mutex<State>>,
}

pub const API_KEY: &str = "secret-key";
pub const CLIENT: (&str, &str) = ("client-id", "client-secret");
/// `CLIENT` as Basic authentication.
const CLIENT_BASIC: &str = "Basic Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQ=";

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn json_reply(status: u16, v: &Value) -> Reply {
    let header = Header::from_bytes("Content-Type", "application/json").expect("valid header");
    Response::from_string(v.to_string()).with_status_code(status).with_header(header)
}

fn with_header(r: Reply, name: &str, value: &str) -> Reply {
    r.with_header(Header::from_bytes(name, value).expect("valid header"))
}

impl LocalApi {
    pub fn start() -> LocalApi {
        let server = Server::http("127.0.0.1:0").expect("a local port");
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let state = shared.clone();
                // A thread per request: a slow answer holds up no other.
                std::thread::spawn(move || handle(&state, request));
            }
        });
        LocalApi { url: format!("http://127.0.0.1:{port}"), state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().map(|s| s.received.clone()).unwrap_or_default()
    }

    /// How often `function` was invoked.
    pub fn calls(&self, function: &str) -> u32 {
        self.state.lock().map(|s| s.calls.get(function).copied().unwrap_or(0)).unwrap_or(0)
    }
}

fn handle(state: &Mutex<State>, mut request: Request) {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let got = Received {
        method: request.method().to_string(),
        url: request.url().to_string(),
        headers: request.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect(),
        body,
    };
    let reply = {
        let Ok(mut s) = state.lock() else { return };
        s.received.push(got.clone());
        route(&mut s, &got)
    };
    let reply = match reply {
        Some(r) => r,
        // Answered outside the lock.
        None => {
            std::thread::sleep(Duration::from_secs(3));
            json_reply(200, &json!({"slow": true}))
        }
    };
    let _ = request.respond(reply);
}

/// The answer to `r`; `None` for the slow endpoint.
fn route(s: &mut State, r: &Received) -> Option<Reply> {
    let path = r.url.split('?').next().unwrap_or("");
    if let Some(function) = path.strip_prefix("/2015-03-31/functions/").and_then(|p| p.strip_suffix("/invocations")) {
        *s.calls.entry(function.to_string()).or_insert(0) += 1;
        let calls = s.calls[function];
        return Some(with_header(lambda(s, function, calls, &r.body), "x-amzn-RequestId", "request-1"));
    }
    let body: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    Some(match (r.method.as_str(), path) {
        ("POST", "/products") if r.header("x-api-key") != Some(API_KEY) => {
            json_reply(401, &json!({"message": "Unauthorized"}))
        }
        ("POST", "/products") => match body["sku"].as_str() {
            Some(sku) => {
                let id = format!("p-{sku}");
                s.products.insert(id.clone(), 0);
                json_reply(201, &json!({"productId": id}))
            }
            None => json_reply(400, &json!({"message": "sku is required"})),
        },
        ("GET", p) if p.starts_with("/products/") => {
            let id = &p["/products/".len()..];
            match s.products.get_mut(id) {
                Some(polls) => {
                    *polls += 1;
                    json_reply(200, &json!({"productId": id, "state": if *polls < 2 { "PENDING" } else { "READY" }}))
                }
                None => Response::from_string(format!("no product {id}")).with_status_code(404),
            }
        }
        ("GET", "/slow") => return None,
        ("GET", "/big") => json_reply(200, &json!({"blob": "x".repeat(300_000)})),
        ("POST", "/oauth/token") => {
            if r.header("Authorization") == Some(CLIENT_BASIC) && r.body.contains("grant_type=client_credentials") {
                s.tokens += 1;
                json_reply(200, &json!({"access_token": format!("token-{}", s.tokens), "token_type": "Bearer"}))
            } else {
                json_reply(401, &json!({"error": "invalid_client"}))
            }
        }
        // Accepts each OAuth token once, as if it expired after one use.
        ("GET", "/once") => match r.header("Authorization").and_then(|a| a.strip_prefix("Bearer ")) {
            Some(t) if !s.used.iter().any(|u| u == t) => {
                s.used.push(t.to_string());
                json_reply(200, &json!({"ok": t}))
            }
            _ => json_reply(401, &json!({"message": "token expired"})),
        },
        // Echoes what arrived, for the tests to look at.
        (_, "/echo") => json_reply(
            200,
            &json!({
                "method": r.method,
                "query": r.url.split_once('?').map(|(_, q)| q).unwrap_or(""),
                "authorization": r.header("Authorization"),
                "contentType": r.header("Content-Type"),
                "custom": r.header("X-Custom"),
                "body": r.body,
            }),
        ),
        ("GET", "/text") => Response::from_string("plain words"),
        _ => Response::from_string("not found").with_status_code(404),
    })
}

/// The functions behind the Lambda Invoke API.
fn lambda(s: &mut State, function: &str, calls: u32, body: &str) -> Reply {
    let payload: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let function_error = |error_type: &str, message: &str| {
        let r = json_reply(200, &json!({"errorMessage": message, "errorType": error_type, "stackTrace": []}));
        with_header(r, "X-Amz-Function-Error", "Unhandled")
    };
    match function {
        "create-product" => match payload["sku"].as_str() {
            Some(sku) if !sku.is_empty() => {
                let id = format!("p-{sku}");
                s.products.insert(id.clone(), 0);
                json_reply(200, &json!({"productId": id}))
            }
            _ => function_error("InvalidProduct", "a product needs a sku"),
        },
        "get-product-status" => {
            let id = payload["productId"].as_str().unwrap_or("");
            match s.products.get_mut(id) {
                Some(polls) => {
                    *polls += 1;
                    json_reply(200, &json!({"state": if *polls < 2 { "PENDING" } else { "READY" }}))
                }
                None => function_error("ProductNotFound", &format!("no product '{id}'")),
            }
        }
        "echo" => json_reply(200, &payload),
        "big" => json_reply(200, &json!({"blob": "x".repeat(300_000)})),
        "throttled-once" if calls == 1 => with_header(
            json_reply(429, &json!({"Type": "User", "message": "Rate exceeded"})),
            "x-amzn-ErrorType",
            "TooManyRequestsException",
        ),
        "throttled-once" => json_reply(200, &json!({"attempt": calls})),
        "crashes" => with_header(
            json_reply(200, &json!({"errorMessage": "Runtime exited with error: signal: killed"})),
            "X-Amz-Function-Error",
            "Unhandled",
        ),
        other => with_header(
            json_reply(
                404,
                &json!({"Type": "User", "Message": format!("Function not found: arn:aws:lambda:us-east-1:123456789012:function:{other}")}),
            ),
            "x-amzn-ErrorType",
            "ResourceNotFoundException",
        ),
    }
}
