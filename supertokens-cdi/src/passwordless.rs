//! Passwordless endpoints (`rid: passwordless`, tenant-scoped `/<tenant>/recipe/signinup/...`).

use serde::{Deserialize, Serialize};

use crate::users::User;

/// `POST /<tenant>/recipe/signinup/code`: exactly one of `email`, `phone_number`, `device_id`
/// (the last one creates a new code for an existing device: a resend).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCodeRequest {
    /// E-mail of a new device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number of a new device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// An existing device (resend).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// A code chosen by the caller instead of a generated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_input_code: Option<String>,
}

/// `POST /<tenant>/recipe/signinup/code` outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum CreateCodeResponse {
    /// A code was created.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// base64url (unpadded) sha256 of the device id.
        pre_auth_session_id: String,
        /// UUID of the code.
        code_id: String,
        /// Standard base64 (padded) of 32 random bytes.
        device_id: String,
        /// The one-time code.
        user_input_code: String,
        /// The magic-link code.
        link_code: String,
        /// Milliseconds since the epoch.
        time_created: i64,
        /// Milliseconds.
        code_lifetime: i64,
    },
    /// Unknown device.
    #[serde(rename = "RESTART_FLOW_ERROR")]
    RestartFlow,
    /// The caller's code is already in use on this device.
    #[serde(rename = "USER_INPUT_CODE_ALREADY_USED_ERROR")]
    UserInputCodeAlreadyUsed,
}

/// `POST /<tenant>/recipe/signinup/code/consume` and `.../code/check`: `preAuthSessionId` with
/// either `linkCode` or `deviceId` + `userInputCode`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumeCodeRequest {
    /// The device's preAuthSessionId.
    pub pre_auth_session_id: String,
    /// The magic-link code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_code: Option<String>,
    /// The device id (with `user_input_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// The one-time code (with `device_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_input_code: Option<String>,
}

/// The device a successful consume used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumedDevice {
    /// The device's preAuthSessionId.
    pub pre_auth_session_id: String,
    /// Failed attempts before the success.
    pub failed_code_input_attempt_count: u32,
    /// E-mail of the device, if it is an e-mail device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number of the device, if it is a phone device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// `POST /<tenant>/recipe/signinup/code/consume` outcome.
// The success variant carries the whole user; the others are a few integers. A consume answer
// is decoded once per sign-in and moved a couple of times, so boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum ConsumeCodeResponse {
    /// Signed in (or up).
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Whether the user was created by this call.
        created_new_user: bool,
        /// The user.
        user: User,
        /// The recipe user id of the passwordless login method used.
        recipe_user_id: String,
        /// The device consumed.
        consumed_device: ConsumedDevice,
    },
    /// Wrong one-time code.
    #[serde(rename = "INCORRECT_USER_INPUT_CODE_ERROR", rename_all = "camelCase")]
    IncorrectUserInputCode {
        /// Failed attempts so far on this device.
        failed_code_input_attempt_count: u32,
        /// The maximum before the device is deleted.
        maximum_code_input_attempts: u32,
    },
    /// Right code, but expired.
    #[serde(rename = "EXPIRED_USER_INPUT_CODE_ERROR", rename_all = "camelCase")]
    ExpiredUserInputCode {
        /// Failed attempts so far on this device.
        failed_code_input_attempt_count: u32,
        /// The maximum before the device is deleted.
        maximum_code_input_attempts: u32,
    },
    /// Unknown/consumed device, bad link code, or attempts exhausted.
    #[serde(rename = "RESTART_FLOW_ERROR")]
    RestartFlow,
}

/// `POST /<tenant>/recipe/signinup/code/check` outcome: as consume, but signs nobody in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum CheckCodeResponse {
    /// The code is right (the device is not consumed).
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// The device.
        consumed_device: ConsumedDevice,
    },
    /// Wrong one-time code.
    #[serde(rename = "INCORRECT_USER_INPUT_CODE_ERROR", rename_all = "camelCase")]
    IncorrectUserInputCode {
        /// Failed attempts so far on this device.
        failed_code_input_attempt_count: u32,
        /// The maximum before the device is deleted.
        maximum_code_input_attempts: u32,
    },
    /// Right code, but expired.
    #[serde(rename = "EXPIRED_USER_INPUT_CODE_ERROR", rename_all = "camelCase")]
    ExpiredUserInputCode {
        /// Failed attempts so far on this device.
        failed_code_input_attempt_count: u32,
        /// The maximum before the device is deleted.
        maximum_code_input_attempts: u32,
    },
    /// Unknown device, bad link code, or attempts exhausted.
    #[serde(rename = "RESTART_FLOW_ERROR")]
    RestartFlow,
}

/// `POST /<tenant>/recipe/signinup/code/remove`: exactly one of `code_id`, `pre_auth_session_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveCodeRequest {
    /// One code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_id: Option<String>,
    /// A whole device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_auth_session_id: Option<String>,
}

/// `POST /<tenant>/recipe/signinup/codes/remove`: exactly one of `email`, `phone_number`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveCodesRequest {
    /// Every device of this e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Every device of this phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// One code of a device, as listed (the code itself is never listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeInfo {
    /// UUID of the code.
    pub code_id: String,
    /// Milliseconds since the epoch.
    pub time_created: i64,
    /// Milliseconds.
    pub code_lifetime: i64,
}

/// One device, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    /// The device's preAuthSessionId.
    pub pre_auth_session_id: String,
    /// Failed attempts so far.
    pub failed_code_input_attempt_count: u32,
    /// E-mail of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number of the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Its live codes.
    pub codes: Vec<CodeInfo>,
}

/// `GET /<tenant>/recipe/signinup/codes?email=|phoneNumber=|deviceId=|preAuthSessionId=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum ListCodesResponse {
    /// The devices found.
    #[serde(rename = "OK")]
    Ok {
        /// The devices.
        devices: Vec<DeviceInfo>,
    },
}
