//! What the passwordless component keeps in memory.

use std::sync::atomic::AtomicI64;

/// In-memory passwordless state: when expired devices were last swept.
#[derive(Debug, Default)]
pub(crate) struct PasswordlessState {
    pub(super) last_cleanup_ms: AtomicI64,
}
