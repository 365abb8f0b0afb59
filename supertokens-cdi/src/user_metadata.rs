//! The UserMetadata recipe's CDI: a JSON object per user id of an app.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `GET /recipe/user/metadata` and `PUT /recipe/user/metadata`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum UserMetadataResponse {
    /// The user's metadata (`{}` when there is none).
    #[serde(rename = "OK")]
    Ok {
        /// The metadata.
        metadata: Map<String, Value>,
    },
}

/// `PUT /recipe/user/metadata` request: a shallow merge, a `null` value removes its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUserMetadataRequest {
    /// The user (any id: the core does not check that the user exists).
    pub user_id: String,
    /// The keys to set (`null`: to remove).
    pub metadata_update: Map<String, Value>,
}

/// `POST /recipe/user/metadata/remove` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveUserMetadataRequest {
    /// The user.
    pub user_id: String,
}
