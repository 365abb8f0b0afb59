//! Users: storage of passwordless users and the user endpoints (`/user/id`,
//! `/<t>/users/by-accountinfo`, `/recipe/user`, `/user/remove`, `/users/count`) and
//! `/<t>/recipe/multitenancy/tenant/v2`.
//!
//! A user here has exactly one login method, `passwordless`, in one tenant; there is no account
//! linking, so `isPrimaryUser` is always false and the user id is the recipe user id. E-mails are
//! kept trimmed and lowercased, phone numbers in E.164 when they parse, and both are unique per
//! tenant.
//!
//! `GET`/`PUT /recipe/user` answer with passwordless semantics whatever the `rid` header says
//! (the real core would hand a request without `rid: passwordless` to the e-mail/password recipe,
//! which this core does not have).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Deserialize;
use supertokens_cdi::{
    GetUserResponse, LoginMethod, OkResponse, RecipeUserResponse, TenantResponse,
    UpdateUserResponse, User, UsersByAccountInfoResponse, WebauthnInfo, double_option,
};

use crate::http::{CoreHttpError, CoreJson, CoreQuery, Scope, require_public_tenant};
use crate::session::db::remove_user_sessions;
use crate::state::SharedState;
use crate::store::{Migration, StoreError};

pub(super) const MIGRATIONS: &[Migration] = &[Migration {
    component: "users",
    version: 1,
    sql: "CREATE TABLE passwordless_users (
              app_id TEXT NOT NULL,
              user_id TEXT NOT NULL,
              tenant_id TEXT NOT NULL,
              email TEXT,
              phone_number TEXT,
              time_joined INTEGER NOT NULL,
              PRIMARY KEY (app_id, user_id)
          );
          CREATE UNIQUE INDEX passwordless_users_email
              ON passwordless_users (app_id, tenant_id, email) WHERE email IS NOT NULL;
          CREATE UNIQUE INDEX passwordless_users_phone
              ON passwordless_users (app_id, tenant_id, phone_number) WHERE phone_number IS NOT NULL;",
}];

/// Recipe ids the real core knows; only `passwordless` has users here.
const KNOWN_RECIPES: &[&str] = &["emailpassword", "thirdparty", "passwordless", "webauthn"];

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/user/id", get(get_user_by_id))
        .route("/users/by-accountinfo", get(users_by_account_info))
        .route("/recipe/user", get(get_recipe_user).put(update_user))
        .route("/user/remove", post(remove_user))
        .route("/users/count", get(count_users))
        .route("/recipe/multitenancy/tenant/v2", get(get_tenant))
}

/// How a passwordless user is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Contact {
    Email(String),
    Phone(String),
}

impl Contact {
    /// The contact as the core stores it: e-mail trimmed and lowercased, phone in E.164.
    pub(super) fn email(raw: &str) -> Self {
        Contact::Email(normalise_email(raw))
    }

    /// See [`Contact::email`].
    pub(super) fn phone(raw: &str) -> Self {
        Contact::Phone(normalise_phone(raw))
    }

    pub(super) fn email_str(&self) -> Option<&str> {
        match self {
            Contact::Email(e) => Some(e),
            Contact::Phone(_) => None,
        }
    }

    pub(super) fn phone_str(&self) -> Option<&str> {
        match self {
            Contact::Phone(p) => Some(p),
            Contact::Email(_) => None,
        }
    }
}

pub(super) fn normalise_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// E.164 when the number parses without a region (it starts with `+`), else only trimmed: like
/// the real core, this one does not reject numbers (the SDK validates them).
pub(super) fn normalise_phone(raw: &str) -> String {
    let trimmed = raw.trim();
    match phonenumber::parse(None, trimmed) {
        Ok(number) => number.format().mode(phonenumber::Mode::E164).to_string(),
        Err(_) => trimmed.to_owned(),
    }
}

