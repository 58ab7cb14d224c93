//! Tasks that do real work, through both engines: local commands, Lambda
//! endpoints and HTTP Tasks against a real local API (started here), and
//! Rust handlers linked into a binary. Every run goes through `aslc run`
//! and through one binary `aslc build` made of all these workflows; the
//! two must agree on status, output, error, cause and history events.

#[path = "engines.rs"]
mod engines;
#[path = "local_api.rs"]
mod local_api;

use engines::{aslc, root, verdict, SHARED_FEATURES};
use local_api::{LocalApi, API_KEY, CLIENT};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn tmp() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tasks-{}", std::process::id()))
}

const LEGACY: &str = "arn:aws:lambda:us-east-1:123456789012:function:";
const CONNECTION: &str = "arn:aws:events:us-east-1:123456789012:connection/products/1";

fn task(resource: &str, extra: Value) -> Value {
    let mut t = json!({"Type": "Task", "Resource": resource, "End": true});
    if let (Some(t), Value::Object(m)) = (t.as_object_mut(), extra) {
        t.extend(m);
    }
    t
}

fn one_state(state: Value) -> Value {
    json!({"StartAt": "T", "States": {"T": state}})
}

/// A Task whose errors are caught into `{"caught": {Error, Cause}}`.
fn caught(resource: &str, extra: Value) -> Value {
    let mut t = task(resource, extra);
    t["Catch"] = json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Caught"}]);
    json!({"StartAt": "T", "States": {"T": t, "Caught": {"Type": "Pass", "OutputPath": "$.caught", "End": true}}})
}

fn http(parameters: Value, extra: Value) -> Value {
    let mut p = json!({"Authentication": {"ConnectionArn": CONNECTION}});
    if let (Some(m), Value::Object(more)) = (p.as_object_mut(), parameters) {
        m.extend(more);
    }
    let mut e = json!({"Parameters": p});
    if let (Some(m), Value::Object(more)) = (e.as_object_mut(), extra) {
        m.extend(more);
    }
    caught("arn:aws:states:::http:invoke", e)
}

