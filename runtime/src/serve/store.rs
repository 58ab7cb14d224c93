//! Where the server keeps what must outlive it: state machines, versions,
//! aliases, activities and tags (as JSON records), every execution's
//! record and checkpoint, and every history event.
//!
//! A `Backend` is the small interface a database implements; SQLite is the
//! one built in. It runs on a writer thread of its own, and writes that
//! arrive together are grouped into one transaction (group commit), so a
//! server with many executions pays one fsync for all of them.
//!
//! Executions are claimed with a lease (an owner and an expiry), so that a
//! backend shared by several servers (PostgreSQL) hands each running
//! execution to one of them. With SQLite one server owns the file, and a
//! restarted server takes back its own executions at once (its owner id is
//! kept in the database).

use crate::exec::journal::Checkpoint;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// One write; a group of them is one transaction.
#[derive(Debug)]
pub enum Write {
    /// A machine, version, alias, activity or tag set; `None` deletes it.
    Resource { kind: &'static str, arn: String, body: Option<String> },
    /// A new execution: its record, first checkpoint and `ExecutionStarted`.
    Execution { arn: String, record: String, checkpoint: String, started: String, lease: Lease },
    /// Progress: events, then a checkpoint, or the final record. Events and
    /// checkpoint travel as values and become text on the writer thread:
    /// formatting them is much of a commit's work, and the engine's
    /// thread runs every execution.
    Progress { arn: String, events: Vec<Value>, checkpoint: Option<Box<Checkpoint>>, record: Option<String> },
}

/// Who holds an execution, until when (unix milliseconds).
#[derive(Debug, Clone)]
pub struct Lease {
    pub owner: String,
    pub until: i64,
}

/// Everything a server loads at start.
#[derive(Debug, Default)]
pub struct Loaded {
    pub resources: Vec<(String, String, String)>,
    /// Execution records, oldest first.
    pub executions: Vec<String>,
}

/// What a database does for the server (runs on the writer thread).
pub trait Backend: Send {
    /// Applies the writes in one transaction, durable when it returns.
    fn apply(&mut self, writes: &[Write]) -> Result<(), String>;
    fn load(&mut self) -> Result<Loaded, String>;
    /// One execution's events, in order, as JSON arrays of events (one per
    /// commit).
    fn history(&mut self, arn: &str) -> Result<Vec<String>, String>;
    /// One execution's latest checkpoint (where a redrive starts from).
    fn last_checkpoint(&mut self, arn: &str) -> Result<Option<String>, String>;
    /// Takes every running execution whose lease is free, expired or
    /// already `lease.owner`'s; returns their ARNs and checkpoints.
    fn claim(&mut self, lease: &Lease, now: i64) -> Result<Vec<(String, String)>, String>;
    /// Extends `owner`'s leases.
    fn renew(&mut self, lease: &Lease) -> Result<(), String>;
    /// This database's stable server id (created on first use).
    fn owner_id(&mut self) -> Result<String, String>;
}

/// The schema, one migration per version (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &["
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE resources (arn TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL);
    CREATE TABLE executions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        arn TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        record TEXT NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER
    );
    CREATE INDEX executions_running ON executions (status) WHERE status = 'RUNNING';
    -- Append-only: one row per commit, the commit's events as a JSON array
    -- from event `first` on, and the checkpoint it left (none at the end).
    -- Appending writes pages in sequence; rewriting a row per execution
    -- would write a page of its own for each.
    CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        execution INTEGER NOT NULL,
        first INTEGER NOT NULL,
        events TEXT NOT NULL,
        checkpoint TEXT
    );
    CREATE INDEX journal_execution ON journal (execution, first);
"];

pub struct Sqlite {
    conn: Connection,
}

fn sql(e: rusqlite::Error) -> String {
    e.to_string()
}

impl Sqlite {
    /// Opens (creating if needed) `dir/aslc.sqlite3`, or a database in
    /// memory when `dir` is `None`, and brings its schema up to date.
    pub fn open(dir: Option<&Path>) -> Result<Sqlite, String> {
        let conn = match dir {
            Some(d) => {
                std::fs::create_dir_all(d)
                    .map_err(|e| format!("cannot create the data folder {}: {e}", d.display()))?;
                let file = d.join("aslc.sqlite3");
                Connection::open(&file).map_err(|e| format!("cannot open {}: {e}", file.display()))?
            }
            None => Connection::open_in_memory().map_err(sql)?,
        };
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| format!("cannot use the data folder: {e}"))?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(sql)?;
        let mut db = Sqlite { conn };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&mut self) -> Result<(), String> {
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql)?;
        if version as usize > MIGRATIONS.len() {
            return Err(format!(
                "the data folder was written by a newer aslc (schema {version}; this one knows {})",
                MIGRATIONS.len()
            ));
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction().map_err(sql)?;
            tx.execute_batch(m).map_err(|e| format!("cannot migrate the data folder to schema {}: {e}", i + 1))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(sql)?;
            tx.commit().map_err(|e| format!("cannot write the data folder: {e}"))?;
        }
        Ok(())
    }
}

