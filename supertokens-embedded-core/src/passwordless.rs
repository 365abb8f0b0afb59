//! Passwordless: devices, codes and the `/<t>/recipe/signinup/...` endpoints.
//!
//! A *device* is one sign-in attempt for one e-mail or phone number; it holds one or more codes
//! (one per send or resend). The identifiers are the real core's:
//!
//! * `deviceId`: standard base64 (padded) of 32 random bytes. Never stored.
//! * `preAuthSessionId`: base64url (unpadded) of sha256(deviceId bytes): the device's key.
//! * `userInputCode`: 6 random digits, or the caller's own code.
//! * `linkCode`: base64url (unpadded) of HMAC-SHA256(key = deviceId bytes ‖ salt, userInputCode).
//!   Only sha256(linkCode) is stored, so a database leak reveals neither codes nor links.
//!
//! Rules (as the real core): a wrong code counts as a failed attempt, and so does a right code
//! that has expired (the device is kept, so a resend then works); the attempt that reaches
//! `max_code_input_attempts` deletes the device and answers `RESTART_FLOW_ERROR`. A wrong or
//! expired link code restarts the flow without counting. A successful consume deletes every
//! device of that e-mail or phone number and creates the user if there is none.
//!
//! **Code lifetime: 10 minutes by default** ([`EmbeddedCoreConfig::code_lifetime`]), stricter
//! than the real core's 15 minutes, following OWASP ASVS. Devices whose codes have all been
//! expired for a further code lifetime are deleted lazily (checked at most once a minute, on
//! code creation).
//!
//! [`EmbeddedCoreConfig::code_lifetime`]: crate::config::EmbeddedCoreConfig::code_lifetime

use std::sync::atomic::{AtomicI64, Ordering};

use aws_lc_rs::{digest, hmac, rand};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, PAD_INDIFFERENT, STANDARD, URL_SAFE_NO_PAD};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::http::{CoreHttpError, CoreJson, CoreQuery, Scope};
use super::users::{self, Contact};
use super::{CoreState, Migration, SharedState, StoreError};
use supertokens_cdi::{
    CheckCodeResponse, CodeInfo, ConsumeCodeRequest, ConsumeCodeResponse, ConsumedDevice,
    CreateCodeRequest, CreateCodeResponse, DeviceInfo, ListCodesResponse, OkResponse,
    RemoveCodeRequest, RemoveCodesRequest,
};

pub(super) const MIGRATIONS: &[Migration] = &[Migration {
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

/// In-memory passwordless state: when expired devices were last swept.
#[derive(Debug, Default)]
pub(crate) struct PasswordlessState {
    last_cleanup_ms: AtomicI64,
}

/// Lazy cleanup runs at most this often.
const CLEANUP_EVERY_MS: i64 = 60_000;

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/recipe/signinup/code", post(create_code))
        .route("/recipe/signinup/code/consume", post(consume_code))
        .route("/recipe/signinup/code/check", post(check_code))
        .route("/recipe/signinup/code/remove", post(remove_code))
        .route("/recipe/signinup/codes/remove", post(remove_codes))
        .route("/recipe/signinup/codes", get(list_codes))
}

// ---------------------------------------------------------------------------------------------
// Identifiers and codes

fn random<const N: usize>() -> Result<[u8; N], CoreHttpError> {
    let mut bytes = [0u8; N];
    rand::fill(&mut bytes).map_err(|_| CoreHttpError::internal("the system CSPRNG failed"))?;
    Ok(bytes)
}

/// Six uniformly random digits (rejection sampling, so no digit is more likely than another).
fn random_user_input_code() -> Result<String, CoreHttpError> {
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let n = u32::from_le_bytes(random::<4>()?);
        if n < LIMIT {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// The preAuthSessionId of a device id.
fn device_id_hash(device_id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, device_id))
}

fn link_code(device_id: &[u8], salt: &[u8], user_input_code: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(device_id.len() + salt.len());
    key.extend_from_slice(device_id);
    key.extend_from_slice(salt);
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
    hmac::sign(&key, user_input_code.as_bytes())
        .as_ref()
        .to_vec()
}

fn link_code_hash(link_code: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, link_code))
}

