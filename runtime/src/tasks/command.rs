//! A local command as a task handler.
//!
//! The protocol (also in the README): the task's input is written to the
//! command's standard input as JSON, then closed. Exit status 0 and JSON on
//! standard output give the result (nothing at all gives `null`). A
//! non-zero exit fails the task: `{"Error": "...", "Cause": "..."}` on
//! standard output names the error (Lambda's `{"errorType", "errorMessage"}`
//! is accepted too); otherwise the error is `States.TaskFailed`. Every line
//! the command writes to standard error is passed on to aslc's standard
//! error and counts as a heartbeat.

use super::supervise::{supervise, Heartbeat, Limits};
use crate::error::{names, StatesError};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// More standard output than this is not read: the result cannot fit the
/// 256 KiB payload limit however it is spaced.
const MAX_OUTPUT_BYTES: u64 = 16 << 20;

/// How a command binding is written: an argument vector, or one string
/// run by `sh -c`.
#[derive(Debug, Clone)]
pub struct CommandSpec {
    pub argv: Vec<String>,
    /// Relative programs and paths resolve from here (the resource map's folder).
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
}

impl CommandSpec {
    fn display(&self) -> String {
        self.argv.join(" ")
    }
}

/// Runs the command with `input`, under `limits`.
/// `result_id` is what a too-large result is reported as.
pub async fn invoke(spec: &CommandSpec, input: &Value, limits: Limits, result_id: &str) -> Result<Value, StatesError> {
    let (program, args) =
        spec.argv.split_first().ok_or_else(|| StatesError::runtime("the command binding is empty"))?;
    let mut child = Command::new(program)
        .args(args)
        .current_dir(&spec.dir)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            StatesError::new(names::TASK_FAILED, format!("The command '{}' could not be started: {e}", spec.display()))
        })?;
    let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        return Err(StatesError::new(names::TASK_FAILED, "the command's standard streams are not available"));
    };
    let child = Arc::new(Mutex::new(child));
    let to_kill = child.clone();
    let input = input.to_string();
    let name = spec.display();
    let result_id = result_id.to_string();
    supervise(
        limits,
        move |beat| collect(&name, &result_id, &child, Pipes { stdin, stdout, stderr }, input, beat),
        move || {
            if let Ok(mut c) = to_kill.lock() {
                let _ = c.kill();
                let _ = c.wait();
            }
        },
    )
    .await
}

/// The child's standard streams, taken out so the child itself can be
/// killed while they are read.
struct Pipes {
    stdin: std::process::ChildStdin,
    stdout: std::process::ChildStdout,
    stderr: std::process::ChildStderr,
}

/// Feeds the input, reads the output and waits for the exit.
fn collect(
    name: &str,
    result_id: &str,
    child: &Mutex<Child>,
    pipes: Pipes,
    input: String,
    beat: Heartbeat,
) -> Result<Value, StatesError> {
    let Pipes { mut stdin, stdout, stderr } = pipes;
    // Writing and reading on separate threads: a command may answer before
    // it has read all its input, and pipes are small.
    std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let errors = std::thread::spawn(move || {
        let mut last = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            beat.beat();
            eprintln!("{line}");
            last = line;
        }
        last
    });
    let mut out = Vec::new();
    let read = stdout.take(MAX_OUTPUT_BYTES + 1).read_to_end(&mut out);
    let status = loop {
        let polled = child.lock().map_err(|_| StatesError::new(names::TASK_FAILED, "the command was lost"))?.try_wait();
        match polled {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(StatesError::new(names::TASK_FAILED, format!("waiting for '{name}' failed: {e}"))),
        }
    };
    let last_error_line = errors.join().unwrap_or_default();
    if let Err(e) = read {
        return Err(StatesError::new(names::TASK_FAILED, format!("reading the output of '{name}' failed: {e}")));
    }
    if out.len() as u64 > MAX_OUTPUT_BYTES {
        return Err(StatesError::result_too_large(result_id));
    }
    let text = String::from_utf8_lossy(&out);
    if status.success() {
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        return serde_json::from_str(&text).map_err(|e| {
            StatesError::new(
                names::TASK_FAILED,
                format!("The command '{name}' wrote output that is not JSON ({e}): {}", excerpt(&text)),
            )
        });
    }
    if let Some(e) = reported_error(&text) {
        return Err(e);
    }
    let how = match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "was killed by a signal".to_string(),
    };
    let detail = if last_error_line.is_empty() { String::new() } else { format!(": {last_error_line}") };
    Err(StatesError::new(names::TASK_FAILED, format!("The command '{name}' {how}{detail}")))
}

/// The error a failing command named on its standard output.
fn reported_error(text: &str) -> Option<StatesError> {
    let v: Value = serde_json::from_str(text).ok()?;
    let text_of = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(error) = text_of("Error") {
        return Some(StatesError { error: Some(error), cause: text_of("Cause"), state_scoped: false });
    }
    let error = text_of("errorType")?;
    Some(StatesError::new(error, text.trim()))
}

fn excerpt(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}