impl Backend for Sqlite {
    fn apply(&mut self, writes: &[Write]) -> Result<(), String> {
        let tx = self.conn.transaction().map_err(sql)?;
        for w in writes {
            match w {
                Write::Resource { kind, arn, body: Some(body) } => {
                    tx.execute(
                        "INSERT INTO resources (arn, kind, body) VALUES (?1, ?2, ?3)
                         ON CONFLICT (arn) DO UPDATE SET kind = ?2, body = ?3",
                        params![arn, kind, body],
                    )
                    .map_err(sql)?;
                }
                Write::Resource { arn, body: None, .. } => {
                    tx.execute("DELETE FROM resources WHERE arn = ?1", params![arn]).map_err(sql)?;
                }
                Write::Execution { arn, record, checkpoint, started, lease } => {
                    tx.prepare_cached(
                        "INSERT INTO executions (arn, status, record, lease_owner, lease_until)
                         VALUES (?1, 'RUNNING', ?2, ?3, ?4)",
                    )
                    .and_then(|mut s| s.execute(params![arn, record, lease.owner, lease.until]))
                    .map_err(sql)?;
                    let seq = tx.last_insert_rowid();
                    tx.prepare_cached(
                        "INSERT INTO journal (execution, first, events, checkpoint) VALUES (?1, 1, ?2, ?3)",
                    )
                    .and_then(|mut s| s.execute(params![seq, format!("[{started}]"), checkpoint]))
                    .map_err(sql)?;
                }
                Write::Progress { arn, events, checkpoint, record } => {
                    let seq: i64 = tx
                        .prepare_cached("SELECT seq FROM executions WHERE arn = ?1")
                        .and_then(|mut s| s.query_row(params![arn], |r| r.get(0)))
                        .map_err(|e| format!("{arn}: {e}"))?;
                    let first = events.first().and_then(|e| e["id"].as_i64()).unwrap_or(0);
                    let events = serde_json::to_string(events).map_err(|e| e.to_string())?;
                    let checkpoint =
                        checkpoint.as_ref().map(serde_json::to_string).transpose().map_err(|e| e.to_string())?;
                    tx.prepare_cached(
                        "INSERT INTO journal (execution, first, events, checkpoint) VALUES (?1, ?2, ?3, ?4)",
                    )
                    .and_then(|mut s| s.execute(params![seq, first, events, checkpoint]))
                    .map_err(sql)?;
                    if let Some(r) = record {
                        let status = serde_json::from_str::<serde_json::Value>(r)
                            .ok()
                            .and_then(|v| v.get("status").and_then(|s| s.as_str()).map(str::to_string))
                            .unwrap_or_else(|| "FAILED".into());
                        tx.prepare_cached(
                            "UPDATE executions SET record = ?2, status = ?3, lease_owner = NULL, lease_until = NULL
                             WHERE seq = ?1",
                        )
                        .and_then(|mut s| s.execute(params![seq, r, status]))
                        .map_err(sql)?;
                    }
                }
            }
        }
        tx.commit().map_err(sql)
    }

    fn load(&mut self) -> Result<Loaded, String> {
        let mut out = Loaded::default();
        let mut s = self.conn.prepare("SELECT kind, arn, body FROM resources ORDER BY rowid").map_err(sql)?;
        let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(sql)?;
        for r in rows {
            out.resources.push(r.map_err(sql)?);
        }
        let mut s = self.conn.prepare("SELECT record FROM executions ORDER BY seq").map_err(sql)?;
        let rows = s.query_map([], |r| r.get(0)).map_err(sql)?;
        for r in rows {
            out.executions.push(r.map_err(sql)?);
        }
        Ok(out)
    }

