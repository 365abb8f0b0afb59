//! Users: storage of passwordless users and the user endpoints (`/user/id`,
//! `/<t>/users/by-accountinfo`, `/recipe/user`, `/user/remove`, `[/<t>]/users/count`, and
//! `[/<t>]/users`, the tenant's users a page at a time or the dashboard's search over them).
//!
//! A user here has exactly one login method, `passwordless`; there is no account linking, so
//! `isPrimaryUser` is always false and the user id is the recipe user id. A user belongs to the
//! app and is associated with any number of its tenants (`user_tenants`, one row per tenant with
//! the user's contact, as the real core's `passwordless_user_to_tenant`); a user associated with
//! none stays in the app, as in the real core. E-mails are kept trimmed and lowercased, phone
//! numbers in E.164 when they parse, and both are unique per tenant.
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
    GetUserResponse, LoginMethod, OkResponse, RecipeUserResponse, UpdateUserResponse, User,
    UsersByAccountInfoResponse, WebauthnInfo, double_option,
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
}, Migration {
    component: "users",
    version: 2,
    // `passwordless_users.tenant_id` stays as the tenant the user signed up on; which tenants a
    // user is in, and the per-tenant uniqueness of contacts, move to `user_tenants`.
    sql: "CREATE TABLE user_tenants (
              app_id TEXT NOT NULL,
              tenant_id TEXT NOT NULL,
              user_id TEXT NOT NULL,
              email TEXT,
              phone_number TEXT,
              PRIMARY KEY (app_id, tenant_id, user_id)
          );
          CREATE UNIQUE INDEX user_tenants_email
              ON user_tenants (app_id, tenant_id, email) WHERE email IS NOT NULL;
          CREATE UNIQUE INDEX user_tenants_phone
              ON user_tenants (app_id, tenant_id, phone_number) WHERE phone_number IS NOT NULL;
          CREATE INDEX user_tenants_by_user ON user_tenants (app_id, user_id);
          INSERT INTO user_tenants (app_id, tenant_id, user_id, email, phone_number)
              SELECT app_id, tenant_id, user_id, email, phone_number FROM passwordless_users;
          DROP INDEX passwordless_users_email;
          DROP INDEX passwordless_users_phone;
          CREATE INDEX passwordless_users_by_time ON passwordless_users (app_id, time_joined, user_id);",
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
        .route("/users", get(list_users))
        .route("/user/search/tags", get(supported_search_tags))
}

/// `GET /user/search/tags`: what the dashboard may search users by (`GET /users`).
async fn supported_search_tags() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "OK", "tags": ["email", "phone", "provider"]}))
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
    /// The tenants the user is associated with, ordered.
    pub(super) tenant_ids: Vec<String>,
    pub(super) email: Option<String>,
    pub(super) phone_number: Option<String>,
    pub(super) time_joined: i64,
}

/// The columns of a user read `FROM passwordless_users u`, its tenants as one comma-separated
/// text (tenant ids hold no commas).
const USER_COLUMNS: &str = "u.user_id, u.email, u.phone_number, u.time_joined,
    (SELECT group_concat(t.tenant_id) FROM user_tenants t
     WHERE t.app_id = u.app_id AND t.user_id = u.user_id)";

impl UserRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let tenants: Option<String> = row.get(4)?;
        let mut tenant_ids: Vec<String> = tenants
            .iter()
            .flat_map(|t| t.split(','))
            .map(str::to_owned)
            .collect();
        tenant_ids.sort();
        Ok(Self {
            id: row.get(0)?,
            tenant_ids,
            email: row.get(1)?,
            phone_number: row.get(2)?,
            time_joined: row.get(3)?,
        })
    }

    /// The user JSON of the CDI.
    pub(super) fn to_user(&self) -> User {
        let tenant_ids = self.tenant_ids.clone();
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
        "SELECT {USER_COLUMNS} FROM passwordless_users u WHERE u.app_id = ?1 AND u.user_id = ?2"
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
        "SELECT {USER_COLUMNS} FROM user_tenants ut
         JOIN passwordless_users u ON u.app_id = ut.app_id AND u.user_id = ut.user_id
         WHERE ut.app_id = ?1 AND ut.tenant_id = ?2 AND ut.{column} = ?3"
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
        tenant_ids: vec![tenant_id.to_owned()],
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
        tenant_id,
        row.email,
        row.phone_number,
        row.time_joined
    ])?;
    add_to_tenant(conn, app_id, tenant_id, &row)?;
    Ok(row)
}

