//! The database's files on disk. They hold the RSA signing keys and the AES key that seals refresh
//! tokens, so on Unix only their owner may read them: a directory the core creates is `0700`, the
//! database file and its `-wal` and `-shm` companions are `0600`.
//!
//! The database file is created here, with its mode, before SQLite opens it: it is never readable
//! by others, not even for a moment. SQLite creates `-wal` and `-shm` with the permissions of the
//! database file. Files that already exist with a looser mode (made by an older version, or copied
//! under a permissive umask) are tightened to `0600`, with a warning naming them: nobody but the
//! core's own user has a reason to read them. A directory that already exists is left as it is:
//! it may be the working directory, or a shared one such as `/tmp`.

use std::path::{Path, PathBuf};

use crate::store::StoreError;

/// Creates the database's directory and file if missing, tightens the modes of existing files,
/// and returns the database's absolute path.
pub(crate) fn prepare(path: &Path) -> Result<PathBuf, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        platform::create_dir(dir)
            .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", dir.display())))?;
    }
    platform::create_file(path)
        .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", path.display())))?;
    for file in [
        path.to_owned(),
        companion(path, "-wal"),
        companion(path, "-shm"),
    ] {
        platform::tighten(&file);
    }
    Ok(std::path::absolute(path).unwrap_or_else(|_| path.to_owned()))
}

/// `<path><suffix>`: where SQLite keeps the write-ahead log (`-wal`) and its index (`-shm`).
fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(unix)]
mod platform {
    use std::fs;
    use std::io::{self, ErrorKind};
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    const DIR_MODE: u32 = 0o700;
    const FILE_MODE: u32 = 0o600;

    pub(super) fn create_dir(dir: &Path) -> io::Result<()> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(dir)
    }

    pub(super) fn create_file(path: &Path) -> io::Result<()> {
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(path)
        {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Makes `file`, if it exists, readable and writable by its owner only.
    pub(super) fn tighten(file: &Path) {
        let Ok(metadata) = fs::metadata(file) else {
            return;
        };
        let mode = metadata.permissions().mode() & 0o777;
        if mode & !FILE_MODE == 0 {
            return;
        }
        let path = file.display();
        match fs::set_permissions(file, fs::Permissions::from_mode(FILE_MODE)) {
            Ok(()) => tracing::warn!(
                %path,
                was = format_args!("{mode:o}"),
                "the embedded core's database file was readable by others; its mode is now 600"
            ),
            Err(error) => tracing::warn!(
                %path,
                mode = format_args!("{mode:o}"),
                %error,
                "the embedded core's database file is readable by others and its mode cannot be \
                 changed; run `chmod 600` on it"
            ),
        }
    }
}

#[cfg(not(unix))]
mod platform {
    use std::io;
    use std::path::Path;

    pub(super) fn create_dir(dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }

    pub(super) fn create_file(_path: &Path) -> io::Result<()> {
        Ok(())
    }

    pub(super) fn tighten(_file: &Path) {}
}

#[cfg(all(test, unix))]
mod tests {
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::config::Database;
    use crate::store::Store;

    /// The permission bits, in octal.
    fn mode(path: &Path) -> String {
        let metadata = fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        format!("{:o}", metadata.permissions().mode() & 0o777)
    }

    fn set_mode(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Opens the store on `path` and commits a write, so SQLite has made `-wal` and `-shm`.
    async fn open_and_write(path: &Path) -> Store {
        let store = Store::open(&Database::File(path.to_owned()), &[]).unwrap();
        store
            .write(|tx| Ok(tx.execute_batch("CREATE TABLE t (x INTEGER)")?))
            .await
            .unwrap();
        store
    }

    #[tokio::test]
    async fn a_new_database_is_readable_by_its_owner_only() {
        let root = tempfile::tempdir().unwrap();
        // A directory that exists already keeps its mode.
        let shared = root.path().join("shared");
        fs::create_dir(&shared).unwrap();
        set_mode(&shared, 0o755);
        let db = shared.join("new").join("nested").join("core.db");
        // Kept open: SQLite removes `-wal` and `-shm` when the last connection closes.
        let _store = open_and_write(&db).await;
        assert_eq!(mode(&shared), "755");
        assert_eq!(mode(&shared.join("new")), "700");
        assert_eq!(mode(&shared.join("new").join("nested")), "700");
        for file in [db.clone(), companion(&db, "-wal"), companion(&db, "-shm")] {
            assert_eq!(mode(&file), "600", "{}", file.display());
        }
    }

    #[tokio::test]
    async fn existing_files_readable_by_others_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("core.db");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (7)")
            .unwrap();
        drop(conn);
        set_mode(&db, 0o644);
        // Left behind by a crash, with a loose mode.
        for suffix in ["-wal", "-shm"] {
            let file = companion(&db, suffix);
            fs::write(&file, b"").unwrap();
            set_mode(&file, 0o664);
        }
        let store = open_and_write(&db).await;
        for file in [db.clone(), companion(&db, "-wal"), companion(&db, "-shm")] {
            assert_eq!(mode(&file), "600", "{}", file.display());
        }
        let kept: i64 = store
            .read(|c| Ok(c.query_row("SELECT x FROM kept", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(kept, 7);
    }
}
