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

use crate::exec::history::Event;
use crate::exec::journal::Checkpoint;
use crate::serve::journal_events::Stored;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;

/// One write; a group of them is one transaction.
#[derive(Debug)]
pub enum Write {
    /// A machine, version, alias, activity or tag set; `None` deletes it.
    Resource { kind: &'static str, arn: String, body: Option<String> },
    /// A new execution: its record, first checkpoint and `ExecutionStarted`.
    Execution { arn: String, record: String, checkpoint: String, started: Event, lease: Lease },
    /// Progress: events, then a checkpoint, or the final record. Events and
    /// checkpoint travel as values and become text on the store's
    /// formatting thread: formatting them is much of a commit's work, and
    /// the engine's thread runs every execution.
    Progress { arn: String, events: Vec<Event>, checkpoint: Option<Box<Checkpoint>>, record: Option<String> },
}

/// A write as a backend keeps it: JSON text throughout.
#[derive(Debug)]
pub enum Row {
    Resource {
        kind: &'static str,
        arn: String,
        body: Option<String>,
    },
    Execution {
        arn: String,
        record: String,
        checkpoint: Packed,
        started: Packed,
        lease: Lease,
    },
    /// `first`: the id of the first of `events` (0 when there are none);
    /// `record`: the final record and its status.
    Progress {
        arn: String,
        first: u64,
        events: Packed,
        checkpoint: Option<Packed>,
        record: Option<(String, String)>,
    },
}

/// Journal text as it is stored: long text compressed (LZ4 block, its
/// length first), as a blob. A history repeats each state's input and
/// output in several events and the checkpoint again, and the bytes each
/// group of commits writes and syncs bound how fast durable executions go.
#[derive(Debug)]
pub enum Packed {
    Text(String),
    Lz4(Vec<u8>),
}

/// Text shorter than this is kept as it is (an empty `[]` among them).
const PACK_FROM: usize = 256;

impl Packed {
    pub fn of(text: String) -> Packed {
        if text.len() < PACK_FROM {
            Packed::Text(text)
        } else {
            Packed::Lz4(lz4_flex::block::compress_prepend_size(text.as_bytes()))
        }
    }

    /// Reads a stored column back: text as it is, a blob unpacked.
    fn unpack(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<String> {
        use rusqlite::types::{FromSqlError, ValueRef};
        match v {
            ValueRef::Blob(b) => lz4_flex::block::decompress_size_prepended(b)
                .map_err(|e| e.to_string())
                .and_then(|bytes| String::from_utf8(bytes).map_err(|e| e.to_string()))
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, v.data_type(), e.into())),
            ValueRef::Text(t) => String::from_utf8(t.to_vec())
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, v.data_type(), e.into())),
            _ => Err(rusqlite::Error::FromSqlConversionFailure(
                0,
                v.data_type(),
                FromSqlError::InvalidType.to_string().into(),
            )),
        }
    }
}

impl rusqlite::ToSql for Packed {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(match self {
            Packed::Text(t) => t.as_str().into(),
            Packed::Lz4(b) => b.as_slice().into(),
        })
    }
}