/// Associates a stored user with a tenant (the caller checked that no other user there has its
/// contact).
pub(super) fn add_to_tenant(
    conn: &Connection,
    app_id: &str,
    tenant_id: &str,
    user: &UserRow,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO user_tenants (app_id, tenant_id, user_id, email, phone_number)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        app_id,
        tenant_id,
        user.id,
        user.email,
        user.phone_number
    ])?;
    Ok(())
}

/// Which of the user's contacts another user of `tenant_id` already has, if any.
pub(super) fn contact_taken(
    conn: &Connection,
    app_id: &str,
    tenant_id: &str,
    user_id: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> rusqlite::Result<Option<Contact>> {
    for contact in [
        email.map(|e| Contact::Email(e.to_owned())),
        phone.map(|p| Contact::Phone(p.to_owned())),
    ]
    .into_iter()
    .flatten()
    {
        if user_by_contact(conn, app_id, tenant_id, &contact)?.is_some_and(|u| u.id != user_id) {
            return Ok(Some(contact));
        }
    }
    Ok(None)
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
                "SELECT {USER_COLUMNS} FROM user_tenants ut
                 JOIN passwordless_users u ON u.app_id = ut.app_id AND u.user_id = ut.user_id
                 WHERE ut.app_id = ?1 AND ut.tenant_id = ?2
                   AND (CASE WHEN ?5 THEN (ut.email = ?3 OR ut.phone_number = ?4)
                             ELSE ((?3 IS NULL OR ut.email = ?3)
                                   AND (?4 IS NULL OR ut.phone_number = ?4))
                        END)
                   AND (?3 IS NOT NULL OR ?4 IS NOT NULL)
                 ORDER BY u.time_joined, u.user_id"
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
            // The new contact must be free in every tenant the user is in.
            for tenant in &user.tenant_ids {
                let taken = |contact: Contact| -> Result<bool, StoreError> {
                    Ok(user_by_contact(tx, &app, tenant, &contact)?
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
            }
            for table in ["passwordless_users", "user_tenants"] {
                tx.prepare_cached(&format!(
                    "UPDATE {table} SET email = ?3, phone_number = ?4
                     WHERE app_id = ?1 AND user_id = ?2"
                ))?
                .execute(params![app, user.id, new_email, new_phone])?;
            }
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
            // As in the real core, the user's metadata and roles go with them.
            for table in [
                "passwordless_users",
                "user_tenants",
                "user_metadata",
                "user_roles",
            ] {
                tx.prepare_cached(&format!(
                    "DELETE FROM {table} WHERE app_id = ?1 AND user_id = ?2"
                ))?
                .execute(params![app, body.user_id])?;
            }
            // As in the real core, deleting a user ends their sessions.
            remove_user_sessions(tx, &app, &body.user_id)?;
            Ok(())
        })
        .await?;
    Ok(Json(OkResponse::Ok))
}

/// `includeRecipeIds` as the real core reads it (comma-separated, blanks ignored): whether
/// passwordless users are included; an unknown recipe id is a 400.
fn includes_passwordless(query: &CoreQuery) -> Result<bool, CoreHttpError> {
    let Some(list) = query.get("includeRecipeIds") else {
        return Ok(true);
    };
    let ids: Vec<&str> = list
        .trim()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Ok(true);
    }
    for id in &ids {
        if !KNOWN_RECIPES.contains(id) {
            return Err(CoreHttpError::bad_request(format!(
                "Unknown recipe ID: {id}"
            )));
        }
    }
    Ok(ids.contains(&"passwordless"))
}