/// One stored user.
#[derive(Debug, Clone)]
pub(super) struct UserRow {
    pub(super) id: String,
    pub(super) tenant_id: String,
    pub(super) email: Option<String>,
    pub(super) phone_number: Option<String>,
    pub(super) time_joined: i64,
}

const USER_COLUMNS: &str = "user_id, tenant_id, email, phone_number, time_joined";

impl UserRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            tenant_id: row.get(1)?,
            email: row.get(2)?,
            phone_number: row.get(3)?,
            time_joined: row.get(4)?,
        })
    }

    /// The user JSON of the CDI.
    pub(super) fn to_user(&self) -> User {
        let tenant_ids = vec![self.tenant_id.clone()];
        User {
            id: self.id.clone(),
            is_primary_user: false,
            tenant_ids: tenant_ids.clone(),
            emails: self.email.iter().cloned().collect(),
            phone_numbers: self.phone_number.iter().cloned().collect(),
            third_party: Vec::new(),
            webauthn: WebauthnInfo::default(),
            login_methods: vec![LoginMethod {
                recipe_id: "passwordless".into(),
                recipe_user_id: self.id.clone(),
                tenant_ids,
                email: self.email.clone(),
                phone_number: self.phone_number.clone(),
                time_joined: self.time_joined,
                verified: true,
            }],
            time_joined: self.time_joined,
        }
    }
}

pub(super) fn user_by_id(
    conn: &Connection,
    app_id: &str,
    user_id: &str,
) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM passwordless_users WHERE app_id = ?1 AND user_id = ?2"
    ))?
    .query_row(params![app_id, user_id], UserRow::from_row)
    .optional()
}

pub(super) fn user_by_contact(
    conn: &Connection,
    app_id: &str,
    tenant_id: &str,
    contact: &Contact,
) -> rusqlite::Result<Option<UserRow>> {
    let (column, value) = match contact {
        Contact::Email(e) => ("email", e),
        Contact::Phone(p) => ("phone_number", p),
    };
    conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM passwordless_users
         WHERE app_id = ?1 AND tenant_id = ?2 AND {column} = ?3"
    ))?
    .query_row(params![app_id, tenant_id, value], UserRow::from_row)
    .optional()
}

/// Stores a new user (the caller checked that none has this contact in the tenant).
pub(super) fn create_user(
    conn: &Connection,
    app_id: &str,
    tenant_id: &str,
    contact: &Contact,
    now_ms: i64,
) -> rusqlite::Result<UserRow> {
    let row = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: tenant_id.to_owned(),
        email: contact.email_str().map(str::to_owned),
        phone_number: contact.phone_str().map(str::to_owned),
        time_joined: now_ms,
    };
    conn.prepare_cached(
        "INSERT INTO passwordless_users (app_id, user_id, tenant_id, email, phone_number, time_joined)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        app_id,
        row.id,
        row.tenant_id,
        row.email,
        row.phone_number,
        row.time_joined
    ])?;
    Ok(row)
}

async fn get_user_by_id(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<GetUserResponse>, CoreHttpError> {
    require_public_tenant(&scope)?;
    let user_id = query.require("userId")?.to_owned();
    let app = scope.app_id;
    let found = state
        .store
        .read(move |conn| Ok(user_by_id(conn, &app, &user_id)?))
        .await?;
    Ok(Json(match found {
        Some(row) => GetUserResponse::Ok {
            user: row.to_user(),
        },
        None => GetUserResponse::UnknownUserId,
    }))
}

async fn users_by_account_info(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<UsersByAccountInfoResponse>, CoreHttpError> {
    let union = query.bool("doUnionOfAccountInfo")?.ok_or_else(|| {
        CoreHttpError::bad_request("Field name 'doUnionOfAccountInfo' is missing in GET request")
    })?;
    let email = query.get("email").map(normalise_email);
    let phone = query.get("phoneNumber").map(normalise_phone);
    let users = state
        .store
        .read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM passwordless_users
                 WHERE app_id = ?1 AND tenant_id = ?2
                   AND (CASE WHEN ?5 THEN (email = ?3 OR phone_number = ?4)
                             ELSE ((?3 IS NULL OR email = ?3) AND (?4 IS NULL OR phone_number = ?4))
                        END)
                   AND (?3 IS NOT NULL OR ?4 IS NOT NULL)
                 ORDER BY time_joined, user_id"
            ))?;
            let rows = stmt.query_map(
                params![scope.app_id, scope.tenant_id, email, phone, union],
                UserRow::from_row,
            )?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(Json(UsersByAccountInfoResponse::Ok {
        users: users.iter().map(UserRow::to_user).collect(),
    }))
}

