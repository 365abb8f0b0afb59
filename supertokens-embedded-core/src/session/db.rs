//! Session rows in SQLite.

use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::{Map, Value};

use crate::store::{Migration, StoreError};

pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    component: "session",
    version: 1,
    sql: "
        CREATE TABLE session_info (
            app_id TEXT NOT NULL,
            session_handle TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            recipe_user_id TEXT NOT NULL,
            refresh_token_hash2 TEXT NOT NULL,
            session_data TEXT NOT NULL,
            jwt_user_payload TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            use_static_key INTEGER NOT NULL,
            PRIMARY KEY (app_id, session_handle)
        );
        CREATE INDEX session_info_by_user ON session_info (app_id, user_id);
        CREATE INDEX session_info_by_recipe_user ON session_info (app_id, recipe_user_id);
        CREATE INDEX session_info_by_expiry ON session_info (expires_at);
        CREATE TABLE session_signing_keys (
            app_id TEXT NOT NULL,
            kid TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('dynamic', 'static')),
            private_key BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (app_id, kid)
        );
        CREATE TABLE session_refresh_token_keys (
            app_id TEXT PRIMARY KEY,
            key BLOB NOT NULL
        );
    ",
}];

/// One session as stored.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SessionRow {
    pub(super) handle: String,
    pub(super) tenant_id: String,
    pub(super) user_id: String,
    pub(super) recipe_user_id: String,
    /// `sha256(sha256(refresh token))` of the current parent refresh token.
    pub(super) refresh_token_hash2: String,
    pub(super) session_data: Map<String, Value>,
    pub(super) jwt_payload: Map<String, Value>,
    /// Milliseconds since the epoch; the session is gone after this.
    pub(super) expires_at: i64,
    pub(super) created_at: i64,
    pub(super) use_static_key: bool,
}

const COLUMNS: &str = "session_handle, tenant_id, user_id, recipe_user_id, refresh_token_hash2, \
     session_data, jwt_user_payload, expires_at, created_at, use_static_key";

fn json(text: String) -> Result<Map<String, Value>, rusqlite::Error> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn text(map: &Map<String, Value>) -> String {
    Value::Object(map.clone()).to_string()
}

fn from_row(row: &Row<'_>) -> Result<SessionRow, rusqlite::Error> {
    Ok(SessionRow {
        handle: row.get(0)?,
        tenant_id: row.get(1)?,
        user_id: row.get(2)?,
        recipe_user_id: row.get(3)?,
        refresh_token_hash2: row.get(4)?,
        session_data: json(row.get(5)?)?,
        jwt_payload: json(row.get(6)?)?,
        expires_at: row.get(7)?,
        created_at: row.get(8)?,
        use_static_key: row.get(9)?,
    })
}

pub(super) fn insert(conn: &Connection, app: &str, s: &SessionRow) -> Result<(), StoreError> {
    conn.prepare_cached(&format!(
        "INSERT INTO session_info (app_id, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    ))?
    .execute(rusqlite::params![
        app,
        s.handle,
        s.tenant_id,
        s.user_id,
        s.recipe_user_id,
        s.refresh_token_hash2,
        text(&s.session_data),
        text(&s.jwt_payload),
        s.expires_at,
        s.created_at,
        s.use_static_key,
    ])?;
    Ok(())
}

/// The session with this handle, if it exists and has not expired at `now`.
pub(super) fn get(
    conn: &Connection,
    app: &str,
    handle: &str,
    now: i64,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM session_info
             WHERE app_id = ?1 AND session_handle = ?2 AND expires_at >= ?3"
        ))?
        .query_row(rusqlite::params![app, handle, now], from_row)
        .optional()?)
}

/// Replaces the refresh-token hash, expiry and key kind of a session.
pub(super) fn update_rotation(
    conn: &Connection,
    app: &str,
    handle: &str,
    refresh_token_hash2: &str,
    expires_at: i64,
    use_static_key: bool,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE session_info SET refresh_token_hash2 = ?3, expires_at = ?4, use_static_key = ?5
         WHERE app_id = ?1 AND session_handle = ?2",
    )?
    .execute(rusqlite::params![
        app,
        handle,
        refresh_token_hash2,
        expires_at,
        use_static_key
    ])?;
    Ok(())
}

/// A JSON column of `session_info` that the core replaces whole.
#[derive(Clone, Copy)]
pub(super) enum JsonColumn {
    /// The data kept in the core (`/recipe/session/data`).
    SessionData,
    /// The custom access-token claims (`/recipe/jwt/data`, regenerate).
    JwtPayload,
}

/// Replaces one JSON column of a session; `false` if no live session has this handle (in this
/// tenant, when one is given).
pub(super) fn update_json(
    conn: &Connection,
    app: &str,
    tenant: Option<&str>,
    handle: &str,
    column: JsonColumn,
    value: &Map<String, Value>,
    now: i64,
) -> Result<bool, StoreError> {
    let column = match column {
        JsonColumn::SessionData => "session_data",
        JsonColumn::JwtPayload => "jwt_user_payload",
    };
    let sql = format!(
        "UPDATE session_info SET {column} = ?3
         WHERE app_id = ?1 AND session_handle = ?2 AND expires_at >= ?4
           AND (?5 IS NULL OR tenant_id = ?5)"
    );
    Ok(conn.prepare_cached(&sql)?.execute(rusqlite::params![
        app,
        handle,
        text(value),
        now,
        tenant
    ])? == 1)
}

/// Deletes these sessions; returns the handles that existed.
pub(super) fn delete_handles(
    conn: &Connection,
    app: &str,
    handles: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut removed = Vec::new();
    let mut stmt =
        conn.prepare_cached("DELETE FROM session_info WHERE app_id = ?1 AND session_handle = ?2")?;
    for handle in handles {
        if stmt.execute((app, handle))? == 1 && !removed.contains(handle) {
            removed.push(handle.clone());
        }
    }
    Ok(removed)
}

/// Handles of a user's sessions (by primary or recipe user id), optionally in one tenant only.
pub(super) fn handles_of_user(
    conn: &Connection,
    app: &str,
    user_id: &str,
    tenant: Option<&str>,
    live_at: Option<i64>,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT session_handle FROM session_info
         WHERE app_id = ?1 AND (user_id = ?2 OR recipe_user_id = ?2)
           AND (?3 IS NULL OR tenant_id = ?3)
           AND (?4 IS NULL OR expires_at >= ?4)
         ORDER BY created_at, session_handle",
    )?;
    let handles = stmt
        .query_map(rusqlite::params![app, user_id, tenant, live_at], |row| {
            row.get(0)
        })?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(handles)
}

/// Deletes sessions that expired before `now` (of every app).
pub(super) fn delete_expired(conn: &Connection, now: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM session_info WHERE expires_at < ?1", [now])?)
}

/// Deletes every session of a user who has just been deleted (inside the same transaction).
pub(crate) fn remove_user_sessions(
    conn: &Connection,
    app_id: &str,
    user_id: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM session_info WHERE app_id = ?1 AND (user_id = ?2 OR recipe_user_id = ?2)",
    )?
    .execute((app_id, user_id))?;
    Ok(())
}
