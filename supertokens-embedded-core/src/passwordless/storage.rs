//! Devices and codes in SQLite, and the lazy sweep of expired devices.

use std::sync::atomic::Ordering;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use supertokens_cdi::ConsumedDevice;

use crate::http::Scope;
use crate::state::CoreState;
use crate::store::{Migration, StoreError};
use crate::users::Contact;

pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    component: "passwordless",
    version: 1,
    sql: "CREATE TABLE passwordless_devices (
              app_id TEXT NOT NULL,
              tenant_id TEXT NOT NULL,
              device_id_hash TEXT NOT NULL,
              email TEXT,
              phone_number TEXT,
              link_code_salt BLOB NOT NULL,
              failed_attempts INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (app_id, tenant_id, device_id_hash)
          );
          CREATE INDEX passwordless_devices_email
              ON passwordless_devices (app_id, tenant_id, email);
          CREATE INDEX passwordless_devices_phone
              ON passwordless_devices (app_id, tenant_id, phone_number);
          CREATE TABLE passwordless_codes (
              app_id TEXT NOT NULL,
              tenant_id TEXT NOT NULL,
              code_id TEXT NOT NULL,
              device_id_hash TEXT NOT NULL,
              link_code_hash TEXT NOT NULL,
              created_at INTEGER NOT NULL,
              PRIMARY KEY (app_id, tenant_id, code_id),
              FOREIGN KEY (app_id, tenant_id, device_id_hash)
                  REFERENCES passwordless_devices (app_id, tenant_id, device_id_hash)
                  ON DELETE CASCADE
          );
          CREATE UNIQUE INDEX passwordless_codes_link
              ON passwordless_codes (app_id, tenant_id, link_code_hash);
          CREATE INDEX passwordless_codes_device
              ON passwordless_codes (app_id, tenant_id, device_id_hash);",
}];

/// Lazy cleanup runs at most this often.
const CLEANUP_EVERY_MS: i64 = 60_000;

pub(super) fn lifetime_ms(state: &CoreState) -> i64 {
    i64::try_from(state.config.code_lifetime.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone)]
pub(super) struct Device {
    pub(super) hash: String,
    pub(super) email: Option<String>,
    pub(super) phone_number: Option<String>,
    pub(super) salt: Vec<u8>,
    pub(super) failed_attempts: u32,
}

impl Device {
    pub(super) fn contact(&self) -> Contact {
        match (&self.email, &self.phone_number) {
            (Some(e), _) => Contact::Email(e.clone()),
            (None, Some(p)) => Contact::Phone(p.clone()),
            // Devices are always created with one of the two.
            (None, None) => Contact::Email(String::new()),
        }
    }

    pub(super) fn consumed(&self) -> ConsumedDevice {
        ConsumedDevice {
            pre_auth_session_id: self.hash.clone(),
            failed_code_input_attempt_count: self.failed_attempts,
            email: self.email.clone(),
            phone_number: self.phone_number.clone(),
        }
    }
}

const DEVICE_COLUMNS: &str = "device_id_hash, email, phone_number, link_code_salt, failed_attempts";

fn device_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        hash: row.get(0)?,
        email: row.get(1)?,
        phone_number: row.get(2)?,
        salt: row.get(3)?,
        failed_attempts: row.get(4)?,
    })
}

pub(super) fn device_by_hash(
    conn: &Connection,
    scope: &Scope,
    hash: &str,
) -> rusqlite::Result<Option<Device>> {
    conn.prepare_cached(&format!(
        "SELECT {DEVICE_COLUMNS} FROM passwordless_devices
         WHERE app_id = ?1 AND tenant_id = ?2 AND device_id_hash = ?3"
    ))?
    .query_row(
        params![scope.app_id, scope.tenant_id, hash],
        device_from_row,
    )
    .optional()
}