/// How `GET /recipe/user` finds its user.
enum Lookup {
    Id(String),
    Contact(Contact),
}

async fn get_recipe_user(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<RecipeUserResponse>, CoreHttpError> {
    let key = match (
        query.get("userId"),
        query.get("email"),
        query.get("phoneNumber"),
    ) {
        (Some(id), None, None) => {
            require_public_tenant(&scope)?;
            Lookup::Id(id.to_owned())
        }
        (None, Some(e), None) => Lookup::Contact(Contact::email(e)),
        (None, None, Some(p)) => Lookup::Contact(Contact::phone(p)),
        _ => {
            return Err(CoreHttpError::bad_request(
                "Please provide exactly one of userId, email or phoneNumber",
            ));
        }
    };
    let response = state
        .store
        .read(move |conn| {
            Ok(match key {
                Lookup::Id(id) => match user_by_id(conn, &scope.app_id, &id)? {
                    Some(row) => RecipeUserResponse::Ok {
                        user: row.to_user(),
                    },
                    None => RecipeUserResponse::UnknownUserId,
                },
                Lookup::Contact(contact) => {
                    match user_by_contact(conn, &scope.app_id, &scope.tenant_id, &contact)? {
                        Some(row) => RecipeUserResponse::Ok {
                            user: row.to_user(),
                        },
                        None if contact.email_str().is_some() => RecipeUserResponse::UnknownEmail,
                        None => RecipeUserResponse::UnknownPhoneNumber,
                    }
                }
            })
        })
        .await?;
    Ok(Json(response))
}

/// `PUT /recipe/user`: `recipeUserId` (or `userId` before CDI 4.0); an absent contact is kept,
/// `null` clears it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateUserBody {
    #[serde(default)]
    recipe_user_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default, with = "double_option")]
    email: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    phone_number: Option<Option<String>>,
}

