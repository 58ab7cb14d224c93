//! `cargo bench -p aslc --bench serve`: `aslc serve` through HTTP with
//! keep-alive connections, as SDKs use it, on a durable data folder:
//!
//! - StartSyncExecution of hello (an Express machine): requests/s, p50, p99;
//! - durable Standard executions of a ten-Task machine: transitions
//!   committed per second (each Task's result is committed before the
//!   next starts; commits are grouped across executions);
//! - memory per execution parked in a Wait, with 10,000 waiting;
//! - the time a restart takes with those 10,000 in flight (SIGKILL, then
//!   start to listening, every execution resumed).
//!
//! - StartExecution of hello (Standard, durable) in aslc, and in moto's
//!   server mode (PyPI `moto[server]`) when `--moto PATH/moto_server` is
//!   given, for the same table.
//!
//! Flags after `--`: `--seconds N` (sync run length, default 5),
//! `--executions N` (durable, default 2000), `--parked N` (default 10000),
//! `--moto PATH`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Server {
    child: Child,
    port: u16,
}

/// Starts `aslc serve ARGS --port 0`; returns once it listens, with the
/// time that took.
fn serve(args: &[&str]) -> (Server, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aslc"))
        .arg("serve")
        .args(args)
        .args(["--port", "0"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .spawn()
        .expect("aslc serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("reads");
    let port = line.rsplit(':').next().and_then(|p| p.trim().parse().ok()).expect("listening line");
    (Server { child, port }, started.elapsed())
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }
}

/// One keep-alive connection speaking AWS JSON 1.0.
/// A server that closes each connection (moto's) gets a new one per call.
struct Conn {
    port: u16,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    closed: bool,
}

impl Conn {
    fn new(port: u16) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        s.set_nodelay(true).expect("nodelay");
        Conn { port, reader: BufReader::new(s.try_clone().expect("clone")), writer: s, closed: false }
    }

    fn call(&mut self, op: &str, body: &serde_json::Value) -> serde_json::Value {
        if self.closed {
            *self = Conn::new(self.port);
        }
        let body = body.to_string();
        // A SigV4 header names the service (moto routes on it; aslc
        // accepts any).
        let auth =
            "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0";
        let req = format!(
            "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AWSStepFunctions.{op}\r\nAuthorization: {auth}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.writer.write_all(req.as_bytes()).expect("writes");
        let mut len = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("reads");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().expect("length");
            }
            if lower.starts_with("connection:") && lower.contains("close") {
                self.closed = true;
            }
        }
        let mut buf = vec![0; len];
        self.reader.read_exact(&mut buf).expect("reads body");
        serde_json::from_slice(&buf).expect("JSON reply")
    }
}

fn flag(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(default)
}

fn data_dir(name: &str) -> String {
    let d = root().join("target/bench-serve").join(name);
    let _ = std::fs::remove_dir_all(&d);
    d.to_string_lossy().into_owned()
}

const CLIENTS: usize = 4;

fn sync_hello(seconds: u64) {
    let (server, _) = serve(&["--in-memory"]);
    let hello = std::fs::read_to_string(root().join("examples/hello.json")).expect("hello.json");
    let created = Conn::new(server.port).call(
        "CreateStateMachine",
        &serde_json::json!({"name": "hello", "type": "EXPRESS", "definition": hello, "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    let arn = created["stateMachineArn"].as_str().expect("created").to_string();
    let until = Instant::now() + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let arn = arn.clone();
            let port = server.port;
            std::thread::spawn(move || {
                let mut c = Conn::new(port);
                let body = serde_json::json!({"stateMachineArn": arn, "input": "{}"});
                let mut lat = Vec::new();
                while Instant::now() < until {
                    let t = Instant::now();
                    let r = c.call("StartSyncExecution", &body);
                    lat.push(t.elapsed());
                    assert_eq!(r["status"], "SUCCEEDED", "{r}");
                }
                lat
            })
        })
        .collect();
    let mut lat: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().expect("client")).collect();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)].as_secs_f64() * 1e6;
    println!(
        "StartSyncExecution (hello, {CLIENTS} keep-alive clients): {:.0} requests/s, p50 {:.0} µs, p99 {:.0} µs",
        lat.len() as f64 / seconds as f64,
        pct(0.5),
        pct(0.99)
    );
}