/// Every workflow of this file, by stem: all are compiled into one binary.
fn definitions() -> Vec<(&'static str, Value)> {
    vec![
        ("cmd-legacy", one_state(task(&format!("{LEGACY}add"), json!({})))),
        (
            "cmd-invoke",
            one_state(task(
                "arn:aws:states:::lambda:invoke",
                json!({"Parameters": {"FunctionName": "double", "Payload.$": "$"}, "ResultSelector": {"v.$": "$.Payload.v", "status.$": "$.StatusCode"}}),
            )),
        ),
        (
            "cmd-activity",
            caught(
                "arn:aws:states:us-east-1:123456789012:activity:work",
                json!({"TimeoutSeconds": 5, "HeartbeatSeconds": 2}),
            ),
        ),
        (
            "cmd-retry",
            one_state(task(
                "arn:aws:states:us-east-1:123456789012:activity:flaky",
                json!({"Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1, "MaxAttempts": 3}]}),
            )),
        ),
        (
            "unbound",
            caught("arn:aws:states:::sqs:sendMessage", json!({"Parameters": {"QueueUrl": "q", "MessageBody": "m"}})),
        ),
        ("lambda-legacy", caught(&format!("{LEGACY}echo"), json!({}))),
        (
            "lambda-invoke",
            caught(
                "arn:aws:states:::lambda:invoke",
                json!({"Parameters": {"FunctionName.$": "$.function", "Payload.$": "$.payload"}, "ResultSelector": {"Payload.$": "$.Payload", "StatusCode.$": "$.StatusCode", "RequestId.$": "$.SdkResponseMetadata.RequestId"}, "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1, "MaxAttempts": 2}]}),
            ),
        ),
        (
            "http-post",
            http(
                json!({"ApiEndpoint.$": "States.Format('{}/products', $.api)", "Method": "POST", "RequestBody": {"sku.$": "$.sku"}}),
                json!({}),
            ),
        ),
        (
            "http-get",
            http(
                json!({"ApiEndpoint.$": "States.Format('{}{}', $.api, $.path)", "Method.$": "$.method", "Headers.$": "$.headers", "QueryParameters.$": "$.query", "RequestBody.$": "$.body", "Transform.$": "$.transform"}),
                json!({"TimeoutSeconds": 2, "ResultSelector": {"status.$": "$.StatusCode", "text.$": "$.StatusText", "body.$": "$.ResponseBody"}}),
            ),
        ),
        ("http-twice", {
            let call = |result_path: &str| {
                json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                       "Parameters": {"ApiEndpoint.$": "States.Format('{}/once', $.api)", "Method": "GET",
                                      "Authentication": {"ConnectionArn": CONNECTION}},
                       "ResultSelector": {"body.$": "$.ResponseBody"}, "ResultPath": result_path})
            };
            let mut first = call("$.bodies.first");
            first["Next"] = json!("Second");
            let mut second = call("$.bodies.second");
            second["End"] = json!(true);
            second["OutputPath"] = json!("$.bodies");
            json!({"StartAt": "First", "States": {"First": first, "Second": second}})
        }),
        ("product-processing", read_json(&root().join("examples/product-processing.json"))),
        ("order-pricing", read_json(&root().join("examples/order-pricing.json"))),
        ("rust-failures", caught("arn:aws:states:us-east-1:123456789012:activity:rust", json!({"TimeoutSeconds": 1}))),
    ]
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("readable")).expect("JSON")
}

/// Test-only Rust handlers, linked beside the example's (included by path).
const TEST_HANDLERS: &str = r#"
use asl_runtime::serde_json::{json, Value};
use asl_runtime::tasks::{Linked, TaskError};

pub fn register(handlers: &mut Linked) {
    example::register(handlers);
    handlers.bind("arn:aws:states:*:*:activity:rust", |input: Value| match input["do"].as_str() {
        Some("fail") => Err(TaskError::new("Rust.Failed", "asked to fail")),
        Some("panic") => panic!("asked to panic"),
        Some("hang") => {
            std::thread::sleep(std::time::Duration::from_secs(3));
            Ok(json!("late"))
        }
        _ => Ok(json!({"echo": input})),
    });
}

#[path = "EXAMPLE"]
mod example;
"#;

/// The binary of every workflow above, built once for all tests.
fn bundle() -> &'static Path {
    static BUNDLE: OnceLock<PathBuf> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let dir = tmp().join("bundle");
        std::fs::create_dir_all(&dir).expect("work dir");
        let mut files = Vec::new();
        for (stem, def) in definitions() {
            let f = dir.join(format!("{stem}.json"));
            std::fs::write(&f, def.to_string()).expect("write definition");
            files.push(f);
        }
        let example = root().join("examples/order-pricing.handlers.rs");
        let example = example.canonicalize().expect("the example's handlers");
        let handlers = dir.join("handlers.rs");
        std::fs::write(&handlers, TEST_HANDLERS.replace("EXAMPLE", &example.display().to_string()))
            .expect("write handlers");
        let out = dir.join("tasks-bin");
        let built = aslc()
            .arg("build")
            .args(&files)
            .args(SHARED_FEATURES)
            .arg("--handlers")
            .arg(&handlers)
            .arg("--out")
            .arg(&out)
            .output()
            .expect("aslc build");
        let log = String::from_utf8_lossy(&built.stderr);
        assert!(built.status.success(), "build failed: {log}");
        assert!(!log.contains("warning"), "warnings:\n{log}");
        out
    })
}

/// One engine's run: `--result` and the history's event types.
#[derive(Debug)]
struct Ran {
    code: Option<i32>,
    result: Value,
    events: Vec<String>,
    stderr: String,
}