pub(super) fn devices_by_contact(
    conn: &Connection,
    scope: &Scope,
    contact: &Contact,
) -> rusqlite::Result<Vec<Device>> {
    let (column, value) = match contact {
        Contact::Email(e) => ("email", e),
        Contact::Phone(p) => ("phone_number", p),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DEVICE_COLUMNS} FROM passwordless_devices
         WHERE app_id = ?1 AND tenant_id = ?2 AND {column} = ?3 ORDER BY device_id_hash"
    ))?;
    let rows = stmt.query_map(
        params![scope.app_id, scope.tenant_id, value],
        device_from_row,
    )?;
    rows.collect()
}

pub(super) fn delete_device(tx: &Connection, scope: &Scope, hash: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM passwordless_devices WHERE app_id = ?1 AND tenant_id = ?2 AND device_id_hash = ?3",
    )?
    .execute(params![scope.app_id, scope.tenant_id, hash])?;
    Ok(())
}

pub(super) fn delete_devices_of(
    tx: &Connection,
    scope: &Scope,
    contact: &Contact,
) -> rusqlite::Result<()> {
    let (column, value) = match contact {
        Contact::Email(e) => ("email", e),
        Contact::Phone(p) => ("phone_number", p),
    };
    tx.prepare_cached(&format!(
        "DELETE FROM passwordless_devices WHERE app_id = ?1 AND tenant_id = ?2 AND {column} = ?3"
    ))?
    .execute(params![scope.app_id, scope.tenant_id, value])?;
    Ok(())
}

/// The code of `device` whose link code hashes to `hash`: (code id, created at).
pub(super) fn code_by_link_hash(
    conn: &Connection,
    scope: &Scope,
    hash: &str,
) -> rusqlite::Result<Option<(String, i64, String)>> {
    conn.prepare_cached(
        "SELECT code_id, created_at, device_id_hash FROM passwordless_codes
         WHERE app_id = ?1 AND tenant_id = ?2 AND link_code_hash = ?3",
    )?
    .query_row(params![scope.app_id, scope.tenant_id, hash], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()
}

pub(super) fn set_failed_attempts(
    tx: &Connection,
    scope: &Scope,
    hash: &str,
    count: u32,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE passwordless_devices SET failed_attempts = ?4
         WHERE app_id = ?1 AND tenant_id = ?2 AND device_id_hash = ?3",
    )?
    .execute(params![scope.app_id, scope.tenant_id, hash, count])?;
    Ok(())
}

pub(super) fn insert_code(
    tx: &Connection,
    scope: &Scope,
    device_hash: &str,
    code_id: &str,
    link_hash: &str,
    now_ms: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO passwordless_codes
             (app_id, tenant_id, code_id, device_id_hash, link_code_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        &scope.app_id,
        &scope.tenant_id,
        code_id,
        device_hash,
        link_hash,
        now_ms,
    ))?;
    Ok(())
}

/// Deletes devices whose codes have all been expired for at least one more code lifetime.
pub(super) fn sweep_expired_devices(
    state: &CoreState,
    tx: &Transaction<'_>,
    now_ms: i64,
) -> Result<(), StoreError> {
    let last = state.passwordless.last_cleanup_ms.load(Ordering::Relaxed);
    if now_ms - last < CLEANUP_EVERY_MS {
        return Ok(());
    }
    state
        .passwordless
        .last_cleanup_ms
        .store(now_ms, Ordering::Relaxed);
    let cutoff = now_ms.saturating_sub(lifetime_ms(state).saturating_mul(2));
    tx.prepare_cached(
        "DELETE FROM passwordless_devices AS d WHERE NOT EXISTS (
             SELECT 1 FROM passwordless_codes AS c
             WHERE c.app_id = d.app_id AND c.tenant_id = d.tenant_id
               AND c.device_id_hash = d.device_id_hash AND c.created_at >= ?1)",
    )?
    .execute([cutoff])?;
    Ok(())
}