/// StartExecution of a Standard hello for `seconds`, with unique names.
fn start_execution_rate(port: u16, seconds: u64) -> f64 {
    let hello = std::fs::read_to_string(root().join("examples/hello.json")).expect("hello.json");
    let created = Conn::new(port).call(
        "CreateStateMachine",
        &serde_json::json!({"name": "hello-standard", "definition": hello, "roleArn": "arn:aws:iam::123456789012:role/r"}),
    );
    let arn = created["stateMachineArn"].as_str().expect("created").to_string();
    let until = Instant::now() + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..CLIENTS)
        .map(|k| {
            let arn = arn.clone();
            std::thread::spawn(move || {
                let mut c = Conn::new(port);
                let mut n = 0u64;
                while Instant::now() < until {
                    let r = c.call(
                        "StartExecution",
                        &serde_json::json!({"stateMachineArn": arn, "name": format!("s-{k}-{n}")}),
                    );
                    assert!(r["executionArn"].is_string(), "{r}");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().expect("client")).sum();
    total as f64 / seconds as f64
}

fn start_execution(seconds: u64) {
    let dir = data_dir("start");
    let (server, _) = serve(&["--data", &dir]);
    let aslc = start_execution_rate(server.port, seconds);
    println!("StartExecution (hello, Standard, durable; {CLIENTS} keep-alive clients): aslc {aslc:.0} requests/s");
    let args: Vec<String> = std::env::args().collect();
    if let Some(moto) = args.iter().position(|a| a == "--moto").and_then(|i| args.get(i + 1)) {
        let port = 18_083;
        let mut child = Command::new(moto)
            .args(["-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let ready = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(ready, "moto_server did not start");
        let rate = start_execution_rate(port, seconds);
        println!("StartExecution (hello, Standard; {CLIENTS} clients, a connection per call): moto server {rate:.0} requests/s");
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn durable_ten_tasks(executions: u64) {
    let dir = data_dir("durable");
    let (server, _) = serve(&[
        "benches/workloads/serve-ten-tasks.json",
        "--data",
        &dir,
        "--mock-config",
        "benches/workloads/serve-ten-tasks.mock.json",
        "--test-case",
        "Bench",
    ]);
    let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:serve-ten-tasks";
    let started = Instant::now();
    // Many clients, as many application servers would: each start waits
    // for its commit, and starts that arrive together commit together.
    let clients = 64;
    let per = executions / clients;
    let threads: Vec<_> = (0..clients)
        .map(|k| {
            let port = server.port;
            std::thread::spawn(move || {
                let mut c = Conn::new(port);
                for i in 0..per {
                    let r = c.call(
                        "StartExecution",
                        &serde_json::json!({"stateMachineArn": arn, "name": format!("e-{k}-{i}")}),
                    );
                    assert!(r["executionArn"].is_string(), "{r}");
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().expect("client"));
    let mut c = Conn::new(server.port);
    loop {
        let r = c.call(
            "ListExecutions",
            &serde_json::json!({"stateMachineArn": arn, "statusFilter": "RUNNING", "maxResults": 1}),
        );
        if r["executions"].as_array().is_some_and(|e| e.is_empty()) {
            break;
        }
        // ListExecutions reads every record: polling often would measure it.
        std::thread::sleep(Duration::from_millis(50));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = per * clients;
    println!(
        "durable Standard executions (10 Tasks each, {n} executions started by {clients} clients): {:.0} transitions committed/s, {:.0} executions/s",
        (n * 10) as f64 / elapsed,
        n as f64 / elapsed
    );
}

fn parked_and_restart(parked: u64) {
    let dir = data_dir("parked");
    let args = ["benches/workloads/serve-park.json", "--data", dir.as_str()];
    let (mut server, _) = serve(&args);
    let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:serve-park";
    let before = server.rss_kib();
    let mut c = Conn::new(server.port);
    for i in 0..parked {
        c.call("StartExecution", &serde_json::json!({"stateMachineArn": arn, "name": format!("p-{i}")}));
    }
    std::thread::sleep(Duration::from_secs(1));
    let after = server.rss_kib();
    println!(
        "parked in a Wait ({parked} executions): {:.1} KiB each ({before} KiB before, {after} KiB after)",
        (after.saturating_sub(before)) as f64 / parked as f64
    );
    let _ = server.child.kill();
    let _ = server.child.wait();
    let (server, took) = serve(&args);
    let mut c = Conn::new(server.port);
    let running = c.call(
        "ListExecutions",
        &serde_json::json!({"stateMachineArn": arn, "statusFilter": "RUNNING", "maxResults": 1000}),
    );
    assert!(running["executions"].as_array().is_some_and(|e| !e.is_empty()), "{running}");
    println!(
        "restart after SIGKILL with {parked} in flight: {:.0} ms to listening, every execution resumed",
        took.as_secs_f64() * 1e3
    );
}

fn main() {
    // `cargo bench` passes `--bench`; other harness flags are ignored.
    sync_hello(flag("--seconds", 5));
    start_execution(flag("--seconds", 5));
    durable_ten_tasks(flag("--executions", 2000));
    parked_and_restart(flag("--parked", 10_000));
}