/// `GET [/<t>]/users/count`: the users of the request's tenant, or with `includeAllTenants=true`
/// (public tenant only) the app's users in any tenant.
async fn count_users(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<serde_json::Value>, CoreHttpError> {
    // The real core takes anything but `true` (any case) as false.
    let all_tenants = query
        .get("includeAllTenants")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let include_passwordless = includes_passwordless(&query)?;
    if all_tenants {
        require_public_tenant(&scope)?;
    }
    let count: i64 = if include_passwordless {
        state
            .store
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT COUNT(DISTINCT user_id) FROM user_tenants
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

/// Most users one page of `GET /users` holds, as the real core's `USER_PAGINATION_LIMIT`.
const PAGE_LIMIT: i64 = 500;
/// Most users a search answers (the real core's storage caps searches the same way).
const SEARCH_LIMIT: i64 = 1000;

/// Where a page of `GET /users` starts: the first user of the page (the real core's token is
/// base64 of `<userId>;<timeJoined>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PageToken {
    user_id: String,
    time_joined: i64,
}

impl PageToken {
    fn encode(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .encode(format!("{};{}", self.user_id, self.time_joined))
    }

    fn decode(token: &str) -> Option<Self> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(token.trim())
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let parts: Vec<&str> = text.split(';').collect();
        let [user_id, time_joined] = parts[..] else {
            return None;
        };
        Some(Self {
            user_id: user_id.to_owned(),
            time_joined: time_joined.trim().parse().ok()?,
        })
    }
}

/// The dashboard's search: `;`-separated values, lowercased and trimmed, blanks dropped.
pub(super) fn search_tags(raw: Option<&str>) -> Vec<String> {
    raw.into_iter()
        .flat_map(|r| r.split(';'))
        .map(|t| t.to_lowercase().trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether a user matches the dashboard's search as the real core's storage searches: when
/// e-mails are given, an e-mail starting with one of them (or whose domain does), and when phone
/// numbers are given, a phone number starting with one of them.
fn matches_search(user: &UserRow, emails: &[String], phones: &[String]) -> bool {
    let email_hit = emails.is_empty()
        || user.email.as_deref().is_some_and(|e| {
            emails.iter().any(|tag| {
                e.starts_with(tag.as_str())
                    || e.split_once('@')
                        .is_some_and(|(_, domain)| domain.starts_with(tag.as_str()))
            })
        });
    let phone_hit = phones.is_empty()
        || user
            .phone_number
            .as_deref()
            .is_some_and(|p| phones.iter().any(|tag| p.starts_with(tag.as_str())));
    email_hit && phone_hit
}

/// `GET [/<t>]/users`: the tenant's users a page at a time, ordered by time joined, or the
/// dashboard's search over them (`email`, `phone`, `provider`; then without pagination).
async fn list_users(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<serde_json::Value>, CoreHttpError> {
    let include_passwordless = includes_passwordless(&query)?;
    let descending = match query.get("timeJoinedOrder") {
        None | Some("ASC") => false,
        Some("DESC") => true,
        Some(_) => {
            return Err(CoreHttpError::bad_request(
                "timeJoinedOrder can be either ASC OR DESC",
            ));
        }
    };
    let emails = search_tags(query.get("email"));
    let phones = search_tags(query.get("phone"));
    let providers = search_tags(query.get("provider"));
    let searching = !(emails.is_empty() && phones.is_empty() && providers.is_empty());
    let limit = match query.get("limit") {
        None => 100,
        Some(raw) => {
            let n: i64 = raw.parse().map_err(|_| {
                CoreHttpError::bad_request("Field name 'limit' must be an int in the GET request")
            })?;
            if n > PAGE_LIMIT && !searching {
                return Err(CoreHttpError::bad_request(format!(
                    "max limit allowed is {PAGE_LIMIT}"
                )));
            }
            if n < 1 {
                return Err(CoreHttpError::bad_request(
                    "limit must a positive integer with min value 1",
                ));
            }
            n
        }
    };
    let start = match query.get("paginationToken") {
        None => None,
        Some(token) => Some(
            PageToken::decode(token)
                .ok_or_else(|| CoreHttpError::bad_request("invalid pagination token"))?,
        ),
    };
    // As in the real core, passwordless users are searched only by e-mail and phone: a search
    // that names a provider looks at third-party users alone.
    let search_passwordless = providers.is_empty();
    if !include_passwordless || (searching && !search_passwordless) {
        return Ok(Json(serde_json::json!({"status": "OK", "users": []})));
    }
    let (cmp, order) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    // Users who joined in the same millisecond come by descending id either way, as in the real
    // core.
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM user_tenants ut
         JOIN passwordless_users u ON u.app_id = ut.app_id AND u.user_id = ut.user_id
         WHERE ut.app_id = ?1 AND ut.tenant_id = ?2
           AND (?3 IS NULL OR u.time_joined {cmp} ?3
                OR (u.time_joined = ?3 AND u.user_id <= ?4))
         ORDER BY u.time_joined {order}, u.user_id DESC"
    );
    let users = state
        .store
        .read(move |conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let (time, id) = match &start {
                Some(t) => (Some(t.time_joined), Some(t.user_id.clone())),
                None => (None, None),
            };
            let rows = stmt.query_map(
                params![scope.app_id, scope.tenant_id, time, id],
                UserRow::from_row,
            )?;
            let mut users = Vec::new();
            for row in rows {
                let row = row?;
                if searching && !matches_search(&row, &emails, &phones) {
                    continue;
                }
                users.push(row);
                let enough = if searching { SEARCH_LIMIT } else { limit + 1 };
                if users.len() as i64 >= enough {
                    break;
                }
            }
            Ok(users)
        })
        .await?;
    let mut users = users;
    let mut next = None;
    if !searching && users.len() as i64 > limit {
        let first_of_next = users.split_off(limit as usize);
        next = first_of_next.first().map(|u| {
            PageToken {
                user_id: u.id.clone(),
                time_joined: u.time_joined,
            }
            .encode()
        });
    }
    let mut body = serde_json::json!({
        "status": "OK",
        "users": users.iter().map(UserRow::to_user).collect::<Vec<_>>(),
    });
    if let Some(token) = next {
        body["nextPaginationToken"] = token.into();
    }
    Ok(Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_are_the_real_cores_base64_of_id_and_time() {
        let token = PageToken {
            user_id: "u-1".into(),
            time_joined: 1_700_000_000_000,
        };
        assert_eq!(token.encode(), "dS0xOzE3MDAwMDAwMDAwMDA=");
        assert_eq!(PageToken::decode(&token.encode()), Some(token));
        for bad in ["", "!!", "dS0x", "dS0xO3g=", "YTtiO2M="] {
            assert_eq!(PageToken::decode(bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn users_of_the_one_tenant_schema_keep_their_tenant_after_the_migration() {
        let dir = tempfile::tempdir().unwrap();
        let database = crate::config::Database::File(dir.path().join("core.db"));
        let old = crate::store::Store::open(&database, &MIGRATIONS[..1]).unwrap();
        old.write(|tx| {
            tx.execute(
                "INSERT INTO passwordless_users
                     (app_id, user_id, tenant_id, email, phone_number, time_joined)
                 VALUES ('public', 'u1', 't1', 'a@example.com', NULL, 5)",
                [],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        drop(old);
        let store = crate::store::Store::open(&database, MIGRATIONS).unwrap();
        let (by_id, by_contact) = store
            .read(|conn| {
                Ok((
                    user_by_id(conn, "public", "u1")?.unwrap(),
                    user_by_contact(conn, "public", "t1", &Contact::email("A@example.com"))?,
                ))
            })
            .await
            .unwrap();
        assert_eq!(by_id.tenant_ids, ["t1"]);
        assert_eq!(by_id.email.as_deref(), Some("a@example.com"));
        assert_eq!(by_contact.map(|u| u.id).as_deref(), Some("u1"));
    }

    #[test]
    fn search_tags_are_split_on_semicolons_lowercased_and_trimmed() {
        assert_eq!(
            search_tags(Some(" A@x.com ;; b ;")),
            vec!["a@x.com".to_owned(), "b".to_owned()]
        );
        assert!(search_tags(Some(" ; ")).is_empty());
        assert!(search_tags(None).is_empty());
    }
}