    fn history(&mut self, arn: &str) -> Result<Vec<String>, String> {
        let mut s = self
            .conn
            .prepare_cached(
                "SELECT journal.events FROM journal JOIN executions ON journal.execution = executions.seq
             WHERE executions.arn = ?1 AND journal.events != '[]' ORDER BY journal.first, journal.seq",
            )
            .map_err(sql)?;
        let rows = s.query_map(params![arn], |r| r.get(0)).map_err(sql)?;
        rows.map(|r| r.map_err(sql)).collect()
    }

    fn last_checkpoint(&mut self, arn: &str) -> Result<Option<String>, String> {
        self.conn
            .query_row(
                "SELECT j.checkpoint FROM journal j JOIN executions e ON j.execution = e.seq
                 WHERE e.arn = ?1 AND j.checkpoint IS NOT NULL ORDER BY j.seq DESC LIMIT 1",
                params![arn],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)
    }

    fn claim(&mut self, lease: &Lease, now: i64) -> Result<Vec<(String, String)>, String> {
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute(
            "UPDATE executions SET lease_owner = ?1, lease_until = ?2 WHERE status = 'RUNNING'
             AND (lease_owner IS NULL OR lease_owner = ?1 OR lease_until < ?3)",
            params![lease.owner, lease.until, now],
        )
        .map_err(sql)?;
        let claimed = {
            // Each claimed execution's latest checkpoint.
            let mut s = tx
                .prepare(
                    "SELECT e.arn, (SELECT j.checkpoint FROM journal j WHERE j.execution = e.seq
                                    AND j.checkpoint IS NOT NULL ORDER BY j.seq DESC LIMIT 1)
                     FROM executions e WHERE e.status = 'RUNNING' AND e.lease_owner = ?1 ORDER BY e.seq",
                )
                .map_err(sql)?;
            let rows =
                s.query_map(params![lease.owner], |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?))).map_err(sql)?;
            let mut out = Vec::new();
            for r in rows {
                let (arn, cp) = r.map_err(sql)?;
                out.push((arn, cp.unwrap_or_default()));
            }
            out
        };
        tx.commit().map_err(sql)?;
        Ok(claimed)
    }

    fn renew(&mut self, lease: &Lease) -> Result<(), String> {
        self.conn
            .execute(
                "UPDATE executions SET lease_until = ?2 WHERE status = 'RUNNING' AND lease_owner = ?1",
                params![lease.owner, lease.until],
            )
            .map(|_| ())
            .map_err(sql)
    }

    fn owner_id(&mut self) -> Result<String, String> {
        let found: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'server_id'", [], |r| r.get(0))
            .optional()
            .map_err(sql)?;
        if let Some(id) = found {
            return Ok(id);
        }
        let id = uuid::Uuid::new_v4().to_string();
        self.conn.execute("INSERT INTO meta (key, value) VALUES ('server_id', ?1)", params![id]).map_err(sql)?;
        Ok(id)
    }
}

enum Job {
    Write(Vec<Write>, oneshot::Sender<Result<(), String>>),
    History(String, oneshot::Sender<Result<Vec<String>, String>>),
    Checkpoint(String, oneshot::Sender<Result<Option<String>, String>>),
    Renew(Lease),
}

/// The server's handle on its backend's writer thread.
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
}

/// The most writes one transaction groups.
const GROUP: usize = 4096;
/// A group closes when no write has arrived for this long...
const GATHER_QUIET: Duration = Duration::from_micros(100);
/// ...or when its first write has waited this long.
const GATHER_AT_MOST: Duration = Duration::from_millis(2);

impl Store {
    /// Starts the writer thread over `backend`.
    pub fn start(mut backend: Box<dyn Backend>) -> Store {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("aslc-store".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut jobs = vec![first];
                    // Gather what arrives while the server is still busy
                    // handing out work: until it pauses, or for a moment.
                    let until = Instant::now() + GATHER_AT_MOST;
                    while jobs.len() < GROUP {
                        let left = until.saturating_duration_since(Instant::now());
                        match rx.recv_timeout(GATHER_QUIET.min(left)) {
                            Ok(j) => jobs.push(j),
                            Err(_) => break,
                        }
                    }
                    run_group(backend.as_mut(), jobs);
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| eprintln!("aslc: cannot start the store's thread: {e}"));
        Store { jobs: tx }
    }

    /// Applies `writes` atomically; resolves once they are durable.
    pub async fn write(&self, writes: Vec<Write>) -> Result<(), String> {
        let (tx, rx) = oneshot::channel();
        self.jobs.send(Job::Write(writes, tx)).map_err(|_| "the store has stopped".to_string())?;
        rx.await.map_err(|_| "the store has stopped".to_string())?
    }

