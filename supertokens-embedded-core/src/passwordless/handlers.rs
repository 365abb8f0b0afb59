//! The `/<t>/recipe/signinup/...` endpoints: create, consume, check, remove and list codes.

use axum::Json;
use axum::extract::State;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rusqlite::{OptionalExtension, Transaction, params};
use supertokens_cdi::{
    CheckCodeResponse, CodeInfo, ConsumeCodeRequest, ConsumeCodeResponse, CreateCodeRequest,
    CreateCodeResponse, DeviceInfo, ListCodesResponse, OkResponse, RemoveCodeRequest,
    RemoveCodesRequest,
};

use super::codes::{
    decode_device_id, decode_link_code, device_id_hash, link_code, link_code_hash, random,
    random_user_input_code,
};
use super::storage::{
    Device, code_by_link_hash, delete_device, delete_devices_of, device_by_hash,
    devices_by_contact, insert_code, lifetime_ms, set_failed_attempts, sweep_expired_devices,
};
use crate::http::{CoreHttpError, CoreJson, CoreQuery, Scope};
use crate::state::{CoreState, SharedState};
use crate::store::StoreError;
use crate::users::{self, Contact};

/// What a create-code request is for.
enum Target {
    New(Contact),
    Existing(Vec<u8>),
}

pub(super) async fn create_code(
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

pub(super) async fn consume_code(
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

pub(super) async fn check_code(
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

pub(super) async fn remove_code(
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

pub(super) async fn remove_codes(
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

pub(super) async fn list_codes(
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
