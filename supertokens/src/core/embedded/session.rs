//! Sessions: signing keys, access tokens (JWT v5), refresh rotation with theft detection, and the
//! `/recipe/session...` and `/.well-known/jwks.json` endpoints.

use axum::Router;

use super::{Migration, SharedState};
use crate::Clock;
use crate::core::embedded_config::EmbeddedCoreConfig;

pub(super) const MIGRATIONS: &[Migration] = &[];

/// In-memory session state (cached signing keys).
pub(crate) struct SessionState {}

impl SessionState {
    pub(super) fn new(
        _config: &EmbeddedCoreConfig,
        _clock: &Clock,
        _store: &super::Store,
    ) -> Result<Self, super::EmbeddedCoreError> {
        Ok(Self {})
    }
}

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
}