fn ran(o: Output, history: &Path) -> Ran {
    let result: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("no JSON result ({e}): {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    });
    let events = std::fs::read_to_string(history)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|h| h["events"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|e| e["type"].as_str().unwrap_or("").to_string())
        .collect();
    Ran { code: o.status.code(), result, events, stderr: String::from_utf8_lossy(&o.stderr).into_owned() }
}

/// Runs `stem` through both engines, each against its own fresh local API
/// and its own folder (for the resource map and what commands write);
/// asserts they agree and returns the verdict and one engine's API.
fn both(stem: &str, input: impl Fn(&str) -> Value, resources: impl Fn(&str) -> Value) -> (Value, LocalApi, Ran) {
    let bundle = bundle();
    let def = tmp().join("bundle").join(format!("{stem}.json"));
    let mut runs = Vec::new();
    for engine in ["interpreted", "compiled"] {
        let api = LocalApi::start();
        let dir = tmp().join(format!("{stem}-{engine}"));
        std::fs::create_dir_all(&dir).expect("work dir");
        let res = dir.join("resources.json");
        std::fs::write(&res, resources(&api.url).to_string()).expect("write resources");
        let history = dir.join("history.json");
        let mut cmd = if engine == "interpreted" {
            let mut c = aslc();
            c.arg("run").arg(&def);
            c
        } else {
            let mut c = Command::new(bundle);
            c.arg(stem);
            c
        };
        let o = cmd
            .arg("--input")
            .arg(input(&api.url).to_string())
            .arg("--resources")
            .arg(&res)
            .args(["--result", "--fast-forward", "--history"])
            .arg(&history)
            .output()
            .expect("runs");
        runs.push((ran(o, &history), api));
    }
    let (compiled, api) = runs.pop().expect("two runs");
    let (interpreted, interpreted_api) = runs.pop().expect("two runs");
    // Each engine calls its own API: its address is the one difference.
    let agreed = |r: &Ran, url: &str| -> Value {
        serde_json::from_str(&verdict(&r.result).to_string().replace(url, "API")).unwrap_or_default()
    };
    assert_eq!(
        agreed(&interpreted, &interpreted_api.url),
        agreed(&compiled, &api.url),
        "{stem}: the engines disagree\n{interpreted:?}\n{compiled:?}"
    );
    assert_eq!(interpreted.events, compiled.events, "{stem}: the histories disagree");
    assert_eq!(interpreted.code, compiled.code);
    (verdict(&compiled.result), api, compiled)
}

fn no_api(_: &str) -> Value {
    json!({})
}

fn resources_all_lambdas(url: &str) -> Value {
    json!({"Resources": {"arn:aws:lambda:*:*:function:*": {"LambdaEndpoint": url}}})
}

#[test]
fn the_product_workflow_runs_against_a_local_api() {
    let input = read_json(&root().join("examples/product-processing.input.json"));
    // The example's own resource map, pointed at this test's API.
    let example = std::fs::read_to_string(root().join("examples/product-processing.resources.json")).expect("map");
    let resources = |url: &str| serde_json::from_str(&example.replace("http://127.0.0.1:3001", url)).expect("JSON");
    let (v, api, ran) = both("product-processing", |_| input.clone(), resources);
    assert_eq!(v["status"], "SUCCEEDED", "{v}");
    let out = &v["output"];
    assert_eq!(out["processed"], 2);
    assert_eq!(out["results"][0], json!({"sku": "A-1", "productId": "p-A-1", "status": "READY"}), "{out}");
    assert_eq!(out["results"][1]["status"], "READY");
    // Each product was created once and polled until ready (PENDING, READY).
    assert_eq!(api.calls("create-product"), 2);
    assert_eq!(api.calls("get-product-status"), 4);
    assert_eq!(ran.events.iter().filter(|e| *e == "TaskScheduled").count(), 2, "{:?}", ran.events);
    assert_eq!(ran.events.iter().filter(|e| *e == "LambdaFunctionSucceeded").count(), 4);
}

#[test]
fn commands_answer_lambda_and_other_resources() {
    let add = "python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({\"sum\": d[\"a\"] + d[\"b\"]}))'";
    let res = |_: &str| json!({"Resources": {format!("{LEGACY}add"): {"Command": ["sh", "-c", add]}}});
    let (v, _, ran) = both("cmd-legacy", |_| json!({"a": 2, "b": 3}), res);
    assert_eq!(v["output"], json!({"sum": 5}), "{v}");
    assert_eq!(ran.events[2..5], ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]);

    // lambda:invoke: the command gets the Payload, the result is the Invoke envelope.
    let double = r#"read x; n=$(echo "$x" | tr -dc 0-9); echo "{\"v\": $((n * 2))}""#;
    let res = |_: &str| json!({"Resources": {"double": {"Command": double}}});
    let (v, _, _) = both("cmd-invoke", |_| json!({"n": 21}), res);
    assert_eq!(v["output"], json!({"v": 42, "status": 200}), "{v}");
}

