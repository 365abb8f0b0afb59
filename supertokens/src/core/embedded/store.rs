//! SQLite storage of the embedded core: one writer thread with group commit, and a small pool of
//! read connections (WAL lets readers run beside the writer).
//!
//! A write is acknowledged only after the transaction that holds it has committed, so every
//! acknowledged write survives a kill of the process (WAL with `synchronous = NORMAL`: the commit
//! is in the OS before we answer; a power cut may lose the last transactions, a process kill not).

use std::sync::{Arc, Mutex, mpsc};
use std::thread;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use crate::core::embedded_config::Database;

/// A versioned schema change of one component (`passwordless`, `session`, …). Each component
/// numbers its migrations from 1; they run once, in order, at open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    pub(crate) component: &'static str,
    pub(crate) version: u32,
    pub(crate) sql: &'static str,
}

/// A storage failure. Never shown to API callers (they get a plain 500 "Internal error").
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the storage thread has stopped")]
    Stopped,
    #[error("{0}")]
    Other(String),
}

/// A queued write: runs inside the group's transaction and returns what to do once the group
/// has committed (or failed to).
type WriteJob = Box<dyn FnOnce(&Transaction<'_>) -> Finish + Send>;
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Most writes queued behind one commit.
const MAX_GROUP: usize = 256;
const READERS: usize = 4;

pub(crate) struct Store {
    writer: mpsc::Sender<WriteJob>,
    /// `None` for an in-memory database: everything then goes through the writer's connection.
    readers: Option<Arc<Mutex<Vec<Connection>>>>,
    database: Database,
}

impl Store {
    /// Opens (creating if needed) the database and applies the pending migrations.
    pub(crate) fn open(database: &Database, migrations: &[Migration]) -> Result<Self, StoreError> {
        let mut conn = open_connection(database)?;
        migrate(&mut conn, migrations)?;
        let readers = match database {
            Database::Memory => None,
            Database::File(_) => {
                let pool = (0..READERS)
                    .map(|_| open_connection(database))
                    .collect::<Result<Vec<_>, _>>()?;
                Some(Arc::new(Mutex::new(pool)))
            }
        };
        let (tx, rx) = mpsc::channel::<WriteJob>();
        thread::Builder::new()
            .name("supertokens-core-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| StoreError::Other(format!("cannot start the storage thread: {e}")))?;
        Ok(Self {
            writer: tx,
            readers,
            database: database.clone(),
        })
    }

    /// Runs `f` in a write transaction. `f`'s changes commit (with others queued at the same
    /// time) if it returns `Ok`, and are rolled back if it returns `Err`.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        let (done_tx, done_rx) = oneshot::channel::<Result<R, StoreError>>();
        let job: WriteJob = Box::new(move |tx: &Transaction<'_>| {
            let result = run_in_savepoint(tx, f);
            Box::new(move |commit: Result<(), String>| {
                let outcome = match commit {
                    Ok(()) => result,
                    Err(e) => Err(StoreError::Other(format!("commit failed: {e}"))),
                };
                // The caller may have gone away (request cancelled); nothing to tell then.
                let _ = done_tx.send(outcome);
            })
        });
        self.writer.send(job).map_err(|_| StoreError::Stopped)?;
        done_rx.await.map_err(|_| StoreError::Stopped)?
    }

    /// Runs `f` on a read connection (a consistent snapshot).
    pub(crate) async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let Some(pool) = self.readers.clone() else {
            // In memory: one connection, so reads queue with the writes.
            return self.write(move |tx| f(tx)).await;
        };
        tokio::task::spawn_blocking(move || {
            let conn = pool.lock().ok().and_then(|mut p| p.pop());
            let conn = match conn {
                Some(c) => c,
                None => return Err(StoreError::Other("no read connection".into())),
            };
            let result = f(&conn);
            if let Ok(mut p) = pool.lock() {
                p.push(conn);
            }
            result
        })
        .await
        .map_err(|_| StoreError::Stopped)?
    }

    /// Where the data lives.
    pub(crate) fn database(&self) -> &Database {
        &self.database
    }
}

fn run_in_savepoint<R>(
    tx: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    tx.execute_batch("SAVEPOINT job")?;
    match f(tx) {
        Ok(value) => {
            tx.execute_batch("RELEASE job")?;
            Ok(value)
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO job; RELEASE job")?;
            Err(e)
        }
    }
}

fn writer_loop(mut conn: Connection, rx: mpsc::Receiver<WriteJob>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let (outcome, finishers) = run_batch(&mut conn, batch);
        for finish in finishers {
            finish(outcome.clone());
        }
    }
}

fn run_batch(conn: &mut Connection, batch: Vec<WriteJob>) -> (Result<(), String>, Vec<Finish>) {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        // Nothing ran; dropping the jobs tells each caller the write did not happen.
        Err(e) => return (Err(e.to_string()), Vec::new()),
    };
    let finishers: Vec<Finish> = batch.into_iter().map(|job| job(&tx)).collect();
    (tx.commit().map_err(|e| e.to_string()), finishers)
}

fn open_connection(database: &Database) -> Result<Connection, StoreError> {
    let conn = match database {
        Database::Memory => Connection::open_in_memory()?,
        Database::File(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Other(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn
        }
    };
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             component TEXT NOT NULL,
             version INTEGER NOT NULL,
             PRIMARY KEY (component, version)
         )",
    )?;
    for m in migrations {
        let done: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE component = ?1 AND version = ?2)",
            (m.component, m.version),
            |row| row.get(0),
        )?;
        if !done {
            tx.execute_batch(m.sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (component, version) VALUES (?1, ?2)",
                (m.component, m.version),
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}