impl Write {
    fn into_row(self) -> Result<Row, String> {
        let text = |e: serde_json::Error| e.to_string();
        Ok(match self {
            Write::Resource { kind, arn, body } => Row::Resource { kind, arn, body },
            Write::Execution { arn, record, checkpoint, started, lease } => {
                let started = Packed::of(serde_json::to_string(&Stored(&[started])).map_err(text)?);
                Row::Execution { arn, record, checkpoint: Packed::of(checkpoint), started, lease }
            }
            Write::Progress { arn, events, checkpoint, record } => Row::Progress {
                arn,
                first: events.first().map_or(0, |e| e.id),
                events: Packed::of(serde_json::to_string(&Stored(&events)).map_err(text)?),
                checkpoint: checkpoint.map(|c| serde_json::to_string(&c).map(Packed::of)).transpose().map_err(text)?,
                record: record.map(|r| {
                    let status = serde_json::from_str::<serde_json::Value>(&r)
                        .ok()
                        .and_then(|v| v.get("status").and_then(|s| s.as_str()).map(str::to_string))
                        .unwrap_or_else(|| "FAILED".into());
                    (r, status)
                }),
            },
        })
    }
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
    /// Applies the rows in one transaction, durable when it returns.
    fn apply(&mut self, rows: &[Row]) -> Result<(), String>;
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
const MIGRATIONS: &[&str] = &[
    "
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
",
    "
    -- Each journal row points at its execution's previous row, and `heads`
    -- holds each execution's latest row. An index on (execution, first)
    -- put every commit's entry on a page of its own among the executions
    -- in flight: it doubled the pages each group of commits wrote and
    -- synced. A head is a few bytes, so those in flight share a few pages.
    ALTER TABLE journal ADD COLUMN prev INTEGER;
    UPDATE journal SET prev = (SELECT max(p.seq) FROM journal p
                               WHERE p.execution = journal.execution AND p.seq < journal.seq);
    CREATE TABLE heads (execution INTEGER PRIMARY KEY, last INTEGER NOT NULL);
    INSERT INTO heads (execution, last) SELECT execution, max(seq) FROM journal GROUP BY execution;
    DROP INDEX journal_execution;
",
];

/// One execution's journal rows, newest first, from its head back along
/// `prev` (`?1`: the execution's ARN).
const CHAIN: &str = "WITH RECURSIVE chain(seq) AS (
        SELECT h.last FROM heads h JOIN executions e ON h.execution = e.seq WHERE e.arn = ?1
        UNION ALL SELECT j.prev FROM journal j JOIN chain c ON j.seq = c.seq WHERE j.prev IS NOT NULL)";

pub struct Sqlite {
    conn: Connection,
    /// The executions in flight: ARN → (execution row, latest journal
    /// row), known once written or read; dropped at an execution's end.
    open: HashMap<String, (i64, i64)>,
    /// Wakes the checkpointer after a commit (none for a database in memory).
    checkpoints: Option<mpsc::SyncSender<()>>,
}

/// The least time between two copies of the log into the database file.
const CHECKPOINT_SPACING: Duration = Duration::from_millis(100);
/// A log this long (in pages) is copied whole, holding writers a moment:
/// a server that never pauses would otherwise grow it without end.
const LOG_PAGES_BEFORE_RESTART: i64 = 16_384;

/// Copies the write-ahead log into the database file on a thread of its
/// own. SQLite would do it inside the commit that fills the log, on the
/// writer's thread and with an fsync of the database file, and every
/// execution waiting on that group would wait for the copy too.
fn start_checkpointer(file: &Path) -> Result<mpsc::SyncSender<()>, String> {
    let conn = Connection::open(file).map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(sql)?;
    let (tx, rx) = mpsc::sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("aslc-checkpoint".into())
        .spawn(move || {
            while rx.recv().is_ok() {
                let log = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1));
                if log.is_ok_and(|pages| pages > LOG_PAGES_BEFORE_RESTART) {
                    let _ = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
                }
                std::thread::sleep(CHECKPOINT_SPACING);
            }
        })
        .map_err(|e| format!("cannot start the checkpoint thread: {e}"))?;
    Ok(tx)
}

fn sql(e: rusqlite::Error) -> String {
    e.to_string()
}