#[test]
fn command_failures_are_task_errors() {
    let cases = [
        // The documented way to name an error, with exit status 1.
        (r#"echo '{"Error": "Custom.Bad", "Cause": "it went wrong"}'; exit 1"#, "Custom.Bad", "it went wrong"),
        ("echo 'not json'", "States.TaskFailed", "wrote output that is not JSON"),
        ("echo dying >&2; kill -9 $$", "States.TaskFailed", "was killed by a signal"),
        ("echo 'last words' >&2; exit 3", "States.TaskFailed", "exited with status 3: last words"),
        // Over the 256 KiB payload limit.
        (
            "head -c 300000 /dev/zero | tr '\\0' 'a' | sed 's/.*/\"&\"/'",
            "States.DataLimitExceeded",
            "exceeding the maximum",
        ),
        // No heartbeat (a line on standard error) within HeartbeatSeconds.
        ("sleep 4; echo '{}'", "States.Timeout", ""),
        ("/no/such/program", "States.TaskFailed", "exited with status 127"),
    ];
    for (script, error, cause) in cases {
        let res = |_: &str| json!({"Resources": {"arn:aws:states:*:*:activity:work": {"Command": script}}});
        let (v, _, _) = both("cmd-activity", no_api, res);
        assert_eq!(v["output"]["Error"], error, "{script}: {v}");
        assert!(v["output"]["Cause"].as_str().unwrap_or("").contains(cause), "{script}: {v}");
    }
    // Heartbeats keep a task alive past HeartbeatSeconds, up to TimeoutSeconds.
    // Beats every half second for 3 s: longer than HeartbeatSeconds (2),
    // within TimeoutSeconds (5).
    let beating = "for i in 1 2 3 4 5 6; do echo beat >&2; sleep 0.5; done; echo '{\"done\": true}'";
    let res = |_: &str| json!({"Resources": {"arn:aws:states:*:*:activity:work": {"Command": beating}}});
    let (v, _, ran) = both("cmd-activity", no_api, res);
    assert_eq!(v["output"], json!({"done": true}), "{v}");
    assert!(ran.stderr.contains("beat"), "standard error is passed on: {}", ran.stderr);
    let endless = "while true; do echo beat >&2; sleep 0.5; done";
    let res = |_: &str| json!({"Resources": {"arn:aws:states:*:*:activity:work": {"Command": endless}}});
    let (v, _, ran) = both("cmd-activity", no_api, res);
    assert_eq!(v["output"], json!({"Error": "States.Timeout", "Cause": ""}), "{v}");
    // An activity's events are AWS's Activity* ones.
    assert!(ran.events.contains(&"ActivityTimedOut".to_string()), "{:?}", ran.events);
}

#[test]
fn retry_applies_to_command_errors() {
    // Fails twice with a retryable error, then answers: commands run in the
    // resource map's folder, so the count file is per engine run.
    let flaky = r#"n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) > count
if [ "$n" -lt 2 ]; then echo '{"Error": "Busy", "Cause": "try later"}'; exit 1; fi
echo "{\"attempts\": $((n + 1))}""#;
    let res = |_: &str| json!({"Resources": {"arn:aws:states:*:*:activity:flaky": {"Command": flaky}}});
    let (v, _, ran) = both("cmd-retry", no_api, res);
    assert_eq!(v["output"], json!({"attempts": 3}), "{v}");
    assert_eq!(ran.events.iter().filter(|e| *e == "ActivityFailed").count(), 2, "{:?}", ran.events);
    assert_eq!(ran.events[2..4], ["ActivityScheduled", "ActivityStarted"], "{:?}", ran.events);
}

#[test]
fn an_unbound_resource_is_a_catchable_task_failure() {
    let (v, _, _) = both("unbound", no_api, |_| json!({"Resources": {}}));
    assert_eq!(v["output"]["Error"], "States.TaskFailed");
    assert!(v["output"]["Cause"].as_str().unwrap_or("").contains("arn:aws:states:::sqs:sendMessage"), "{v}");
}

#[test]
fn lambda_endpoints_and_their_errors() {
    let (v, _, _) = both("lambda-legacy", |_| json!({"hello": "world"}), resources_all_lambdas);
    assert_eq!(v["output"], json!({"hello": "world"}), "{v}");

    let invoke = |function: &str| {
        let f = function.to_string();
        both("lambda-invoke", move |_| json!({"function": f, "payload": {"sku": ""}}), resources_all_lambdas)
    };
    // A function error: the errorType names the error.
    let (v, _, _) = invoke("create-product");
    assert_eq!(v["output"]["Error"], "InvalidProduct", "{v}");
    assert_eq!(
        serde_json::from_str::<Value>(v["output"]["Cause"].as_str().unwrap_or(""))
            .map(|c| c["errorMessage"].clone())
            .ok(),
        Some(json!("a product needs a sku"))
    );
    // No error type: Lambda.Unknown.
    let (v, _, _) = invoke("crashes");
    assert_eq!(v["output"]["Error"], "Lambda.Unknown", "{v}");
    // No such function: AWS's error and cause.
    let (v, _, _) = invoke("nope");
    assert_eq!(v["output"]["Error"], "Lambda.ResourceNotFoundException", "{v}");
    assert!(v["output"]["Cause"]
        .as_str()
        .unwrap_or("")
        == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: request-1; Proxy: null)");
    // Throttled once, retried, then the Invoke envelope.
    let (v, api, _) = invoke("throttled-once");
    assert_eq!(v["output"]["Payload"], json!({"attempt": 2}), "{v}");
    assert_eq!(v["output"]["StatusCode"], 200);
    assert_eq!(v["output"]["RequestId"], "request-1");
    assert_eq!(api.calls("throttled-once"), 2);
    // Over the 256 KiB payload limit: AWS names the integration.
    let (v, _, _) = invoke("big");
    assert_eq!(v["output"]["Error"], "States.DataLimitExceeded", "{v}");
    assert!(
        v["output"]["Cause"].as_str().unwrap_or("").starts_with("The state/task 'lambda' returned a result"),
        "{v}"
    );
    // Nothing listens there.
    let closed =
        |_: &str| json!({"Resources": {"arn:aws:lambda:*:*:function:*": {"LambdaEndpoint": "http://127.0.0.1:9"}}});
    let (v, _, _) = both("lambda-invoke", |_| json!({"function": "echo", "payload": {}}), closed);
    assert_eq!(v["output"]["Error"], "Lambda.SdkClientException", "{v}");
}

fn connections(_: &str) -> Value {
    json!({"Connections": {CONNECTION: {"AuthorizationType": "API_KEY", "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": API_KEY}}}}})
}

