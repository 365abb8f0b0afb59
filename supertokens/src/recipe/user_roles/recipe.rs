use crate::core::{CoreClient, CoreError};
use serde_json::Value;

pub(crate) async fn roles_of(
    core: &CoreClient,
    tenant: &str,
    user: &str,
) -> Result<Vec<String>, CoreError> {
    let v: Value = core
        .get(
            &format!("/{tenant}/recipe/user/roles"),
            Some("userroles"),
            &[("userId", user)],
        )
        .await?;
    Ok(serde_json::from_value(v["roles"].clone()).unwrap_or_default())
}
pub(crate) async fn permissions_of(
    core: &CoreClient,
    role: &str,
) -> Result<Option<Vec<String>>, CoreError> {
    let v: Value = core
        .get(
            "/recipe/role/permissions",
            Some("userroles"),
            &[("role", role)],
        )
        .await?;
    Ok(serde_json::from_value(v["permissions"].clone()).ok())
}
