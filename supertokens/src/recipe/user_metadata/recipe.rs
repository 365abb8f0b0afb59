//! [`UserMetadataRecipe`]: the UserMetadata functions, each one call to the core.

use serde_json::{Map, Value};
use supertokens_cdi::{
    OkResponse, RemoveUserMetadataRequest, UpdateUserMetadataRequest, UserMetadataResponse,
};

use crate::core::{CoreClient, CoreError};

const RID: Option<&str> = Some("usermetadata");

const PATH: &str = "/recipe/user/metadata";

/// The UserMetadata functions of an instance
/// ([`SuperTokens::user_metadata`](crate::SuperTokens::user_metadata)).
#[derive(Clone)]
pub struct UserMetadataRecipe {
    core: CoreClient,
}

impl std::fmt::Debug for UserMetadataRecipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserMetadataRecipe").finish_non_exhaustive()
    }
}

impl UserMetadataRecipe {
    pub(crate) fn new(core: CoreClient) -> Self {
        Self { core }
    }

    /// The user's metadata; empty when there is none.
    pub async fn get_user_metadata(&self, user_id: &str) -> Result<Map<String, Value>, CoreError> {
        let UserMetadataResponse::Ok { metadata } =
            self.core.get(PATH, RID, &[("userId", user_id)]).await?;
        Ok(metadata)
    }

    /// Merges `update` into the user's metadata and answers the result: each top-level key of
    /// `update` replaces the stored one whole (objects are not merged deeper), and a `null`
    /// value removes its key.
    pub async fn update_user_metadata(
        &self,
        user_id: &str,
        update: Map<String, Value>,
    ) -> Result<Map<String, Value>, CoreError> {
        let request = UpdateUserMetadataRequest {
            user_id: user_id.to_owned(),
            metadata_update: update,
        };
        let UserMetadataResponse::Ok { metadata } = self
            .core
            .request(http::Method::PUT, PATH, RID, &[], Some(&request))
            .await?;
        Ok(metadata)
    }

    /// Removes all of the user's metadata.
    pub async fn clear_user_metadata(&self, user_id: &str) -> Result<(), CoreError> {
        let request = RemoveUserMetadataRequest {
            user_id: user_id.to_owned(),
        };
        let OkResponse::Ok = self
            .core
            .post("/recipe/user/metadata/remove", RID, &request)
            .await?;
        Ok(())
    }
}