impl Sqlite {
    /// Opens (creating if needed) `dir/aslc.sqlite3`, or a database in
    /// memory when `dir` is `None`, and brings its schema up to date.
    pub fn open(dir: Option<&Path>) -> Result<Sqlite, String> {
        let file = match dir {
            Some(d) => {
                std::fs::create_dir_all(d)
                    .map_err(|e| format!("cannot create the data folder {}: {e}", d.display()))?;
                Some(d.join("aslc.sqlite3"))
            }
            None => None,
        };
        let conn = match &file {
            Some(f) => Connection::open(f).map_err(|e| format!("cannot open {}: {e}", f.display()))?,
            None => Connection::open_in_memory().map_err(sql)?,
        };
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| format!("cannot use the data folder: {e}"))?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(sql)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(sql)?;
        let mut db = Sqlite { conn, open: HashMap::new(), checkpoints: None };
        db.migrate()?;
        if let Some(f) = &file {
            db.conn.pragma_update(None, "wal_autocheckpoint", 0).map_err(sql)?;
            db.checkpoints = Some(start_checkpointer(f)?);
        }
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
    fn apply(&mut self, rows: &[Row]) -> Result<(), String> {
        // Immediate: the write lock is awaited up front (the checkpointer
        // takes it a moment to restart the log); a read that became a write
        // would fail instead of waiting.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        // Heads moved by this transaction, for the cache once it commits.
        let mut moved: HashMap<&str, Option<(i64, i64)>> = HashMap::new();
        for row in rows {
            match row {
                Row::Resource { kind, arn, body: Some(body) } => {
                    tx.execute(
                        "INSERT INTO resources (arn, kind, body) VALUES (?1, ?2, ?3)
                         ON CONFLICT (arn) DO UPDATE SET kind = ?2, body = ?3",
                        params![arn, kind, body],
                    )
                    .map_err(sql)?;
                }
                Row::Resource { arn, body: None, .. } => {
                    tx.execute("DELETE FROM resources WHERE arn = ?1", params![arn]).map_err(sql)?;
                }
                Row::Execution { arn, record, checkpoint, started, lease } => {
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
                    .and_then(|mut s| s.execute(params![seq, started, checkpoint]))
                    .map_err(sql)?;
                    let head = tx.last_insert_rowid();
                    tx.prepare_cached("INSERT INTO heads (execution, last) VALUES (?1, ?2)")
                        .and_then(|mut s| s.execute(params![seq, head]))
                        .map_err(sql)?;
                    moved.insert(arn, Some((seq, head)));
                }
                Row::Progress { arn, first, events, checkpoint, record } => {
                    // An earlier row of this group may have moved the head.
                    let known = match moved.get(arn.as_str()) {
                        Some(m) => *m,
                        None => self.open.get(arn).copied(),
                    };
                    let (seq, prev) = match known {
                        Some(k) => k,
                        None => tx
                            .prepare_cached(
                                "SELECT e.seq, h.last FROM executions e JOIN heads h ON h.execution = e.seq
                                 WHERE e.arn = ?1",
                            )
                            .and_then(|mut s| s.query_row(params![arn], |r| Ok((r.get(0)?, r.get(1)?))))
                            .map_err(|e| format!("{arn}: {e}"))?,
                    };
                    tx.prepare_cached(
                        "INSERT INTO journal (execution, first, events, checkpoint, prev) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .and_then(|mut s| s.execute(params![seq, first, events, checkpoint, prev]))
                    .map_err(sql)?;
                    let head = tx.last_insert_rowid();
                    tx.prepare_cached("UPDATE heads SET last = ?2 WHERE execution = ?1")
                        .and_then(|mut s| s.execute(params![seq, head]))
                        .map_err(sql)?;
                    // An ended execution leaves the cache (a redrive reads its head again).
                    moved.insert(arn, record.is_none().then_some((seq, head)));
                    if let Some((r, status)) = record {
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
        tx.commit().map_err(sql)?;
        for (arn, head) in moved {
            match head {
                Some(h) => self.open.insert(arn.to_string(), h),
                None => self.open.remove(arn),
            };
        }
        if let Some(c) = &self.checkpoints {
            // Full: a copy is due already.
            let _ = c.try_send(());
        }
        Ok(())
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
        let query = format!(
            "{CHAIN} SELECT j.events FROM journal j JOIN chain c ON j.seq = c.seq WHERE j.events != '[]' ORDER BY j.seq"
        );
        let mut s = self.conn.prepare_cached(&query).map_err(sql)?;
        let rows = s.query_map(params![arn], |r| Packed::unpack(r.get_ref(0)?)).map_err(sql)?;
        rows.map(|r| r.map_err(sql)).collect()
    }

    fn last_checkpoint(&mut self, arn: &str) -> Result<Option<String>, String> {
        let query = format!(
            "{CHAIN} SELECT j.checkpoint FROM journal j JOIN chain c ON j.seq = c.seq
             WHERE j.checkpoint IS NOT NULL ORDER BY j.seq DESC LIMIT 1"
        );
        self.conn.query_row(&query, params![arn], |r| Packed::unpack(r.get_ref(0)?)).optional().map_err(sql)
    }

    fn claim(&mut self, lease: &Lease, now: i64) -> Result<Vec<(String, String)>, String> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        tx.execute(
            "UPDATE executions SET lease_owner = ?1, lease_until = ?2 WHERE status = 'RUNNING'
             AND (lease_owner IS NULL OR lease_owner = ?1 OR lease_until < ?3)",
            params![lease.owner, lease.until, now],
        )
        .map_err(sql)?;
        let claimed = {
            // Each claimed execution's latest checkpoint.
            // A running execution's latest row always has its checkpoint.
            let mut s = tx
                .prepare(
                    "SELECT e.arn, j.checkpoint FROM executions e JOIN heads h ON h.execution = e.seq
                     JOIN journal j ON j.seq = h.last
                     WHERE e.status = 'RUNNING' AND e.lease_owner = ?1 ORDER BY e.seq",
                )
                .map_err(sql)?;
            let rows = s
                .query_map(params![lease.owner], |r| Ok((r.get(0)?, Packed::unpack(r.get_ref(1)?).ok())))
                .map_err(sql)?;
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

/// What the store's threads are asked: writes (`W`: `Write` from the
/// engine, `Row` once formatted) and reads, answered in the order asked.
enum Job<W> {
    Write(Vec<W>, oneshot::Sender<Result<(), String>>),
    History(String, oneshot::Sender<Result<Vec<String>, String>>),
    Checkpoint(String, oneshot::Sender<Result<Option<String>, String>>),
    Renew(Lease),
}

/// The server's handle on its backend's writer thread.
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job<Write>>,
}

/// The most writes one transaction groups.
const GROUP: usize = 4096;

impl Store {
    /// Starts the store's threads over `backend`: one formats writes into
    /// rows, the other writes groups of rows. A group is formatted while the
    /// one before it is written and synced.
    pub fn start(mut backend: Box<dyn Backend>) -> Store {
        let (tx, rx) = mpsc::channel::<Job<Write>>();
        let (rows_tx, rows_rx) = mpsc::channel::<Job<Row>>();
        std::thread::Builder::new()
            .name("aslc-format".into())
            .spawn(move || {
                for job in rx {
                    let job = match job {
                        Job::Write(writes, reply) => match writes.into_iter().map(Write::into_row).collect() {
                            Ok(rows) => Job::Write(rows, reply),
                            Err(e) => {
                                let _ = reply.send(Err(e));
                                continue;
                            }
                        },
                        Job::History(arn, reply) => Job::History(arn, reply),
                        Job::Checkpoint(arn, reply) => Job::Checkpoint(arn, reply),
                        Job::Renew(lease) => Job::Renew(lease),
                    };
                    if rows_tx.send(job).is_err() {
                        break;
                    }
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| eprintln!("aslc: cannot start the store's formatting thread: {e}"));
        let rx = rows_rx;
        std::thread::Builder::new()
            .name("aslc-store".into())
            .spawn(move || {
                // A group is what arrived while the last one was written:
                // under load groups grow by themselves, and the engine's
                // thread makes the next group while this one is written.
                while let Ok(first) = rx.recv() {
                    let mut jobs = vec![first];
                    while jobs.len() < GROUP {
                        match rx.try_recv() {
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
fn run_group(backend: &mut dyn Backend, jobs: Vec<Job<Row>>) {
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
                    let mine: Vec<Row> = rest.by_ref().take(n).collect();
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

    fn event(id: u64) -> Event {
        Event { id, previous: id - 1, time: chrono::DateTime::UNIX_EPOCH, kind: "PassStateEntered", details: None }
    }

    #[test]
    fn executions_progress_and_are_claimed_by_lease() {
        let mut db = Sqlite::open(None).expect("opens in memory");
        let new = Write::Execution {
            arn: "e1".into(),
            record: r#"{"status":"RUNNING"}"#.into(),
            checkpoint: "{}".into(),
            started: event(1),
            lease: lease("a"),
        };
        db.apply(&[new.into_row().expect("formats")]).expect("applies");
        let progress = Write::Progress {
            arn: "e1".into(),
            events: vec![event(2)],
            checkpoint: Some(Box::new(Checkpoint::started(serde_json::json!({})))),
            record: None,
        };
        db.apply(&[progress.into_row().expect("formats")]).expect("applies");
        let ids: Vec<Vec<u64>> = db
            .history("e1")
            .expect("reads")
            .iter()
            .map(|text| {
                let events = crate::serve::journal_events::read(text, true).expect("stored events");
                events.iter().filter_map(|e| e["id"].as_u64()).collect()
            })
            .collect();
        assert_eq!(ids, [[1], [2]]);
        // A write for an execution that does not exist fails its transaction.
        let stray = Write::Progress { arn: "nope".into(), events: vec![event(1)], checkpoint: None, record: None };
        assert!(db.apply(&[stray.into_row().expect("formats")]).is_err());
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
        db.apply(&[end.into_row().expect("formats")]).expect("applies");
        assert!(db.claim(&lease("b"), 20_000).expect("claims").is_empty());
        assert_eq!(db.load().expect("loads").executions, vec![r#"{"status":"SUCCEEDED"}"#]);
    }

    #[test]
    fn the_owner_id_is_kept() {
        let mut db = Sqlite::open(None).expect("opens");
        let a = db.owner_id().expect("id");
        assert_eq!(db.owner_id().expect("id"), a);
    }

    #[test]
    fn a_schema_1_folder_keeps_its_histories_and_goes_on() {
        let dir = std::env::temp_dir().join(format!("aslc-store-migration-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a folder");
        {
            let old = Connection::open(dir.join("aslc.sqlite3")).expect("opens");
            old.execute_batch(MIGRATIONS[0]).expect("schema 1");
            old.execute_batch(
                r#"PRAGMA user_version = 1;
                INSERT INTO executions (seq, arn, status, record) VALUES (1, 'a', 'RUNNING', '{}'), (2, 'b', 'RUNNING', '{}');
                INSERT INTO journal (seq, execution, first, events, checkpoint) VALUES
                    (1, 1, 1, '[{"id":1}]', '"a1"'), (2, 2, 1, '[{"id":1}]', '"b1"'),
                    (3, 1, 2, '[{"id":2}]', '"a2"'), (4, 1, 3, '[]', '"a3"');"#,
            )
            .expect("rows");
        }
        let mut db = Sqlite::open(Some(&dir)).expect("migrates");
        assert_eq!(db.history("a").expect("reads"), vec![r#"[{"id":1}]"#, r#"[{"id":2}]"#]);
        assert_eq!(db.last_checkpoint("a").expect("reads").as_deref(), Some(r#""a3""#));
        let claimed = db.claim(&lease("x"), 0).expect("claims");
        assert_eq!(claimed, vec![("a".into(), r#""a3""#.into()), ("b".into(), r#""b1""#.into())]);
        let progress = Write::Progress { arn: "a".into(), events: vec![event(3)], checkpoint: None, record: None };
        db.apply(&[progress.into_row().expect("formats")]).expect("applies");
        assert_eq!(db.history("a").expect("reads").len(), 3);
        assert_eq!(db.history("b").expect("reads").len(), 1);
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn long_journal_text_is_packed_and_reads_back_the_same() {
        let mut db = Sqlite::open(None).expect("opens in memory");
        let input = serde_json::json!({"text": "x".repeat(2000)});
        let new = Write::Execution {
            arn: "e".into(),
            record: "{}".into(),
            checkpoint: "{}".into(),
            started: crate::exec::started_event(&input),
            lease: lease("a"),
        };
        let checkpoint = Checkpoint::started(input.clone());
        let progress = Write::Progress {
            arn: "e".into(),
            events: vec![Event { details: Some(("d", input.clone()).into()), ..event(2) }],
            checkpoint: Some(Box::new(checkpoint.clone())),
            record: None,
        };
        let rows = [new.into_row().expect("formats"), progress.into_row().expect("formats")];
        assert!(matches!(&rows[1], Row::Progress { events: Packed::Lz4(b), .. } if b.len() < 500));
        db.apply(&rows).expect("applies");
        let history = db.history("e").expect("reads");
        let events = crate::serve::journal_events::read(&history[1], true).expect("stored events");
        assert_eq!(events[0]["d"], input);
        let saved = db.last_checkpoint("e").expect("reads").expect("a checkpoint");
        assert_eq!(serde_json::from_str::<Checkpoint>(&saved).expect("a checkpoint"), checkpoint);
    }
}
