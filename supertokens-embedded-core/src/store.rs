//! SQLite storage of the embedded core: one writer thread with group commit, and a small pool of
//! read connections (WAL lets readers run beside the writer).
//!
//! A write is acknowledged only after the transaction that holds it has committed, so every
//! acknowledged write survives a kill of the process (WAL with `synchronous = NORMAL`: the commit
//! is in the OS before we answer; a power cut may lose the last transactions, a process kill not).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use tokio::sync::{Semaphore, oneshot};

use crate::config::Database;
use crate::db_files;

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
/// It gets the group's transaction, or why there is none (the job then only reports the failure).
type WriteJob = Box<dyn FnOnce(Result<&Transaction<'_>, &str>) -> Finish + Send>;
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Most writes queued behind one commit.
const MAX_GROUP: usize = 256;
const READERS: usize = 4;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

pub(crate) struct Store {
    writer: mpsc::Sender<WriteJob>,
    /// `None` for an in-memory database: everything then goes through the writer's connection.
    readers: Option<Readers>,
    database: Database,
}

/// The read connections, and one permit per connection so a reader waits for a free one
/// instead of failing when more reads than connections run at once.
#[derive(Clone)]
struct Readers {
    pool: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
}

impl Store {
    /// Opens (creating if needed) the database and applies the pending migrations.
    #[cfg(test)]
    pub(crate) fn open(database: &Database, migrations: &[Migration]) -> Result<Self, StoreError> {
        Self::open_reading(database, migrations, |_| Ok(())).map(|(store, ())| store)
    }

    /// As [`open`](Self::open), using the connection first (what the core needs to read or
    /// make before it serves).
    pub(crate) fn open_reading<R>(
        database: &Database,
        migrations: &[Migration],
        read: impl FnOnce(&Connection) -> rusqlite::Result<R>,
    ) -> Result<(Self, R), StoreError> {
        if let Database::File(path) = database {
            let path = db_files::prepare(path)?;
            tracing::info!(path = %path.display(), "embedded core database");
        }
        let mut conn = open_connection(database)?;
        migrate(&mut conn, migrations)?;
        let first = read(&conn)?;
        let readers = match database {
            Database::Memory => None,
            Database::File(_) => {
                let pool = (0..READERS)
                    .map(|_| open_connection(database))
                    .collect::<Result<Vec<_>, _>>()?;
                Some(Readers {
                    pool: Arc::new(Mutex::new(pool)),
                    permits: Arc::new(Semaphore::new(READERS)),
                })
            }
        };
        let (tx, rx) = mpsc::channel::<WriteJob>();
        thread::Builder::new()
            .name("supertokens-core-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| StoreError::Other(format!("cannot start the storage thread: {e}")))?;
        let store = Self {
            writer: tx,
            readers,
            database: database.clone(),
        };
        Ok((store, first))
    }

    /// Runs `f` in a write transaction. `f`'s changes commit (with others queued at the same
    /// time) if it returns `Ok`, and are rolled back if it returns `Err`.
    pub(crate) async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        let (done_tx, done_rx) = oneshot::channel::<Result<R, StoreError>>();
        let job: WriteJob = Box::new(move |tx: Result<&Transaction<'_>, &str>| {
            let result = match tx {
                Ok(tx) => run_in_savepoint(tx, f),
                Err(e) => Err(StoreError::Other(format!(
                    "cannot begin a transaction: {e}"
                ))),
            };
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
        let Some(readers) = self.readers.clone() else {
            // In memory: one connection, so reads queue with the writes.
            return self.write(move |tx| f(tx)).await;
        };
        // Held until the connection is back in the pool, so a permit always finds one.
        let permit = readers
            .permits
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Stopped)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = lock(&readers.pool).pop();
            let Some(conn) = conn else {
                return Err(StoreError::Other("no read connection".into()));
            };
            let result = catch_unwind(AssertUnwindSafe(|| f(&conn)))
                .unwrap_or_else(|_| Err(StoreError::Other("a read panicked".into())));
            lock(&readers.pool).push(conn);
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

/// The pool stays usable even if a thread panicked while holding the lock (the vector of
/// connections cannot be left half-updated by `push`/`pop`).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs one job inside its own savepoint, so a failing (or panicking) job is undone without
/// touching the other jobs of its group.
fn run_in_savepoint<R>(
    tx: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    // Cached statements: these run twice per write, so parsing them each time would show.
    let run = |sql: &str| -> rusqlite::Result<()> {
        tx.prepare_cached(sql)?.execute([])?;
        Ok(())
    };
    let undo = || run("ROLLBACK TO job").and_then(|()| run("RELEASE job"));
    run("SAVEPOINT job")?;
    let result = catch_unwind(AssertUnwindSafe(|| f(tx)))
        .unwrap_or_else(|_| Err(StoreError::Other("a write panicked".into())));
    let end = match &result {
        Ok(_) => run("RELEASE job"),
        Err(_) => undo(),
    };
    match end {
        Ok(()) => result,
        Err(e) => {
            // Leave nothing of this job behind, whatever state the savepoint is in.
            let _ = undo();
            Err(e.into())
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
        Err(e) => {
            // Nothing ran: each caller learns that its write did not happen.
            let cause = e.to_string();
            let finishers = batch.into_iter().map(|job| job(Err(&cause))).collect();
            return (Err(cause), finishers);
        }
    };
    let finishers: Vec<Finish> = batch.into_iter().map(|job| job(Ok(&tx))).collect();
    (tx.commit().map_err(|e| e.to_string()), finishers)
}

fn open_connection(database: &Database) -> Result<Connection, StoreError> {
    let conn = match database {
        Database::Memory => Connection::open_in_memory()?,
        // Its directory and file exist already, with their modes (`db_files::prepare`).
        Database::File(path) => {
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
    // Every component's statements stay prepared (the default cache of 16 would evict and
    // re-parse some on every sign-in).
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const SCHEMA: &[Migration] = &[
        Migration {
            component: "test",
            version: 1,
            sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
        },
        Migration {
            component: "test",
            version: 2,
            sql: "ALTER TABLE items ADD COLUMN note TEXT",
        },
    ];

    fn insert(
        store: &Arc<Store>,
        name: &'static str,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send + 'static {
        write(store, move |tx| {
            tx.execute("INSERT INTO items (name) VALUES (?1)", [name])?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// `Store::write` as a `'static` future, so it can be spawned.
    fn write<R: Send + 'static>(
        store: &Arc<Store>,
        f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError> + Send + 'static,
    ) -> impl Future<Output = Result<R, StoreError>> + Send + 'static {
        let store = store.clone();
        async move { store.write(f).await }
    }

    fn open(db: &Database) -> Arc<Store> {
        Arc::new(Store::open(db, SCHEMA).unwrap())
    }

    async fn names(store: &Store) -> Vec<String> {
        store
            .read(|conn| {
                let mut stmt = conn.prepare("SELECT name FROM items ORDER BY name")?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap()
    }

    fn file_db(dir: &tempfile::TempDir) -> Database {
        Database::File(dir.path().join("nested").join("core.db"))
    }

    #[tokio::test]
    async fn committed_writes_are_read_back_from_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&file_db(&dir));
        insert(&store, "a").await.unwrap();
        insert(&store, "b").await.unwrap();
        assert_eq!(names(&store).await, ["a", "b"]);
    }

    #[tokio::test]
    async fn a_failed_job_is_rolled_back_without_hurting_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&file_db(&dir));
        // Hold the writer so that the next jobs queue up and commit as one group.
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let blocker = write(&store, move |_| {
            started_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(200));
            Ok(())
        });
        let blocker = tokio::spawn(blocker);
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        let ok1 = tokio::spawn(insert(&store, "one"));
        let failing = tokio::spawn(write(&store, |tx| {
            tx.execute("INSERT INTO items (name) VALUES ('half-written')", [])?;
            Err::<(), _>(StoreError::Other("refused".into()))
        }));
        let duplicate = tokio::spawn(insert(&store, "one"));
        let panicking = tokio::spawn(write(&store, |tx| -> Result<(), StoreError> {
            tx.execute("INSERT INTO items (name) VALUES ('panicked')", [])?;
            panic!("job bug")
        }));
        let ok2 = tokio::spawn(insert(&store, "two"));
        blocker.await.unwrap().unwrap();
        assert!(ok1.await.unwrap().is_ok());
        assert!(matches!(failing.await.unwrap(), Err(StoreError::Other(m)) if m == "refused"));
        assert!(matches!(
            duplicate.await.unwrap(),
            Err(StoreError::Sqlite(_))
        ));
        assert!(panicking.await.unwrap().is_err());
        assert!(ok2.await.unwrap().is_ok());
        assert_eq!(names(&store).await, ["one", "two"]);
        // The writer survived the panic.
        insert(&store, "three").await.unwrap();
        assert_eq!(names(&store).await, ["one", "three", "two"]);
    }

    #[tokio::test]
    async fn writes_survive_a_reopen_and_migrations_run_once() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = open(&file_db(&dir));
            store
                .write(|tx| {
                    tx.execute("INSERT INTO items (name, note) VALUES ('kept', 'n')", [])?;
                    Ok(())
                })
                .await
                .unwrap();
        }
        let store = open(&file_db(&dir));
        assert_eq!(names(&store).await, ["kept"]);
        let applied: i64 = store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(applied, 2);
    }

    #[tokio::test]
    async fn more_concurrent_reads_than_connections_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&file_db(&dir));
        insert(&store, "x").await.unwrap();
        let reads = (0..READERS * 8).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .read(|c| {
                        std::thread::sleep(Duration::from_millis(5));
                        Ok(c.query_row("SELECT COUNT(*) FROM items", [], |r| r.get::<_, i64>(0))?)
                    })
                    .await
            })
        });
        for r in reads.collect::<Vec<_>>() {
            assert_eq!(r.await.unwrap().unwrap(), 1);
        }
    }

    #[tokio::test]
    async fn in_memory_mode_reads_its_own_writes_and_rolls_back_failures() {
        let store = open(&Database::Memory);
        insert(&store, "m").await.unwrap();
        let failed = store
            .write(|tx| {
                tx.execute("INSERT INTO items (name) VALUES ('gone')", [])?;
                Err::<(), _>(StoreError::Other("no".into()))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(names(&store).await, ["m"]);
    }

    #[tokio::test]
    async fn a_failing_migration_leaves_the_database_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let bad = [
            SCHEMA[0],
            Migration {
                component: "test",
                version: 2,
                sql: "THIS IS NOT SQL",
            },
        ];
        assert!(Store::open(&file_db(&dir), &bad).is_err());
        let store = open(&file_db(&dir));
        insert(&store, "after").await.unwrap();
        assert_eq!(names(&store).await, ["after"]);
    }
}
