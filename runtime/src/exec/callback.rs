//! Task tokens and the callbacks that answer them (`.waitForTaskToken`):
//! a Task state registers its token and waits; `SendTaskSuccess`,
//! `SendTaskFailure` and `SendTaskHeartbeat` (the server's API) answer it.
//!
//! Activity tasks wait the same way, after a worker took them from their
//! activity's queue (`GetActivityTask`).
//!
//! A token is derived from a secret the server keeps with its data, the
//! execution and the entered event of the state, so it is unguessable and
//! the same after a restart: a durable execution that resumes inside the
//! Task waits on the token its caller already holds.

use futures::channel::{mpsc, oneshot};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};

/// What a client sent for a token.
#[derive(Debug)]
pub enum Answer {
    Success(Value),
    Failure { error: Option<String>, cause: Option<String> },
    Heartbeat,
}

/// Why an answer found no task.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a token this server makes.
    Invalid,
    /// No task waits on it (it ended, or never was).
    Unknown,
    /// Its task timed out.
    TimedOut,
}

pub struct Callbacks {
    secret: String,
    waiting: RefCell<HashMap<String, mpsc::UnboundedSender<Answer>>>,
    timed_out: RefCell<HashSet<String>>,
    /// Each activity's tasks not yet taken, oldest first, and the workers
    /// polling it.
    activities: RefCell<HashMap<String, Activity>>,
}

#[derive(Default)]
struct Activity {
    queued: VecDeque<Queued>,
    pollers: Vec<oneshot::Sender<()>>,
}

/// An activity task: its token, its input as JSON text, and who learns
/// which worker took it.
struct Queued {
    token: String,
    input: String,
    taken: oneshot::Sender<String>,
}

/// The length of a token: hex of a SHA-256.
const TOKEN_LEN: usize = 64;

impl Callbacks {
    pub fn new(secret: String) -> Callbacks {
        Callbacks { secret, waiting: RefCell::default(), timed_out: RefCell::default(), activities: RefCell::default() }
    }

    /// The token of the Task state entered at event `entered_id` of `execution_arn`.
    pub fn token(&self, execution_arn: &str, entered_id: u64) -> String {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(format!("{}\n{execution_arn}\n{entered_id}", self.secret));
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Starts waiting on `token`; the answers arrive on the receiver until
    /// `done` is called.
    pub fn wait(&self, token: &str) -> mpsc::UnboundedReceiver<Answer> {
        let (tx, rx) = mpsc::unbounded();
        self.waiting.borrow_mut().insert(token.to_string(), tx);
        self.timed_out.borrow_mut().remove(token);
        rx
    }

    /// Queues an activity task; the receiver gets the name of the worker
    /// that takes it.
    pub fn enqueue(&self, activity: &str, token: &str, input: String) -> oneshot::Receiver<String> {
        let (taken, rx) = oneshot::channel();
        let mut activities = self.activities.borrow_mut();
        let a = activities.entry(activity.to_string()).or_default();
        a.queued.push_back(Queued { token: token.to_string(), input, taken });
        // Every poller looks again; one of them gets it.
        for p in a.pollers.drain(..) {
            let _ = p.send(());
        }
        rx
    }

    /// The oldest task of `activity` for `worker` (its token and input), or
    /// what to await until one may be there.
    pub fn take(&self, activity: &str, worker: &str) -> Result<(String, String), oneshot::Receiver<()>> {
        let mut activities = self.activities.borrow_mut();
        let a = activities.entry(activity.to_string()).or_default();
        while let Some(q) = a.queued.pop_front() {
            // A task that stopped waiting (a timeout) is no one's work.
            if q.taken.send(worker.to_string()).is_ok() {
                return Ok((q.token, q.input));
            }
        }
        let (tx, rx) = oneshot::channel();
        a.pollers.push(tx);
        Err(rx)
    }

    /// The task waiting on `token` ended (`timed_out`: by its own timeout).
    pub fn done(&self, token: &str, timed_out: bool) {
        self.waiting.borrow_mut().remove(token);
        for a in self.activities.borrow_mut().values_mut() {
            a.queued.retain(|q| q.token != token);
        }
        if timed_out {
            self.timed_out.borrow_mut().insert(token.to_string());
        }
    }

    /// Hands `answer` to the task waiting on `token`.
    pub fn answer(&self, token: &str, answer: Answer) -> Result<(), Refused> {
        if token.len() != TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Refused::Invalid);
        }
        if self.timed_out.borrow().contains(token) {
            return Err(Refused::TimedOut);
        }
        let ended = match self.waiting.borrow().get(token) {
            None => return Err(Refused::Unknown),
            Some(tx) => {
                let ends = !matches!(answer, Answer::Heartbeat);
                tx.unbounded_send(answer).map_err(|_| Refused::Unknown)?;
                ends
            }
        };
        // Success or failure ends the wait: a second answer finds no task.
        if ended {
            self.waiting.borrow_mut().remove(token);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[test]
    fn tokens_are_stable_per_state_and_secret() {
        let a = Callbacks::new("s1".into());
        let b = Callbacks::new("s2".into());
        assert_eq!(a.token("arn:x", 5), a.token("arn:x", 5));
        assert_ne!(a.token("arn:x", 5), a.token("arn:x", 6));
        assert_ne!(a.token("arn:x", 5), b.token("arn:x", 5));
        assert_eq!(a.token("arn:x", 5).len(), TOKEN_LEN);
    }

    #[test]
    fn answers_reach_the_waiting_task_once() {
        let c = Callbacks::new("s".into());
        let t = c.token("arn:x", 2);
        assert_eq!(c.answer("nope", Answer::Heartbeat), Err(Refused::Invalid));
        assert_eq!(c.answer(&t, Answer::Heartbeat), Err(Refused::Unknown));
        let mut rx = c.wait(&t);
        assert_eq!(c.answer(&t, Answer::Heartbeat), Ok(()));
        assert_eq!(c.answer(&t, Answer::Success(Value::Null)), Ok(()));
        assert_eq!(c.answer(&t, Answer::Success(Value::Null)), Err(Refused::Unknown));
        let got: Vec<Answer> = futures::executor::block_on(async {
            let mut v = Vec::new();
            while let Some(a) = rx.next().await {
                v.push(a);
            }
            v
        });
        assert!(matches!(got.as_slice(), [Answer::Heartbeat, Answer::Success(_)]));
        let again = c.wait(&t);
        c.done(&t, true);
        drop(again);
        assert_eq!(c.answer(&t, Answer::Heartbeat), Err(Refused::TimedOut));
    }
}
