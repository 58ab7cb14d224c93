//! TimeoutSeconds and HeartbeatSeconds for handlers that do real work.
//!
//! A handler runs on its own thread; a supervisor on tokio's blocking pool
//! waits for its result, its heartbeats and the deadlines, all in wall-clock
//! time. Running the supervisor as a blocking task also stops a paused
//! clock (`--fast-forward`) from jumping past real work: tokio does not
//! auto-advance while a blocking task runs.

use crate::error::{names, StatesError};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// AWS's default TimeoutSeconds (the spec's 60 is not what AWS does).
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 99_999_999;

/// How often the supervisor checks whether the execution gave up waiting.
const POLL: Duration = Duration::from_millis(50);

/// A task's time limits, from TimeoutSeconds and HeartbeatSeconds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub heartbeat: Option<Duration>,
}

impl Limits {
    /// The longest one call may take when the handler cannot send
    /// heartbeats (an HTTP call, a Lambda invocation, a Rust function):
    /// a missed heartbeat ends it as surely as the timeout.
    pub fn without_heartbeats(&self) -> Duration {
        self.heartbeat.map_or(self.timeout, |h| h.min(self.timeout))
    }
}

enum Message {
    Beat,
    Done(Result<Value, StatesError>),
}

/// What a handler holds to send heartbeats.
#[derive(Clone)]
pub struct Heartbeat(mpsc::Sender<Message>);

impl Heartbeat {
    pub fn beat(&self) {
        // The supervisor may be gone (the task timed out): nothing to tell.
        let _ = self.0.send(Message::Beat);
    }
}

/// Sets its flag when dropped: the execution stopped waiting (a machine
/// timeout, a failed Parallel branch) and the handler should be stopped.
struct Abandoned(Arc<AtomicBool>);

impl Drop for Abandoned {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `work` under `limits`. `stop` is called once if the task times out
/// or is abandoned, to end what the work started (kill a child process).
pub async fn supervise<W, S>(limits: Limits, work: W, stop: S) -> Result<Value, StatesError>
where
    W: FnOnce(Heartbeat) -> Result<Value, StatesError> + Send + 'static,
    S: FnOnce() + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let beat = Heartbeat(tx.clone());
    std::thread::Builder::new()
        .name("aslc-task".into())
        .spawn(move || {
            let result = work(beat);
            let _ = tx.send(Message::Done(result));
        })
        .map_err(|e| StatesError::new(names::TASK_FAILED, format!("cannot start the task's thread: {e}")))?;
    let abandoned = Abandoned(Arc::new(AtomicBool::new(false)));
    let flag = abandoned.0.clone();
    let waited = tokio::task::spawn_blocking(move || wait(&rx, limits, &flag, stop)).await;
    drop(abandoned);
    waited.unwrap_or_else(|e| Err(StatesError::new(names::TASK_FAILED, format!("the task's supervisor failed: {e}"))))
}

fn wait<S: FnOnce()>(
    rx: &mpsc::Receiver<Message>,
    limits: Limits,
    abandoned: &AtomicBool,
    stop: S,
) -> Result<Value, StatesError> {
    let started = Instant::now();
    let deadline = started + limits.timeout;
    let mut last_beat = started;
    loop {
        let now = Instant::now();
        let beat_deadline = limits.heartbeat.map(|h| last_beat + h);
        let next = beat_deadline.map_or(deadline, |b| b.min(deadline));
        if now >= next || abandoned.load(Ordering::Relaxed) {
            stop();
            // A missed heartbeat is reported as States.Timeout too, as AWS does.
            return Err(StatesError { error: Some(names::TIMEOUT.into()), cause: None, state_scoped: false });
        }
        match rx.recv_timeout((next - now).min(POLL)) {
            Ok(Message::Done(result)) => return result,
            Ok(Message::Beat) => last_beat = Instant::now(),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(StatesError::new(names::TASK_FAILED, "the task's handler stopped without a result"));
            }
        }
    }
}