    pub async fn history(&self, arn: &str) -> Result<Vec<String>, String> {
        let (tx, rx) = oneshot::channel();
        self.jobs.send(Job::History(arn.to_string(), tx)).map_err(|_| "the store has stopped".to_string())?;
        rx.await.map_err(|_| "the store has stopped".to_string())?
    }

    pub async fn last_checkpoint(&self, arn: &str) -> Result<Option<String>, String> {
        let (tx, rx) = oneshot::channel();
        self.jobs.send(Job::Checkpoint(arn.to_string(), tx)).map_err(|_| "the store has stopped".to_string())?;
        rx.await.map_err(|_| "the store has stopped".to_string())?
    }

    pub fn renew(&self, lease: Lease) {
        let _ = self.jobs.send(Job::Renew(lease));
    }
}

/// One transaction for every write of the group; reads after it.
fn run_group(backend: &mut dyn Backend, jobs: Vec<Job>) {
    let mut writes = Vec::new();
    let mut waiting = Vec::new();
    let mut reads = Vec::new();
    for j in jobs {
        match j {
            Job::Write(w, reply) => {
                waiting.push((w.len(), reply));
                writes.extend(w);
            }
            other => reads.push(other),
        }
    }
    if !writes.is_empty() {
        match backend.apply(&writes) {
            Ok(()) => waiting.into_iter().for_each(|(_, r)| drop(r.send(Ok(())))),
            // One bad write must not fail the others: apply each alone.
            Err(_) => {
                let mut rest = writes.into_iter();
                for (n, reply) in waiting {
                    let mine: Vec<Write> = rest.by_ref().take(n).collect();
                    let _ = reply.send(backend.apply(&mine));
                }
            }
        }
    }
    for j in reads {
        match j {
            Job::History(arn, reply) => drop(reply.send(backend.history(&arn))),
            Job::Checkpoint(arn, reply) => drop(reply.send(backend.last_checkpoint(&arn))),
            Job::Renew(lease) => {
                if let Err(e) = backend.renew(&lease) {
                    eprintln!("aslc: cannot renew the execution leases: {e}");
                }
            }
            Job::Write(..) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(owner: &str) -> Lease {
        Lease { owner: owner.into(), until: 10_000 }
    }

    #[test]
    fn executions_progress_and_are_claimed_by_lease() {
        let mut db = Sqlite::open(None).expect("opens in memory");
        let new = Write::Execution {
            arn: "e1".into(),
            record: r#"{"status":"RUNNING"}"#.into(),
            checkpoint: "{}".into(),
            started: r#"{"id":1}"#.into(),
            lease: lease("a"),
        };
        db.apply(&[new]).expect("applies");
        let progress = Write::Progress {
            arn: "e1".into(),
            events: vec![serde_json::json!({"id": 2})],
            checkpoint: Some(Box::new(Checkpoint::started(serde_json::json!({})))),
            record: None,
        };
        db.apply(&[progress]).expect("applies");
        assert_eq!(db.history("e1").expect("reads"), vec![r#"[{"id":1}]"#, r#"[{"id":2}]"#]);
        // A write for an execution that does not exist fails its transaction.
        let stray =
            Write::Progress { arn: "nope".into(), events: vec![serde_json::json!({})], checkpoint: None, record: None };
        assert!(db.apply(&[stray]).is_err());
        // Another owner cannot take a live lease; an expired one it can.
        assert!(db.claim(&lease("b"), 5_000).expect("claims").is_empty());
        let claimed = db.claim(&lease("b"), 20_000).expect("claims");
        let checkpoint = serde_json::to_string(&Checkpoint::started(serde_json::json!({}))).expect("text");
        assert_eq!(claimed, vec![("e1".to_string(), checkpoint)]);
        let end = Write::Progress {
            arn: "e1".into(),
            events: vec![],
            checkpoint: None,
            record: Some(r#"{"status":"SUCCEEDED"}"#.into()),
        };
        db.apply(&[end]).expect("applies");
        assert!(db.claim(&lease("b"), 20_000).expect("claims").is_empty());
        assert_eq!(db.load().expect("loads").executions, vec![r#"{"status":"SUCCEEDED"}"#]);
    }

    #[test]
    fn the_owner_id_is_kept() {
        let mut db = Sqlite::open(None).expect("opens");
        let a = db.owner_id().expect("id");
        assert_eq!(db.owner_id().expect("id"), a);
    }
}