/// Why an update was refused inside its transaction (rolled back, then answered).
enum UpdateRefusal {
    Status(UpdateUserResponse),
    BadRequest(&'static str),
}

const CLEAR_BOTH: &str = "You cannot clear both email and phone number of a user";

async fn update_user(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<UpdateUserBody>,
) -> Result<Json<UpdateUserResponse>, CoreHttpError> {
    require_public_tenant(&scope)?;
    let user_id = body.recipe_user_id.or(body.user_id).ok_or_else(|| {
        CoreHttpError::bad_request("Field name 'recipeUserId' is invalid in JSON input")
    })?;
    if matches!(body.email, Some(None)) && matches!(body.phone_number, Some(None)) {
        return Err(CoreHttpError::bad_request(CLEAR_BOTH));
    }
    let email = body.email.map(|e| e.as_deref().map(normalise_email));
    let phone = body.phone_number.map(|p| p.as_deref().map(normalise_phone));
    let app = scope.app_id;
    let outcome = state
        .store
        .write(move |tx| {
            let Some(user) = user_by_id(tx, &app, &user_id)? else {
                return Ok(Err(UpdateRefusal::Status(
                    UpdateUserResponse::UnknownUserId,
                )));
            };
            let new_email = email.clone().unwrap_or(user.email.clone());
            let new_phone = phone.clone().unwrap_or(user.phone_number.clone());
            if new_email.is_none() && new_phone.is_none() {
                return Ok(Err(UpdateRefusal::BadRequest(CLEAR_BOTH)));
            }
            let taken = |contact: Contact| -> Result<bool, StoreError> {
                Ok(user_by_contact(tx, &app, &user.tenant_id, &contact)?
                    .is_some_and(|other| other.id != user.id))
            };
            if let Some(e) = &new_email
                && taken(Contact::Email(e.clone()))?
            {
                return Ok(Err(UpdateRefusal::Status(
                    UpdateUserResponse::EmailAlreadyExists,
                )));
            }
            if let Some(p) = &new_phone
                && taken(Contact::Phone(p.clone()))?
            {
                return Ok(Err(UpdateRefusal::Status(
                    UpdateUserResponse::PhoneNumberAlreadyExists,
                )));
            }
            tx.prepare_cached(
                "UPDATE passwordless_users SET email = ?3, phone_number = ?4
                 WHERE app_id = ?1 AND user_id = ?2",
            )?
            .execute(params![app, user.id, new_email, new_phone])?;
            Ok(Ok(()))
        })
        .await?;
    match outcome {
        Ok(()) => Ok(Json(UpdateUserResponse::Ok)),
        Err(UpdateRefusal::Status(status)) => Ok(Json(status)),
        Err(UpdateRefusal::BadRequest(message)) => Err(CoreHttpError::bad_request(message)),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemoveUserBody {
    user_id: String,
    /// Accepted for compatibility; without account linking a user has no linked accounts.
    #[serde(default)]
    #[allow(dead_code)]
    remove_all_linked_accounts: Option<bool>,
}

async fn remove_user(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<RemoveUserBody>,
) -> Result<Json<OkResponse>, CoreHttpError> {
    require_public_tenant(&scope)?;
    let app = scope.app_id;
    state
        .store
        .write(move |tx| {
            tx.prepare_cached("DELETE FROM passwordless_users WHERE app_id = ?1 AND user_id = ?2")?
                .execute(params![app, body.user_id])?;
            // As in the real core, deleting a user ends their sessions.
            remove_user_sessions(tx, &app, &body.user_id)?;
            Ok(())
        })
        .await?;
    Ok(Json(OkResponse::Ok))
}

async fn count_users(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<serde_json::Value>, CoreHttpError> {
    let all_tenants = query.bool("includeAllTenants")?.unwrap_or(false);
    if all_tenants {
        require_public_tenant(&scope)?;
    }
    let mut include_passwordless = true;
    if let Some(list) = query
        .get("includeRecipeIds")
        .filter(|l| !l.trim().is_empty())
    {
        include_passwordless = false;
        for id in list.split(',').map(str::trim) {
            if !KNOWN_RECIPES.contains(&id) {
                return Err(CoreHttpError::bad_request(format!(
                    "Unknown recipe ID: {id}"
                )));
            }
            include_passwordless |= id == "passwordless";
        }
    }
    let count: i64 = if include_passwordless {
        state
            .store
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT COUNT(*) FROM passwordless_users
                         WHERE app_id = ?1 AND (?3 OR tenant_id = ?2)",
                    )?
                    .query_row(params![scope.app_id, scope.tenant_id, all_tenants], |r| {
                        r.get(0)
                    })?)
            })
            .await?
    } else {
        0
    };
    Ok(Json(serde_json::json!({"status": "OK", "count": count})))
}

/// Only the `public` tenant exists (tenant management is not part of this core).
async fn get_tenant(State(state): State<SharedState>, scope: Scope) -> Json<TenantResponse> {
    Json(if scope.tenant_id == "public" {
        TenantResponse::Ok {
            tenant_id: scope.tenant_id,
            third_party: serde_json::json!({"providers": []}),
            core_config: serde_json::Value::Object(state.core_config.clone()),
        }
    } else {
        TenantResponse::TenantNotFound
    })
}