#[test]
fn http_tasks_call_the_api_with_the_connections_credentials() {
    let (v, api, ran) = both("http-post", |url| json!({"api": url, "sku": "A-1"}), connections);
    let out = &v["output"];
    assert_eq!(out["StatusCode"], 201, "{v}");
    assert_eq!(out["StatusText"], "Created");
    assert_eq!(out["ResponseBody"], json!({"productId": "p-A-1"}));
    assert_eq!(out["Headers"]["content-type"], json!(["application/json"]), "{out}");
    let sent = &api.received()[0];
    assert_eq!(sent.header("Content-Type"), Some("application/json"));
    assert!(sent.header("User-Agent").unwrap_or("").starts_with("Amazon|StepFunctions|HttpInvoke|"));
    assert_eq!(ran.events[2..5], ["TaskScheduled", "TaskStarted", "TaskSucceeded"]);
    // Without the connection's key the API refuses: States.Http.StatusCode.401.
    let (v, _, _) = both("http-post", |url| json!({"api": url, "sku": "A-1"}), |_| json!({}));
    assert_eq!(v["output"], json!({"Error": "States.Http.StatusCode.401", "Cause": "{\"message\":\"Unauthorized\"}"}));
}

fn get(url: &str, path: &str) -> Value {
    json!({"api": url, "path": path, "method": "GET", "headers": {}, "query": {}, "body": null, "transform": {}})
}

