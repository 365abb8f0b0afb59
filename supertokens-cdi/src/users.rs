//! Users: the account-linking-shaped `User` JSON and the user endpoints.

use serde::{Deserialize, Serialize};

/// One login method of a user (always `passwordless` here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginMethod {
    /// `passwordless`.
    pub recipe_id: String,
    /// The recipe user id.
    pub recipe_user_id: String,
    /// Tenants this login method belongs to.
    pub tenant_ids: Vec<String>,
    /// E-mail, if any (omitted when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number in E.164, if any (omitted when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Milliseconds since the epoch.
    pub time_joined: i64,
    /// Whether the contact is verified (passwordless: always true).
    pub verified: bool,
}

/// WebAuthn credentials of a user (always empty here; CDI ≥ 5.3 shape).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebauthnInfo {
    /// Credential ids.
    pub credential_ids: Vec<String>,
}

/// A user as the core returns it (CDI ≥ 4.0, `webauthn` from 5.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user id.
    pub id: String,
    /// Whether this is a primary user (account linking; always false here).
    pub is_primary_user: bool,
    /// Tenants of the user.
    pub tenant_ids: Vec<String>,
    /// All e-mails of the user.
    pub emails: Vec<String>,
    /// All phone numbers of the user.
    pub phone_numbers: Vec<String>,
    /// Third-party identities (always empty here).
    pub third_party: Vec<serde_json::Value>,
    /// WebAuthn credentials (always empty here).
    #[serde(default)]
    pub webauthn: WebauthnInfo,
    /// The login methods.
    pub login_methods: Vec<LoginMethod>,
    /// Milliseconds since the epoch.
    pub time_joined: i64,
}

/// `GET /user/id?userId=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum GetUserResponse {
    /// Found.
    #[serde(rename = "OK")]
    Ok {
        /// The user.
        user: User,
    },
    /// No such user.
    #[serde(rename = "UNKNOWN_USER_ID_ERROR")]
    UnknownUserId,
}

/// `GET /<tenant>/users/by-accountinfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum UsersByAccountInfoResponse {
    /// The users found (possibly none).
    #[serde(rename = "OK")]
    Ok {
        /// The users.
        users: Vec<User>,
    },
}

/// `GET /recipe/user?email=|phoneNumber=|userId=` (deprecated but served; `rid: passwordless`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RecipeUserResponse {
    /// Found.
    #[serde(rename = "OK")]
    Ok {
        /// The user.
        user: User,
    },
    /// No user with that id.
    #[serde(rename = "UNKNOWN_USER_ID_ERROR")]
    UnknownUserId,
    /// No user with that e-mail.
    #[serde(rename = "UNKNOWN_EMAIL_ERROR")]
    UnknownEmail,
    /// No user with that phone number.
    #[serde(rename = "UNKNOWN_PHONE_NUMBER_ERROR")]
    UnknownPhoneNumber,
}

/// `PUT /recipe/user` (`rid: passwordless`). A field left `None` is unchanged; `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserRequest {
    /// The recipe user id.
    pub recipe_user_id: String,
    /// New e-mail; `Some(None)` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub email: Option<Option<String>>,
    /// New phone number; `Some(None)` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    pub phone_number: Option<Option<String>>,
}

/// `PUT /recipe/user` outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum UpdateUserResponse {
    /// Updated.
    #[serde(rename = "OK")]
    Ok,
    /// No such user.
    #[serde(rename = "UNKNOWN_USER_ID_ERROR")]
    UnknownUserId,
    /// Another passwordless user has that e-mail.
    #[serde(rename = "EMAIL_ALREADY_EXISTS_ERROR")]
    EmailAlreadyExists,
    /// Another passwordless user has that phone number.
    #[serde(rename = "PHONE_NUMBER_ALREADY_EXISTS_ERROR")]
    PhoneNumberAlreadyExists,
}

/// `POST /user/remove`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveUserRequest {
    /// The user to delete.
    pub user_id: String,
}

/// A response that is only `{"status":"OK"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum OkResponse {
    /// Done.
    #[serde(rename = "OK")]
    Ok,
}

/// `Option<Option<T>>` where an absent field is `None` and `null` is `Some(None)`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialises `Some(None)` as `null` (the field is skipped when `None`).
    pub fn serialize<S: Serializer, T: Serialize>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Deserialises a present field (value or `null`) as `Some(..)`.
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}