/// Decoders as lenient as the real core's: padding optional, unused trailing bits ignored.
const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    PAD_INDIFFERENT.with_decode_allow_trailing_bits(true),
);
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    PAD_INDIFFERENT.with_decode_allow_trailing_bits(true),
);

fn decode_device_id(device_id: &str) -> Result<Vec<u8>, CoreHttpError> {
    LENIENT_STANDARD
        .decode(device_id.trim())
        .map_err(|_| CoreHttpError::bad_request("Input encoding error in deviceId"))
}

fn decode_link_code(link_code: &str) -> Result<Vec<u8>, CoreHttpError> {
    LENIENT_URL_SAFE
        .decode(link_code.trim())
        .map_err(|_| CoreHttpError::bad_request("Input encoding error in linkCode"))
}

fn lifetime_ms(state: &CoreState) -> i64 {
    i64::try_from(state.config.code_lifetime.as_millis()).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------------
// Storage

#[derive(Debug, Clone)]
struct Device {
    hash: String,
    email: Option<String>,
    phone_number: Option<String>,
    salt: Vec<u8>,
    failed_attempts: u32,
}

impl Device {
    fn contact(&self) -> Contact {
        match (&self.email, &self.phone_number) {
            (Some(e), _) => Contact::Email(e.clone()),
            (None, Some(p)) => Contact::Phone(p.clone()),
            // Devices are always created with one of the two.
            (None, None) => Contact::Email(String::new()),
        }
    }

    fn consumed(&self) -> ConsumedDevice {
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

fn device_by_hash(
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

fn devices_by_contact(
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

fn delete_device(tx: &Connection, scope: &Scope, hash: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM passwordless_devices WHERE app_id = ?1 AND tenant_id = ?2 AND device_id_hash = ?3",
    )?
    .execute(params![scope.app_id, scope.tenant_id, hash])?;
    Ok(())
}

fn delete_devices_of(tx: &Connection, scope: &Scope, contact: &Contact) -> rusqlite::Result<()> {
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
fn code_by_link_hash(
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

fn set_failed_attempts(
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

fn insert_code(
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
    .execute(params![
        scope.app_id,
        scope.tenant_id,
        code_id,
        device_hash,
        link_hash,
        now_ms
    ])?;
    Ok(())
}

/// Deletes devices whose codes have all been expired for at least one more code lifetime.
fn sweep_expired_devices(
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

// ---------------------------------------------------------------------------------------------
// Handlers

/// What a create-code request is for.
enum Target {
    New(Contact),
    Existing(Vec<u8>),
}

async fn create_code(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<CreateCodeRequest>,
) -> Result<Json<CreateCodeResponse>, CoreHttpError> {
    // A new device for a contact, or a new code for an existing device (a resend).
    let target = match (&body.email, &body.phone_number, &body.device_id) {
        (Some(e), None, None) => Target::New(Contact::email(e)),
        (None, Some(p), None) => Target::New(Contact::phone(p)),
        (None, None, Some(d)) => Target::Existing(decode_device_id(d)?),
        _ => {
            return Err(CoreHttpError::bad_request(
                "Please provide exactly one of email, phoneNumber or deviceId",
            ));
        }
    };
    let custom_code = body.user_input_code.clone();
    if custom_code.as_deref().is_some_and(|c| c.is_empty()) {
        return Err(CoreHttpError::bad_request(
            "userInputCode cannot be an empty string",
        ));
    }
    // Randomness is drawn before the write so the writer thread only does storage work.
    let new_device = random::<32>()?;
    let new_salt = random::<32>()?;
    let generated: Vec<String> = (0..5)
        .map(|_| random_user_input_code())
        .collect::<Result<_, _>>()?;
    let lifetime = lifetime_ms(&state);
    let st = state.clone();
    let outcome = state
        .store
        .write(move |tx| {
            let now = st.clock.now_ms();
            sweep_expired_devices(&st, tx, now)?;
            let (device_id, salt, hash) = match &target {
                Target::Existing(device_id) => {
                    let hash = device_id_hash(device_id);
                    let Some(device) = device_by_hash(tx, &scope, &hash)? else {
                        return Ok(CreateCodeResponse::RestartFlow);
                    };
                    (device_id.clone(), device.salt, hash)
                }
                Target::New(contact) => {
                    let hash = device_id_hash(&new_device);
                    tx.prepare_cached(
                        "INSERT INTO passwordless_devices
                             (app_id, tenant_id, device_id_hash, email, phone_number, link_code_salt)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        scope.app_id,
                        scope.tenant_id,
                        hash,
                        contact.email_str(),
                        contact.phone_str(),
                        new_salt.as_slice()
                    ])?;
                    (new_device.to_vec(), new_salt.to_vec(), hash)
                }
            };
            let candidates: Vec<String> = match &custom_code {
                Some(code) => vec![code.clone()],
                None => generated,
            };
            for code in candidates {
                let link = link_code(&device_id, &salt, &code);
                let link_hash = link_code_hash(&link);
                if code_by_link_hash(tx, &scope, &link_hash)?.is_some() {
                    continue;
                }
                let code_id = uuid::Uuid::new_v4().to_string();
                insert_code(tx, &scope, &hash, &code_id, &link_hash, now)?;
                return Ok(CreateCodeResponse::Ok {
                    pre_auth_session_id: hash,
                    code_id,
                    device_id: STANDARD.encode(&device_id),
                    user_input_code: code,
                    link_code: URL_SAFE_NO_PAD.encode(&link),
                    time_created: now,
                    code_lifetime: lifetime,
                });
            }
            if custom_code.is_some() {
                return Ok(CreateCodeResponse::UserInputCodeAlreadyUsed);
            }
            // Five random codes all in use on one device: practically impossible.
            Err(StoreError::Other("could not generate an unused code".into()))
        })
        .await?;
    Ok(Json(outcome))
}

/// What the caller proved: a link code, or a device id with a typed code.
enum Proof {
    Link(Vec<u8>),
    Typed { device_id: Vec<u8>, code: String },
}

/// The outcome of checking a code, before consume/check shape it.
enum Checked {
    Valid(Device),
    Incorrect(u32),
    Expired(u32),
    Restart,
}

fn parse_proof(body: &ConsumeCodeRequest) -> Result<Proof, CoreHttpError> {
    const EXACTLY_ONE: &str = "Please provide exactly one of linkCode or deviceId+userInputCode";
    match (&body.link_code, &body.device_id, &body.user_input_code) {
        (Some(link), None, None) => Ok(Proof::Link(decode_link_code(link)?)),
        (None, Some(device_id), Some(code)) => {
            let device_id = decode_device_id(device_id)?;
            if device_id_hash(&device_id) != body.pre_auth_session_id.trim_end_matches('=') {
                return Err(CoreHttpError::bad_request(
                    "preAuthSessionId and deviceId doesn't match",
                ));
            }
            Ok(Proof::Typed {
                device_id,
                code: code.clone(),
            })
        }
        _ => Err(CoreHttpError::bad_request(EXACTLY_ONE)),
    }
}

/// Checks a code against the stored device, counting failed attempts. `Err` is a 400 found
/// before anything was written.
fn check(
    state: &CoreState,
    tx: &Transaction<'_>,
    scope: &Scope,
    pre_auth_session_id: &str,
    proof: &Proof,
    now: i64,
) -> Result<Result<Checked, CoreHttpError>, StoreError> {
    let max = state.config.max_code_input_attempts;
    let oldest_valid = now.saturating_sub(lifetime_ms(state));
    match proof {
        Proof::Link(link) => {
            let Some((_, created_at, hash)) = code_by_link_hash(tx, scope, &link_code_hash(link))?
            else {
                return Ok(Ok(Checked::Restart));
            };
            if hash != pre_auth_session_id.trim_end_matches('=') {
                return Ok(Err(CoreHttpError::bad_request(
                    "preAuthSessionId and deviceId doesn't match",
                )));
            }
            let Some(device) = device_by_hash(tx, scope, &hash)? else {
                return Ok(Ok(Checked::Restart));
            };
            if device.failed_attempts >= max {
                delete_device(tx, scope, &device.hash)?;
                return Ok(Ok(Checked::Restart));
            }
            if created_at < oldest_valid {
                return Ok(Ok(Checked::Restart));
            }
            Ok(Ok(Checked::Valid(device)))
        }
        Proof::Typed { device_id, code } => {
            let hash = device_id_hash(device_id);
            let Some(device) = device_by_hash(tx, scope, &hash)? else {
                return Ok(Ok(Checked::Restart));
            };
            if device.failed_attempts >= max {
                delete_device(tx, scope, &device.hash)?;
                return Ok(Ok(Checked::Restart));
            }
            let link_hash = link_code_hash(&link_code(device_id, &device.salt, code));
            let found = code_by_link_hash(tx, scope, &link_hash)?.filter(|(_, _, h)| *h == hash);
            match found {
                Some((_, created_at, _)) if created_at >= oldest_valid => {
                    Ok(Ok(Checked::Valid(device)))
                }
                found => {
                    let failed = device.failed_attempts + 1;
                    if failed >= max {
                        delete_device(tx, scope, &device.hash)?;
                        return Ok(Ok(Checked::Restart));
                    }
                    set_failed_attempts(tx, scope, &device.hash, failed)?;
                    Ok(Ok(if found.is_some() {
                        Checked::Expired(failed)
                    } else {
                        Checked::Incorrect(failed)
                    }))
                }
            }
        }
    }
}

/// The failures consume and check share, built into either answer type.
trait CodeFailure {
    fn restart() -> Self;
    fn incorrect(failed: u32, max: u32) -> Self;
    fn expired(failed: u32, max: u32) -> Self;
}

/// Both answer types spell the failures the same way.
macro_rules! code_failure {
    ($($answer:ty),*) => {$(
        impl CodeFailure for $answer {
            fn restart() -> Self {
                Self::RestartFlow
            }
            fn incorrect(failed_code_input_attempt_count: u32, maximum_code_input_attempts: u32) -> Self {
                Self::IncorrectUserInputCode {
                    failed_code_input_attempt_count,
                    maximum_code_input_attempts,
                }
            }
            fn expired(failed_code_input_attempt_count: u32, maximum_code_input_attempts: u32) -> Self {
                Self::ExpiredUserInputCode {
                    failed_code_input_attempt_count,
                    maximum_code_input_attempts,
                }
            }
        }
    )*};
}

code_failure!(ConsumeCodeResponse, CheckCodeResponse);

/// Checks the code of `body` in one write transaction; a valid code is handed to `on_valid`
/// (in the same transaction), a failure becomes `R`'s failure answer.
async fn run_check<R, F>(
    state: SharedState,
    scope: Scope,
    body: ConsumeCodeRequest,
    on_valid: F,
) -> Result<R, CoreHttpError>
where
    R: CodeFailure + Send + 'static,
    F: FnOnce(&Transaction<'_>, &Scope, Device, i64) -> Result<R, StoreError> + Send + 'static,
{
    let proof = parse_proof(&body)?;
    let max = state.config.max_code_input_attempts;
    let st = state.clone();
    let outcome = state
        .store
        .write(move |tx| {
            let now = st.clock.now_ms();
            let checked = match check(&st, tx, &scope, &body.pre_auth_session_id, &proof, now)? {
                Ok(checked) => checked,
                Err(bad) => return Ok(Err(bad)),
            };
            Ok(Ok(match checked {
                Checked::Restart => R::restart(),
                Checked::Incorrect(n) => R::incorrect(n, max),
                Checked::Expired(n) => R::expired(n, max),
                Checked::Valid(device) => on_valid(tx, &scope, device, now)?,
            }))
        })
        .await??;
    Ok(outcome)
}

async fn consume_code(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<ConsumeCodeRequest>,
) -> Result<Json<ConsumeCodeResponse>, CoreHttpError> {
    let outcome = run_check(state, scope, body, |tx, scope, device, now| {
        let contact = device.contact();
        delete_devices_of(tx, scope, &contact)?;
        let (user, created_new_user) =
            match users::user_by_contact(tx, &scope.app_id, &scope.tenant_id, &contact)? {
                Some(user) => (user, false),
                None => (
                    users::create_user(tx, &scope.app_id, &scope.tenant_id, &contact, now)?,
                    true,
                ),
            };
        Ok(ConsumeCodeResponse::Ok {
            created_new_user,
            recipe_user_id: user.id.clone(),
            user: user.to_user(),
            consumed_device: device.consumed(),
        })
    })
    .await?;
    Ok(Json(outcome))
}

async fn check_code(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<ConsumeCodeRequest>,
) -> Result<Json<CheckCodeResponse>, CoreHttpError> {
    let outcome = run_check(state, scope, body, |_, _, device, _| {
        Ok(CheckCodeResponse::Ok {
            consumed_device: device.consumed(),
        })
    })
    .await?;
    Ok(Json(outcome))
}

async fn remove_code(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<RemoveCodeRequest>,
) -> Result<Json<OkResponse>, CoreHttpError> {
    match (body.code_id, body.pre_auth_session_id) {
        (Some(code_id), None) => {
            state
                .store
                .write(move |tx| {
                    let device: Option<String> = tx
                        .prepare_cached(
                            "SELECT device_id_hash FROM passwordless_codes
                             WHERE app_id = ?1 AND tenant_id = ?2 AND code_id = ?3",
                        )?
                        .query_row(params![scope.app_id, scope.tenant_id, code_id], |r| r.get(0))
                        .optional()?;
                    let Some(device) = device else { return Ok(()) };
                    tx.prepare_cached(
                        "DELETE FROM passwordless_codes WHERE app_id = ?1 AND tenant_id = ?2 AND code_id = ?3",
                    )?
                    .execute(params![scope.app_id, scope.tenant_id, code_id])?;
                    // A device without codes can never be consumed: remove it too.
                    tx.prepare_cached(
                        "DELETE FROM passwordless_devices AS d
                         WHERE app_id = ?1 AND tenant_id = ?2 AND device_id_hash = ?3
                           AND NOT EXISTS (SELECT 1 FROM passwordless_codes AS c
                                           WHERE c.app_id = d.app_id AND c.tenant_id = d.tenant_id
                                             AND c.device_id_hash = d.device_id_hash)",
                    )?
                    .execute(params![scope.app_id, scope.tenant_id, device])?;
                    Ok(())
                })
                .await?;
        }
        (None, Some(pre_auth_session_id)) => {
            let hash = pre_auth_session_id.trim_end_matches('=').to_owned();
            state
                .store
                .write(move |tx| Ok(delete_device(tx, &scope, &hash)?))
                .await?;
        }
        _ => {
            return Err(CoreHttpError::bad_request(
                "Please provide exactly one of codeId or preAuthSessionId",
            ));
        }
    }
    Ok(Json(OkResponse::Ok))
}

async fn remove_codes(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<RemoveCodesRequest>,
) -> Result<Json<OkResponse>, CoreHttpError> {
    let contact = match (&body.email, &body.phone_number) {
        (Some(e), None) => Contact::email(e),
        (None, Some(p)) => Contact::phone(p),
        _ => {
            return Err(CoreHttpError::bad_request(
                "Please provide exactly one of email or phoneNumber",
            ));
        }
    };
    state
        .store
        .write(move |tx| Ok(delete_devices_of(tx, &scope, &contact)?))
        .await?;
    Ok(Json(OkResponse::Ok))
}

/// Which devices to list.
enum DeviceKey {
    Contact(Contact),
    Hash(String),
}

async fn list_codes(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<ListCodesResponse>, CoreHttpError> {
    let keys = [
        query.get("email"),
        query.get("phoneNumber"),
        query.get("deviceId"),
        query.get("preAuthSessionId"),
    ];
    let key = match keys {
        [Some(e), None, None, None] => DeviceKey::Contact(Contact::email(e)),
        [None, Some(p), None, None] => DeviceKey::Contact(Contact::phone(p)),
        [None, None, Some(d), None] => DeviceKey::Hash(device_id_hash(&decode_device_id(d)?)),
        [None, None, None, Some(h)] => DeviceKey::Hash(h.trim_end_matches('=').to_owned()),
        _ => {
            return Err(CoreHttpError::bad_request(
                "Please provide exactly one of email, phoneNumber, deviceId or preAuthSessionId",
            ));
        }
    };
    let lifetime = lifetime_ms(&state);
    let devices = state
        .store
        .read(move |conn| {
            let devices = match &key {
                DeviceKey::Contact(contact) => devices_by_contact(conn, &scope, contact)?,
                DeviceKey::Hash(hash) => device_by_hash(conn, &scope, hash)?.into_iter().collect(),
            };
            let mut stmt = conn.prepare_cached(
                "SELECT code_id, created_at FROM passwordless_codes
                 WHERE app_id = ?1 AND tenant_id = ?2 AND device_id_hash = ?3
                 ORDER BY created_at, code_id",
            )?;
            let mut listed = Vec::with_capacity(devices.len());
            for device in devices {
                let codes = stmt
                    .query_map(params![scope.app_id, scope.tenant_id, device.hash], |r| {
                        Ok(CodeInfo {
                            code_id: r.get(0)?,
                            time_created: r.get(1)?,
                            code_lifetime: lifetime,
                        })
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                listed.push(DeviceInfo {
                    pre_auth_session_id: device.hash,
                    failed_code_input_attempt_count: device.failed_attempts,
                    email: device.email,
                    phone_number: device.phone_number,
                    codes,
                });
            }
            Ok(listed)
        })
        .await?;
    Ok(Json(ListCodesResponse::Ok { devices }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_auth_session_id_matches_a_real_core_pair() {
        // deviceId and preAuthSessionId returned together by a SuperTokens Core 10.1.4.
        let device_id = decode_device_id("GzdKblivqYuM+XLRquuxCR2T4sWZtbSwoCroINH9oQ8=").unwrap();
        assert_eq!(
            device_id_hash(&device_id),
            "sTNCDJ0p7cIz9Wi9fnSOkkMyq1Z1AXR-Omd21o_uzVw"
        );
        // Padding is optional on input.
        let unpadded = decode_device_id("GzdKblivqYuM+XLRquuxCR2T4sWZtbSwoCroINH9oQ8").unwrap();
        assert_eq!(unpadded, device_id);
    }

    #[test]
    fn link_codes_are_hmacs_of_the_code_keyed_by_device_and_salt() {
        let device = [7u8; 32];
        let salt = [9u8; 32];
        let link = link_code(&device, &salt, "123456");
        assert_eq!(link.len(), 32);
        assert_eq!(URL_SAFE_NO_PAD.encode(&link).len(), 43);
        assert_eq!(link, link_code(&device, &salt, "123456"));
        assert_ne!(link, link_code(&device, &salt, "123457"));
        assert_ne!(link, link_code(&device, &[8u8; 32], "123456"));
        assert_ne!(link, link_code(&[6u8; 32], &salt, "123456"));
        // HMAC-SHA256 with key = device ‖ salt, computed independently.
        let mut key = device.to_vec();
        key.extend_from_slice(&salt);
        let expected = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), b"123456");
        assert_eq!(link, expected.as_ref());
        // Only the hash is stored, and it is not the link code itself.
        let stored = link_code_hash(&link);
        assert_ne!(stored, URL_SAFE_NO_PAD.encode(&link));
        let decoded = decode_link_code(&format!("{}=", URL_SAFE_NO_PAD.encode(&link))).unwrap();
        assert_eq!(link_code_hash(&decoded), stored);
    }

    #[test]
    fn user_input_codes_are_six_uniform_digits() {
        let mut seen = [[false; 10]; 6];
        for _ in 0..2000 {
            let code = random_user_input_code().unwrap();
            assert_eq!(code.len(), 6);
            for (pos, c) in code.chars().enumerate() {
                let d = c.to_digit(10).expect("a digit") as usize;
                seen[pos][d] = true;
            }
        }
        assert!(seen.iter().all(|p| p.iter().all(|d| *d)), "{seen:?}");
    }

    #[test]
    fn malformed_identifiers_are_bad_requests() {
        assert_eq!(decode_device_id("%%%").unwrap_err().status, 400);
        assert_eq!(decode_link_code("not base64!").unwrap_err().status, 400);
    }
}
