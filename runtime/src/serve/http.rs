//! AWS JSON 1.0 over HTTP/1.1: `POST /` with `X-Amz-Target:
//! AWSStepFunctions.<Operation>`, routed on that header whatever the host
//! or path (botocore sends StartSyncExecution and TestState to a `sync-`
//! host). Any SigV4 signature is accepted. Replies carry
//! `x-amzn-RequestId`; errors are `{"__type", "message"}` with status 400
//! (or 5xx when the server cannot act).

use super::api::{ApiError, Server};
use super::{model, viewer};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::rc::Rc;

/// The largest request body read (a definition is at most 1 MiB of JSON,
/// escaped once more inside the request).
const MAX_BODY: usize = 4 << 20;

const TARGET_PREFIX: &str = "AWSStepFunctions.";

/// Listens until SIGTERM or Ctrl-C. The address is printed on standard
/// output once the port is open (`--port 0` picks a free one).
pub async fn listen(server: Rc<Server>, host: &str, port: u16) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("aslc serve: listening on http://{addr}");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| format!("cannot watch for SIGTERM: {e}"))?;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let server = server.clone();
                tokio::task::spawn_local(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let server = server.clone();
                        async move { Ok::<_, std::convert::Infallible>(handle(&server, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    // Whatever was handed to the store is written before the process ends;
    // running executions resume at the next start.
    let _ = server.store.write(Vec::new()).await;
    eprintln!("aslc serve: stopped");
    Ok(())
}

async fn handle(server: &Rc<Server>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    if req.method() == hyper::Method::GET && req.uri().path() == "/viewer" {
        let query = req.uri().query().unwrap_or("").to_string();
        let (status, kind, body) = match viewer::page(server, &query).await {
            Ok(html) => (200, "text/html; charset=utf-8", html),
            Err((status, why)) => (status, "text/plain; charset=utf-8", why + "\n"),
        };
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
        response.headers_mut().insert("content-type", hyper::header::HeaderValue::from_static(kind));
        return response;
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    let reply = match read(req).await {
        Ok((operation, body)) => match model::validate(&operation, &body) {
            Ok(()) => server.dispatch(&operation, &body).await,
            Err(invalid) => Err(ApiError::new(invalid.kind, invalid.message)),
        },
        Err(e) => Err(e),
    };
    let (status, body) = match reply {
        Ok(v) => (200, v),
        Err(e) => (e.status, json!({"__type": e.kind, "message": e.message})),
    };
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert("content-type", hyper::header::HeaderValue::from_static("application/x-amz-json-1.0"));
    if let Ok(v) = hyper::header::HeaderValue::from_str(&request_id) {
        headers.insert("x-amzn-requestid", v);
    }
    response
}

/// The operation and the JSON body of a request.
async fn read(req: Request<Incoming>) -> Result<(String, Value), ApiError> {
    if req.method() != hyper::Method::POST {
        return Err(ApiError::new("UnknownOperationException", "Only POST requests are accepted"));
    }
    let target = req.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let operation = target.strip_prefix(TARGET_PREFIX).unwrap_or("").to_string();
    if !model::has_operation(&operation) {
        return Err(ApiError::new("UnknownOperationException", format!("Unknown operation: '{target}'")));
    }
    let bytes = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Err(ApiError {
                kind: "RequestEntityTooLargeException",
                message: format!("The request body exceeds {MAX_BODY} bytes"),
                status: 413,
            })
        }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((operation, json!({})));
    }
    let body: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new("SerializationException", format!("The request body is not JSON: {e}")))?;
    if !body.is_object() {
        return Err(ApiError::new("SerializationException", "The request body must be a JSON object"));
    }
    Ok((operation, body))
}