#[test]
fn http_task_requests_and_responses() {
    // Query parameters, multi-valued headers, a URL-encoded body.
    let input = |url: &str| {
        json!({"api": url, "path": "/echo", "method": "POST", "headers": {"X-Custom": "one"},
               "query": {"q": "a b", "tag": ["x", "y"], "skip": null},
               "body": {"name": "Ada", "langs": ["en", "fr"]},
               "transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}}})
    };
    let (v, _, _) = both("http-get", input, connections);
    let body = &v["output"]["body"];
    assert_eq!(body["query"], "q=a+b&tag=x&tag=y", "{v}");
    assert_eq!(body["custom"], "one");
    assert_eq!(body["contentType"], "application/x-www-form-urlencoded");
    assert_eq!(body["body"], "name=Ada&langs%5B%5D=en&langs%5B%5D=fr");
    // A body that is not JSON stays text.
    let (v, _, _) = both("http-get", |url| get(url, "/text"), connections);
    assert_eq!(v["output"], json!({"status": 200, "text": "OK", "body": "plain words"}));
    // Errors: a status, a forbidden header, a timeout, a response too large, a closed port.
    let (v, _, _) = both("http-get", |url| get(url, "/products/none"), connections);
    assert_eq!(v["output"], json!({"Error": "States.Http.StatusCode.404", "Cause": "no product none"}));
    let (v, api, _) = both(
        "http-get",
        |url| json!({"api": url, "path": "/echo", "method": "GET", "headers": {"Host": "evil"}, "query": {}, "body": null, "transform": {}}),
        connections,
    );
    assert_eq!(v["status"], "FAILED", "a forbidden header is not catchable: {v}");
    assert_eq!(v["error"], "States.Runtime");
    assert!(v["cause"].as_str().unwrap_or("").contains("'Host'"), "{v}");
    assert!(api.received().is_empty(), "nothing is sent");
    let (v, _, _) = both("http-get", |url| get(url, "/slow"), connections);
    assert_eq!(v["output"], json!({"Error": "States.Timeout", "Cause": ""}));
    let (v, _, _) = both("http-get", |url| get(url, "/big"), connections);
    assert_eq!(v["output"]["Error"], "States.DataLimitExceeded", "{v}");
    let (v, _, _) = both("http-get", |_| get("http://127.0.0.1:9", "/"), connections);
    assert_eq!(v["output"]["Error"], "States.Http.Socket", "{v}");
    assert!(v["output"]["Cause"].as_str().unwrap_or("").starts_with("Connect to 127.0.0.1:9 failed"), "{v}");
}

#[test]
fn http_connections_basic_and_oauth() {
    let basic = |_: &str| {
        json!({"Connections": {CONNECTION: {"AuthParameters": {"BasicAuthParameters": {"Username": "ada", "Password": "pw"},
            "InvocationHttpParameters": {"QueryStringParameters": [{"Key": "tenant", "Value": "t1"}]}}}}})
    };
    let (v, _, _) = both("http-get", |url| get(url, "/echo"), basic);
    assert_eq!(v["output"]["body"]["authorization"], "Basic YWRhOnB3", "{v}");
    assert_eq!(v["output"]["body"]["query"], "tenant=t1");
    let oauth = |url: &str| {
        json!({"Connections": {CONNECTION: {"AuthorizationType": "OAUTH_CLIENT_CREDENTIALS", "AuthParameters": {"OAuthParameters": {
            "AuthorizationEndpoint": format!("{url}/oauth/token"), "HttpMethod": "POST",
            "ClientParameters": {"ClientID": CLIENT.0, "ClientSecret": CLIENT.1}}}}}})
    };
    let (v, _, _) = both("http-get", |url| get(url, "/echo"), oauth);
    assert_eq!(v["output"]["body"]["authorization"], "Bearer token-1", "{v}");
    // A token the API stops accepting (401) is fetched anew, once.
    let (v, _, _) = both("http-twice", |url| json!({"api": url}), oauth);
    assert_eq!(v["output"]["first"]["body"], json!({"ok": "token-1"}), "{v}");
    assert_eq!(v["output"]["second"]["body"], json!({"ok": "token-2"}), "{v}");
}

#[test]
fn rust_handlers_run_in_both_engines() {
    let bundle = bundle();
    let handlers = tmp().join("bundle").join("handlers.rs");
    // The compiled binary links them; the interpreter runs them in a
    // handler program `aslc run --handlers` builds from the same file.
    let engines = |args: &[&str]| -> Vec<(Option<i32>, Value)> {
        let compiled = Command::new(bundle).args(args).output().expect("runs");
        let interpreted = aslc()
            .arg("run")
            .arg(tmp().join("bundle").join(format!("{}.json", args[0])))
            .args(&args[1..])
            .arg("--handlers")
            .arg(&handlers)
            .output()
            .expect("runs");
        [compiled, interpreted]
            .into_iter()
            .map(|o| {
                let r: Value = serde_json::from_slice(&o.stdout)
                    .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
                (o.status.code(), r)
            })
            .collect()
    };
    let input = root().join("examples/order-pricing.input.json");
    let input = input.to_str().unwrap_or_default();
    let runs = engines(&["order-pricing", "--input-file", input]);
    assert_eq!(runs[0], runs[1], "the engines disagree");
    let (code, out) = &runs[0];
    assert_eq!(*code, Some(0));
    assert_eq!(out["subtotal"], 4490, "{out}");
    assert_eq!(out["total"], 4041);
    assert_eq!(out["lines"][2]["problem"], "'unicorn' is not in the catalog");

    let failing = |what: &str| {
        let runs = engines(&["rust-failures", "--input", &json!({"do": what}).to_string(), "--result"]);
        let outputs: Vec<Value> = runs
            .iter()
            .map(|(_, r)| serde_json::from_str::<Value>(r["output"].as_str().unwrap_or("null")).unwrap_or_default())
            .collect();
        assert_eq!(outputs[0], outputs[1], "{what}: the engines disagree");
        outputs[0].clone()
    };
    assert_eq!(failing("fail"), json!({"Error": "Rust.Failed", "Cause": "asked to fail"}));
    assert_eq!(
        failing("panic"),
        json!({"Error": "States.TaskFailed", "Cause": "The Rust handler panicked: asked to panic"})
    );
    assert_eq!(failing("hang"), json!({"Error": "States.Timeout", "Cause": ""}));
    assert_eq!(failing("echo")["echo"], json!({"do": "echo"}));

    // Without --handlers the interpreter has none: the task fails, and says how to bind it.
    let o = aslc()
        .arg("run")
        .arg(root().join("examples/order-pricing.json"))
        .arg("--input-file")
        .arg(input)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--handlers"));
}

#[test]
fn a_bad_resource_map_is_a_usage_error() {
    let dir = tmp().join("bad-map");
    std::fs::create_dir_all(&dir).expect("dir");
    let f = dir.join("resources.yaml");
    std::fs::write(&f, "Resources:\n  arn:x: { Command: [] }\n").expect("write");
    let o =
        aslc().arg("run").arg(root().join("examples/hello.json")).arg("--resources").arg(&f).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("resource 'arn:x'"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_resource_map_may_come_from_the_environment() {
    bundle();
    let dir = tmp().join("env-map");
    std::fs::create_dir_all(&dir).expect("dir");
    let f = dir.join("resources.yaml");
    std::fs::write(&f, format!("Resources:\n  \"{LEGACY}add\": {{ Command: \"echo 42\" }}\n")).expect("write");
    let def = tmp().join("bundle").join("cmd-legacy.json");
    let interpreted = aslc().arg("run").arg(&def).env("ASLC_RESOURCES", &f).output().expect("runs");
    let compiled = Command::new(bundle()).arg("cmd-legacy").env("ASLC_RESOURCES", &f).output().expect("runs");
    for o in [interpreted, compiled] {
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "42", "{}", String::from_utf8_lossy(&o.stderr));
    }
}

#[test]
fn a_handlers_file_that_does_not_compile_is_reported_with_the_crate() {
    let dir = tmp().join("bad-handlers");
    std::fs::create_dir_all(&dir).expect("dir");
    let f = dir.join("handlers.rs");
    std::fs::write(&f, "pub fn register(handlers: &mut asl_runtime::tasks::Linked) { not rust }\n").expect("write");
    let o = aslc().arg("run").arg(root().join("examples/hello.json")).arg("--handlers").arg(&f).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cargo build failed; the generated crate is at"), "{err}");
}

/// TestState at TRACE on an HTTP Task shows the request as sent and the
/// response as received; the connection's credentials only with
/// `revealSecrets`.
#[test]
fn test_state_traces_http_tasks() {
    let api = LocalApi::start();
    let dir = tmp().join("test-state-http");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let resources = dir.join("resources.json");
    std::fs::write(&resources, connections("").to_string()).expect("resource map");
    let state = json!({"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": true, "Parameters": {
        "ApiEndpoint": format!("{}/products", api.url), "Method": "POST", "RequestBody": {"sku": "T-1"},
        "Authentication": {"ConnectionArn": CONNECTION}}});
    let test = |reveal: bool| -> Value {
        let request = json!({"definition": state.to_string(), "roleArn": "arn:aws:iam::123456789012:role/test",
            "inspectionLevel": "TRACE", "revealSecrets": reveal});
        let file = dir.join(format!("request-{reveal}.json"));
        std::fs::write(&file, request.to_string()).expect("request");
        let o = aslc()
            .arg("test-state")
            .arg("--request")
            .arg(&file)
            .arg("--resources")
            .arg(&resources)
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).expect("a TestState response")
    };
    let hidden = test(false);
    assert_eq!(hidden["status"], "SUCCEEDED", "{hidden}");
    let sent = &hidden["inspectionData"]["request"];
    assert_eq!(
        (&sent["method"], &sent["url"], &sent["protocol"]),
        (&json!("POST"), &json!(format!("{}/products", api.url)), &json!("http"))
    );
    assert_eq!(serde_json::from_str::<Value>(sent["body"].as_str().unwrap_or("")).ok(), Some(json!({"sku": "T-1"})));
    assert!(!sent["headers"].as_str().unwrap_or("").contains(API_KEY), "{sent}");
    let got = &hidden["inspectionData"]["response"];
    assert_eq!((&got["statusCode"], &got["statusMessage"]), (&json!("201"), &json!("Created")), "{got}");
    assert_eq!(
        serde_json::from_str::<Value>(got["body"].as_str().unwrap_or("")).ok(),
        Some(json!({"productId": "p-T-1"}))
    );
    let revealed = test(true);
    assert!(revealed["inspectionData"]["request"]["headers"].as_str().unwrap_or("").contains(API_KEY), "{revealed}");
}
