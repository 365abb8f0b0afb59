//! Passwordless sign-ins driven through the SDK's CDI client, as a backend drives a core: create
//! a code, consume it with the one-time code, and (for a full sign-in) create a session. The
//! durability test and the `embedded_core` benchmark run these by the thousand; the embedded
//! core's tests build their scenarios from the single steps.

use serde::Deserialize;
use serde_json::Map;
use supertokens::core::cdi::{
    ConsumeCodeRequest, ConsumeCodeResponse, CreateCodeRequest, CreateCodeResponse,
    CreateSessionRequest, CreateSessionResponse, User,
};
use supertokens::core::{CoreClient, CoreError};

/// The `rid` of passwordless CDI calls.
pub const PASSWORDLESS: Option<&str> = Some("passwordless");
/// The `rid` of session CDI calls.
pub const SESSION: Option<&str> = Some("session");

/// A code the core created (the `OK` answer of create code).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Code {
    /// base64url id of the device, sent in links.
    pub pre_auth_session_id: String,
    /// Standard base64 id the frontend keeps.
    pub device_id: String,
    /// The one-time code to type.
    pub user_input_code: String,
    /// The magic link's code.
    pub link_code: String,
    /// The code's UUID.
    pub code_id: String,
    /// When it was created, in ms since the epoch.
    pub time_created: i64,
    /// How long it lives, in ms.
    pub code_lifetime: i64,
}

impl TryFrom<CreateCodeResponse> for Code {
    /// Any answer but `OK`.
    type Error = CreateCodeResponse;

    /// Reads the fields of an `OK` answer by their wire names.
    fn try_from(response: CreateCodeResponse) -> Result<Self, Self::Error> {
        if !matches!(response, CreateCodeResponse::Ok { .. }) {
            return Err(response);
        }
        let wire = serde_json::to_value(&response).expect("an answer serialises");
        Ok(serde_json::from_value(wire).expect("an OK answer has every field of a code"))
    }
}

impl Code {
    /// The consume request typing `typed` on this code's device.
    pub fn typed(&self, typed: &str) -> ConsumeCodeRequest {
        ConsumeCodeRequest {
            pre_auth_session_id: self.pre_auth_session_id.clone(),
            device_id: Some(self.device_id.clone()),
            user_input_code: Some(typed.to_owned()),
            ..Default::default()
        }
    }

    /// The consume request typing this code's own one-time code.
    pub fn right(&self) -> ConsumeCodeRequest {
        self.typed(&self.user_input_code)
    }
}

/// The consume request following a magic link.
pub fn by_link(pre_auth_session_id: &str, link_code: &str) -> ConsumeCodeRequest {
    ConsumeCodeRequest {
        pre_auth_session_id: pre_auth_session_id.to_owned(),
        link_code: Some(link_code.to_owned()),
        ..Default::default()
    }
}

/// The create-code request for a new device of `email`.
pub fn for_email(email: &str) -> CreateCodeRequest {
    CreateCodeRequest {
        email: Some(email.to_owned()),
        ..Default::default()
    }
}

/// `POST /public/recipe/signinup/code`.
pub async fn create_code(
    client: &CoreClient,
    request: &CreateCodeRequest,
) -> Result<CreateCodeResponse, CoreError> {
    client
        .post("/public/recipe/signinup/code", PASSWORDLESS, request)
        .await
}

/// `POST /public/recipe/signinup/code/consume`.
pub async fn consume_code(
    client: &CoreClient,
    request: &ConsumeCodeRequest,
) -> Result<ConsumeCodeResponse, CoreError> {
    client
        .post(
            "/public/recipe/signinup/code/consume",
            PASSWORDLESS,
            request,
        )
        .await
}

/// What a sign-in left in the core.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The user.
    pub user: User,
    /// The passwordless login method's user id.
    pub recipe_user_id: String,
    /// Whether this sign-in created the user.
    pub created_new_user: bool,
    /// The session created for it ([`sign_in`] only).
    pub session_handle: Option<String>,
}

/// Signs `email` up or in with a new one-time code (create code, consume), creating no session.
///
/// # Errors
/// The first failed call, or an answer other than `OK`, as text.
pub async fn sign_up_or_in(client: &CoreClient, email: &str) -> Result<SignedIn, String> {
    let created = create_code(client, &for_email(email))
        .await
        .map_err(|e| e.to_string())?;
    let code = Code::try_from(created).map_err(|other| format!("create code: {other:?}"))?;
    match consume_code(client, &code.right())
        .await
        .map_err(|e| e.to_string())?
    {
        ConsumeCodeResponse::Ok {
            user,
            recipe_user_id,
            created_new_user,
            ..
        } => Ok(SignedIn {
            user,
            recipe_user_id,
            created_new_user,
            session_handle: None,
        }),
        other => Err(format!("consume: {other:?}")),
    }
}

/// A full sign-in as a backend makes it: [`sign_up_or_in`], then a session for the user
/// (no custom claims, no anti-CSRF, the rotating signing key).
///
/// # Errors
/// The first failed call, or an answer other than `OK`, as text.
pub async fn sign_in(client: &CoreClient, email: &str) -> Result<SignedIn, String> {
    let signed_in = sign_up_or_in(client, email).await?;
    let CreateSessionResponse::Ok(session) = client
        .post(
            "/public/recipe/session",
            SESSION,
            &CreateSessionRequest {
                user_id: signed_in.recipe_user_id.clone(),
                user_data_in_jwt: Map::new(),
                user_data_in_database: Map::new(),
                enable_anti_csrf: false,
                use_dynamic_signing_key: true,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(SignedIn {
        session_handle: Some(session.session.handle),
        ..signed_in
    })
}
